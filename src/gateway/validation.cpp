#include "validation.hpp"

#include <cctype>

namespace deltran::gateway {

namespace {
bool alpha(char c) { return (c >= 'A' && c <= 'Z'); }
bool alnum(char c) { return alpha(c) || (c >= '0' && c <= '9'); }
}  // namespace

std::string normalize_bic(std::string_view bic) {
  if (bic.size() != 8 && bic.size() != 11) return {};
  std::string b(bic);
  for (char& c : b) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (size_t i = 0; i < 6; ++i) {
    if (!alpha(b[i])) return {};
  }
  for (size_t i = 6; i < b.size(); ++i) {
    if (!alnum(b[i])) return {};
  }
  if (b.size() == 11 && b.compare(8, 3, "XXX") == 0) b.resize(8);
  return b;
}

bool is_country_code(std::string_view s) { return s.size() == 2 && alpha(s[0]) && alpha(s[1]); }

bool looks_like_iban(std::string_view account) {
  std::string compact;
  for (char c : account) {
    if (c != ' ') compact += c;
  }
  return compact.size() >= 15 && compact.size() <= 34 && alpha(compact[0]) && alpha(compact[1]) &&
         std::isdigit(static_cast<unsigned char>(compact[2])) && std::isdigit(static_cast<unsigned char>(compact[3]));
}

bool iban_checksum_ok(std::string_view account) {
  std::string compact;
  for (char c : account) {
    if (c == ' ') continue;
    compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (compact.size() < 15 || compact.size() > 34) return false;
  std::string rotated = compact.substr(4) + compact.substr(0, 4);
  unsigned remainder = 0;
  for (char c : rotated) {
    if (c >= '0' && c <= '9') {
      remainder = (remainder * 10 + static_cast<unsigned>(c - '0')) % 97;
    } else if (alpha(c)) {
      unsigned v = static_cast<unsigned>(c - 'A') + 10;
      remainder = (remainder * 100 + v) % 97;
    } else {
      return false;
    }
  }
  return remainder == 1;
}

bool is_token_text(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max || s.front() == ' ' || s.back() == ' ') return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace deltran::gateway
