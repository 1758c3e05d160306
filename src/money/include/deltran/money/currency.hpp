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

// A currency inside the core: its ISO 4217 numeric code (USD 840, AED 784), so it is a
// small integer with a meaning of its own. 0 is no currency.
struct CurrencyId {
  uint16_t numeric = 0;
  constexpr bool valid() const { return numeric != 0; }
  auto operator<=>(const CurrencyId&) const = default;
};

// The currency with this alphabetic code (exactly three upper-case letters), or nullptr.
const Currency* find_currency(std::string_view code);
// The id of an alphabetic code; invalid (0) when it is not an active ISO 4217 currency.
CurrencyId currency_id(std::string_view code);
// The currency of a valid id, or nullptr.
const Currency* find_currency(CurrencyId id);
// The alphabetic code and exponent of a valid id (a caller bug otherwise: asserted).
std::string_view code_of(CurrencyId id);
int exponent_of(CurrencyId id);
// Every active ISO 4217 currency, sorted by code. Funds codes and metals (XAU, XDR…) with
// no minor unit ("N.A." in the standard) are absent: they cannot carry a payment amount.
std::span<const Currency> all_currencies();

}  // namespace deltran::money
