// The stateful compliance and risk controls of the core: the AML rules that need a
// debtor's history (velocity, structuring, similar amounts, round trips, new
// counterparties, failures), the risk score, the circuit breakers, and the CTR/SAR records.
// Screening (stateless, parallel) has already run in the gateway; these run on the core's
// thread because their counters must see every payment in order.
#include <algorithm>
#include <string>
#include <utility>

#include <deltran/compliance/aml_reports.hpp>
#include <deltran/core/assert.hpp>
#include <deltran/core/text.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

constexpr int64_t kDayUs = 86'400'000'000;
constexpr int64_t kPruneEveryUs = 60'000'000;

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

std::string country_of(const Engine::State& s, const Party& party, const std::string& agent) {
  if (!party.country.empty()) return party.country;
  auto it = s.participants.find(agent);
  return it != s.participants.end() ? it->second.country : std::string();
}

// The circuit breakers' corridor: the two agents' countries, "US-IN".
std::string corridor_of(const Engine::State& s, const std::string& debtor_agent, const std::string& creditor_agent) {
  auto d = s.participants.find(debtor_agent);
  auto c = s.participants.find(creditor_agent);
  std::string corridor = d != s.participants.end() ? d->second.country : "??";
  corridor += '-';
  corridor += c != s.participants.end() ? c->second.country : "??";
  return corridor;
}

// The liquidity router's prediction stands in as the open window's two-way flow between
// the two agents: the chance the creditor's payments back cover this one (reverse flow
// over forward flow after it) with the two-way ratio as confidence. No flow either way
// yet: unknown.
void counterflow(const Engine::State& s, const TransferCommand& c, risk::RiskInput& in) {
  auto w = s.open_window_by_currency.find(c.currency);
  if (w == s.open_window_by_currency.end()) return;
  const LiveWindow& live = s.live.at(w->second);
  auto fwd = live.pair_sums.find({c.debtor_agent, c.creditor_agent});
  auto rev = live.pair_sums.find({c.creditor_agent, c.debtor_agent});
  const __int128 forward = __int128{fwd != live.pair_sums.end() ? fwd->second : 0} + c.amount_minor;
  const __int128 reverse = rev != live.pair_sums.end() ? rev->second : 0;
  if (fwd == live.pair_sums.end() && rev == live.pair_sums.end()) return;
  const __int128 hi = std::max(forward, reverse), lo = std::min(forward, reverse);
  in.counterflow_probability_permille = static_cast<int>(std::min<__int128>(1000, reverse * 1000 / forward));
  in.counterflow_confidence_permille = hi > 0 ? static_cast<int>(lo * 1000 / hi) : 0;
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

void append_factor(std::string& out, std::string_view name, int score, int weight, int weighted);

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

void append_factor(std::string& out, std::string_view name, int score, int weight, int weighted) {
  out += "{\"name\":";
  append_json_string(out, name);
  out += ",\"score\":" + std::to_string(score) + ",\"weight_percent\":" + std::to_string(weight) +
         ",\"contribution\":" + std::to_string(weighted / 100) + "." + (weighted % 100 < 10 ? "0" : "") +
         std::to_string(weighted % 100) + "}";
}

}  // namespace

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

namespace {

void prune(Engine::State& s, const Settings& settings) {
  ControlState& k = s.controls;
  if (s.now_us < k.next_prune_us) return;
  k.next_prune_us = s.now_us + kPruneEveryUs;
  if (k.aml) k.aml->prune(s.now_us);
  std::erase_if(k.last_sar, [&](const auto& kv) { return s.now_us - kv.second >= settings.controls.sar_interval_us; });
}

void file_reports(Engine::State& s, const Settings& settings, const TransferCommand& c, const Assessment& a,
                  const std::string& actor) {
  if (!a.aml) return;
  auto row = [&](const char* kind) {
    store::AmlReportRow r;
    r.id = ++s.controls.last_report_id;
    r.kind = kind;
    r.payment_id = c.id;
    r.debtor_agent = c.debtor_agent;
    r.creditor_agent = c.creditor_agent;
    r.debtor = a.report.debtor_key;
    r.creditor = a.report.creditor_key;
    r.currency = c.currency;
    r.amount_minor = c.amount_minor;
    r.amount_usd_minor = a.aml_payment.amount_usd_minor;
    r.score = a.aml->score;
    for (size_t i = 0; i < a.aml->rules.size(); ++i) {
      if (i > 0) r.rules += ',';
      r.rules += compliance::to_string(a.aml->rules[i]);
    }
    r.created_us = s.now_us;
    return r;
  };
  if (!a.aml->ctr_required && !a.aml->sar_required) return;
  if (auto ctr = compliance::make_ctr(settings.controls.aml, a.aml_payment, *a.aml)) {
    store::AmlReportRow r = row("CTR");
    r.narrative = "amount " + format_minor(c.amount_minor, c.currency) + " " + c.currency + " (USD " +
                  format_minor(ctr->amount_usd_minor, "USD") + ") above the CTR threshold of USD " +
                  format_minor(ctr->threshold_usd_minor, "USD");
    audit(s, actor, "compliance.ctr", c.id, "{\"report\":" + std::to_string(r.id) + "}");
    ++s.batch_ctr;
    s.batch.aml_reports.push_back(std::move(r));
  }
  if (!a.aml->sar_required) return;
  auto [it, fresh] = s.controls.last_sar.try_emplace(a.report.debtor_key, s.now_us);
  if (!fresh && s.now_us - it->second < settings.controls.sar_interval_us) return;  // one a day per debtor
  it->second = s.now_us;
  if (auto sar = compliance::make_sar(a.aml_payment, *a.aml)) {
    store::AmlReportRow r = row("SAR");
    r.narrative = sar->narrative;
    std::string detail = "{\"report\":" + std::to_string(r.id) + ",\"kind\":\"SAR\",\"score\":" +
                         std::to_string(r.score) + ",\"rules\":";
    append_json_string(detail, r.rules);
    detail += '}';
    audit(s, actor, "compliance.alert", c.id, std::move(detail));
    s.batch.aml_reports.push_back(std::move(r));
    ++s.batch_sar;
  }
}

}  // namespace

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

void ParticipantHistory::restore(int64_t d, uint32_t day_payments, uint32_t day_failures) {
  const size_t slot = static_cast<size_t>(d % kDays);
  if (day[slot] > d) return;  // a newer day already holds the slot
  day[slot] = d;
  payments[slot] = day_payments;
  failures[slot] = day_failures;
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

Assessment assess_payment(const Engine::State& s, const Settings& settings, const TransferCommand& c) {
  const Controls& k = settings.controls;
  Assessment a;
  a.report.debtor_key = party_key(c.debtor_agent, c.debtor.account, c.debtor.name);
  a.report.creditor_key = party_key(c.creditor_agent, c.creditor.account, c.creditor.name);
  a.report.amount_usd_minor = k.usd_rates.to_usd_minor(c.amount_minor, c.currency);
  a.report.corridor = corridor_of(s, c.debtor_agent, c.creditor_agent);

  compliance::AmlPayment& p = a.aml_payment;
  p.payment_id = c.id;
  p.debtor = a.report.debtor_key;
  p.creditor = a.report.creditor_key;
  p.debtor_country = country_of(s, c.debtor, c.debtor_agent);
  p.creditor_country = country_of(s, c.creditor, c.creditor_agent);
  // Without a reference rate the amount rules see nothing (the node warns at start).
  p.amount_usd_minor = a.report.amount_usd_minor.value_or(0);
  p.purpose = c.remittance_info;
  p.pep = c.screening.decision == Screening::Decision::kReview;
  p.time_us = s.now_us;
  compliance::AmlHistoryFacts facts;
  if (s.controls.aml) facts = s.controls.aml->facts(p);
  p.debtor_failed_payments_30d = facts.failed_payments_30d;
  if (k.aml_enabled) a.aml = compliance::assess_aml(k.aml, p, facts);

  if (k.risk_enabled) {
    risk::RiskInput in;
    in.amount_usd_minor = p.amount_usd_minor;
    in.source_currency = in.target_currency = c.currency;
    in.debtor_country = p.debtor_country;
    in.creditor_country = p.creditor_country;
    in.payments_last_hour = facts.payments_in_rapid_window;
    in.payments_last_day = facts.payments_in_day;
    if (auto h = s.controls.history.find(c.debtor_agent); h != s.controls.history.end()) {
      std::tie(in.history_payments, in.history_failures) = h->second.totals(s.now_us);
    }
    counterflow(s, c, in);
    a.risk = risk::evaluate(k.risk, in);
  }

  return a;
}

bool breakers_allow(Engine::State& s, const Settings& settings, const TransferCommand& c, const std::string& corridor,
                    int64_t& retry_after_s) {
  if (!settings.controls.breakers_enabled) return true;
  auto& b = s.controls.breakers;
  if (b.allow_payment(c.debtor_agent, corridor, s.now_us)) return true;
  ++s.batch_refused;
  retry_after_s = 1;
  for (auto [scope, key] : {std::pair{risk::BreakerScope::kParticipant, &c.debtor_agent},
                            std::pair{risk::BreakerScope::kCorridor, &corridor}}) {
    if (auto snap = b.find(scope, *key, s.now_us)) {
      retry_after_s = std::max(retry_after_s, breaker_view(scope, *key, *snap, settings.controls.breakers, s.now_us).retry_after_s);
    }
  }
  return false;
}

void record_ending(Engine::State& s, const Settings& settings, const TransferCommand& c, const Assessment* a,
                   Ending ending, const std::string& actor) {
  const Controls& k = settings.controls;
  if (ending == Ending::kComplianceBlocked) return;  // the customer's, not the participant's health
  const bool failed = ending == Ending::kInsufficientLiquidity || ending == Ending::kLimitBreach ||
                      ending == Ending::kRiskRejected;
  if (k.breakers_enabled) {
    const std::string corridor = a != nullptr ? a->report.corridor : corridor_of(s, c.debtor_agent, c.creditor_agent);
    const auto opened = s.controls.breakers.record_payment(c.debtor_agent, corridor, breaker_outcome(ending), s.now_us);
    for (auto [scope, key, now_open] : {std::tuple{risk::BreakerScope::kParticipant, c.debtor_agent, opened.participant},
                                        std::tuple{risk::BreakerScope::kCorridor, corridor, opened.corridor}}) {
      if (!now_open) continue;
      std::string detail = "{\"breaker\":";
      append_json_string(detail, breaker_id(scope, key));
      detail += ",\"after_payment\":";
      append_json_string(detail, c.id);
      detail += '}';
      audit(s, actor, "risk.circuit_breaker.opened", breaker_id(scope, key), detail);
      ++s.batch_breakers_opened;
      audit(s, actor, "risk.threshold.exceeded", breaker_id(scope, key), std::move(detail));
    }
  }
  s.controls.history[c.debtor_agent].add(s.now_us, failed);
  if (s.controls.aml) {
    if (ending == Ending::kQueued || ending == Ending::kHeld) {
      if (a != nullptr) {
        s.controls.aml->record(a->aml_payment);
      } else {
        compliance::AmlPayment p;
        p.debtor = party_key(c.debtor_agent, c.debtor.account, c.debtor.name);
        p.creditor = party_key(c.creditor_agent, c.creditor.account, c.creditor.name);
        p.amount_usd_minor = k.usd_rates.to_usd_minor(c.amount_minor, c.currency).value_or(0);
        p.time_us = s.now_us;
        s.controls.aml->record(p);
      }
    } else {
      s.controls.aml->record_failure(a != nullptr ? a->report.debtor_key
                                                  : party_key(c.debtor_agent, c.debtor.account, c.debtor.name),
                                     s.now_us);
    }
  }
  if (a != nullptr && (ending == Ending::kQueued || ending == Ending::kHeld)) file_reports(s, settings, c, *a, actor);
  prune(s, settings);
}

void restore_controls(Engine::State& s, const Settings& settings, const store::Snapshot& snap, int64_t now_us) {
  const Controls& k = settings.controls;
  ControlState& cs = s.controls;
  cs.aml = std::make_unique<compliance::AmlHistory>(k.aml);
  cs.breakers = risk::CircuitBreakers(k.breakers);
  for (const auto& d : snap.participant_days) {
    cs.history[d.participant].restore(d.day, static_cast<uint32_t>(d.payments), static_cast<uint32_t>(d.failures));
  }
  for (const auto& h : snap.pairs) {
    cs.aml->remember_pair(party_key(h.debtor_agent, h.debtor_account, h.debtor_name),
                          party_key(h.creditor_agent, h.creditor_account, h.creditor_name), h.created_us);
  }
  for (const auto& h : snap.failures) {
    cs.aml->record_failure(party_key(h.debtor_agent, h.debtor_account, h.debtor_name), h.created_us);
  }
  for (const auto& h : snap.recent) {
    compliance::AmlPayment p;
    p.debtor = party_key(h.debtor_agent, h.debtor_account, h.debtor_name);
    p.creditor = party_key(h.creditor_agent, h.creditor_account, h.creditor_name);
    p.amount_usd_minor = k.usd_rates.to_usd_minor(h.amount_minor, h.currency).value_or(0);
    p.time_us = h.created_us;
    cs.aml->record(p);
  }
  for (const auto& r : snap.recent_sars) {
    int64_t& last = cs.last_sar[r.debtor];
    last = std::max(last, r.created_us);
  }
  cs.last_report_id = snap.max_report_id;
  cs.aml->prune(now_us);
  cs.next_prune_us = now_us + kPruneEveryUs;
}

Reply apply_risk_query(const Engine::State& s, const Settings& settings, const RiskQuery& q) {
  const TransferCommand& c = q.payment;
  for (const std::string* agent : {&c.debtor_agent, &c.creditor_agent}) {
    if (s.participants.count(*agent) == 0) {
      return error_reply(Outcome::kNotFound, "bank_not_found", "RC01", "bank " + *agent + " is not a participant");
    }
  }
  Assessment a = assess_payment(s, settings, c);
  bool breaker_open = false;
  if (settings.controls.breakers_enabled) {
    for (auto [scope, key] : {std::pair{risk::BreakerScope::kParticipant, &c.debtor_agent},
                              std::pair{risk::BreakerScope::kCorridor, &std::as_const(a.report.corridor)}}) {
      auto snap = s.controls.breakers.find(scope, *key, s.now_us);
      breaker_open = breaker_open || (snap && snap->state == risk::BreakerState::kOpen);
    }
  }
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

Reply apply_breakers_query(const Engine::State& s, const Settings& settings) {
  std::vector<BreakerView> out;
  for (const auto& e : s.controls.breakers.snapshot(s.now_us)) {
    out.push_back(breaker_view(e.scope, e.key, e.snapshot, settings.controls.breakers, s.now_us));
  }
  Reply r;
  r.body = std::move(out);
  return r;
}

Reply apply_reset_breaker(Engine::State& s, const Settings& settings, const ResetBreakerCommand& c,
                          const std::string& actor) {
  const size_t colon = c.id.find(':');
  const std::string scope_text = colon == std::string::npos ? "" : c.id.substr(0, colon);
  const std::string key = colon == std::string::npos ? "" : c.id.substr(colon + 1);
  risk::BreakerScope scope;
  if (scope_text == "participant") scope = risk::BreakerScope::kParticipant;
  else if (scope_text == "corridor") scope = risk::BreakerScope::kCorridor;
  else {
    return error_reply(Outcome::kInvalid, "invalid_breaker_id", "",
                       "breaker id must be participant:<bank> or corridor:<corridor>, got '" + c.id + "'");
  }
  if (auto before = s.controls.breakers.find(scope, key, s.now_us)) {
    s.controls.breakers.reset(scope, key);
    std::string detail = "{\"previous_state\":";
    append_json_string(detail, risk::to_string(before->state));
    detail += '}';
    audit(s, actor, "risk.circuit_breaker.reset", c.id, std::move(detail));
    Reply r;
    r.body = breaker_view(scope, key, *s.controls.breakers.find(scope, key, s.now_us), settings.controls.breakers, s.now_us);
    return r;
  }
  return error_reply(Outcome::kNotFound, "breaker_not_found", "", "no circuit breaker '" + c.id + "'");
}

}  // namespace deltran::engine
