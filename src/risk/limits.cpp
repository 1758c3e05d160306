#include <deltran/risk/limits.hpp>

#include <limits>
#include <optional>

#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

namespace deltran::risk {
namespace {

// Amounts print with the currency's exponent when it is known, in minor units otherwise.
std::string show(int64_t minor, std::string_view currency) {
  const money::Currency* c = money::find_currency(currency);
  if (c == nullptr) return std::to_string(minor) + " (minor units) " + std::string(currency);
  return money::format_amount(minor, c->exponent) + " " + std::string(currency);
}

// a + b, or nullopt when the true sum exceeds int64 (then it exceeds any limit too).
std::optional<int64_t> sum_of(int64_t a, int64_t b) { return money::checked_add(a, b); }

constexpr int64_t kSaturated = std::numeric_limits<int64_t>::max();

}  // namespace

std::string_view to_string(LimitBreach breach) {
  switch (breach) {
    case LimitBreach::kSinglePaymentMax: return "single_payment_max";
    case LimitBreach::kDailyVolume: return "daily_volume";
    case LimitBreach::kNetDebitCap: return "net_debit_cap";
    case LimitBreach::kCurrencyNotAllowed: return "currency_not_allowed";
    case LimitBreach::kInvalidAmount: return "invalid_amount";
  }
  return "invalid_amount";
}

LimitCheck check_limits(const ParticipantLimits& limits, const LimitRequest& r) {
  LimitCheck out;
  if (r.amount_minor <= 0) {
    out.violations.push_back({LimitBreach::kInvalidAmount, 0, r.amount_minor, "amount must be positive"});
    return out;
  }
  const auto it = limits.by_currency.find(r.currency);
  if (it == limits.by_currency.end()) {
    if (limits.refuse_unlisted_currencies)
      out.violations.push_back({LimitBreach::kCurrencyNotAllowed, 0, r.amount_minor,
                                "no limits are set for " + r.currency + ": the currency is not allowed"});
    return out;
  }
  const CurrencyLimits& l = it->second;
  if (l.single_payment_max_minor && r.amount_minor > *l.single_payment_max_minor)
    out.violations.push_back({LimitBreach::kSinglePaymentMax, *l.single_payment_max_minor, r.amount_minor,
                              "amount " + show(r.amount_minor, r.currency) + " exceeds the single payment maximum " +
                                  show(*l.single_payment_max_minor, r.currency)});
  if (l.daily_volume_max_minor) {
    const std::optional<int64_t> sum = sum_of(r.daily_volume_minor, r.amount_minor);
    const int64_t after = sum.value_or(kSaturated);
    if (!sum || after > *l.daily_volume_max_minor)
      out.violations.push_back({LimitBreach::kDailyVolume, *l.daily_volume_max_minor, after,
                                "daily volume " + show(after, r.currency) + " would exceed " +
                                    show(*l.daily_volume_max_minor, r.currency)});
  }
  if (l.net_debit_cap_minor) {
    const std::optional<int64_t> sum = sum_of(r.net_debit_minor, r.amount_minor);
    const int64_t after = sum.value_or(kSaturated);
    if (!sum || after > *l.net_debit_cap_minor)
      out.violations.push_back({LimitBreach::kNetDebitCap, *l.net_debit_cap_minor, after,
                                "net debit " + show(after, r.currency) + " would exceed the cap " +
                                    show(*l.net_debit_cap_minor, r.currency)});
  }
  return out;
}

}  // namespace deltran::risk
