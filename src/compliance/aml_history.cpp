#include <deltran/compliance/aml_history.hpp>

#include <algorithm>

namespace deltran::compliance {

AmlHistory::AmlHistory(const AmlSettings& settings, size_t max_per_debtor)
    : settings_(settings),
      max_per_debtor_(std::max<size_t>(max_per_debtor, 1)),
      horizon_us_(std::max(settings.rapid_window_us, settings.structuring_window_us)) {}

std::string AmlHistory::pair_key(std::string_view from, std::string_view to) {
  std::string k;
  k.reserve(from.size() + to.size() + 1);
  k.append(from);
  k.push_back('\x1F');  // unit separator: cannot occur in a party key
  k.append(to);
  return k;
}

AmlHistoryFacts AmlHistory::facts(const AmlPayment& p) const {
  AmlHistoryFacts f;
  const int64_t now = p.time_us;
  auto d = debtors_.find(p.debtor);
  if (d != debtors_.end()) {
    for (const Seen& s : d->second) {
      if (s.time_us > now) continue;  // recorded "later" (a clock step back): not history
      const int64_t age = now - s.time_us;
      if (age < settings_.rapid_window_us) ++f.payments_in_rapid_window;
      if (age >= settings_.structuring_window_us) continue;
      if (is_just_below_threshold(settings_, s.amount_usd_minor)) ++f.just_below_in_window;
      const int64_t diff = s.amount_usd_minor > p.amount_usd_minor ? s.amount_usd_minor - p.amount_usd_minor
                                                                    : p.amount_usd_minor - s.amount_usd_minor;
      if (diff <= settings_.similar_tolerance_usd_minor) ++f.similar_amounts_in_window;
    }
  }
  f.new_counterparty = pairs_.find(pair_key(p.debtor, p.creditor)) == pairs_.end();
  auto back = pairs_.find(pair_key(p.creditor, p.debtor));
  f.round_trip = back != pairs_.end() && back->second <= now && now - back->second < settings_.round_trip_window_us;
  return f;
}

void AmlHistory::record(const AmlPayment& p) {
  std::deque<Seen>& q = debtors_[p.debtor];
  const Seen s{p.time_us, p.amount_usd_minor};
  // Keep the deque sorted by time: the core's clock is monotonic, so this is a push_back
  // except after a clock step back.
  auto pos = std::upper_bound(q.begin(), q.end(), s.time_us,
                              [](int64_t t, const Seen& x) { return t < x.time_us; });
  q.insert(pos, s);
  while (!q.empty() && q.back().time_us - q.front().time_us >= horizon_us_) q.pop_front();
  while (q.size() > max_per_debtor_) q.pop_front();
  int64_t& last = pairs_[pair_key(p.debtor, p.creditor)];
  last = std::max(last, p.time_us);
}

void AmlHistory::prune(int64_t now_us) {
  for (auto it = debtors_.begin(); it != debtors_.end();) {
    std::deque<Seen>& q = it->second;
    while (!q.empty() && now_us - q.front().time_us >= horizon_us_) q.pop_front();
    it = q.empty() ? debtors_.erase(it) : std::next(it);
  }
}

size_t AmlHistory::payment_count() const {
  size_t n = 0;
  for (const auto& [k, q] : debtors_) n += q.size();
  return n;
}

}  // namespace deltran::compliance
