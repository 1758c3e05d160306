#include <deltran/risk/daily_counters.hpp>

#include <deltran/money/amount.hpp>

namespace deltran::risk {
namespace {

int64_t floor_div(int64_t a, int64_t b) {
  const int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

constexpr int64_t kMicrosPerMinute = 60'000'000;
constexpr int64_t kMicrosPerHour = 3'600'000'000;

}  // namespace

int64_t DailyCounters::day_of(int64_t time_us) { return floor_div(time_us, kMicrosPerDay); }

DailyCounters::Totals DailyCounters::totals(std::string_view participant, std::string_view currency,
                                            int64_t now_us) const {
  const auto it = days_.find(Key{std::string(participant), std::string(currency)});
  if (it == days_.end() || it->second.day != day_of(now_us)) return {};
  return it->second.totals;
}

Status DailyCounters::add(std::string_view participant, std::string_view currency, int64_t amount_minor,
                          int64_t now_us) {
  if (amount_minor <= 0) return make_error(ErrorCode::kInvalidArgument, "daily counter amount must be positive");
  Day& d = days_[Key{std::string(participant), std::string(currency)}];
  const int64_t today = day_of(now_us);
  if (d.day != today) d = Day{today, {}};
  const auto sum = money::checked_add(d.totals.volume_minor, amount_minor);
  if (!sum) return make_error(ErrorCode::kResourceExhausted, "daily volume overflows");
  d.totals.volume_minor = *sum;
  ++d.totals.count;
  return {};
}

Status DailyCounters::subtract(std::string_view participant, std::string_view currency, int64_t amount_minor,
                               int64_t now_us) {
  if (amount_minor <= 0) return make_error(ErrorCode::kInvalidArgument, "daily counter amount must be positive");
  const auto it = days_.find(Key{std::string(participant), std::string(currency)});
  if (it == days_.end() || it->second.day != day_of(now_us) || it->second.totals.volume_minor < amount_minor ||
      it->second.totals.count == 0)
    return make_error(ErrorCode::kFailedPrecondition, "nothing to take back from today's volume");
  it->second.totals.volume_minor -= amount_minor;
  --it->second.totals.count;
  return {};
}

void DailyCounters::restore(std::string_view participant, std::string_view currency, int64_t day, Totals totals) {
  days_[Key{std::string(participant), std::string(currency)}] = Day{day, totals};
}

void DailyCounters::prune(int64_t now_us) {
  const int64_t today = day_of(now_us);
  for (auto it = days_.begin(); it != days_.end();) it = it->second.day < today ? days_.erase(it) : std::next(it);
}

void DailyCounters::save(BinaryWriter& w) const {
  w.u64(days_.size());
  for (const auto& [key, d] : days_) {
    w.bytes(key.first);
    w.bytes(key.second);
    w.i64(d.day);
    w.i64(d.totals.volume_minor);
    w.u64(d.totals.count);
  }
}

bool DailyCounters::load(BinaryReader& r) {
  days_.clear();
  const size_t n = r.count(5);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    Key key{r.str(), r.str()};
    Day d;
    d.day = r.i64();
    d.totals.volume_minor = r.i64();
    d.totals.count = r.u64();
    days_[std::move(key)] = d;
  }
  return r.ok();
}

void VelocityCounter::record(std::string_view key, int64_t now_us) {
  auto it = keys_.find(key);
  if (it == keys_.end()) it = keys_.emplace(std::string(key), Rings{}).first;
  Rings& r = it->second;
  const int64_t minute = floor_div(now_us, kMicrosPerMinute);
  const int64_t hour = floor_div(now_us, kMicrosPerHour);
  const auto mi = static_cast<size_t>(((minute % 60) + 60) % 60);
  const auto hi = static_cast<size_t>(((hour % 24) + 24) % 24);
  if (r.minute_stamp[mi] != minute) {
    r.minute_stamp[mi] = minute;
    r.minute[mi] = 0;
  }
  if (r.hour_stamp[hi] != hour) {
    r.hour_stamp[hi] = hour;
    r.hour[hi] = 0;
  }
  ++r.minute[mi];
  ++r.hour[hi];
  r.last_us = std::max(r.last_us, now_us);
}

VelocityCounter::Counts VelocityCounter::counts(std::string_view key, int64_t now_us) const {
  Counts c;
  const auto it = keys_.find(key);
  if (it == keys_.end()) return c;
  const Rings& r = it->second;
  const int64_t minute = floor_div(now_us, kMicrosPerMinute);
  const int64_t hour = floor_div(now_us, kMicrosPerHour);
  for (size_t i = 0; i < 60; ++i)
    if (r.minute_stamp[i] > minute - 60 && r.minute_stamp[i] <= minute) c.last_hour += r.minute[i];
  for (size_t i = 0; i < 24; ++i)
    if (r.hour_stamp[i] > hour - 24 && r.hour_stamp[i] <= hour) c.last_day += r.hour[i];
  return c;
}

void VelocityCounter::prune(int64_t now_us) {
  for (auto it = keys_.begin(); it != keys_.end();)
    it = now_us - it->second.last_us >= kMicrosPerDay ? keys_.erase(it) : std::next(it);
}

}  // namespace deltran::risk
