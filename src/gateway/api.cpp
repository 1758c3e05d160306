// The REST API. Each handler validates its input completely before it builds a command, so
// a bad request changes nothing; state-dependent decisions are the engine's.
#include <deltran/gateway/api.hpp>

#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>

#include <deltran/core/crypto.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/core/metrics.hpp>
#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

#include "api_impl.hpp"
#include "json_writer.hpp"
#include "validation.hpp"

namespace deltran::gateway {

namespace json = boost::json;
using engine::Outcome;
using engine::Reply;
using namespace internal;

namespace internal {

constexpr size_t kMaxName = 140;      // ISO 20022 Max140Text
constexpr size_t kMaxAccount = 34;    // IBAN length; other ids fit too
constexpr size_t kMaxId35 = 35;       // Max35Text: EndToEndId, references
constexpr size_t kMaxIdempotencyKey = 255;



Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string error_body(const ApiError& e, const engine::PaymentResult* payment) {
  JsonWriter w;
  w.begin_object().key("error").begin_object().field("code", e.code).field("message", e.message);
  if (e.reason.empty()) {
    w.key("reason").null();
  } else {
    w.field("reason", e.reason);
  }
  w.end_object();
  if (payment != nullptr) {
    w.field("id", payment->id).field("uetr", payment->uetr).field("status", store::to_string(payment->status));
  }
  w.end_object();
  return w.take();
}

Response error_response(const ApiError& e) {
  Response r = json_response(e.status, error_body(e));
  if (e.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (e.status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

int exponent_of(std::string_view currency) {
  const money::Currency* c = money::find_currency(currency);
  return c != nullptr ? c->exponent : 2;
}

std::string amount_text(int64_t minor, std::string_view currency) {
  return money::format_amount(minor, exponent_of(currency));
}

std::string ratio_text(int64_t ppm) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(ppm / 1'000'000),
                static_cast<long long>(ppm % 1'000'000));
  return buf;
}

// --- reading JSON bodies ------------------------------------------------------------

// Reads fields of one JSON object, remembering the first problem with a precise message.
class Fields {
 public:
  Fields(const json::object& o, std::string prefix = {}) : o_(o), prefix_(std::move(prefix)) {}

  std::optional<std::string> text(std::string_view key, bool required, size_t max_len,
                                   std::string_view reason = "FF01") {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) fail(std::string(key), "is required", reason);
      return std::nullopt;
    }
    if (!v->is_string()) {
      fail(std::string(key), "must be a string", reason);
      return std::nullopt;
    }
    std::string s(v->as_string());
    if (required && s.empty()) {
      fail(std::string(key), "must not be empty", reason);
      return std::nullopt;
    }
    if (s.size() > max_len) {
      fail(std::string(key), "is longer than " + std::to_string(max_len) + " characters", reason);
      return std::nullopt;
    }
    return s;
  }

  const json::object* object(std::string_view key, bool required) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) {
      if (required) fail(std::string(key), "is required", "FF01");
      return nullptr;
    }
    if (!v->is_object()) {
      fail(std::string(key), "must be an object", "FF01");
      return nullptr;
    }
    return &v->as_object();
  }

  const json::value* raw(std::string_view key) const { return o_.if_contains(key); }

  void fail(const std::string& key, const std::string& what, std::string_view reason) {
    if (error_) return;
    error_ = ApiError{400, "invalid_field", "'" + prefix_ + key + "' " + what, std::string(reason)};
  }
  void fail_with(ApiError e) {
    if (!error_) error_ = std::move(e);
  }
  const std::optional<ApiError>& error() const { return error_; }
  void adopt(const Fields& inner) {
    if (inner.error_ && !error_) error_ = inner.error_;
  }

 private:
  const json::object& o_;
  std::string prefix_;
  std::optional<ApiError> error_;
};

tl::expected<json::object, ApiError> parse_object(const Request& req) {
  // Absent and form-encoded (what `curl -d` sends by default) are read as JSON too: the
  // body decides. Anything else named explicitly (XML, text) is refused.
  std::string_view ct = req.header("content-type");
  if (!ct.empty() && ct.find("json") == std::string_view::npos &&
      ct.find("application/x-www-form-urlencoded") == std::string_view::npos) {
    return tl::unexpected(ApiError{415, "unsupported_media_type",
                                   "Content-Type must be application/json", "FF01"});
  }
  json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  // One arena per request, shared by the DOM that outlives this function: a handful of
  // allocations instead of one per node.
  json::value v = json::parse(req.body, ec, json::make_shared_resource<json::monotonic_resource>(), opts);
  if (ec) {
    return tl::unexpected(ApiError{400, "invalid_json", "request body is not valid JSON: " + ec.message(), "FF01"});
  }
  if (!v.is_object()) {
    return tl::unexpected(ApiError{400, "invalid_json", "request body must be a JSON object", "FF01"});
  }
  return std::move(v.as_object());
}

// An amount in a currency, as a decimal string. JSON numbers are refused: they arrive as
// binary floating point, and money must never pass through one.
std::optional<int64_t> read_amount(Fields& f, std::string_view key, std::string_view currency, bool allow_zero) {
  const json::value* v = f.raw(key);
  if (v != nullptr && v->is_number()) {
    f.fail(std::string(key), "must be a decimal string such as \"1234.56\", not a JSON number", "AM12");
    return std::nullopt;
  }
  auto s = f.text(key, true, 40, "AM12");
  if (!s) return std::nullopt;
  int exponent = exponent_of(currency);
  auto minor = money::parse_amount(*s, exponent);
  if (!minor) {
    f.fail(std::string(key), "is not a valid " + std::string(currency) + " amount: " + minor.error().message, "AM12");
    return std::nullopt;
  }
  if (*minor == 0 && !allow_zero) {
    f.fail(std::string(key), "must be greater than zero", "AM01");
    return std::nullopt;
  }
  return *minor;
}

std::optional<std::string> read_currency(Fields& f, std::string_view key) {
  auto c = f.text(key, true, 3, "AM03");
  if (!c) return std::nullopt;
  if (money::find_currency(*c) == nullptr) {
    f.fail(std::string(key), "'" + *c + "' is not an ISO 4217 currency code", "AM03");
    return std::nullopt;
  }
  return c;
}

std::optional<std::string> read_bic(Fields& f, std::string_view key) {
  auto raw = f.text(key, true, 11, "RC01");
  if (!raw) return std::nullopt;
  std::string bic = normalize_bic(*raw);
  if (bic.empty()) {
    f.fail(std::string(key), "'" + *raw + "' is not a BIC (8 or 11 characters: AAAABBCC or AAAABBCCDDD)", "RC01");
    return std::nullopt;
  }
  return bic;
}

// --- writing replies ---------------------------------------------------------------

void write_payment_row(JsonWriter& w, const store::PaymentRow& p) {
  w.begin_object()
      .field("id", p.id)
      .field("uetr", p.uetr)
      .field("end_to_end_id", p.end_to_end_id)
      .field("status", store::to_string(p.status));
  if (p.reason.empty()) w.key("reason").null(); else w.field("reason", p.reason);
  w.field("amount", amount_text(p.amount_minor, p.currency))
      .field("currency", p.currency)
      .field("debtor_agent", p.debtor_agent)
      .field("creditor_agent", p.creditor_agent);
  w.key("debtor").begin_object().field("name", p.debtor_name).field("account", p.debtor_account).end_object();
  w.key("creditor").begin_object().field("name", p.creditor_name).field("account", p.creditor_account).end_object();
  w.field("remittance_info", p.remittance_info);
  if (p.window_id == 0) w.key("window_id").null(); else w.field("window_id", p.window_id);
  w.field("channel", p.channel)
      .field("created_at", format_rfc3339(p.created_us))
      .field("updated_at", format_rfc3339(p.updated_us))
      .end_object();
}

void write_window(JsonWriter& w, const store::WindowRow& win, const Principal& who) {
  w.begin_object()
      .field("id", win.id)
      .field("currency", win.currency)
      .field("status", store::to_string(win.status))
      .field("opened_at", format_rfc3339(win.opened_us));
  if (win.closed_us == 0) w.key("closed_at").null(); else w.field("closed_at", format_rfc3339(win.closed_us));
  w.field("payment_count", win.payment_count)
      .field("gross", amount_text(win.gross_minor, win.currency))
      .field("net", amount_text(win.net_minor, win.currency))
      .field("bilateral_net", amount_text(win.bilateral_minor, win.currency));
  if (win.status == store::WindowStatus::kSettled) {
    w.key("efficiency").raw_number(ratio_text(win.efficiency_ppm));
    w.key("bilateral_efficiency").raw_number(ratio_text(win.bilateral_efficiency_ppm));
  } else {
    w.key("efficiency").null();
    w.key("bilateral_efficiency").null();
  }
  w.key("positions").begin_array();
  for (const auto& p : win.positions) {
    if (!who.admin && p.bank != who.bank) continue;  // a participant sees only its own position
    w.begin_object().field("bank", p.bank).field("net", amount_text(p.net_minor, win.currency)).end_object();
  }
  w.end_array().end_object();
}

void write_bank(JsonWriter& w, const engine::BankView& b, bool with_caps) {
  w.begin_object().field("id", b.id).field("name", b.name).field("country", b.country);
  w.key("currencies").begin_array();
  for (const auto& c : b.currencies) w.string(c);
  w.end_array();
  if (with_caps) {
    w.key("net_debit_cap").begin_object();
    for (const auto& c : b.currencies) {
      auto it = b.net_debit_cap_minor.find(c);
      w.field(c, amount_text(it == b.net_debit_cap_minor.end() ? 0 : it->second, c));
    }
    w.end_object();
  }
  w.field("created_at", format_rfc3339(b.created_us)).end_object();
}

void write_case(JsonWriter& w, const store::CaseRow& c) {
  w.begin_object()
      .field("id", c.id)
      .field("payment_id", c.payment_id)
      .field("debtor_agent", c.debtor_agent)
      .field("creditor_agent", c.creditor_agent)
      .field("status", store::to_string(c.status))
      .field("score", c.score);
  w.key("reasons").raw_number(c.reasons.empty() ? "{}" : c.reasons);  // stored as compact JSON
  w.field("created_at", format_rfc3339(c.created_us));
  if (c.decided_us == 0) {
    w.key("decided_at").null().key("decided_by").null();
  } else {
    w.field("decided_at", format_rfc3339(c.decided_us)).field("decided_by", c.decided_by);
  }
  w.field("note", c.note).end_object();
}

std::string payment_request_hash(const engine::TransferCommand& cmd, std::string_view uetr_as_sent) {
  std::string canonical = cmd.debtor_agent + '\n' + cmd.creditor_agent + '\n' + cmd.currency + '\n' +
                          std::to_string(cmd.amount_minor) + '\n' + cmd.debtor.name + '\n' + cmd.debtor.account +
                          '\n' + cmd.creditor.name + '\n' + cmd.creditor.account + '\n' + cmd.end_to_end_id +
                          '\n' + cmd.remittance_info + '\n';
  canonical += uetr_as_sent;
  return sha256_hex(canonical);
}

int status_of(Outcome o) {
  switch (o) {
    case Outcome::kOk: return 200;
    case Outcome::kCreated: return 201;
    case Outcome::kAccepted: return 202;
    case Outcome::kReplayed: return 200;
    case Outcome::kRejected: return 422;
    case Outcome::kInvalid: return 400;
    case Outcome::kNotFound: return 404;
    case Outcome::kConflict: return 409;
    case Outcome::kUnavailable: return 503;
  }
  return 500;
}

ApiError error_of(const Reply& r) {
  return ApiError{status_of(r.outcome), r.code, r.message, r.reason};
}

// --- routing -------------------------------------------------------------------------

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

}  // namespace internal

// --- the API ---------------------------------------------------------------------------


Api::Api(ApiSettings settings, engine::Engine& engine, store::Store& store, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), engine, store, clock)) {}

Api::~Api() = default;

void Api::handle(Request&& request, Respond respond) {
  auto t0 = std::chrono::steady_clock::now();
  impl_->in_flight.add(1);
  auto req = std::make_shared<Request>(std::move(request));
  auto route_name = std::make_shared<std::string>("unmatched");
  Impl* impl = impl_.get();
  Respond finish = [impl, req, route_name, t0, respond = std::move(respond)](Response&& res) {
    impl->finish(*req, *route_name, t0, res);
    impl->in_flight.add(-1);
    respond(std::move(res));
  };
  std::string_view target = req->target;
  std::string_view path = target.substr(0, target.find('?'));
  // Operations endpoints: no authentication, no engine round trip.
  if (path == "/health") {
    *route_name = "/health";
    return finish(json_response(200, "{\"status\":\"ok\"}"));
  }
  if (path == "/ready") {
    *route_name = "/ready";
    bool ready = impl->engine.ready() && impl->store.healthy();
    return finish(ready ? json_response(200, "{\"status\":\"ready\"}")
                        : error_response(ApiError{503, "not_ready", "the engine or the store is not ready", ""}));
  }
  if (path == "/metrics") {
    *route_name = "/metrics";
    Response r = json_response(200, render_metrics());
    r.content_type = "text/plain; version=0.0.4";
    return finish(std::move(r));
  }
  auto who = impl->authenticate(*req);
  if (!who) return finish(error_response(who.error()));
  impl->route(*req, &*who, *route_name, std::move(finish));
}

void Api::Impl::route(Request& req, const Principal* who_ptr, std::string& route_name, Respond respond) {
  const Principal& who = *who_ptr;
  std::string_view target = req.target;
  std::string_view path = target.substr(0, target.find('?'));
  auto parts = split_path(path);
  const bool get = req.method == "GET";
  const bool post = req.method == "POST";
  auto not_found = [&] {
    respond(error_response(ApiError{404, "not_found", "no route for " + req.method + " " + std::string(path), ""}));
  };
  auto admin_only = [&] {
    if (who.admin) return true;
    respond(error_response(ApiError{403, "forbidden", "this operation needs the operator (admin) role", ""}));
    return false;
  };
  if (parts.size() < 3 || parts[0] != "api" || parts[1] != "v1") return not_found();
  std::string_view res = parts[2];
  size_t n = parts.size();

  if (res == "transfer" && n == 3 && post) {
    route_name = "/api/v1/transfer";
    return post_transfer(req, who, std::move(respond));
  }
  if (res == "transaction" && n == 4 && get) {
    route_name = "/api/v1/transaction/{id}";
    return get_transaction(parts[3], who, std::move(respond));
  }
  if (res == "transactions" && n == 3 && get) {
    route_name = "/api/v1/transactions";
    return get_transactions(req, who, std::move(respond));
  }
  if (res == "banks") {
    if (n == 3 && post) {
      route_name = "/api/v1/banks";
      if (!admin_only()) return;
      return post_bank(req, std::move(respond));
    }
    if (n == 3 && get) {
      route_name = "/api/v1/banks";
      return submit(engine::BankQuery{}, who, std::move(respond), [who](Reply&& r) {
        JsonWriter w;
        w.begin_object().key("items").begin_array();
        for (const auto& b : std::get<std::vector<engine::BankView>>(r.body)) write_bank(w, b, who.may_act_for(b.id));
        w.end_array().end_object();
        return json_response(200, w.take());
      });
    }
    if ((n == 4 || (n == 5 && parts[4] == "balance")) && get) {
      std::string bank = normalize_bic(parts[3]);
      if (bank.empty()) bank = std::string(parts[3]);
      if (n == 4) {
        route_name = "/api/v1/banks/{id}";
        return submit(engine::BankQuery{bank}, who, std::move(respond), [who](Reply&& r) {
          if (r.outcome != Outcome::kOk) return error_response(error_of(r));
          JsonWriter w;
          const auto& b = std::get<engine::BankView>(r.body);
          write_bank(w, b, who.may_act_for(b.id));
          return json_response(200, w.take());
        });
      }
      route_name = "/api/v1/banks/{id}/balance";
      if (!who.may_act_for(bank)) {
        return respond(error_response(ApiError{403, "forbidden", "a participant sees only its own balance", ""}));
      }
      return submit(engine::BalanceQuery{bank}, who, std::move(respond), [bank](Reply&& r) {
        if (r.outcome != Outcome::kOk) return error_response(error_of(r));
        JsonWriter w;
        w.begin_object().field("bank", bank).key("balances").begin_array();
        for (const auto& b : std::get<std::vector<engine::BalanceView>>(r.body)) {
          w.begin_object()
              .field("currency", b.currency)
              .field("balance", amount_text(b.balance_minor, b.currency))
              .field("reserved", amount_text(b.reserved_minor, b.currency))
              .field("net_debit_cap", amount_text(b.net_debit_cap_minor, b.currency))
              .field("available", amount_text(b.available_minor, b.currency))
              .end_object();
        }
        w.end_array().end_object();
        return json_response(200, w.take());
      });
    }
    return not_found();
  }
  if (res == "tokens") {
    if (n == 4 && post && (parts[3] == "mint" || parts[3] == "burn")) {
      route_name = parts[3] == "mint" ? "/api/v1/tokens/mint" : "/api/v1/tokens/burn";
      if (!admin_only()) return;
      return post_tokens(req, parts[3] == "mint", std::move(respond));
    }
    if (n == 5 && get && parts[3] == "balance") {
      // Same answer as /banks/{id}/balance.
      req.target = "/api/v1/banks/" + std::string(parts[4]) + "/balance";
      std::string ignored;
      route(req, who_ptr, ignored, std::move(respond));
      route_name = "/api/v1/tokens/balance/{bank}";
      return;
    }
    return not_found();
  }
  if (res == "risk" && n == 4 && post && parts[3] == "evaluate") {
    route_name = "/api/v1/risk/evaluate";
    return post_risk_evaluate(req, who, std::move(respond));
  }
  if (res == "risk" && n == 4 && get && parts[3] == "circuit-breakers") {
    route_name = "/api/v1/risk/circuit-breakers";
    return get_breakers(who, std::move(respond));
  }
  if (res == "risk" && n == 6 && post && parts[3] == "circuit-breakers" && parts[5] == "reset") {
    route_name = "/api/v1/risk/circuit-breakers/{id}/reset";
    if (!admin_only()) return;
    return post_breaker_reset(url_decode(parts[4]), who, std::move(respond));
  }
  if (res == "compliance" && n == 4 && get && parts[3] == "reports") {
    route_name = "/api/v1/compliance/reports";
    if (!who.sees_everything()) {
      return respond(error_response(ApiError{403, "forbidden", "CTR and SAR records need the compliance or admin role", ""}));
    }
    return get_aml_reports(req, std::move(respond));
  }
  if (res == "risk" && n == 5 && parts[3] == "limits") {
    std::string bank = normalize_bic(parts[4]);
    if (bank.empty()) bank = std::string(parts[4]);
    route_name = "/api/v1/risk/limits/{bank}";
    auto render = [](Reply&& r) {
      if (r.outcome != Outcome::kOk) return error_response(error_of(r));
      const auto& v = std::get<engine::LimitsView>(r.body);
      JsonWriter w;
      w.begin_object().field("bank", v.bank).key("limits").begin_object();
      for (const auto& c : v.currencies) {
        w.key(c.currency).begin_object();
        if (c.single_payment_max_minor) w.field("single_payment_max", amount_text(*c.single_payment_max_minor, c.currency));
        else w.key("single_payment_max").null();
        if (c.daily_volume_max_minor) w.field("daily_volume_max", amount_text(*c.daily_volume_max_minor, c.currency));
        else w.key("daily_volume_max").null();
        w.field("net_debit_cap", amount_text(c.net_debit_cap_minor, c.currency))
            .field("used_today", amount_text(c.used_today_minor, c.currency))
            .end_object();
      }
      w.end_object().end_object();
      return json_response(200, w.take());
    };
    if (get) {
      if (!who.may_act_for(bank) && !who.compliance) {
        return respond(error_response(ApiError{403, "forbidden", "a participant sees only its own limits", ""}));
      }
      return submit(engine::LimitsQuery{bank}, who, std::move(respond), render);
    }
    if (req.method == "PUT") {
      if (!admin_only()) return;
      auto body = parse_object(req);
      if (!body) return respond(error_response(body.error()));
      engine::SetLimitsCommand cmd;
      cmd.bank = bank;
      Fields f(*body);
      for (const auto& [k, v] : *body) {
        std::string currency(k);
        if (money::find_currency(currency) == nullptr || !v.is_object()) {
          f.fail(currency, "must be an ISO 4217 code holding an object of limits", "AM03");
          break;
        }
        Fields cf(v.as_object(), currency + ".");
        engine::CurrencyLimitsUpdate u;
        auto read = [&](const char* key, std::optional<int64_t>& out, bool* clear) {
          const json::value* x = v.as_object().if_contains(key);
          if (x == nullptr) return;
          if (x->is_null() && clear != nullptr) {
            *clear = true;
            return;
          }
          out = read_amount(cf, key, currency, true);
        };
        read("single_payment_max", u.single_payment_max_minor, &u.clear_single_payment_max);
        read("daily_volume_max", u.daily_volume_max_minor, &u.clear_daily_volume_max);
        read("net_debit_cap", u.net_debit_cap_minor, nullptr);
        f.adopt(cf);
        cmd.by_currency[currency] = u;
      }
      if (f.error()) return respond(error_response(*f.error()));
      if (cmd.by_currency.empty()) {
        return respond(error_response(ApiError{400, "invalid_field", "name at least one currency, e.g. {\"USD\":{\"single_payment_max\":\"50000.00\"}}", "FF01"}));
      }
      return submit(std::move(cmd), who, std::move(respond), render);
    }
    return not_found();
  }
  if (res == "iso20022" && n == 4) {
    if (post && (parts[3] == "pain.001" || parts[3] == "pacs.008")) {
      route_name = "/api/v1/iso20022/" + std::string(parts[3]);
      return post_iso(req, who, parts[3] == "pain.001" ? iso20022::MessageType::kPain001 : iso20022::MessageType::kPacs008,
                      std::move(respond));
    }
    if (get && parts[3] == "camt.053") {
      route_name = "/api/v1/iso20022/camt.053";
      return get_camt053(req, who, std::move(respond));
    }
    return not_found();
  }
  if (res == "compliance" && n == 4 && post && parts[3] == "check") {
    route_name = "/api/v1/compliance/check";
    if (!who.sees_everything()) {
      return respond(error_response(ApiError{403, "forbidden", "screening checks need the compliance or admin role", ""}));
    }
    return post_compliance_check(req, std::move(respond));
  }
  if (res == "compliance" && n == 5 && post && parts[3] == "lists" && parts[4] == "reload") {
    route_name = "/api/v1/compliance/lists/reload";
    if (!admin_only()) return;
    return post_lists_reload(std::move(respond));
  }
  if (res == "compliance" && n >= 4 && parts[3] == "cases") {
    if (!who.compliance && !who.admin) {
      return respond(error_response(ApiError{403, "forbidden", "compliance cases need the compliance officer role", ""}));
    }
    if (n == 4 && get) {
      route_name = "/api/v1/compliance/cases";
      return get_cases(req, std::move(respond));
    }
    int64_t id = 0;
    auto [p, ec] = std::from_chars(parts[4].data(), parts[4].data() + parts[4].size(), id);
    if (n < 5 || ec != std::errc() || p != parts[4].data() + parts[4].size() || id <= 0) {
      return respond(error_response(ApiError{404, "case_not_found", "case id must be a positive integer", ""}));
    }
    if (n == 5 && get) {
      route_name = "/api/v1/compliance/cases/{id}";
      auto row = store.get_case(id);
      if (!row) return respond(error_response(ApiError{503, "store_unavailable", row.error().message, ""}));
      if (!row->has_value()) return respond(error_response(ApiError{404, "case_not_found", "no case " + std::to_string(id), ""}));
      JsonWriter w;
      write_case(w, **row);
      return respond(json_response(200, w.take()));
    }
    if (n == 6 && post && (parts[5] == "approve" || parts[5] == "reject")) {
      route_name = parts[5] == "approve" ? "/api/v1/compliance/cases/{id}/approve" : "/api/v1/compliance/cases/{id}/reject";
      if (!who.compliance) {
        return respond(error_response(ApiError{403, "forbidden", "only the compliance officer decides cases", ""}));
      }
      std::string note;
      if (!req.body.empty()) {
        auto body = parse_object(req);
        if (!body) return respond(error_response(body.error()));
        Fields f(*body);
        note = f.text("note", false, 500).value_or("");
        if (f.error()) return respond(error_response(*f.error()));
      }
      return submit(engine::CaseDecisionCommand{id, parts[5] == "approve", note}, who, std::move(respond),
                    [](Reply&& r) {
                      if (r.outcome != Outcome::kOk) return error_response(error_of(r));
                      const auto& c = std::get<engine::CaseResult>(r.body);
                      JsonWriter w;
                      w.begin_object().key("case");
                      write_case(w, c.kase);
                      w.key("payment").begin_object().field("id", c.payment.id)
                          .field("status", store::to_string(c.payment.status));
                      if (c.payment.reason.empty()) w.key("reason").null(); else w.field("reason", c.payment.reason);
                      if (c.payment.window_id == 0) w.key("window_id").null(); else w.field("window_id", c.payment.window_id);
                      w.end_object().end_object();
                      return json_response(200, w.take());
                    });
    }
    return not_found();
  }
  if (res == "windows") {
    if (n == 3 && get) {
      route_name = "/api/v1/windows";
      return get_windows(req, who, std::move(respond));
    }
    int64_t id = 0;
    if (n >= 4) {
      auto [p, ec] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), id);
      if (ec != std::errc() || p != parts[3].data() + parts[3].size() || id <= 0) {
        return respond(error_response(ApiError{404, "window_not_found", "window id must be a positive integer", ""}));
      }
    }
    auto render = [who](Reply&& r) {
      if (r.outcome != Outcome::kOk) return error_response(error_of(r));
      JsonWriter w;
      write_window(w, std::get<store::WindowRow>(r.body), who);
      return json_response(200, w.take());
    };
    if (n == 4 && get) {
      route_name = "/api/v1/windows/{id}";
      return submit(engine::WindowQuery{id, {}, 1, 0}, who, std::move(respond), render);
    }
    if (n == 5 && get && parts[4] == "positions") {
      route_name = "/api/v1/windows/{id}/positions";
      return submit(engine::WindowQuery{id, {}, 1, 0}, who, std::move(respond), render);
    }
    if (n == 5 && post && parts[4] == "close") {
      route_name = "/api/v1/windows/{id}/close";
      if (!admin_only()) return;
      return submit(engine::CloseWindowCommand{id, {}, false}, who, std::move(respond), render);
    }
    return not_found();
  }
  return not_found();
}

// Reads a payment as JSON into a command (everything but the idempotency key and the
// request hash) and screens its parties; shared by /transfer and /risk/evaluate.
tl::expected<engine::TransferCommand, ApiError> Api::Impl::read_transfer(const json::object& body,
                                                                          const Principal& who) const {
  Fields f(body);
  engine::TransferCommand cmd;
  auto currency = read_currency(f, "currency");
  std::optional<int64_t> amount;
  if (currency) amount = read_amount(f, "amount", *currency, false);
  auto debtor_agent = read_bic(f, "debtor_agent");
  auto creditor_agent = read_bic(f, "creditor_agent");
  auto party = [&](std::string_view key, engine::Party& out) {
    const json::object* o = f.object(key, true);
    if (o == nullptr) return;
    Fields pf(*o, std::string(key) + ".");
    auto name = pf.text("name", true, kMaxName);
    auto country = pf.text("country", false, 2);
    if (country && !is_country_code(*country)) pf.fail("country", "must be an ISO 3166 alpha-2 code", "FF01");
    auto account = pf.text("account", false, kMaxAccount, "AC01");
    if (account && looks_like_iban(*account) && !iban_checksum_ok(*account)) {
      pf.fail("account", "is an IBAN with wrong check digits", "AC01");
    }
    f.adopt(pf);
    if (name) out.name = *name;
    if (account) out.account = *account;
    if (country) out.country = *country;
  };
  party("debtor", cmd.debtor);
  party("creditor", cmd.creditor);
  auto e2e = f.text("end_to_end_id", false, kMaxId35);
  auto remittance = f.text("remittance_info", false, kMaxName);
  auto uetr = f.text("uetr", false, 36);
  if (uetr && !is_uuid_v4(*uetr)) f.fail("uetr", "must be a UUIDv4 (8-4-4-4-12 hex digits)", "FF01");
  if (f.error()) return tl::unexpected(*f.error());
  if (*debtor_agent == *creditor_agent) {
    return tl::unexpected(ApiError{422, "same_agent", "debtor and creditor agent are the same participant; "
                                   "book it internally", "AG01"});
  }
  if (!who.may_act_for(*debtor_agent)) {
    return tl::unexpected(ApiError{403, "forbidden", "a participant may only send payments as debtor agent " +
                                   who.bank, "AG01"});
  }
  cmd.id = new_uuid_v4();
  cmd.uetr = uetr ? *uetr : new_uuid_v4();
  for (char& c : cmd.uetr) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  cmd.debtor_agent = *debtor_agent;
  cmd.creditor_agent = *creditor_agent;
  cmd.currency = *currency;
  cmd.amount_minor = *amount;
  cmd.end_to_end_id = e2e ? *e2e : "NOTPROVIDED";
  cmd.remittance_info = remittance.value_or("");
  cmd.channel = "json";
  cmd.request_hash = payment_request_hash(cmd, uetr ? *uetr : "");
  cmd.screening = screen_parties({{"debtor", cmd.debtor.name, cmd.debtor.country},
                                  {"creditor", cmd.creditor.name, cmd.creditor.country}});
  return cmd;
}

void Api::Impl::post_transfer(Request& req, const Principal& who, Respond respond) {
  auto body = parse_object(req);
  if (!body) return respond(error_response(body.error()));
  auto parsed = read_transfer(*body, who);
  if (!parsed) return respond(error_response(parsed.error()));
  engine::TransferCommand cmd = std::move(*parsed);
  std::string key(req.header("idempotency-key"));
  if (!key.empty() && !is_token_text(key, kMaxIdempotencyKey)) {
    return respond(error_response(ApiError{400, "invalid_idempotency_key",
                                           "Idempotency-Key must be 1-255 printable ASCII characters", "FF01"}));
  }
  cmd.idempotency_key = std::move(key);
  submit(std::move(cmd), who, std::move(respond), [](Reply&& r) {
    const auto* p = std::get_if<engine::PaymentResult>(&r.body);
    if (p == nullptr) {
      Response res = error_response(error_of(r));
      if (r.retry_after_s > 0) res.headers.emplace_back("Retry-After", std::to_string(r.retry_after_s));
      return res;
    }
    if (p->status == store::PaymentStatus::kRejected) {
      ApiError e = error_of(r);
      e.status = 422;
      Response res = json_response(422, error_body(e, p));
      if (r.outcome == Outcome::kReplayed) res.headers.emplace_back("Idempotent-Replayed", "true");
      return res;
    }
    JsonWriter w;
    w.begin_object().field("id", p->id).field("uetr", p->uetr).field("status", store::to_string(p->status));
    if (p->window_id == 0) w.key("window_id").null(); else w.field("window_id", p->window_id);
    if (p->case_id != 0) w.field("case_id", p->case_id);
    w.end_object();
    Response res = json_response(202, w.take());
    if (r.outcome == Outcome::kReplayed) res.headers.emplace_back("Idempotent-Replayed", "true");
    return res;
  });
}

void Api::Impl::post_bank(Request& req, Respond respond) {
  auto body = parse_object(req);
  if (!body) return respond(error_response(body.error()));
  Fields f(*body);
  engine::CreateBankCommand cmd;
  auto id = read_bic(f, "id");
  auto name = f.text("name", true, kMaxName);
  auto country = f.text("country", true, 2);
  if (country && !is_country_code(*country)) f.fail("country", "must be an ISO 3166 alpha-2 code such as \"AE\"", "FF01");
  const json::value* currencies = f.raw("currencies");
  if (currencies == nullptr || !currencies->is_array() || currencies->as_array().empty()) {
    f.fail("currencies", "must be a non-empty array of ISO 4217 codes", "AM03");
  } else {
    for (const auto& c : currencies->as_array()) {
      if (!c.is_string() || money::find_currency(c.as_string()) == nullptr) {
        f.fail("currencies", "contains " + json::serialize(c) + ", not an ISO 4217 currency code", "AM03");
        break;
      }
      std::string code(c.as_string());
      if (std::find(cmd.currencies.begin(), cmd.currencies.end(), code) != cmd.currencies.end()) {
        f.fail("currencies", "lists " + code + " twice", "FF01");
        break;
      }
      cmd.currencies.push_back(code);
    }
  }
  if (const json::object* caps = f.object("net_debit_cap", false); caps != nullptr && !f.error()) {
    Fields cf(*caps, "net_debit_cap.");
    for (const auto& [k, v] : *caps) {
      std::string code(k);
      if (std::find(cmd.currencies.begin(), cmd.currencies.end(), code) == cmd.currencies.end()) {
        cf.fail(code, "is not one of the bank's currencies", "AM03");
        break;
      }
      auto minor = read_amount(cf, code, code, true);
      if (minor) cmd.net_debit_cap_minor[code] = *minor;
    }
    f.adopt(cf);
  }
  if (f.error()) return respond(error_response(*f.error()));
  cmd.id = *id;
  cmd.name = *name;
  cmd.country = *country;
  std::string api_key = new_api_key("dtk_");
  cmd.api_key_hash = sha256_hex(api_key);
  Principal admin{true, {}};
  submit(std::move(cmd), admin, std::move(respond), [api_key](Reply&& r) {
    if (r.outcome != Outcome::kCreated) return error_response(error_of(r));
    const auto& b = std::get<engine::BankView>(r.body);
    JsonWriter w;
    w.begin_object().field("id", b.id).field("name", b.name).field("country", b.country);
    w.key("currencies").begin_array();
    for (const auto& c : b.currencies) w.string(c);
    w.end_array();
    w.field("api_key", api_key).end_object();
    return json_response(201, w.take());
  });
}

void Api::Impl::post_tokens(Request& req, bool mint, Respond respond) {
  auto body = parse_object(req);
  if (!body) return respond(error_response(body.error()));
  Fields f(*body);
  engine::TokenCommand cmd;
  cmd.kind = mint ? engine::TokenCommand::Kind::kMint : engine::TokenCommand::Kind::kBurn;
  auto bank = read_bic(f, "bank");
  auto currency = read_currency(f, "currency");
  std::optional<int64_t> amount;
  if (currency) amount = read_amount(f, "amount", *currency, false);
  auto reference = f.text("reference", true, kMaxId35);
  if (reference && !is_token_text(*reference, kMaxId35)) {
    f.fail("reference", "must be printable ASCII without leading or trailing spaces", "FF01");
  }
  if (f.error()) return respond(error_response(*f.error()));
  cmd.bank = *bank;
  cmd.currency = *currency;
  cmd.amount_minor = *amount;
  cmd.reference = *reference;
  Principal admin{true, {}};
  submit(std::move(cmd), admin, std::move(respond), [reference = *reference, mint](Reply&& r) {
    if (r.outcome != Outcome::kOk && r.outcome != Outcome::kReplayed) return error_response(error_of(r));
    const auto& t = std::get<engine::TokenResult>(r.body);
    JsonWriter w;
    w.begin_object()
        .field("bank", t.bank)
        .field("currency", t.currency)
        .field("operation", mint ? "mint" : "burn")
        .field("reference", reference)
        .field("balance", amount_text(t.balance_minor, t.currency))
        .field("fiat_backing", amount_text(-t.omnibus_minor, t.currency))
        .key("replayed").boolean(r.outcome == Outcome::kReplayed)
        .end_object();
    return json_response(200, w.take());
  });
}

void Api::Impl::get_transaction(std::string_view id, const Principal& who, Respond respond) {
  auto row = store.get_payment(std::string(id));
  if (!row) return respond(error_response(ApiError{503, "store_unavailable", row.error().message, ""}));
  if (!row->has_value()) {
    return respond(error_response(ApiError{404, "transaction_not_found", "no transaction " + std::string(id), ""}));
  }
  const store::PaymentRow& p = **row;
  if (!who.sees_everything() && p.debtor_agent != who.bank && p.creditor_agent != who.bank) {
    return respond(error_response(ApiError{403, "forbidden", "the transaction does not involve " + who.bank, ""}));
  }
  JsonWriter w;
  write_payment_row(w, p);
  respond(json_response(200, w.take()));
}

namespace internal {
// Query parameters of a list request, decoded by Boost.URL.
std::map<std::string, std::string> query_params(const std::string& target) {
  std::map<std::string, std::string> out;
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return out;
  for (auto p : u->params()) out[std::string(p.key)] = std::string(p.value);
  return out;
}

// A path segment with %XX escapes decoded (a breaker id's ':' may arrive as %3A).
std::string url_decode(std::string_view segment) {
  auto v = boost::urls::make_pct_string_view(segment);
  return v ? v->decode() : std::string(segment);
}

tl::expected<Page, ApiError> read_page(const std::map<std::string, std::string>& q, int64_t max_limit) {
  auto limit = positive_int(q, "limit");
  auto cursor = positive_int(q, "cursor");
  if (!limit || !cursor) {
    return tl::unexpected(ApiError{400, "invalid_query", "limit and cursor must be non-negative integers", ""});
  }
  return Page{static_cast<int>(std::clamp<int64_t>(*limit == 0 ? 100 : *limit, 1, max_limit)), *cursor};
}

std::optional<int64_t> positive_int(const std::map<std::string, std::string>& q, const std::string& key) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return int64_t{0};
  int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < 0) return std::nullopt;
  return v;
}
}  // namespace internal

void Api::Impl::get_cases(const Request& req, Respond respond) {
  auto q = query_params(req.target);
  std::optional<store::CaseStatus> status;
  if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
    status = store::parse_case_status(it->second);
    if (!status) return respond(error_response(ApiError{400, "invalid_query", "status must be OPEN, APPROVED or REJECTED", ""}));
  }
  auto page = read_page(q, settings.list_limit_max);
  if (!page) return respond(error_response(page.error()));
  const int lim = page->limit;
  auto rows = store.list_cases(status, page->cursor, lim);
  if (!rows) return respond(error_response(ApiError{503, "store_unavailable", rows.error().message, ""}));
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& c : *rows) write_case(w, c);
  w.end_array();
  if (static_cast<int>(rows->size()) == lim) w.field("next_cursor", std::to_string(rows->back().id)); else w.key("next_cursor").null();
  w.end_object();
  respond(json_response(200, w.take()));
}

void Api::Impl::get_transactions(const Request& req, const Principal& who, Respond respond) {
  auto q = query_params(req.target);
  store::PaymentFilter filter;
  if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
    filter.status = store::parse_payment_status(it->second);
    if (!filter.status) {
      return respond(error_response(ApiError{400, "invalid_query", "status must be QUEUED, SETTLED or REJECTED", ""}));
    }
  }
  auto limit = positive_int(q, "limit");
  auto cursor = positive_int(q, "cursor");
  auto window = positive_int(q, "window_id");
  if (!limit || !cursor || !window) {
    return respond(error_response(ApiError{400, "invalid_query", "limit, cursor and window_id must be non-negative integers", ""}));
  }
  filter.limit = static_cast<int>(std::clamp<int64_t>(*limit == 0 ? 100 : *limit, 1, settings.list_limit_max));
  filter.before_seq = *cursor;
  filter.window_id = *window;
  if (auto it = q.find("currency"); it != q.end()) filter.currency = it->second;
  if (!who.sees_everything()) {
    filter.participant = who.bank;
  } else if (auto it = q.find("bank"); it != q.end()) {
    filter.participant = it->second;
  }
  auto rows = store.list_payments(filter);
  if (!rows) return respond(error_response(ApiError{503, "store_unavailable", rows.error().message, ""}));
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& p : *rows) write_payment_row(w, p);
  w.end_array();
  if (static_cast<int>(rows->size()) == filter.limit && !rows->empty()) {
    w.field("next_cursor", std::to_string(rows->back().seq));
  } else {
    w.key("next_cursor").null();
  }
  w.end_object();
  respond(json_response(200, w.take()));
}

void Api::Impl::get_windows(const Request& req, const Principal& who, Respond respond) {
  auto q = query_params(req.target);
  auto limit = positive_int(q, "limit");
  auto cursor = positive_int(q, "cursor");
  if (!limit || !cursor) {
    return respond(error_response(ApiError{400, "invalid_query", "limit and cursor must be non-negative integers", ""}));
  }
  engine::WindowQuery wq;
  wq.currency = q.count("currency") != 0 ? q["currency"] : "";
  wq.limit = static_cast<int>(std::clamp<int64_t>(*limit == 0 ? 100 : *limit, 1, settings.list_limit_max));
  wq.before_id = *cursor;
  int limit_value = wq.limit;
  submit(wq, who, std::move(respond), [who, limit_value](Reply&& r) {
    JsonWriter w;
    const auto& windows = std::get<std::vector<store::WindowRow>>(r.body);
    w.begin_object().key("items").begin_array();
    for (const auto& win : windows) write_window(w, win, who);
    w.end_array();
    if (static_cast<int>(windows.size()) == limit_value) {
      w.field("next_cursor", std::to_string(windows.back().id));
    } else {
      w.key("next_cursor").null();
    }
    w.end_object();
    return json_response(200, w.take());
  });
}

std::string Api::render_metrics() const {
  std::string out;
  out.reserve(16 << 10);
  {
    std::lock_guard lock(impl_->counters_mutex);
    metrics::render_header(out, "http_requests_total", "counter", "HTTP requests by method, route and status.");
    for (const auto& [labels, count] : impl_->requests_total) {
      metrics::render_sample(out, "http_requests_total", labels, static_cast<double>(count));
    }
    metrics::render_header(out, "http_request_duration_seconds", "histogram", "HTTP request latency by route.");
    for (const auto& [route, h] : impl_->durations) h->render(out, "http_request_duration_seconds", "route=\"" + route + "\"");
  }
  metrics::render_header(out, "http_requests_in_flight", "gauge", "HTTP requests being handled.");
  metrics::render_sample(out, "http_requests_in_flight", "", static_cast<double>(impl_->in_flight.value()));
  metrics::render_header(out, "errors_total", "counter", "Requests answered with a server error (5xx).");
  metrics::render_sample(out, "errors_total", "", static_cast<double>(impl_->errors_total.value()));

  const auto& em = impl_->engine.metrics();
  metrics::render_header(out, "transactions_processed_total", "counter", "Payments processed by final status of the step.");
  metrics::render_sample(out, "transactions_processed_total", "status=\"QUEUED\"", static_cast<double>(em.payments_queued.value()));
  metrics::render_sample(out, "transactions_processed_total", "status=\"REJECTED\"", static_cast<double>(em.payments_rejected.value()));
  metrics::render_sample(out, "transactions_processed_total", "status=\"HELD\"", static_cast<double>(em.payments_held.value()));
  metrics::render_sample(out, "transactions_processed_total", "status=\"SETTLED\"", static_cast<double>(em.payments_settled.value()));
  metrics::render_header(out, "compliance_reports_total", "counter", "CTR and SAR records filed by the AML rules.");
  metrics::render_sample(out, "compliance_reports_total", "kind=\"CTR\"", static_cast<double>(em.ctr_filed.value()));
  metrics::render_sample(out, "compliance_reports_total", "kind=\"SAR\"", static_cast<double>(em.sar_filed.value()));
  metrics::render_header(out, "risk_circuit_refusals_total", "counter", "Payments refused because a circuit breaker was open.");
  metrics::render_sample(out, "risk_circuit_refusals_total", "", static_cast<double>(em.circuit_refusals.value()));
  metrics::render_header(out, "risk_circuit_breakers_opened_total", "counter", "Circuit breakers that opened.");
  metrics::render_sample(out, "risk_circuit_breakers_opened_total", "", static_cast<double>(em.breakers_opened.value()));
  metrics::render_header(out, "netting_efficiency_ratio", "gauge", "1 - net/gross of the last settled window per currency.");
  for (const auto& [currency, ppm] : impl_->engine.efficiency_by_currency()) {
    metrics::render_sample(out, "netting_efficiency_ratio", "currency=\"" + currency + "\"", static_cast<double>(ppm) / 1e6);
  }
  metrics::render_header(out, "clearing_windows_settled_total", "counter", "Clearing windows netted and settled.");
  metrics::render_sample(out, "clearing_windows_settled_total", "", static_cast<double>(em.windows_settled.value()));
  metrics::render_header(out, "core_batch_size", "histogram", "Commands per group commit.");
  em.batch_size.render(out, "core_batch_size");
  metrics::render_header(out, "core_commit_latency_seconds", "histogram", "Store transaction time per group commit.");
  em.commit_latency_us.render(out, "core_commit_latency_seconds");
  metrics::render_header(out, "core_commits_total", "counter", "Group commits written.");
  metrics::render_sample(out, "core_commits_total", "", static_cast<double>(em.commits.value()));
  metrics::render_header(out, "core_commit_failures_total", "counter", "Group commits the store refused.");
  metrics::render_sample(out, "core_commit_failures_total", "", static_cast<double>(em.commit_failures.value()));
  metrics::render_header(out, "core_queue_depth", "gauge", "Commands waiting for the core.");
  metrics::render_sample(out, "core_queue_depth", "", static_cast<double>(em.queue_depth.value()));
  metrics::render_header(out, "core_ready", "gauge", "1 when the core has its state and accepts commands.");
  metrics::render_sample(out, "core_ready", "", impl_->engine.ready() ? 1.0 : 0.0);
  return out;
}

}  // namespace deltran::gateway
