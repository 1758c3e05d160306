#pragma once
// Syntax checks of identifiers that arrive from outside: BIC, ISO 3166 country, IBAN.
#include <string>
#include <string_view>

namespace deltran::gateway {

// Upper-cases a BIC and drops a trailing "XXX" branch code (the head office), so BIC11
// "BANKAEADXXX" and BIC8 "BANKAEAD" name the same participant. Empty if not a BIC:
// 4 letters or digits (institution, ISO 9362:2014), 2 letters (country), 2 letters or
// digits (location), and an
// optional 3 letters or digits (branch).
std::string normalize_bic(std::string_view bic);
// A path segment naming a participant: its BIC as the participant is known
// (normalize_bic), or the segment as given when it is no BIC (then no bank has it).
std::string bank_in_path(const std::string& segment);
// Two upper-case letters.
bool is_country_code(std::string_view s);
// True when `account` looks like an IBAN (two letters and two digits first); then
// `iban_ok` says whether its ISO 7064 mod-97 check digits are right. Spaces are ignored.
bool looks_like_iban(std::string_view account);
bool iban_checksum_ok(std::string_view account);
// Printable ASCII without spaces at the ends, 1..max characters (Idempotency-Key, references).
bool is_token_text(std::string_view s, size_t max);

}  // namespace deltran::gateway
