#include <deltran/risk/circuit_breaker.hpp>

#include <algorithm>

#include <deltran/core/assert.hpp>

namespace deltran::risk {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

uint32_t clamp_buckets(uint32_t n) { return std::clamp<uint32_t>(n, 1, CircuitBreaker::kMaxBuckets); }

}  // namespace

std::string_view to_string(BreakerState state) {
  switch (state) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half_open";
  }
  return "open";
}

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess: return "success";
    case Outcome::kRejection: return "rejection";
    case Outcome::kFailure: return "failure";
    case Outcome::kLimitBreach: return "limit_breach";
  }
  return "failure";
}

std::string_view to_string(BreakerScope scope) {
  return scope == BreakerScope::kParticipant ? "participant" : "corridor";
}

Status validate(const BreakerSettings& s) {
  if (s.window_us <= 0 || s.open_duration_us <= 0)
    return make_error(ErrorCode::kInvalidArgument, "circuit breaker window and open duration must be positive");
  if (s.window_buckets == 0 || s.window_buckets > CircuitBreaker::kMaxBuckets ||
      s.window_us < static_cast<int64_t>(s.window_buckets))
    return make_error(ErrorCode::kInvalidArgument, "circuit breaker window buckets must be 1..64");
  if (s.trip_percent > 100 || s.min_bad == 0)
    return make_error(ErrorCode::kInvalidArgument, "circuit breaker trip rule needs min_bad >= 1 and percent <= 100");
  if (s.successes_to_close == 0 || s.half_open_probes == 0)
    return make_error(ErrorCode::kInvalidArgument, "circuit breaker half-open needs probes and successes >= 1");
  return {};
}

CircuitBreaker::CircuitBreaker(const BreakerSettings& settings) : settings_(settings) {
  settings_.window_buckets = clamp_buckets(settings_.window_buckets);
  bucket_us_ = std::max<int64_t>(1, settings_.window_us / settings_.window_buckets);
  stamp_.fill(INT64_MIN);
}

bool CircuitBreaker::is_bad(Outcome o) const {
  switch (o) {
    case Outcome::kSuccess: return false;
    case Outcome::kRejection: return settings_.rejections_count;
    case Outcome::kFailure: return settings_.failures_count;
    case Outcome::kLimitBreach: return settings_.limit_breaches_count;
  }
  return true;
}

void CircuitBreaker::slide(int64_t now_us) {
  const int64_t current = floor_div(now_us, bucket_us_);
  for (uint32_t i = 0; i < settings_.window_buckets; ++i) {
    if (stamp_[i] != INT64_MIN && stamp_[i] <= current - static_cast<int64_t>(settings_.window_buckets)) {
      bad_[i] = total_[i] = 0;
      stamp_[i] = INT64_MIN;
    }
  }
}

void CircuitBreaker::advance(int64_t now_us) {
  if (state_ == BreakerState::kOpen && now_us - opened_at_us_ >= settings_.open_duration_us) {
    state_ = BreakerState::kHalfOpen;
    probes_ = 0;
    successes_ = 0;
  }
}

void CircuitBreaker::open(int64_t now_us) {
  state_ = BreakerState::kOpen;
  opened_at_us_ = now_us;
  probes_ = 0;
  successes_ = 0;
  ++times_opened_;
}

bool CircuitBreaker::allow(int64_t now_us) {
  advance(now_us);
  switch (state_) {
    case BreakerState::kClosed: return true;
    case BreakerState::kOpen: return false;
    case BreakerState::kHalfOpen:
      if (probes_ >= settings_.half_open_probes) return false;
      ++probes_;
      return true;
  }
  return false;
}

bool CircuitBreaker::would_allow(int64_t now_us) const {
  switch (state(now_us)) {
    case BreakerState::kClosed: return true;
    case BreakerState::kOpen: return false;
    case BreakerState::kHalfOpen:
      // An open breaker whose time is up turns half-open with no probe taken yet.
      return state_ == BreakerState::kOpen || probes_ < settings_.half_open_probes;
  }
  return false;
}

void CircuitBreaker::save(BinaryWriter& w) const {
  w.u32(static_cast<uint32_t>(state_));
  for (uint32_t i = 0; i < settings_.window_buckets; ++i) {
    w.u32(bad_[i]);
    w.u32(total_[i]);
    w.i64(stamp_[i]);
  }
  w.i64(opened_at_us_);
  w.u32(probes_);
  w.u32(successes_);
  w.u64(times_opened_);
}

bool CircuitBreaker::load(BinaryReader& r) {
  uint32_t state = r.u32();
  if (state < 1 || state > 3) return false;
  state_ = static_cast<BreakerState>(state);
  for (uint32_t i = 0; i < settings_.window_buckets; ++i) {
    bad_[i] = r.u32();
    total_[i] = r.u32();
    stamp_[i] = r.i64();
  }
  opened_at_us_ = r.i64();
  probes_ = r.u32();
  successes_ = r.u32();
  times_opened_ = r.u64();
  return r.ok();
}

bool CircuitBreaker::record(Outcome outcome, int64_t now_us) {
  advance(now_us);
  const bool bad = is_bad(outcome);
  if (state_ == BreakerState::kHalfOpen) {
    if (bad) {
      open(now_us);
      return true;
    }
    if (++successes_ >= settings_.successes_to_close) reset();
    return false;
  }
  if (state_ == BreakerState::kOpen) return false;  // outcomes of requests already in flight
  slide(now_us);
  const int64_t current = floor_div(now_us, bucket_us_);
  const auto slot = static_cast<size_t>(((current % settings_.window_buckets) + settings_.window_buckets) %
                                        settings_.window_buckets);
  if (stamp_[slot] != current) {
    stamp_[slot] = current;
    bad_[slot] = total_[slot] = 0;
  }
  ++total_[slot];
  if (bad) ++bad_[slot];
  uint64_t b = 0, t = 0;
  for (uint32_t i = 0; i < settings_.window_buckets; ++i) {
    b += bad_[i];
    t += total_[i];
  }
  if (b >= settings_.min_bad && b * 100 >= t * settings_.trip_percent) {
    open(now_us);
    return true;
  }
  return false;
}

BreakerState CircuitBreaker::state(int64_t now_us) const {
  if (state_ == BreakerState::kOpen && now_us - opened_at_us_ >= settings_.open_duration_us)
    return BreakerState::kHalfOpen;
  return state_;
}

BreakerSnapshot CircuitBreaker::snapshot(int64_t now_us) const {
  BreakerSnapshot s;
  s.state = state(now_us);
  const int64_t current = floor_div(now_us, bucket_us_);
  for (uint32_t i = 0; i < settings_.window_buckets; ++i) {
    if (stamp_[i] == INT64_MIN || stamp_[i] <= current - static_cast<int64_t>(settings_.window_buckets)) continue;
    s.bad_in_window += bad_[i];
    s.total_in_window += total_[i];
  }
  s.opened_at_us = opened_at_us_;
  s.probes_in_flight = state_ == BreakerState::kHalfOpen ? probes_ : 0;
  s.probe_successes = state_ == BreakerState::kHalfOpen ? successes_ : 0;
  s.times_opened = times_opened_;
  return s;
}

void CircuitBreaker::reset() {
  state_ = BreakerState::kClosed;
  bad_.fill(0);
  total_.fill(0);
  stamp_.fill(INT64_MIN);
  probes_ = 0;
  successes_ = 0;
}

CircuitBreakers::CircuitBreakers(const BreakerSettings& settings) : settings_(settings) {}

CircuitBreaker& CircuitBreakers::at(BreakerScope scope, std::string_view key) {
  auto it = breakers_.find(Key{scope, std::string(key)});
  if (it == breakers_.end()) it = breakers_.emplace(Key{scope, std::string(key)}, CircuitBreaker(settings_)).first;
  return it->second;
}

bool CircuitBreakers::allow(BreakerScope scope, std::string_view key, int64_t now_us) {
  return at(scope, key).allow(now_us);
}

bool CircuitBreakers::record(BreakerScope scope, std::string_view key, Outcome outcome, int64_t now_us) {
  return at(scope, key).record(outcome, now_us);
}

std::optional<BreakerSnapshot> CircuitBreakers::find(BreakerScope scope, std::string_view key, int64_t now_us) const {
  const auto it = breakers_.find(Key{scope, std::string(key)});
  if (it == breakers_.end()) return std::nullopt;
  return it->second.snapshot(now_us);
}

BreakerState CircuitBreakers::state(BreakerScope scope, std::string_view key, int64_t now_us) const {
  const auto it = breakers_.find(Key{scope, std::string(key)});
  return it == breakers_.end() ? BreakerState::kClosed : it->second.state(now_us);
}

void CircuitBreakers::reset(BreakerScope scope, std::string_view key) {
  const auto it = breakers_.find(Key{scope, std::string(key)});
  if (it != breakers_.end()) it->second.reset();
}

void CircuitBreakers::reset_all() {
  for (auto& [k, b] : breakers_) b.reset();
}

bool CircuitBreakers::allow_payment(std::string_view participant, std::string_view corridor, int64_t now_us) {
  CircuitBreaker& p = at(BreakerScope::kParticipant, participant);
  CircuitBreaker& c = at(BreakerScope::kCorridor, corridor);
  // Ask without taking probe slots first, so a refusal by one does not consume the other's.
  const BreakerState ps = p.state(now_us), cs = c.state(now_us);
  if (ps == BreakerState::kOpen || cs == BreakerState::kOpen) return false;
  if (!p.allow(now_us)) return false;
  return c.allow(now_us);
}

bool CircuitBreakers::would_allow_payment(std::string_view participant, std::string_view corridor,
                                          int64_t now_us) const {
  for (auto key : {Key{BreakerScope::kParticipant, std::string(participant)},
                   Key{BreakerScope::kCorridor, std::string(corridor)}}) {
    auto it = breakers_.find(key);
    if (it != breakers_.end() && !it->second.would_allow(now_us)) return false;
  }
  return true;
}

void CircuitBreakers::save(BinaryWriter& w) const {
  w.u32(settings_.window_buckets);
  w.u64(breakers_.size());
  for (const auto& [key, b] : breakers_) {
    w.u32(static_cast<uint32_t>(key.first));
    w.bytes(key.second);
    b.save(w);
  }
}

bool CircuitBreakers::load(BinaryReader& r) {
  breakers_.clear();
  // A snapshot taken with another bucket count cannot be read bucket for bucket: its
  // breakers start closed, as after a restart before snapshots existed.
  const uint32_t buckets = r.u32();
  const size_t n = r.count(3);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    uint32_t scope = r.u32();
    std::string key = r.str();
    BreakerSettings as_saved = settings_;
    as_saved.window_buckets = std::min(buckets, CircuitBreaker::kMaxBuckets);
    CircuitBreaker b(as_saved);
    if (!b.load(r)) return false;
    if (scope != 1 && scope != 2) return false;
    if (buckets == settings_.window_buckets) breakers_.emplace(Key{static_cast<BreakerScope>(scope), std::move(key)}, b);
  }
  return r.ok();
}

CircuitBreakers::Opened CircuitBreakers::record_payment(std::string_view participant, std::string_view corridor,
                                                        Outcome outcome, int64_t now_us) {
  Opened opened;
  opened.participant = at(BreakerScope::kParticipant, participant).record(outcome, now_us);
  opened.corridor = at(BreakerScope::kCorridor, corridor).record(outcome, now_us);
  return opened;
}

std::vector<CircuitBreakers::Entry> CircuitBreakers::snapshot(int64_t now_us) const {
  std::vector<Entry> out;
  out.reserve(breakers_.size());
  for (const auto& [k, b] : breakers_) out.push_back({k.first, k.second, b.snapshot(now_us)});
  return out;
}

}  // namespace deltran::risk
