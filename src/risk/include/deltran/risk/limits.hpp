#pragma once
// Per-participant limits: single payment maximum, daily volume and net debit cap, each per
// currency (amounts in one currency's minor units cannot be compared with another's).
// check_limits is pure: the caller passes today's volume and the current net debit, which
// the single-writer core keeps (DailyCounters, the ledger's reservations).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deltran::risk {

struct CurrencyLimits {
  std::optional<int64_t> single_payment_max_minor;  // unset: no limit
  std::optional<int64_t> daily_volume_max_minor;
  std::optional<int64_t> net_debit_cap_minor;       // the most the participant may owe
};

struct ParticipantLimits {
  std::map<std::string, CurrencyLimits, std::less<>> by_currency;  // ISO 4217 code
  // A currency with no entry: unlimited (false) or refused (true).
  bool refuse_unlisted_currencies = false;
};

// Stable numbers: stored with rejections and mapped to ISO 20022 reason codes elsewhere.
enum class LimitBreach : uint8_t {
  kSinglePaymentMax = 1,
  kDailyVolume = 2,
  kNetDebitCap = 3,
  kCurrencyNotAllowed = 4,
  kInvalidAmount = 5,
};
std::string_view to_string(LimitBreach breach);

struct LimitRequest {
  std::string currency;
  int64_t amount_minor = 0;        // > 0
  int64_t daily_volume_minor = 0;  // the participant's volume today in `currency`, before this
  int64_t net_debit_minor = 0;     // current net debit in `currency` (positive: it owes)
};

struct LimitViolation {
  LimitBreach breach = LimitBreach::kInvalidAmount;
  int64_t limit_minor = 0;
  int64_t value_minor = 0;  // what the payment would make it (saturated on overflow)
  std::string message;      // "daily volume 1200.00 would exceed 1000.00 USD"
};

struct LimitCheck {
  std::vector<LimitViolation> violations;  // every limit the payment breaks, in breach order
  bool ok() const { return violations.empty(); }
};

LimitCheck check_limits(const ParticipantLimits& limits, const LimitRequest& request);

}  // namespace deltran::risk
