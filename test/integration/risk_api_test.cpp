// The core's risk controls over the real API, with settings from a real config file: a
// payment scored by /risk/evaluate with each factor's contribution, CTR and SAR records,
// circuit breakers that open on repeated failures and an admin who resets them.
#include <cstdio>

#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

std::string header(const gateway::Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers) {
    if (k.size() == name.size() &&
        std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return v;
    }
  }
  return {};
}

class RiskApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("risk-api");
    std::ofstream(dir_ / "deltran.toml") << "[compliance.aml]\n"
                                            "ctr_threshold_usd = \"10000.00\"\n"
                                            "[risk.breakers]\n"
                                            "min_bad = 3\n"
                                            "count_limit_breaches = false\n"
                                            "open_seconds = 600\n"
                                            "[fx.usd_per_unit]\n"
                                            "EUR = \"1.10\"\n";
    server_ = std::make_unique<ServerProcess>(dir_ / "data");
    server_->start({"--config", (dir_ / "deltran.toml").string()});
    auto c = server_->client();
    for (auto [id, country] : {std::pair{"RISKAEAA", "AE"}, std::pair{"RISKINBB", "IN"}, std::pair{"RISKDECC", "DE"}}) {
      auto r = c.request("POST", "/api/v1/banks",
                         std::string("{\"id\":\"") + id + "\",\"name\":\"x\",\"country\":\"" + country +
                             "\",\"currencies\":[\"USD\",\"EUR\"]}",
                         bearer(server_->admin_key()));
      ASSERT_TRUE(r && r->status == 201) << (r ? r->body : r.error().message);
      keys_[id] = std::string(parse(r->body).at("api_key").as_string());
    }
    for (const char* cur : {"USD", "EUR"}) {
      auto m = c.request("POST", "/api/v1/tokens/mint",
                         std::string("{\"bank\":\"RISKAEAA\",\"currency\":\"") + cur +
                             "\",\"amount\":\"1000000.00\",\"reference\":\"F-" + cur + "\"}",
                         bearer(server_->admin_key()));
      ASSERT_TRUE(m && m->status == 200);
    }
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  static std::string payment(const std::string& from, const std::string& to, const std::string& amount,
                             const std::string& currency = "USD", const std::string& debtor = "Acme Trading LLC") {
    return R"({"amount":")" + amount + R"(","currency":")" + currency + R"(","debtor_agent":")" + from +
           R"(","creditor_agent":")" + to + R"(","debtor":{"name":")" + debtor +
           R"(","account":"ACC-1"},"creditor":{"name":"Rhein Logistik GmbH","country":"DE"},"remittance_info":"invoice 42"})";
  }
  // Each post is a new request: it carries a fresh Idempotency-Key.
  Result<gateway::Response> post(const std::string& path, const std::string& body, const std::string& key) {
    Headers h = bearer(key);
    h.emplace_back("Idempotency-Key", "risk-" + new_uuid_v4());
    return server_->client().request("POST", path, body, h);
  }
  Result<gateway::Response> get(const std::string& path, const std::string& key) {
    return server_->client().request("GET", path, "", bearer(key));
  }
  fs::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> keys_;
};

TEST_F(RiskApiTest, EvaluateExplainsTheScoreFactorByFactorAndRecordsNothing) {
  auto r = post("/api/v1/risk/evaluate", payment("RISKAEAA", "RISKDECC", "2500.00"), keys_["RISKAEAA"]);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 200) << r->body;
  auto v = parse(r->body);
  EXPECT_EQ(v.at("decision").as_string(), "ACCEPT");
  EXPECT_EQ(v.at("corridor").as_string(), "AE-DE");
  EXPECT_EQ(v.at("amount_usd").as_string(), "2500.00");
  const auto& risk = v.at("risk").as_object();
  const auto& factors = risk.at("factors").as_array();
  ASSERT_EQ(factors.size(), 5u);
  double sum = 0;
  for (const auto& f : factors) sum += f.at("contribution").to_number<double>();
  EXPECT_EQ(risk.at("score").as_int64(), static_cast<int64_t>(sum + 0.5));
  EXPECT_EQ(factors[0].at("name").as_string(), "amount");
  EXPECT_EQ(factors[0].at("weight_percent").as_int64(), 25);
  const auto& aml = v.at("aml").as_object();
  EXPECT_EQ(aml.at("decision").as_string(), "ALLOW");
  EXPECT_EQ(aml.at("factors").as_array().size(), 5u);
  // EUR meets the USD threshold at the configured rate: 10,000 EUR = 11,000 USD > 10,000.
  auto eur = post("/api/v1/risk/evaluate", payment("RISKAEAA", "RISKDECC", "10000.00", "EUR"), keys_["RISKAEAA"]);
  ASSERT_TRUE(eur && eur->status == 200) << eur->body;
  auto ev = parse(eur->body);
  EXPECT_EQ(ev.at("amount_usd").as_string(), "11000.00");
  EXPECT_TRUE(ev.at("aml").at("ctr_required").as_bool());

  // Nothing was recorded: no payment, no report.
  auto txs = get("/api/v1/transactions", keys_["RISKAEAA"]);
  ASSERT_TRUE(txs && txs->status == 200);
  EXPECT_TRUE(parse(txs->body).at("items").as_array().empty()) << txs->body;
  // A participant evaluates only its own payments; the compliance officer any; bad input is a 400.
  auto other = post("/api/v1/risk/evaluate", payment("RISKINBB", "RISKDECC", "1.00"), keys_["RISKAEAA"]);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->status, 403);
  auto officer = post("/api/v1/risk/evaluate", payment("RISKINBB", "RISKDECC", "1.00"), server_->compliance_key());
  ASSERT_TRUE(officer.has_value());
  EXPECT_EQ(officer->status, 200) << officer->body;
  auto bad = post("/api/v1/risk/evaluate", R"({"amount":"-1","currency":"USD"})", keys_["RISKAEAA"]);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_FALSE(parse(bad->body).at("error").at("reason").as_string().empty()) << bad->body;
}

TEST_F(RiskApiTest, ALargePaymentLeavesACtrForTheOfficer) {
  auto r = post("/api/v1/transfer", payment("RISKAEAA", "RISKDECC", "12000.00", "EUR"), keys_["RISKAEAA"]);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->status, 202) << r->body;
  const std::string id(parse(r->body).at("id").as_string());
  auto forbidden = get("/api/v1/compliance/reports", keys_["RISKAEAA"]);
  ASSERT_TRUE(forbidden.has_value());
  EXPECT_EQ(forbidden->status, 403);
  auto reports = get("/api/v1/compliance/reports?kind=ctr", server_->compliance_key());
  ASSERT_TRUE(reports && reports->status == 200) << (reports ? reports->body : "");
  const auto doc = parse(reports->body);
  const auto& items = doc.at("items").as_array();
  ASSERT_EQ(items.size(), 1u) << reports->body;
  EXPECT_EQ(items[0].at("payment_id").as_string(), id);
  EXPECT_EQ(items[0].at("amount").as_string(), "12000.00");
  EXPECT_EQ(items[0].at("currency").as_string(), "EUR");
  EXPECT_EQ(items[0].at("amount_usd").as_string(), "13200.00");
  EXPECT_EQ(items[0].at("debtor").as_string(), "RISKAEAA/ACC-1");
  auto metrics = server_->client().request("GET", "/metrics", "", {});
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("compliance_reports_total{kind=\"CTR\"} 1"), std::string::npos) << metrics->body;
  auto bad = get("/api/v1/compliance/reports?kind=XYZ", server_->compliance_key());
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
}

TEST_F(RiskApiTest, RepeatedFailuresOpenTheBreakerAndAnAdminResetsIt) {
  // RISKINBB holds nothing: each payment fails for liquidity (AM04).
  for (int i = 0; i < 3; ++i) {
    auto r = post("/api/v1/transfer", payment("RISKINBB", "RISKDECC", "50.00"), keys_["RISKINBB"]);
    ASSERT_TRUE(r.has_value());
    ASSERT_EQ(r->status, 422) << r->body;
    EXPECT_EQ(parse(r->body).at("error").at("reason").as_string(), "AM04");
  }
  auto refused = post("/api/v1/transfer", payment("RISKINBB", "RISKDECC", "50.00"), keys_["RISKINBB"]);
  ASSERT_TRUE(refused.has_value());
  ASSERT_EQ(refused->status, 503) << refused->body;
  EXPECT_EQ(parse(refused->body).at("error").at("code").as_string(), "circuit_open");
  EXPECT_FALSE(header(*refused, "Retry-After").empty());

  auto list = get("/api/v1/risk/circuit-breakers", server_->admin_key());
  ASSERT_TRUE(list && list->status == 200);
  bool open = false;
  const auto breakers = parse(list->body);
  for (const auto& b : breakers.at("items").as_array()) {
    if (b.at("id").as_string() == "participant:RISKINBB") {
      open = b.at("state").as_string() == "open";
      EXPECT_GE(b.at("retry_after_s").as_int64(), 590);
    }
  }
  EXPECT_TRUE(open) << list->body;
  // A participant sees its own breaker, not another bank's; only the admin resets.
  auto mine = get("/api/v1/risk/circuit-breakers", keys_["RISKAEAA"]);
  ASSERT_TRUE(mine && mine->status == 200);
  EXPECT_EQ(mine->body.find("participant:RISKINBB"), std::string::npos) << mine->body;
  auto denied = post("/api/v1/risk/circuit-breakers/participant:RISKINBB/reset", "", keys_["RISKINBB"]);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->status, 403);
  for (const char* id : {"participant%3ARISKINBB", "corridor:IN-DE"}) {
    auto reset = post(std::string("/api/v1/risk/circuit-breakers/") + id + "/reset", "", server_->admin_key());
    ASSERT_TRUE(reset.has_value());
    ASSERT_EQ(reset->status, 200) << reset->body;
    EXPECT_EQ(parse(reset->body).at("state").as_string(), "closed");
  }
  auto unknown = post("/api/v1/risk/circuit-breakers/corridor:XX-YY/reset", "", server_->admin_key());
  ASSERT_TRUE(unknown.has_value());
  EXPECT_EQ(unknown->status, 404);
  auto metrics = server_->client().request("GET", "/metrics", "", {});
  ASSERT_TRUE(metrics && metrics->status == 200);
  EXPECT_NE(metrics->body.find("risk_circuit_refusals_total 1"), std::string::npos) << metrics->body;
  EXPECT_NE(metrics->body.find("risk_circuit_breakers_opened_total 2"), std::string::npos) << metrics->body;  // participant + corridor
  // Closed again: the next payment reaches the liquidity check.
  auto after = post("/api/v1/transfer", payment("RISKINBB", "RISKDECC", "50.00"), keys_["RISKINBB"]);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ(after->status, 422) << after->body;
}

TEST(RiskConfig, ABadSettingStopsTheServerWithAClearMessage) {
  fs::path dir = temp_dir("risk-config");
  std::ofstream(dir / "bad.toml") << "[fx.usd_per_unit]\nEUR = 1.10\n";
  std::ofstream(dir / "weights.toml") << "[risk.score]\nweight_amount = 50\n";
  for (auto [file, expect] : {std::pair{"bad.toml", "write decimals as strings"}, std::pair{"weights.toml", "risk.score"}}) {
    std::string cmd = std::string(DELTRAN_BINARY) + " serve --data '" + (dir / "data").string() + "' --config '" +
                      (dir / file).string() + "' 2>&1";
    FILE* p = popen(cmd.c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string out;
    char buf[512];
    while (fgets(buf, sizeof buf, p) != nullptr) out += buf;
    int status = pclose(p);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << out;
    EXPECT_NE(out.find(expect), std::string::npos) << out;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::testing
