// Screening over the real API: lists loaded from files, a sanctions hit blocks (RR04), a PEP
// is held for the compliance officer, only the officer decides, and lists reload live.
#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

class ComplianceApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("compliance-api");
    std::ofstream(dir_ / "sanctions.csv") << "id,name,type,program,aliases\n"
                                             "S-1,Volkov Maritime Holdings Ltd,entity,TEST,Volkov Maritime\n"
                                             "S-2,Ivan Sergeyevich Morozov,individual,TEST,\n";
    std::ofstream(dir_ / "pep.csv") << "id,name,type,program,aliases\nP-1,Karim Nasser Haddad,individual,PEP,\n";
    server_ = std::make_unique<ServerProcess>(dir_ / "data");
    server_->start({"--sanctions-list", "csv:" + (dir_ / "sanctions.csv").string(), "--pep-list",
                    "csv:" + (dir_ / "pep.csv").string()});
    auto c = server_->client();
    for (const char* id : {"CMPLAEAA", "CMPLAEBB"}) {
      auto r = c.request("POST", "/api/v1/banks",
                         std::string("{\"id\":\"") + id + "\",\"name\":\"x\",\"country\":\"AE\",\"currencies\":[\"USD\"]}",
                         bearer(server_->admin_key()));
      ASSERT_TRUE(r && r->status == 201);
      keys_[id] = std::string(parse(r->body).at("api_key").as_string());
    }
    auto m = c.request("POST", "/api/v1/tokens/mint", R"({"bank":"CMPLAEAA","currency":"USD","amount":"100000.00","reference":"F"})",
                       bearer(server_->admin_key()));
    ASSERT_TRUE(m && m->status == 200);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  Result<gateway::Response> pay(const std::string& debtor, const std::string& creditor, const std::string& key) {
    Headers h = bearer(keys_.at("CMPLAEAA"));
    h.emplace_back("Idempotency-Key", key);
    return server_->client().request(
        "POST", "/api/v1/transfer",
        R"({"amount":"100.00","currency":"USD","debtor_agent":"CMPLAEAA","creditor_agent":"CMPLAEBB","debtor":{"name":")" +
            debtor + R"("},"creditor":{"name":")" + creditor + R"("}})",
        h);
  }
  fs::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> keys_;
};

TEST_F(ComplianceApiTest, ASanctionsHitBlocksWithRR04AndNamesTheEntry) {
  auto r = pay("Acme Corp", "VOLKOV MARITIME HOLDINGS LIMITED", "s-1");
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 422) << r->body;
  auto v = parse(r->body);
  EXPECT_EQ(v.at("error").at("reason").as_string(), "RR04");
  EXPECT_NE(std::string(v.at("error").at("message").as_string()).find("S-1"), std::string::npos) << r->body;
  auto again = pay("Acme Corp", "VOLKOV MARITIME HOLDINGS LIMITED", "s-1");
  EXPECT_EQ(again->body, r->body);
  auto clean = pay("Acme Corp", "Rhein Logistik GmbH", "s-2");
  EXPECT_EQ(clean->status, 202) << clean->body;
  auto country = server_->client().request(
      "POST", "/api/v1/transfer",
      R"({"amount":"1.00","currency":"USD","debtor_agent":"CMPLAEAA","creditor_agent":"CMPLAEBB","debtor":{"name":"A"},"creditor":{"name":"B","country":"KP"},"end_to_end_id":"KP-1"})",
      bearer(keys_.at("CMPLAEAA")));
  ASSERT_TRUE(country.has_value());
  EXPECT_EQ(country->status, 422) << "a sanctioned country blocks outright";
}

TEST_F(ComplianceApiTest, APepIsHeldAndOnlyTheOfficerReleasesIt) {
  auto r = pay("Karim N. Haddad", "Rhein Logistik GmbH", "p-1");
  ASSERT_TRUE(r && r->status == 202) << (r ? r->body : "");
  auto v = parse(r->body);
  ASSERT_EQ(v.at("status").as_string(), "HELD");
  std::string id = std::to_string(v.at("case_id").as_int64());
  auto c = server_->client();
  Headers officer = bearer(server_->compliance_key());
  auto cases = c.request("GET", "/api/v1/compliance/cases?status=OPEN", "", officer);
  ASSERT_TRUE(cases && cases->status == 200);
  EXPECT_EQ(parse(cases->body).at("items").as_array().size(), 1u);
  EXPECT_EQ(c.request("GET", "/api/v1/compliance/cases", "", bearer(keys_.at("CMPLAEAA")))->status, 403);
  EXPECT_EQ(c.request("POST", "/api/v1/compliance/cases/" + id + "/approve", "", bearer(server_->admin_key()))->status, 403);
  auto ok = c.request("POST", "/api/v1/compliance/cases/" + id + "/approve", R"({"note":"ok"})", officer);
  ASSERT_TRUE(ok && ok->status == 200) << (ok ? ok->body : "");
  EXPECT_EQ(parse(ok->body).at("payment").at("status").as_string(), "QUEUED");
  EXPECT_EQ(c.request("POST", "/api/v1/compliance/cases/" + id + "/reject", "", officer)->status, 404);
  auto held2 = pay("Karim Nasser Haddad", "Rhein Logistik GmbH", "p-2");
  std::string id2 = std::to_string(parse(held2->body).at("case_id").as_int64());
  auto no = c.request("POST", "/api/v1/compliance/cases/" + id2 + "/reject", R"({"note":"no"})", officer);
  ASSERT_TRUE(no && no->status == 200);
  EXPECT_EQ(parse(no->body).at("payment").at("reason").as_string(), "RR04");
  // The decisions (with the officer's notes) are compliance's records: the auditor reads
  // them in the event log, the operator does not.
  auto decisions = [&](const std::string& key) {
    auto events = c.request("GET", "/api/v1/events?limit=1000", "", bearer(key));
    EXPECT_TRUE(events && events->status == 200);
    int n = 0;
    const auto body = parse(events->body);  // held: a range-for over a temporary's member dangles
    for (const auto& e : body.at("items").as_array()) n += e.at("type").as_string() == "case.decided" ? 1 : 0;
    return n;
  };
  EXPECT_EQ(decisions(server_->auditor_key()), 2);
  EXPECT_EQ(decisions(server_->compliance_key()), 2);
  EXPECT_EQ(decisions(server_->operator_key()), 0);
  auto [code, out] = run_check(server_->data());
  EXPECT_EQ(code, 0) << out;
}

TEST_F(ComplianceApiTest, CheckScreensANameAndListsReloadWithoutARestart) {
  auto c = server_->client();
  Headers officer = bearer(server_->compliance_key());
  auto hit = c.request("POST", "/api/v1/compliance/check", R"({"name":"Ivan Morozov"})", officer);
  ASSERT_TRUE(hit && hit->status == 200) << (hit ? hit->body : "");
  auto v = parse(hit->body);
  EXPECT_EQ(v.at("decision").as_string(), "BLOCK");
  EXPECT_EQ(v.at("hits").as_array().at(0).at("entry_id").as_string(), "S-2");
  auto miss = c.request("POST", "/api/v1/compliance/check", R"({"name":"Olga Ivanova"})", officer);
  EXPECT_EQ(parse(miss->body).at("decision").as_string(), "ALLOW");
  std::ofstream(dir_ / "sanctions.csv", std::ios::app) << "S-3,Olga Petrovna Ivanova,individual,TEST,\n";
  auto reload = c.request("POST", "/api/v1/compliance/lists/reload", "", bearer(server_->admin_key()));
  ASSERT_TRUE(reload && reload->status == 200) << (reload ? reload->body : "");
  auto now = c.request("POST", "/api/v1/compliance/check", R"({"name":"Olga Ivanova"})", officer);
  EXPECT_EQ(parse(now->body).at("decision").as_string(), "BLOCK") << now->body;
  EXPECT_EQ(c.request("POST", "/api/v1/compliance/check", R"({"name":"x"})", bearer(keys_.at("CMPLAEAA")))->status, 403);
}

TEST_F(ComplianceApiTest, AReloadReportsWhatChangedAndAFailedOneKeepsTheListsAndRaisesAnAlert) {
  auto c = server_->client();
  Headers admin = bearer(server_->admin_key());
  Headers officer = bearer(server_->compliance_key());
  std::ofstream(dir_ / "sanctions.csv", std::ios::app) << "S-3,Olga Petrovna Ivanova,individual,TEST,\n";
  auto ok = c.request("POST", "/api/v1/compliance/lists/reload", "", admin);
  ASSERT_TRUE(ok && ok->status == 200) << (ok ? ok->body : "");
  auto report = parse(ok->body);
  EXPECT_TRUE(report.at("installed").as_bool());
  const auto& lists = report.at("lists").as_array();
  ASSERT_EQ(lists.size(), 2u);
  EXPECT_EQ(lists.at(0).at("added").as_int64(), 1);
  EXPECT_EQ(lists.at(0).at("malformed_records").as_int64(), 0);
  EXPECT_TRUE(lists.at(1).at("unchanged_files").as_bool());  // the PEP file was not read again

  // The file is replaced by something that is not a list: the reload fails, the lists in
  // use stay, and the failure is an event in the log and a count in /metrics.
  std::ofstream(dir_ / "sanctions.csv", std::ios::trunc) << "<html>503 Service Unavailable</html>\n";
  auto bad = c.request("POST", "/api/v1/compliance/lists/reload", "", admin);
  ASSERT_TRUE(bad && bad->status == 422) << (bad ? bad->body : "");
  EXPECT_NE(bad->body.find("previous lists stay in use"), std::string::npos) << bad->body;
  auto still = c.request("POST", "/api/v1/compliance/check", R"({"name":"Olga Ivanova"})", officer);
  EXPECT_EQ(parse(still->body).at("decision").as_string(), "BLOCK") << still->body;
  auto events = c.request("GET", "/api/v1/events?after=0&limit=1000", "", admin);
  ASSERT_TRUE(events && events->status == 200);
  EXPECT_NE(events->body.find("lists.reloaded"), std::string::npos);
  EXPECT_NE(events->body.find("lists.reload_failed"), std::string::npos) << events->body;
  auto metrics = c.request("GET", "/metrics", "", admin);
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("screening_list_loads_total{outcome=\"failed\"} 1"), std::string::npos);
  EXPECT_NE(metrics->body.find("screening_list_entries{list=\"sanctions\"} 3"), std::string::npos) << metrics->body;
  // Participants do not read the operators' alert.
  auto theirs = c.request("GET", "/api/v1/events?after=0&limit=1000", "", bearer(keys_.at("CMPLAEAA")));
  ASSERT_TRUE(theirs && theirs->status == 200);
  EXPECT_EQ(theirs->body.find("lists.reload_failed"), std::string::npos);
}

// Two USD participants in AE, the first funded with 1,000.00; their API keys by BIC (empty
// if a step failed, with the failure reported).
std::map<std::string, std::string> two_funded_banks(gateway::HttpClient& c, const Headers& admin, const std::string& a,
                                                    const std::string& b) {
  std::map<std::string, std::string> keys;
  for (const std::string& id : {a, b}) {
    auto r = c.request("POST", "/api/v1/banks",
                       "{\"id\":\"" + id + "\",\"name\":\"x\",\"country\":\"AE\",\"currencies\":[\"USD\"]}", admin);
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "");
    if (!r || r->status != 201) return {};
    keys[id] = std::string(parse(r->body).at("api_key").as_string());
  }
  auto m = c.request("POST", "/api/v1/tokens/mint",
                     R"({"bank":")" + a + R"(","currency":"USD","amount":"1000.00","reference":"F"})", admin);
  EXPECT_TRUE(m && m->status == 200) << (m ? m->body : "");
  if (!m || m->status != 200) return {};
  return keys;
}

TEST(ScreeningFailsClosed, NoSanctionsListNoStartUnlessAllowedAndCountriesAreScreenedEitherWay) {
  fs::path dir = temp_dir("no-lists");
  {
    ServerProcess refused(dir / "data");
    EXPECT_THROW(refused.start({"--require-lists"}), std::runtime_error);
    std::ifstream log(dir / "data" / "server.log");
    std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    EXPECT_NE(text.find("no sanctions list is configured"), std::string::npos) << text;
    EXPECT_NE(text.find("allow_no_lists"), std::string::npos) << text;
  }
  ServerProcess allowed(dir / "data");
  allowed.start();  // --allow-no-lists
  auto c = allowed.client();
  Headers admin = bearer(allowed.admin_key());
  const auto keys = two_funded_banks(c, admin, "NOLSAEAA", "NOLSAEBB");
  ASSERT_EQ(keys.size(), 2u);
  Headers h = bearer(keys.at("NOLSAEAA"));
  h.emplace_back("Idempotency-Key", "no-lists-1");
  auto pay = c.request("POST", "/api/v1/transfer",
                       R"({"debtor_agent":"NOLSAEAA","creditor_agent":"NOLSAEBB","amount":"10.00","currency":"USD",)"
                       R"("end_to_end_id":"E2E-NL-1","debtor":{"name":"Plain Sender","country":"AE"},)"
                       R"("creditor":{"name":"Plain Receiver","country":"IR"}})",
                       h);
  ASSERT_TRUE(pay.has_value());
  EXPECT_EQ(pay->status, 422) << pay->body;
  EXPECT_NE(pay->body.find("RR04"), std::string::npos) << pay->body;
  auto check = c.request("POST", "/api/v1/compliance/check", R"({"name":"Anyone","country":"KP"})",
                         bearer(allowed.compliance_key()));
  ASSERT_TRUE(check && check->status == 200) << (check ? check->body : "");
  EXPECT_EQ(parse(check->body).at("decision").as_string(), "BLOCK");
  EXPECT_FALSE(parse(check->body).at("lists_loaded").as_bool());
  allowed.stop();
  fs::remove_all(dir);
}

TEST(ScreeningBands, AHitInAListsReviewBandIsHeldAndOneAtItsBlockBandIsRejected) {
  fs::path dir = temp_dir("bands");
  fs::create_directories(dir);
  std::ofstream(dir / "watch.csv") << "id,name,type,program,aliases\nW-1,Zarkov Ostrander Trading House,entity,TEST,\n";
  ServerProcess server(dir / "data");
  server.start({"--require-lists", "--sanctions-list", "csv:" + (dir / "watch.csv").string() + "?threshold=0.80&block=0.97"});
  auto c = server.client();
  Headers admin = bearer(server.admin_key());
  const auto keys = two_funded_banks(c, admin, "BANDAEAA", "BANDAEBB");
  ASSERT_EQ(keys.size(), 2u);
  auto pay = [&](const std::string& creditor, const std::string& key) {
    Headers h = bearer(keys.at("BANDAEAA"));
    h.emplace_back("Idempotency-Key", key);
    return c.request("POST", "/api/v1/transfer",
                     R"({"amount":"10.00","currency":"USD","debtor_agent":"BANDAEAA","creditor_agent":"BANDAEBB",)"
                     R"("debtor":{"name":"Plain Sender"},"creditor":{"name":")" + creditor + R"("}})", h);
  };
  auto blocked = pay("Zarkov Ostrander Trading House", "b-1");
  ASSERT_TRUE(blocked.has_value());
  EXPECT_EQ(blocked->status, 422) << blocked->body;
  EXPECT_NE(blocked->body.find("RR04"), std::string::npos);
  auto held = pay("Zarkov Ostrandr Trading", "b-2");
  ASSERT_TRUE(held.has_value());
  ASSERT_EQ(held->status, 202) << held->body;
  EXPECT_EQ(parse(held->body).at("status").as_string(), "HELD");
  auto check = c.request("POST", "/api/v1/compliance/check", R"({"name":"Zarkov Ostrandr Trading"})",
                         bearer(server.compliance_key()));
  ASSERT_TRUE(check && check->status == 200);
  auto v = parse(check->body);
  EXPECT_EQ(v.at("decision").as_string(), "REVIEW");
  EXPECT_EQ(v.at("hits").as_array().at(0).at("decision").as_string(), "REVIEW");
  EXPECT_EQ(v.at("hits").as_array().at(0).at("entry_id").as_string(), "W-1");
  server.stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::testing
