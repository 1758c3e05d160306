#pragma once
// Small text helpers private to the library.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace deltran::iso20022 {

// Unicode code points in valid UTF-8 (XSD length facets count characters, not bytes).
size_t utf8_length(std::string_view s);
// At most `max_chars` code points of `s`, never splitting a character.
std::string utf8_truncate(std::string_view s, size_t max_chars);
// Without XML white space (space, tab, CR, LF) at both ends.
std::string_view trim_xml_space(std::string_view s);
// A libxml2 message made readable: no "{namespace}" before names, no trailing newline.
std::string clean_libxml_message(std::string_view message);

// A non-negative xs:decimal ("+1.50", "5.", ".5", "007") scaled to 10^-5, the finest
// fraction any ISO amount carries. `exact` is false when non-zero digits were cut beyond
// the fifth decimal. Nullopt when the text is not a non-negative decimal or above 10^18.
struct ScaledDecimal {
  __int128 value = 0;
  bool exact = true;
};
inline constexpr int kDecimalScaleDigits = 5;
std::optional<ScaledDecimal> parse_scaled_decimal(std::string_view text);
// Canonical decimal text of a scaled value: "1234.5" -> no trailing zeros, no dot if whole.
std::string format_scaled_decimal(__int128 value);

// A non-negative decimal amount rewritten so money::parse_amount can read it without
// changing its value: white space trimmed, "+" dropped, "5." -> "5", ".5" -> "0.5", and
// fraction zeros beyond `exponent` removed ("12.500" -> "12.50" for 2). Digits that would
// change the value are left for parse_amount to refuse.
std::string normalize_amount_text(std::string_view text, int exponent);

}  // namespace deltran::iso20022
