// Risk and AML endpoints: /risk/evaluate (a payment scored as the core would, nothing
// recorded), /risk/circuit-breakers (list, reset) and /compliance/reports (CTR and SAR
// records).
#include <algorithm>

#include "api_impl.hpp"
#include "json_writer.hpp"

namespace deltran::gateway {

using namespace internal;

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
  if (r.outcome != Outcome::kOk) return error_response(error_of(r));
  const auto& v = std::get<engine::RiskReport>(r.body);
  JsonWriter w;
  w.begin_object().field("decision", v.decision).field("explanation", v.explanation);
  if (v.amount_usd_minor) w.field("amount_usd", amount_text(*v.amount_usd_minor, "USD")); else w.key("amount_usd").null();
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

}  // namespace

void Api::Impl::post_risk_evaluate(Request& req, const Principal& who, Respond respond) {
  auto body = parse_object(req);
  if (!body) return respond(error_response(body.error()));
  // The compliance officer may evaluate any payment; a participant only its own.
  Principal as = who;
  if (who.compliance) as.admin = true;
  auto cmd = read_transfer(*body, as);
  if (!cmd) return respond(error_response(cmd.error()));
  submit(engine::RiskQuery{std::move(*cmd)}, who, std::move(respond), render_report);
}

void Api::Impl::get_breakers(const Principal& who, Respond respond) {
  submit(engine::BreakersQuery{}, who, std::move(respond), [who](Reply&& r) {
    if (r.outcome != Outcome::kOk) return error_response(error_of(r));
    const auto& all = std::get<std::vector<engine::BreakerView>>(r.body);
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

void Api::Impl::post_breaker_reset(std::string id, const Principal& who, Respond respond) {
  submit(engine::ResetBreakerCommand{std::move(id)}, who, std::move(respond), [](Reply&& r) {
    if (r.outcome != Outcome::kOk) return error_response(error_of(r));
    JsonWriter w;
    write_breaker(w, std::get<engine::BreakerView>(r.body));
    return json_response(200, w.take());
  });
}

void Api::Impl::get_aml_reports(const Request& req, Respond respond) {
  auto q = query_params(req.target);
  std::string kind;
  if (auto it = q.find("kind"); it != q.end() && !it->second.empty()) {
    kind = it->second;
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (kind != "CTR" && kind != "SAR") {
      return respond(error_response(ApiError{400, "invalid_query", "kind must be CTR or SAR", ""}));
    }
  }
  auto page = read_page(q, settings.list_limit_max);
  if (!page) return respond(error_response(page.error()));
  const int lim = page->limit;
  auto rows = store.list_aml_reports(kind, page->cursor, lim);
  if (!rows) return respond(error_response(ApiError{503, "store_unavailable", rows.error().message, ""}));
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& r : *rows) {
    w.begin_object()
        .field("id", r.id)
        .field("kind", r.kind)
        .field("payment_id", r.payment_id)
        .field("debtor_agent", r.debtor_agent)
        .field("creditor_agent", r.creditor_agent)
        .field("debtor", r.debtor)
        .field("creditor", r.creditor)
        .field("amount", amount_text(r.amount_minor, r.currency))
        .field("currency", r.currency)
        .field("amount_usd", amount_text(r.amount_usd_minor, "USD"))
        .field("score", r.score)
        .key("rules").begin_array();
    size_t start = 0;
    while (start < r.rules.size()) {
      size_t comma = r.rules.find(',', start);
      if (comma == std::string::npos) comma = r.rules.size();
      w.string(std::string_view(r.rules).substr(start, comma - start));
      start = comma + 1;
    }
    w.end_array().field("narrative", r.narrative).field("created_at", format_rfc3339(r.created_us)).end_object();
  }
  w.end_array();
  if (static_cast<int>(rows->size()) == lim) w.field("next_cursor", std::to_string(rows->back().id)); else w.key("next_cursor").null();
  w.end_object();
  respond(json_response(200, w.take()));
}

}  // namespace deltran::gateway
