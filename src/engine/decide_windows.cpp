// Clearing windows: closing one nets its running aggregates and settles the net positions
// on the ledger in the same group commit; afterwards its payments are told settled in
// chunks (payment.settled), so a window of a million payments never holds the core for
// the length of a million rows. Also the core's housekeeping and the batch's last rows.
#include <algorithm>

#include <deltran/clearing/netting.hpp>
#include <deltran/core/assert.hpp>
#include <deltran/core/text.hpp>
#include <deltran/money/amount.hpp>

#include "state.hpp"

namespace deltran::engine {

// --- small shared helpers ----------------------------------------------------------------

Reply error_reply(Rc rc, std::string message) {
  Reply r;
  r.rc = rc;
  r.message = std::move(message);
  return r;
}

int64_t saturate(__int128 v) {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(v);
}

std::string IdempotencyMemory::slot(std::string_view debtor_agent, std::string_view key) {
  std::string s(debtor_agent);
  s += '\x1f';
  s += key;
  return s;
}

uint64_t IdempotencyMemory::fingerprint(std::string_view slot) {
  // Kept in snapshots, so a hash stable across builds. A collision costs a store read and an
  // entry in `collided`.
  return fnv1a64(slot);
}

int32_t IdempotencyMemory::day(int64_t time_us) {
  constexpr int64_t kDay = 86'400'000'000;
  const int64_t d = time_us >= 0 ? time_us / kDay : -((-time_us + kDay - 1) / kDay);
  return static_cast<int32_t>(std::clamp<int64_t>(d, INT32_MIN + 1, INT32_MAX));
}

int32_t IdempotencyMemory::day_of(int64_t seq) const {
  auto it = std::upper_bound(day_starts.begin(), day_starts.end(), seq,
                             [](int64_t v, const std::pair<int32_t, int64_t>& d) { return v < d.second; });
  if (it == day_starts.begin()) return INT32_MIN;  // before every day still kept: expired
  return std::prev(it)->first;
}

void IdempotencyMemory::place(std::string slot, uint64_t fp, int64_t seq, int64_t time_us, int64_t retention_us) {
  const int32_t today = day(time_us);
  if (day_starts.empty() || today > day_starts.back().first) day_starts.emplace_back(today, seq);
  auto [it, fresh] = fingerprints.try_emplace(fp, seq);
  if (fresh) return;
  // Held by an expired key: this one takes it. Held by a live key: that is another key
  // (a live key of its own would have been answered, not made a new payment).
  if (!live(it->second, expiry_day(time_us, retention_us))) {
    it->second = seq;
  } else {
    collided[std::move(slot)] = seq;
  }
}

void IdempotencyMemory::prune(int32_t expiry) {
  boost::unordered::erase_if(fingerprints, [&](const auto& kv) { return !live(kv.second, expiry); });
  std::erase_if(collided, [&](const auto& kv) { return !live(kv.second, expiry); });
  // A seq before every day kept reads as expired, so expired days can go.
  std::erase_if(day_starts, [&](const auto& d) { return d.first < expiry; });
}

Engine::State::State(const Settings& settings) {
  controls.aml = std::make_unique<compliance::AmlHistory>(settings.controls.aml);
  controls.breakers = risk::CircuitBreakers(settings.controls.breakers);
}

std::string Engine::State::name_of(ParticipantId id) const {
  if (id == ledger::kOmnibus) return std::string(ledger::kOmnibusName);
  if (id == ledger::kClearing) return std::string(ledger::kClearingName);
  return id >= 1 && id <= participants.size() ? participants[id - 1].info.bic : "participant " + std::to_string(id);
}

int64_t Engine::State::reserved(ParticipantId id, CurrencyId currency) const {
  auto w = open_window.find(currency);
  if (w == open_window.end()) return 0;
  const LiveWindow& live = windows.at(w->second);
  auto f = live.flows.find(id);
  return f == live.flows.end() ? 0 : f->second.reserved_minor();
}

fx::Prediction Engine::State::predict(ParticipantId id, const Amount& amount) const {
  fx::WindowFlow current;
  if (auto w = open_window.find(amount.currency); w != open_window.end()) {
    const LiveWindow& live = windows.at(w->second);
    if (auto f = live.flows.find(id); f != live.flows.end()) current = fx::WindowFlow{f->second.in_minor, f->second.out_minor};
  }
  std::span<const fx::WindowFlow> history;
  if (auto h = flow_history.find(ledger::AccountKey{id, amount.currency}); h != flow_history.end()) history = h->second;
  auto e = efficiency_ppm.find(amount.currency);
  return fx::predict_counterflow(history, current, amount.minor, e == efficiency_ppm.end() ? 0 : e->second);
}

void Engine::State::begin_batch(int64_t now, std::string actor_name) {
  batch.clear();
  now_us = now;
  actor = std::move(actor_name);
  dirty_accounts.clear();
  dirty_windows.clear();
  dirty_participants.clear();
  directory_changed = false;
  rates_changed = false;
  postings.clear();
  counts = Counts{};
}

// --- closing a window ----------------------------------------------------------------------

model::Window window_row(const LiveWindow& w) {
  model::Window row;
  row.id = w.id;
  row.currency = w.currency;
  row.status = model::WindowStatus::kOpen;
  row.opened_us = w.opened_us;
  row.payment_count = w.payment_count;
  row.gross_minor = w.gross_minor;
  return row;
}

namespace {

// Nets the window, settles every net position through the clearing account, and opens the
// next window of the currency: all in the current batch, so it commits as one transaction.
void settle(Context& cx, LiveWindow& w) {
  Engine::State& s = cx.s;
  const int64_t id = w.id;
  const CurrencyId currency = w.currency;
  std::vector<ParticipantId> banks;
  banks.reserve(w.flows.size());
  for (const auto& [bank, flow] : w.flows) banks.push_back(bank);  // sorted: std::map
  auto index_of = [&](ParticipantId bank) {
    return static_cast<uint32_t>(std::lower_bound(banks.begin(), banks.end(), bank) - banks.begin());
  };
  std::vector<clearing::Obligation> obligations;
  obligations.reserve(w.pair_sums.size());
  for (const auto& [pair, amount] : w.pair_sums) obligations.push_back({index_of(pair.first), index_of(pair.second), amount});
  auto netted = clearing::net_multilateral(obligations, static_cast<uint32_t>(banks.size()));
  DELTRAN_ASSERT(netted.has_value(), "window aggregates are valid netting input");
  DELTRAN_ASSERT(netted->gross_minor == w.gross_minor, "netting gross equals the window's gross");

  emit(cx, ev::WindowClosed{id, currency, w.payment_count, w.gross_minor});
  ev::WindowNetted n;
  n.id = id;
  n.currency = currency;
  for (size_t i = 0; i < banks.size(); ++i) n.positions.push_back({s.name_of(banks[i]), netted->net_minor[i]});
  n.net_minor = netted->settled_minor;
  n.bilateral_minor = netted->bilateral_minor;
  n.efficiency_ppm = netted->efficiency_ppm;
  n.bilateral_efficiency_ppm = netted->bilateral_efficiency_ppm;
  const int64_t count = w.payment_count;
  emit(cx, n);
  emit(cx, ev::WindowSettled{id, currency, netted->settled_minor});  // w is gone from here on
  s.counts.settled += count;
  ++s.counts.windows_settled;
  emit(cx, ev::WindowOpened{s.next_window_id, currency});
}

}  // namespace

Reply decide_close(Context& cx, const CloseWindowCommand& c) {
  Engine::State& s = cx.s;
  int64_t id = c.window_id;
  if (id == 0) {
    auto it = s.open_window.find(c.currency);
    if (it == s.open_window.end()) return error_reply(Rc::kWindowNotFound, "no open window for the currency");
    id = it->second;
  }
  auto it = s.windows.find(id);
  if (it == s.windows.end()) {
    Reply r = error_reply(id < s.next_window_id ? Rc::kWindowAlreadySettled : Rc::kWindowNotFound,
                          "window " + std::to_string(id) + (id < s.next_window_id ? " is already settled" : " does not exist"));
    return r;
  }
  model::Window before = window_row(it->second);
  if (c.skip_if_empty && it->second.payment_count == 0) {
    Reply r;
    r.body = before;
    return r;
  }
  settle(cx, it->second);
  Reply r;
  // The settled row the read model gets in this batch.
  for (const auto& w : s.batch.windows) {
    if (w.id == id) r.body = w;
  }
  return r;
}

Result<int> tell_settled(Context& cx, int budget, int64_t durable_batch) {
  Engine::State& s = cx.s;
  int told = 0;
  for (auto it = s.settling.begin(); it != s.settling.end() && told < budget;) {
    const int64_t window_id = it->first;
    // A settlement still being committed: its last payments may not be readable yet.
    if (auto b = s.settled_in_batch.find(window_id); b != s.settled_in_batch.end() && b->second > durable_batch) {
      ++it;
      continue;
    }
    auto page = cx.log.window_payments(window_id, it->second, budget - told);
    if (!page) return tl::unexpected(page.error());
    for (const auto& p : *page) {
      emit(cx, ev::PaymentSettled{p.id, window_id, p.seq, p.debtor_agent, p.creditor_agent, p.amount});
      ++told;
    }
    if (page->empty()) {
      s.settled_in_batch.erase(window_id);
      it = s.settling.erase(it);  // every payment of the window is told
    } else {
      ++it;
    }
  }
  return told;
}

// --- housekeeping --------------------------------------------------------------------------

void expire(Engine::State& s, const Settings& settings) {
  // Quotes past their expiry are of no more use (their events keep them).
  while (!s.quote_expiry.empty() && s.quote_expiry.begin()->first < s.now_us) {
    s.quotes.erase(s.quote_expiry.begin()->second);
    s.quote_expiry.erase(s.quote_expiry.begin());
  }
  IdempotencyMemory& m = s.idempotency;
  // Whole answers leave memory after idempotency_memory_us (their fingerprints stay); the
  // store has them, since an answer is only released after its batch commits.
  // Answers of the current batch always stay: they are not in the store until it commits.
  constexpr size_t kMaxRecent = 200'000;
  while (!m.order.empty() && m.order.front().first < s.now_us &&
         (s.now_us - m.order.front().first > settings.idempotency_memory_us || m.order.size() > kMaxRecent)) {
    auto it = m.recent.find(m.order.front().second);
    if (it != m.recent.end()) m.recent.erase(it);
    m.order.pop_front();
  }
  // Once a minute: the controls' old history; once a day, the expired fingerprints (a pass
  // over all of them). The store keeps every payment; the retention bounds what answers.
  if (s.now_us < s.controls.next_prune_us) return;
  s.controls.next_prune_us = s.now_us + 60'000'000;
  const int32_t expiry = IdempotencyMemory::expiry_day(s.now_us, settings.idempotency_retention_us);
  if (expiry > m.pruned_before_day) {
    m.prune(expiry);
    m.pruned_before_day = expiry;
  }
  s.daily.prune(s.now_us);
  prune_controls(s, settings);
}

void finish_batch(Engine::State& s) {
  for (const auto& key : s.dirty_accounts) {
    const ledger::Account* a = s.ledger.find(key.owner, key.currency);
    DELTRAN_ASSERT(a != nullptr, "a dirty account exists");
    s.batch.accounts.push_back(model::AccountBalance{s.name_of(key.owner), key.currency, a->balance_minor, a->floor_minor});
  }
  for (int64_t id : s.dirty_windows) {
    auto it = s.windows.find(id);
    if (it != s.windows.end()) s.batch.windows.push_back(window_row(it->second));
  }
  for (auto& p : s.postings) s.batch.journal.push_back(std::move(p));
  s.postings.clear();
}

Reply decide(Context& cx, const Command& command) {
  return std::visit(
      [&](const auto& c) -> Reply {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, TransferCommand>) return decide_transfer(cx, c);
        else if constexpr (std::is_same_v<T, CreateBankCommand>) return decide_create_bank(cx, c);
        else if constexpr (std::is_same_v<T, TokenCommand>) return decide_tokens(cx, c);
        else if constexpr (std::is_same_v<T, CloseWindowCommand>) return decide_close(cx, c);
        else if constexpr (std::is_same_v<T, CaseDecisionCommand>) return decide_case(cx, c);
        else if constexpr (std::is_same_v<T, SetLimitsCommand>) return decide_limits(cx, c);
        else if constexpr (std::is_same_v<T, ResetBreakerCommand>) return decide_reset_breaker(cx, c);
        else if constexpr (std::is_same_v<T, SetClearingIdsCommand>) return decide_clearing_ids(cx, c);
        else if constexpr (std::is_same_v<T, SetRolesCommand>) return decide_roles(cx, c);
        else if constexpr (std::is_same_v<T, PostRateCommand>) return decide_rate(cx, c);
        else if constexpr (std::is_same_v<T, RecordQuoteCommand>) return decide_quote(cx, c);
        else if constexpr (std::is_same_v<T, TokenTransferCommand>) return decide_token_transfer(cx, c);
        else if constexpr (std::is_same_v<T, TokenConvertCommand>) return decide_token_convert(cx, c);
        else if constexpr (std::is_same_v<T, TokenLockCommand>) return decide_token_lock(cx, c);
        else if constexpr (std::is_same_v<T, IssueKeyCommand>) return decide_issue_key(cx, c);
        else if constexpr (std::is_same_v<T, RevokeKeyCommand>) return decide_revoke_key(cx, c);
        else if constexpr (std::is_same_v<T, SetRateTierCommand>) return decide_rate_tier(cx, c);
        else return decide_notice(cx, c);
      },
      command);
}

}  // namespace deltran::engine
