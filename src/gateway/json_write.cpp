// Writing answers: errors with their stable code and ISO 20022 reason, and the domain's
// records as the API shows them. Written directly (no DOM) on the hot path.
#include <cstdio>

#include <deltran/money/amount.hpp>

#include "api_impl.hpp"

namespace deltran::gateway {

Response json_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string error_body(const ApiError& e, const engine::PaymentResult* payment) {
  JsonWriter w;
  w.begin_object().key("error").begin_object().field("code", api_code(e.rc)).field("message", e.message);
  if (iso_reason(e.rc).empty()) {
    w.key("reason").null();
  } else {
    w.field("reason", iso_reason(e.rc));
  }
  w.end_object();
  if (payment != nullptr) {
    w.field("id", payment->id).field("uetr", payment->uetr).field("status", model::to_string(payment->status));
  }
  w.end_object();
  return w.take();
}

Response error_response(const ApiError& e, int64_t retry_after_s) {
  Response r = json_response(http_status(e.rc), error_body(e));
  if (r.status == 401) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  if (r.status == 503 || r.status == 429) {
    r.headers.emplace_back("Retry-After", std::to_string(retry_after_s > 0 ? retry_after_s : 1));
  }
  return r;
}

ApiError error_of(const Reply& r) { return ApiError{r.rc, r.message}; }

std::string currency_text(CurrencyId currency) {
  const money::Currency* c = money::find_currency(currency);
  return c != nullptr ? std::string(c->code) : std::string();
}

std::string amount_text(int64_t minor, CurrencyId currency) { return money::format_minor(minor, currency); }

std::string ratio_text(int64_t ppm) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld.%06lld", static_cast<long long>(ppm / 1'000'000),
                static_cast<long long>(ppm % 1'000'000));
  return buf;
}

void write_payment(JsonWriter& w, const model::Payment& p) {
  w.begin_object()
      .field("id", p.id)
      .field("uetr", p.uetr)
      .field("end_to_end_id", p.end_to_end_id)
      .field("status", model::to_string(p.status));
  if (iso_reason(p.rc).empty() || p.status != model::PaymentStatus::kRejected) {
    w.key("reason").null();
  } else {
    w.field("reason", iso_reason(p.rc));
  }
  if (p.reason_text.empty()) w.key("reason_text").null(); else w.field("reason_text", p.reason_text);
  w.field("amount", amount_text(p.amount.minor, p.amount.currency))
      .field("currency", currency_text(p.amount.currency))
      .field("debtor_agent", p.debtor_agent)
      .field("creditor_agent", p.creditor_agent);
  w.key("debtor").begin_object().field("name", p.debtor.name).field("account", p.debtor.account).end_object();
  w.key("creditor").begin_object().field("name", p.creditor.name).field("account", p.creditor.account).end_object();
  w.field("remittance_info", p.remittance_info);
  if (p.window_id == 0) w.key("window_id").null(); else w.field("window_id", p.window_id);
  if (p.case_id != 0) w.field("case_id", p.case_id);
  if (!p.quote_id.empty()) {
    // A cross-currency payment: what the creditor receives, and the obligations it became.
    const model::PaymentLeg& credited = p.legs.back();
    w.field("quote_id", p.quote_id)
        .field("credited_amount", amount_text(credited.amount.minor, credited.amount.currency))
        .field("credited_currency", currency_text(credited.amount.currency))
        .key("legs").begin_array();
    for (const auto& l : p.legs) {
      w.begin_object().field("debtor_agent", l.debtor_agent).field("creditor_agent", l.creditor_agent)
          .field("amount", amount_text(l.amount.minor, l.amount.currency)).field("currency", currency_text(l.amount.currency));
      if (l.window_id == 0) w.key("window_id").null(); else w.field("window_id", l.window_id);
      w.end_object();
    }
    w.end_array();
  }
  w.field("channel", p.channel)
      .field("created_at", format_rfc3339(p.created_us))
      .field("updated_at", format_rfc3339(p.updated_us))
      .end_object();
}

void write_window(JsonWriter& w, const model::Window& win, const Principal& who) {
  w.begin_object()
      .field("id", win.id)
      .field("currency", currency_text(win.currency))
      .field("status", model::to_string(win.status))
      .field("opened_at", format_rfc3339(win.opened_us));
  if (win.closed_us == 0) w.key("closed_at").null(); else w.field("closed_at", format_rfc3339(win.closed_us));
  w.field("payment_count", win.payment_count)
      .field("gross", amount_text(win.gross_minor, win.currency))
      .field("net", amount_text(win.net_minor, win.currency))
      .field("bilateral_net", amount_text(win.bilateral_minor, win.currency));
  if (win.status == model::WindowStatus::kSettled) {
    w.key("efficiency").raw_number(ratio_text(win.efficiency_ppm));
    w.key("bilateral_efficiency").raw_number(ratio_text(win.bilateral_efficiency_ppm));
  } else {
    w.key("efficiency").null();
    w.key("bilateral_efficiency").null();
  }
  w.key("positions").begin_array();
  for (const auto& p : win.positions) {
    if (!who.sees_everything() && p.bank != who.bank) continue;  // a participant sees only its own position
    w.begin_object().field("bank", p.bank).field("net", amount_text(p.net_minor, win.currency)).end_object();
  }
  w.end_array().end_object();
}

void write_clearing_ids(JsonWriter& w, const model::Participant& b) {
  w.key("clearing_ids").begin_array();
  for (const auto& id : b.clearing_ids) w.begin_object().field("system", id.system).field("member_id", id.member_id).end_object();
  w.end_array();
}

void write_bank(JsonWriter& w, const model::Participant& b, bool with_caps) {
  w.begin_object().field("id", b.bic).field("name", b.name).field("country", b.country);
  w.key("currencies").begin_array();
  for (auto c : b.currencies) w.string(currency_text(c));
  w.end_array();
  write_clearing_ids(w, b);
  w.key("roles").begin_array();
  if (b.fx_provider) w.string("fx_provider");
  w.end_array();
  if (with_caps) {
    w.key("net_debit_cap").begin_object();
    for (auto c : b.currencies) {
      auto it = b.net_debit_cap_minor.find(c);
      w.field(currency_text(c), amount_text(it == b.net_debit_cap_minor.end() ? 0 : it->second, c));
    }
    w.end_object();
  }
  w.field("created_at", format_rfc3339(b.created_us)).end_object();
}

void write_case(JsonWriter& w, const model::Case& c) {
  w.begin_object()
      .field("id", c.id)
      .field("payment_id", c.payment_id)
      .field("debtor_agent", c.debtor_agent)
      .field("creditor_agent", c.creditor_agent)
      .field("status", model::to_string(c.status))
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

void write_event(JsonWriter& w, const model::Event& e) {
  w.begin_object()
      .field("seq", e.seq)
      .field("type", model::to_string(e.type))
      .field("time", format_rfc3339(e.time_us))
      .field("actor", e.actor)
      .field("entity", e.entity);
  w.key("participants").begin_array();
  if (!e.party_a.empty()) w.string(e.party_a);
  if (!e.party_b.empty()) w.string(e.party_b);
  w.end_array();
  w.key("data").raw_number(e.payload.empty() ? "{}" : e.payload);  // stored as compact JSON
  w.end_object();
}

}  // namespace deltran::gateway
