#pragma once
// Counters the single-writer core owns: each participant's volume and count per currency
// for the current UTC day, and payment counts for velocity (last hour, last 24 hours).
// Deterministic — time comes in with every call, no clock is read, maps iterate in key
// order — so a rebuild by replay gives the same state.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>

#include <deltran/core/binary.hpp>
#include <deltran/core/result.hpp>

namespace deltran::risk {

inline constexpr int64_t kMicrosPerDay = 86'400'000'000;

class DailyCounters {
 public:
  struct Totals {
    int64_t volume_minor = 0;
    uint64_t count = 0;
  };

  static int64_t day_of(int64_t time_us);  // UTC day number (days since 1970-01-01)

  // Today's totals (zero once the UTC day has turned).
  Totals totals(std::string_view participant, std::string_view currency, int64_t now_us) const;
  // Adds an accepted payment. InvalidArgument for a non-positive amount, ResourceExhausted
  // if the day's volume would overflow int64 (state unchanged on error).
  [[nodiscard]] Status add(std::string_view participant, std::string_view currency, int64_t amount_minor,
                           int64_t now_us);
  // Takes back a payment cancelled the same day. FailedPrecondition if it would go below zero.
  [[nodiscard]] Status subtract(std::string_view participant, std::string_view currency, int64_t amount_minor,
                                int64_t now_us);
  // Sets a day's totals when rebuilding from the store.
  void restore(std::string_view participant, std::string_view currency, int64_t day, Totals totals);
  // Forgets totals of days before now's day.
  void prune(int64_t now_us);
  size_t size() const { return days_.size(); }

  void save(BinaryWriter& w) const;
  [[nodiscard]] bool load(BinaryReader& r);

 private:
  struct Day {
    int64_t day = 0;
    Totals totals;
  };
  using Key = std::pair<std::string, std::string>;
  std::map<Key, Day> days_;
};

// Payment counts in the last hour (per minute buckets) and the last 24 hours (per hour
// buckets) for each key (a participant, a corridor). O(1) memory per key whatever the
// rate; the day count includes the current hour bucket, so it spans 23 to 24 hours.
class VelocityCounter {
 public:
  struct Counts {
    uint32_t last_hour = 0;
    uint32_t last_day = 0;
  };
  void record(std::string_view key, int64_t now_us);
  Counts counts(std::string_view key, int64_t now_us) const;
  void prune(int64_t now_us);  // forgets keys idle for a day
  size_t size() const { return keys_.size(); }

 private:
  struct Rings {
    std::array<uint32_t, 60> minute{};
    std::array<int64_t, 60> minute_stamp{};  // minute number of each bucket's content
    std::array<uint32_t, 24> hour{};
    std::array<int64_t, 24> hour_stamp{};
    int64_t last_us = 0;
  };
  std::map<std::string, Rings, std::less<>> keys_;
};

}  // namespace deltran::risk
