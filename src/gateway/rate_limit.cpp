#include <deltran/gateway/rate_limit.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <functional>

namespace deltran::gateway {

std::vector<RateTier> default_rate_tiers() {
  return {{"basic", 10, 2},
          {"standard", 100, 20},
          {"premium", 1'000, 200},
          {"enterprise", 10'000, 2'000},
          {"unlimited", 0, 0}};
}

Result<RateTier> parse_rate_tier(std::string_view spec) {
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument,
                      "rate tier '" + std::string(spec) + "' " + why + " (write name=per_minute/burst, e.g. gold=5000/1000)");
  };
  const size_t eq = spec.find('=');
  if (eq == 0 || eq == std::string_view::npos) return bad("has no name");
  RateTier t;
  t.name = std::string(spec.substr(0, eq));
  for (char c : t.name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return bad("has a name of other than letters, digits, _ and -");
  }
  std::string_view rest = spec.substr(eq + 1);
  const size_t slash = rest.find('/');
  auto number = [](std::string_view s, int64_t& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size() && out >= 0 && out <= 100'000'000;
  };
  if (!number(rest.substr(0, slash), t.per_minute)) return bad("needs a whole number of requests a minute, 0 to 100000000");
  if (slash != std::string_view::npos) {
    if (!number(rest.substr(slash + 1), t.burst) || (t.per_minute > 0 && t.burst == 0)) {
      return bad("needs a burst of at least 1");
    }
  } else {
    t.burst = t.per_minute == 0 ? 0 : std::max<int64_t>(1, t.per_minute / 5);
  }
  return t;
}

int64_t RateLimiter::take(std::string_view caller, uint32_t route, const RateTier& tier, int64_t now_us) {
  if (tier.per_minute <= 0) return 0;
  std::string key;
  key.reserve(caller.size() + 5);
  key.append(caller).push_back('#');
  key.append(std::to_string(route));
  Shard& shard = shards_[std::hash<std::string>{}(key) % shards_.size()];
  const int64_t cap = std::max<int64_t>(1, tier.burst) * kUnit;
  std::lock_guard lock(shard.mu);
  auto [it, fresh] = shard.buckets.try_emplace(std::move(key), Bucket{cap, now_us});
  Bucket& b = it->second;
  if (!fresh && now_us > b.at_us) {
    // No overflow: the elapsed time is capped where the bucket would be full anyway.
    const int64_t elapsed = std::min(now_us - b.at_us, cap / tier.per_minute + 1);
    b.level = std::min(cap, b.level + elapsed * tier.per_minute);
  }
  b.at_us = std::max(b.at_us, now_us);
  b.level = std::min(b.level, cap);  // a tier made smaller since
  if (b.level >= kUnit) {
    b.level -= kUnit;
    return 0;
  }
  const int64_t wait_us = (kUnit - b.level + tier.per_minute - 1) / tier.per_minute;
  return std::max<int64_t>(1, (wait_us + 999'999) / 1'000'000);
}

size_t RateLimiter::buckets() const {
  size_t n = 0;
  for (const auto& s : shards_) {
    std::lock_guard lock(s.mu);
    n += s.buckets.size();
  }
  return n;
}

}  // namespace deltran::gateway
