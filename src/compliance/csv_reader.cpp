#include "csv_reader.hpp"

namespace deltran::compliance::detail {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// OFAC's files end with a DOS end-of-file byte; only there is it a marker.
std::string_view without_eof_marker(std::string_view text) {
  size_t end = text.size();
  while (end > 0 && is_space(text[end - 1])) --end;
  if (end > 0 && text[end - 1] == '\x1A') return text.substr(0, end - 1);
  return text;
}

}  // namespace

void read_csv(std::string_view text, const std::function<bool(std::vector<std::string>&)>& row) {
  read_csv_lines(text, [&](std::vector<std::string>& fields, size_t) { return row(fields); });
}

void read_csv_lines(std::string_view text, const std::function<bool(std::vector<std::string>&, size_t line)>& row) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  text = without_eof_marker(text);
  size_t line = 1;          // the line the scanner is on
  size_t record_line = 1;   // the line the current record started on
  std::vector<std::string> fields;
  std::string field;
  bool in_quotes = false;
  bool quoted = false;  // the current field started with a quote
  size_t i = 0;
  auto end_record = [&]() -> bool {
    fields.push_back(std::move(field));
    field.clear();
    quoted = false;
    const bool blank = fields.size() == 1 && fields[0].empty();
    bool go_on = true;
    if (!blank) go_on = row(fields, record_line);
    fields.clear();
    record_line = line;
    return go_on;
  };
  while (i < text.size()) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        const char next = i + 1 < text.size() ? text[i + 1] : '\0';
        if (next == '"') {
          field.push_back('"');
          i += 2;
          continue;
        }
        // Does the field really end here? Skip spaces after the quote and look.
        size_t j = i + 1;
        while (j < text.size() && (text[j] == ' ' || text[j] == '\t')) ++j;
        if (j >= text.size() || text[j] == ',' || text[j] == '\r' || text[j] == '\n') {
          in_quotes = false;
          i = j;
          continue;
        }
        field.push_back('"');  // a stray quote inside the field
        ++i;
        continue;
      }
      if (c == '\n' || (c == '\r' && (i + 1 >= text.size() || text[i + 1] != '\n'))) ++line;
      field.push_back(c);
      ++i;
      continue;
    }
    if (c == '"' && !quoted) {
      bool only_space = true;
      for (char f : field) only_space = only_space && (f == ' ' || f == '\t');
      if (only_space) {
        field.clear();
        in_quotes = true;
        quoted = true;
        ++i;
        continue;
      }
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      quoted = false;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      ++i;
      ++line;
      if (!end_record()) return;
      continue;
    }
    field.push_back(c);
    ++i;
  }
  if (!field.empty() || !fields.empty()) end_record();
}

std::string clean_field(std::string_view field) {
  size_t b = 0, e = field.size();
  while (b < e && is_space(field[b])) ++b;
  while (e > b && is_space(field[e - 1])) --e;
  field = field.substr(b, e - b);
  if (field == "-0-") return {};
  return std::string(field);
}

}  // namespace deltran::compliance::detail
