// FX over the real API: an FX provider posts standing rates, the corridors and the rate
// history show them, a quote takes the best path (AED → INR through USD when that gives
// more), is honoured after the provider changes its rate, and a rate that would let money
// be made around a cycle is refused. All of it survives a restart.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

namespace json = boost::json;

std::string str(const json::value& v) { return v.is_string() ? std::string(v.as_string()) : json::serialize(v); }

class FxApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = temp_dir("fx-api");
    server_ = std::make_unique<ServerProcess>(dir_ / "data");
    server_->start();
    auto c = server_->client();
    bank(R"({"id":"FXPRAEAD","name":"Gulf FX","country":"AE","currencies":["AED","USD","INR","EUR"],"roles":["fx_provider"]})");
    bank(R"({"id":"FXSEINBB","name":"Second FX","country":"IN","currencies":["AED","INR","USD"]})");
    bank(R"({"id":"EBILAEAD","name":"Emirates NBD","country":"AE","currencies":["AED"]})");
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(dir_);
  }
  void bank(const std::string& body) {
    auto r = server_->client().request("POST", "/api/v1/banks", body, admin());
    ASSERT_TRUE(r && r->status == 201) << (r ? r->body : r.error().message);
    keys_[str(parse(r->body).at("id"))] = str(parse(r->body).at("api_key"));
  }
  Headers admin() const { return bearer(server_->admin_key()); }
  Headers as(const std::string& bank) const { return bearer(keys_.at(bank)); }
  Result<gateway::Response> rate(const std::string& pair, const std::string& body, const Headers& who) {
    return server_->client().request("PUT", "/api/v1/fx/rates/" + pair, body, who);
  }
  json::value quote(const std::string& body, int want = 201) {
    auto r = server_->client().request("POST", "/api/v1/fx/quotes", body, as("EBILAEAD"));
    EXPECT_TRUE(r && r->status == want) << (r ? r->body : r.error().message);
    return r ? parse(r->body) : json::value();
  }

  fs::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::map<std::string, std::string> keys_;
};

TEST_F(FxApiTest, AQuoteTakesTheBestPathAndIsHonouredWhenTheRateChanges) {
  // Only an FX provider posts; it posts for itself.
  auto refused = rate("AED-INR", R"({"bid":"22.50","ask":"22.80"})", as("FXSEINBB"));
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 403) << refused->body;  // refused by role, on the headers
  EXPECT_NE(refused->body.find("fx_provider role"), std::string::npos) << refused->body;
  // The admin may post for a provider, and the core still refuses a bank without the role.
  auto by_admin = rate("AED-INR", R"({"provider":"FXSEINBB","bid":"22.50","ask":"22.80"})", admin());
  ASSERT_TRUE(by_admin.has_value());
  EXPECT_EQ(by_admin->status, 422) << by_admin->body;
  EXPECT_NE(by_admin->body.find("not an FX provider"), std::string::npos) << by_admin->body;
  ASSERT_EQ(server_->client().request("PUT", "/api/v1/banks/FXSEINBB/roles", R"({"roles":["fx_provider"]})", admin())->status, 200);
  // Rates: AED/USD and USD/INR from the first provider, a worse direct AED/INR from the second.
  ASSERT_EQ(rate("AED-USD", R"({"bid":"0.2720","ask":"0.2724","valid_seconds":600})", as("FXPRAEAD"))->status, 200);
  ASSERT_EQ(rate("USDINR", R"({"mid":"83.30","spread_bps":"24"})", as("FXPRAEAD"))->status, 200);
  ASSERT_EQ(rate("AED%2FINR", R"({"bid":"22.50","ask":"22.80"})", as("FXSEINBB"))->status, 200);
  // Bad input: 4xx with a reason, nothing posted.
  EXPECT_EQ(rate("AED-XYZ", R"({"bid":"1","ask":"1"})", as("FXPRAEAD"))->status, 400);
  EXPECT_EQ(rate("AED-USD", R"({"bid":"0.30","ask":"0.27"})", as("FXPRAEAD"))->status, 400);
  EXPECT_EQ(rate("AED-USD", R"({"bid":0.27,"ask":"0.28"})", as("FXPRAEAD"))->status, 400) << "a JSON number is refused";
  EXPECT_EQ(rate("AED-EUR", R"({"bid":"0.25","ask":"0.26"})", as("FXSEINBB"))->status, 422) << "holds no EUR";

  auto corridors = server_->client().request("GET", "/api/v1/corridors", "", as("EBILAEAD"));
  ASSERT_TRUE(corridors && corridors->status == 200);
  std::vector<std::string> names;
  const json::value listed = parse(corridors->body);
  for (const auto& item : listed.at("items").as_array()) names.push_back(str(item.at("corridor")));
  EXPECT_EQ(names, (std::vector<std::string>{"AED-INR", "AED-USD", "USD-INR"})) << corridors->body;

  // 10,000.00 AED to INR: via USD gives 2,720.00 USD → 226,237.44 INR (bid 83.2000 is
  // 83.30 less 12 bps), more than 225,000.00 INR directly.
  json::value q = quote(R"({"from":"AED","to":"INR","amount":"10000.00","side":"send"})");
  ASSERT_TRUE(q.is_object());
  EXPECT_EQ(json::serialize(q.at("path")), R"(["AED","USD","INR"])") << q;
  EXPECT_EQ(str(q.at("send")), "10000.00");
  EXPECT_EQ(str(q.at("hops").at(0).at("amount_out")), "2720.00");
  EXPECT_EQ(str(q.at("hops").at(1).at("rate")), "83.20004");
  EXPECT_EQ(str(q.at("receive")), "226304.10");
  EXPECT_EQ(str(q.at("hops").at(1).at("provider")), "FXPRAEAD");
  EXPECT_FALSE(str(q.at("id")).empty());
  EXPECT_FALSE(str(q.at("expires_at")).empty());
  // The provider changes its rate: the next quote sees it, the first one keeps its numbers.
  // (At 80.00/80.50, USD → AED → INR → USD would return 1.026: refused.)
  auto crossing = rate("USD-INR", R"({"bid":"80.00","ask":"80.50"})", as("FXPRAEAD"));
  EXPECT_EQ(crossing->status, 422) << crossing->body;
  EXPECT_NE(crossing->body.find("USD→AED→INR→USD returns 1.026"), std::string::npos) << crossing->body;
  ASSERT_EQ(rate("USD-INR", R"({"bid":"82.60","ask":"82.90"})", as("FXPRAEAD"))->status, 200);
  json::value later = quote(R"({"from":"AED","to":"INR","amount":"10000.00"})");
  EXPECT_EQ(json::serialize(later.at("path")), R"(["AED","INR"])") << "now the direct rate is better: " << later;
  EXPECT_EQ(str(later.at("receive")), "225000.00");
  // Receive side: the least AED that delivers 50,000.00 INR.
  json::value r = quote(R"({"from":"AED","to":"INR","amount":"50000.00","side":"receive"})");
  EXPECT_EQ(str(r.at("side")), "receive");
  EXPECT_EQ(str(r.at("send")), "2222.23");  // 2,222.23 × 22.50 = 50,000.18; 2,222.22 gives 49,999.95
  // No path: a clear 422.
  json::value none = quote(R"({"from":"AED","to":"PHP","amount":"100.00"})", 422);
  EXPECT_NE(json::serialize(none).find("no live rate joins AED to PHP"), std::string::npos) << none;

  // History: both USD-INR postings, newest first.
  auto history = server_->client().request("GET", "/api/v1/rates/USD-INR", "", as("EBILAEAD"));
  ASSERT_TRUE(history && history->status == 200);
  json::value h = parse(history->body);
  ASSERT_EQ(h.at("history").as_array().size(), 2u) << h;
  EXPECT_EQ(str(h.at("history").at(0).at("bid")), "82.6");
  EXPECT_EQ(str(h.at("history").at(1).at("bid")), "83.20004");
  EXPECT_EQ(str(h.at("current").at(0).at("bid")), "82.6");

  // A rate that would make money around a cycle is refused and changes nothing: the second
  // provider would buy INR for more AED than the first sells it.
  ASSERT_EQ(rate("AED-USD", R"({"bid":"0.2720","ask":"0.2724","valid_seconds":600})", as("FXSEINBB"))->status, 200);
  auto arbitrage = rate("USD-INR", R"({"bid":"90.00","ask":"90.50"})", as("FXSEINBB"));
  ASSERT_TRUE(arbitrage.has_value());
  EXPECT_EQ(arbitrage->status, 422) << arbitrage->body;
  EXPECT_NE(arbitrage->body.find("cycle"), std::string::npos) << arbitrage->body;
  auto still = server_->client().request("GET", "/api/v1/rates/USD-INR", "", as("EBILAEAD"));
  EXPECT_EQ(parse(still->body).at("history").as_array().size(), 2u);

  // A rate past its validity is never used: no path any more, and not listed.
  ASSERT_EQ(rate("EUR-USD", R"({"bid":"1.0800","ask":"1.0820","valid_seconds":1})", as("FXPRAEAD"))->status, 200);
  json::value fresh = quote(R"({"from":"USD","to":"EUR","amount":"100.00"})");
  EXPECT_EQ(str(fresh.at("receive")), "92.42");  // 100.00 / 1.0820, rounded down
  std::this_thread::sleep_for(std::chrono::milliseconds(1'200));
  quote(R"({"from":"USD","to":"EUR","amount":"100.00"})", 422);
  auto listed_now = server_->client().request("GET", "/api/v1/corridors", "", as("EBILAEAD"));
  EXPECT_EQ(listed_now->body.find("EUR-USD"), std::string::npos) << listed_now->body;

  // Rates and roles come back after a crash (from the event log) and after a clean stop
  // (from the snapshot).
  for (bool crash : {true, false}) {
    SCOPED_TRACE(crash ? "after kill -9" : "after a clean stop");
    if (crash) {
      server_->kill_hard();
    } else {
      ASSERT_EQ(server_->stop(), 0);
    }
    server_->start();
    auto after = server_->client().request("GET", "/api/v1/rates/USD-INR", "", as("EBILAEAD"));
    ASSERT_TRUE(after && after->status == 200);
    EXPECT_EQ(parse(after->body).at("history").as_array().size(), 2u) << after->body;
    auto bank = server_->client().request("GET", "/api/v1/banks/FXSEINBB", "", admin());
    EXPECT_EQ(json::serialize(parse(bank->body).at("roles")), R"(["fx_provider"])");
    json::value again = quote(R"({"from":"AED","to":"INR","amount":"10000.00"})");
    EXPECT_EQ(str(again.at("receive")), "225000.00");
  }
  auto [code, check] = run_check(server_->data());
  EXPECT_EQ(code, 0) << check;
}

// The operator's early warning before a window closes: what each participant has queued,
// where the open window leaves it, and who would settle on credit.
TEST_F(FxApiTest, LiquidityPositionsAndGapsShowWhatTheOpenWindowWillDo) {
  auto c = server_->client();
  bank(R"({"id":"SHRTAEAD","name":"Short Bank","country":"AE","currencies":["AED"],"net_debit_cap":{"AED":"5000.00"}})");
  ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", R"({"bank":"SHRTAEAD","currency":"AED","amount":"1000.00","reference":"F-1"})",
                      admin())->status, 200);
  auto pay = [&](const std::string& amount, const std::string& e2e) {
    auto r = c.request("POST", "/api/v1/transfer",
                       R"({"amount":")" + amount + R"(","currency":"AED","debtor_agent":"SHRTAEAD","creditor_agent":"EBILAEAD",)"
                       R"("debtor":{"name":"Sara Khan","account":"AE070331234567890123456"},)"
                       R"("creditor":{"name":"Omar Haddad","account":"50100012345678"},"end_to_end_id":")" + e2e + R"("})",
                       as("SHRTAEAD"));
    EXPECT_TRUE(r && r->status == 202) << (r ? r->body : r.error().message);
  };
  pay("2500.00", "LIQ-1");
  pay("500.00", "LIQ-2");
  auto mine = c.request("GET", "/api/v1/liquidity/positions", "", as("SHRTAEAD"));
  ASSERT_TRUE(mine && mine->status == 200);
  json::value p = parse(mine->body);
  ASSERT_EQ(p.at("items").as_array().size(), 1u) << p << " (only its own)";
  const auto& row = p.at("items").at(0);
  EXPECT_EQ(str(row.at("balance")), "1000.00");
  EXPECT_EQ(str(row.at("queued_out")), "3000.00");
  EXPECT_EQ(str(row.at("projected_net_position")), "-3000.00");
  EXPECT_EQ(str(row.at("projected_balance")), "-2000.00");
  EXPECT_EQ(str(row.at("available")), "3000.00");  // 1000 + 5000 cap − 3000 reserved
  EXPECT_EQ(c.request("GET", "/api/v1/liquidity/positions?bank=EBILAEAD", "", as("SHRTAEAD"))->status, 403);
  EXPECT_EQ(c.request("GET", "/api/v1/liquidity/gaps", "", as("SHRTAEAD"))->status, 403);
  EXPECT_EQ(c.request("GET", "/api/v1/liquidity/positions?currency=XYZ", "", admin())->status, 400);
  auto gaps = c.request("GET", "/api/v1/liquidity/gaps?currency=AED", "", admin());
  ASSERT_TRUE(gaps && gaps->status == 200);
  json::value g = parse(gaps->body);
  ASSERT_EQ(g.at("items").as_array().size(), 1u) << g;
  EXPECT_EQ(str(g.at("items").at(0).at("bank")), "SHRTAEAD");
  EXPECT_EQ(str(g.at("items").at(0).at("shortfall")), "2000.00");
  EXPECT_EQ(str(g.at("items").at(0).at("covered_by_cap")), "2000.00");
  EXPECT_EQ(str(g.at("items").at(0).at("uncovered")), "0.00");
  // Funding the difference closes the gap; the creditor never had one.
  ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", R"({"bank":"SHRTAEAD","currency":"AED","amount":"2000.00","reference":"F-2"})",
                      admin())->status, 200);
  auto closed = c.request("GET", "/api/v1/liquidity/gaps", "", admin());
  EXPECT_EQ(parse(closed->body).at("items").as_array().size(), 0u) << closed->body;
}

// fx.rates_file seeds standing rates at start through the same checks as the API; a row the
// core refuses is logged, a malformed file stops the start naming its line.
TEST_F(FxApiTest, ARatesFilePostsStandingRatesAtStart) {
  ASSERT_EQ(server_->stop(), 0);
  std::ofstream(dir_ / "rates.csv") << "# seeded at every start\n"
                                       "provider,pair,bid,ask,valid_seconds\n"
                                       "FXPRAEADXXX,AED-USD,0.2720,0.2724,600\n"
                                       "FXPRAEAD,usd/inr,83.20,83.40,600\n"
                                       "UNKNAEAD,AED-INR,22.5,22.8,600\n";
  std::ofstream(dir_ / "deltran.toml") << "[fx]\nrates_file = \"" << (dir_ / "rates.csv").string() << "\"\n";
  server_->start({"--config", (dir_ / "deltran.toml").string()});
  auto corridors = server_->client().request("GET", "/api/v1/corridors", "", as("EBILAEAD"));
  ASSERT_TRUE(corridors && corridors->status == 200);
  EXPECT_NE(corridors->body.find("\"AED-USD\""), std::string::npos) << corridors->body;
  EXPECT_NE(corridors->body.find("\"USD-INR\""), std::string::npos) << corridors->body;
  EXPECT_EQ(corridors->body.find("AED-INR"), std::string::npos) << "the unknown provider's row is refused";
  json::value q = quote(R"({"from":"AED","to":"INR","amount":"100.00"})");
  EXPECT_EQ(json::serialize(q.at("path")), R"(["AED","USD","INR"])");
  ASSERT_EQ(server_->stop(), 0);
  std::string log;
  {
    std::ifstream in(dir_ / "data" / "server.log");
    log.assign(std::istreambuf_iterator<char>(in), {});
  }
  EXPECT_NE(log.find("line 5"), std::string::npos) << log;
  // A malformed row: the server does not start, and says where.
  std::ofstream(dir_ / "rates.csv") << "provider,pair,bid,ask,valid_seconds\nFXPRAEAD,AED-USD,0.27;0.28,600\n";
  EXPECT_THROW(server_->start({"--config", (dir_ / "deltran.toml").string()}), std::runtime_error);
  std::ifstream in(dir_ / "data" / "server.log");
  std::string after(std::istreambuf_iterator<char>(in), {});
  EXPECT_NE(after.find("rates.csv line 2: has 4 fields, not 5"), std::string::npos) << after;
}

// A payment in AED credited in INR over the real API: the quote's id in POST /transfer,
// the legs in their windows, a retry answered the same, the quote refused a second time,
// each window settled, the payment settled at the quote's amounts, and every currency
// balanced in `deltran check`.
TEST_F(FxApiTest, ACrossCurrencyPaymentSettlesAsLinkedLegsAtTheQuote) {
  auto c = server_->client();
  bank(R"({"id":"HDFCINBB","name":"HDFC Bank","country":"IN","currencies":["INR"]})");
  for (const char* mint : {R"({"bank":"EBILAEAD","currency":"AED","amount":"50000.00","reference":"F-AED"})",
                           R"({"bank":"FXPRAEAD","currency":"INR","amount":"1000000.00","reference":"F-INR"})"}) {
    ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", mint, admin())->status, 200);
  }
  ASSERT_EQ(rate("AED-USD", R"({"bid":"0.2720","ask":"0.2724","valid_seconds":600})", as("FXPRAEAD"))->status, 200);
  ASSERT_EQ(rate("USD-INR", R"({"bid":"83.20","ask":"83.40","valid_seconds":600})", as("FXPRAEAD"))->status, 200);
  json::value q = quote(R"({"from":"AED","to":"INR","amount":"10000.00"})");
  const std::string quote_id = str(q.at("id"));
  EXPECT_EQ(str(q.at("receive")), "226304.00");  // 10,000.00 AED → 2,720.00 USD → 226,304.00 INR
  auto pay = [&](const std::string& id, const std::string& key, const std::string& amount = "10000.00") {
    Headers h = as("EBILAEAD");
    h.emplace_back("Idempotency-Key", key);
    return c.request("POST", "/api/v1/transfer",
                     R"({"amount":")" + amount + R"(","currency":"AED","debtor_agent":"EBILAEAD","creditor_agent":"HDFCINBB",)"
                     R"("debtor":{"name":"Sara Khan","account":"AE070331234567890123456"},)"
                     R"("creditor":{"name":"Ravi Kumar","account":"50100012345678"},"quote_id":")" + id + R"("})", h);
  };
  // The risk score sees the payment's real corridor, AED → INR (15 by default), not AED → AED.
  auto risk = c.request("POST", "/api/v1/risk/evaluate",
                        R"({"amount":"10000.00","currency":"AED","debtor_agent":"EBILAEAD","creditor_agent":"HDFCINBB",)"
                        R"("debtor":{"name":"Sara Khan"},"creditor":{"name":"Ravi Kumar"},"quote_id":")" + quote_id + R"("})",
                        as("EBILAEAD"));
  ASSERT_TRUE(risk && risk->status == 200) << (risk ? risk->body : "");
  json::value rv = parse(risk->body);
  for (const auto& f : rv.at("risk").at("factors").as_array()) {
    if (f.at("name").as_string() == "corridor") {
      EXPECT_EQ(f.at("score").as_int64(), 15) << rv;
    }
  }
  // Bad input first: a malformed id is a 400, an amount other than the quote's a 422 (AM09).
  auto malformed = pay("q_nothex", "k-bad");
  EXPECT_EQ(malformed->status, 400) << malformed->body;
  auto mismatch = pay(quote_id, "k-mismatch", "9999.99");
  EXPECT_EQ(mismatch->status, 422) << mismatch->body;
  EXPECT_NE(mismatch->body.find("\"AM09\""), std::string::npos) << mismatch->body;
  auto first = pay(quote_id, "k-1");
  ASSERT_TRUE(first && first->status == 202) << (first ? first->body : first.error().message);
  const std::string id = str(parse(first->body).at("id"));
  auto retry = pay(quote_id, "k-1");
  EXPECT_EQ(retry->status, 202) << retry->body;
  EXPECT_EQ(str(parse(retry->body).at("id")), id) << "a retry is the same payment";
  auto reuse = pay(quote_id, "k-2");
  EXPECT_EQ(reuse->status, 422) << reuse->body;
  EXPECT_NE(reuse->body.find("was used by payment " + id), std::string::npos) << reuse->body;
  // Someone else's quote is not the sender's to use.
  auto theirs = c.request("POST", "/api/v1/fx/quotes", R"({"from":"AED","to":"INR","amount":"10000.00"})", as("FXSEINBB"));
  ASSERT_EQ(theirs->status, 201) << theirs->body;
  auto not_mine = pay(str(parse(theirs->body).at("id")), "k-3");
  EXPECT_EQ(not_mine->status, 422) << not_mine->body;
  EXPECT_NE(not_mine->body.find("quote_not_yours"), std::string::npos) << not_mine->body;

  auto shown = c.request("GET", "/api/v1/transaction/" + id, "", as("EBILAEAD"));
  ASSERT_TRUE(shown && shown->status == 200) << (shown ? shown->body : "");
  json::value p = parse(shown->body);
  EXPECT_EQ(str(p.at("quote_id")), quote_id);
  EXPECT_EQ(str(p.at("credited_amount")), "226304.00");
  EXPECT_EQ(str(p.at("credited_currency")), "INR");
  ASSERT_EQ(p.at("legs").as_array().size(), 2u) << p << " (one provider makes both conversions: no USD leg)";
  EXPECT_EQ(str(p.at("legs").at(0).at("creditor_agent")), "FXPRAEAD");
  EXPECT_EQ(str(p.at("legs").at(1).at("debtor_agent")), "FXPRAEAD");
  EXPECT_EQ(str(p.at("legs").at(1).at("amount")), "226304.00");

  // The provider sees the two legs it carries in its events (the payment's own name only
  // the debtor and creditor agents): one notice with both.
  auto events = c.request("GET", "/api/v1/events?limit=1000", "", as("FXPRAEAD"));
  ASSERT_TRUE(events && events->status == 200);
  json::value ev = parse(events->body);
  size_t legs_told = 0, notices = 0;
  for (const auto& e : ev.at("items").as_array()) {
    if (str(e.at("type")) != "payment.legs_booked" || str(e.at("entity")) != id) continue;
    ++notices;
    legs_told += e.at("data").at("legs").as_array().size();
  }
  EXPECT_EQ(notices, 1u) << events->body.substr(0, 2000);
  EXPECT_EQ(legs_told, 2u);
  auto windows = c.request("GET", "/api/v1/windows?status=OPEN", "", admin());
  ASSERT_TRUE(windows && windows->status == 200);
  json::value open = parse(windows->body);
  for (const auto& w : open.at("items").as_array()) {
    auto closed = c.request("POST", "/api/v1/windows/" + str(w.at("id")) + "/close", "", admin());
    ASSERT_TRUE(closed && closed->status == 200) << (closed ? closed->body : "");
  }
  auto balance = [&](const std::string& bank, const std::string& currency) {
    auto r = c.request("GET", "/api/v1/banks/" + bank + "/balance", "", admin());
    json::value b = parse(r->body);
    for (const auto& row : b.at("balances").as_array()) {
      if (str(row.at("currency")) == currency) return str(row.at("balance"));
    }
    return std::string("none");
  };
  EXPECT_EQ(balance("EBILAEAD", "AED"), "40000.00");
  EXPECT_EQ(balance("FXPRAEAD", "AED"), "10000.00");
  EXPECT_EQ(balance("FXPRAEAD", "INR"), "773696.00");
  EXPECT_EQ(balance("HDFCINBB", "INR"), "226304.00");
  auto settled = c.request("GET", "/api/v1/transaction/" + id, "", as("HDFCINBB"));
  EXPECT_EQ(str(parse(settled->body).at("status")), "SETTLED") << settled->body;
  ASSERT_EQ(server_->stop(), 0);
  auto [code, check] = run_check(server_->data());
  EXPECT_EQ(code, 0) << check;
}

// The same in ISO 20022: a pacs.008 names its quote in InstrForNxtAgt (/FXQT/<id>) and
// gives both of the quote's amounts; a pain.001 names it in XchgRateInf/CtrctId. An InstdAmt
// the quote does not deliver is refused with AM09; a pacs.008 converted upstream (InstdAmt
// in another currency, no quote) settles IntrBkSttlmAmt as it stands.
TEST_F(FxApiTest, IsoMessagesNameTheirQuoteAndAreCheckedAgainstIt) {
  auto c = server_->client();
  bank(R"({"id":"HDFCINBB","name":"HDFC Bank","country":"IN","currencies":["INR","AED"]})");
  for (const char* mint : {R"({"bank":"EBILAEAD","currency":"AED","amount":"50000.00","reference":"F-AED"})",
                           R"({"bank":"FXPRAEAD","currency":"INR","amount":"1000000.00","reference":"F-INR"})"}) {
    ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", mint, admin())->status, 200);
  }
  ASSERT_EQ(rate("AED-USD", R"({"bid":"0.2720","ask":"0.2724","valid_seconds":600})", as("FXPRAEAD"))->status, 200);
  ASSERT_EQ(rate("USD-INR", R"({"bid":"83.20","ask":"83.40","valid_seconds":600})", as("FXPRAEAD"))->status, 200);
  auto pacs008 = [](const std::string& msg_id, const std::string& settle, const std::string& instructed,
                    const std::string& instruction) {
    return R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<GrpHdr><MsgId>)" + msg_id + R"(</MsgId><CreDtTm>2026-12-01T09:30:00+04:00</CreDtTm><NbOfTxs>1</NbOfTxs>
<SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf></GrpHdr>
<CdtTrfTxInf><PmtId><InstrId>I-)" + msg_id + R"(</InstrId><EndToEndId>E-)" + msg_id + R"(</EndToEndId></PmtId>
)" + settle + R"(<IntrBkSttlmDt>2026-12-01</IntrBkSttlmDt>)" + instructed + R"(<ChrgBr>SHAR</ChrgBr>
<InstgAgt><FinInstnId><BICFI>EBILAEADXXX</BICFI></FinInstnId></InstgAgt>
<InstdAgt><FinInstnId><BICFI>DLTRAEADXXX</BICFI></FinInstnId></InstdAgt>
<Dbtr><Nm>Sara Khan</Nm><PstlAdr><Ctry>AE</Ctry></PstlAdr></Dbtr>
<DbtrAcct><Id><IBAN>AE070331234567890123456</IBAN></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BICFI>EBILAEADXXX</BICFI></FinInstnId></DbtrAgt>
<CdtrAgt><FinInstnId><BICFI>HDFCINBBXXX</BICFI></FinInstnId></CdtrAgt>
<Cdtr><Nm>Ravi Kumar</Nm><PstlAdr><Ctry>IN</Ctry></PstlAdr></Cdtr>
<CdtrAcct><Id><Othr><Id>50100012345678</Id></Othr></Id></CdtrAcct>
)" + instruction + R"(<RmtInf><Ustrd>Family support</Ustrd></RmtInf></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>)";
  };
  auto send = [&](const std::string& type, const std::string& xml) {
    Headers h = as("EBILAEAD");
    h.emplace_back("Content-Type", "application/xml");
    auto r = c.request("POST", "/api/v1/iso20022/" + type, xml, h);
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
    return r ? r->body : std::string();
  };
  auto fxqt = [](const std::string& id) { return "<InstrForNxtAgt><InstrInf>/FXQT/" + id + "</InstrInf></InstrForNxtAgt>"; };
  const std::string aed = R"(<IntrBkSttlmAmt Ccy="AED">10000.00</IntrBkSttlmAmt>)";
  // Both amounts of the quote, the converted one first (as a correspondent writes them).
  const std::string q1 = str(quote(R"({"from":"AED","to":"INR","amount":"10000.00"})").at("id"));
  // Written by hand: white space around the instruction, the id in capitals.
  std::string shouted = q1;
  for (char& ch : shouted) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  std::string r1 = send("pacs.008", pacs008("FX-ISO-1", R"(<IntrBkSttlmAmt Ccy="INR">226304.00</IntrBkSttlmAmt>)",
                                            R"(<InstdAmt Ccy="AED">10000.00</InstdAmt>)",
                                            "<InstrForNxtAgt><InstrInf>\n  /FXQT/" + shouted + " </InstrInf></InstrForNxtAgt>"));
  EXPECT_NE(r1.find("<TxSts>ACSP</TxSts>"), std::string::npos) << r1;
  // An InstdAmt the quote does not deliver: AM09, and the quote stays unused.
  const std::string q2 = str(quote(R"({"from":"AED","to":"INR","amount":"10000.00"})").at("id"));
  std::string r2 = send("pacs.008", pacs008("FX-ISO-2", aed, R"(<InstdAmt Ccy="INR">230000.00</InstdAmt>)", fxqt(q2)));
  EXPECT_NE(r2.find("<Cd>AM09</Cd>"), std::string::npos) << r2;
  // Two /FXQT/ naming different quotes: refused.
  std::string r2b = send("pacs.008", pacs008("FX-ISO-2B", aed, "",
                                             "<InstrForNxtAgt><InstrInf>/FXQT/" + q2 + "</InstrInf></InstrForNxtAgt>"
                                             "<InstrForNxtAgt><InstrInf>/FXQT/" + q1 + "</InstrInf></InstrForNxtAgt>"));
  EXPECT_NE(r2b.find("name different quotes"), std::string::npos) << r2b;
  // Not a quote id behind /FXQT/: refused, naming it.
  std::string r3 = send("pacs.008", pacs008("FX-ISO-3", aed, "", fxqt("12345")));
  EXPECT_NE(r3.find("<TxSts>RJCT</TxSts>"), std::string::npos) << r3;
  EXPECT_NE(r3.find("is not a DelTran quote id"), std::string::npos) << r3;
  // Converted upstream, no quote: 10,000.00 AED settles as it stands.
  std::string r4 = send("pacs.008", pacs008("FX-ISO-4", aed, R"(<InstdAmt Ccy="INR">226000.00</InstdAmt><XchgRate>22.6</XchgRate>)", ""));
  EXPECT_NE(r4.find("<TxSts>ACSP</TxSts>"), std::string::npos) << r4;
  // pain.001: the quote in XchgRateInf/CtrctId (the second quote, still unused).
  const std::string pain = R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"><CstmrCdtTrfInitn>
<GrpHdr><MsgId>FX-PAIN-1</MsgId><CreDtTm>2026-12-01T10:00:00+04:00</CreDtTm><NbOfTxs>1</NbOfTxs>
<InitgPty><Nm>Sara Khan</Nm></InitgPty></GrpHdr>
<PmtInf><PmtInfId>FX-PAIN-1-B</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt><Dt>2026-12-01</Dt></ReqdExctnDt>
<Dbtr><Nm>Sara Khan</Nm></Dbtr><DbtrAcct><Id><IBAN>AE070331234567890123456</IBAN></Id></DbtrAcct>
<DbtrAgt><FinInstnId><BICFI>EBILAEADXXX</BICFI></FinInstnId></DbtrAgt>
<CdtTrfTxInf><PmtId><EndToEndId>E-FX-PAIN-1</EndToEndId></PmtId>
<Amt><InstdAmt Ccy="AED">10000.00</InstdAmt></Amt>
<XchgRateInf><CtrctId>)" + q2 + R"(</CtrctId></XchgRateInf>
<CdtrAgt><FinInstnId><BICFI>HDFCINBBXXX</BICFI></FinInstnId></CdtrAgt>
<Cdtr><Nm>Ravi Kumar</Nm></Cdtr><CdtrAcct><Id><Othr><Id>50100012345678</Id></Othr></Id></CdtrAcct>
</CdtTrfTxInf></PmtInf></CstmrCdtTrfInitn></Document>)";
  std::string r5 = send("pain.001", pain);
  EXPECT_NE(r5.find("<TxSts>ACSP</TxSts>"), std::string::npos) << r5;
  // The receiving side named instead: InstdAmt in INR, what the quote delivers.
  const std::string q3 = str(quote(R"({"from":"AED","to":"INR","amount":"10000.00"})").at("id"));
  auto receive_side = [&](std::string xml, const std::string& msg, const std::string& contract) {
    for (auto [from, to] : {std::pair<std::string, std::string>{"FX-PAIN-1", msg}, {q2, contract},
                            {R"(<InstdAmt Ccy="AED">10000.00</InstdAmt>)", R"(<InstdAmt Ccy="INR">226304.00</InstdAmt>)"}}) {
      for (size_t at = xml.find(from); at != std::string::npos; at = xml.find(from, at + to.size())) xml.replace(at, from.size(), to);
    }
    return send("pain.001", xml);
  };
  std::string r6 = receive_side(pain, "FX-PAIN-2", q3);
  EXPECT_NE(r6.find("<TxSts>ACSP</TxSts>"), std::string::npos) << r6;
  // Shaped like a quote id but not one: refused, not paid in one currency.
  std::string r7 = receive_side(pain, "FX-PAIN-3", "q_0123456789abcdef0123456789abcdeg");
  EXPECT_NE(r7.find("is not a DelTran quote id"), std::string::npos) << r7;
  // HDFC is to receive three converted payments of 226,304.00 INR and one of 10,000.00 AED.
  auto positions = c.request("GET", "/api/v1/liquidity/positions?bank=HDFCINBB", "", admin());
  ASSERT_TRUE(positions && positions->status == 200);
  json::value p = parse(positions->body);
  std::map<std::string, std::string> queued_in;
  for (const auto& row : p.at("items").as_array()) queued_in[str(row.at("currency"))] = str(row.at("queued_in"));
  EXPECT_EQ(queued_in["INR"], "678912.00") << p;
  EXPECT_EQ(queued_in["AED"], "10000.00") << p;
}

// The ledger operations over the API: the operator transfers, converts at a bank's quote,
// locks and unlocks (booked now, outside the payment controls, so never a participant's
// own); each answers with the moves and the accounts after.
TEST_F(FxApiTest, TokenTransferConvertLockAndUnlockOverTheApi) {
  auto c = server_->client();
  ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", R"({"bank":"EBILAEAD","currency":"AED","amount":"5000.00","reference":"F-1"})",
                      admin())->status, 200);
  ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", R"({"bank":"FXPRAEAD","currency":"USD","amount":"5000.00","reference":"F-2"})",
                      admin())->status, 200);
  auto post = [&](const std::string& path, const std::string& body, const Headers& who) {
    auto r = c.request("POST", "/api/v1/tokens/" + path, body, who);
    EXPECT_TRUE(r.has_value());
    return r ? *r : gateway::Response{};
  };
  EXPECT_EQ(post("transfer", R"({"from":"EBILAEAD","to":"FXSEINBB","currency":"AED","amount":"1.00","reference":"X-0"})",
                 as("EBILAEAD")).status, 403) << "not a participant's";
  auto moved = post("transfer", R"({"from":"EBILAEAD","to":"FXSEINBB","currency":"AED","amount":"1000.00","reference":"X-1"})",
                    admin());
  ASSERT_EQ(moved.status, 200) << moved.body;
  json::value m = parse(moved.body);
  EXPECT_EQ(str(m.at("moves").at(0).at("amount")), "1000.00");
  EXPECT_EQ(str(m.at("accounts").at(0).at("balance")), "4000.00");
  auto broke = post("transfer", R"({"from":"EBILAEAD","to":"FXSEINBB","currency":"AED","amount":"4000.01","reference":"X-3"})",
                    admin());
  EXPECT_EQ(broke.status, 422) << broke.body;
  EXPECT_NE(broke.body.find("AM04"), std::string::npos) << broke.body;
  EXPECT_EQ(post("transfer", R"({"from":"EBILAEAD","to":"FXSEINBB","currency":"AED","amount":"1.001","reference":"X-4"})",
                 admin()).status, 400);
  // Locks are the operator's.
  EXPECT_EQ(post("lock", R"({"bank":"EBILAEAD","currency":"AED","amount":"100.00","reference":"L-1"})", as("EBILAEAD")).status, 403);
  auto locked = post("lock", R"({"bank":"EBILAEAD","currency":"AED","amount":"3000.00","reference":"L-1","reason":"bank leg"})",
                     admin());
  ASSERT_EQ(locked.status, 200) << locked.body;
  auto balance = c.request("GET", "/api/v1/banks/EBILAEAD/balance", "", as("EBILAEAD"));
  json::value b = parse(balance->body);
  EXPECT_EQ(str(b.at("balances").at(0).at("locked")), "3000.00") << b;
  EXPECT_EQ(str(b.at("balances").at(0).at("available")), "1000.00") << b;
  // Converting at its quote: 1,000.00 AED → 272.00 USD at once (the locked 3,000.00 stay).
  ASSERT_EQ(rate("AED-USD", R"({"bid":"0.2720","ask":"0.2724","valid_seconds":600})", as("FXPRAEAD"))->status, 200);
  bank(R"({"id":"EBILUSAA","name":"ENBD USD","country":"AE","currencies":["AED","USD"]})");
  ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", R"({"bank":"EBILUSAA","currency":"AED","amount":"1000.00","reference":"F-3"})",
                      admin())->status, 200);
  auto q = c.request("POST", "/api/v1/fx/quotes", R"({"from":"AED","to":"USD","amount":"1000.00"})", as("EBILUSAA"));
  ASSERT_EQ(q->status, 201) << q->body;
  const std::string qid = str(parse(q->body).at("id"));
  EXPECT_EQ(post("convert", R"({"bank":"EBILUSAA","quote_id":")" + qid + R"(","reference":"C-0"})", as("EBILUSAA")).status, 403);
  auto converted = post("convert", R"({"bank":"EBILUSAA","quote_id":")" + qid + R"(","reference":"C-1"})", admin());
  ASSERT_EQ(converted.status, 200) << converted.body;
  json::value cv = parse(converted.body);
  ASSERT_EQ(cv.at("moves").as_array().size(), 2u) << cv;
  EXPECT_EQ(str(cv.at("moves").at(1).at("amount")), "272.00");
  auto again = post("convert", R"({"bank":"EBILUSAA","quote_id":")" + qid + R"(","reference":"C-2"})", admin());
  EXPECT_EQ(again.status, 422) << again.body;
  EXPECT_NE(again.body.find("quote_used"), std::string::npos) << again.body;
  auto unlocked = post("unlock", R"({"bank":"EBILAEAD","reference":"L-1"})", admin());
  ASSERT_EQ(unlocked.status, 200) << unlocked.body;
  EXPECT_EQ(str(parse(unlocked.body).at("amount")), "3000.00");
  EXPECT_EQ(post("unlock", R"({"bank":"EBILAEAD","reference":"L-9"})", admin()).status, 404);
  ASSERT_EQ(server_->stop(), 0);
  auto [code, check] = run_check(server_->data());
  EXPECT_EQ(code, 0) << check;
}

// The counter-flow prediction: unknown before any window, then from the windows the
// participant settled — the share whose inflow would have offset the payment — and the
// risk score's counter-flow factor follows it.
TEST_F(FxApiTest, PredictionFromObservedWindowsDrivesTheCounterflowFactor) {
  auto c = server_->client();
  for (const char* mint : {R"({"bank":"EBILAEAD","currency":"AED","amount":"100000.00","reference":"F-1"})",
                           R"({"bank":"FXSEINBB","currency":"AED","amount":"100000.00","reference":"F-2"})"}) {
    ASSERT_EQ(c.request("POST", "/api/v1/tokens/mint", mint, admin())->status, 200);
  }
  auto predict = [&](const std::string& amount) {
    auto r = c.request("POST", "/api/v1/liquidity/predict",
                       R"({"debtor_agent":"EBILAEAD","currency":"AED","amount":")" + amount + R"("})", as("EBILAEAD"));
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : r.error().message);
    return r ? parse(r->body) : json::value();
  };
  auto counterflow_score = [&]() -> int64_t {
    auto r = c.request("POST", "/api/v1/risk/evaluate",
                       R"({"amount":"500.00","currency":"AED","debtor_agent":"EBILAEAD","creditor_agent":"FXSEINBB",)"
                       R"("debtor":{"name":"Sara Khan"},"creditor":{"name":"Ravi Kumar"}})", as("EBILAEAD"));
    EXPECT_TRUE(r && r->status == 200) << (r ? r->body : "");
    json::value v = parse(r->body);
    for (const auto& f : v.at("risk").at("factors").as_array()) {
      if (f.at("name").as_string() == "counterflow") return f.at("score").as_int64();
    }
    return -1;
  };
  json::value first = predict("500.00");
  EXPECT_TRUE(first.at("probability").is_null()) << first;
  EXPECT_EQ(counterflow_score(), 50) << "unknown";
  EXPECT_EQ(c.request("POST", "/api/v1/liquidity/predict", R"({"debtor_agent":"FXSEINBB","currency":"AED","amount":"1.00"})",
                      as("EBILAEAD"))->status, 403);
  // Three windows: EBIL sends 1,000.00 and receives 900.00 in each.
  auto pay = [&](const std::string& from, const std::string& to, const std::string& amount, const std::string& e2e) {
    auto r = c.request("POST", "/api/v1/transfer",
                       R"({"amount":")" + amount + R"(","currency":"AED","debtor_agent":")" + from + R"(","creditor_agent":")" + to +
                       R"(","debtor":{"name":"Sara Khan"},"creditor":{"name":"Ravi Kumar"},"end_to_end_id":")" + e2e + R"("})",
                       as(from));
    EXPECT_TRUE(r && r->status == 202) << (r ? r->body : r.error().message);
  };
  for (int i = 0; i < 3; ++i) {
    pay("EBILAEAD", "FXSEINBB", "1000.00", "OUT-" + std::to_string(i));
    pay("FXSEINBB", "EBILAEAD", "900.00", "IN-" + std::to_string(i));
    auto windows = c.request("GET", "/api/v1/windows?status=OPEN&currency=AED", "", admin());
    json::value open = parse(windows->body);
    ASSERT_EQ(open.at("items").as_array().size(), 1u) << open;
    auto closed = c.request("POST", "/api/v1/windows/" + str(open.at("items").at(0).at("id")) + "/close", "", admin());
    ASSERT_EQ(closed->status, 200) << closed->body;
  }
  // 500.00 would be offset in all three windows seen: (3 + ½) / 4.
  json::value p = predict("500.00");
  EXPECT_DOUBLE_EQ(p.at("probability").to_number<double>(), 0.875) << p;
  EXPECT_EQ(p.at("evidence").at("windows_observed").as_int64(), 3);
  EXPECT_EQ(str(p.at("evidence").at("mean_window_in")), "900.00");
  EXPECT_DOUBLE_EQ(p.at("evidence").at("two_way_ratio").to_number<double>(), 0.9);
  const double confidence = p.at("confidence").to_number<double>();
  EXPECT_GT(confidence, 0.3);
  EXPECT_LT(confidence, 0.75) << "three windows are not yet the instant-settlement grade";
  EXPECT_FALSE(p.at("instant_settlement_grade").as_bool());
  EXPECT_EQ(counterflow_score(), 25) << "probable, not yet confident";
  // 5,000.00 no window's inflow would offset: ½ / 4.
  EXPECT_DOUBLE_EQ(predict("5000.00").at("probability").to_number<double>(), 0.125);
}

// Tiers by amount: a provider gives a better rate from 100,000.00 USD on; a quote below uses
// the plain rate, one above the tier's, and the tiers survive a restart from the log.
TEST_F(FxApiTest, RateTiersGiveLargerConversionsTheirRate) {
  auto posted = rate("USD-INR", R"({"bid":"83.00","ask":"83.50","tiers":[{"min_amount":"100000.00","bid":"83.20","ask":"83.30"}]})",
                     as("FXPRAEAD"));
  ASSERT_TRUE(posted && posted->status == 200) << (posted ? posted->body : "");
  EXPECT_NE(posted->body.find(R"("tiers":[{"min_amount":"100000.00","bid":"83.2","ask":"83.3"}])"), std::string::npos)
      << posted->body;
  auto bad = rate("USD-INR", R"({"bid":"83.00","ask":"83.50","tiers":[{"min_amount":"100000.00","bid":"83.40","ask":"83.30"}]})",
                  as("FXPRAEAD"));
  EXPECT_EQ(bad->status, 400) << bad->body;
  EXPECT_NE(bad->body.find("tiers[0].bid"), std::string::npos) << bad->body;
  auto unordered = rate("USD-INR", R"({"bid":"83.00","ask":"83.50","tiers":[{"min_amount":"200000.00","mid":"83.25","spread_bps":"5"},)"
                                   R"({"min_amount":"100000.00","bid":"83.2","ask":"83.3"}]})", as("FXPRAEAD"));
  EXPECT_EQ(unordered->status, 400) << unordered->body;
  auto quote_of = [&](const std::string& amount) {
    auto r = server_->client().request("POST", "/api/v1/fx/quotes", R"({"from":"USD","to":"INR","amount":")" + amount + R"("})",
                                       as("FXSEINBB"));
    EXPECT_TRUE(r && r->status == 201) << (r ? r->body : "");
    return parse(r->body);
  };
  EXPECT_EQ(str(quote_of("99999.99").at("hops").at(0).at("rate")), "83.0");
  EXPECT_EQ(str(quote_of("100000.00").at("receive")), "8320000.00");
  server_->kill_hard();
  server_->start();
  EXPECT_EQ(str(quote_of("100000.00").at("receive")), "8320000.00") << "the tier came back from the log";
}

}  // namespace
}  // namespace deltran::testing
