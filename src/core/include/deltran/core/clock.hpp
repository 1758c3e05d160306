#pragma once
// Time comes from an injected Clock so the core stays deterministic under test.
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

namespace deltran {

class Clock {
 public:
  virtual ~Clock() = default;
  // Microseconds since the Unix epoch, UTC.
  virtual int64_t now_us() const = 0;
};

class SystemClock final : public Clock {
 public:
  int64_t now_us() const override;
};

// A clock that only moves when told to; for tests and the simulation.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(int64_t start_us = 1'767'225'600'000'000) : now_(start_us) {}
  int64_t now_us() const override { return now_.load(); }
  void advance_us(int64_t delta) { now_ += delta; }
  void set_us(int64_t t) { now_ = t; }

 private:
  std::atomic<int64_t> now_;
};

// RFC 3339 UTC with microseconds, e.g. 2026-11-28T20:11:46.123456Z.
std::string format_rfc3339(int64_t epoch_us);
// ISO date of the UTC day, e.g. 2026-11-28.
std::string format_date(int64_t epoch_us);
// Microseconds since the epoch at 00:00 UTC of an ISO date (YYYY-MM-DD); -1 if malformed.
int64_t parse_date_us(std::string_view date);

}  // namespace deltran
