#pragma once
// Exact decimal text <-> integer minor units, and overflow-checked arithmetic.
// Money is int64_t minor units everywhere; there is no floating point in this library.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <deltran/core/result.hpp>
#include <deltran/money/currency.hpp>

namespace deltran::money {

// An amount of money: integer minor units of one currency. The core and the API carry
// money as this, never as a bare number whose currency lives elsewhere.
struct Amount {
  int64_t minor = 0;
  CurrencyId currency;
  bool operator==(const Amount&) const = default;
};

// Largest amount one decimal text may carry: 10^15 - 1 major units keeps every exponent
// (0..4) well inside int64_t, and sums of millions of them inside __int128.
// The check is on minor units whatever the exponent: 9999999999999999.99 for USD.
inline constexpr int64_t kMaxAmountMinor = 999'999'999'999'999'999;

// Parses a non-negative decimal amount such as "1234.5" or "1234.56" for exponent 2.
// Accepted: digits, optionally one '.' followed by 1..exponent digits. Refused (with a
// message naming the problem): empty text, signs, exponents, spaces, commas, more
// fraction digits than the currency has ("12.345" for USD is an error, never rounded),
// a '.' with no digits on either side, values above kMaxAmountMinor.
// `exponent` is the currency's ISO 4217 minor unit, 0..4; any other is refused too.
// Leading zeros are accepted; ".5" and "5." are not. No allocation unless refused.
[[nodiscard]] Result<int64_t> parse_amount(std::string_view text, int exponent);
// Same, for a signed amount: an optional leading '-'.
[[nodiscard]] Result<int64_t> parse_signed_amount(std::string_view text, int exponent);

// Canonical text with exactly `exponent` fraction digits: format_amount(-5, 2) == "-0.05",
// format_amount(100, 0) == "100". Round-trips with parse_signed_amount.
// Any int64_t formats; an exponent outside 0..4 is a caller bug (DELTRAN_ASSERT).
std::string format_amount(int64_t minor, int exponent);

// An amount in its currency's exponent: parse("12.34", USD) == {1234, USD}.
[[nodiscard]] Result<Amount> parse(std::string_view text, CurrencyId currency);
// Its canonical text in the currency's exponent: "1234.56".
std::string format(const Amount& amount);
// The same for minor units of a currency id; an id that names no currency is written with
// two decimals (messages about bad input must not fail themselves).
std::string format_minor(int64_t minor, CurrencyId currency);

// Overflow-checked arithmetic: nullopt on overflow.
std::optional<int64_t> checked_add(int64_t a, int64_t b);
std::optional<int64_t> checked_sub(int64_t a, int64_t b);
std::optional<int64_t> checked_mul(int64_t a, int64_t b);

}  // namespace deltran::money
