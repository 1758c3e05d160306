#include "xml_writer.hpp"

#include <deltran/core/assert.hpp>
#include <deltran/core/text.hpp>
#include <deltran/iso20022/identifiers.hpp>
#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

#include "text_util.hpp"

namespace deltran::iso20022 {
namespace {
bool digit(char c) { return c >= '0' && c <= '9'; }
bool upper(char c) { return c >= 'A' && c <= 'Z'; }
}  // namespace

XmlWriter::XmlWriter() {
  out_.reserve(4096);
  out_ += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
}

void XmlWriter::indent() { out_.append(2 * stack_.size(), ' '); }

std::string XmlWriter::path(std::string_view field) const {
  std::string p;
  for (const auto& s : stack_) p += "/" + s;
  if (!field.empty()) p += "/" + std::string(field);
  return p;
}

void XmlWriter::check(bool ok, std::string_view field, std::string_view problem) {
  if (ok || error_) return;
  error_ = Error{ErrorCode::kInvalidArgument, path(field) + ": " + std::string(problem)};
}

void XmlWriter::open(std::string_view name, std::string_view default_namespace) {
  indent();
  out_ += '<';
  out_ += name;
  if (!default_namespace.empty()) {
    out_ += " xmlns=\"";
    out_ += default_namespace;
    out_ += '"';
  }
  out_ += ">\n";
  stack_.emplace_back(name);
}

void XmlWriter::close() {
  DELTRAN_ASSERT(!stack_.empty(), "close without open");
  std::string name = std::move(stack_.back());
  stack_.pop_back();
  indent();
  out_ += "</" + name + ">\n";
}

void XmlWriter::escaped(std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '&':
        out_ += "&amp;";
        break;
      case '<':
        out_ += "&lt;";
        break;
      case '>':
        out_ += "&gt;";
        break;
      case '"':
        out_ += "&quot;";
        break;
      default:
        out_ += c;
    }
  }
}

void XmlWriter::text(std::string_view name, std::string_view value, size_t max_chars) {
  bool utf8 = is_valid_utf8(value);
  check(utf8, name, "is not valid UTF-8");
  size_t chars = utf8 ? utf8_length(value) : 0;
  check(
      chars >= 1 && chars <= max_chars, name,
      "must have 1 to " + std::to_string(max_chars) + " characters, has " + std::to_string(chars));
  bool clean = true;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    clean = clean && (u >= 0x20 || c == '\t' || c == '\n' || c == '\r');
  }
  check(clean, name, "contains control characters");
  indent();
  out_ += '<';
  out_ += name;
  out_ += '>';
  escaped(value);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void XmlWriter::amount(std::string_view name, int64_t minor, std::string_view currency) {
  const money::Currency* info = money::find_currency(currency);
  check(info != nullptr, name,
        "currency '" + std::string(currency) + "' is not an ISO 4217 currency");
  check(minor >= 0, name, "amount must not be negative");
  if (info == nullptr || minor < 0) return;
  indent();
  out_ += '<';
  out_ += name;
  out_ += " Ccy=\"";
  out_ += info->code;
  out_ += "\">";
  out_ += money::format_amount(minor, info->exponent);
  out_ += "</";
  out_ += name;
  out_ += ">\n";
}

void XmlWriter::agent(std::string_view name, std::string_view bic, bool bic_2009,
                      std::string_view institution_name) {
  check(bic_2009 ? is_bic_2009(bic) : is_bic(bic), name,
        "'" + std::string(bic) + "' is not a valid BIC");
  open(name);
  open("FinInstnId");
  text(bic_2009 ? "BIC" : "BICFI", bic, 11);
  optional_text("Nm", institution_name, 140);
  close();
  close();
}

void XmlWriter::party_with_bic(std::string_view name, std::string_view party_name,
                               std::string_view bic, bool bic_2009) {
  check(bic_2009 ? is_bic_2009(bic) : is_bic(bic), name,
        "'" + std::string(bic) + "' is not a valid BIC");
  open(name);
  optional_text("Nm", party_name, 140);
  open("Id");
  open("OrgId");
  text(bic_2009 ? "BICOrBEI" : "AnyBIC", bic, 11);
  close();
  close();
  close();
}

void XmlWriter::date_choice(std::string_view name, std::string_view date) {
  check(is_iso_date(date), name, "'" + std::string(date) + "' is not a date (YYYY-MM-DD)");
  open(name);
  text("Dt", date, 35);
  close();
}

Result<std::string> XmlWriter::finish() {
  DELTRAN_ASSERT(stack_.empty() || error_, "unclosed elements");
  if (error_) return tl::unexpected(*error_);
  return std::move(out_);
}

bool is_code(std::string_view s, size_t max_chars) {
  if (s.empty() || s.size() > max_chars) return false;
  for (char c : s) {
    if (!upper(c) && !digit(c) && !(c >= 'a' && c <= 'z')) return false;
  }
  return true;
}

bool is_bic_2009(std::string_view s) {
  // [A-Z]{6,6}[A-Z2-9][A-NP-Z0-9]([A-Z0-9]{3,3}){0,1}
  if (s.size() != 8 && s.size() != 11) return false;
  for (size_t i = 0; i < 6; ++i) {
    if (!upper(s[i])) return false;
  }
  if (!(upper(s[6]) || (s[6] >= '2' && s[6] <= '9'))) return false;
  if (!((upper(s[7]) && s[7] != 'O') || digit(s[7]))) return false;
  for (size_t i = 8; i < s.size(); ++i) {
    if (!upper(s[i]) && !digit(s[i])) return false;
  }
  return true;
}

bool is_decimal_number(std::string_view s) {
  size_t dot = s.find('.');
  std::string_view whole = s.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) return false;
  for (char c : whole) {
    if (!digit(c)) return false;
  }
  for (char c : fraction) {
    if (!digit(c)) return false;
  }
  return fraction.size() <= 17 && whole.size() + fraction.size() <= 18;
}

bool is_max15_numeric(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  for (char c : s) {
    if (!digit(c)) return false;
  }
  return true;
}

}  // namespace deltran::iso20022
