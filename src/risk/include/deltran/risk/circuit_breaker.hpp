#pragma once
// Circuit breakers per participant and per corridor: when too many of the recent outcomes
// are rejections, failures or limit breaches the breaker opens and stops traffic; after a
// cool-off it lets a few probes through (half-open) and closes again once they succeed.
//   closed --(bad >= min_bad and bad/total >= trip_percent in the window)--> open
//   open --(open_duration elapsed)--> half-open
//   half-open --(successes_to_close successes)--> closed; --(any bad outcome)--> open
// Deterministic: time is passed in, nothing reads a clock; the single-writer core owns it.
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/binary.hpp>
#include <deltran/core/result.hpp>

namespace deltran::risk {

// Stable numbers.
enum class BreakerState : uint8_t { kClosed = 1, kOpen = 2, kHalfOpen = 3 };
enum class Outcome : uint8_t { kSuccess = 1, kRejection = 2, kFailure = 3, kLimitBreach = 4 };
std::string_view to_string(BreakerState state);
std::string_view to_string(Outcome outcome);

struct BreakerSettings {
  int64_t window_us = 60'000'000;        // the sliding window of outcomes
  uint32_t window_buckets = 12;          // its resolution: 5 s buckets (at most kMaxBuckets)
  uint32_t min_bad = 5;                  // opens after 5 bad outcomes (ORIGINAL_RULES.md) ...
  uint32_t trip_percent = 50;            // ... making at least half of the window's outcomes
  bool rejections_count = true;          // which outcomes are bad
  bool failures_count = true;
  bool limit_breaches_count = true;
  int64_t open_duration_us = 60'000'000; // 60 s open
  uint32_t half_open_probes = 3;         // requests let through while half-open
  uint32_t successes_to_close = 3;       // closes after 3 successes
};

[[nodiscard]] Status validate(const BreakerSettings& settings);

struct BreakerSnapshot {
  BreakerState state = BreakerState::kClosed;
  uint32_t bad_in_window = 0;
  uint32_t total_in_window = 0;
  int64_t opened_at_us = 0;      // last time it opened (0: never)
  uint32_t probes_in_flight = 0; // half-open only
  uint32_t probe_successes = 0;
  uint64_t times_opened = 0;
};

class CircuitBreaker {
 public:
  static constexpr uint32_t kMaxBuckets = 64;

  explicit CircuitBreaker(const BreakerSettings& settings = {});

  // May a request go through now? In half-open each true answer takes one probe slot.
  bool allow(int64_t now_us);
  // What allow() would answer, without taking a slot.
  bool would_allow(int64_t now_us) const;
  // True when this outcome opened the breaker (from closed or half-open).
  bool record(Outcome outcome, int64_t now_us);
  // The state at `now` (an open breaker whose time is up reads as half-open).
  BreakerState state(int64_t now_us) const;
  BreakerSnapshot snapshot(int64_t now_us) const;
  void reset();  // closed, window cleared (an operator's action)

  void save(BinaryWriter& w) const;
  [[nodiscard]] bool load(BinaryReader& r);

 private:
  void advance(int64_t now_us);  // applies the open -> half-open timeout
  void slide(int64_t now_us);    // expires old buckets
  bool is_bad(Outcome o) const;
  void open(int64_t now_us);

  BreakerSettings settings_;
  int64_t bucket_us_;
  BreakerState state_ = BreakerState::kClosed;
  std::array<uint32_t, kMaxBuckets> bad_{};
  std::array<uint32_t, kMaxBuckets> total_{};
  std::array<int64_t, kMaxBuckets> stamp_{};  // bucket number held by each slot
  int64_t opened_at_us_ = 0;
  uint32_t probes_ = 0;
  uint32_t successes_ = 0;
  uint64_t times_opened_ = 0;
};

enum class BreakerScope : uint8_t { kParticipant = 1, kCorridor = 2 };
std::string_view to_string(BreakerScope scope);

// All breakers of the rail, created on first use, iterated in (scope, key) order.
class CircuitBreakers {
 public:
  explicit CircuitBreakers(const BreakerSettings& settings = {});

  bool allow(BreakerScope scope, std::string_view key, int64_t now_us);
  bool record(BreakerScope scope, std::string_view key, Outcome outcome, int64_t now_us);  // true: it opened
  BreakerState state(BreakerScope scope, std::string_view key, int64_t now_us) const;
  // One breaker's snapshot, or nullopt when it was never used.
  std::optional<BreakerSnapshot> find(BreakerScope scope, std::string_view key, int64_t now_us) const;
  void reset(BreakerScope scope, std::string_view key);
  void reset_all();

  // A payment passes only if both its participant's and its corridor's breakers allow it;
  // its outcome is recorded on both. (A refused payment takes no probe slot from the other.)
  bool allow_payment(std::string_view participant, std::string_view corridor, int64_t now_us);
  // What allow_payment() would answer, changing nothing (no breaker created, no slot taken).
  bool would_allow_payment(std::string_view participant, std::string_view corridor, int64_t now_us) const;
  struct Opened {
    bool participant = false;
    bool corridor = false;
  };
  Opened record_payment(std::string_view participant, std::string_view corridor, Outcome outcome, int64_t now_us);

  struct Entry {
    BreakerScope scope;
    std::string key;
    BreakerSnapshot snapshot;
  };
  std::vector<Entry> snapshot(int64_t now_us) const;  // for /risk/circuit-breakers

  // Every breaker's state, for the core's snapshot (settings are not saved: they come from
  // the configuration of the process that loads it).
  void save(BinaryWriter& w) const;
  [[nodiscard]] bool load(BinaryReader& r);

 private:
  using Key = std::pair<BreakerScope, std::string>;
  CircuitBreaker& at(BreakerScope scope, std::string_view key);
  BreakerSettings settings_;
  std::map<Key, CircuitBreaker> breakers_;
};

}  // namespace deltran::risk
