// Risk: a participant's limits (read from the read view, set through the core),
// /risk/evaluate (a payment scored as the core would, nothing recorded) and the circuit
// breakers. Evaluations run on the reader pool against the core's live state.
#include <boost/json.hpp>

#include <algorithm>

#include <deltran/money/currency.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {

namespace json = boost::json;

namespace {

void write_factors(JsonWriter& w, const std::vector<engine::FactorView>& factors) {
  w.begin_array();
  for (const auto& f : factors) {
    // contribution_centi is score × weight%: the factor's points in the score, to 2 decimals.
    std::string points = std::to_string(f.contribution_centi / 100) + "." +
                         (f.contribution_centi % 100 < 10 ? "0" : "") + std::to_string(f.contribution_centi % 100);
    w.begin_object()
        .field("name", f.name)
        .field("score", int64_t{f.score})
        .field("weight_percent", int64_t{f.weight_percent})
        .key("contribution").raw_number(points)
        .end_object();
  }
  w.end_array();
}

void write_breaker(JsonWriter& w, const engine::BreakerView& b) {
  w.begin_object()
      .field("id", b.id)
      .field("scope", b.scope)
      .field("key", b.key)
      .field("state", b.state)
      .field("bad_in_window", int64_t{b.bad_in_window})
      .field("total_in_window", int64_t{b.total_in_window})
      .field("times_opened", static_cast<int64_t>(b.times_opened));
  if (b.opened_at_us == 0) w.key("opened_at").null(); else w.field("opened_at", format_rfc3339(b.opened_at_us));
  if (b.retry_after_s == 0) w.key("retry_after_s").null(); else w.field("retry_after_s", b.retry_after_s);
  w.end_object();
}

Response render_report(Reply&& r) {
  if (!is_success(r.rc)) return error_response(error_of(r), r.retry_after_s);
  const auto& v = std::get<engine::RiskReport>(r.body);
  JsonWriter w;
  w.begin_object().field("decision", v.decision).field("explanation", v.explanation);
  if (v.amount_usd_minor) w.field("amount_usd", money::format_amount(*v.amount_usd_minor, 2)); else w.key("amount_usd").null();
  w.field("corridor", v.corridor).field("debtor_key", v.debtor_key).field("creditor_key", v.creditor_key);
  w.key("risk");
  if (!v.risk_enabled) {
    w.null();
  } else {
    w.begin_object().field("score", int64_t{v.risk_score}).field("decision", v.risk_decision).key("factors");
    write_factors(w, v.risk_factors);
    w.end_object();
  }
  w.key("aml");
  if (!v.aml_enabled) {
    w.null();
  } else {
    w.begin_object()
        .field("score", int64_t{v.aml_score})
        .field("decision", v.aml_decision)
        .field("rating", v.aml_rating)
        .field("reason", v.aml_reason)
        .key("ctr_required").boolean(v.ctr_required)
        .key("sar_required").boolean(v.sar_required)
        .key("rules").begin_array();
    for (const auto& rule : v.aml_rules) w.string(rule);
    w.end_array().key("factors");
    write_factors(w, v.aml_factors);
    w.end_object();
  }
  w.end_object();
  return json_response(200, w.take());
}

Response render_limits(const engine::LimitsView& v) {
  JsonWriter w;
  w.begin_object().field("bank", v.bank).key("limits").begin_object();
  for (const auto& c : v.currencies) {
    w.key(currency_text(c.currency)).begin_object();
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
}

}  // namespace

void Api::Impl::get_limits(Call& c) {
  const std::string bank = bank_in_path(c.params[0]);
  if (!c.who.may_read(bank)) {
    return c.respond(error_response(ApiError{Rc::kForbidden, "a participant sees only its own limits"}));
  }
  auto view = core.view();
  const engine::ParticipantView* p = view->find(bank);
  if (p == nullptr) return c.respond(error_response(ApiError{Rc::kBankNotFound, "bank " + bank + " does not exist"}));
  engine::LimitsView v;
  v.bank = bank;
  for (const auto& a : p->accounts) {
    v.currencies.push_back({a.currency, a.single_payment_max_minor, a.daily_volume_max_minor, a.net_debit_cap_minor,
                            a.used_today_minor});
  }
  c.respond(render_limits(v));
}

void Api::Impl::put_limits(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  engine::SetLimitsCommand cmd;
  cmd.bank = bank_in_path(c.params[0]);
  Fields f(*body);
  for (const auto& [k, v] : *body) {
    CurrencyId currency = money::currency_id(k);
    if (!currency.valid() || !v.is_object()) {
      f.fail(k, "must be an ISO 4217 code holding an object of limits", Rc::kUnknownCurrency);
      break;
    }
    Fields cf(v.as_object(), std::string(k) + ".");
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
  if (f.error()) return c.respond(error_response(*f.error()));
  if (cmd.by_currency.empty()) {
    return c.respond(error_response(ApiError{Rc::kInvalidField,
                                             "name at least one currency, e.g. {\"USD\":{\"single_payment_max\":\"50000.00\"}}"}));
  }
  submit(std::move(cmd), c.who, std::move(c.respond), [](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    return render_limits(std::get<engine::LimitsView>(r.body));
  });
}

void Api::Impl::post_risk_evaluate(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  // The compliance officer and the operator may evaluate any payment; a participant its own.
  auto cmd = read_transfer(*body, c.who);
  if (!cmd) return c.respond(error_response(cmd.error()));
  read(std::move(c.respond), [this, cmd = std::move(*cmd)]() { return render_report(core.evaluate_risk(cmd)); });
}

void Api::Impl::get_breakers(Call& c) {
  read(std::move(c.respond), [this, who = c.who]() -> Response {
    const auto all = core.breakers();
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    for (const auto& b : all) {
      // A participant sees its own breaker and the corridors (they are shared).
      if (!who.sees_everything() && b.scope == "participant" && b.key != who.bank) continue;
      write_breaker(w, b);
    }
    w.end_array().end_object();
    return json_response(200, w.take());
  });
}

void Api::Impl::post_breaker_reset(Call& c) {
  submit(engine::ResetBreakerCommand{c.params[0]}, c.who, std::move(c.respond), [](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    JsonWriter w;
    write_breaker(w, std::get<engine::BreakerView>(r.body));
    return json_response(200, w.take());
  });
}

}  // namespace deltran::gateway
