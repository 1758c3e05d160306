// The demo scenario: banks in three currencies, funded, thousands of payments over HTTP
// from several concurrent clients, windows closed, and the results printed.
#include "demo.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <deltran/testsupport/workload.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/gateway/http.hpp>

namespace deltran::app {

namespace json = boost::json;

namespace {

struct DemoBank {
  const char* id;
  const char* name;
  const char* country;
  std::vector<std::string> currencies;
  std::string api_key;
  std::string token;  // the access token of its session (POST /auth/login with the key)
};

using Headers = std::vector<std::pair<std::string, std::string>>;

Headers bearer(const std::string& key) { return {{"Authorization", "Bearer " + key}}; }

Result<json::value> call(gateway::HttpClient& client, std::string_view method, std::string_view target,
                         const std::string& body, const Headers& headers, int expect) {
  auto res = client.request(method, target, body, headers);
  if (!res) return tl::unexpected(res.error());
  if (res->status != expect) {
    return make_error(ErrorCode::kInternal, std::string(method) + " " + std::string(target) + " answered " +
                                                std::to_string(res->status) + ": " + res->body);
  }
  boost::system::error_code ec;
  json::value v = json::parse(res->body, ec);
  if (ec) return make_error(ErrorCode::kInternal, "unparseable reply from " + std::string(target));
  return v;
}

std::string str(const json::value& v, std::string_view key) {
  const json::value* f = v.as_object().if_contains(key);
  if (f == nullptr) return "";
  if (f->is_string()) return std::string(f->as_string());
  return json::serialize(*f);
}

// A lognormal amount in whole units of the currency, as text with two decimals (every demo
// currency has two).
std::string amount_for(testsupport::Prng& rng, double mean_log) {
  double units = std::exp(mean_log + 1.0 * rng.normal());
  auto cents = static_cast<int64_t>(units * 100.0) + 1;
  return std::to_string(cents / 100) + "." + (cents % 100 < 10 ? "0" : "") + std::to_string(cents % 100);
}

// A pain.001.001.09 credit transfer initiation, as a bank that speaks only ISO 20022 sends
// it: one payment information block, `count` transactions to creditors at other banks.
std::string pain001(const std::string& msg_id, const std::string& debtor_bic, const std::vector<std::string>& creditors,
                    const std::string& currency, int count, testsupport::Prng& rng, int64_t& ctrl_sum_minor) {
  std::string txs;
  ctrl_sum_minor = 0;
  for (int i = 0; i < count; ++i) {
    std::string amount = amount_for(rng, 6.5);
    int64_t minor = std::stoll(amount.substr(0, amount.find('.'))) * 100 + std::stoll(amount.substr(amount.find('.') + 1));
    ctrl_sum_minor += minor;
    const std::string& creditor = creditors[rng.below(creditors.size())];
    txs += "<CdtTrfTxInf><PmtId><InstrId>" + msg_id + "-" + std::to_string(i) + "</InstrId><EndToEndId>" + msg_id +
           "-E2E-" + std::to_string(i) + "</EndToEndId><UETR>" + new_uuid_v4() + "</UETR></PmtId>"
           "<Amt><InstdAmt Ccy=\"" + currency + "\">" + amount + "</InstdAmt></Amt><ChrgBr>SHAR</ChrgBr>"
           "<CdtrAgt><FinInstnId><BICFI>" + creditor + "</BICFI></FinInstnId></CdtrAgt>"
           "<Cdtr><Nm>Supplier " + std::to_string(i) + " Trading LLC</Nm><PstlAdr><TwnNm>Dubai</TwnNm><Ctry>AE</Ctry></PstlAdr></Cdtr>"
           "<CdtrAcct><Id><Othr><Id>SUP" + std::to_string(100000 + i) + "</Id></Othr></Id></CdtrAcct>"
           "<RmtInf><Ustrd>Invoice " + msg_id + "/" + std::to_string(i) + "</Ustrd></RmtInf></CdtTrfTxInf>";
  }
  std::string sum = std::to_string(ctrl_sum_minor / 100) + "." + (ctrl_sum_minor % 100 < 10 ? "0" : "") +
                    std::to_string(ctrl_sum_minor % 100);
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"><CstmrCdtTrfInitn>"
         "<GrpHdr><MsgId>" + msg_id + "</MsgId><CreDtTm>2026-11-28T09:30:00</CreDtTm><NbOfTxs>" + std::to_string(count) +
         "</NbOfTxs><CtrlSum>" + sum + "</CtrlSum><InitgPty><Nm>Tata Exports Ltd</Nm></InitgPty></GrpHdr>"
         "<PmtInf><PmtInfId>" + msg_id + "-P1</PmtInfId><PmtMtd>TRF</PmtMtd><NbOfTxs>" + std::to_string(count) +
         "</NbOfTxs><CtrlSum>" + sum + "</CtrlSum><ReqdExctnDt><Dt>2026-11-28</Dt></ReqdExctnDt>"
         "<Dbtr><Nm>Tata Exports Ltd</Nm><PstlAdr><TwnNm>Mumbai</TwnNm><Ctry>IN</Ctry></PstlAdr></Dbtr>"
         "<DbtrAcct><Id><Othr><Id>50100012345678</Id></Othr></Id></DbtrAcct>"
         "<DbtrAgt><FinInstnId><BICFI>" + debtor_bic + "</BICFI></FinInstnId></DbtrAgt>" + txs +
         "</PmtInf></CstmrCdtTrfInitn></Document>\n";
}

std::string between(const std::string& text, const std::string& open, const std::string& close) {
  size_t a = text.find(open);
  if (a == std::string::npos) return "";
  a += open.size();
  size_t b = text.find(close, a);
  return b == std::string::npos ? "" : text.substr(a, b - a);
}

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}

// Screening at work: a creditor on a sanctions list is blocked (RR04); a PEP debtor is held
// for the compliance officer, who approves it into the open window.
Status show_compliance(const DemoSettings& s, gateway::HttpClient& client, const DemoBank& from, const DemoBank& to) {
  auto pay = [&](const std::string& debtor, const std::string& creditor, const std::string& key) {
    json::object body{{"amount", "2500.00"}, {"currency", "USD"}, {"debtor_agent", from.id}, {"creditor_agent", to.id},
                      {"debtor", json::object{{"name", debtor}}}, {"creditor", json::object{{"name", creditor}}},
                      {"end_to_end_id", key}};
    Headers h = bearer(from.token);
    h.emplace_back("Idempotency-Key", key);
    return client.request("POST", "/api/v1/transfer", json::serialize(body), h);
  };
  std::printf("\n   Sanctions screening: a creditor named on a list is blocked (RR04):\n");
  auto blocked = pay("Acme Corp", "VOLKOV MARITIME HOLDINGS LIMITED", "demo-sanctions-1");
  if (!blocked) return tl::unexpected(blocked.error());
  std::printf("     -> %d %s\n", blocked->status, blocked->body.c_str());
  std::printf("\n   A politically exposed debtor is held for review, and the compliance officer releases it:\n");
  auto held = pay("Karim N. Haddad", "Rhein Logistik GmbH", "demo-pep-1");
  if (!held) return tl::unexpected(held.error());
  std::printf("     -> %d %s\n", held->status, held->body.c_str());
  if (held->status != 202) return make_error(ErrorCode::kInternal, "the PEP payment was not held: " + held->body);
  json::value v = json::parse(held->body);
  std::string case_id = str(v, "case_id");
  Headers officer = bearer(s.compliance_key);
  auto cases = call(client, "GET", "/api/v1/compliance/cases?status=OPEN", "", officer, 200);
  if (!cases) return tl::unexpected(cases.error());
  std::printf("     GET /api/v1/compliance/cases?status=OPEN -> %zu open case(s); case %s score %s\n",
              cases->as_object().at("items").as_array().size(), case_id.c_str(),
              str(cases->as_object().at("items").as_array().at(0), "score").c_str());
  auto approved = call(client, "POST", "/api/v1/compliance/cases/" + case_id + "/approve",
                       R"({"note":"source of funds documented"})", officer, 200);
  if (!approved) return tl::unexpected(approved.error());
  std::printf("     POST /api/v1/compliance/cases/%s/approve -> payment %s\n", case_id.c_str(),
              str(approved->as_object().at("payment"), "status").c_str());

  std::printf("\n   The risk score explained before sending (POST /api/v1/risk/evaluate): 2,500,000.00 USD\n"
              "   from a debtor in Nigeria (FATF increased monitoring):\n");
  json::object probe{{"amount", "2500000.00"}, {"currency", "USD"}, {"debtor_agent", from.id}, {"creditor_agent", to.id},
                     {"debtor", json::object{{"name", "Lagos Commodities Ltd"}, {"country", "NG"}}},
                     {"creditor", json::object{{"name", "Rhein Logistik GmbH"}, {"country", "DE"}}}};
  auto eval = call(client, "POST", "/api/v1/risk/evaluate", json::serialize(probe), bearer(from.token), 200);
  if (!eval) return tl::unexpected(eval.error());
  const auto& risk = eval->as_object().at("risk").as_object();
  std::printf("     -> %s (%s)\n        risk score %s =", str(*eval, "decision").c_str(), str(*eval, "explanation").c_str(),
              str(risk, "score").c_str());
  bool first = true;
  for (const auto& f : risk.at("factors").as_array()) {
    std::printf("%s %s %.2f", first ? "" : " +", str(f, "name").c_str(), f.at("contribution").to_number<double>());
    first = false;
  }
  std::printf("; AML %s, score %s\n", str(eval->as_object().at("aml"), "decision").c_str(),
              str(eval->as_object().at("aml"), "score").c_str());

  std::printf("\n   A payment above the CTR threshold (10,000 USD) leaves a report for the officer:\n");
  json::object large{{"amount", "15000.00"}, {"currency", "USD"}, {"debtor_agent", from.id}, {"creditor_agent", to.id},
                     {"debtor", json::object{{"name", "Gulf Foods Trading LLC"}, {"account", "AE070331234567890123456"}}},
                     {"creditor", json::object{{"name", "Rhein Logistik GmbH"}}}, {"remittance_info", "invoice 2026-118"}};
  Headers h = bearer(from.token);
  h.emplace_back("Idempotency-Key", "demo-ctr-1");
  auto sent = call(client, "POST", "/api/v1/transfer", json::serialize(large), h, 202);
  if (!sent) return tl::unexpected(sent.error());
  auto ctrs = call(client, "GET", "/api/v1/compliance/reports?kind=CTR&limit=1", "", officer, 200);
  if (!ctrs) return tl::unexpected(ctrs.error());
  const auto& items = ctrs->as_object().at("items").as_array();
  if (items.empty()) return make_error(ErrorCode::kInternal, "no CTR was filed for a 15,000.00 USD payment");
  std::printf("     GET /api/v1/compliance/reports?kind=CTR -> %s: %s\n", str(items.at(0), "kind").c_str(),
              str(items.at(0), "narrative").c_str());
  return {};
}

// HDFC speaks only ISO 20022: pain.001 in, pain.002 back; a re-sent file changes nothing.
Status run_iso_bank(const DemoSettings& s, const DemoBank& bank, const std::vector<std::string>& creditors, int files) {
  gateway::HttpClient client(s.host, s.port, s.tls);
  Headers h = bearer(bank.token);
  h.emplace_back("Content-Type", "application/xml");
  testsupport::Prng rng(s.seed + 99);
  std::string first_file;
  size_t accepted = 0;
  for (int f = 0; f < files; ++f) {
    int64_t sum = 0;
    std::string msg_id = "HDFC-PAIN-" + std::to_string(f + 1);
    std::string xml = pain001(msg_id, bank.id, creditors, "USD", 50, rng, sum);
    if (f == 0) first_file = xml;
    auto r = client.request("POST", "/api/v1/iso20022/pain.001", xml, h);
    if (!r) return tl::unexpected(r.error());
    if (r->status != 200) return make_error(ErrorCode::kInternal, "pain.001 answered " + std::to_string(r->status) + ": " + r->body);
    accepted += count_of(r->body, "<TxSts>ACSP</TxSts>");
    if (f == 0) {
      std::printf("   %s: 50 transactions in one pain.001.001.09 -> pain.002 GrpSts %s, %zu x ACSP\n", msg_id.c_str(),
                  between(r->body, "<GrpSts>", "</GrpSts>").c_str(), count_of(r->body, "<TxSts>ACSP</TxSts>"));
    }
  }
  std::printf("   %d files, %zu transactions accepted into the USD window\n", files, accepted);
  auto again = client.request("POST", "/api/v1/iso20022/pain.001", first_file, h);
  if (!again) return tl::unexpected(again.error());
  std::printf("   the first file sent again -> GrpSts %s: the same statuses, no new payment\n",
              between(again->body, "<GrpSts>", "</GrpSts>").c_str());
  std::string bad = first_file;
  bad.replace(bad.find("<CtrlSum>"), 9, "<CtrlSum>1");
  bad.replace(bad.find("HDFC-PAIN-1"), 11, "HDFC-PAIN-X");
  auto rejected = client.request("POST", "/api/v1/iso20022/pain.001", bad, h);
  if (!rejected) return tl::unexpected(rejected.error());
  std::printf("   a file whose CtrlSum does not add up -> %d, GrpSts %s, reason %s\n", rejected->status,
              between(rejected->body, "<GrpSts>", "</GrpSts>").c_str(), between(rejected->body, "<Cd>", "</Cd>").c_str());
  return {};
}

// The balances of some banks, as "BANK/CCY" → minor units (all demo currencies have two
// decimals).
Result<std::map<std::string, int64_t>> balances_of(gateway::HttpClient& admin, const Headers& auth,
                                                   const std::vector<const DemoBank*>& banks) {
  std::map<std::string, int64_t> out;
  for (const DemoBank* b : banks) {
    auto bal = call(admin, "GET", std::string("/api/v1/banks/") + b->id + "/balance", "", auth, 200);
    if (!bal) return tl::unexpected(bal.error());
    for (const auto& row : bal->as_object().at("balances").as_array()) {
      const std::string text = str(row, "balance");
      const bool negative = !text.empty() && text[0] == '-';
      int64_t minor = 0;
      for (char ch : text) {
        if (ch >= '0' && ch <= '9') minor = minor * 10 + (ch - '0');
      }
      out[std::string(b->id) + "/" + str(row, "currency")] = negative ? -minor : minor;
    }
  }
  return out;
}

std::string minor_text(int64_t minor) {
  char buf[40];
  const int64_t a = minor < 0 ? -minor : minor;
  std::snprintf(buf, sizeof buf, "%s%lld.%02lld", minor < 0 ? "-" : "", static_cast<long long>(a / 100),
                static_cast<long long>(a % 100));
  return buf;
}

// The cross-border corridor, AED → INR through USD: two FX providers post standing rates,
// the sender asks for a quote, pays at it, and the payment becomes linked legs in the AED,
// USD and INR windows. Returns the payment's id.
Result<std::string> show_corridor(gateway::HttpClient& admin, const Headers& admin_auth, const DemoBank& sender,
                                  const DemoBank& aed_usd, const DemoBank& usd_inr, const DemoBank& receiver) {
  std::printf("\n== Cross-border corridor AED → INR through USD (FX providers, quotes, linked legs) ==\n");
  for (const DemoBank* b : {&aed_usd, &usd_inr}) {
    auto r = call(admin, "PUT", std::string("/api/v1/banks/") + b->id + "/roles", R"({"roles":["fx_provider"]})", admin_auth, 200);
    if (!r) return tl::unexpected(r.error());
  }
  struct Posted {
    const DemoBank* by;
    const char* pair;
    const char* body;
  };
  for (const Posted& p : {Posted{&aed_usd, "AED-USD", R"({"bid":"0.2722","ask":"0.2724","valid_seconds":3600})"},
                          Posted{&usd_inr, "USD-INR", R"({"mid":"83.25","spread_bps":"30","valid_seconds":3600})"}}) {
    auto r = call(admin, "PUT", std::string("/api/v1/fx/rates/") + p.pair, p.body, bearer(p.by->token), 200);
    if (!r) return tl::unexpected(r.error());
    std::printf("  %s posts %s  bid %s ask %s  (PUT /api/v1/fx/rates/%s)\n", p.by->id, p.pair, str(*r, "bid").c_str(),
                str(*r, "ask").c_str(), p.pair);
  }
  auto q = call(admin, "POST", "/api/v1/fx/quotes", R"({"from":"AED","to":"INR","amount":"20000.00","side":"send"})",
                bearer(sender.token), 201);
  if (!q) return tl::unexpected(q.error());
  const std::string quote_id = str(*q, "id");
  std::printf("\n  %s asks for a quote (POST /api/v1/fx/quotes): %s, path %s, expires %s\n", sender.id, quote_id.c_str(),
              str(*q, "path").c_str(), str(*q, "expires_at").c_str());
  for (const auto& h : q->as_object().at("hops").as_array()) {
    std::printf("    %s → %s at %-12s by %s: %s %s → %s %s\n", str(h, "from").c_str(), str(h, "to").c_str(),
                str(h, "rate").c_str(), str(h, "provider").c_str(), str(h, "amount_in").c_str(), str(h, "from").c_str(),
                str(h, "amount_out").c_str(), str(h, "to").c_str());
  }
  std::printf("    sends %s AED, the creditor receives %s INR (each conversion rounded down to the minor unit)\n",
              str(*q, "send").c_str(), str(*q, "receive").c_str());
  json::object body{{"amount", "20000.00"}, {"currency", "AED"}, {"debtor_agent", sender.id}, {"creditor_agent", receiver.id},
                    {"debtor", json::object{{"name", "Aisha Rahman"}, {"account", "AE070331234567890123456"}}},
                    {"creditor", json::object{{"name", "Ravi Kumar"}, {"account", "50100012345678"}}},
                    {"end_to_end_id", "DEMO-FX-1"}, {"remittance_info", "Family support"}, {"quote_id", quote_id}};
  Headers h = bearer(sender.token);
  h.emplace_back("Idempotency-Key", "demo-fx-1");
  auto paid = call(admin, "POST", "/api/v1/transfer", json::serialize(body), h, 202);
  if (!paid) return tl::unexpected(paid.error());
  const std::string id = str(*paid, "id");
  std::printf("\n  It pays at the quote (POST /api/v1/transfer with quote_id) -> 202 %s\n", str(*paid, "status").c_str());
  auto shown = call(admin, "GET", "/api/v1/transaction/" + id, "", admin_auth, 200);
  if (!shown) return tl::unexpected(shown.error());
  std::printf("  Its linked legs, each in its own currency's window, accepted together:\n");
  for (const auto& l : shown->as_object().at("legs").as_array()) {
    std::printf("    %-9s → %-9s %14s %s  window %s\n", str(l, "debtor_agent").c_str(), str(l, "creditor_agent").c_str(),
                str(l, "amount").c_str(), str(l, "currency").c_str(), str(l, "window_id").c_str());
  }
  h.back().second = "demo-fx-2";
  body["end_to_end_id"] = "DEMO-FX-2";
  auto reused = admin.request("POST", "/api/v1/transfer", json::serialize(body), h);
  if (!reused) return tl::unexpected(reused.error());
  std::printf("  The quote pays once: a second payment at it -> %d %s\n", reused->status, reused->body.c_str());
  return id;
}

// After the windows settled: the corridor payment's status and, per currency, what moved
// between the corridor's banks (read from their balances), which sums to zero.
Status show_corridor_settled(gateway::HttpClient& admin, const Headers& admin_auth, const std::string& id,
                             const std::vector<const DemoBank*>& banks, const std::map<std::string, int64_t>& before) {
  auto shown = call(admin, "GET", "/api/v1/transaction/" + id, "", admin_auth, 200);
  if (!shown) return tl::unexpected(shown.error());
  std::printf("\n  The corridor payment is %s: %s INR credited to the creditor's agent.\n", str(*shown, "status").c_str(),
              str(*shown, "credited_amount").c_str());
  auto after = balances_of(admin, admin_auth, banks);
  if (!after) return tl::unexpected(after.error());
  std::printf("  Conservation per currency (balance changes of the corridor's banks):\n");
  for (const char* currency : {"AED", "USD", "INR"}) {
    int64_t sum = 0;
    std::string moves;
    for (const auto& [key, balance] : *after) {
      if (key.substr(key.size() - 3) != currency) continue;
      auto b = before.find(key);
      const int64_t delta = balance - (b == before.end() ? 0 : b->second);
      if (delta == 0) continue;
      sum += delta;
      moves += "  " + key.substr(0, key.find('/')) + " " + (delta > 0 ? "+" : "") + minor_text(delta);
    }
    std::printf("    %s:%s  → sum %s %s\n", currency, moves.c_str(), minor_text(sum).c_str(), sum == 0 ? "(holds)" : "(BROKEN)");
    if (sum != 0) return make_error(ErrorCode::kInternal, std::string("the corridor does not conserve ") + currency);
  }
  return {};
}

// POST /auth/login: the session's access and refresh tokens.
Result<std::pair<std::string, std::string>> login(gateway::HttpClient& client, const json::object& credentials) {
  auto r = call(client, "POST", "/api/v1/auth/login", json::serialize(credentials), {}, 200);
  if (!r) return tl::unexpected(r.error());
  return std::make_pair(str(*r, "access_token"), str(*r, "refresh_token"));
}

// A session's life: a refresh rotates the refresh token; the spent one, presented again,
// ends the session (as a stolen copy would); its access token is then refused.
Status show_sessions(const DemoSettings& s, const DemoBank& bank) {
  gateway::HttpClient client(s.host, s.port, s.tls);
  auto session = login(client, json::object{{"participant", bank.id}, {"api_key", bank.api_key}});
  if (!session) return tl::unexpected(session.error());
  auto refreshed = call(client, "POST", "/api/v1/auth/refresh",
                        json::serialize(json::object{{"refresh_token", session->second}}), {}, 200);
  if (!refreshed) return tl::unexpected(refreshed.error());
  std::printf("  %s logs in with its API key, refreshes: a new access token and refresh token (%s s, session %s)\n",
              bank.id, str(*refreshed, "expires_in").c_str(), str(*refreshed, "session_id").c_str());
  auto reused = client.request("POST", "/api/v1/auth/refresh",
                               json::serialize(json::object{{"refresh_token", session->second}}));
  if (!reused) return tl::unexpected(reused.error());
  auto after = client.request("GET", "/api/v1/auth/session", "", bearer(str(*refreshed, "access_token")));
  if (!after) return tl::unexpected(after.error());
  std::printf("  the spent refresh token presented again -> %d; the session is ended, its newest access token -> %d\n",
              reused->status, after->status);
  if (reused->status != 401 || after->status != 401) {
    return make_error(ErrorCode::kInternal, "a reused refresh token did not end its session");
  }
  return {};
}

}  // namespace

Status run_demo(const DemoSettings& s) {
  gateway::HttpClient admin(s.host, s.port, s.tls);
  std::printf("\n== 0. Sessions (POST /api/v1/auth/login%s) ==\n", s.tls.enabled ? ", over TLS 1.3" : "");
  Headers admin_auth = bearer(s.admin_key);
  if (!s.admin_user.empty()) {
    auto session = login(admin, json::object{{"user", s.admin_user}, {"password", s.admin_password}});
    if (!session) return tl::unexpected(session.error());
    admin_auth = bearer(session->first);
    auto me = call(admin, "GET", "/api/v1/auth/session", "", admin_auth, 200);
    if (!me) return tl::unexpected(me.error());
    std::printf("  %s logs in with its password (argon2id): acting as %s, by %s\n", s.admin_user.c_str(),
                str(*me, "actor").c_str(), str(*me, "authenticated_by").c_str());
  }
  std::vector<DemoBank> banks = {
      {"EBILAEAD", "Emirates Bank International", "AE", {"AED", "USD"}, {}, {}},
      {"ADCBAEAA", "Abu Dhabi Commercial Bank", "AE", {"AED", "USD", "EUR"}, {}, {}},
      {"HDFCINBB", "HDFC Bank", "IN", {"AED", "USD"}, {}, {}},
      {"CHASUS33", "JPMorgan Chase Bank", "US", {"USD", "EUR"}, {}, {}},
      {"DEUTDEFF", "Deutsche Bank", "DE", {"EUR", "USD"}, {}, {}},
      {"BNPAFRPP", "BNP Paribas", "FR", {"EUR", "USD", "AED"}, {}, {}},
      // The AED → INR corridor: a sender, two FX providers and the beneficiary's bank.
      {"NBADAEAA", "First Abu Dhabi Bank", "AE", {"AED"}, {}, {}},
      {"MSHQAEAD", "Mashreq Bank (FX provider)", "AE", {"AED", "USD"}, {}, {}},
      {"ICICINBB", "ICICI Bank (FX provider)", "IN", {"USD", "INR"}, {}, {}},
      {"SBININBB", "State Bank of India", "IN", {"INR"}, {}, {}},
  };
  const size_t kCorridor = 6;  // banks from here on take part in the corridor only
  std::printf("\n== 1. Participants (POST /api/v1/banks; rate tier unlimited, PUT /banks/{id}/rate-tier) ==\n");
  for (auto& b : banks) {
    json::object body;
    body["id"] = b.id;
    body["name"] = b.name;
    body["country"] = b.country;
    json::array cur;
    json::object caps;
    for (const auto& c : b.currencies) {
      cur.push_back(json::value(c));
      caps[c] = "250000.00";
    }
    body["currencies"] = cur;
    body["net_debit_cap"] = caps;
    auto r = call(admin, "POST", "/api/v1/banks", json::serialize(body), admin_auth, 201);
    if (!r) return tl::unexpected(r.error());
    b.api_key = str(*r, "api_key");
    // Each bank works through a session opened with its key; the key itself stays at home.
    auto session = login(admin, json::object{{"participant", b.id}, {"api_key", b.api_key}});
    if (!session) return tl::unexpected(session.error());
    b.token = session->first;
    // The demo's load clients send thousands of payments a minute per bank: far over the
    // default tier (standard, 100 a minute per route), so its banks are set unlimited.
    if (auto t = call(admin, "PUT", std::string("/api/v1/banks/") + b.id + "/rate-tier", "{\"tier\":\"unlimited\"}", admin_auth, 200); !t) {
      return tl::unexpected(t.error());
    }
    std::printf("  %-9s %-30s %s  currencies:", b.id, b.name, b.country);
    for (const auto& c : b.currencies) std::printf(" %s", c.c_str());
    std::printf("  net debit cap 250,000.00 each\n");
  }

  if (auto st = show_sessions(s, banks[0]); !st) return st;

  std::printf("\n== 2. Funding: tokens minted 1:1 against confirmed fiat (POST /api/v1/tokens/mint) ==\n");
  for (const auto& b : banks) {
    for (const auto& c : b.currencies) {
      json::object body{{"bank", b.id}, {"currency", c}, {"amount", "1000000.00"},
                        {"reference", std::string("FUND-") + b.id + "-" + c}};
      auto r = call(admin, "POST", "/api/v1/tokens/mint", json::serialize(body), admin_auth, 200);
      if (!r) return tl::unexpected(r.error());
    }
    std::printf("  %-9s 1,000,000.00 in each of its currencies\n", b.id);
  }

  std::map<std::string, std::vector<size_t>> by_currency;
  for (size_t i = 0; i < banks.size(); ++i) {
    if (std::string(banks[i].id) == "HDFCINBB" || i >= kCorridor) continue;  // ISO 20022 only, below; the corridor
    for (const auto& c : banks[i].currencies) by_currency[c].push_back(i);
  }
  const std::vector<std::string> currencies = {"USD", "EUR", "AED"};

  for (int round = 1; round <= s.rounds; ++round) {
    std::printf("\n== %d. Round %d: %d payments over HTTP from %d concurrent clients (POST /api/v1/transfer) ==\n",
                1 + 2 * round, round, s.payments_per_round, s.clients);
    std::atomic<int> next{0};
    std::atomic<int> accepted{0};
    std::atomic<int> rejected{0};
    std::atomic<int> failed{0};
    std::mutex error_mutex;
    std::string first_error;
    auto t0 = std::chrono::steady_clock::now();
    std::vector<std::thread> workers;
    for (int w = 0; w < s.clients; ++w) {
      workers.emplace_back([&, w] {
        gateway::HttpClient client(s.host, s.port, s.tls);
        testsupport::Prng rng(s.seed * 1000 + static_cast<uint64_t>(round * 100 + w));
        for (int i = next++; i < s.payments_per_round; i = next++) {
          const std::string& currency = currencies[rng.below(currencies.size())];
          const auto& members = by_currency[currency];
          size_t from = members[rng.below(members.size())];
          size_t to = members[rng.below(members.size())];
          if (from == to) to = members[(std::find(members.begin(), members.end(), from) - members.begin() + 1) % members.size()];
          json::object body{{"amount", amount_for(rng, 7.5)},
                            {"currency", currency},
                            {"debtor_agent", banks[from].id},
                            {"creditor_agent", banks[to].id},
                            {"debtor", json::object{{"name", "Customer " + std::to_string(i)}, {"account", "ACC" + std::to_string(i)}}},
                            {"creditor", json::object{{"name", "Beneficiary " + std::to_string(i)}, {"account", "BEN" + std::to_string(i)}}},
                            {"end_to_end_id", "DEMO-" + std::to_string(round) + "-" + std::to_string(i)},
                            {"remittance_info", "Invoice " + std::to_string(i)}};
          Headers h = bearer(banks[from].token);
          h.emplace_back("Idempotency-Key", "demo-" + std::to_string(round) + "-" + std::to_string(i));
          auto r = client.request("POST", "/api/v1/transfer", json::serialize(body), h);
          if (r && r->status == 202) {
            ++accepted;
          } else if (r && r->status == 422) {
            ++rejected;
          } else {
            ++failed;
            std::lock_guard lock(error_mutex);
            if (first_error.empty()) first_error = r ? std::to_string(r->status) + " " + r->body : r.error().message;
          }
        }
      });
    }
    for (auto& t : workers) t.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("  %d accepted (202 QUEUED), %d rejected (422), %d failed in %.2f s: %.0f payments/s durable\n",
                accepted.load(), rejected.load(), failed.load(), secs, s.payments_per_round / secs);
    if (failed.load() > 0) return make_error(ErrorCode::kInternal, "demo payment failed: " + first_error);

    if (round == 1) {
      std::printf("\n   A retry with the same Idempotency-Key returns the original payment:\n");
      gateway::HttpClient client(s.host, s.port, s.tls);
      const DemoBank& a = banks[3];
      json::object body{{"amount", "125.50"}, {"currency", "USD"}, {"debtor_agent", a.id}, {"creditor_agent", banks[4].id},
                        {"debtor", json::object{{"name", "Acme Corp"}}}, {"creditor", json::object{{"name", "Rhein GmbH"}}},
                        {"end_to_end_id", "DEMO-RETRY-1"}};
      Headers h = bearer(a.token);
      h.emplace_back("Idempotency-Key", "demo-retry-1");
      auto first = call(client, "POST", "/api/v1/transfer", json::serialize(body), h, 202);
      if (!first) return tl::unexpected(first.error());
      auto second = client.request("POST", "/api/v1/transfer", json::serialize(body), h);
      if (!second) return tl::unexpected(second.error());
      std::printf("     first  -> 202 %s\n     retry  -> %d %s\n", json::serialize(*first).c_str(), second->status,
                  second->body.c_str());
      std::printf("\n   A payment beyond the debtor's liquidity is refused with ISO 20022 reason AM04:\n");
      body["amount"] = "5000000.00";
      h.back().second = "demo-too-big";
      auto big = client.request("POST", "/api/v1/transfer", json::serialize(body), h);
      if (!big) return tl::unexpected(big.error());
      std::printf("     -> %d %s\n", big->status, big->body.c_str());
      std::printf("\n   A participant's own limit: the operator caps %s's single USD payment at 100,000.00\n"
                  "   (PUT /api/v1/risk/limits/%s), and a larger payment is refused with AM02:\n", a.id, a.id);
      auto limit = call(admin, "PUT", std::string("/api/v1/risk/limits/") + a.id,
                        R"({"USD":{"single_payment_max":"100000.00","daily_volume_max":"5000000.00"}})", admin_auth, 200);
      if (!limit) return tl::unexpected(limit.error());
      body["amount"] = "150000.00";
      h.back().second = "demo-over-limit";
      auto over = client.request("POST", "/api/v1/transfer", json::serialize(body), h);
      if (!over) return tl::unexpected(over.error());
      std::printf("     -> %d %s\n", over->status, over->body.c_str());
      if (s.screening) {
        if (auto st = show_compliance(s, client, a, banks[4]); !st) return st;
      }
      std::printf("\n   Bad input changes nothing: an amount with too many decimals:\n");
      body["amount"] = "10.555";
      auto bad = client.request("POST", "/api/v1/transfer", json::serialize(body), bearer(a.token));
      if (!bad) return tl::unexpected(bad.error());
      std::printf("     -> %d %s\n", bad->status, bad->body.c_str());
    }

    std::string corridor_payment;
    std::vector<const DemoBank*> corridor_banks;
    std::map<std::string, int64_t> corridor_before;
    if (round == 1) {
      for (size_t i = kCorridor; i < banks.size(); ++i) corridor_banks.push_back(&banks[i]);
      auto before = balances_of(admin, admin_auth, corridor_banks);
      if (!before) return tl::unexpected(before.error());
      corridor_before = std::move(*before);
      auto paid = show_corridor(admin, admin_auth, banks[kCorridor], banks[kCorridor + 1], banks[kCorridor + 2],
                                banks[kCorridor + 3]);
      if (!paid) return tl::unexpected(paid.error());
      corridor_payment = *paid;
    }

    if (round == s.rounds) {
      std::printf("\n   HDFC speaks only ISO 20022 (POST /api/v1/iso20022/pain.001):\n");
      std::vector<std::string> usd_creditors;
      for (size_t i = 0; i < kCorridor; ++i) {
        const std::string id = banks[i].id;
        if (id != "HDFCINBB" && id != "DEUTDEFF") usd_creditors.push_back(id);
      }
      if (auto st = run_iso_bank(s, banks[2], usd_creditors, 4); !st) return st;
    }
    std::printf("\n== %d. Closing the open windows: multilateral netting and settlement (POST /api/v1/windows/{id}/close) ==\n",
                2 + 2 * round);
    auto windows = call(admin, "GET", "/api/v1/windows?limit=50", "", admin_auth, 200);
    if (!windows) return tl::unexpected(windows.error());
    std::printf("  %-6s %-4s %8s %18s %16s %11s %16s\n", "window", "ccy", "payments", "gross", "net settled",
                "efficiency", "bilateral net");
    for (const auto& w : windows->as_object().at("items").as_array()) {
      if (str(w, "status") != "OPEN") continue;
      auto closed = call(admin, "POST", "/api/v1/windows/" + str(w, "id") + "/close", "", admin_auth, 200);
      if (!closed) return tl::unexpected(closed.error());
      double eff = closed->as_object().at("efficiency").to_number<double>();
      std::printf("  %-6s %-4s %8s %18s %16s %10.1f%% %16s\n", str(*closed, "id").c_str(), str(*closed, "currency").c_str(),
                  str(*closed, "payment_count").c_str(), str(*closed, "gross").c_str(), str(*closed, "net").c_str(),
                  eff * 100.0, str(*closed, "bilateral_net").c_str());
    }
    if (!corridor_payment.empty()) {
      if (auto st = show_corridor_settled(admin, admin_auth, corridor_payment, corridor_banks, corridor_before); !st) return st;
    }
  }

  {
    auto camt = admin.request("GET", "/api/v1/iso20022/camt.053?bank=HDFCINBB&currency=USD", "", bearer(banks[2].token));
    if (!camt) return tl::unexpected(camt.error());
    std::printf("\n== HDFC's camt.053 statement (GET /api/v1/iso20022/camt.053?bank=HDFCINBB&currency=USD) ==\n"
                "   %d, %zu entries today, closing booked balance %s USD\n", camt->status, count_of(camt->body, "<Ntry>"),
                between(between(camt->body, "<Cd>CLBD</Cd>", "</Bal>") + "</Bal>", "\">", "</Amt>").c_str());
  }
  std::printf("\n== Balances after settlement (GET /api/v1/banks/{id}/balance) ==\n");
  for (const auto& b : banks) {
    auto bal = call(admin, "GET", std::string("/api/v1/banks/") + b.id + "/balance", "", admin_auth, 200);
    if (!bal) return tl::unexpected(bal.error());
    std::printf("  %-9s", b.id);
    for (const auto& row : bal->as_object().at("balances").as_array()) {
      std::printf("  %s %14s", str(row, "currency").c_str(), str(row, "balance").c_str());
    }
    std::printf("\n");
  }
  return {};
}

}  // namespace deltran::app
