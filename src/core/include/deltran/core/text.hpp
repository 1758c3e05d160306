#pragma once
// Small text helpers shared by libraries that must not pull in a JSON library.
#include <cstdint>
#include <string>
#include <string_view>

namespace deltran {

// Appends `s` as a JSON string literal (with quotes), escaping as RFC 8259 requires.
void append_json_string(std::string& out, std::string_view s);
// True when `s` is valid UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool is_valid_utf8(std::string_view s);
// ASCII case-insensitive equality, without allocating (country and currency codes).
bool iequals_ascii(std::string_view a, std::string_view b);

// FNV-1a, 64 bits, continuing from `h` (the FNV offset basis by default). Written out rather
// than std::hash because values are kept (idempotency fingerprints in snapshots) and must be
// the same in every build.
inline constexpr uint64_t kFnv1aOffset = 14695981039346656037ULL;
inline uint64_t fnv1a64(std::string_view s, uint64_t h = kFnv1aOffset) {
  for (char c : s) {
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

}  // namespace deltran
