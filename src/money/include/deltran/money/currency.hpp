#pragma once
// ISO 4217 currencies with their minor-unit exponents (JPY 0, USD 2, KWD 3).
#include <cstdint>
#include <span>
#include <string_view>

namespace deltran::money {

struct Currency {
  std::string_view code;   // alphabetic code, upper case: "USD"
  uint16_t numeric;        // numeric code: 840
  uint8_t exponent;        // minor-unit digits: 2
  std::string_view name;   // "US Dollar"
};

// The currency with this alphabetic code (exactly three upper-case letters), or nullptr.
const Currency* find_currency(std::string_view code);
// Every active ISO 4217 currency, sorted by code. Funds codes and metals (XAU, XDR…) with
// no minor unit ("N.A." in the standard) are absent: they cannot carry a payment amount.
std::span<const Currency> all_currencies();

}  // namespace deltran::money
