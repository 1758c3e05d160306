#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/money/currency.hpp>
#include <deltran/money/reference_rates.hpp>

namespace deltran::money {
namespace {

std::set<std::string_view> codes_with_exponent(int exponent) {
  std::set<std::string_view> codes;
  for (const Currency& c : all_currencies()) {
    if (c.exponent == exponent) codes.insert(c.code);
  }
  return codes;
}

TEST(Currency, FindsMajorCurrenciesWithTheirNumericCodesExponentsAndNames) {
  struct Expected {
    std::string_view code;
    uint16_t numeric;
    uint8_t exponent;
    std::string_view name;
  };
  const std::vector<Expected> expected = {
      {"USD", 840, 2, "US Dollar"},  {"EUR", 978, 2, "Euro"},
      {"GBP", 826, 2, "Pound Sterling"}, {"JPY", 392, 0, "Yen"},
      {"CHF", 756, 2, "Swiss Franc"}, {"KWD", 414, 3, "Kuwaiti Dinar"},
      {"CLF", 990, 4, "Unidad de Fomento"}, {"ALL", 8, 2, "Lek"},
      {"DZD", 12, 2, "Algerian Dinar"}, {"XCG", 532, 2, "Caribbean Guilder"},
      {"ZWG", 924, 2, "Zimbabwe Gold"}, {"AED", 784, 2, "UAE Dirham"},
      {"ZMW", 967, 2, "Zambian Kwacha"},
  };
  for (const Expected& e : expected) {
    const Currency* c = find_currency(e.code);
    ASSERT_NE(c, nullptr) << e.code;
    EXPECT_EQ(c->code, e.code);
    EXPECT_EQ(c->numeric, e.numeric) << e.code;
    EXPECT_EQ(c->exponent, e.exponent) << e.code;
    EXPECT_EQ(c->name, e.name) << e.code;
  }
}

TEST(Currency, ExactlyTheIsoZeroDecimalCurrenciesHaveExponentZero) {
  const std::set<std::string_view> expected = {"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                               "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                               "VND", "VUV", "XAF", "XOF", "XPF"};
  EXPECT_EQ(codes_with_exponent(0), expected);
}

TEST(Currency, ExactlyTheDinarsAndRialOmaniHaveThreeDecimals) {
  const std::set<std::string_view> expected = {"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"};
  EXPECT_EQ(codes_with_exponent(3), expected);
}

TEST(Currency, OnlyTheChileanAndUruguayanIndexUnitsHaveFourDecimals) {
  const std::set<std::string_view> expected = {"CLF", "UYW"};
  EXPECT_EQ(codes_with_exponent(4), expected);
}

TEST(Currency, EveryOtherCurrencyHasTwoDecimalsAndNoneHasOne) {
  EXPECT_TRUE(codes_with_exponent(1).empty());
  EXPECT_EQ(codes_with_exponent(0).size() + codes_with_exponent(2).size() +
                codes_with_exponent(3).size() + codes_with_exponent(4).size(),
            all_currencies().size());
  for (std::string_view code : {"MGA", "MRU", "HUF", "TWD", "IDR", "IRR", "LBP", "XAD"}) {
    const Currency* c = find_currency(code);
    ASSERT_NE(c, nullptr) << code;
    EXPECT_EQ(c->exponent, 2) << code << ": ISO writes 2 even where common usage drops them";
  }
}

TEST(Currency, IncludesRecentlyIntroducedCodes) {
  const std::vector<std::pair<std::string_view, uint16_t>> recent = {
      {"VES", 928}, {"VED", 926}, {"ZWG", 924}, {"SLE", 925}, {"MRU", 929},
      {"STN", 930}, {"UYW", 927}, {"XCG", 532}, {"XAD", 396}, {"BYN", 933}};
  for (const auto& [code, numeric] : recent) {
    const Currency* c = find_currency(code);
    ASSERT_NE(c, nullptr) << code;
    EXPECT_EQ(c->numeric, numeric) << code;
  }
}

TEST(Currency, ExcludesWithdrawnCodes) {
  for (std::string_view code : {"ANG", "BGN", "CUC", "HRK", "SLL", "ZWL", "VEF", "MRO", "STD",
                                "BYR", "LTL", "LVL", "EEK", "DEM", "FRF", "ZMK", "GHC"}) {
    EXPECT_EQ(find_currency(code), nullptr) << code;
  }
}

TEST(Currency, ExcludesCodesWithoutAMinorUnit) {
  for (std::string_view code : {"XAU", "XAG", "XPT", "XPD", "XDR", "XBA", "XBB", "XBC", "XBD",
                                "XSU", "XUA", "XTS", "XXX"}) {
    EXPECT_EQ(find_currency(code), nullptr) << code;
  }
}

TEST(Currency, KeepsFundsCodesThatHaveAMinorUnit) {
  for (std::string_view code : {"BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW"}) {
    EXPECT_NE(find_currency(code), nullptr) << code;
  }
}

TEST(Currency, MatchesOnlyExactUpperCaseThreeLetterCodes) {
  using namespace std::string_view_literals;
  for (std::string_view code : {"usd"sv, "Usd"sv, "uSD"sv, "US"sv, "USDD"sv, " USD"sv, "USD "sv,
                                ""sv, "U"sv, "US1"sv, "U\0D"sv, "USD\0"sv, "ÜSD"sv, "840"sv}) {
    EXPECT_EQ(find_currency(code), nullptr) << "'" << code << "'";
  }
  EXPECT_NE(find_currency("USD"), nullptr);
}

TEST(Currency, TableIsSortedUniqueAndWellFormed) {
  const auto currencies = all_currencies();
  std::set<uint16_t> numerics;
  for (size_t i = 0; i < currencies.size(); ++i) {
    const Currency& c = currencies[i];
    ASSERT_EQ(c.code.size(), 3u);
    for (char ch : c.code) EXPECT_TRUE(ch >= 'A' && ch <= 'Z') << c.code;
    EXPECT_LE(c.exponent, 4) << c.code;
    EXPECT_GE(c.numeric, 1) << c.code;
    EXPECT_LE(c.numeric, 999) << c.code;
    EXPECT_FALSE(c.name.empty()) << c.code;
    EXPECT_TRUE(numerics.insert(c.numeric).second) << "numeric " << c.numeric << " repeats";
    if (i > 0) {
      EXPECT_LT(currencies[i - 1].code, c.code);
    }
  }
}

TEST(Currency, ListHoldsEveryActiveCodeWithAMinorUnit) {
  // 178 codes in List One after amendment 180, less the 13 with minor unit "N.A.".
  EXPECT_EQ(all_currencies().size(), 165u);
}

TEST(Currency, EveryThreeLetterCodeIsFoundExactlyWhenListed) {
  std::set<std::string_view> listed;
  for (const Currency& c : all_currencies()) listed.insert(c.code);
  size_t found = 0;
  std::string code = "AAA";
  for (char a = 'A'; a <= 'Z'; ++a) {
    for (char b = 'A'; b <= 'Z'; ++b) {
      for (char d = 'A'; d <= 'Z'; ++d) {
        code = {a, b, d};
        const Currency* c = find_currency(code);
        ASSERT_EQ(c != nullptr, listed.count(code) == 1) << code;
        if (c != nullptr) {
          EXPECT_EQ(c->code, code);
          ++found;
        }
      }
    }
  }
  EXPECT_EQ(found, listed.size());
}

TEST(Currency, LookupReturnsTheEntryInsideTheList) {
  const auto currencies = all_currencies();
  for (const Currency& c : currencies) EXPECT_EQ(find_currency(c.code), &c);
}

}  // namespace
}  // namespace deltran::money

namespace {

using deltran::money::UsdReferenceRates;

TEST(UsdReferenceRates, ConvertsExactlyWithOneRounding) {
  UsdReferenceRates r;
  ASSERT_TRUE(r.set("EUR", "1.08").has_value());
  ASSERT_TRUE(r.set("JPY", "0.0067").has_value());
  ASSERT_TRUE(r.set("KWD", "3.25").has_value());
  EXPECT_EQ(r.to_usd_minor(1'000'000, "EUR"), 1'080'000);  // 10,000.00 EUR -> 10,800.00 USD
  EXPECT_EQ(r.to_usd_minor(1'500'000, "JPY"), 1'005'000);  // 1.5M JPY -> 10,050.00 USD
  EXPECT_EQ(r.to_usd_minor(1'000, "KWD"), 325);            // 1.000 KWD -> 3.25 USD
  EXPECT_EQ(r.to_usd_minor(1, "JPY"), 1);                  // 0.67 cents rounds up to 1
  EXPECT_EQ(r.to_usd_minor(-1'000'000, "EUR"), -1'080'000);
  EXPECT_FALSE(r.to_usd_minor(100, "GBP").has_value());
  ASSERT_TRUE(r.set("BHD", "100").has_value());
  EXPECT_EQ(r.to_usd_minor(INT64_MAX, "BHD"), INT64_MAX);  // 10x in cents: saturates
}

TEST(UsdReferenceRates, RefusesBadRates) {
  UsdReferenceRates r;
  EXPECT_FALSE(r.set("XXX", "1").has_value());
  EXPECT_FALSE(r.set("EUR", "0").has_value());
  EXPECT_FALSE(r.set("EUR", "-1").has_value());
  EXPECT_FALSE(r.set("EUR", "1.").has_value());
  EXPECT_FALSE(r.set("EUR", "1.0000000001").has_value());
  EXPECT_FALSE(r.set("EUR", "1,08").has_value());
  EXPECT_TRUE(r.set("EUR", "1.000000001").has_value());
  EXPECT_EQ(r.describe().at("EUR"), "1.000000001");
}

TEST(UsdReferenceRates, DefaultsCoverTheCommonCurrencies) {
  auto r = UsdReferenceRates::defaults();
  for (const char* c : {"USD", "EUR", "GBP", "INR", "AED", "JPY", "CHF", "SGD"}) EXPECT_TRUE(r.has(c)) << c;
  EXPECT_EQ(r.to_usd_minor(367'250, "AED"), 100'000);  // the peg: 3,672.50 AED = 1,000.00 USD
}

}  // namespace
