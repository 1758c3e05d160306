#pragma once
// Small text helpers shared by libraries that must not pull in a JSON library.
#include <string>
#include <string_view>

namespace deltran {

// Appends `s` as a JSON string literal (with quotes), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view s);
// True when `s` is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);
// ASCII case-insensitive equality, without allocating (country and currency codes).
bool iequals_ascii(std::string_view a, std::string_view b);

}  // namespace deltran
