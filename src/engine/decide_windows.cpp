// Clearing windows: closing one nets its running aggregates and settles the net positions
// on the ledger in the same group commit; afterwards its payments are told settled in
// chunks (payment.settled), so a window of a million payments never holds the core for
// the length of a million rows. Also the core's housekeeping and the batch's last rows.
#include <algorithm>

#include <deltran/clearing/netting.hpp>
#include <deltran/core/assert.hpp>
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
  // FNV-1a, 64 bits, written out rather than std::hash: the value is kept in snapshots, so
  // it must be the same in every build that reads them. A collision costs one store read.
  uint64_t h = 14695981039346656037ULL;
  for (char c : slot) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return h;
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

void Engine::State::begin_batch(int64_t now, std::string actor_name) {
  batch.clear();
  now_us = now;
  actor = std::move(actor_name);
  dirty_accounts.clear();
  dirty_windows.clear();
  dirty_participants.clear();
  directory_changed = false;
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

Result<int> tell_settled(Context& cx, int budget) {
  Engine::State& s = cx.s;
  int told = 0;
  for (auto it = s.settling.begin(); it != s.settling.end() && told < budget;) {
    const int64_t window_id = it->first;
    auto page = cx.log.window_payments(window_id, it->second, budget - told);
    if (!page) return tl::unexpected(page.error());
    for (const auto& p : *page) {
      emit(cx, ev::PaymentSettled{p.id, window_id, p.seq, p.debtor_agent, p.creditor_agent, p.amount});
      ++told;
    }
    if (page->empty()) {
      it = s.settling.erase(it);  // every payment of the window is told
    } else {
      ++it;
    }
  }
  return told;
}

// --- housekeeping --------------------------------------------------------------------------

void expire(Engine::State& s, const Settings& settings) {
  IdempotencyMemory& m = s.idempotency;
  // Whole answers leave memory after idempotency_memory_us (their fingerprints stay); the
  // store has them, since an answer is only released after its batch commits.
  // Answers of the current batch always stay: they are not in the store until it commits.
  constexpr size_t kMaxRecent = 200'000;
  while (!m.order.empty() && m.order.front().first < s.now_us &&
         (s.now_us - m.order.front().first > settings.idempotency_memory_us || m.order.size() > kMaxRecent)) {
    m.recent.erase(m.order.front().second);
    m.order.pop_front();
  }
  // Once a minute: the store's expired keys (a chunk at a time), the controls' old
  // history; once a day, the expired fingerprints (a pass over all of them).
  if (s.now_us < s.controls.next_prune_us) return;
  s.controls.next_prune_us = s.now_us + 60'000'000;
  const int64_t expiry_us = s.now_us - settings.idempotency_retention_us;
  const auto expiry_day = static_cast<int32_t>(expiry_us / 86'400'000'000);
  if (expiry_day > m.pruned_before_day) {
    std::erase_if(m.fingerprints, [&](const auto& kv) { return kv.second < expiry_day; });
    m.pruned_before_day = expiry_day;
  }
  if (!s.replaying) {
    s.batch.purge_idempotency_before_us = std::max<int64_t>(1, expiry_us);
    s.batch.purge_limit = 20'000;
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
        else return decide_reset_breaker(cx, c);
      },
      command);
}

}  // namespace deltran::engine
