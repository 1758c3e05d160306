// The read view published after each commit: participants' balances and limits, the open
// windows' live positions, the directory of BICs and API keys. Only what the batch touched
// is rebuilt; the rest is shared with the previous view.
#include "state.hpp"

namespace deltran::engine {

namespace {

std::shared_ptr<const ParticipantView> participant_view(const Engine::State& s, const Participant& p) {
  auto v = std::make_shared<ParticipantView>();
  v->id = p.id;
  v->info = p.info;
  for (const auto& k : p.api_keys) v->keys.push_back(ParticipantView::Key{k.id, k.issued_us});
  v->rate_tier = p.rate_tier;
  for (CurrencyId c : p.info.currencies) {
    const ledger::Account* a = s.ledger.find(p.id, c);
    if (a == nullptr) continue;
    AccountView av;
    av.currency = c;
    av.balance_minor = a->balance_minor;
    av.reserved_minor = s.reserved(p.id, c);
    av.net_debit_cap_minor = -a->floor_minor;
    av.locked_minor = s.locked_in(p.id, c);
    if (auto h = s.flow_history.find(ledger::AccountKey{p.id, c}); h != s.flow_history.end()) {
      av.recent_windows = h->second;
    }
    const int64_t lowest = av.locked_minor > 0 ? std::max(a->floor_minor, av.locked_minor) : a->floor_minor;
    av.available_minor = saturate(__int128{a->balance_minor} - lowest - av.reserved_minor);
    if (auto lim = p.limits.find(c); lim != p.limits.end()) {
      av.single_payment_max_minor = lim->second.single_payment_max_minor;
      av.daily_volume_max_minor = lim->second.daily_volume_max_minor;
    }
    av.used_today_minor = s.daily.totals(p.info.bic, money::code_of(c), s.now_us).volume_minor;
    v->accounts.push_back(av);
  }
  return v;
}

std::shared_ptr<const model::Window> window_view(const Engine::State& s, const LiveWindow& w) {
  auto v = std::make_shared<model::Window>();
  v->id = w.id;
  v->currency = w.currency;
  v->status = model::WindowStatus::kOpen;
  v->opened_us = w.opened_us;
  v->payment_count = w.payment_count;
  v->gross_minor = w.gross_minor;
  // Positions of an open window are live: what netting would give if it closed now.
  for (const auto& [id, flow] : w.flows) {
    v->positions.push_back({s.name_of(id), flow.in_minor - flow.out_minor, flow.in_minor, flow.out_minor});
  }
  return v;
}

}  // namespace

std::shared_ptr<const ReadView> build_view(const Engine::State& s, const std::shared_ptr<const ReadView>& previous,
                                           bool full) {
  auto v = std::make_shared<ReadView>();
  v->seq = s.last_seq;
  if (full || !previous || s.directory_changed) {
    auto d = std::make_shared<Directory>();
    for (const auto& p : s.participants) {
      d->by_bic[p.info.bic] = p.id;
      for (const auto& id : p.info.clearing_ids) d->by_clearing_id[id.key()] = p.id;
      for (const auto& k : p.api_keys) d->by_key_hash[k.hash] = p.id;
    }
    v->directory = std::move(d);
  } else {
    v->directory = previous->directory;
  }
  v->participants.reserve(s.participants.size());
  for (const auto& p : s.participants) {
    const bool reuse = !full && previous && p.id <= previous->participants.size() && s.dirty_participants.count(p.id) == 0;
    v->participants.push_back(reuse ? previous->participants[p.id - 1] : participant_view(s, p));
  }
  for (const auto& [id, w] : s.windows) {
    if (w.closed) continue;
    std::shared_ptr<const model::Window> reused;
    if (!full && previous && s.dirty_windows.count(id) == 0) {
      if (auto old = previous->open_windows.find(id); old != previous->open_windows.end()) reused = old->second;
    }
    v->open_windows[id] = reused ? std::move(reused) : window_view(s, w);
  }
  v->efficiency_ppm = s.efficiency_ppm;
  // Rates change seldom next to payments: the book is copied only when they do.
  if (full || !previous || s.rates_changed || !previous->rates) {
    v->rates = std::make_shared<const fx::RateBook>(s.rates);
  } else {
    v->rates = previous->rates;
  }
  return v;
}

}  // namespace deltran::engine
