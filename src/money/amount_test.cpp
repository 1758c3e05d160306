#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <new>
#include <optional>
#include <random>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <deltran/money/amount.hpp>

// Counts every allocation in this binary, so a test can prove the parse hot path makes none.
namespace {
std::atomic<long> g_allocations{0};
}  // namespace

[[gnu::noinline]] void* operator new(std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// Kept out of line: inlined into a new-expression, free() would trip -Wmismatched-new-delete.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace deltran::money {
namespace {

using namespace std::string_view_literals;

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();
constexpr int64_t kInt64Min = std::numeric_limits<int64_t>::min();
// Fixed so a failure reproduces; printed by every property test through SCOPED_TRACE.
constexpr uint64_t kSeed = 0x5eed'de17'7a40'0001;

// The error message of a refused parse; fails the test when the parse succeeded.
std::string refusal(const Result<int64_t>& result) {
  EXPECT_FALSE(result.has_value()) << "unexpectedly parsed as " << *result;
  if (result.has_value()) return {};
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  return result.error().message;
}

// ---- Examples ----------------------------------------------------------------------------

TEST(Amount, ParsesWholeAndFractionalAmountsIntoMinorUnits) {
  EXPECT_EQ(parse_amount("1234.5", 2), 123450);
  EXPECT_EQ(parse_amount("1234.56", 2), 123456);
  EXPECT_EQ(parse_amount("1234", 2), 123400);
  EXPECT_EQ(parse_amount("0.01", 2), 1);
  EXPECT_EQ(parse_amount("7", 0), 7);
  EXPECT_EQ(parse_amount("1.2345", 4), 12345);
  EXPECT_EQ(parse_amount("1.2", 4), 12000);
  EXPECT_EQ(parse_amount("0.001", 3), 1);
  EXPECT_EQ(parse_amount("5.5", 1), 55);
}

TEST(Amount, ParsesZeroInEveryCanonicalSpelling) {
  EXPECT_EQ(parse_amount("0", 2), 0);
  EXPECT_EQ(parse_amount("0.00", 2), 0);
  EXPECT_EQ(parse_amount("0.0", 2), 0);
  EXPECT_EQ(parse_amount("0", 0), 0);
  EXPECT_EQ(parse_amount("0000", 4), 0);
  EXPECT_EQ(parse_signed_amount("-0", 2), 0);
  EXPECT_EQ(parse_signed_amount("-0.00", 2), 0);
}

TEST(Amount, AcceptsLeadingZerosWithoutLimit) {
  EXPECT_EQ(parse_amount("00012.30", 2), 1230);
  EXPECT_EQ(parse_amount(std::string(200, '0') + "1.00", 2), 100);
  // Leading zeros must not count toward the size limit.
  EXPECT_EQ(parse_amount(std::string(50, '0') + "999999999999999999", 0), kMaxAmountMinor);
  EXPECT_EQ(parse_signed_amount("-" + std::string(30, '0') + "5", 0), -5);
}

TEST(Amount, ParsingAValidAmountAllocatesNothing) {
  const long before = g_allocations.load();
  int64_t sum = 0;
  for (std::string_view text : {"1234.56"sv, "0.01"sv, "9999999999999999.99"sv, "00012.3"sv}) {
    sum += parse_amount(text, 2).value() + parse_signed_amount(text, 2).value();
  }
  sum += parse_signed_amount("-1234.56", 2).value();
  const long after = g_allocations.load();
  EXPECT_EQ(after, before);
  EXPECT_EQ(sum, 2 * (123456 + 1 + kMaxAmountMinor + 1230) - 123456);
}

TEST(Amount, RefusesMoreDecimalsThanTheCurrencyHas) {
  EXPECT_EQ(refusal(parse_amount("12.345", 2)),
            "amount '12.345' has 3 decimal places; at most 2 decimal places are allowed");
  EXPECT_EQ(refusal(parse_amount("1.00001", 4)),
            "amount '1.00001' has 5 decimal places; at most 4 decimal places are allowed");
  EXPECT_EQ(refusal(parse_amount("1.25", 1)),
            "amount '1.25' has 2 decimal places; at most 1 decimal place is allowed");
  // Trailing zeros are still decimals: the text says more precision than the currency has.
  EXPECT_EQ(refusal(parse_amount("12.300", 2)),
            "amount '12.300' has 3 decimal places; at most 2 decimal places are allowed");
  EXPECT_EQ(refusal(parse_signed_amount("-0.001", 2)),
            "amount '-0.001' has 3 decimal places; at most 2 decimal places are allowed");
}

TEST(Amount, RefusesAnyFractionWhenTheCurrencyHasNoMinorUnit) {
  EXPECT_EQ(refusal(parse_amount("5.0", 0)),
            "amount '5.0' has 1 decimal place; no decimal places are allowed");
  EXPECT_EQ(refusal(parse_amount("100.00", 0)),
            "amount '100.00' has 2 decimal places; no decimal places are allowed");
}

TEST(Amount, RefusesADotWithoutDigitsOnBothSides) {
  EXPECT_EQ(refusal(parse_amount(".5", 2)),
            "amount '.5' has no digits before the '.'; write a leading 0");
  EXPECT_EQ(refusal(parse_amount("5.", 2)), "amount '5.' has no digits after the '.'");
  EXPECT_EQ(refusal(parse_amount("5.", 0)), "amount '5.' has no digits after the '.'");
  EXPECT_EQ(refusal(parse_amount(".", 2)), "amount '.' has no digits on either side of the '.'");
  EXPECT_EQ(refusal(parse_signed_amount("-.5", 2)),
            "amount '-.5' has no digits before the '.'; write a leading 0");
  EXPECT_EQ(refusal(parse_signed_amount("-5.", 2)), "amount '-5.' has no digits after the '.'");
}

TEST(Amount, RefusesEmptyTextAndALoneMinus) {
  EXPECT_EQ(refusal(parse_amount("", 2)), "amount is empty");
  EXPECT_EQ(refusal(parse_signed_amount("", 2)), "amount is empty");
  EXPECT_EQ(refusal(parse_signed_amount("-", 2)), "amount '-' has no digits");
  EXPECT_EQ(refusal(parse_amount("-", 2)),
            "amount '-' has a '-' sign; only amounts of zero or more are accepted here");
}

TEST(Amount, RefusesSignsInUnsignedAmounts) {
  EXPECT_EQ(refusal(parse_amount("-1", 2)),
            "amount '-1' has a '-' sign; only amounts of zero or more are accepted here");
  EXPECT_EQ(refusal(parse_amount("-0", 2)),
            "amount '-0' has a '-' sign; only amounts of zero or more are accepted here");
  EXPECT_EQ(refusal(parse_amount("+1", 2)),
            "amount '+1' has a '+' sign at position 0; no sign is accepted");
  EXPECT_EQ(refusal(parse_amount("1-", 2)),
            "amount '1-' has a misplaced '-' at position 1; no sign is accepted");
}

TEST(Amount, SignedAmountsAcceptOnlyOneLeadingMinus) {
  EXPECT_EQ(parse_signed_amount("-5", 0), -5);
  EXPECT_EQ(parse_signed_amount("-0.05", 2), -5);
  EXPECT_EQ(parse_signed_amount("12.5", 2), 1250);
  EXPECT_EQ(refusal(parse_signed_amount("+1", 2)),
            "amount '+1' has a '+' sign at position 0; only a leading '-' is accepted");
  EXPECT_EQ(refusal(parse_signed_amount("--5", 2)),
            "amount '--5' has a misplaced '-' at position 1; a sign may only lead the amount");
  EXPECT_EQ(refusal(parse_signed_amount("-+5", 2)),
            "amount '-+5' has a '+' sign at position 1; only a leading '-' is accepted");
  EXPECT_EQ(refusal(parse_signed_amount("5-", 2)),
            "amount '5-' has a misplaced '-' at position 1; a sign may only lead the amount");
  EXPECT_EQ(refusal(parse_signed_amount(" -5", 2)),
            "amount ' -5' contains whitespace at position 0; none is accepted");
}

TEST(Amount, RefusesWhitespaceAnywhere) {
  EXPECT_EQ(refusal(parse_amount(" 1", 2)),
            "amount ' 1' contains whitespace at position 0; none is accepted");
  EXPECT_EQ(refusal(parse_amount("1 ", 2)),
            "amount '1 ' contains whitespace at position 1; none is accepted");
  EXPECT_EQ(refusal(parse_amount("1 000", 2)),
            "amount '1 000' contains whitespace at position 1; none is accepted");
  EXPECT_EQ(refusal(parse_amount("\t1", 2)),
            "amount '\\x091' contains whitespace at position 0; none is accepted");
  EXPECT_EQ(refusal(parse_amount("1.00\n", 2)),
            "amount '1.00\\x0a' contains whitespace at position 4; none is accepted");
}

TEST(Amount, RefusesGroupingCommasAndDecimalCommas) {
  EXPECT_EQ(refusal(parse_amount("1,000.00", 2)),
            "amount '1,000.00' contains ',' at position 1; digit grouping and decimal commas "
            "are not accepted, the decimal separator is '.'");
  EXPECT_EQ(refusal(parse_amount("12,50", 2)),
            "amount '12,50' contains ',' at position 2; digit grouping and decimal commas "
            "are not accepted, the decimal separator is '.'");
}

TEST(Amount, RefusesExponentNotation) {
  EXPECT_EQ(refusal(parse_amount("1e5", 2)),
            "amount '1e5' uses exponent notation ('e' at position 1); write the digits out");
  EXPECT_EQ(refusal(parse_amount("1.5E2", 2)),
            "amount '1.5E2' uses exponent notation ('E' at position 3); write the digits out");
}

TEST(Amount, RefusesOtherCharactersNamingThemAndTheirPosition) {
  EXPECT_EQ(refusal(parse_amount("12a", 2)),
            "amount '12a' contains the invalid character 'a' at position 2; only digits and one "
            "'.' are accepted");
  EXPECT_EQ(refusal(parse_amount("1.2.3", 4)), "amount '1.2.3' has a second '.' at position 3");
  EXPECT_EQ(refusal(parse_amount("$5", 2)),
            "amount '$5' contains the invalid character '$' at position 0; only digits and one "
            "'.' are accepted");
  EXPECT_EQ(refusal(parse_amount("e5", 2)),
            "amount 'e5' contains the invalid character 'e' at position 0; only digits and one "
            "'.' are accepted");
  EXPECT_EQ(refusal(parse_amount("1_000", 2)),
            "amount '1_000' contains the invalid character '_' at position 1; only digits and "
            "one '.' are accepted");
}

TEST(Amount, RefusesNonAsciiDigitsAndNulBytes) {
  // Full-width one (U+FF11) and Arabic-Indic one (U+0661) are digits to Unicode, not to us.
  EXPECT_FALSE(parse_amount("\xef\xbc\x91", 2).has_value());
  EXPECT_FALSE(parse_amount("\xd9\xa1", 2).has_value());
  EXPECT_EQ(refusal(parse_amount("1\0"sv, 2)),
            "amount '1\\x00' contains the invalid character '\\x00' at position 1; only digits "
            "and one '.' are accepted");
}

TEST(Amount, AcceptsTheLargestAmountAndRefusesOneMinorUnitMore) {
  EXPECT_EQ(parse_amount("999999999999999999", 0), kMaxAmountMinor);
  EXPECT_EQ(parse_amount("9999999999999999.99", 2), kMaxAmountMinor);
  EXPECT_EQ(parse_amount("99999999999999.9999", 4), kMaxAmountMinor);
  EXPECT_EQ(parse_signed_amount("-9999999999999999.99", 2), -kMaxAmountMinor);
  EXPECT_EQ(refusal(parse_amount("1000000000000000000", 0)),
            "amount '1000000000000000000' is above the largest accepted amount "
            "999999999999999999");
  EXPECT_EQ(refusal(parse_amount("10000000000000000.00", 2)),
            "amount '10000000000000000.00' is above the largest accepted amount "
            "9999999999999999.99");
  // The overflow only shows when the missing decimals are filled in.
  EXPECT_EQ(refusal(parse_amount("10000000000000000", 2)),
            "amount '10000000000000000' is above the largest accepted amount "
            "9999999999999999.99");
  EXPECT_EQ(refusal(parse_amount("99999999999999.99991", 4)),
            "amount '99999999999999.99991' has 5 decimal places; at most 4 decimal places are "
            "allowed");
  EXPECT_EQ(refusal(parse_signed_amount("-10000000000000000.00", 2)),
            "amount '-10000000000000000.00' is below the smallest accepted amount "
            "-9999999999999999.99");
}

TEST(Amount, RefusesNumbersBeyondUint64InsteadOfWrapping) {
  // 2^64 and 2^64 + 1 would wrap to 0 and 1 in a naive uint64_t accumulator.
  EXPECT_FALSE(parse_amount("18446744073709551616", 0).has_value());
  EXPECT_FALSE(parse_amount("18446744073709551617", 0).has_value());
  EXPECT_FALSE(parse_amount("9223372036854775808", 0).has_value());
  EXPECT_FALSE(parse_signed_amount("-9223372036854775808", 0).has_value());
  EXPECT_FALSE(parse_amount(std::string(100, '9'), 0).has_value());
  EXPECT_FALSE(parse_amount(std::string(100, '9') + ".99", 2).has_value());
}

TEST(Amount, ErrorMessagesQuoteLongTextShortenedAndEscaped) {
  const std::string text = std::string(60, '1') + "\x01";
  const std::string message = refusal(parse_amount(text, 2));
  EXPECT_EQ(message, "amount '" + std::string(40, '1') +
                         "' (first 40 of 61 characters) contains the invalid character '\\x01' "
                         "at position 60; only digits and one '.' are accepted");
}

TEST(Amount, RefusesExponentsOutsideTheIsoRange) {
  EXPECT_EQ(refusal(parse_amount("1", 5)), "currency exponent 5 is outside the ISO 4217 range 0..4");
  EXPECT_EQ(refusal(parse_amount("1", -1)),
            "currency exponent -1 is outside the ISO 4217 range 0..4");
  EXPECT_EQ(refusal(parse_signed_amount("-1", 19)),
            "currency exponent 19 is outside the ISO 4217 range 0..4");
}

TEST(Amount, FormatsWithExactlyTheCurrencyDecimals) {
  EXPECT_EQ(format_amount(-5, 2), "-0.05");
  EXPECT_EQ(format_amount(100, 0), "100");
  EXPECT_EQ(format_amount(0, 2), "0.00");
  EXPECT_EQ(format_amount(0, 0), "0");
  EXPECT_EQ(format_amount(1, 4), "0.0001");
  EXPECT_EQ(format_amount(123456, 4), "12.3456");
  EXPECT_EQ(format_amount(123456, 3), "123.456");
  EXPECT_EQ(format_amount(-1, 0), "-1");
  EXPECT_EQ(format_amount(-100, 2), "-1.00");
  EXPECT_EQ(format_amount(55, 1), "5.5");
  EXPECT_EQ(format_amount(kMaxAmountMinor, 2), "9999999999999999.99");
}

TEST(Amount, FormatsTheWholeInt64Range) {
  EXPECT_EQ(format_amount(kInt64Min, 2), "-92233720368547758.08");
  EXPECT_EQ(format_amount(kInt64Max, 0), "9223372036854775807");
  EXPECT_EQ(format_amount(kInt64Min, 4), "-922337203685477.5808");
  EXPECT_EQ(format_amount(kInt64Max, 4), "922337203685477.5807");
}

TEST(AmountDeathTest, FormattingWithAnExponentOutsideTheIsoRangeIsABug) {
  EXPECT_DEATH((void)format_amount(1, 5), "exponent");
  EXPECT_DEATH((void)format_amount(1, -1), "exponent");
}

TEST(Amount, CheckedArithmeticRefusesOverflowAtTheEdges) {
  EXPECT_EQ(checked_add(2, 3), 5);
  EXPECT_EQ(checked_add(kInt64Max, 0), kInt64Max);
  EXPECT_EQ(checked_add(kInt64Max, 1), std::nullopt);
  EXPECT_EQ(checked_add(kInt64Min, -1), std::nullopt);
  EXPECT_EQ(checked_add(kInt64Min, kInt64Max), -1);
  EXPECT_EQ(checked_sub(kInt64Min, 1), std::nullopt);
  EXPECT_EQ(checked_sub(0, kInt64Min), std::nullopt);
  EXPECT_EQ(checked_sub(-1, kInt64Min), kInt64Max);
  EXPECT_EQ(checked_sub(kInt64Max, -1), std::nullopt);
  EXPECT_EQ(checked_mul(kInt64Min, -1), std::nullopt);
  EXPECT_EQ(checked_mul(-1, kInt64Min), std::nullopt);
  EXPECT_EQ(checked_mul(kInt64Max, 2), std::nullopt);
  EXPECT_EQ(checked_mul(kInt64Max, -1), -kInt64Max);
  EXPECT_EQ(checked_mul(0, kInt64Min), 0);
  EXPECT_EQ(checked_mul(3'037'000'499, 3'037'000'499), 9'223'372'030'926'249'001);
  EXPECT_EQ(checked_mul(3'037'000'500, 3'037'000'500), std::nullopt);
  EXPECT_EQ(checked_mul(-3'037'000'500, 3'037'000'500), std::nullopt);
}

// ---- Properties --------------------------------------------------------------------------

// A value in [-kMaxAmountMinor, kMaxAmountMinor] whose digit count is uniform in 1..18, so
// short amounts are as common as long ones.
int64_t random_amount(std::mt19937_64& rng) {
  const int digits = std::uniform_int_distribution<int>(1, 18)(rng);
  int64_t bound = 1;
  for (int i = 0; i < digits; ++i) bound *= 10;
  const int64_t magnitude = std::uniform_int_distribution<int64_t>(0, bound - 1)(rng);
  return (rng() & 1) != 0 ? -magnitude : magnitude;
}

TEST(AmountProperty, FormatThenParseRoundTripsForEveryExponent) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed);
  for (int exponent = 0; exponent <= 4; ++exponent) {
    for (int i = 0; i < 20'000; ++i) {
      int64_t value = random_amount(rng);
      if (i < 4) value = std::array<int64_t, 4>{0, 1, kMaxAmountMinor, -kMaxAmountMinor}[i];
      const std::string text = format_amount(value, exponent);
      const auto parsed = parse_signed_amount(text, exponent);
      ASSERT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
      ASSERT_EQ(*parsed, value) << text << " exponent " << exponent;
      if (value >= 0) {
        ASSERT_EQ(parse_amount(text, exponent), value) << text;
      }
      // Canonical: exactly `exponent` decimals, so parsing and formatting again is stable.
      const size_t dot = text.find('.');
      ASSERT_EQ(dot == std::string::npos ? 0 : text.size() - dot - 1,
                static_cast<size_t>(exponent))
          << text;
    }
  }
}

TEST(AmountProperty, FormattedValuesBeyondTheLimitAreRefusedForTheirSize) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 4);
  for (int exponent = 0; exponent <= 4; ++exponent) {
    for (int i = 0; i < 2'000; ++i) {
      int64_t value = std::uniform_int_distribution<int64_t>(kMaxAmountMinor + 1, kInt64Max)(rng);
      if (i == 0) value = kMaxAmountMinor + 1;
      if ((rng() & 1) != 0) value = -value;
      const std::string text = format_amount(value, exponent);
      const auto parsed = parse_signed_amount(text, exponent);
      ASSERT_FALSE(parsed.has_value()) << text;
      ASSERT_NE(parsed.error().message.find(value < 0 ? "below the smallest" : "above the largest"),
                std::string::npos)
          << parsed.error().message;
    }
  }
}

// Digit-by-digit reference in __int128: independent of the parser's uint64_t guards.
struct Reference {
  bool valid = false;
  __int128 value = 0;
};

// The accepted grammar, -?[0-9]+(\.[0-9]{1,exponent})?, checked piecewise: split at the
// first '.', then test each side on its own, unlike the parser's single left-to-right scan.
bool matches_grammar(std::string_view text, int exponent, bool minus_allowed) {
  if (minus_allowed && !text.empty() && text.front() == '-') text.remove_prefix(1);
  const auto all_digits = [](std::string_view part) {
    return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  const size_t dot = text.find('.');
  const std::string_view integer = text.substr(0, dot);
  if (integer.empty() || !all_digits(integer)) return false;
  if (dot == std::string_view::npos) return true;
  const std::string_view fraction = text.substr(dot + 1);
  return !fraction.empty() && fraction.size() <= static_cast<size_t>(exponent) &&
         all_digits(fraction);
}

Reference reference_parse(std::string_view text, int exponent, bool minus_allowed) {
  if (!matches_grammar(text, exponent, minus_allowed)) return {};
  Reference ref{true, 0};
  int decimals = -1;
  for (char c : text) {
    if (c == '.') {
      decimals = 0;
    } else if (c != '-') {
      ref.value = ref.value * 10 + (c - '0');
      if (decimals >= 0) ++decimals;
      if (ref.value > (__int128{1} << 100)) return {false, 0};  // far out of range anyway
    }
  }
  for (int i = decimals < 0 ? 0 : decimals; i < exponent; ++i) ref.value *= 10;
  if (ref.value > kMaxAmountMinor) return {false, 0};
  if (!text.empty() && text.front() == '-') ref.value = -ref.value;
  return ref;
}

std::string random_valid_text(std::mt19937_64& rng, int exponent, bool negative) {
  std::string text = negative ? "-" : "";
  text.append(std::uniform_int_distribution<size_t>(0, 3)(rng), '0');
  const int integer_digits = std::uniform_int_distribution<int>(1, 20)(rng);
  std::uniform_int_distribution<int> digit(0, 9);
  for (int i = 0; i < integer_digits; ++i) text += static_cast<char>('0' + digit(rng));
  if (exponent > 0 && (rng() & 1) != 0) {
    text += '.';
    const int fraction_digits = std::uniform_int_distribution<int>(1, exponent)(rng);
    for (int i = 0; i < fraction_digits; ++i) text += static_cast<char>('0' + digit(rng));
  }
  return text;
}

TEST(AmountProperty, ParseOfWellFormedTextEqualsADigitByDigitReference) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 1);
  int accepted = 0;
  int refused = 0;
  for (int exponent = 0; exponent <= 4; ++exponent) {
    for (int i = 0; i < 4'000; ++i) {
      const bool negative = (rng() & 1) != 0;
      const std::string text = random_valid_text(rng, exponent, negative);
      const Reference ref = reference_parse(text, exponent, true);
      const auto parsed = parse_signed_amount(text, exponent);
      if (ref.valid) {
        ++accepted;
        ASSERT_TRUE(parsed.has_value()) << text << ": " << parsed.error().message;
        ASSERT_EQ(static_cast<__int128>(*parsed), ref.value) << text;
      } else {
        ++refused;
        ASSERT_FALSE(parsed.has_value()) << text;
        // Well-formed but refused: it can only be for size, and the message must say so.
        const std::string_view expected = negative ? " is below the smallest accepted amount "
                                                   : " is above the largest accepted amount ";
        ASSERT_NE(parsed.error().message.find(expected), std::string::npos)
            << text << ": " << parsed.error().message;
      }
      if (!negative) {
        const auto unsigned_parsed = parse_amount(text, exponent);
        ASSERT_EQ(unsigned_parsed.has_value(), parsed.has_value()) << text;
        if (parsed.has_value()) {
          ASSERT_EQ(*unsigned_parsed, *parsed) << text;
        }
      }
    }
  }
  // Both sides of the limit must have been exercised for the property to mean anything.
  EXPECT_GT(accepted, 5'000);
  EXPECT_GT(refused, 2'000);
}

TEST(AmountProperty, ArbitraryTextIsAcceptedExactlyWhenTheGrammarAllowsIt) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 2);
  constexpr std::string_view kAlphabet = "0123456789000099.-+e, x";
  std::uniform_int_distribution<size_t> pick(0, kAlphabet.size() - 1);
  int accepted = 0;
  for (int i = 0; i < 30'000; ++i) {
    const int exponent = std::uniform_int_distribution<int>(0, 4)(rng);
    std::string text;
    const size_t length = std::uniform_int_distribution<size_t>(0, 9)(rng);
    for (size_t k = 0; k < length; ++k) text += kAlphabet[pick(rng)];
    for (const bool minus_allowed : {false, true}) {
      const Reference ref = reference_parse(text, exponent, minus_allowed);
      const auto parsed =
          minus_allowed ? parse_signed_amount(text, exponent) : parse_amount(text, exponent);
      ASSERT_EQ(parsed.has_value(), ref.valid) << "'" << text << "' exponent " << exponent;
      if (parsed.has_value()) {
        ++accepted;
        ASSERT_EQ(static_cast<__int128>(*parsed), ref.value) << text;
      } else {
        ASSERT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
        ASSERT_EQ(parsed.error().message.rfind(text.empty() ? "amount is empty" : "amount '", 0),
                  0u)
            << parsed.error().message;
      }
    }
  }
  EXPECT_GT(accepted, 1'000);
}

std::optional<int64_t> narrow(__int128 wide) {
  if (wide < kInt64Min || wide > kInt64Max) return std::nullopt;
  return static_cast<int64_t>(wide);
}

// Operands drawn from the full range, from near the edges and from small values, so both
// overflow and non-overflow cases are frequent for every operation.
int64_t random_operand(std::mt19937_64& rng) {
  switch (rng() % 5) {
    case 0:
      return static_cast<int64_t>(rng());
    case 1:
      return kInt64Max - static_cast<int64_t>(rng() % 1'000);
    case 2:
      return kInt64Min + static_cast<int64_t>(rng() % 1'000);
    case 3: {
      const int64_t magnitude = static_cast<int64_t>(rng() % 3'037'000'500ULL);
      return (rng() & 1) != 0 ? -magnitude : magnitude;
    }
    default:
      return static_cast<int64_t>(rng() % 2'001) - 1'000;
  }
}

TEST(AmountProperty, CheckedArithmeticAgreesWithInt128) {
  SCOPED_TRACE("seed " + std::to_string(kSeed));
  std::mt19937_64 rng(kSeed + 3);
  std::array<int, 3> overflows{};  // add, sub, mul
  constexpr int kRounds = 200'000;
  for (int i = 0; i < kRounds; ++i) {
    const int64_t a = random_operand(rng);
    const int64_t b = random_operand(rng);
    const __int128 wide_a = a;
    const __int128 wide_b = b;
    ASSERT_EQ(checked_add(a, b), narrow(wide_a + wide_b)) << a << " + " << b;
    ASSERT_EQ(checked_sub(a, b), narrow(wide_a - wide_b)) << a << " - " << b;
    ASSERT_EQ(checked_mul(a, b), narrow(wide_a * wide_b)) << a << " * " << b;
    overflows[0] += checked_add(a, b) ? 0 : 1;
    overflows[1] += checked_sub(a, b) ? 0 : 1;
    overflows[2] += checked_mul(a, b) ? 0 : 1;
  }
  // Both outcomes must be common for every operation, or the agreement proves little.
  for (const int count : overflows) {
    EXPECT_GT(count, kRounds / 20);
    EXPECT_LT(count, kRounds - kRounds / 20);
  }
}

}  // namespace
}  // namespace deltran::money
