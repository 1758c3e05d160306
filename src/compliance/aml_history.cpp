#include <deltran/compliance/aml_history.hpp>

#include <algorithm>
#include <functional>

namespace deltran::compliance {

namespace {

constexpr int64_t kDayUs = 86'400'000'000;

// splitmix64's finaliser: spreads a combined pair of hashes over all 64 bits.
uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

template <typename Vec, typename T>
void insert_sorted(Vec& v, const T& item, int64_t time) {
  // The core's clock is monotonic, so this is a push_back except after a clock step back.
  auto pos = std::upper_bound(v.begin(), v.end(), time, [](int64_t t, const T& x) {
    if constexpr (std::is_same_v<T, int64_t>) return t < x; else return t < x.time_us;
  });
  v.insert(pos, item);
}

}  // namespace

AmlHistory::AmlHistory(const AmlSettings& settings, size_t max_per_debtor)
    : settings_(settings),
      max_per_debtor_(std::max<size_t>(max_per_debtor, 1)),
      max_failures_(settings.failed_bounds.back() + 1),
      horizon_us_(std::max({settings.rapid_window_us, settings.structuring_window_us, kDayUs})) {}

uint64_t AmlHistory::key_hash(std::string_view key) { return mix(std::hash<std::string_view>{}(key)); }

uint64_t AmlHistory::pair_hash(std::string_view from, std::string_view to) {
  return mix(key_hash(from) * 31 + std::hash<std::string_view>{}(to));
}

AmlHistoryFacts AmlHistory::facts(const AmlPayment& p) const {
  AmlHistoryFacts f;
  const int64_t now = p.time_us;
  if (auto d = debtors_.find(key_hash(p.debtor)); d != debtors_.end()) {
    for (const Seen& s : d->second) {
      if (s.time_us > now) continue;  // recorded "later" (a clock step back): not history
      const int64_t age = now - s.time_us;
      if (age < kDayUs) ++f.payments_in_day;
      if (age < settings_.rapid_window_us) ++f.payments_in_rapid_window;
      if (age >= settings_.structuring_window_us) continue;
      if (is_just_below_threshold(settings_, s.amount_usd_minor)) ++f.just_below_in_window;
      const int64_t diff = s.amount_usd_minor > p.amount_usd_minor ? s.amount_usd_minor - p.amount_usd_minor
                                                                    : p.amount_usd_minor - s.amount_usd_minor;
      if (diff <= settings_.similar_tolerance_usd_minor) ++f.similar_amounts_in_window;
    }
  }
  if (auto fl = failures_.find(key_hash(p.debtor)); fl != failures_.end()) {
    for (int64_t t : fl->second) f.failed_payments_30d += (t <= now && now - t < kFailureWindowUs) ? 1 : 0;
  }
  auto seen = pairs_.find(pair_hash(p.debtor, p.creditor));
  f.new_counterparty = seen == pairs_.end() || now - seen->second >= settings_.counterparty_memory_us;
  auto back = pairs_.find(pair_hash(p.creditor, p.debtor));
  f.round_trip = back != pairs_.end() && back->second <= now && now - back->second < settings_.round_trip_window_us;
  return f;
}

void AmlHistory::record(const AmlPayment& p) {
  auto& q = debtors_[key_hash(p.debtor)];
  insert_sorted(q, Seen{p.time_us, p.amount_usd_minor}, p.time_us);
  size_t drop = 0;
  while (drop < q.size() && q.back().time_us - q[drop].time_us >= horizon_us_) ++drop;
  if (q.size() - drop > max_per_debtor_) drop = q.size() - max_per_debtor_;
  q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(drop));
  int64_t& last = pairs_[pair_hash(p.debtor, p.creditor)];
  last = std::max(last, p.time_us);
  if (debtors_.size() > settings_.max_tracked_debtors || pairs_.size() > settings_.max_tracked_pairs) shed(p.time_us);
}

void AmlHistory::shed(int64_t now_us) {
  // Halve the age kept until both maps are at three quarters of their bound: O(n) per
  // pass, and a pass frees a quarter of the bound, so the cost per payment stays small.
  int64_t age = std::max(horizon_us_, settings_.counterparty_memory_us);
  while (age > 1 && (debtors_.size() > settings_.max_tracked_debtors * 3 / 4 ||
                     pairs_.size() > settings_.max_tracked_pairs * 3 / 4)) {
    age /= 2;
    if (debtors_.size() > settings_.max_tracked_debtors * 3 / 4) {
      shed_ += boost::unordered::erase_if(debtors_, [&](const auto& kv) {
        return kv.second.empty() || now_us - kv.second.back().time_us >= age;
      });
    }
    if (pairs_.size() > settings_.max_tracked_pairs * 3 / 4) {
      shed_ += boost::unordered::erase_if(pairs_, [&](const auto& kv) { return now_us - kv.second >= age; });
    }
  }
}

void AmlHistory::remember_pair(std::string_view debtor, std::string_view creditor, int64_t time_us) {
  int64_t& last = pairs_[pair_hash(debtor, creditor)];
  last = std::max(last, time_us);
  if (pairs_.size() > settings_.max_tracked_pairs) shed(time_us);
}

void AmlHistory::record_failure(std::string_view debtor, int64_t time_us) {
  std::vector<int64_t>& q = failures_[key_hash(debtor)];
  insert_sorted(q, time_us, time_us);
  // Only "more than the last band" matters, so the oldest beyond it can go.
  if (q.size() > max_failures_) q.erase(q.begin(), q.begin() + static_cast<std::ptrdiff_t>(q.size() - max_failures_));
}

void AmlHistory::prune(int64_t now_us) {
  for (auto& [key, q] : debtors_) {
    auto keep = std::find_if(q.begin(), q.end(), [&](const Seen& s) { return now_us - s.time_us < horizon_us_; });
    q.erase(q.begin(), keep);
  }
  boost::unordered::erase_if(debtors_, [](const auto& kv) { return kv.second.empty(); });
  for (auto& [key, q] : failures_) {
    auto keep = std::find_if(q.begin(), q.end(), [&](int64_t t) { return now_us - t < kFailureWindowUs; });
    q.erase(q.begin(), keep);
  }
  boost::unordered::erase_if(failures_, [](const auto& kv) { return kv.second.empty(); });
  boost::unordered::erase_if(pairs_, [&](const auto& kv) { return now_us - kv.second >= settings_.counterparty_memory_us; });
}

void AmlHistory::save(BinaryWriter& w) const {
  w.u64(debtors_.size());
  for (const auto& [key, seen] : debtors_) {
    w.fixed64(key);
    w.u64(seen.size());
    for (const Seen& s : seen) {
      w.i64(s.time_us);
      w.i64(s.amount_usd_minor);
    }
  }
  w.u64(failures_.size());
  for (const auto& [key, times] : failures_) {
    w.fixed64(key);
    w.u64(times.size());
    for (int64_t t : times) w.i64(t);
  }
  w.u64(pairs_.size());
  for (const auto& [key, time] : pairs_) {
    w.fixed64(key);
    w.i64(time);
  }
  w.u64(shed_);
}

bool AmlHistory::load(BinaryReader& r) {
  debtors_.clear();
  failures_.clear();
  pairs_.clear();
  size_t n = r.count(9);
  debtors_.reserve(n);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    uint64_t key = r.fixed64();
    auto& seen = debtors_[key];
    size_t m = r.count(2);
    seen.reserve(m);
    for (size_t j = 0; j < m && r.ok(); ++j) {
      int64_t t = r.i64();
      seen.push_back(Seen{t, r.i64()});
    }
  }
  n = r.count(9);
  failures_.reserve(n);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    uint64_t key = r.fixed64();
    auto& times = failures_[key];
    size_t m = r.count(1);
    for (size_t j = 0; j < m && r.ok(); ++j) times.push_back(r.i64());
  }
  n = r.count(9);
  pairs_.reserve(n);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    uint64_t key = r.fixed64();
    pairs_[key] = r.i64();
  }
  shed_ = r.u64();
  return r.ok();
}

size_t AmlHistory::payment_count() const {
  size_t n = 0;
  for (const auto& [k, q] : debtors_) n += q.size();
  return n;
}

}  // namespace deltran::compliance
