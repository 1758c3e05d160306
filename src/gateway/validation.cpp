#include "validation.hpp"

#include <cctype>

#include <deltran/iso20022/identifiers.hpp>

// The identifier rules themselves live in the iso20022 library (its XSD patterns); JSON
// ingress adds only what people type: lower case, spaces in IBANs, BIC11 with "XXX".
namespace deltran::gateway {

namespace {
std::string upper_without_spaces(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c != ' ') out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}
}  // namespace

std::string normalize_bic(std::string_view bic) {
  std::string b;
  b.reserve(bic.size());
  for (char c : bic) b += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!iso20022::is_bic(b)) return {};
  if (b.size() == 11 && b.compare(8, 3, "XXX") == 0) b.resize(8);
  return b;
}

std::string bank_in_path(const std::string& segment) {
  std::string bic = normalize_bic(segment);
  return bic.empty() ? segment : bic;
}

bool is_country_code(std::string_view s) { return iso20022::is_country_code(s); }

bool looks_like_iban(std::string_view account) {
  std::string compact = upper_without_spaces(account);
  return compact.size() >= 15 && compact.size() <= 34 && iso20022::looks_like_iban(compact);
}

bool iban_checksum_ok(std::string_view account) { return iso20022::is_iban(upper_without_spaces(account)); }

bool is_token_text(std::string_view s, size_t max) {
  if (s.empty() || s.size() > max || s.front() == ' ' || s.back() == ' ') return false;
  for (char c : s) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

}  // namespace deltran::gateway
