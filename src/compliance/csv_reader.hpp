#pragma once
// Private: a forgiving CSV reader for published lists. RFC 4180 (quoted fields, "" for a
// quote, commas and line breaks inside quotes) plus the quirks of real files:
// - records end with CR, LF or CRLF (OFAC's specification says CR; the files use CRLF);
// - a quote inside a quoted field that is not followed by a delimiter, a line end, the end
//   of the file or a second quote is kept as a character (OFAC has published remarks like
//   "a.k.a. "blackjack1987"" without doubling the quotes);
// - a UTF-8 byte-order mark at the start is ignored, and so is a DOS end-of-file byte
//   (0x1A) at the end of the text (OFAC's files end with one, optionally followed by a line
//   break); a 0x1A anywhere else is data and stays in its field.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace deltran::compliance::detail {

// Calls `row` for each record (empty lines are skipped); stops early if it returns false.
void read_csv(std::string_view text, const std::function<bool(std::vector<std::string>&)>& row);
// The same, with the 1-based line on which each record starts (a quoted line break inside
// a field makes a record span lines), for reporting malformed records to the operator.
void read_csv_lines(std::string_view text, const std::function<bool(std::vector<std::string>&, size_t line)>& row);

// Trims ASCII whitespace; OFAC's null "-0-" (with or without surrounding spaces) becomes "".
std::string clean_field(std::string_view field);

}  // namespace deltran::compliance::detail
