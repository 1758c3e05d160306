// The stateful compliance and risk controls of the core: the AML rules that need a
// debtor's history (velocity, structuring, similar amounts, round trips, new
// counterparties, failures), the risk score, the circuit breakers, and the CTR/SAR records.
// Screening (stateless, parallel) has already run in the gateway; these run on the core's
// thread because their counters must see every payment in order. Their memory changes only
// through events (record_outcome is called by apply), so a replay rebuilds it.
#include <algorithm>
#include <string>
#include <utility>

#include <deltran/compliance/aml_reports.hpp>
#include <deltran/core/assert.hpp>
#include <deltran/core/json_writer.hpp>
#include <deltran/core/text.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

constexpr int64_t kDayUs = 86'400'000'000;

std::string country_of(const Party& party, const Participant& agent) {
  return !party.country.empty() ? party.country : agent.info.country;
}

// The liquidity router's prediction (fx::predict_counterflow): how likely the debtor's
// inflow in the currency offsets this payment before the window closes, from its recent
// windows and what the open window holds.
void counterflow(const Engine::State& s, const Participant& debtor, const Amount& amount, risk::RiskInput& in) {
  const fx::Prediction p = s.predict(debtor.id, amount);
  in.counterflow_probability_permille = p.probability_permille;
  if (p.probability_permille) in.counterflow_confidence_permille = p.confidence_permille;
}

risk::Outcome breaker_outcome(Ending e) {
  switch (e) {
    case Ending::kInsufficientLiquidity: return risk::Outcome::kFailure;
    case Ending::kLimitBreach: return risk::Outcome::kLimitBreach;
    case Ending::kRiskRejected: return risk::Outcome::kRejection;
    default: return risk::Outcome::kSuccess;
  }
}

std::string breaker_id(risk::BreakerScope scope, const std::string& key) {
  return std::string(risk::to_string(scope)) + ":" + key;
}

BreakerView breaker_view(risk::BreakerScope scope, const std::string& key, const risk::BreakerSnapshot& snap,
                         const risk::BreakerSettings& settings, int64_t now_us) {
  BreakerView v;
  v.id = breaker_id(scope, key);
  v.scope = std::string(risk::to_string(scope));
  v.key = key;
  v.state = std::string(risk::to_string(snap.state));
  v.bad_in_window = snap.bad_in_window;
  v.total_in_window = snap.total_in_window;
  v.opened_at_us = snap.opened_at_us;
  v.times_opened = snap.times_opened;
  if (snap.state == risk::BreakerState::kOpen) {
    v.retry_after_s = std::max<int64_t>(1, (snap.opened_at_us + settings.open_duration_us - now_us + 999'999) / 1'000'000);
  }
  return v;
}

void append_factor(std::string& out, std::string_view name, int score, int weight, int weighted) {
  out += "{\"name\":";
  append_json_string(out, name);
  out += ",\"score\":" + std::to_string(score) + ",\"weight_percent\":" + std::to_string(weight) +
         ",\"contribution\":" + std::to_string(weighted / 100) + "." + (weighted % 100 < 10 ? "0" : "") +
         std::to_string(weighted % 100) + "}";
}

// ",\"factors\":[…]" for the AML or the risk factors (same fields, different types).
template <typename Factors>
void append_factors(std::string& out, const Factors& factors) {
  out += ",\"factors\":[";
  bool first = true;
  for (const auto& f : factors) {
    if (!first) out += ',';
    first = false;
    append_factor(out, f.name, f.score, f.weight_percent, f.weighted);
  }
  out += ']';
}

compliance::AmlPayment aml_payment_of(const ev::PaymentData& p, int64_t time_us) {
  compliance::AmlPayment a;
  a.payment_id = p.id;
  a.debtor = party_key(p.debtor_agent, p.debtor.account, p.debtor.name);
  a.creditor = party_key(p.creditor_agent, p.creditor.account, p.creditor.name);
  a.amount_usd_minor = p.amount_usd_minor.value_or(0);
  a.time_us = time_us;
  return a;
}

}  // namespace

// The party as the counters key it: the agent and the customer's account, else its name
// folded to upper case with single spaces, else the agent alone (the bank's own payment).
std::string party_key(const std::string& agent, const std::string& account, const std::string& name) {
  std::string key = agent;
  key += '/';
  if (!account.empty()) {
    key += account;
    return key;
  }
  key += '~';  // a name, not an account
  bool space = false;
  for (char ch : name) {
    if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
      space = key.back() != '~';
      continue;
    }
    if (space) key += ' ';
    space = false;
    key += (ch >= 'a' && ch <= 'z') ? static_cast<char>(ch - 'a' + 'A') : ch;
  }
  return key;
}

std::string corridor_of(const Participant& debtor, const Participant& creditor) {
  return debtor.info.country + "-" + creditor.info.country;
}

std::string explain(const Assessment& a) {
  std::string out;
  if (a.aml) {
    out += "\"aml\":{\"score\":" + std::to_string(a.aml->score) + ",\"decision\":";
    append_json_string(out, compliance::to_string(a.aml->decision));
    out += ",\"rules\":[";
    for (size_t i = 0; i < a.aml->rules.size(); ++i) {
      if (i > 0) out += ',';
      append_json_string(out, compliance::to_string(a.aml->rules[i]));
    }
    out += "],\"reason\":";
    append_json_string(out, a.aml->reason);
    append_factors(out, a.aml->factors);
    out += '}';
  }
  if (a.risk) {
    if (!out.empty()) out += ',';
    out += "\"risk\":{\"score\":" + std::to_string(a.risk->score) + ",\"decision\":";
    append_json_string(out, risk::to_string(a.risk->decision));
    append_factors(out, a.risk->factors);
    out += '}';
  }
  return out;
}

void ParticipantHistory::add(int64_t now_us, bool failed) {
  const int64_t d = now_us / kDayUs;
  const size_t slot = static_cast<size_t>(d % kDays);
  if (day[slot] != d) {
    day[slot] = d;
    payments[slot] = 0;
    failures[slot] = 0;
  }
  ++payments[slot];
  if (failed) ++failures[slot];
}

std::pair<uint64_t, uint64_t> ParticipantHistory::totals(int64_t now_us) const {
  const int64_t today = now_us / kDayUs;
  uint64_t p = 0, f = 0;
  for (size_t i = 0; i < kDays; ++i) {
    if (day[i] > today - kDays && day[i] <= today) {
      p += payments[i];
      f += failures[i];
    }
  }
  return {p, f};
}

Assessment assess_payment(const Engine::State& s, const Settings& settings, const TransferCommand& c,
                          const Participant& debtor, const Participant& creditor, int64_t now_us) {
  const Controls& k = settings.controls;
  const std::string_view currency = money::code_of(c.amount.currency);
  Assessment a;
  a.report.debtor_key = party_key(c.debtor_agent, c.debtor.account, c.debtor.name);
  a.report.creditor_key = party_key(c.creditor_agent, c.creditor.account, c.creditor.name);
  a.report.amount_usd_minor = k.usd_rates.to_usd_minor(c.amount.minor, currency);
  a.report.corridor = corridor_of(debtor, creditor);

  compliance::AmlPayment& p = a.aml_payment;
  p.payment_id = c.id;
  p.debtor = a.report.debtor_key;
  p.creditor = a.report.creditor_key;
  p.debtor_country = country_of(c.debtor, debtor);
  p.creditor_country = country_of(c.creditor, creditor);
  // Without a reference rate the amount rules see nothing (the node warns at start).
  p.amount_usd_minor = a.report.amount_usd_minor.value_or(0);
  p.purpose = c.remittance_info;
  p.pep = c.screening.decision == Screening::Decision::kReview;
  p.time_us = now_us;
  const compliance::AmlHistoryFacts facts = s.controls.aml->facts(p);
  p.debtor_failed_payments_30d = facts.failed_payments_30d;
  if (k.aml_enabled) a.aml = compliance::assess_aml(k.aml, p, facts);

  if (k.risk_enabled) {
    risk::RiskInput in;
    in.amount_usd_minor = p.amount_usd_minor;
    in.source_currency = in.target_currency = std::string(currency);
    // A payment at a quote is credited in the quote's target currency: its corridor is that pair.
    if (!c.quote_id.empty()) {
      if (auto q = s.quotes.find(c.quote_id); q != s.quotes.end()) {
        in.target_currency = std::string(money::code_of(q->second.path.hops.back().to));
      }
    }
    in.debtor_country = p.debtor_country;
    in.creditor_country = p.creditor_country;
    in.payments_last_hour = facts.payments_in_rapid_window;
    in.payments_last_day = facts.payments_in_day;
    std::tie(in.history_payments, in.history_failures) = debtor.history.totals(now_us);
    counterflow(s, debtor, c.amount, in);
    a.risk = risk::evaluate(k.risk, in);
  }
  return a;
}

Ending ending_of(Rc rc) {
  switch (rc) {
    case Rc::kInsufficientLiquidity: return Ending::kInsufficientLiquidity;
    case Rc::kSinglePaymentLimit:
    case Rc::kDailyLimit:
    case Rc::kCounterOverflow: return Ending::kLimitBreach;
    case Rc::kRiskRejected: return Ending::kRiskRejected;
    default: return Ending::kComplianceBlocked;  // RR04: the customer's, not the participant's health
  }
}

void record_outcome(Engine::State& s, const Settings& settings, const ev::PaymentData& p, Ending ending,
                    int64_t time_us) {
  s.breakers_opened = {};
  if (ending == Ending::kComplianceBlocked) return;
  const Controls& k = settings.controls;
  Participant* debtor = s.find(p.debtor_agent);
  const Participant* creditor = s.find(p.creditor_agent);
  DELTRAN_ASSERT(debtor != nullptr && creditor != nullptr, "a decided payment names participants");
  const bool failed = ending == Ending::kInsufficientLiquidity || ending == Ending::kLimitBreach ||
                      ending == Ending::kRiskRejected;
  if (k.breakers_enabled) {
    const std::string corridor = corridor_of(*debtor, *creditor);
    // The decision saw the breakers allow it; a half-open breaker's probe slot is taken here.
    (void)s.controls.breakers.allow_payment(p.debtor_agent, corridor, time_us);
    s.breakers_opened = s.controls.breakers.record_payment(p.debtor_agent, corridor, breaker_outcome(ending), time_us);
  }
  debtor->history.add(time_us, failed);
  const compliance::AmlPayment a = aml_payment_of(p, time_us);
  if (ending == Ending::kQueued || ending == Ending::kHeld) {
    s.controls.aml->record(a);
  } else {
    s.controls.aml->record_failure(a.debtor, time_us);
  }
}

void tell_breakers_opened(Context& cx, const std::string& debtor_agent, const std::string& corridor,
                          const std::string& payment_id) {
  const auto opened = cx.s.breakers_opened;
  cx.s.breakers_opened = {};
  for (auto [scope, key, now_open] : {std::tuple{risk::BreakerScope::kParticipant, debtor_agent, opened.participant},
                                      std::tuple{risk::BreakerScope::kCorridor, corridor, opened.corridor}}) {
    if (!now_open) continue;
    JsonWriter w;
    w.begin_object().field("breaker", breaker_id(scope, key)).field("after_payment", payment_id).end_object();
    emit(cx, ev::Notice{model::EventType::kBreakerOpened, breaker_id(scope, key),
                        scope == risk::BreakerScope::kParticipant ? debtor_agent : std::string(), {},
                        model::EventScope::kParties, w.take()});
    ++cx.s.counts.breakers_opened;
  }
}

void file_reports(Context& cx, const TransferCommand& c, const Assessment& a) {
  Engine::State& s = cx.s;
  const Settings& settings = cx.settings;
  if (!a.aml || (!a.aml->ctr_required && !a.aml->sar_required)) return;
  std::string rules;
  for (size_t i = 0; i < a.aml->rules.size(); ++i) {
    if (i > 0) rules += ',';
    rules += compliance::to_string(a.aml->rules[i]);
  }
  auto row = [&](const char* kind, int64_t id) {
    model::AmlReport r;
    r.id = id;
    r.kind = kind;
    r.payment_id = c.id;
    r.debtor_agent = c.debtor_agent;
    r.creditor_agent = c.creditor_agent;
    r.debtor = a.report.debtor_key;
    r.creditor = a.report.creditor_key;
    r.amount = c.amount;
    r.amount_usd_minor = a.aml_payment.amount_usd_minor;
    r.score = a.aml->score;
    r.rules = rules;
    r.created_us = s.now_us;
    return r;
  };
  if (auto ctr = compliance::make_ctr(settings.controls.aml, a.aml_payment, *a.aml)) {
    model::AmlReport r = row("CTR", s.controls.last_report_id + 1);
    r.narrative = "amount " + format_minor(c.amount.minor, c.amount.currency) + " " +
                  std::string(money::code_of(c.amount.currency)) + " (USD " + money::format_amount(ctr->amount_usd_minor, 2) +
                  ") above the CTR threshold of USD " + money::format_amount(ctr->threshold_usd_minor, 2);
    emit(cx, ev::ReportFiled{r.id, "CTR", c.id, r.debtor, c.debtor_agent, c.creditor_agent, rules, r.score});
    ++s.counts.ctr;
    s.batch.aml_reports.push_back(std::move(r));
  }
  if (!a.aml->sar_required) return;
  auto last = s.controls.last_sar.find(a.report.debtor_key);
  if (last != s.controls.last_sar.end() && s.now_us - last->second < settings.controls.sar_interval_us) return;
  if (auto sar = compliance::make_sar(a.aml_payment, *a.aml)) {
    model::AmlReport r = row("SAR", s.controls.last_report_id + 1);
    r.narrative = sar->narrative;
    emit(cx, ev::ReportFiled{r.id, "SAR", c.id, r.debtor, c.debtor_agent, c.creditor_agent, rules, r.score});
    s.batch.aml_reports.push_back(std::move(r));
    ++s.counts.sar;
  }
}

void prune_controls(Engine::State& s, const Settings& settings) {
  s.controls.aml->prune(s.now_us);
  std::erase_if(s.controls.last_sar,
                [&](const auto& kv) { return s.now_us - kv.second >= settings.controls.sar_interval_us; });
}

Reply evaluate(const Engine::State& s, const Settings& settings, const TransferCommand& c, int64_t now_us) {
  if (auto sending = sending_side(s, c)) return evaluate(s, settings, *sending, now_us);  // scored as it would be decided
  const Participant* debtor = s.find(c.debtor_agent);
  const Participant* creditor = s.find(c.creditor_agent);
  if (debtor == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.debtor_agent + " is not a participant");
  if (creditor == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.creditor_agent + " is not a participant");
  Assessment a = assess_payment(s, settings, c, *debtor, *creditor, now_us);
  const bool breaker_open = settings.controls.breakers_enabled &&
                            !s.controls.breakers.would_allow_payment(c.debtor_agent, a.report.corridor, now_us);
  RiskReport& r = a.report;
  r.risk_enabled = a.risk.has_value();
  if (a.risk) {
    r.risk_score = a.risk->score;
    r.risk_decision = std::string(risk::to_string(a.risk->decision));
    for (const auto& f : a.risk->factors) r.risk_factors.push_back({std::string(f.name), f.score, f.weight_percent, f.weighted});
  }
  r.aml_enabled = a.aml.has_value();
  if (a.aml) {
    r.aml_score = a.aml->score;
    r.aml_decision = std::string(compliance::to_string(a.aml->decision));
    r.aml_rating = std::string(compliance::to_string(a.aml->rating));
    r.ctr_required = a.aml->ctr_required;
    r.sar_required = a.aml->sar_required;
    r.aml_reason = a.aml->reason;
    for (auto rule : a.aml->rules) r.aml_rules.emplace_back(compliance::to_string(rule));
    for (const auto& f : a.aml->factors) r.aml_factors.push_back({std::string(f.name), f.score, f.weight_percent, f.weighted});
  }
  const bool aml_review = a.aml && a.aml->decision != compliance::AmlDecision::kAllow;
  const bool risk_review = a.risk && a.risk->decision == risk::RiskDecision::kReview;
  if (c.screening.decision == Screening::Decision::kBlock) {
    r.decision = "REJECT";
    r.explanation = "blocked by compliance screening: " + c.screening.summary;
  } else if (breaker_open) {
    r.decision = "REFUSE";
    r.explanation = "a circuit breaker of " + c.debtor_agent + " or corridor " + r.corridor + " is open";
  } else if (a.risk && a.risk->decision == risk::RiskDecision::kReject) {
    r.decision = "REJECT";
    r.explanation = "risk score " + std::to_string(a.risk->score) + " is above " + std::to_string(settings.controls.risk.review_max);
  } else if (c.screening.decision == Screening::Decision::kReview || aml_review || risk_review) {
    r.decision = "HOLD";
    r.explanation = c.screening.decision == Screening::Decision::kReview ? "screening: " + c.screening.summary
                    : aml_review ? "AML: " + a.aml->reason
                                 : "risk score " + std::to_string(a.risk->score) + " in the review band";
  } else {
    r.decision = "ACCEPT";
    r.explanation = (a.risk ? "risk " + std::string(risk::to_string(a.risk->decision)) : std::string("risk score off")) +
                    (a.aml ? ", AML " + std::string(compliance::to_string(a.aml->decision)) : std::string(", AML off")) +
                    "; limits and liquidity are checked when the payment is sent";
  }
  Reply reply;
  reply.body = std::move(r);
  return reply;
}

std::vector<BreakerView> breaker_views(const Engine::State& s, const Settings& settings, int64_t now_us) {
  std::vector<BreakerView> out;
  for (const auto& e : s.controls.breakers.snapshot(now_us)) {
    out.push_back(breaker_view(e.scope, e.key, e.snapshot, settings.controls.breakers, now_us));
  }
  return out;
}

Reply apply_reset_breaker_checks(const Engine::State& s, const ResetBreakerCommand& c, int64_t now_us) {
  const size_t colon = c.id.find(':');
  const std::string scope_text = colon == std::string::npos ? "" : c.id.substr(0, colon);
  const std::string key = colon == std::string::npos ? "" : c.id.substr(colon + 1);
  risk::BreakerScope scope;
  if (scope_text == "participant") {
    scope = risk::BreakerScope::kParticipant;
  } else if (scope_text == "corridor") {
    scope = risk::BreakerScope::kCorridor;
  } else {
    return error_reply(Rc::kInvalidBreakerId, "breaker id must be participant:<bank> or corridor:<corridor>, got '" + c.id + "'");
  }
  if (!s.controls.breakers.find(scope, key, now_us)) {
    return error_reply(Rc::kBreakerNotFound, "no circuit breaker '" + c.id + "'");
  }
  return Reply{};
}

}  // namespace deltran::engine
