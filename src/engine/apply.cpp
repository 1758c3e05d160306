// Applying events to the core's state: the only code that changes it. Each function is
// deterministic — it reads the event, the state before it and the settings, never a clock
// — so replaying the log after a restart rebuilds exactly the state the core had. The
// decisions (decide_*.cpp) have already checked that each event can apply; the asserts
// here guard that promise.
#include <algorithm>

#include <deltran/core/assert.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

using model::PaymentStatus;

PaymentResult result_of(const ev::PaymentData& p, PaymentStatus status, int64_t window_id, Rc rc,
                        std::string reason_text, int64_t case_id) {
  return PaymentResult{p.id, p.uetr, status, window_id, rc, std::move(reason_text), case_id};
}

// A payment's answer under its key. `first`: the payment's first event (accepted, held or
// refused), whose seq is its row's; later ones (released, rejected on its case) change
// the answer only.
void remember(Engine::State& s, const Settings& settings, const ev::PaymentData& p, PaymentResult result,
              int64_t time_us, bool first) {
  if (p.idempotency_key.empty()) return;
  std::string slot = IdempotencyMemory::slot(p.debtor_agent, p.idempotency_key);
  const uint64_t fp = IdempotencyMemory::fingerprint(slot);
  auto& memory = s.idempotency;
  // A replayed answer is in the store already; its fingerprint leads a retry there. A live
  // one stays in memory at least until its batch commits (expire() keeps the current batch).
  if (s.replaying) {
    if (first) memory.place(std::move(slot), fp, s.last_seq, time_us, settings.idempotency_retention_us);
    return;
  }
  if (first) memory.place(slot, fp, s.last_seq, time_us, settings.idempotency_retention_us);
  auto [it, fresh] = memory.recent.try_emplace(fp);
  it->second.slot = std::move(slot);
  it->second.request_hash = p.request_hash;
  it->second.result = std::move(result);
  if (fresh) memory.order.emplace_back(time_us, fp);
}

void post(Engine::State& s, const ledger::Posting& p, std::string reference, int64_t window_id, int64_t time_us) {
  DELTRAN_ASSERT(s.ledger.validate(p).has_value(), "a posting is checked before its event is written");
  s.ledger.apply(p);
  s.dirty_accounts.insert(ledger::AccountKey{p.from, p.currency});
  s.dirty_accounts.insert(ledger::AccountKey{p.to, p.currency});
  if (!ledger::is_system(p.from)) s.dirty_participants.insert(p.from);
  if (!ledger::is_system(p.to)) s.dirty_participants.insert(p.to);
  if (!s.replaying) {
    s.postings.push_back(model::JournalEntry{std::string(ledger::to_string(p.kind)), p.currency, s.name_of(p.from),
                                             s.name_of(p.to), p.amount_minor, std::move(reference), window_id, time_us});
  }
}

ParticipantId id_of(const Engine::State& s, const std::string& bic) {
  auto it = s.by_bic.find(bic);
  DELTRAN_ASSERT(it != s.by_bic.end(), "an event names a participant that exists");
  return it->second;
}

// Books an obligation into its window: the debtor's outflow (its reservation), the
// creditor's inflow, the pair's sum, the window's gross and count, and the day's volume.
void reserve_flow(Engine::State& s, const std::string& debtor_agent, const std::string& creditor_agent,
                  const Amount& amount, int64_t window_id, int64_t time_us) {
  auto w = s.windows.find(window_id);
  DELTRAN_ASSERT(w != s.windows.end() && !w->second.closed && w->second.currency == amount.currency,
                 "a payment goes into an open window of its currency");
  LiveWindow& live = w->second;
  const ParticipantId debtor = id_of(s, debtor_agent);
  const ParticipantId creditor = id_of(s, creditor_agent);
  Flow& out = live.flows[debtor];
  Flow& in = live.flows[creditor];
  DELTRAN_ASSERT(!__builtin_add_overflow(out.out_minor, amount.minor, &out.out_minor) &&
                     !__builtin_add_overflow(in.in_minor, amount.minor, &in.in_minor) &&
                     !__builtin_add_overflow(live.gross_minor, amount.minor, &live.gross_minor),
                 "window totals were checked for overflow before acceptance");
  live.pair_sums[{debtor, creditor}] += amount.minor;
  ++live.payment_count;
  auto st = s.daily.add(debtor_agent, money::code_of(amount.currency), amount.minor, time_us);
  DELTRAN_ASSERT(st.has_value(), "the daily volume was checked for overflow before acceptance");
  s.dirty_windows.insert(window_id);
  s.dirty_participants.insert(debtor);
  s.dirty_participants.insert(creditor);
}

// Books a payment into its window, or each leg of a cross-currency payment into its own.
void reserve(Engine::State& s, const ev::PaymentData& p, int64_t window_id, int64_t time_us) {
  if (p.legs.empty()) return reserve_flow(s, p.debtor_agent, p.creditor_agent, p.amount, window_id, time_us);
  DELTRAN_ASSERT(p.legs.back().window_id == window_id, "a cross-currency payment's window is its last leg's");
  for (const auto& l : p.legs) reserve_flow(s, l.debtor_agent, l.creditor_agent, l.amount, l.window_id, time_us);
}

// A quote is used once: by the payment accepted or held at it.
void use_quote(Engine::State& s, const ev::PaymentData& p) {
  if (p.quote_id.empty()) return;
  auto q = s.quotes.find(p.quote_id);
  DELTRAN_ASSERT(q != s.quotes.end() && q->second.used_by.empty(), "a payment uses a live quote not used before");
  q->second.used_by = "payment " + p.id;
}

struct Applier {
  Engine::State& s;
  const Settings& settings;
  int64_t time_us;

  void operator()(const ev::ParticipantCreated& e) {
    DELTRAN_ASSERT(e.id == s.participants.size() + 1, "participant ids are dense, in order of creation");
    Participant p;
    p.id = e.id;
    p.info.bic = e.bic;
    p.info.name = e.name;
    p.info.country = e.country;
    p.info.currencies = e.currencies;
    p.info.net_debit_cap_minor = e.caps;
    p.info.created_us = time_us;
    for (CurrencyId c : e.currencies) {
      s.ledger.open_currency(c);
      auto cap = e.caps.find(c);
      s.ledger.open_account(e.id, c, cap == e.caps.end() ? 0 : -cap->second);
      s.dirty_accounts.insert(ledger::AccountKey{e.id, c});
      s.dirty_accounts.insert(ledger::AccountKey{ledger::kOmnibus, c});
      s.dirty_accounts.insert(ledger::AccountKey{ledger::kClearing, c});
    }
    s.participants.push_back(std::move(p));
    s.by_bic[e.bic] = e.id;
    s.dirty_participants.insert(e.id);
    s.directory_changed = true;
  }

  void operator()(const ev::CredentialIssued& e) {
    Participant& p = s.at(id_of(s, e.bic));
    const std::string id = key_id_of(e.key_hash);
    if (p.find_key(id) == nullptr) p.api_keys.push_back(ApiKey{id, e.key_hash, time_us});
    s.dirty_participants.insert(p.id);
    s.directory_changed = true;
  }

  void operator()(const ev::CredentialRevoked& e) {
    Participant& p = s.at(id_of(s, e.bic));
    std::erase_if(p.api_keys, [&](const ApiKey& k) { return k.id == e.key_id; });
    s.dirty_participants.insert(p.id);
    s.directory_changed = true;
  }

  void operator()(const ev::RateTierSet& e) {
    Participant& p = s.at(id_of(s, e.bic));
    p.rate_tier = e.tier;
    s.dirty_participants.insert(p.id);
  }

  void operator()(const ev::FundsMoved& e) {
    const ParticipantId id = id_of(s, e.bic);
    ledger::Posting p;
    p.kind = e.mint ? ledger::PostingKind::kMint : ledger::PostingKind::kBurn;
    p.currency = e.amount.currency;
    p.from = e.mint ? ledger::kOmnibus : id;
    p.to = e.mint ? id : ledger::kOmnibus;
    p.amount_minor = e.amount.minor;
    post(s, p, e.reference, 0, time_us);
    s.token_references[(e.mint ? "MINT:" : "BURN:") + e.reference] = TokenReference{e.bic, e.amount, {}};
  }

  void operator()(const ev::ClearingIdsSet& e) {
    Participant& p = s.at(id_of(s, e.bic));
    p.info.clearing_ids = e.ids;
    s.dirty_participants.insert(p.id);
    s.directory_changed = true;
  }

  void operator()(const ev::RolesSet& e) {
    Participant& p = s.at(id_of(s, e.bic));
    p.info.fx_provider = e.fx_provider;
    s.dirty_participants.insert(p.id);
    if (!e.fx_provider) {
      s.rates.remove_provider(e.bic);
      s.rates_changed = true;
    }
  }

  void operator()(const ev::RatePosted& e) {
    s.rates.put(e.rate);
    s.rates_changed = true;
  }

  void operator()(const ev::QuoteIssued& e) {
    s.quotes[e.quote.id] = e.quote;
    s.quote_expiry.emplace(e.quote.expires_us, e.quote.id);
  }

  void operator()(const ev::TokensTransferred& e) {
    post(s, {ledger::PostingKind::kTransfer, e.amount.currency, id_of(s, e.from), id_of(s, e.to), e.amount.minor}, e.reference,
         0, time_us);
    s.token_references["XFER:" + e.reference] = TokenReference{e.from, e.amount, e.to};
  }

  void operator()(const ev::TokensConverted& e) {
    DELTRAN_ASSERT(!e.legs.empty(), "a conversion has legs");
    for (const auto& l : e.legs) {
      post(s, {ledger::PostingKind::kTransfer, l.amount.currency, id_of(s, l.debtor_agent), id_of(s, l.creditor_agent),
               l.amount.minor}, e.reference, 0, time_us);
    }
    auto q = s.quotes.find(e.quote_id);
    DELTRAN_ASSERT(q != s.quotes.end() && q->second.used_by.empty(), "a conversion uses a live quote not used before");
    q->second.used_by = "conversion " + e.reference;
    s.token_references["CONV:" + e.reference] = TokenReference{e.bank, e.legs.front().amount, e.quote_id};
  }

  void operator()(const ev::TokensLocked& e) {
    const ledger::AccountKey key{id_of(s, e.bank), e.amount.currency};
    if (e.lock) {
      s.locks[e.reference] = TokenLock{e.bank, e.amount, e.reason};
      s.locked[key] += e.amount.minor;
      s.token_references["LOCK:" + e.reference] = TokenReference{e.bank, e.amount, {}};
    } else {
      DELTRAN_ASSERT(s.locks.count(e.reference) == 1 && s.locked[key] >= e.amount.minor, "an unlock releases a live lock");
      s.locks.erase(e.reference);
      if ((s.locked[key] -= e.amount.minor) == 0) s.locked.erase(key);
      s.token_references["UNLOCK:" + e.reference] = TokenReference{e.bank, e.amount, {}};
    }
    s.dirty_participants.insert(key.owner);
  }

  void operator()(const ev::LimitsChanged& e) {
    Participant& p = s.at(id_of(s, e.bic));
    for (const auto& l : e.entries) {
      auto& lim = p.limits[l.currency];
      lim.single_payment_max_minor = l.single_payment_max_minor;
      lim.daily_volume_max_minor = l.daily_volume_max_minor;
      s.ledger.open_account(p.id, l.currency, -l.net_debit_cap_minor);
      p.info.net_debit_cap_minor[l.currency] = l.net_debit_cap_minor;
      s.dirty_accounts.insert(ledger::AccountKey{p.id, l.currency});
    }
    s.dirty_participants.insert(p.id);
  }

  void operator()(const ev::PaymentAccepted& e) {
    use_quote(s, e.p);
    reserve(s, e.p, e.window_id, time_us);
    remember(s, settings, e.p, result_of(e.p, PaymentStatus::kQueued, e.window_id, Rc::kOk, {}, 0), time_us, true);
    record_outcome(s, settings, e.p, Ending::kQueued, time_us);
  }

  void operator()(const ev::PaymentHeld& e) {
    model::Case kase;
    kase.id = e.case_id;
    kase.payment_id = e.p.id;
    kase.debtor_agent = e.p.debtor_agent;
    kase.creditor_agent = e.p.creditor_agent;
    kase.score = e.score;
    kase.reasons = e.reasons;
    kase.created_us = time_us;
    s.open_cases[e.case_id] = std::move(kase);
    s.last_case_id = std::max(s.last_case_id, e.case_id);
    use_quote(s, e.p);
    s.held[e.p.id] = HeldPayment{e.p, e.case_id, time_us};
    remember(s, settings, e.p, result_of(e.p, PaymentStatus::kHeld, 0, Rc::kOk, e.reason_text, e.case_id), time_us, true);
    record_outcome(s, settings, e.p, Ending::kHeld, time_us);
  }

  void operator()(const ev::PaymentRejected& e) {
    if (e.case_id != 0) {
      // A held payment, rejected on its case's decision: its first answer changes.
      s.held.erase(e.p.id);
      remember(s, settings, e.p, result_of(e.p, PaymentStatus::kRejected, 0, e.rc, e.reason_text, e.case_id), time_us, false);
      return;
    }
    remember(s, settings, e.p, result_of(e.p, PaymentStatus::kRejected, 0, e.rc, e.reason_text, 0), time_us, true);
    record_outcome(s, settings, e.p, ending_of(e.rc), time_us);
  }

  void operator()(const ev::PaymentReleased& e) {
    auto it = s.held.find(e.id);
    DELTRAN_ASSERT(it != s.held.end(), "a released payment was held");
    ev::PaymentData p = it->second.payment;
    s.held.erase(it);
    DELTRAN_ASSERT(e.leg_windows.size() == p.legs.size(), "a released payment names a window for each leg");
    for (size_t i = 0; i < p.legs.size(); ++i) p.legs[i].window_id = e.leg_windows[i];
    reserve(s, p, e.window_id, time_us);
    remember(s, settings, p, result_of(p, PaymentStatus::kQueued, e.window_id, Rc::kOk, {}, e.case_id), time_us, false);
  }

  void operator()(const ev::PaymentSettled& e) {
    auto it = s.settling.find(e.window_id);
    if (it != s.settling.end()) it->second = std::max(it->second, e.payment_seq);
  }

  void operator()(const ev::WindowOpened& e) {
    LiveWindow w;
    w.id = e.id;
    w.currency = e.currency;
    w.opened_us = time_us;
    s.windows[e.id] = std::move(w);
    s.open_window[e.currency] = e.id;
    s.next_window_id = std::max(s.next_window_id, e.id + 1);
    s.dirty_windows.insert(e.id);
  }

  void operator()(const ev::WindowClosed& e) {
    LiveWindow& w = s.windows.at(e.id);
    DELTRAN_ASSERT(w.payment_count == e.payment_count && w.gross_minor == e.gross_minor,
                   "a window closes with exactly what it was given");
    w.closed = true;
    w.closed_us = time_us;
    auto open = s.open_window.find(w.currency);
    if (open != s.open_window.end() && open->second == e.id) s.open_window.erase(open);
    s.dirty_windows.insert(e.id);
  }

  void operator()(const ev::WindowNetted& e) {
    LiveWindow& w = s.windows.at(e.id);
    DELTRAN_ASSERT(w.closed, "a window is netted after it closed");
    w.positions.clear();
    __int128 sum = 0;
    for (const auto& pos : e.positions) {
      const ParticipantId id = id_of(s, pos.bank);
      const Flow& f = w.flows.at(id);
      DELTRAN_ASSERT(pos.net_minor == f.in_minor - f.out_minor, "a net position equals incoming minus outgoing");
      w.positions.emplace_back(id, pos.net_minor);
      sum += pos.net_minor;
    }
    DELTRAN_ASSERT(sum == 0, "net positions sum to zero");
    w.net_minor = e.net_minor;
    w.bilateral_minor = e.bilateral_minor;
    w.efficiency_ppm = e.efficiency_ppm;
    w.bilateral_efficiency_ppm = e.bilateral_efficiency_ppm;
  }

  void operator()(const ev::WindowSettled& e) {
    LiveWindow& w = s.windows.at(e.id);
    const std::string reference = "window-" + std::to_string(e.id);
    // Debtors pay into the clearing account first, then it pays the creditors: the
    // reservations made at acceptance guarantee every posting passes.
    // A net position larger than one posting may carry goes in several postings.
    auto settle = [&](ParticipantId from, ParticipantId to, int64_t amount) {
      while (amount > 0) {
        const int64_t part = std::min(amount, ledger::kMaxPostingMinor);
        post(s, {ledger::PostingKind::kSettlement, w.currency, from, to, part}, reference, e.id, time_us);
        amount -= part;
      }
    };
    for (const auto& [id, net] : w.positions) {
      if (net < 0) settle(id, ledger::kClearing, -net);
    }
    for (const auto& [id, net] : w.positions) {
      if (net > 0) settle(ledger::kClearing, id, net);
    }
    DELTRAN_ASSERT(s.ledger.balance(ledger::kClearing, w.currency) == 0, "the clearing account is zero after settlement");
    for (const auto& [id, flow] : w.flows) {
      s.dirty_participants.insert(id);
      auto& history = s.flow_history[ledger::AccountKey{id, w.currency}];
      history.push_back(fx::WindowFlow{flow.in_minor, flow.out_minor});
      if (history.size() > static_cast<size_t>(fx::kFlowHistoryWindows)) history.erase(history.begin());
    }
    s.efficiency_ppm[w.currency] = w.efficiency_ppm;
    s.settling[e.id] = 0;
    s.settled_in_batch[e.id] = s.last_batch + 1;  // the batch being decided
    s.dirty_windows.insert(e.id);
    if (!s.replaying) {
      // The settled window's final row, for the read model, before it leaves memory.
      model::Window row = window_row(w);
      row.status = model::WindowStatus::kSettled;
      row.closed_us = w.closed_us;
      row.net_minor = w.net_minor;
      row.bilateral_minor = w.bilateral_minor;
      row.efficiency_ppm = w.efficiency_ppm;
      row.bilateral_efficiency_ppm = w.bilateral_efficiency_ppm;
      for (const auto& [id, net] : w.positions) row.positions.push_back({s.name_of(id), net});
      std::sort(row.positions.begin(), row.positions.end(),
                [](const model::Position& a, const model::Position& b) { return a.bank < b.bank; });
      s.batch.windows.push_back(std::move(row));
    }
    s.windows.erase(e.id);
  }

  void operator()(const ev::CaseDecided& e) { s.open_cases.erase(e.case_id); }

  void operator()(const ev::ReportFiled& e) {
    s.controls.last_report_id = std::max(s.controls.last_report_id, e.id);
    if (e.kind == "SAR") {
      int64_t& last = s.controls.last_sar[e.debtor_key];
      last = std::max(last, time_us);
    }
  }

  void operator()(const ev::BreakerReset& e) {
    const size_t colon = e.id.find(':');
    if (colon == std::string::npos) return;
    const std::string scope = e.id.substr(0, colon);
    s.controls.breakers.reset(scope == "participant" ? risk::BreakerScope::kParticipant : risk::BreakerScope::kCorridor,
                              e.id.substr(colon + 1));
  }

  void operator()(const ev::Notice&) {}
};

}  // namespace

void apply(Engine::State& s, const Settings& settings, const ev::Any& event, int64_t time_us) {
  std::visit(Applier{s, settings, time_us}, event);
}

}  // namespace deltran::engine
