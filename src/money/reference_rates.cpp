#include <deltran/money/reference_rates.hpp>

#include <limits>

#include <deltran/core/assert.hpp>
#include <deltran/money/currency.hpp>

namespace deltran::money {

UsdReferenceRates UsdReferenceRates::defaults() {
  UsdReferenceRates r;
  // Pegged: AED 3.6725, SAR 3.75, HKD ~7.80 (band 7.75-7.85), BHD 0.376, OMR 0.3845, QAR 3.64.
  static const std::pair<const char*, const char*> kDefaults[] = {
      {"USD", "1"},           {"EUR", "1.16"},        {"GBP", "1.32"},        {"CHF", "1.25"},
      {"JPY", "0.0067"},      {"CNY", "0.14"},        {"INR", "0.0114"},      {"AED", "0.272294078"},
      {"SAR", "0.266666667"}, {"HKD", "0.128205128"}, {"SGD", "0.77"},        {"CAD", "0.72"},
      {"AUD", "0.66"},        {"NZD", "0.58"},        {"SEK", "0.105"},       {"NOK", "0.099"},
      {"DKK", "0.155"},       {"PLN", "0.27"},        {"BHD", "2.659574468"}, {"OMR", "2.600780234"},
      {"QAR", "0.274725275"}, {"KWD", "3.26"},        {"ZAR", "0.057"},       {"MXN", "0.054"},
      {"BRL", "0.185"},       {"TRY", "0.024"},       {"PKR", "0.0036"},      {"EGP", "0.021"},
  };
  for (const auto& [code, rate] : kDefaults) {
    auto st = r.set(code, rate);
    DELTRAN_ASSERT(st.has_value(), "a default reference rate parses");
  }
  return r;
}

Status UsdReferenceRates::set(std::string_view currency, std::string_view usd_per_unit) {
  const Currency* c = find_currency(currency);
  if (c == nullptr) {
    return make_error(ErrorCode::kInvalidArgument, "reference rate for unknown currency '" + std::string(currency) + "'");
  }
  // Hand-parsed: parse_amount stops at four fraction digits and a rate needs nine.
  int64_t value = 0;
  size_t dot = usd_per_unit.find('.');
  size_t fraction = dot == std::string_view::npos ? 0 : usd_per_unit.size() - dot - 1;
  if (fraction > 9) {
    return make_error(ErrorCode::kInvalidArgument, "reference rate for " + std::string(currency) +
                                                       " has more than 9 fraction digits: '" + std::string(usd_per_unit) + "'");
  }
  std::string_view whole = dot == std::string_view::npos ? usd_per_unit : usd_per_unit.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : usd_per_unit.substr(dot + 1);
  auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument, "reference rate for " + std::string(currency) +
                                                       " must be a positive decimal such as 1.0832, got '" +
                                                       std::string(usd_per_unit) + "'");
  };
  if (whole.empty() || whole.size() > 9 || (dot != std::string_view::npos && frac.empty())) return bad();
  for (char ch : whole) {
    if (ch < '0' || ch > '9') return bad();
    value = value * 10 + (ch - '0');
  }
  value *= kScale;
  int64_t f = 0;
  for (size_t i = 0; i < 9; ++i) {
    char ch = i < frac.size() ? frac[i] : '0';
    if (ch < '0' || ch > '9') return bad();
    f = f * 10 + (ch - '0');
  }
  value += f;
  if (value <= 0) return bad();
  rates_[std::string(currency)] = Rate{value, c->exponent};
  return {};
}

std::optional<int64_t> UsdReferenceRates::to_usd_minor(int64_t amount_minor, std::string_view currency) const {
  auto it = rates_.find(currency);
  if (it == rates_.end()) return std::nullopt;
  static constexpr __int128 kPow10[] = {1, 10, 100, 1000, 10000};
  // usd_cents = amount_minor / 10^exp × rate/kScale × 100, one rounding at the end.
  const __int128 num = __int128{amount_minor} * it->second.scaled * 100;
  const __int128 den = kPow10[it->second.exponent] * kScale;
  const bool negative = num < 0;
  const __int128 mag = negative ? -num : num;
  __int128 q = (mag + den / 2) / den;
  if (q > std::numeric_limits<int64_t>::max()) q = std::numeric_limits<int64_t>::max();
  return static_cast<int64_t>(negative ? -q : q);
}

std::map<std::string, std::string> UsdReferenceRates::describe() const {
  std::map<std::string, std::string> out;
  for (const auto& [code, rate] : rates_) {
    std::string frac = std::to_string(rate.scaled % kScale);
    frac.insert(0, 9 - frac.size(), '0');
    while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
    out[code] = std::to_string(rate.scaled / kScale) + "." + frac;
  }
  return out;
}

}  // namespace deltran::money
