// The REST API as a client sees it: the real binary, real HTTP, every documented error.
#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

namespace json = boost::json;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(temp_dir("api"));
    server_ = new ServerProcess(*dir_ / "data");
    server_->start();
    auto c = server_->client();
    for (const char* id : {"BANKAEAD", "BANKINBB", "BANKUS33"}) {
      std::string body = std::string("{\"id\":\"") + id + "\",\"name\":\"Bank " + id +
                         "\",\"country\":\"AE\",\"currencies\":[\"USD\",\"AED\"],\"net_debit_cap\":{\"USD\":\"1000.00\"}}";
      auto r = c.request("POST", "/api/v1/banks", body, bearer(server_->admin_key()));
      ASSERT_TRUE(r.has_value());
      ASSERT_EQ(r->status, 201) << r->body;
      (*keys_)[id] = std::string(parse(r->body).at("api_key").as_string());
    }
    auto m = c.request("POST", "/api/v1/tokens/mint",
                       R"({"bank":"BANKAEAD","currency":"USD","amount":"50000.00","reference":"FUND-1"})",
                       bearer(server_->admin_key()));
    ASSERT_TRUE(m.has_value());
    ASSERT_EQ(m->status, 200) << m->body;
  }
  static void TearDownTestSuite() {
    delete server_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  gateway::Response call(std::string_view method, std::string_view target, const std::string& body,
                         const Headers& headers) {
    auto r = client_.request(method, target, body, headers);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : gateway::Response{};
  }
  Headers admin() const { return bearer(server_->admin_key()); }
  // A participant's headers; without a key of its own, each call is a new payment (a key
  // of its own makes a retry).
  Headers as(const std::string& bank, const std::string& idempotency_key = "") const {
    Headers h = bearer(keys_->at(bank));
    h.emplace_back("Idempotency-Key", idempotency_key.empty() ? "t-" + new_uuid_v4() : idempotency_key);
    return h;
  }
  static std::string transfer_body(const std::string& amount, const std::string& from = "BANKAEAD",
                                   const std::string& to = "BANKINBB", const std::string& currency = "USD") {
    return "{\"amount\":\"" + amount + "\",\"currency\":\"" + currency + "\",\"debtor_agent\":\"" + from +
           "\",\"creditor_agent\":\"" + to +
           "\",\"debtor\":{\"name\":\"Ahmed Al Maktoum\",\"account\":\"AE070331234567890123456\"},"
           "\"creditor\":{\"name\":\"Priya Sharma\",\"account\":\"50100012345678\"},"
           "\"end_to_end_id\":\"INV-2026-001\",\"remittance_info\":\"Invoice 2026-001\"}";
  }
  int64_t count_transactions(const Headers& who) {
    auto r = call("GET", "/api/v1/transactions?limit=1000", "", who);
    return static_cast<int64_t>(parse(r.body).at("items").as_array().size());
  }
  static std::string error_reason(const gateway::Response& r) {
    const boost::json::value body = parse(r.body);  // kept: `reason` refers into it
    const auto& reason = body.at("error").at("reason");
    return reason.is_null() ? "" : std::string(reason.as_string());
  }

  static fs::path* dir_;
  static ServerProcess* server_;
  static std::map<std::string, std::string>* keys_;
  gateway::HttpClient client_ = server_->client();
};

fs::path* ApiTest::dir_ = nullptr;
ServerProcess* ApiTest::server_ = nullptr;
std::map<std::string, std::string>* ApiTest::keys_ = new std::map<std::string, std::string>();

TEST_F(ApiTest, HealthReadyAndMetricsAnswerWithoutAuthentication) {
  EXPECT_EQ(call("GET", "/health", "", {}).status, 200);
  EXPECT_EQ(call("GET", "/ready", "", {}).status, 200);
  auto m = call("GET", "/metrics", "", {});
  EXPECT_EQ(m.status, 200);
  for (const char* name : {"http_requests_total", "http_request_duration_seconds_bucket", "http_requests_in_flight",
                           "transactions_processed_total", "netting_efficiency_ratio", "errors_total",
                           "core_batch_size_bucket", "core_commit_latency_seconds_bucket"}) {
    EXPECT_NE(m.body.find(name), std::string::npos) << name;
  }
}

TEST_F(ApiTest, MissingOrForgedKeysAre401AndParticipantsCannotUseAdminRoutes) {
  auto none = call("GET", "/api/v1/banks", "", {});
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(std::string(parse(none.body).at("error").at("code").as_string()), "unauthenticated");
  EXPECT_EQ(call("GET", "/api/v1/banks", "", bearer("dtk_forged")).status, 401);
  EXPECT_EQ(call("GET", "/api/v1/banks", "", {{"Authorization", "Basic abc"}}).status, 401);
  auto mint = call("POST", "/api/v1/tokens/mint", R"({"bank":"BANKINBB","currency":"USD","amount":"1.00","reference":"X"})",
                   as("BANKINBB"));
  EXPECT_EQ(mint.status, 403);
  EXPECT_EQ(call("POST", "/api/v1/windows/1/close", "", as("BANKINBB")).status, 403);
}

TEST_F(ApiTest, BankCreationValidatesEveryFieldAndRefusesDuplicates) {
  auto dup = call("POST", "/api/v1/banks", R"({"id":"BANKAEADXXX","name":"Again","country":"AE","currencies":["USD"]})", admin());
  EXPECT_EQ(dup.status, 409) << dup.body;
  EXPECT_EQ(call("POST", "/api/v1/banks", R"({"id":"BAD","name":"x","country":"AE","currencies":["USD"]})", admin()).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/banks", R"({"id":"BANKGB2L","name":"x","country":"AE","currencies":["XYZ"]})", admin()).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/banks", R"({"id":"BANKGB2L","name":"x","country":"ae","currencies":["USD"]})", admin()).status, 400);
  EXPECT_EQ(call("POST", "/api/v1/banks", R"({"id":"BANKGB2L","name":"x","country":"AE","currencies":["USD"],"net_debit_cap":{"EUR":"1.00"}})", admin()).status, 400);
  EXPECT_EQ(call("GET", "/api/v1/banks/BANKGB2L", "", admin()).status, 404);
  auto list = call("GET", "/api/v1/banks", "", as("BANKINBB"));
  ASSERT_EQ(list.status, 200);
  json::value banks = parse(list.body);
  for (const auto& b : banks.at("items").as_array()) {
    // A participant sees the directory, and the credit terms of itself only.
    EXPECT_EQ(b.as_object().contains("net_debit_cap"), b.at("id").as_string() == "BANKINBB");
  }
}

TEST_F(ApiTest, TransferIsAcceptedQueuedAndRetriedIdempotently) {
  auto r = call("POST", "/api/v1/transfer", transfer_body("1234.56"), as("BANKAEAD", "idem-accept-1"));
  ASSERT_EQ(r.status, 202) << r.body;
  auto v = parse(r.body);
  EXPECT_EQ(v.at("status").as_string(), "QUEUED");
  EXPECT_TRUE(is_uuid(v.at("id").as_string(), '7'));
  EXPECT_TRUE(is_uuid_v4(v.at("uetr").as_string()));
  EXPECT_GT(v.at("window_id").as_int64(), 0);
  auto again = call("POST", "/api/v1/transfer", transfer_body("1234.56"), as("BANKAEAD", "idem-accept-1"));
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(again.body, r.body);
  auto reused = call("POST", "/api/v1/transfer", transfer_body("99.00"), as("BANKAEAD", "idem-accept-1"));
  EXPECT_EQ(reused.status, 409);
  EXPECT_EQ(error_reason(reused), "DUPL");

  std::string id(v.at("id").as_string());
  auto got = call("GET", "/api/v1/transaction/" + id, "", as("BANKINBB"));  // the creditor may read it
  ASSERT_EQ(got.status, 200) << got.body;
  auto p = parse(got.body);
  EXPECT_EQ(p.at("amount").as_string(), "1234.56");
  EXPECT_EQ(p.at("debtor").at("name").as_string(), "Ahmed Al Maktoum");
  EXPECT_EQ(call("GET", "/api/v1/transaction/" + id, "", as("BANKUS33")).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/transaction/" + id, "", admin()).status, 200);
  EXPECT_EQ(call("GET", "/api/v1/transaction/00000000-0000-4000-8000-000000000000", "", admin()).status, 404);
}

TEST_F(ApiTest, InsufficientLiquidityIs422WithReasonAM04AndReplaysTheSame) {
  auto r = call("POST", "/api/v1/transfer", transfer_body("1.00", "BANKUS33", "BANKINBB"), as("BANKUS33", "poor-1"));
  EXPECT_EQ(r.status, 202) << "BANKUS33 has 1000.00 of credit: 1.00 fits";
  auto big = call("POST", "/api/v1/transfer", transfer_body("1000.00", "BANKUS33", "BANKINBB"), as("BANKUS33", "poor-2"));
  ASSERT_EQ(big.status, 422) << big.body;
  EXPECT_EQ(error_reason(big), "AM04");
  EXPECT_EQ(std::string(parse(big.body).at("status").as_string()), "REJECTED");
  auto again = call("POST", "/api/v1/transfer", transfer_body("1000.00", "BANKUS33", "BANKINBB"), as("BANKUS33", "poor-2"));
  EXPECT_EQ(again.status, 422);
  EXPECT_EQ(again.body, big.body);
}

TEST_F(ApiTest, BadInputIs400WithAReasonAndStoresNothing) {
  int64_t before = count_transactions(admin());
  struct Case {
    std::string body;
    std::string reason;
  };
  std::vector<Case> cases = {
      {transfer_body("12.345"), "AM12"},
      {transfer_body("-5.00"), "AM12"},
      {transfer_body("0.00"), "AM01"},
      {transfer_body("1e3"), "AM12"},
      {transfer_body("1,000.00"), "AM12"},
      {transfer_body("10.00", "BANKAEAD", "BANKINBB", "XXX"), "AM03"},
      {transfer_body("10.00", "BANKAEAD", "NOTABIC", "USD"), "RC01"},
      {R"({"amount":12.5,"currency":"USD","debtor_agent":"BANKAEAD","creditor_agent":"BANKINBB","debtor":{"name":"a"},"creditor":{"name":"b"}})", "AM12"},
      {R"({"amount":"12.50","currency":"USD","debtor_agent":"BANKAEAD","creditor_agent":"BANKINBB","creditor":{"name":"b"}})", "FF01"},
      {R"({"amount":"12.50","currency":"USD","debtor_agent":"BANKAEAD","creditor_agent":"BANKINBB","debtor":{"name":"a","account":"DE89370400440532013001"},"creditor":{"name":"b"}})", "AC01"},
      {"{\"amount\": \"1.00\", ", "FF01"},
      {"[1,2,3]", "FF01"},
      {"", "FF01"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", "/api/v1/transfer", c.body, as("BANKAEAD", "bad-" + new_uuid_v4()));
    EXPECT_EQ(r.status, 400) << c.body << " -> " << r.body;
    EXPECT_EQ(error_reason(r), c.reason) << c.body << " -> " << r.body;
  }
  auto json_type = call("POST", "/api/v1/transfer", transfer_body("1.00"), {{"Authorization", "Bearer " + keys_->at("BANKAEAD")}, {"Content-Type", "text/plain"}});
  EXPECT_EQ(json_type.status, 415);
  auto bad_key = call("POST", "/api/v1/transfer", transfer_body("1.00"), {{"Authorization", "Bearer " + keys_->at("BANKAEAD")}, {"Idempotency-Key", "bad\x01key"}});
  EXPECT_EQ(bad_key.status, 400);
  auto same = call("POST", "/api/v1/transfer", transfer_body("1.00", "BANKAEAD", "BANKAEAD"), as("BANKAEAD"));
  EXPECT_EQ(same.status, 422);
  EXPECT_EQ(error_reason(same), "AG01");
  auto unknown = call("POST", "/api/v1/transfer", transfer_body("1.00", "BANKAEAD", "BANKGB2L"), as("BANKAEAD"));
  EXPECT_EQ(unknown.status, 422);
  EXPECT_EQ(error_reason(unknown), "RC01");
  auto other = call("POST", "/api/v1/transfer", transfer_body("1.00", "BANKINBB", "BANKAEAD"), as("BANKAEAD"));
  EXPECT_EQ(other.status, 403) << "a participant sends only as itself";
  std::string huge(2 << 20, 'x');
  auto too_big = call("POST", "/api/v1/transfer", huge, as("BANKAEAD"));
  EXPECT_EQ(too_big.status, 413);
  EXPECT_EQ(count_transactions(admin()), before);
}

TEST_F(ApiTest, BalancesAreOwnOnlyAndShowReservations) {
  auto r = call("GET", "/api/v1/banks/BANKAEAD/balance", "", as("BANKAEAD"));
  ASSERT_EQ(r.status, 200) << r.body;
  auto usd = parse(r.body).at("balances").as_array().at(0);
  EXPECT_EQ(usd.at("currency").as_string(), "USD");
  EXPECT_EQ(usd.at("balance").as_string(), "50000.00");
  EXPECT_EQ(usd.at("net_debit_cap").as_string(), "1000.00");
  EXPECT_EQ(call("GET", "/api/v1/banks/BANKAEAD/balance", "", as("BANKINBB")).status, 403);
  EXPECT_EQ(call("GET", "/api/v1/tokens/balance/BANKAEAD", "", admin()).status, 200);
  auto burn = call("POST", "/api/v1/tokens/burn", R"({"bank":"BANKINBB","currency":"USD","amount":"5.00","reference":"OUT-1"})", admin());
  EXPECT_EQ(burn.status, 422) << "BANKINBB holds no tokens yet: credit cannot be burned";
}

TEST_F(ApiTest, ClosingAWindowNetsSettlesAndListsIt) {
  for (int i = 0; i < 5; ++i) {
    auto r = call("POST", "/api/v1/transfer", transfer_body("100.00", "BANKAEAD", i % 2 ? "BANKINBB" : "BANKUS33"),
                  as("BANKAEAD", "win-" + std::to_string(i)));
    ASSERT_EQ(r.status, 202) << r.body;
  }
  auto back = call("POST", "/api/v1/transfer", transfer_body("50.00", "BANKINBB", "BANKAEAD"), as("BANKINBB", "win-back"));
  ASSERT_EQ(back.status, 202) << back.body;
  int64_t window = parse(back.body).at("window_id").as_int64();
  auto closed = call("POST", "/api/v1/windows/" + std::to_string(window) + "/close", "", admin());
  ASSERT_EQ(closed.status, 200) << closed.body;
  auto w = parse(closed.body);
  EXPECT_EQ(w.at("status").as_string(), "SETTLED");
  EXPECT_EQ(w.at("currency").as_string(), "USD");
  const auto& positions = w.at("positions").as_array();
  ASSERT_GE(positions.size(), 3u);
  int64_t sum = 0;
  for (const auto& p : positions) {
    std::string net(p.at("net").as_string());
    bool negative = net.front() == '-';
    std::string digits;
    for (char c : net) if (c >= '0' && c <= '9') digits += c;
    sum += (negative ? -1 : 1) * std::stoll(digits);
  }
  EXPECT_EQ(sum, 0) << "net positions sum to zero";
  double efficiency = w.at("efficiency").to_number<double>();
  EXPECT_GT(efficiency, 0.0);
  EXPECT_LE(efficiency, 1.0);
  EXPECT_EQ(call("POST", "/api/v1/windows/" + std::to_string(window) + "/close", "", admin()).status, 409);
  EXPECT_EQ(call("POST", "/api/v1/windows/999999/close", "", admin()).status, 404);
  // The participant sees only its own position.
  auto mine = call("GET", "/api/v1/windows/" + std::to_string(window), "", as("BANKINBB"));
  ASSERT_EQ(mine.status, 200);
  ASSERT_EQ(parse(mine.body).at("positions").as_array().size(), 1u);
  auto settled = call("GET", "/api/v1/transactions?status=SETTLED&limit=2", "", admin());
  ASSERT_EQ(settled.status, 200);
  auto page = parse(settled.body);
  EXPECT_EQ(page.at("items").as_array().size(), 2u);
  ASSERT_TRUE(page.at("next_cursor").is_string());
  auto next = call("GET", "/api/v1/transactions?status=SETTLED&limit=2&cursor=" +
                              std::string(page.at("next_cursor").as_string()), "", admin());
  ASSERT_EQ(next.status, 200);
  EXPECT_NE(parse(next.body).at("items").as_array().at(0).at("id"), page.at("items").as_array().at(0).at("id"));
  EXPECT_EQ(call("GET", "/api/v1/transactions?status=BOGUS", "", admin()).status, 400);
  auto windows = call("GET", "/api/v1/windows?currency=USD", "", admin());
  ASSERT_EQ(windows.status, 200);
  EXPECT_EQ(parse(windows.body).at("items").as_array().at(0).at("status").as_string(), "OPEN");
}

TEST_F(ApiTest, UnknownRoutesAre404WithAJsonBody) {
  auto r = call("GET", "/api/v1/nothing", "", admin());
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(parse(r.body).at("error").is_object());
  EXPECT_EQ(call("GET", "/api/v1/windows/abc", "", admin()).status, 404);
}

TEST_F(ApiTest, InvariantsHoldAfterTheSuite) {
  auto [code, out] = run_check(server_->data());
  EXPECT_EQ(code, 0) << out;
}

}  // namespace
}  // namespace deltran::testing

namespace deltran::testing {
namespace {

TEST(Scheduler, ClosesNonEmptyWindowsOnTheConfiguredPeriod) {
  fs::path dir = temp_dir("sched");
  ServerProcess server(dir / "data");
  server.start({"--window-seconds", "1"});
  auto c = server.client();
  Headers admin = bearer(server.admin_key());
  std::string key;
  for (const char* id : {"SCHDAEAA", "SCHDAEBB"}) {
    auto r = c.request("POST", "/api/v1/banks",
                       std::string("{\"id\":\"") + id + "\",\"name\":\"x\",\"country\":\"AE\",\"currencies\":[\"USD\"]}", admin);
    ASSERT_TRUE(r && r->status == 201);
    if (key.empty()) key = std::string(parse(r->body).at("api_key").as_string());
  }
  ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint",
                      R"({"bank":"SCHDAEAA","currency":"USD","amount":"100.00","reference":"F"})", admin)->status, 200);
  auto p = c.request("POST", "/api/v1/transfer",
                     R"({"amount":"10.00","currency":"USD","debtor_agent":"SCHDAEAA","creditor_agent":"SCHDAEBB",)"
                     R"("debtor":{"name":"a"},"creditor":{"name":"b"},"end_to_end_id":"SCHED-1"})", bearer(key));
  ASSERT_TRUE(p && p->status == 202) << (p ? p->body : "");
  std::string id(parse(p->body).at("id").as_string());
  std::string status;
  for (int i = 0; i < 60 && status != "SETTLED"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto t = c.request("GET", "/api/v1/transaction/" + id, "", admin);
    ASSERT_TRUE(t && t->status == 200);
    status = std::string(parse(t->body).at("status").as_string());
  }
  EXPECT_EQ(status, "SETTLED");
  auto b = c.request("GET", "/api/v1/banks/SCHDAEBB/balance", "", admin);
  ASSERT_TRUE(b && b->status == 200);
  EXPECT_EQ(parse(b->body).at("balances").as_array().at(0).at("balance").as_string(), "10.00");
  server.stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::testing

namespace deltran::testing {
namespace {

TEST(Limits, AParticipantsLimitsAreSetByTheOperatorAndABreachIsRejectedWithItsReason) {
  fs::path dir = temp_dir("limits");
  ServerProcess server(dir / "data");
  server.start();
  auto c = server.client();
  Headers admin = bearer(server.admin_key());
  std::string key;
  for (const char* id : {"LIMTAEAA", "LIMTAEBB"}) {
    auto r = c.request("POST", "/api/v1/banks",
                       std::string("{\"id\":\"") + id + "\",\"name\":\"x\",\"country\":\"AE\",\"currencies\":[\"USD\"]}", admin);
    ASSERT_TRUE(r && r->status == 201);
    if (key.empty()) key = std::string(parse(r->body).at("api_key").as_string());
  }
  ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", R"({"bank":"LIMTAEAA","currency":"USD","amount":"100000.00","reference":"F"})",
                      admin)->status, 200);
  auto set = c.request("PUT", "/api/v1/risk/limits/LIMTAEAA",
                       R"({"USD":{"single_payment_max":"1000.00","daily_volume_max":"1500.00","net_debit_cap":"500.00"}})", admin);
  ASSERT_TRUE(set && set->status == 200) << (set ? set->body : "");
  EXPECT_EQ(c.request("PUT", "/api/v1/risk/limits/LIMTAEAA", R"({"USD":{"single_payment_max":"1.00"}})", bearer(key))->status, 403);
  EXPECT_EQ(c.request("PUT", "/api/v1/risk/limits/LIMTAEAA", R"({"USD":{"single_payment_max":"1.001"}})", admin)->status, 400);
  auto pay = [&](const std::string& amount) {
    Headers h = bearer(key);
    h.emplace_back("Idempotency-Key", "limit-" + new_uuid_v4());
    return c.request("POST", "/api/v1/transfer",
                     R"({"amount":")" + amount + R"(","currency":"USD","debtor_agent":"LIMTAEAA","creditor_agent":"LIMTAEBB","debtor":{"name":"a"},"creditor":{"name":"b"}})",
                     h);
  };
  auto big = pay("1000.01");
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->status, 422);
  EXPECT_EQ(parse(big->body).at("error").at("reason").as_string(), "AM02") << big->body;
  EXPECT_EQ(pay("1000.00")->status, 202);
  auto daily = pay("600.00");
  EXPECT_EQ(daily->status, 422);
  EXPECT_EQ(parse(daily->body).at("error").at("reason").as_string(), "AM14") << daily->body;
  auto view = c.request("GET", "/api/v1/risk/limits/LIMTAEAA", "", bearer(key));
  ASSERT_TRUE(view && view->status == 200);
  auto usd = parse(view->body).at("limits").at("USD");
  EXPECT_EQ(usd.at("used_today").as_string(), "1000.00");
  EXPECT_EQ(usd.at("net_debit_cap").as_string(), "500.00");
  // Limits and today's volume survive a restart.
  server.kill_hard();
  server.start();
  auto c2 = server.client();
  Headers again_headers = bearer(key);
  again_headers.emplace_back("Idempotency-Key", "limit-after-restart");
  auto again = c2.request("POST", "/api/v1/transfer",
                          R"({"amount":"600.00","currency":"USD","debtor_agent":"LIMTAEAA","creditor_agent":"LIMTAEBB","debtor":{"name":"a"},"creditor":{"name":"b"}})",
                          again_headers);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->status, 422) << again->body;
  server.stop();
  auto [code, out] = run_check(server.data());
  EXPECT_EQ(code, 0) << out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::testing
