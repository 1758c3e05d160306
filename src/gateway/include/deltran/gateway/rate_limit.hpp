#pragma once
// Request-rate limits: a token bucket per caller and route. A tier says how many requests a
// minute a caller may make on each route, and how many it may make at once (the burst)
// after being quiet. Integer arithmetic only: a bucket's level is kept in units of
// 1/60,000,000 of a request, so a tier of N per minute refills N units each microsecond.
#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::gateway {

struct RateTier {
  std::string name;
  int64_t per_minute = 0;  // 0: no limit
  int64_t burst = 0;       // the bucket's size, in requests (at least 1 when limited)
};

// The default tiers: basic, standard, premium and enterprise at 10, 100, 1,000 and 10,000
// requests a minute, each with a burst of a fifth of its minute (standard: 100 a minute, 20
// at once), and "unlimited".
std::vector<RateTier> default_rate_tiers();
// "name=per_minute/burst" (burst optional: a fifth of per_minute, at least 1); "name=0" is
// unlimited.
[[nodiscard]] Result<RateTier> parse_rate_tier(std::string_view spec);

class RateLimiter {
 public:
  // Takes one request from the bucket of (caller, route) under `tier`: 0 when it may go,
  // else the whole seconds until it may (for Retry-After).
  int64_t take(std::string_view caller, uint32_t route, const RateTier& tier, int64_t now_us);
  size_t buckets() const;

 private:
  static constexpr int64_t kUnit = 60'000'000;  // one request, in bucket units
  struct Bucket {
    int64_t level = 0;  // units
    int64_t at_us = 0;  // when it was last refilled
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
  };
  std::array<Shard, 16> shards_;
};

}  // namespace deltran::gateway
