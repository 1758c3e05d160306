#include "text_util.hpp"

namespace deltran::iso20022 {
namespace {
bool digit(char c) { return c >= '0' && c <= '9'; }
bool xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }
constexpr __int128 kMaxWhole = 1'000'000'000'000'000'000;  // totalDigits 18 stays below
}  // namespace

size_t utf8_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if (!continuation(c)) ++n;
  }
  return n;
}

std::string utf8_truncate(std::string_view s, size_t max_chars) {
  size_t chars = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (continuation(s[i])) continue;
    if (chars == max_chars) return std::string(s.substr(0, i));
    ++chars;
  }
  return std::string(s);
}

std::string_view trim_xml_space(std::string_view s) {
  while (!s.empty() && xml_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && xml_space(s.back())) s.remove_suffix(1);
  return s;
}

std::string clean_libxml_message(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  for (size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '{') {
      // "{urn:iso:...}Name" loses its namespace; a pattern's "{4,4}" stays.
      size_t close = message.find('}', i);
      if (close != std::string_view::npos &&
          message.substr(i, close - i).find(':') != std::string_view::npos) {
        i = close;
        continue;
      }
    }
    out += message[i] == '\n' ? ' ' : message[i];
  }
  while (!out.empty() && xml_space(out.back())) out.pop_back();
  return out;
}

std::optional<ScaledDecimal> parse_scaled_decimal(std::string_view text) {
  text = trim_xml_space(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() && fraction.empty()) return std::nullopt;
  ScaledDecimal out;
  for (char c : whole) {
    if (!digit(c)) return std::nullopt;
    out.value = out.value * 10 + (c - '0');
    if (out.value > kMaxWhole) return std::nullopt;
  }
  for (int i = 0; i < kDecimalScaleDigits; ++i) out.value *= 10;
  __int128 unit = 10'000;
  for (char c : fraction) {
    if (!digit(c)) return std::nullopt;
    if (unit > 0) {
      out.value += unit * (c - '0');
      unit /= 10;
    } else if (c != '0') {
      out.exact = false;
    }
  }
  return out;
}

std::string format_scaled_decimal(__int128 value) {
  bool negative = value < 0;
  unsigned __int128 v =
      negative ? static_cast<unsigned __int128>(-value) : static_cast<unsigned __int128>(value);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v > 0);
  while (digits.size() <= static_cast<size_t>(kDecimalScaleDigits))
    digits.insert(digits.begin(), '0');
  std::string whole = digits.substr(0, digits.size() - kDecimalScaleDigits);
  std::string fraction = digits.substr(digits.size() - kDecimalScaleDigits);
  while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  std::string out = negative ? "-" + whole : whole;
  if (!fraction.empty()) out += "." + fraction;
  return out;
}

std::string normalize_amount_text(std::string_view text, int exponent) {
  text = trim_xml_space(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::string out(text);
  size_t dot = out.find('.');
  bool has_digit = out.find_first_of("0123456789") != std::string::npos;
  if (dot == std::string::npos || !has_digit) return out;
  if (dot == 0) out.insert(out.begin(), '0'), ++dot;
  size_t keep = dot + 1 + static_cast<size_t>(exponent < 0 ? 0 : exponent);
  while (out.size() > keep && out.back() == '0') out.pop_back();
  if (out.back() == '.') out.pop_back();
  return out;
}

}  // namespace deltran::iso20022
