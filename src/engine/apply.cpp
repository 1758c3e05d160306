// Applying commands to the engine's state. Every function here is deterministic: time is
// the batch's clock reading, iteration is over ordered maps, and ids come in the command.
#include <algorithm>
#include <string>
#include <vector>

#include <deltran/clearing/netting.hpp>
#include <deltran/core/assert.hpp>
#include <deltran/core/crypto.hpp>
#include <deltran/core/text.hpp>
#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

#include "state.hpp"

namespace deltran::engine {

using store::PaymentStatus;
using store::WindowStatus;

Reply error_reply(Outcome outcome, std::string code, std::string reason, std::string message) {
  Reply r;
  r.outcome = outcome;
  r.code = std::move(code);
  r.reason = std::move(reason);
  r.message = std::move(message);
  return r;
}

std::string format_minor(int64_t minor, const std::string& currency) {
  const money::Currency* c = money::find_currency(currency);
  return money::format_amount(minor, c != nullptr ? c->exponent : 2);
}

void audit(Engine::State& s, const std::string& actor, std::string action, std::string entity,
           std::string detail) {
  store::AuditRow row;
  row.seq = ++s.audit_seq;
  row.created_us = s.now_us;
  row.actor = actor;
  row.action = std::move(action);
  row.entity = std::move(entity);
  row.detail = std::move(detail);
  row.prev_hash = s.audit_hash;
  row.hash = audit_hash(row);
  s.audit_hash = row.hash;
  s.batch.audit.push_back(std::move(row));
}

namespace {

std::string idempotency_slot(const std::string& debtor, const std::string& key) {
  std::string slot = debtor;
  slot += '\x1f';
  slot += key;
  return slot;
}

void post(Engine::State& s, const ledger::Posting& p, int64_t window_id) {
  DELTRAN_ASSERT(s.ledger.validate(p).has_value(), "posting checked before it is applied");
  s.ledger.apply(p);
  s.dirty_accounts.insert(ledger::AccountKey{p.from, p.currency});
  s.dirty_accounts.insert(ledger::AccountKey{p.to, p.currency});
  s.batch.journal.push_back(store::JournalRow{std::string(ledger::to_string(p.kind)), p.currency,
                                              p.from, p.to, p.amount_minor, p.reference, window_id,
                                              s.now_us});
}

int64_t open_window(Engine::State& s, const std::string& currency) {
  store::WindowRow w;
  w.id = s.next_window_id++;
  w.currency = currency;
  w.status = WindowStatus::kOpen;
  w.opened_us = s.now_us;
  s.windows[w.id] = w;
  s.open_window_by_currency[currency] = w.id;
  s.live[w.id];
  s.dirty_windows.insert(w.id);
  return w.id;
}

int64_t saturate(__int128 v) {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(v);
}

bool has_currency(const store::ParticipantRow& p, const std::string& currency) {
  return std::find(p.currencies.begin(), p.currencies.end(), currency) != p.currencies.end();
}

int64_t reserved_of(const Engine::State& s, const std::string& bank, const std::string& currency) {
  auto w = s.open_window_by_currency.find(currency);
  if (w == s.open_window_by_currency.end()) return 0;
  const LiveWindow& live = s.live.at(w->second);
  auto f = live.flows.find(bank);
  return f == live.flows.end() ? 0 : f->second.reserved_minor();
}

// --- transfer ------------------------------------------------------------------------

// The stable error code of a rejection that is recorded (and so may be replayed).
std::string code_for_reason(const std::string& reason) {
  if (reason == "AM04") return "insufficient_liquidity";
  if (reason == "AM02" || reason == "AM14") return "limit_exceeded";
  if (reason == "RR04") return "regulatory_reason";
  return "payment_rejected";
}

store::PaymentRow payment_row(const Engine::State& s, const TransferCommand& c) {
  store::PaymentRow row;
  row.id = c.id;
  row.uetr = c.uetr;
  row.end_to_end_id = c.end_to_end_id;
  row.idempotency_key = c.idempotency_key;
  row.request_hash = c.request_hash;
  row.debtor_agent = c.debtor_agent;
  row.creditor_agent = c.creditor_agent;
  row.currency = c.currency;
  row.amount_minor = c.amount_minor;
  row.debtor_name = c.debtor.name;
  row.debtor_account = c.debtor.account;
  row.creditor_name = c.creditor.name;
  row.creditor_account = c.creditor.account;
  row.remittance_info = c.remittance_info;
  row.channel = c.channel;
  row.created_us = row.updated_us = s.now_us;
  return row;
}

std::string payment_detail(const store::PaymentRow& p, std::string_view extra_key = {}, std::string_view extra = {}) {
  std::string detail = "{\"amount\":";
  append_json_string(detail, format_minor(p.amount_minor, p.currency));
  detail += ",\"currency\":";
  append_json_string(detail, p.currency);
  detail += ",\"creditor_agent\":";
  append_json_string(detail, p.creditor_agent);
  if (!extra_key.empty()) {
    detail += ",\"";
    detail += extra_key;
    detail += "\":";
    append_json_string(detail, extra);
  }
  detail += '}';
  return detail;
}

void remember(Engine::State& s, const store::PaymentRow& p, const PaymentResult& result) {
  if (p.idempotency_key.empty()) return;
  auto& entry = s.idempotency[idempotency_slot(p.debtor_agent, p.idempotency_key)];
  entry.request_hash = p.request_hash;
  entry.result = result;
}

Reply rejected_reply(const PaymentResult& result) {
  Reply r = error_reply(Outcome::kRejected, code_for_reason(result.reason), result.reason, result.reason_text);
  r.body = result;
  return r;
}

// A payment refused for a reason that depends on state: recorded, so a retry answers the same.
Reply record_rejection(Engine::State& s, const TransferCommand& c, const std::string& actor, std::string reason,
                       std::string message) {
  store::PaymentRow row = payment_row(s, c);
  row.status = PaymentStatus::kRejected;
  row.reason = reason;
  row.reason_text = message;
  PaymentResult result{c.id, c.uetr, PaymentStatus::kRejected, 0, reason, message, 0};
  remember(s, row, result);
  audit(s, actor, "payment.rejected", c.id, payment_detail(row, "reason", reason));
  s.batch.payments.push_back(std::move(row));
  ++s.batch_rejected;
  return rejected_reply(result);
}

// Reserves the debtor's liquidity in the open window of the currency and books the flow.
// Liquidity = balance + net debit cap (the floor is −cap); reserving the net debit at
// acceptance is what lets a closed window always settle. Returns the window, or 0 and an
// explanation when the debtor cannot afford it.
int64_t reserve_in_window(Engine::State& s, const store::PaymentRow& p, std::string& why) {
  int64_t window_id = s.open_window_by_currency.at(p.currency);
  LiveWindow& live = s.live.at(window_id);
  store::WindowRow& window = s.windows.at(window_id);
  Flow& out_flow = live.flows[p.debtor_agent];
  const ledger::Account* account = s.ledger.find(p.debtor_agent, p.currency);
  DELTRAN_ASSERT(account != nullptr, "a participant has an account in each of its currencies");
  int64_t new_out = 0;
  int64_t new_gross = 0;
  if (__builtin_add_overflow(out_flow.out_minor, p.amount_minor, &new_out) ||
      __builtin_add_overflow(window.gross_minor, p.amount_minor, &new_gross)) {
    why = "the window cannot take more from " + p.debtor_agent;
    return 0;
  }
  int64_t reserved_after = new_out > out_flow.in_minor ? new_out - out_flow.in_minor : 0;
  // 128 bits: a balance near the top of int64 minus a floor of −cap must not wrap.
  const __int128 liquidity = __int128{account->balance_minor} - account->floor_minor;
  if (reserved_after > liquidity) {
    int64_t available = saturate(liquidity - out_flow.reserved_minor());
    why = p.debtor_agent + " has " + format_minor(available, p.currency) + " " + p.currency +
          " available, the payment needs " + format_minor(p.amount_minor, p.currency) + " " + p.currency;
    return 0;
  }
  out_flow.out_minor = new_out;
  live.flows[p.creditor_agent].in_minor += p.amount_minor;
  live.pair_sums[{p.debtor_agent, p.creditor_agent}] += p.amount_minor;
  window.gross_minor = new_gross;
  window.payment_count += 1;
  s.dirty_windows.insert(window_id);
  return window_id;
}

// The participant's own limits (single payment maximum, daily volume): the ISO 20022 reason
// of the first breach (AM02 above the single maximum, AM14 above the agreed daily limit)
// and why, or empty when within them.
std::string limit_breach(const Engine::State& s, const store::PaymentRow& p, std::string& why) {
  auto it = s.limits.find(p.debtor_agent);
  if (it == s.limits.end()) return {};
  risk::LimitRequest req;
  req.currency = p.currency;
  req.amount_minor = p.amount_minor;
  req.daily_volume_minor = s.daily.totals(p.debtor_agent, p.currency, s.now_us).volume_minor;
  risk::LimitCheck check = risk::check_limits(it->second, req);
  if (check.ok()) return {};
  const risk::LimitViolation& v = check.violations.front();
  why = p.debtor_agent + ": " + v.message;
  switch (v.breach) {
    case risk::LimitBreach::kSinglePaymentMax: return "AM02";
    case risk::LimitBreach::kDailyVolume: return "AM14";
    case risk::LimitBreach::kCurrencyNotAllowed: return "AM03";
    default: return "AM14";
  }
}

void count_volume(Engine::State& s, const store::PaymentRow& p) {
  auto st = s.daily.add(p.debtor_agent, p.currency, p.amount_minor, s.now_us);
  DELTRAN_ASSERT(st.has_value(), "a reserved payment fits the daily counters");
}

// Holds the payment for a compliance officer: stored as HELD with an open case; it takes
// no liquidity until it is released. `reasons` is compact JSON: screening hits, AML and
// risk explanations.
Reply hold_for_review(Engine::State& s, const TransferCommand& c, const std::string& actor, int64_t score,
                      std::string reasons, std::string why) {
  store::PaymentRow row = payment_row(s, c);
  row.status = PaymentStatus::kHeld;
  row.reason_text = "held for compliance review: " + why;
  store::CaseRow kase;
  kase.id = ++s.last_case_id;
  kase.payment_id = c.id;
  kase.debtor_agent = c.debtor_agent;
  kase.creditor_agent = c.creditor_agent;
  kase.status = store::CaseStatus::kOpen;
  kase.score = score;
  kase.reasons = reasons.empty() ? "{}" : std::move(reasons);
  kase.created_us = s.now_us;
  PaymentResult result{c.id, c.uetr, PaymentStatus::kHeld, 0, {}, row.reason_text, kase.id};
  remember(s, row, result);
  audit(s, actor, "payment.held", c.id, payment_detail(row, "case", std::to_string(kase.id)));
  s.held[c.id] = row;
  s.open_cases[kase.id] = kase;
  s.batch.cases.push_back(kase);
  s.batch.payments.push_back(std::move(row));
  ++s.batch_held;
  Reply r;
  r.outcome = Outcome::kAccepted;
  r.body = std::move(result);
  return r;
}

// Screening's reasons ({"hits": …}) with the AML and risk explanations added.
std::string case_reasons(const Screening& screening, const Assessment& a) {
  std::string out = screening.reasons.empty() ? std::string("{}") : screening.reasons;
  const std::string more = explain(a);
  if (more.empty()) return out;
  out.pop_back();  // the closing brace
  if (out.size() > 1) out += ',';
  out += more;
  out += '}';
  return out;
}

Reply apply_transfer(Engine::State& s, const Settings& settings, const TransferCommand& c,
                     const std::string& actor) {
  if (!c.idempotency_key.empty()) {
    auto it = s.idempotency.find(idempotency_slot(c.debtor_agent, c.idempotency_key));
    if (it != s.idempotency.end()) {
      if (it->second.request_hash != c.request_hash) {
        return error_reply(Outcome::kConflict, "idempotency_key_reused", "DUPL",
                           "Idempotency-Key '" + c.idempotency_key +
                               "' was already used for a different payment");
      }
      Reply r = it->second.result.status == PaymentStatus::kRejected ? rejected_reply(it->second.result) : Reply{};
      r.outcome = Outcome::kReplayed;
      r.body = it->second.result;
      return r;
    }
  }
  auto debtor = s.participants.find(c.debtor_agent);
  if (debtor == s.participants.end()) {
    return error_reply(Outcome::kRejected, "unknown_debtor_agent", "RC01",
                       "debtor agent " + c.debtor_agent + " is not a participant");
  }
  auto creditor = s.participants.find(c.creditor_agent);
  if (creditor == s.participants.end()) {
    return error_reply(Outcome::kRejected, "unknown_creditor_agent", "RC01",
                       "creditor agent " + c.creditor_agent + " is not a participant");
  }
  if (!has_currency(debtor->second, c.currency) || !has_currency(creditor->second, c.currency)) {
    return error_reply(Outcome::kRejected, "currency_not_enabled", "AM03",
                       c.currency + " is not enabled for both " + c.debtor_agent + " and " +
                           c.creditor_agent);
  }
  if (c.amount_minor <= 0 || c.amount_minor > settings.max_payment_minor) {
    return error_reply(Outcome::kRejected, "amount_not_allowed", "AM02",
                       "amount exceeds the largest payment the rail accepts");
  }
  if (c.screening.decision == Screening::Decision::kBlock) {
    audit(s, actor, "compliance.alert", c.id, c.screening.reasons.empty() ? "{}" : c.screening.reasons);
    return record_rejection(s, c, actor, "RR04", "blocked by compliance screening: " + c.screening.summary);
  }
  const Assessment a = assess_payment(s, settings, c);  // reads only
  // An open breaker refuses before anything is recorded: the sender retries later.
  if (int64_t retry_after_s = 0; !breakers_allow(s, settings, c, a.report.corridor, retry_after_s)) {
    Reply r = error_reply(Outcome::kUnavailable, "circuit_open", "",
                          "a circuit breaker of " + c.debtor_agent + " or of its corridor is open; retry in " +
                              std::to_string(retry_after_s) + " s");
    r.retry_after_s = retry_after_s;
    return r;
  }
  if (c.screening.decision == Screening::Decision::kReview) {
    audit(s, actor, "compliance.alert", c.id, c.screening.reasons.empty() ? "{}" : c.screening.reasons);
    Reply r = hold_for_review(s, c, actor, std::max<int64_t>(c.screening.score, a.aml ? a.aml->score : 0),
                              case_reasons(c.screening, a), "screening: " + c.screening.summary);
    record_ending(s, settings, c, &a, Ending::kHeld, actor);
    return r;
  }
  if (a.risk && a.risk->decision == risk::RiskDecision::kReject) {
    std::string why = "risk score " + std::to_string(a.risk->score) + " is above " +
                      std::to_string(settings.controls.risk.review_max);
    audit(s, actor, "risk.threshold.exceeded", c.id, "{" + explain(a) + "}");
    Reply r = record_rejection(s, c, actor, "MS03", why);
    record_ending(s, settings, c, &a, Ending::kRiskRejected, actor);
    return r;
  }
  const bool aml_review = a.aml && a.aml->decision == compliance::AmlDecision::kReview;
  const bool risk_review = a.risk && a.risk->decision == risk::RiskDecision::kReview;
  if (aml_review || risk_review) {
    std::string why = aml_review ? "AML: " + a.aml->reason
                                 : "risk score " + std::to_string(a.risk->score) + " in the review band";
    audit(s, actor, "compliance.alert", c.id, "{" + explain(a) + "}");
    Reply r = hold_for_review(s, c, actor, std::max(aml_review ? a.aml->score : 0, risk_review ? a.risk->score : 0),
                              case_reasons(c.screening, a), why);
    record_ending(s, settings, c, &a, Ending::kHeld, actor);
    return r;
  }

  store::PaymentRow row = payment_row(s, c);
  std::string why;
  if (std::string reason = limit_breach(s, row, why); !reason.empty()) {
    audit(s, actor, "risk.threshold.exceeded", c.id, payment_detail(row, "limit", why));
    Reply r = record_rejection(s, c, actor, reason, why);
    record_ending(s, settings, c, &a, Ending::kLimitBreach, actor);
    return r;
  }
  int64_t window_id = reserve_in_window(s, row, why);
  if (window_id == 0) {
    Reply r = record_rejection(s, c, actor, "AM04", why);
    record_ending(s, settings, c, &a, Ending::kInsufficientLiquidity, actor);
    return r;
  }
  count_volume(s, row);
  row.status = PaymentStatus::kQueued;
  row.window_id = window_id;
  PaymentResult result{c.id, c.uetr, PaymentStatus::kQueued, window_id, {}, {}, 0};
  remember(s, row, result);
  audit(s, actor, "payment.queued", c.id, payment_detail(row, "window", std::to_string(window_id)));
  s.batch.payments.push_back(std::move(row));
  ++s.batch_queued;
  record_ending(s, settings, c, &a, Ending::kQueued, actor);
  Reply r;
  r.outcome = Outcome::kAccepted;
  r.body = std::move(result);
  return r;
}

// An officer's decision on a case: approval sends the held payment down the normal path
// (into the window open now, if the debtor can still afford it); rejection ends it (RR04).
Reply apply_case_decision(Engine::State& s, const CaseDecisionCommand& c, const std::string& actor) {
  auto it = s.open_cases.find(c.case_id);
  if (it == s.open_cases.end()) {
    return error_reply(Outcome::kNotFound, "case_not_open",  "",
                       "case " + std::to_string(c.case_id) + " does not exist or is already decided");
  }
  store::CaseRow kase = it->second;
  s.open_cases.erase(it);
  auto held = s.held.find(kase.payment_id);
  DELTRAN_ASSERT(held != s.held.end(), "an open case holds a payment");
  store::PaymentRow p = held->second;
  s.held.erase(held);

  store::PaymentUpdate update{p.id, PaymentStatus::kRejected, "RR04", {}, 0, s.now_us};
  PaymentResult result{p.id, p.uetr, PaymentStatus::kRejected, 0, "RR04", {}, kase.id};
  if (c.approve) {
    std::string why;
    std::string breach = limit_breach(s, p, why);
    int64_t window_id = breach.empty() ? reserve_in_window(s, p, why) : 0;
    if (window_id != 0) {
      count_volume(s, p);
      update.status = result.status = PaymentStatus::kQueued;
      update.reason = result.reason = "";
      update.window_id = result.window_id = window_id;
      ++s.batch_queued;
    } else {
      update.reason = result.reason = breach.empty() ? "AM04" : breach;
      update.reason_text = result.reason_text = "released by compliance, then refused: " + why;
      ++s.batch_rejected;
    }
  } else {
    update.reason_text = result.reason_text = "rejected by compliance review" + (c.note.empty() ? "" : ": " + c.note);
    ++s.batch_rejected;
  }
  kase.status = c.approve ? store::CaseStatus::kApproved : store::CaseStatus::kRejected;
  kase.decided_by = actor;
  kase.note = c.note;
  kase.decided_us = s.now_us;
  remember(s, p, result);
  s.batch.payment_updates.push_back(update);
  s.batch.cases.push_back(kase);
  std::string detail = "{\"payment\":";
  append_json_string(detail, p.id);
  detail += ",\"decision\":";
  append_json_string(detail, c.approve ? "approve" : "reject");
  detail += ",\"note\":";
  append_json_string(detail, c.note);
  detail += ",\"payment_status\":";
  append_json_string(detail, store::to_string(update.status));
  detail += '}';
  audit(s, actor, c.approve ? "case.approved" : "case.rejected", std::to_string(kase.id), std::move(detail));
  Reply r;
  r.outcome = Outcome::kOk;
  r.body = CaseResult{kase, result};
  return r;
}

// --- banks and tokens ----------------------------------------------------------------

Reply apply_create_bank(Engine::State& s, const CreateBankCommand& c, const std::string& actor) {
  if (s.participants.count(c.id) != 0) {
    return error_reply(Outcome::kConflict, "bank_exists", "", "bank " + c.id + " already exists");
  }
  store::ParticipantRow row;
  row.id = c.id;
  row.name = c.name;
  row.country = c.country;
  row.api_key_hash = c.api_key_hash;
  row.currencies = c.currencies;
  row.net_debit_cap_minor = c.net_debit_cap_minor;
  row.created_us = s.now_us;
  for (const auto& currency : c.currencies) {
    s.ledger.open_currency(currency);
    for (std::string_view system : {ledger::kOmnibus, ledger::kClearing}) {
      s.dirty_accounts.insert(ledger::AccountKey{std::string(system), currency});
    }
    auto cap = c.net_debit_cap_minor.find(currency);
    int64_t cap_minor = cap == c.net_debit_cap_minor.end() ? 0 : cap->second;
    s.ledger.open_account(c.id, currency, -cap_minor);
    s.dirty_accounts.insert(ledger::AccountKey{c.id, currency});
    if (s.open_window_by_currency.count(currency) == 0) open_window(s, currency);
  }
  s.participants[c.id] = row;
  s.batch.participants.push_back(row);
  s.auth_changed = true;

  std::string detail = "{\"name\":";
  append_json_string(detail, c.name);
  detail += ",\"country\":";
  append_json_string(detail, c.country);
  detail += '}';
  audit(s, actor, "bank.created", c.id, std::move(detail));

  Reply r;
  r.outcome = Outcome::kCreated;
  r.body = BankView{row.id, row.name, row.country, row.currencies, row.net_debit_cap_minor, row.created_us};
  return r;
}

Reply apply_token(Engine::State& s, const TokenCommand& c, const std::string& actor) {
  const bool mint = c.kind == TokenCommand::Kind::kMint;
  auto bank = s.participants.find(c.bank);
  if (bank == s.participants.end()) {
    return error_reply(Outcome::kNotFound, "bank_not_found", "RC01", "bank " + c.bank + " does not exist");
  }
  if (!has_currency(bank->second, c.currency)) {
    return error_reply(Outcome::kRejected, "currency_not_enabled", "AM03",
                       c.currency + " is not enabled for " + c.bank);
  }
  const std::string ref_key = std::string(mint ? "MINT:" : "BURN:") + c.reference;
  if (auto it = s.token_references.find(ref_key); it != s.token_references.end()) {
    const TokenReference& t = it->second;
    if (t.bank != c.bank || t.currency != c.currency || t.amount_minor != c.amount_minor) {
      return error_reply(Outcome::kConflict, "reference_reused", "DUPL",
                         "reference '" + c.reference + "' was already used for another operation");
    }
    Reply r;
    r.outcome = Outcome::kReplayed;
    r.body = TokenResult{c.bank, c.currency, s.ledger.balance(c.bank, c.currency),
                         s.ledger.balance(ledger::kOmnibus, c.currency)};
    return r;
  }
  ledger::Posting p;
  p.kind = mint ? ledger::PostingKind::kMint : ledger::PostingKind::kBurn;
  p.currency = c.currency;
  p.from = mint ? std::string(ledger::kOmnibus) : c.bank;
  p.to = mint ? c.bank : std::string(ledger::kOmnibus);
  p.amount_minor = c.amount_minor;
  p.reference = c.reference;
  if (!mint) {
    // A burn pays fiat out: only tokens actually held and not reserved by the open window,
    // never the credit line.
    int64_t free_minor = s.ledger.balance(c.bank, c.currency) - reserved_of(s, c.bank, c.currency);
    if (c.amount_minor > free_minor) {
      return error_reply(Outcome::kRejected, "insufficient_funds", "AM04",
                         c.bank + " holds " + format_minor(std::max<int64_t>(free_minor, 0), c.currency) +
                             " " + c.currency + " free to burn");
    }
  }
  if (auto st = s.ledger.validate(p); !st) {
    return error_reply(Outcome::kRejected, "posting_refused", mint ? "AM02" : "AM04", st.error().message);
  }
  post(s, p, 0);
  s.token_references[ref_key] = TokenReference{c.bank, c.currency, c.amount_minor};
  std::string detail = "{\"currency\":";
  append_json_string(detail, c.currency);
  detail += ",\"amount\":";
  append_json_string(detail, format_minor(c.amount_minor, c.currency));
  detail += ",\"reference\":";
  append_json_string(detail, c.reference);
  detail += '}';
  audit(s, actor, mint ? "tokens.minted" : "tokens.burned", c.bank, std::move(detail));
  Reply r;
  r.outcome = Outcome::kOk;
  r.body = TokenResult{c.bank, c.currency, s.ledger.balance(c.bank, c.currency),
                       s.ledger.balance(ledger::kOmnibus, c.currency)};
  return r;
}

// --- clearing --------------------------------------------------------------------------

// Nets the window, settles every net position through the clearing account, and opens the
// next window of the currency: all in the current batch, so it commits as one transaction.
void settle_window(Engine::State& s, store::WindowRow& w, const std::string& actor) {
  LiveWindow& live = s.live.at(w.id);
  std::vector<std::string> banks;
  banks.reserve(live.flows.size());
  for (const auto& [bank, flow] : live.flows) banks.push_back(bank);  // sorted: std::map
  auto index_of = [&](const std::string& bank) {
    return static_cast<uint32_t>(std::lower_bound(banks.begin(), banks.end(), bank) - banks.begin());
  };
  std::vector<clearing::Obligation> obligations;
  obligations.reserve(live.pair_sums.size());
  for (const auto& [pair, amount] : live.pair_sums) {
    obligations.push_back({index_of(pair.first), index_of(pair.second), amount});
  }
  auto netted = clearing::net_multilateral(obligations, static_cast<uint32_t>(banks.size()));
  DELTRAN_ASSERT(netted.has_value(), "window aggregates are valid netting input");
  DELTRAN_ASSERT(netted->gross_minor == w.gross_minor, "netting gross equals the window's gross");

  w.positions.clear();
  for (size_t i = 0; i < banks.size(); ++i) {
    const Flow& f = live.flows.at(banks[i]);
    DELTRAN_ASSERT(netted->net_minor[i] == f.in_minor - f.out_minor,
                   "net position equals incoming minus outgoing");
    w.positions.push_back(store::PositionRow{banks[i], netted->net_minor[i]});
  }
  const std::string reference = "window-" + std::to_string(w.id);
  for (const auto& pos : w.positions) {  // debtors pay into the clearing account first
    if (pos.net_minor >= 0) continue;
    post(s, {ledger::PostingKind::kSettlement, w.currency, pos.bank, std::string(ledger::kClearing),
             -pos.net_minor, reference}, w.id);
  }
  for (const auto& pos : w.positions) {
    if (pos.net_minor <= 0) continue;
    post(s, {ledger::PostingKind::kSettlement, w.currency, std::string(ledger::kClearing), pos.bank,
             pos.net_minor, reference}, w.id);
  }
  DELTRAN_ASSERT(s.ledger.balance(ledger::kClearing, w.currency) == 0, "clearing account is zero after settlement");

  w.status = WindowStatus::kSettled;
  w.closed_us = s.now_us;
  w.net_minor = netted->settled_minor;
  w.bilateral_minor = netted->bilateral_minor;
  w.efficiency_ppm = netted->efficiency_ppm;
  w.bilateral_efficiency_ppm = netted->bilateral_efficiency_ppm;
  s.dirty_windows.insert(w.id);
  s.batch.settled_windows.emplace_back(w.id, s.now_us);
  s.batch_settled += w.payment_count;
  ++s.batch_windows_settled;
  s.live.erase(w.id);
  open_window(s, w.currency);

  std::string detail = "{\"currency\":";
  append_json_string(detail, w.currency);
  detail += ",\"payments\":" + std::to_string(w.payment_count) + ",\"gross\":";
  append_json_string(detail, format_minor(w.gross_minor, w.currency));
  detail += ",\"net\":";
  append_json_string(detail, format_minor(w.net_minor, w.currency));
  detail += '}';
  audit(s, actor, "window.settled", std::to_string(w.id), std::move(detail));
}

store::WindowRow window_view(const Engine::State& s, const store::WindowRow& w) {
  store::WindowRow v = w;
  if (w.status == WindowStatus::kOpen) {
    // Positions of an open window are live: what netting would give if it closed now.
    for (const auto& [bank, flow] : s.live.at(w.id).flows) {
      v.positions.push_back(store::PositionRow{bank, flow.in_minor - flow.out_minor});
    }
  }
  return v;
}

Reply apply_close(Engine::State& s, const CloseWindowCommand& c, const std::string& actor) {
  int64_t id = c.window_id;
  if (id == 0) {
    auto it = s.open_window_by_currency.find(c.currency);
    if (it == s.open_window_by_currency.end()) {
      return error_reply(Outcome::kNotFound, "window_not_found", "", "no open window for " + c.currency);
    }
    id = it->second;
  }
  auto it = s.windows.find(id);
  if (it == s.windows.end()) {
    return error_reply(Outcome::kNotFound, "window_not_found", "", "window " + std::to_string(id) + " does not exist");
  }
  store::WindowRow& w = it->second;
  if (w.status != WindowStatus::kOpen) {
    Reply r = error_reply(Outcome::kConflict, "window_already_settled", "",
                          "window " + std::to_string(id) + " is already settled");
    r.body = window_view(s, w);
    return r;
  }
  if (!(c.skip_if_empty && w.payment_count == 0)) settle_window(s, w, actor);
  Reply r;
  r.outcome = Outcome::kOk;
  r.body = window_view(s, w);
  return r;
}

// --- limits ----------------------------------------------------------------------------

Reply limits_view(const Engine::State& s, const std::string& bank) {
  const auto& p = s.participants.at(bank);
  LimitsView view;
  view.bank = bank;
  auto lim = s.limits.find(bank);
  for (const auto& currency : p.currencies) {
    LimitsView::Currency c;
    c.currency = currency;
    if (lim != s.limits.end()) {
      auto cur = lim->second.by_currency.find(currency);
      if (cur != lim->second.by_currency.end()) {
        c.single_payment_max_minor = cur->second.single_payment_max_minor;
        c.daily_volume_max_minor = cur->second.daily_volume_max_minor;
      }
    }
    c.net_debit_cap_minor = -s.ledger.find(bank, currency)->floor_minor;
    c.used_today_minor = s.daily.totals(bank, currency, s.now_us).volume_minor;
    view.currencies.push_back(c);
  }
  Reply r;
  r.body = std::move(view);
  return r;
}

Reply apply_set_limits(Engine::State& s, const SetLimitsCommand& c, const std::string& actor) {
  auto bank = s.participants.find(c.bank);
  if (bank == s.participants.end()) {
    return error_reply(Outcome::kNotFound, "bank_not_found", "", "bank " + c.bank + " does not exist");
  }
  // Validate every currency first: the update applies whole or not at all.
  for (const auto& [currency, u] : c.by_currency) {
    if (!has_currency(bank->second, currency)) {
      return error_reply(Outcome::kInvalid, "currency_not_enabled", "AM03", currency + " is not enabled for " + c.bank);
    }
    if (u.net_debit_cap_minor) {
      const ledger::Account* a = s.ledger.find(c.bank, currency);
      int64_t reserved = reserved_of(s, c.bank, currency);
      if (__int128{a->balance_minor} + *u.net_debit_cap_minor < reserved || a->balance_minor < -*u.net_debit_cap_minor) {
        return error_reply(Outcome::kConflict, "cap_below_exposure", "",
                           "a net debit cap of " + format_minor(*u.net_debit_cap_minor, currency) + " " + currency +
                               " is below what " + c.bank + " already owes or has reserved");
      }
    }
  }
  std::string detail = "{";
  for (const auto& [currency, u] : c.by_currency) {
    auto& cur = s.limits[c.bank].by_currency[currency];
    if (u.clear_single_payment_max) cur.single_payment_max_minor.reset();
    if (u.clear_daily_volume_max) cur.daily_volume_max_minor.reset();
    if (u.single_payment_max_minor) cur.single_payment_max_minor = u.single_payment_max_minor;
    if (u.daily_volume_max_minor) cur.daily_volume_max_minor = u.daily_volume_max_minor;
    s.batch.limits.push_back(store::LimitRow{c.bank, currency, cur.single_payment_max_minor, cur.daily_volume_max_minor});
    if (u.net_debit_cap_minor) {
      s.ledger.open_account(c.bank, currency, -*u.net_debit_cap_minor);
      s.dirty_accounts.insert(ledger::AccountKey{c.bank, currency});
      bank->second.net_debit_cap_minor[currency] = *u.net_debit_cap_minor;
      s.batch.caps.emplace_back(c.bank, currency, *u.net_debit_cap_minor);
    }
    if (detail.size() > 1) detail += ',';
    append_json_string(detail, currency);
    detail += ":{\"single_payment_max\":";
    append_json_string(detail, cur.single_payment_max_minor ? format_minor(*cur.single_payment_max_minor, currency) : "");
    detail += ",\"daily_volume_max\":";
    append_json_string(detail, cur.daily_volume_max_minor ? format_minor(*cur.daily_volume_max_minor, currency) : "");
    detail += ",\"net_debit_cap\":";
    append_json_string(detail, format_minor(-s.ledger.find(c.bank, currency)->floor_minor, currency));
    detail += '}';
  }
  detail += '}';
  audit(s, actor, "risk.limits.set", c.bank, std::move(detail));
  return limits_view(s, c.bank);
}

// --- queries ---------------------------------------------------------------------------

BankView bank_view(const store::ParticipantRow& p) {
  return BankView{p.id, p.name, p.country, p.currencies, p.net_debit_cap_minor, p.created_us};
}

Reply apply_query(Engine::State& s, const BankQuery& q) {
  Reply r;
  if (q.bank.empty()) {
    std::vector<BankView> all;
    for (const auto& [id, p] : s.participants) all.push_back(bank_view(p));
    r.body = std::move(all);
    return r;
  }
  auto it = s.participants.find(q.bank);
  if (it == s.participants.end()) {
    return error_reply(Outcome::kNotFound, "bank_not_found", "", "bank " + q.bank + " does not exist");
  }
  r.body = bank_view(it->second);
  return r;
}

Reply apply_query(Engine::State& s, const BalanceQuery& q) {
  auto it = s.participants.find(q.bank);
  if (it == s.participants.end()) {
    return error_reply(Outcome::kNotFound, "bank_not_found", "", "bank " + q.bank + " does not exist");
  }
  std::vector<BalanceView> out;
  for (const auto& currency : it->second.currencies) {
    const ledger::Account* a = s.ledger.find(q.bank, currency);
    DELTRAN_ASSERT(a != nullptr, "a participant has an account in each of its currencies");
    BalanceView v;
    v.currency = currency;
    v.balance_minor = a->balance_minor;
    v.reserved_minor = reserved_of(s, q.bank, currency);
    v.net_debit_cap_minor = -a->floor_minor;
    v.available_minor = saturate(__int128{a->balance_minor} - a->floor_minor - v.reserved_minor);
    out.push_back(v);
  }
  Reply r;
  r.body = std::move(out);
  return r;
}

Reply apply_query(Engine::State& s, const WindowQuery& q) {
  Reply r;
  if (q.window_id != 0) {
    auto it = s.windows.find(q.window_id);
    if (it == s.windows.end()) {
      return error_reply(Outcome::kNotFound, "window_not_found", "",
                         "window " + std::to_string(q.window_id) + " does not exist");
    }
    r.body = window_view(s, it->second);
    return r;
  }
  std::vector<store::WindowRow> out;
  for (auto it = s.windows.rbegin(); it != s.windows.rend() && static_cast<int>(out.size()) < q.limit; ++it) {
    if (q.before_id > 0 && it->first >= q.before_id) continue;
    if (!q.currency.empty() && it->second.currency != q.currency) continue;
    out.push_back(window_view(s, it->second));
  }
  r.body = std::move(out);
  return r;
}

}  // namespace

std::string audit_hash(const store::AuditRow& row) {
  std::string material = row.prev_hash;
  material += '\n' + std::to_string(row.seq) + '\n' + std::to_string(row.created_us) + '\n';
  material += row.actor + '\n' + row.action + '\n' + row.entity + '\n' + row.detail;
  return sha256_hex(material);
}

Reply apply_command(Engine::State& s, const Settings& settings, const Command& c,
                    const std::string& actor) {
  return std::visit(
      [&](const auto& cmd) -> Reply {
        using T = std::decay_t<decltype(cmd)>;
        if constexpr (std::is_same_v<T, TransferCommand>) return apply_transfer(s, settings, cmd, actor);
        else if constexpr (std::is_same_v<T, CreateBankCommand>) return apply_create_bank(s, cmd, actor);
        else if constexpr (std::is_same_v<T, TokenCommand>) return apply_token(s, cmd, actor);
        else if constexpr (std::is_same_v<T, CloseWindowCommand>) return apply_close(s, cmd, actor);
        else if constexpr (std::is_same_v<T, CaseDecisionCommand>) return apply_case_decision(s, cmd, actor);
        else if constexpr (std::is_same_v<T, SetLimitsCommand>) return apply_set_limits(s, cmd, actor);
        else if constexpr (std::is_same_v<T, RiskQuery>) return apply_risk_query(s, settings, cmd);
        else if constexpr (std::is_same_v<T, BreakersQuery>) return apply_breakers_query(s, settings);
        else if constexpr (std::is_same_v<T, ResetBreakerCommand>) return apply_reset_breaker(s, settings, cmd, actor);
        else if constexpr (std::is_same_v<T, LimitsQuery>) {
          if (s.participants.count(cmd.bank) == 0) {
            return error_reply(Outcome::kNotFound, "bank_not_found", "", "bank " + cmd.bank + " does not exist");
          }
          return limits_view(s, cmd.bank);
        }
        else return apply_query(s, cmd);
      },
      c);
}

void finish_batch(Engine::State& s) {
  for (const auto& key : s.dirty_accounts) {
    const ledger::Account* a = s.ledger.find(key.owner, key.currency);
    DELTRAN_ASSERT(a != nullptr, "a dirty account exists");
    s.batch.accounts.push_back(store::AccountRow{key.owner, key.currency, a->balance_minor, a->floor_minor});
  }
  for (int64_t id : s.dirty_windows) s.batch.windows.push_back(s.windows.at(id));
  s.dirty_accounts.clear();
  s.dirty_windows.clear();
}

void restore_state(Engine::State& s, const Settings& settings, const store::Snapshot& snap, int64_t now_us) {
  restore_controls(s, settings, snap, now_us);
  for (const auto& l : snap.limits) {
    auto& cur = s.limits[l.participant].by_currency[l.currency];
    cur.single_payment_max_minor = l.single_payment_max_minor;
    cur.daily_volume_max_minor = l.daily_volume_max_minor;
  }
  for (const auto& v : snap.volumes_since) {
    s.daily.restore(v.participant, v.currency, risk::DailyCounters::day_of(now_us),
                    {v.amount_minor, static_cast<uint64_t>(v.count)});
  }
  for (const auto& p : snap.participants) s.participants[p.id] = p;
  for (const auto& a : snap.accounts) {
    if (a.owner == ledger::kOmnibus) s.ledger.open_currency(a.currency);
  }
  for (const auto& a : snap.accounts) s.ledger.restore(a.owner, a.currency, a.balance_minor, a.floor_minor);
  for (const auto& w : snap.windows) {
    s.windows[w.id] = w;
    s.next_window_id = std::max(s.next_window_id, w.id + 1);
    if (w.status == WindowStatus::kOpen) {
      s.open_window_by_currency[w.currency] = w.id;
      s.live[w.id];
    }
  }
  for (const auto& f : snap.open_flows) {
    LiveWindow& live = s.live.at(f.window_id);
    live.flows[f.debtor_agent].out_minor += f.amount_minor;
    live.flows[f.creditor_agent].in_minor += f.amount_minor;
    live.pair_sums[{f.debtor_agent, f.creditor_agent}] += f.amount_minor;
  }
  for (const auto& r : snap.idempotency) {
    s.idempotency[idempotency_slot(r.debtor_agent, r.idempotency_key)] = IdempotencyEntry{
        r.request_hash, PaymentResult{r.payment_id, r.uetr, r.first_status,
                                      r.first_status == PaymentStatus::kQueued ? r.window_id : 0, r.reason,
                                      r.reason_text, 0}};
  }
  for (const auto& j : snap.token_operations) {
    bool mint = j.kind == "MINT";
    s.token_references[(mint ? "MINT:" : "BURN:") + j.reference] =
        TokenReference{mint ? j.to : j.from, j.currency, j.amount_minor};
  }
  for (const auto& p : snap.held_payments) s.held[p.id] = p;
  for (const auto& c : snap.open_cases) {
    s.open_cases[c.id] = c;
    auto held = s.held.find(c.payment_id);
    if (held == s.held.end() || held->second.idempotency_key.empty()) continue;
    auto entry = s.idempotency.find(idempotency_slot(held->second.debtor_agent, held->second.idempotency_key));
    if (entry != s.idempotency.end()) entry->second.result.case_id = c.id;
  }
  s.last_case_id = snap.max_case_id;
  s.audit_seq = snap.audit_tip.seq;
  s.audit_hash = snap.audit_tip.hash;
}

}  // namespace deltran::engine
