#pragma once
// USD reference rates for thresholds: the compliance and risk rules compare amounts in any
// currency with thresholds set in US dollars (the CTR threshold, the amount bands). These
// rates never move money; conversion of payments is the FX module's work. A rate is a
// decimal "USD per one major unit" (EUR 1.1600, JPY 0.0067) held as an integer scaled by
// 10^9, so the conversion is exact integer arithmetic with one rounding (half up).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <deltran/core/result.hpp>

namespace deltran::money {

class UsdReferenceRates {
 public:
  static constexpr int64_t kScale = 1'000'000'000;  // rate units per USD

  // USD at 1 and approximate figures for widely cleared currencies (pegged ones exact).
  // Operators set their own in config (fx.usd_per_unit); docs/COMPLIANCE.md says so.
  static UsdReferenceRates defaults();

  // Sets a rate from decimal text, at most 9 fraction digits, > 0. InvalidArgument on an
  // unknown currency or bad text.
  [[nodiscard]] Status set(std::string_view currency, std::string_view usd_per_unit);

  // The amount in USD cents, rounded half up; nullopt when the currency has no rate.
  // Saturates at INT64_MAX (amounts that large are over every threshold anyway).
  std::optional<int64_t> to_usd_minor(int64_t amount_minor, std::string_view currency) const;

  bool has(std::string_view currency) const { return rates_.find(currency) != rates_.end(); }
  // currency -> rate as decimal text, for describing the configuration.
  std::map<std::string, std::string> describe() const;

 private:
  struct Rate {
    int64_t scaled = 0;  // USD per unit × kScale
    int exponent = 2;    // the currency's minor-unit digits
  };
  std::map<std::string, Rate, std::less<>> rates_;
};

}  // namespace deltran::money
