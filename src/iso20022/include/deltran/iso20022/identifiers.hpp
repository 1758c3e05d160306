#pragma once
// Format checks of the identifiers ISO 20022 messages carry. (gateway/validation.hpp has
// similar checks for JSON ingress; these follow the XSD patterns of the 2019+ schemas.)
#include <string>
#include <string_view>

#include <deltran/core/result.hpp>

namespace deltran::iso20022 {

// A member of a national clearing system, as ClrSysMmbId names an agent: the system's
// ExternalClearingSystemIdentification1Code (USABA, GBDSC, INFSC, CHBCC …) and the
// member id within it.
struct ClearingMember {
  std::string system;
  std::string member_id;
};

// A ClrSysMmbId as banks send it, in one canonical form: codes and ids upper-cased, spaces
// dropped, and for the numeric systems dashes too (UK sort codes come as "20-00-00"). A
// MmbId that carries its system's code in front and no ClrSysId ("USABA021000021") is split.
// Known systems' ids are checked against their published format (USABA nine digits with the
// ABA check digit, GBDSC six digits, INFSC four letters, 0 and six letters or digits, …);
// others need a code of 1 to 5 letters or digits and an id of 1 to 35 characters. The error
// says what is wrong, in words for people.
[[nodiscard]] Result<ClearingMember> normalize_clearing_member(std::string_view system,
                                                               std::string_view member_id);

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
