// ISO 20022 over the real API: every sample message of the library's corpus goes through
// POST /api/v1/iso20022/{pain.001|pacs.008} to settlement, each status report validates
// against its official XSD, a re-sent message changes nothing, and hostile input is refused.
#include <gtest/gtest.h>

#include <set>

#include <deltran/iso20022/parser.hpp>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

namespace json = boost::json;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string bic8(std::string bic) {
  if (bic.size() == 11 && bic.compare(8, 3, "XXX") == 0) bic.resize(8);
  return bic;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// xmllint against the official schema: an independent check of what we emit.
bool xmllint_valid(const std::string& xml, const std::string& xsd, std::string& out) {
  fs::path f = fs::temp_directory_path() / ("deltran-report-" + new_uuid_v4() + ".xml");
  std::ofstream(f) << xml;
  std::string cmd = "xmllint --noout --nonet --schema '" + std::string(DELTRAN_XSD_DIR) + "/" + xsd + "' '" +
                    f.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[512];
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
  int status = p != nullptr ? pclose(p) : -1;
  fs::remove(f);
  return status == 0;
}

// A bank back office's reading of a report, by a parser independent of ours (Python's
// xml.etree over expat): the JSON it prints, or null with its complaint in `out`.
json::value back_office_read(const std::string& xml, std::string& out) {
  fs::path f = fs::temp_directory_path() / ("deltran-back-office-" + new_uuid_v4() + ".xml");
  std::ofstream(f) << xml;
  std::string cmd = "python3 '" + std::string(DELTRAN_BACK_OFFICE_READER) + "' '" + f.string() + "' 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[4096];
  std::string text;
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) text += buf;
  int status = p != nullptr ? pclose(p) : -1;
  fs::remove(f);
  out = text;
  if (status != 0) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  return ec ? json::value(nullptr) : v;
}

constexpr const char* kRailBic = "DLTRAEAD";  // the default rail.bic

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

std::string report_schema(const std::string& report) {
  for (const char* id : {"pain.002.001.03", "pain.002.001.14", "pacs.002.001.10", "pacs.002.001.15", "camt.053.001.08"}) {
    if (report.find(std::string("urn:iso:std:iso:20022:tech:xsd:") + id) != std::string::npos) return std::string(id) + ".xsd";
  }
  return "";
}

// The corpus reuses one MsgId in several files (each file stands alone there); here they
// all go to one rail, where MsgId + EndToEndId identify a payment, so each file gets its own.
std::string unique_msg_id(std::string xml, size_t n) {
  size_t at = xml.find("MsgId>");
  if (at == std::string::npos) return xml;
  at += 6;
  size_t end = xml.find('<', at);
  std::string id = xml.substr(at, end - at).substr(0, 30) + "-F" + std::to_string(n);
  return xml.replace(at, end - at, id);
}

struct Sample {
  fs::path path;
  std::string xml;
  iso20022::ParsedMessage parsed;
};

class IsoApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("iso-api");
    server_ = std::make_unique<ServerProcess>(dir_ / "data");
    server_->start();  // with the schemas shipped beside the binary
    for (const auto& entry : fs::directory_iterator(DELTRAN_ISO20022_TESTDATA)) {
      std::string name = entry.path().filename().string();
      if (entry.path().extension() != ".xml" || name.rfind("bad_", 0) == 0 || name.rfind("hostile_", 0) == 0) continue;
      if (name.find("clearing_member_ids") != std::string::npos) continue;  // its own test: agents without BICs
      Sample s{entry.path(), unique_msg_id(read_file(entry.path()), samples_.size()), {}};
      auto parsed = iso20022::parse_message(s.xml);
      ASSERT_TRUE(parsed.has_value()) << name << ": " << parsed.error().message;
      s.parsed = std::move(*parsed);
      samples_.push_back(std::move(s));
    }
    std::sort(samples_.begin(), samples_.end(), [](const Sample& a, const Sample& b) { return a.path < b.path; });
    ASSERT_GE(samples_.size(), 8u);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }

  // Every agent of the corpus becomes a funded participant in the currencies it uses.
  void register_agents() {
    std::map<std::string, std::set<std::string>> currencies;
    for (const auto& s : samples_) {
      for (const auto& t : s.parsed.transactions) {
        if (!t.accepted()) continue;
        std::string debtor = t.payment.debtor_agent_bic.empty() ? t.payment.instructing_agent_bic : t.payment.debtor_agent_bic;
        currencies[bic8(debtor)].insert(t.payment.currency);
        currencies[bic8(t.payment.creditor_agent_bic)].insert(t.payment.currency);
      }
    }
    auto c = server_->client();
    for (const auto& [bic, set] : currencies) {
      std::string list;
      for (const auto& cur : set) list += (list.empty() ? "\"" : ",\"") + cur + "\"";
      auto r = c.request("POST", "/api/v1/banks",
                         "{\"id\":\"" + bic + "\",\"name\":\"Bank " + bic + "\",\"country\":\"AE\",\"currencies\":[" + list + "]}",
                         bearer(server_->admin_key()));
      ASSERT_TRUE(r && r->status == 201) << bic << ": " << (r ? r->body : r.error().message);
      for (const auto& cur : set) {
        auto m = c.request("POST", "/api/v1/tokens/mint",
                           "{\"bank\":\"" + bic + "\",\"currency\":\"" + cur + "\",\"amount\":\"" +
                               (cur == "JPY" || cur == "KRW" ? "100000000000" : "1000000000.00") +
                               "\",\"reference\":\"F-" + bic + "-" + cur + "\"}",
                           bearer(server_->admin_key()));
        ASSERT_TRUE(m && m->status == 200) << bic << " " << cur << ": " << (m ? m->body : "");
      }
    }
  }

  std::string endpoint(const Sample& s) const {
    return s.parsed.header.type == iso20022::MessageType::kPain001 ? "/api/v1/iso20022/pain.001" : "/api/v1/iso20022/pacs.008";
  }
  int64_t payments_stored() {
    auto r = server_->client().request("GET", "/api/v1/transactions?limit=1000", "", bearer(server_->admin_key()));
    return r ? static_cast<int64_t>(parse(r->body).at("items").as_array().size()) : -1;
  }

  fs::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::vector<Sample> samples_;
};

TEST_F(IsoApiTest, EverySampleVersionGoesThroughTheApiToSettlementWithSchemaValidReports) {
  register_agents();
  auto c = server_->client();
  Headers h = bearer(server_->admin_key());
  h.emplace_back("Content-Type", "application/xml");
  size_t accepted = 0;
  for (const auto& s : samples_) {
    SCOPED_TRACE(s.path.filename().string());
    auto r = c.request("POST", endpoint(s), s.xml, h);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 200) << r->body;
    EXPECT_NE(r->content_type.find("xml"), std::string::npos);
    std::string out;
    std::string xsd = report_schema(r->body);
    ASSERT_FALSE(xsd.empty()) << r->body;
    EXPECT_TRUE(xmllint_valid(r->body, xsd, out)) << out << "\n" << r->body;
    json::value read = back_office_read(r->body, out);
    ASSERT_TRUE(read.is_object()) << out << "\n" << r->body;
    if (str(read.at("type")) == "pain.002") {
      EXPECT_EQ(str(read.at("initiating_party_bic")), kRailBic);
      EXPECT_EQ(str(read.at("initiating_party_name")), "DelTran");
    } else {
      EXPECT_EQ(str(read.at("instructing_agent_bic")), kRailBic);
      // The agent that sent it: the group's InstgAgt, else the first transaction's.
      const auto& first = s.parsed.transactions.front().payment;
      std::string sender = s.parsed.header.instructing_agent_bic;
      if (sender.empty()) sender = first.instructing_agent_bic.empty() ? first.debtor_agent_bic : first.instructing_agent_bic;
      EXPECT_EQ(bic8(str(read.at("instructed_agent_bic"))), bic8(sender));
    }
    EXPECT_EQ(read.at("transactions").as_array().size(), s.parsed.transactions.size());
    size_t good = s.parsed.accepted_count();
    EXPECT_EQ(count(r->body, "<TxSts>ACSP</TxSts>"), good) << r->body;
    accepted += good;
    // The same message again: the same statuses, nothing new.
    int64_t before = payments_stored();
    auto again = c.request("POST", endpoint(s), s.xml, h);
    ASSERT_TRUE(again && again->status == 200);
    EXPECT_EQ(count(again->body, "<TxSts>ACSP</TxSts>"), good) << again->body;
    EXPECT_EQ(payments_stored(), before);
  }
  EXPECT_EQ(payments_stored(), static_cast<int64_t>(accepted));
  auto windows = c.request("GET", "/api/v1/windows?limit=100", "", bearer(server_->admin_key()));
  ASSERT_TRUE(windows && windows->status == 200);
  json::value list = parse(windows->body);
  for (const auto& w : list.at("items").as_array()) {
    if (w.at("status").as_string() != "OPEN" || w.at("payment_count").as_int64() == 0) continue;
    auto closed = c.request("POST", "/api/v1/windows/" + std::to_string(w.at("id").as_int64()) + "/close", "",
                            bearer(server_->admin_key()));
    ASSERT_TRUE(closed && closed->status == 200) << (closed ? closed->body : "");
  }
  auto settled = c.request("GET", "/api/v1/transactions?status=SETTLED&limit=1000", "", bearer(server_->admin_key()));
  ASSERT_TRUE(settled && settled->status == 200);
  EXPECT_EQ(parse(settled->body).at("items").as_array().size(), accepted);
  // A statement of one of the agents validates too.
  const auto& first = samples_.front().parsed.transactions.front().payment;
  std::string bank = bic8(first.creditor_agent_bic);
  auto camt = c.request("GET", "/api/v1/iso20022/camt.053?bank=" + bank + "&currency=" + first.currency, "",
                        bearer(server_->admin_key()));
  ASSERT_TRUE(camt && camt->status == 200) << (camt ? camt->body : "");
  std::string out;
  EXPECT_TRUE(xmllint_valid(camt->body, "camt.053.001.08.xsd", out)) << out << "\n" << camt->body;
  // A back office reads who sent it, to whom, the account's servicer and the sequence;
  // the balances add up in its own arithmetic.
  json::value read = back_office_read(camt->body, out);
  ASSERT_TRUE(read.is_object()) << out << "\n" << camt->body;
  EXPECT_EQ(str(read.at("recipient_bic")), bank);
  const auto& statement = read.at("statements").at(0);
  EXPECT_EQ(str(statement.at("servicer_bic")), kRailBic);
  EXPECT_EQ(str(statement.at("owner_bic")), bank);
  EXPECT_EQ(str(statement.at("sequence")), "1");  // the participant joined today
  EXPECT_GT(statement.at("entries").as_int64(), 0);
  // The same day as a camt.054 notification: the same entries, no balances.
  auto note = c.request("GET", "/api/v1/iso20022/camt.054?bank=" + bank + "&currency=" + first.currency, "",
                        bearer(server_->admin_key()));
  ASSERT_TRUE(note && note->status == 200) << (note ? note->body : "");
  EXPECT_TRUE(xmllint_valid(note->body, "camt.054.001.08.xsd", out)) << out << "\n" << note->body;
  json::value noted = back_office_read(note->body, out);
  ASSERT_TRUE(noted.is_object()) << out << "\n" << note->body;
  EXPECT_EQ(str(noted.at("recipient_bic")), bank);
  EXPECT_EQ(str(noted.at("notifications").at(0).at("servicer_bic")), kRailBic);
  EXPECT_EQ(noted.at("notifications").at(0).at("entries"), statement.at("entries"));
  // The reader's checks can fail: without the servicer it refuses the statement.
  std::string no_servicer = camt->body;
  size_t from = no_servicer.find("<Svcr>"), to = no_servicer.find("</Svcr>");
  ASSERT_NE(from, std::string::npos);
  no_servicer.erase(from, to + 7 - from);
  EXPECT_TRUE(back_office_read(no_servicer, out).is_null());
  EXPECT_NE(out.find("missing Acct/Svcr"), std::string::npos) << out;
  auto [code, check] = run_check(server_->data());
  EXPECT_EQ(code, 0) << check;
}

TEST_F(IsoApiTest, AParticipantSendsOnlyAsDebtorAgentAndBadTransactionsAreRejectedOneByOne) {
  register_agents();
  auto c = server_->client();
  // A message whose debtor agent is someone else: every transaction RJCT AG01.
  const Sample& s = samples_.front();
  std::string debtor = bic8(s.parsed.transactions.front().payment.debtor_agent_bic.empty()
                                ? s.parsed.transactions.front().payment.instructing_agent_bic
                                : s.parsed.transactions.front().payment.debtor_agent_bic);
  auto list = c.request("GET", "/api/v1/banks", "", bearer(server_->admin_key()));
  ASSERT_TRUE(list.has_value());
  // Create an outsider bank to send it.
  auto outsider = c.request("POST", "/api/v1/banks", R"({"id":"OUTSGB2L","name":"Outsider","country":"GB","currencies":["USD"]})",
                            bearer(server_->admin_key()));
  ASSERT_TRUE(outsider && outsider->status == 201);
  Headers h = bearer(std::string(parse(outsider->body).at("api_key").as_string()));
  h.emplace_back("Content-Type", "application/xml");
  auto r = c.request("POST", endpoint(s), s.xml, h);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  EXPECT_EQ(count(r->body, "<TxSts>RJCT</TxSts>"), s.parsed.transactions.size()) << r->body;
  EXPECT_NE(r->body.find("AG01"), std::string::npos);
  EXPECT_EQ(payments_stored(), 0);
  // A JSON body on the XML endpoint: 415.
  Headers j = bearer(server_->admin_key());
  j.emplace_back("Content-Type", "application/json");
  auto wrong = c.request("POST", "/api/v1/iso20022/pain.001", "{}", j);
  ASSERT_TRUE(wrong.has_value());
  EXPECT_EQ(wrong->status, 415);
}

// Real messages name agents by clearing-system member id as often as by BIC: a
// participant registers its ids, and a pacs.008 that names agents only that way is routed.
TEST_F(IsoApiTest, AgentsNamedByClearingMemberIdAreRoutedToTheParticipantsThatRegisteredThem) {
  auto c = server_->client();
  const Headers admin = bearer(server_->admin_key());
  auto bank = [&](const std::string& body) {
    auto r = c.request("POST", "/api/v1/banks", body, admin);
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "");
  };
  bank(R"({"id":"CHASUS33","name":"Chase","country":"US","currencies":["USD"],)"
       R"("clearing_ids":[{"system":"usaba","member_id":"021000021"}]})");
  bank(R"({"id":"BARCGB22","name":"Barclays","country":"GB","currencies":["USD"],)"
       R"("clearing_ids":[{"system":"GBDSC","member_id":"40-05-15"}]})");
  bank(R"({"id":"HDFCINBB","name":"HDFC","country":"IN","currencies":["USD"]})");
  // Registered later, canonical as stored, shown with the bank.
  auto set = c.request("PUT", "/api/v1/banks/HDFCINBB/clearing-ids", R"({"clearing_ids":[{"system":"INFSC","member_id":"HDFC0000001"}]})", admin);
  ASSERT_TRUE(set && set->status == 200) << (set ? set->body : "");
  auto shown = c.request("GET", "/api/v1/banks/BARCGB22", "", admin);
  ASSERT_TRUE(shown && shown->status == 200);
  EXPECT_EQ(json::serialize(parse(shown->body).at("clearing_ids")), R"([{"system":"GBDSC","member_id":"400515"}])");
  // Refused clearly: another participant's id (409), a malformed one (400), a participant
  // registering for itself (403).
  auto taken = c.request("PUT", "/api/v1/banks/HDFCINBB/clearing-ids", R"({"clearing_ids":[{"system":"USABA","member_id":"021000021"}]})", admin);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->status, 409) << taken->body;
  EXPECT_NE(taken->body.find("registered to CHASUS33"), std::string::npos) << taken->body;
  EXPECT_NE(taken->body.find("RC08"), std::string::npos) << taken->body;
  auto malformed = c.request("PUT", "/api/v1/banks/HDFCINBB/clearing-ids", R"({"clearing_ids":[{"system":"USABA","member_id":"021000022"}]})", admin);
  ASSERT_TRUE(malformed.has_value());
  EXPECT_EQ(malformed->status, 400) << malformed->body;
  EXPECT_NE(malformed->body.find("check digit"), std::string::npos) << malformed->body;
  auto wrong_shape = c.request("POST", "/api/v1/banks", R"({"id":"BANKAEAD","name":"X","country":"AE","currencies":["USD"],"clearing_ids":{"USABA":"1"}})", admin);
  ASSERT_TRUE(wrong_shape.has_value());
  EXPECT_EQ(wrong_shape->status, 400) << wrong_shape->body;
  for (const char* mint : {"CHASUS33", "BARCGB22"}) {
    auto m = c.request("POST", "/api/v1/tokens/mint",
                       std::string(R"({"bank":")") + mint + R"(","currency":"USD","amount":"100000.00","reference":"F-)" + mint + R"("})", admin);
    ASSERT_TRUE(m && m->status == 200) << (m ? m->body : "");
  }
  // The message: agents by ClrSysId/Cd + MmbId, by the code in front of MmbId, a sort code
  // with dashes, a lower-case IFSC; one creditor agent's id is malformed.
  std::string xml = read_file(fs::path(DELTRAN_ISO20022_TESTDATA) / "pacs008_v08_clearing_member_ids.xml");
  Headers h = admin;
  h.emplace_back("Content-Type", "application/xml");
  auto r = c.request("POST", "/api/v1/iso20022/pacs.008", xml, h);
  ASSERT_TRUE(r && r->status == 200) << (r ? r->body : "");
  std::string out;
  EXPECT_TRUE(xmllint_valid(r->body, "pacs.002.001.10.xsd", out)) << out << "\n" << r->body;
  json::value read = back_office_read(r->body, out);
  ASSERT_TRUE(read.is_object()) << out;
  std::vector<std::string> statuses;
  for (const auto& t : read.at("transactions").as_array()) {
    statuses.push_back(str(t.at("status")) + (t.at("reasons").as_array().empty() ? "" : " " + str(t.at("reasons").at(0))));
  }
  // 1: US → GB by ABA and sort code; 2: US → IN by prefixed ABA and IFSC; 3: malformed ABA
  // of the creditor agent (RC10); 4: a BIC beside a malformed id routes by the BIC.
  EXPECT_EQ(statuses, (std::vector<std::string>{"ACSP", "ACSP", "RJCT RC10", "ACSP"})) << r->body;
  EXPECT_EQ(str(read.at("instructed_agent_bic")), "CHASUS33");
  auto txs = c.request("GET", "/api/v1/transactions?limit=10", "", admin);
  ASSERT_TRUE(txs && txs->status == 200);
  std::multiset<std::string> routes;
  const json::value items = parse(txs->body);
  for (const auto& t : items.at("items").as_array()) {
    routes.insert(str(t.at("debtor_agent")) + ">" + str(t.at("creditor_agent")));
  }
  EXPECT_EQ(routes, (std::multiset<std::string>{"CHASUS33>BARCGB22", "CHASUS33>BARCGB22", "CHASUS33>HDFCINBB"}));
  // An id no participant registered, with no BIC: refused per transaction, RC09/RC10.
  std::string unknown = xml;
  for (size_t at = unknown.find("021000021"); at != std::string::npos; at = unknown.find("021000021", at + 1)) {
    unknown.replace(at, 9, "011000015");  // a valid ABA number nobody registered
  }
  unknown.replace(unknown.find("CLRMMB20261201000001"), 20, "CLRMMB20261201000002");
  auto u = c.request("POST", "/api/v1/iso20022/pacs.008", unknown, h);
  ASSERT_TRUE(u && u->status == 200) << (u ? u->body : "");
  EXPECT_EQ(count(u->body, "<Cd>RC09</Cd>"), 2u) << u->body;
  EXPECT_NE(u->body.find("USABA member 011000015 is not a participant of the rail"), std::string::npos) << u->body;
  // A BIC and a clearing id that name different participants: RC08.
  std::string mismatch = xml;
  mismatch.replace(mismatch.find("CLRMMB20261201000001"), 20, "CLRMMB20261201000003");
  size_t first = mismatch.find("<MmbId>40-05-15</MmbId>");
  mismatch.insert(mismatch.rfind("<ClrSysMmbId>", first), "<BICFI>HDFCINBB</BICFI>\n");
  auto mm = c.request("POST", "/api/v1/iso20022/pacs.008", mismatch, h);
  ASSERT_TRUE(mm && mm->status == 200) << (mm ? mm->body : "");
  EXPECT_NE(mm->body.find("<Cd>RC08</Cd>"), std::string::npos) << mm->body;
  EXPECT_NE(mm->body.find("name different participants"), std::string::npos) << mm->body;
  auto [code, check] = run_check(server_->data());
  EXPECT_EQ(code, 0) << check;
}

TEST_F(IsoApiTest, HostileAndMalformedMessagesAreRefusedAndStoreNothing) {
  register_agents();
  auto c = server_->client();
  Headers h = bearer(server_->admin_key());
  h.emplace_back("Content-Type", "application/xml");
  int refused = 0;
  for (const auto& entry : fs::directory_iterator(DELTRAN_ISO20022_TESTDATA)) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".xml" || name.rfind("hostile_", 0) != 0) continue;
    SCOPED_TRACE(name);
    auto r = c.request("POST", "/api/v1/iso20022/pain.001", read_file(entry.path()), h);
    ASSERT_TRUE(r.has_value());
    EXPECT_GE(r->status, 400);
    EXPECT_LT(r->status, 500);
    ++refused;
  }
  EXPECT_GE(refused, 5);
  EXPECT_EQ(payments_stored(), 0);
  EXPECT_EQ(c.request("GET", "/health", "", {})->status, 200);
}

// Runs `deltran serve` expecting it to stop at start; returns its output.
std::string serve_expecting_exit(const fs::path& dir, const std::string& args) {
  std::string cmd = std::string(DELTRAN_BINARY) + " serve --listen 127.0.0.1:0 --data '" + (dir / "data").string() +
                    "' " + args + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
  int status = p != nullptr ? pclose(p) : -1;
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << "expected to stop at start: " << out;
  return out;
}

TEST(IsoSchemas, AMissingEmptyOrBrokenSchemaFolderStopsTheServerWithAClearMessage) {
  fs::path dir = temp_dir("iso-schemas");
  fs::create_directories(dir / "empty");
  fs::create_directories(dir / "broken");
  std::ofstream(dir / "broken" / "pain.001.001.09.xsd") << "<xs:schema this is not a schema";
  EXPECT_NE(serve_expecting_exit(dir, "--xsd-dir '" + (dir / "nowhere").string() + "'").find("does not exist"),
            std::string::npos);
  EXPECT_NE(serve_expecting_exit(dir, "--xsd-dir '" + (dir / "empty").string() + "'").find("holds no .xsd"),
            std::string::npos);
  EXPECT_NE(serve_expecting_exit(dir, "--xsd-dir '" + (dir / "broken").string() + "'").find("cannot be loaded"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(IsoSchemas, TheShippedSchemasValidateAndStructuralChecksOnlyWhenConfigured) {
  fs::path dir = temp_dir("iso-schemas-default");
  // The element the v09 schema does not allow is caught by the XSD, not by structure.
  std::string xml = read_file(fs::path(DELTRAN_ISO20022_TESTDATA) / "bad_pain001_v09_unexpected_element.xml");
  for (bool validation : {true, false}) {
    fs::path data = dir / (validation ? "on" : "off");
    fs::create_directories(data);
    std::vector<std::string> args;
    if (!validation) {
      std::ofstream(data / "deltran.toml") << "[iso20022]\nschema_validation = false\n";
      args = {"--config", (data / "deltran.toml").string()};
    }
    ServerProcess server(data / "data");
    server.start(args);
    auto c = server.client();
    Headers h = bearer(server.admin_key());
    h.emplace_back("Content-Type", "application/xml");
    auto r = c.request("POST", "/api/v1/iso20022/pain.001", xml, h);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->status, 200) << r->body;
    // The schema rejects that transaction as FF01 at the unknown element; structural
    // checks alone do not see it (its agents, unknown to this rail, are refused with RC01).
    const bool schema_rejection = r->body.find("<Cd>FF01</Cd>") != std::string::npos &&
                                  r->body.find("Surprise") != std::string::npos;
    EXPECT_EQ(schema_rejection, validation) << r->body;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::testing
