// Parsing runs in two parts: a tight loop that only answers "valid, with this value" and a
// cold path that re-reads a refused text to say exactly what is wrong with it. The hot path
// stays small and never allocates; only a refusal pays for a message.
#include <deltran/money/amount.hpp>

#include <array>
#include <cstddef>

#include <deltran/core/assert.hpp>

namespace deltran::money {
namespace {

// ISO 4217 minor units run from 0 (JPY) to 4 (CLF, UYW).
constexpr int kExponentMax = 4;
constexpr auto kMaxMinor = static_cast<uint64_t>(kMaxAmountMinor);
constexpr std::array<uint64_t, kExponentMax + 1> kPow10 = {1, 10, 100, 1'000, 10'000};
// kMaxMinor / 10^k, precomputed so the final range check needs no division.
constexpr std::array<uint64_t, kExponentMax + 1> kMaxBeforeScale = {
    kMaxMinor / 1, kMaxMinor / 10, kMaxMinor / 100, kMaxMinor / 1'000, kMaxMinor / 10'000};
// A refused text is quoted in the message; it comes from outside, so its length is capped.
constexpr size_t kQuotedCharsMax = 40;

constexpr bool exponent_in_range(int exponent) {
  return exponent >= 0 && exponent <= kExponentMax;
}

// The digit value of `c`, or something above 9 when `c` is not an ASCII digit.
constexpr unsigned digit_value(char c) {
  return static_cast<unsigned>(static_cast<unsigned char>(c)) - unsigned{'0'};
}

// Magnitude of `text` in minor units, or nullopt on any refusal (explain_refusal says which).
// Every step keeps value <= kMaxMinor < 10^18 before multiplying, so value * 10 + 9 never
// wraps a uint64_t, whatever the number of leading zeros.
inline std::optional<uint64_t> scan_magnitude(std::string_view text, int exponent) {
  const char* p = text.data();
  const char* const end = p + text.size();
  const char* const integer_begin = p;
  uint64_t value = 0;
  for (; p != end; ++p) {
    const unsigned digit = digit_value(*p);
    if (digit > 9) break;
    value = value * 10 + digit;
    if (value > kMaxMinor) return std::nullopt;
  }
  if (p == integer_begin) return std::nullopt;
  ptrdiff_t fraction_digits = 0;
  if (p != end) {
    if (*p != '.') return std::nullopt;
    ++p;
    fraction_digits = end - p;
    if (fraction_digits == 0 || fraction_digits > exponent) return std::nullopt;
    for (; p != end; ++p) {
      const unsigned digit = digit_value(*p);
      if (digit > 9) return std::nullopt;
      value = value * 10 + digit;
      if (value > kMaxMinor) return std::nullopt;
    }
  }
  const auto pad = static_cast<size_t>(exponent - fraction_digits);
  if (value > kMaxBeforeScale[pad]) return std::nullopt;
  return value * kPow10[pad];
}

void append_escaped(std::string& out, char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) {
    out += c;
    return;
  }
  // Control and non-ASCII bytes are shown as \xNN so the message stays one printable line.
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\x";
  out += kHex[byte >> 4];
  out += kHex[byte & 0xf];
}

std::string quoted(std::string_view text) {
  std::string out = "amount '";
  for (size_t i = 0; i < text.size() && i < kQuotedCharsMax; ++i) append_escaped(out, text[i]);
  out += '\'';
  if (text.size() > kQuotedCharsMax) {
    out += " (first " + std::to_string(kQuotedCharsMax) + " of " + std::to_string(text.size()) +
           " characters)";
  }
  return out;
}

std::string places(size_t count) {
  return std::to_string(count) + (count == 1 ? " decimal place" : " decimal places");
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Why the character at `pos` (neither a digit nor a '.') makes `text` unacceptable.
std::string explain_character(std::string_view text, size_t pos, bool minus_allowed) {
  const char c = text[pos];
  const std::string at = " at position " + std::to_string(pos);
  if (c == '-' && pos == 0) {
    return quoted(text) + " has a '-' sign; only amounts of zero or more are accepted here";
  }
  if (c == '-') {
    return quoted(text) + " has a misplaced '-'" + at +
           (minus_allowed ? "; a sign may only lead the amount" : "; no sign is accepted");
  }
  if (c == '+') {
    return quoted(text) + " has a '+' sign" + at +
           (minus_allowed ? "; only a leading '-' is accepted" : "; no sign is accepted");
  }
  if (c == ',') {
    return quoted(text) + " contains ','" + at +
           "; digit grouping and decimal commas are not accepted, the decimal separator is '.'";
  }
  const bool after_number = pos > 0 && (digit_value(text[pos - 1]) <= 9 || text[pos - 1] == '.');
  if ((c == 'e' || c == 'E') && after_number) {
    return quoted(text) + " uses exponent notation ('" + c + "'" + at + "); write the digits out";
  }
  if (is_space(c)) return quoted(text) + " contains whitespace" + at + "; none is accepted";
  std::string message = quoted(text) + " contains the invalid character '";
  append_escaped(message, c);
  return message + "'" + at + "; only digits and one '.' are accepted";
}

std::string format_limit(bool negative, int exponent) {
  return format_amount(negative ? -kMaxAmountMinor : kMaxAmountMinor, exponent);
}

// Called only after scan_magnitude refused `text`: checks the rules in the order a reader
// would fix them (characters, then shape, then decimals, then size), so the message names
// the first real problem. Whatever passes every syntactic check was refused for its size.
[[gnu::cold, gnu::noinline]] Error explain_refusal(std::string_view text, int exponent,
                                                    bool minus_allowed) {
  auto invalid = [](std::string message) {
    return Error{ErrorCode::kInvalidArgument, std::move(message)};
  };
  if (!exponent_in_range(exponent)) {
    return invalid("currency exponent " + std::to_string(exponent) +
                   " is outside the ISO 4217 range 0..4");
  }
  if (text.empty()) return invalid("amount is empty");
  const bool negative = minus_allowed && text.front() == '-';
  const size_t body = negative ? 1 : 0;
  if (body == text.size()) return invalid(quoted(text) + " has no digits");
  size_t dot = std::string_view::npos;
  for (size_t i = body; i < text.size(); ++i) {
    if (digit_value(text[i]) <= 9) continue;
    if (text[i] != '.') return invalid(explain_character(text, i, minus_allowed));
    if (dot != std::string_view::npos) {
      return invalid(quoted(text) + " has a second '.' at position " + std::to_string(i));
    }
    dot = i;
  }
  if (dot != std::string_view::npos) {
    const size_t integer_digits = dot - body;
    const size_t fraction_digits = text.size() - dot - 1;
    if (integer_digits == 0 && fraction_digits == 0) {
      return invalid(quoted(text) + " has no digits on either side of the '.'");
    }
    if (integer_digits == 0) {
      return invalid(quoted(text) + " has no digits before the '.'; write a leading 0");
    }
    if (fraction_digits == 0) return invalid(quoted(text) + " has no digits after the '.'");
    if (fraction_digits > static_cast<size_t>(exponent)) {
      return invalid(quoted(text) + " has " + places(fraction_digits) + "; " +
                     (exponent == 0 ? std::string("no decimal places are allowed")
                                    : "at most " + places(static_cast<size_t>(exponent)) +
                                          (exponent == 1 ? " is allowed" : " are allowed")));
    }
  }
  if (negative) {
    return invalid(quoted(text) + " is below the smallest accepted amount " +
                   format_limit(true, exponent));
  }
  return invalid(quoted(text) + " is above the largest accepted amount " +
                 format_limit(false, exponent));
}

}  // namespace

Result<int64_t> parse_amount(std::string_view text, int exponent) {
  if (exponent_in_range(exponent)) [[likely]] {
    if (const auto magnitude = scan_magnitude(text, exponent)) [[likely]] {
      return static_cast<int64_t>(*magnitude);
    }
  }
  return tl::unexpected<Error>(explain_refusal(text, exponent, false));
}

Result<int64_t> parse_signed_amount(std::string_view text, int exponent) {
  const bool negative = !text.empty() && text.front() == '-';
  if (exponent_in_range(exponent)) [[likely]] {
    if (const auto magnitude = scan_magnitude(text.substr(negative ? 1 : 0), exponent))
        [[likely]] {
      const auto value = static_cast<int64_t>(*magnitude);
      return negative ? -value : value;
    }
  }
  return tl::unexpected<Error>(explain_refusal(text, exponent, true));
}

std::string format_amount(int64_t minor, int exponent) {
  // Exponents come from the currency table, never from a sender: a bad one is our bug.
  DELTRAN_ASSERT(exponent_in_range(exponent), "currency exponent must be 0..4");
  // The magnitude is taken in unsigned arithmetic so INT64_MIN formats too.
  uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  // 19 digits of uint64_t, a '.', a '-' and spare room.
  std::array<char, 24> buffer{};
  char* const end = buffer.data() + buffer.size();
  char* p = end;
  for (int i = 0; i < exponent; ++i) {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  }
  if (exponent > 0) *--p = '.';
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (minor < 0) *--p = '-';
  return std::string(p, end);
}

std::optional<int64_t> checked_add(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) return std::nullopt;
  return sum;
}

std::optional<int64_t> checked_sub(int64_t a, int64_t b) {
  int64_t difference = 0;
  if (__builtin_sub_overflow(a, b, &difference)) return std::nullopt;
  return difference;
}

std::optional<int64_t> checked_mul(int64_t a, int64_t b) {
  int64_t product = 0;
  if (__builtin_mul_overflow(a, b, &product)) return std::nullopt;
  return product;
}

Result<Amount> parse(std::string_view text, CurrencyId currency) {
  const Currency* c = find_currency(currency);
  if (c == nullptr) return make_error(ErrorCode::kInvalidArgument, "not an ISO 4217 currency");
  auto minor = parse_amount(text, c->exponent);
  if (!minor) return tl::unexpected(minor.error());
  return Amount{*minor, currency};
}

std::string format(const Amount& amount) { return format_amount(amount.minor, exponent_of(amount.currency)); }

std::string format_minor(int64_t minor, CurrencyId currency) {
  const Currency* c = find_currency(currency);
  return format_amount(minor, c != nullptr ? c->exponent : 2);
}

}  // namespace deltran::money
