// Deciding payments: idempotency, agents and currency, screening's verdict, circuit
// breakers, the AML and risk controls, the participant's limits and liquidity — then the
// events that record the decision and the rows the read model keeps.
#include <algorithm>
#include <string>

#include <deltran/core/assert.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/core/json_writer.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

using model::PaymentStatus;

// The fields a payment's event and its row share, copied from the command.
template <typename Payment>
Payment copy_payment(const TransferCommand& c) {
  Payment p;
  p.id = c.id;
  p.uetr = c.uetr;
  p.end_to_end_id = c.end_to_end_id;
  p.idempotency_key = c.idempotency_key;
  p.request_hash = c.request_hash;
  p.debtor_agent = c.debtor_agent;
  p.creditor_agent = c.creditor_agent;
  p.amount = c.amount;
  p.debtor = c.debtor;
  p.creditor = c.creditor;
  p.channel = c.channel;
  return p;
}

using Legs = std::vector<model::PaymentLeg>;

ev::PaymentData payment_data(const TransferCommand& c, std::optional<int64_t> usd, const Legs& legs) {
  ev::PaymentData p = copy_payment<ev::PaymentData>(c);
  p.amount_usd_minor = usd;
  if (!legs.empty()) {
    p.quote_id = c.quote_id;
    p.legs = legs;
  }
  return p;
}

model::Payment payment_row(const Engine::State& s, const TransferCommand& c, const Legs& legs) {
  model::Payment row = copy_payment<model::Payment>(c);
  row.remittance_info = c.remittance_info;
  row.created_us = row.updated_us = s.now_us;
  if (!legs.empty()) {
    row.quote_id = c.quote_id;
    row.legs = legs;
  }
  return row;
}

// The row of a decided payment, right after its first event: the row takes that event's
// seq, which is how its idempotency key finds it again.
void keep(Engine::State& s, model::Payment row) {
  DELTRAN_ASSERT(!s.batch.events.empty() && s.batch.events.back().entity == row.id,
                 "a payment's row follows its first event");
  row.seq = s.last_seq;
  s.batch.payments.push_back(std::move(row));
}

Reply payment_reply(const PaymentResult& r, Rc rc) {
  Reply reply;
  reply.rc = rc;
  reply.message = r.reason_text;
  reply.body = r;
  return reply;
}

// A retry: the first answer again, or a conflict when the key names another payment.
Reply replay_answer(const TransferCommand& c, const std::string& stored_hash, const PaymentResult& first) {
  if (stored_hash != c.request_hash) {
    // A key taken from the EndToEndId (no Idempotency-Key) or an ISO 20022 message names
    // the payment itself: another payment with it is a duplicate, not a reused key.
    const bool by_reference = c.idempotency_key.rfind("e2e:", 0) == 0 || c.idempotency_key.rfind("iso:", 0) == 0;
    return error_reply(by_reference ? Rc::kDuplicatePayment : Rc::kIdempotencyKeyReused,
                       by_reference ? "EndToEndId '" + c.end_to_end_id + "' of " + c.debtor_agent +
                                          " was already used by payment " + first.id
                                    : "Idempotency-Key '" + c.idempotency_key + "' was already used for a different payment");
  }
  return payment_reply(first, Rc::kReplayed);
}

// The first answer to this key, from memory or, when it left memory, from the store.
// nullopt: a new key. An error: the store cannot say (the payment is not decided then).
Result<std::optional<Reply>> find_earlier(Context& cx, const TransferCommand& c) {
  if (c.idempotency_key.empty()) return std::optional<Reply>();
  IdempotencyMemory& memory = cx.s.idempotency;
  const std::string slot = IdempotencyMemory::slot(c.debtor_agent, c.idempotency_key);
  const uint64_t fp = IdempotencyMemory::fingerprint(slot);
  if (const auto* recent = memory.find(slot, fp)) {
    return std::optional<Reply>(replay_answer(c, recent->request_hash, recent->result));
  }
  const int32_t expiry = IdempotencyMemory::expiry_day(cx.s.now_us, cx.settings.idempotency_retention_us);
  // The payment a live fingerprint names, read back by its seq: this key's, or another's.
  auto from_store = [&](int64_t seq) -> Result<std::optional<Reply>> {
    ++cx.s.counts.store_lookups;
    auto stored = cx.log.payment_answer(seq);
    if (!stored) return tl::unexpected(stored.error());
    if (!stored->has_value()) {
      return make_error(ErrorCode::kInternal, "the store has no payment " + std::to_string(seq) +
                                                  ", which an idempotency key names; run `deltran check`");
    }
    const store::IdempotencyRecord& r = **stored;
    if (r.debtor_agent != c.debtor_agent || r.key != c.idempotency_key) return std::optional<Reply>();
    PaymentResult first{r.payment_id, r.uetr, r.status, r.window_id, r.rc, r.reason_text, r.case_id};
    return std::optional<Reply>(replay_answer(c, r.request_hash, first));
  };
  if (auto it = memory.fingerprints.find(fp); it != memory.fingerprints.end() && memory.live(it->second, expiry)) {
    auto found = from_store(it->second);
    if (!found || found->has_value()) return found;
  }
  if (!memory.collided.empty()) {
    if (auto it = memory.collided.find(slot); it != memory.collided.end() && memory.live(it->second, expiry)) {
      return from_store(it->second);
    }
  }
  return std::optional<Reply>();
}

// A payment refused for a reason that depends on state: recorded, so a retry answers the same.
Reply reject(Context& cx, const TransferCommand& c, const Legs& legs, const Assessment* a, Rc rc, std::string why) {
  Engine::State& s = cx.s;
  ev::PaymentData p = payment_data(c, a != nullptr ? a->report.amount_usd_minor : std::nullopt, legs);
  emit(cx, ev::PaymentRejected{p, rc, why, 0});
  model::Payment row = payment_row(s, c, legs);
  row.status = PaymentStatus::kRejected;
  row.rc = rc;
  row.reason_text = why;
  PaymentResult r{c.id, c.uetr, PaymentStatus::kRejected, 0, rc, why, 0};
  keep(s, std::move(row));
  ++s.counts.rejected;
  return payment_reply(r, rc);
}

Reply hold(Context& cx, const TransferCommand& c, const Legs& legs, const Assessment& a, int64_t score,
           std::string reasons, std::string why) {
  Engine::State& s = cx.s;
  const int64_t case_id = s.last_case_id + 1;
  const std::string text = "held for compliance review: " + why;
  emit(cx, ev::PaymentHeld{payment_data(c, a.report.amount_usd_minor, legs), case_id, score, reasons, text});
  model::Case kase = s.open_cases.at(case_id);
  s.batch.cases.push_back(kase);
  model::Payment row = payment_row(s, c, legs);
  row.status = PaymentStatus::kHeld;
  row.reason_text = text;
  row.case_id = case_id;
  PaymentResult r{c.id, c.uetr, PaymentStatus::kHeld, 0, Rc::kOk, text, case_id};
  keep(s, std::move(row));
  ++s.counts.held;
  return payment_reply(r, Rc::kHeld);
}

void alert(Context& cx, model::EventType type, const TransferCommand& c, std::string payload) {
  emit(cx, ev::Notice{type, c.id, c.debtor_agent, c.creditor_agent, model::EventScope::kOperators,
                      payload.empty() ? "{}" : std::move(payload)});
}

// A converted payment's legs booked into their windows, told to each FX provider on its
// path (one notice each: the payment's own events name only the debtor and creditor
// agents), so a provider sees the obligations it carries.
void tell_legs(Context& cx, const std::string& payment_id, const std::string& quote_id, const Legs& legs) {
  for (size_t i = 1; i < legs.size(); ++i) {
    const std::string& provider = legs[i].debtor_agent;  // paid by leg i - 1, paying leg i
    JsonWriter w;
    w.begin_object().field("payment_id", payment_id).field("quote_id", quote_id).field("provider", provider).key("legs").begin_array();
    for (const auto* l : {&legs[i - 1], &legs[i]}) {
      w.begin_object().field("debtor_agent", l->debtor_agent).field("creditor_agent", l->creditor_agent)
          .field("amount", money::format(l->amount)).field("currency", std::string(money::code_of(l->amount.currency)))
          .field("window_id", l->window_id).end_object();
    }
    w.end_array().end_object();
    emit(cx, ev::Notice{model::EventType::kPaymentLegsBooked, payment_id, provider, {}, model::EventScope::kParties, w.take()});
  }
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

// The participant's own limits and the core's liquidity rule, for a payment about to go
// into its currency's open window: Rc::kOk and the window, or the refusal and why.
struct Admission {
  Rc rc = Rc::kOk;
  int64_t window_id = 0;
  std::string why;
};

Admission admit(const Engine::State& s, const Participant& debtor, const Participant& creditor, const Amount& amount) {
  Admission a;
  const std::string_view code = money::code_of(amount.currency);
  // Own limits: single payment maximum (AM02), daily volume (AM14).
  if (auto lim = debtor.limits.find(amount.currency); lim != debtor.limits.end()) {
    if (lim->second.single_payment_max_minor && amount.minor > *lim->second.single_payment_max_minor) {
      return {Rc::kSinglePaymentLimit, 0,
              debtor.info.bic + ": amount " + format_minor(amount.minor, amount.currency) + " exceeds the single payment maximum " +
                  format_minor(*lim->second.single_payment_max_minor, amount.currency) + " " + std::string(code)};
    }
    if (lim->second.daily_volume_max_minor) {
      const __int128 after = __int128{s.daily.totals(debtor.info.bic, code, s.now_us).volume_minor} + amount.minor;
      if (after > *lim->second.daily_volume_max_minor) {
        return {Rc::kDailyLimit, 0,
                debtor.info.bic + ": daily volume " + format_minor(saturate(after), amount.currency) + " would exceed " +
                    format_minor(*lim->second.daily_volume_max_minor, amount.currency) + " " + std::string(code)};
      }
    }
  }
  auto open = s.open_window.find(amount.currency);
  DELTRAN_ASSERT(open != s.open_window.end(), "a currency of a participant has an open window");
  const LiveWindow& live = s.windows.at(open->second);
  auto flow_of = [&](ParticipantId id) {
    auto f = live.flows.find(id);
    return f == live.flows.end() ? Flow{} : f->second;
  };
  const Flow out = flow_of(debtor.id), in = flow_of(creditor.id);
  const ledger::Account* account = s.ledger.find(debtor.id, amount.currency);
  const ledger::Account* credited = s.ledger.find(creditor.id, amount.currency);
  DELTRAN_ASSERT(account != nullptr && credited != nullptr, "a participant has an account in each of its currencies");
  // Every total this payment grows must stay inside int64: the window's gross and the
  // participants' flows, the day's volume, and the creditor's balance once the window
  // settles. A refusal here is clean; an overflow later would stop the core.
  int64_t ignored = 0;
  const __int128 credit_after = __int128{credited->balance_minor} + (in.in_minor - in.out_minor) + amount.minor;
  if (__builtin_add_overflow(out.out_minor, amount.minor, &ignored) ||
      __builtin_add_overflow(in.in_minor, amount.minor, &ignored) ||
      __builtin_add_overflow(live.gross_minor, amount.minor, &ignored) ||
      __builtin_add_overflow(s.daily.totals(debtor.info.bic, code, s.now_us).volume_minor, amount.minor, &ignored) ||
      credit_after > INT64_MAX) {
    return {Rc::kCounterOverflow, 0, "the payment would take a window, daily or balance total of " + debtor.info.bic +
                                         " or " + creditor.info.bic + " beyond what the rail can count"};
  }
  // Liquidity = balance + net debit cap (the floor is −cap), or balance − locked tokens when
  // some are locked: locked tokens stay in the account, so the balance may not fall below
  // them, and the credit line is not for spending them either. Reserving the net debit at
  // acceptance is what lets a closed window always settle. 128 bits: a balance near the
  // top of int64 minus a floor of −cap must not wrap.
  const int64_t new_out = out.out_minor + amount.minor;
  const int64_t reserved_after = new_out > out.in_minor ? new_out - out.in_minor : 0;
  const int64_t locked = s.locked_in(debtor.id, amount.currency);
  const __int128 liquidity = __int128{account->balance_minor} - (locked > 0 ? std::max(account->floor_minor, locked) : account->floor_minor);
  if (reserved_after > liquidity) {
    const int64_t available = saturate(liquidity - out.reserved_minor());
    return {Rc::kInsufficientLiquidity, 0,
            debtor.info.bic + " has " + format_minor(available, amount.currency) + " " + std::string(code) +
                " available, the payment needs " + format_minor(amount.minor, amount.currency) + " " + std::string(code)};
  }
  a.window_id = live.id;
  return a;
}

// Admits every leg into its currency's open window, or none: each leg's debtor has its own
// limits and liquidity checked (a leg's currency is no other leg's, so the checks are
// independent). Sets the legs' windows; the admission of the creditor's leg is returned.
// A provider's leg that cannot go is kFxProviderShort: the provider's shortfall, not the
// sender's, so it counts against neither the sender's breakers nor its history.
Admission admit_legs(const Engine::State& s, Legs& legs) {
  Admission last;
  for (size_t i = 0; i < legs.size(); ++i) {
    auto& l = legs[i];
    Admission ad = admit(s, *s.find(l.debtor_agent), *s.find(l.creditor_agent), l.amount);
    if (ad.rc != Rc::kOk) {
      ad.why = "leg " + std::to_string(i + 1) + " of " + std::to_string(legs.size()) + " (" + l.debtor_agent + " → " +
               l.creditor_agent + "): " + ad.why;
      if (i > 0 && (ad.rc == Rc::kInsufficientLiquidity || ad.rc == Rc::kSinglePaymentLimit || ad.rc == Rc::kDailyLimit)) {
        ad.rc = Rc::kFxProviderShort;
      }
      for (auto& undo : legs) undo.window_id = 0;
      return ad;
    }
    l.window_id = ad.window_id;
    last = ad;
  }
  return last;
}

}  // namespace

// A payment at an FX quote becomes linked obligations, one per currency: debtor →
// first provider in the sending currency, provider → provider in each pivot (none when one
// provider makes consecutive conversions), last provider → creditor in the receiving
// currency. Each leg carries the quote's recorded amount: the quote rounded each
// conversion by fx::convert's rule (down, the remainder staying with the provider), so
// nothing is converted again here. The refusal says why the quote does not serve.
LegPlan plan_legs(const Engine::State& s, const TransferCommand& c, const Participant& debtor, const Participant& creditor) {
  auto found = s.quotes.find(c.quote_id);
  if (found == s.quotes.end()) {
    return {Rc::kQuoteNotFound, "quote " + c.quote_id + " does not exist or has expired; ask POST /fx/quotes for one", {}};
  }
  const fx::Quote& q = found->second;
  if (q.expires_us <= s.now_us) {
    return {Rc::kQuoteExpired, "quote " + q.id + " expired " + std::to_string((s.now_us - q.expires_us) / 1'000'000) +
                                   " s ago; ask for a new one", {}};
  }
  if (!q.used_by.empty()) return {Rc::kQuoteUsed, "quote " + q.id + " was used by " + q.used_by, {}};
  if (q.participant != debtor.info.bic) {
    return {Rc::kQuoteNotYours, "quote " + q.id + " was given to " + q.participant + ", not to " + debtor.info.bic, {}};
  }
  const fx::Hop& first = q.path.hops.front();
  const fx::Hop& last = q.path.hops.back();
  if (first.amount_in != q.path.send || last.amount_out != q.path.receive) {
    return {Rc::kQuoteMismatch, "quote " + q.id + " does not chain its conversions", {}};
  }
  const std::string from_code(money::code_of(first.from)), to_code(money::code_of(last.to));
  if (c.amount.currency != first.from || c.amount.minor != q.path.send) {
    return {Rc::kQuoteMismatch, "the payment sends " + money::format(c.amount) + " " + std::string(money::code_of(c.amount.currency)) +
                                    "; quote " + q.id + " sends " + format_minor(q.path.send, first.from) + " " + from_code, {}};
  }
  if (!debtor.has_currency(first.from)) return {Rc::kCurrencyNotEnabled, from_code + " is not enabled for " + debtor.info.bic, {}};
  if (!creditor.has_currency(last.to)) return {Rc::kCurrencyNotEnabled, to_code + " is not enabled for " + creditor.info.bic, {}};
  LegPlan plan;
  std::string payer = debtor.info.bic;
  Amount carried{first.amount_in, first.from};
  for (const fx::Hop& h : q.path.hops) {
    const Participant* provider = s.find(h.provider);
    if (provider == nullptr || !provider->info.fx_provider) {
      return {Rc::kNotFxProvider, h.provider + " no longer provides FX; ask for a new quote", {}};
    }
    // Self-quote: an agent converting its own payment does so on its own books, not on the rail.
    if (provider == &debtor || provider == &creditor) {
      return {Rc::kQuoteMismatch, h.provider + " cannot be the FX provider of a payment it sends or receives", {}};
    }
    if (!provider->has_currency(h.from) || !provider->has_currency(h.to)) {
      return {Rc::kCurrencyNotEnabled, h.provider + " does not hold both " + std::string(money::code_of(h.from)) + " and " +
                                           std::string(money::code_of(h.to)), {}};
    }
    if (h.from != carried.currency || h.amount_in != carried.minor || h.amount_out <= 0) {
      return {Rc::kQuoteMismatch, "quote " + q.id + " does not chain its conversions", {}};
    }
    if (payer != h.provider) plan.legs.push_back(model::PaymentLeg{payer, h.provider, carried, 0});
    payer = h.provider;
    carried = Amount{h.amount_out, h.to};
  }
  plan.legs.push_back(model::PaymentLeg{payer, creditor.info.bic, carried, 0});
  if (c.expected_credit_currency && *c.expected_credit_currency != carried.currency) {
    return {Rc::kQuoteMismatch, "the creditor is to be paid in " + std::string(money::code_of(*c.expected_credit_currency)) +
                                    "; quote " + q.id + " delivers " + to_code, {}};
  }
  if (c.expected_credit && *c.expected_credit != carried) {
    return {Rc::kQuoteMismatch, "the creditor is to receive " + money::format(*c.expected_credit) + " " +
                                    std::string(money::code_of(c.expected_credit->currency)) + "; quote " + q.id + " delivers " +
                                    money::format(carried) + " " + to_code, {}};
  }
  for (size_t i = 0; i < plan.legs.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (plan.legs[i].amount.currency == plan.legs[j].amount.currency) {
        return {Rc::kQuoteMismatch, "quote " + q.id + " passes through one currency twice", {}};
      }
    }
  }
  return plan;
}

std::optional<TransferCommand> sending_side(const Engine::State& s, const TransferCommand& c) {
  if (c.quote_id.empty()) return std::nullopt;
  auto q = s.quotes.find(c.quote_id);
  if (q == s.quotes.end()) return std::nullopt;
  const fx::Path& path = q->second.path;
  const CurrencyId source = path.hops.front().from, target = path.hops.back().to;
  if (c.amount.currency != target || target == source) return std::nullopt;
  // A second amount in a third currency fits neither side: plan_legs refuses it as it stands.
  if (c.expected_credit && c.expected_credit->currency != source) return std::nullopt;
  TransferCommand sending = c;
  sending.expected_credit = c.amount;
  sending.amount = c.expected_credit ? *c.expected_credit : Amount{path.send, source};
  return sending;
}

Reply decide_transfer(Context& cx, const TransferCommand& c) {
  Engine::State& s = cx.s;
  if (auto sending = sending_side(s, c)) return decide_transfer(cx, *sending);  // once: it is in the source currency
  auto earlier = find_earlier(cx, c);
  if (!earlier) return error_reply(Rc::kStoreUnavailable, "cannot read earlier answers: " + earlier.error().message);
  if (earlier->has_value()) return std::move(**earlier);
  const Participant* debtor = s.find(c.debtor_agent);
  if (debtor == nullptr) return error_reply(Rc::kUnknownDebtorAgent, "debtor agent " + c.debtor_agent + " is not a participant");
  const Participant* creditor = s.find(c.creditor_agent);
  if (creditor == nullptr) {
    return error_reply(Rc::kUnknownCreditorAgent, "creditor agent " + c.creditor_agent + " is not a participant");
  }
  if (debtor == creditor) return error_reply(Rc::kSameAgent, "debtor and creditor agent are the same participant");
  const CurrencyId currency = c.amount.currency;
  const bool converted = !c.quote_id.empty();
  if (!money::find_currency(currency) ||
      (!converted && (!debtor->has_currency(currency) || !creditor->has_currency(currency)))) {
    return error_reply(Rc::kCurrencyNotEnabled, std::string(money::find_currency(currency) ? money::code_of(currency) : "?") +
                                                    " is not enabled for both " + c.debtor_agent + " and " + c.creditor_agent);
  }
  if (c.amount.minor <= 0 || c.amount.minor > cx.settings.max_payment_minor) {
    return error_reply(Rc::kAmountNotAllowed, "amount exceeds the largest payment the rail accepts");
  }
  if (!is_uuid(c.id, '7') && !is_uuid_v4(c.id)) return error_reply(Rc::kInternal, "a payment id is a UUID");
  Legs legs;
  if (converted) {
    LegPlan plan = plan_legs(s, c, *debtor, *creditor);
    if (plan.rc != Rc::kOk) return error_reply(plan.rc, std::move(plan.why));
    legs = std::move(plan.legs);
  }
  if (c.screening.decision == Screening::Decision::kBlock) {
    alert(cx, model::EventType::kComplianceAlert, c, c.screening.reasons);
    return reject(cx, c, legs, nullptr, Rc::kRegulatory, "blocked by compliance screening: " + c.screening.summary);
  }
  const Assessment a = assess_payment(s, cx.settings, c, *debtor, *creditor, s.now_us);
  // An open breaker refuses before anything is recorded: the sender retries later.
  if (cx.settings.controls.breakers_enabled &&
      !s.controls.breakers.would_allow_payment(c.debtor_agent, a.report.corridor, s.now_us)) {
    ++s.counts.refused;
    int64_t retry_after_s = 1;
    for (const auto& b : breaker_views(s, cx.settings, s.now_us)) {
      if (b.state == "open" && (b.id == "participant:" + c.debtor_agent || b.id == "corridor:" + a.report.corridor)) {
        retry_after_s = std::max(retry_after_s, b.retry_after_s);
      }
    }
    Reply r = error_reply(Rc::kCircuitOpen, "a circuit breaker of " + c.debtor_agent + " or of its corridor is open; retry in " +
                                                std::to_string(retry_after_s) + " s");
    r.retry_after_s = retry_after_s;
    return r;
  }
  Reply r;
  if (c.screening.decision == Screening::Decision::kReview) {
    alert(cx, model::EventType::kComplianceAlert, c, c.screening.reasons);
    r = hold(cx, c, legs, a, std::max<int64_t>(c.screening.score, a.aml ? a.aml->score : 0), case_reasons(c.screening, a),
             "screening: " + c.screening.summary);
  } else if (a.risk && a.risk->decision == risk::RiskDecision::kReject) {
    alert(cx, model::EventType::kRiskThresholdExceeded, c, "{" + explain(a) + "}");
    r = reject(cx, c, legs, &a, Rc::kRiskRejected,
               "risk score " + std::to_string(a.risk->score) + " is above " + std::to_string(cx.settings.controls.risk.review_max));
  } else if ((a.aml && a.aml->decision == compliance::AmlDecision::kReview) ||
             (a.risk && a.risk->decision == risk::RiskDecision::kReview)) {
    const bool aml_review = a.aml && a.aml->decision == compliance::AmlDecision::kReview;
    alert(cx, model::EventType::kComplianceAlert, c, "{" + explain(a) + "}");
    r = hold(cx, c, legs, a, std::max(aml_review ? a.aml->score : 0, a.risk ? a.risk->score : 0), case_reasons(c.screening, a),
             aml_review ? "AML: " + a.aml->reason : "risk score " + std::to_string(a.risk->score) + " in the review band");
  } else if (Admission ad = legs.empty() ? admit(s, *debtor, *creditor, c.amount) : admit_legs(s, legs); ad.rc != Rc::kOk) {
    if (ad.rc != Rc::kInsufficientLiquidity && ad.rc != Rc::kFxProviderShort) {
      JsonWriter w;
      w.begin_object().field("limit", ad.why).field("result", api_code(ad.rc)).end_object();
      alert(cx, model::EventType::kRiskThresholdExceeded, c, w.take());
    }
    r = reject(cx, c, legs, &a, ad.rc, ad.why);
  } else {
    emit(cx, ev::PaymentAccepted{payment_data(c, a.report.amount_usd_minor, legs), ad.window_id});
    model::Payment row = payment_row(s, c, legs);
    row.status = PaymentStatus::kQueued;
    row.window_id = ad.window_id;
    PaymentResult result{c.id, c.uetr, PaymentStatus::kQueued, ad.window_id, Rc::kOk, {}, 0};
    keep(s, std::move(row));  // the row takes the seq of payment.accepted: before the legs are told
    if (!legs.empty()) tell_legs(cx, c.id, c.quote_id, legs);
    ++s.counts.queued;
    r = payment_reply(result, Rc::kAccepted);
  }
  tell_breakers_opened(cx, c.debtor_agent, a.report.corridor, c.id);
  const auto* p = std::get_if<PaymentResult>(&r.body);
  if (p != nullptr && (p->status == PaymentStatus::kQueued || p->status == PaymentStatus::kHeld)) file_reports(cx, c, a);
  return r;
}

// An officer's decision on a case: approval sends the held payment down the normal path
// (into the window open now, if the debtor can still afford it); rejection ends it (RR04).
Reply decide_case(Context& cx, const CaseDecisionCommand& c) {
  Engine::State& s = cx.s;
  auto it = s.open_cases.find(c.case_id);
  if (it == s.open_cases.end()) {
    return error_reply(Rc::kCaseNotOpen, "case " + std::to_string(c.case_id) + " does not exist or is already decided");
  }
  model::Case kase = it->second;
  auto held = s.held.find(kase.payment_id);
  DELTRAN_ASSERT(held != s.held.end(), "an open case holds a payment");
  const ev::PaymentData p = held->second.payment;
  emit(cx, ev::CaseDecided{kase.id, p.id, p.debtor_agent, p.creditor_agent, c.approve, c.note});

  PaymentResult result{p.id, p.uetr, PaymentStatus::kRejected, 0, Rc::kRegulatory, {}, kase.id};
  std::vector<int64_t> leg_windows;
  if (c.approve) {
    const Participant* debtor = s.find(p.debtor_agent);
    const Participant* creditor = s.find(p.creditor_agent);
    Legs legs = p.legs;
    Admission ad;
    // The quote's rates stay the payment's, but a provider that has given up the role since
    // does not take a leg.
    for (size_t i = 1; i < legs.size() && ad.rc == Rc::kOk; ++i) {
      const Participant* provider = s.find(legs[i].debtor_agent);
      if (provider == nullptr || !provider->info.fx_provider) {
        ad = Admission{Rc::kNotFxProvider, 0, legs[i].debtor_agent + " no longer provides FX"};
      }
    }
    if (ad.rc == Rc::kOk) ad = legs.empty() ? admit(s, *debtor, *creditor, p.amount) : admit_legs(s, legs);
    if (ad.rc == Rc::kOk) {
      for (const auto& l : legs) leg_windows.push_back(l.window_id);
      emit(cx, ev::PaymentReleased{p.id, p.debtor_agent, p.creditor_agent, p.amount, kase.id, ad.window_id, leg_windows});
      if (!legs.empty()) tell_legs(cx, p.id, p.quote_id, legs);
      result.status = PaymentStatus::kQueued;
      result.rc = Rc::kOk;
      result.window_id = ad.window_id;
      ++s.counts.queued;
    } else {
      result.rc = ad.rc;
      result.reason_text = "released by compliance, then refused: " + ad.why;
      emit(cx, ev::PaymentRejected{p, ad.rc, result.reason_text, kase.id});
      ++s.counts.rejected;
    }
  } else {
    result.reason_text = "rejected by compliance review" + (c.note.empty() ? "" : ": " + c.note);
    emit(cx, ev::PaymentRejected{p, Rc::kRegulatory, result.reason_text, kase.id});
    ++s.counts.rejected;
  }
  kase.status = c.approve ? model::CaseStatus::kApproved : model::CaseStatus::kRejected;
  kase.decided_by = s.actor;
  kase.note = c.note;
  kase.decided_us = s.now_us;
  s.batch.cases.push_back(kase);
  s.batch.payment_changes.push_back(
      store::PaymentChange{p.id, result.status, result.rc, result.reason_text, result.window_id, s.now_us, leg_windows});
  Reply r;
  r.body = CaseResult{kase, result};
  return r;
}

}  // namespace deltran::engine
