#include <deltran/iso20022/identifiers.hpp>

#include <algorithm>
#include <cstddef>

namespace deltran::iso20022 {
namespace {

bool upper(char c) { return c >= 'A' && c <= 'Z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool upper_or_digit(char c) { return upper(c) || digit(c); }
bool alnum(char c) { return upper_or_digit(c) || (c >= 'a' && c <= 'z'); }
bool hex_lower(char c) { return digit(c) || (c >= 'a' && c <= 'f'); }

int two_digits(std::string_view s, size_t at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

bool digits_at(std::string_view s, size_t from, size_t count) {
  if (from + count > s.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (!digit(s[i])) return false;
  }
  return true;
}

bool leap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// "", "Z", or +hh:mm / -hh:mm up to 14:00.
bool zone_ok(std::string_view zone) {
  if (zone.empty() || zone == "Z") return true;
  if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !digits_at(zone, 1, 2) ||
      zone[3] != ':' || !digits_at(zone, 4, 2)) {
    return false;
  }
  int zh = two_digits(zone, 1), zm = two_digits(zone, 4);
  return zm <= 59 && (zh < 14 || (zh == 14 && zm == 0));
}

// hh:mm:ss[.f+] then an optional zone; `s` starts at the hour.
bool time_with_zone(std::string_view s) {
  if (s.size() < 8 || !digits_at(s, 0, 2) || s[2] != ':' || !digits_at(s, 3, 2) || s[5] != ':' ||
      !digits_at(s, 6, 2)) {
    return false;
  }
  int hh = two_digits(s, 0), mm = two_digits(s, 3), ss = two_digits(s, 6);
  bool midnight_24 = hh == 24 && mm == 0 && ss == 0;
  if ((hh > 23 && !midnight_24) || mm > 59 || ss > 59) return false;
  size_t i = 8;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && digit(s[i])) ++i;
    if (i == start) return false;
  }
  return zone_ok(s.substr(i));
}

bool calendar_date(std::string_view s) {
  if (s.size() != 10 || !digits_at(s, 0, 4) || s[4] != '-' || !digits_at(s, 5, 2) || s[7] != '-' ||
      !digits_at(s, 8, 2)) {
    return false;
  }
  int year = two_digits(s, 0) * 100 + two_digits(s, 2);
  int month = two_digits(s, 5), day = two_digits(s, 8);
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year == 0 || month < 1 || month > 12 || day < 1) return false;
  int max_day = kDays[month - 1] + ((month == 2 && leap(year)) ? 1 : 0);
  return day <= max_day;
}

// The published member id formats of the clearing systems banks name most often (the
// ExternalClearingSystemIdentification1Code list): digits from `min` to `max`.
struct ClearingFormat {
  std::string_view code;
  size_t min, max;
};
constexpr ClearingFormat kNumericSystems[] = {
    {"ATBLZ", 5, 5},  {"AUBSB", 6, 6}, {"CACPA", 9, 9},   {"CHBCC", 3, 5}, {"CHSIC", 6, 6},
    {"CNAPS", 12, 12}, {"DEBLZ", 8, 8}, {"ESNCC", 8, 9},  {"GBDSC", 6, 6}, {"GRBIC", 7, 7},
    {"HKNCC", 3, 3},  {"IENCC", 6, 6}, {"ITNCC", 10, 10}, {"JPZGN", 7, 7}, {"NZNCC", 6, 6},
    {"PLKNR", 8, 8},  {"PTNCC", 8, 8}, {"RUCBC", 9, 9},   {"SESBA", 4, 4}, {"SGIBG", 3, 7},
    {"TWNCC", 7, 7},  {"USABA", 9, 9}, {"USPID", 4, 4},
};

const ClearingFormat* numeric_system(std::string_view code) {
  for (const auto& f : kNumericSystems) {
    if (f.code == code) return &f;
  }
  return nullptr;
}

bool known_system(std::string_view code) { return code == "INFSC" || numeric_system(code) != nullptr; }

// ABA routing numbers: 3, 7, 1 weights over the nine digits sum to a multiple of 10.
bool aba_check_digit_ok(std::string_view id) {
  static constexpr int kWeights[] = {3, 7, 1, 3, 7, 1, 3, 7, 1};
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) sum += (id[i] - '0') * kWeights[i];
  return sum % 10 == 0;
}

std::string canonical(std::string_view s, bool drop_dashes) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || (drop_dashes && c == '-')) continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

}  // namespace

Result<ClearingMember> normalize_clearing_member(std::string_view system, std::string_view member_id) {
  ClearingMember m;
  m.system = canonical(system, false);
  m.member_id = canonical(member_id, false);
  if (m.system.empty() && m.member_id.size() > 5 && known_system(m.member_id.substr(0, 5))) {
    m.system = m.member_id.substr(0, 5);
    m.member_id.erase(0, 5);
  }
  auto bad = [&](const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, why);
  };
  if (m.system.empty()) {
    return bad("clearing member id '" + std::string(member_id) + "' names no clearing system (ClrSysId/Cd)");
  }
  if (m.system.size() > 5 || !std::all_of(m.system.begin(), m.system.end(), upper_or_digit)) {
    return bad("'" + std::string(system) + "' is not a clearing system code (1 to 5 letters or digits)");
  }
  const ClearingFormat* numeric = numeric_system(m.system);
  if (numeric != nullptr) m.member_id = canonical(member_id, true);
  // The code repeated in front of the id (or carried there alone, split above): a numeric
  // id cannot start with letters, an IFSC is 11 characters.
  bool prefixed = m.member_id.size() > 5 && m.member_id.compare(0, 5, m.system) == 0;
  if (prefixed && (numeric != nullptr || (m.system == "INFSC" && m.member_id.size() == 16))) {
    m.member_id.erase(0, 5);
  }
  const std::string what = m.system + " member id '" + std::string(member_id) + "'";
  if (m.member_id.empty() || m.member_id.size() > 35) return bad(what + " must have 1 to 35 characters");
  if (numeric != nullptr) {
    bool digits = std::all_of(m.member_id.begin(), m.member_id.end(), digit);
    if (!digits || m.member_id.size() < numeric->min || m.member_id.size() > numeric->max) {
      return bad(what + " must be " + std::to_string(numeric->min) +
                 (numeric->min == numeric->max ? "" : " to " + std::to_string(numeric->max)) + " digits");
    }
    if (m.system == "USABA" && !aba_check_digit_ok(m.member_id)) {
      return bad(what + " has a wrong ABA check digit");
    }
  } else if (m.system == "INFSC") {
    const std::string& id = m.member_id;
    bool ok = id.size() == 11 && std::all_of(id.begin(), id.begin() + 4, upper) && id[4] == '0' &&
              std::all_of(id.begin() + 5, id.end(), upper_or_digit);
    if (!ok) return bad(what + " must be an IFSC: four letters, 0, and six letters or digits");
  } else if (!std::all_of(m.member_id.begin(), m.member_id.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    return bad(what + " must be printable ASCII");
  }
  return m;
}

bool is_bic(std::string_view s) {
  if (s.size() != 8 && s.size() != 11) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool ok = (i == 4 || i == 5) ? upper(s[i]) : upper_or_digit(s[i]);
    if (!ok) return false;
  }
  return true;
}

bool looks_like_iban(std::string_view s) {
  if (s.size() < 15 || s.size() > 34) return false;
  if (!upper(s[0]) || !upper(s[1]) || !digit(s[2]) || !digit(s[3])) return false;
  for (size_t i = 4; i < s.size(); ++i) {
    if (!alnum(s[i])) return false;
  }
  return true;
}

bool is_iban(std::string_view s) {
  if (!looks_like_iban(s)) return false;
  // ISO 7064 mod 97-10 over BBAN + country + check digits, letters as 10..35.
  unsigned remainder = 0;
  auto feed = [&remainder](char c) {
    if (digit(c)) {
      remainder = (remainder * 10 + static_cast<unsigned>(c - '0')) % 97;
      return;
    }
    unsigned v = static_cast<unsigned>((c >= 'a' ? c - 'a' : c - 'A') + 10);
    remainder = (remainder * 100 + v) % 97;
  };
  for (size_t i = 4; i < s.size(); ++i) feed(s[i]);
  for (size_t i = 0; i < 4; ++i) feed(s[i]);
  return remainder == 1;
}

bool is_country_code(std::string_view s) { return s.size() == 2 && upper(s[0]) && upper(s[1]); }

bool is_uetr(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!hex_lower(s[i])) {
      return false;
    }
  }
  return s[14] == '4' && (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

bool is_iso_date(std::string_view s) {
  return s.size() >= 10 && calendar_date(s.substr(0, 10)) && zone_ok(s.substr(10));
}

bool is_iso_date_time(std::string_view s) {
  return s.size() >= 19 && calendar_date(s.substr(0, 10)) && s[10] == 'T' &&
         time_with_zone(s.substr(11));
}

}  // namespace deltran::iso20022
