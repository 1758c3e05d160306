#pragma once
// Format checks of the identifiers ISO 20022 messages carry. (gateway/validation.hpp has
// similar checks for JSON ingress; these follow the XSD patterns of the 2019+ schemas.)
#include <string_view>

namespace deltran::iso20022 {

// ISO 9362:2014 BIC, as BICFIDec2014Identifier: 4 letters or digits, 2 letters (country),
// 2 letters or digits, optional 3 letters or digits; upper case only.
bool is_bic(std::string_view s);
// IBAN2007Identifier pattern ([A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}, no spaces), at least 15
// characters, and ISO 7064 mod 97-10 check digits that verify.
bool is_iban(std::string_view s);
// The pattern only (so a caller can tell "not an IBAN" from "wrong check digits").
bool looks_like_iban(std::string_view s);
// Two upper-case letters.
bool is_country_code(std::string_view s);
// A UUIDv4 in the lower-case form the UUIDv4Identifier pattern (and SWIFT gpi) requires.
bool is_uetr(std::string_view s);
// xs:date (YYYY-MM-DD, a real calendar day, years 0001-9999) and xs:dateTime
// (YYYY-MM-DDThh:mm:ss, optional fraction); both with an optional Z or +hh:mm/-hh:mm.
bool is_iso_date(std::string_view s);
bool is_iso_date_time(std::string_view s);

}  // namespace deltran::iso20022
