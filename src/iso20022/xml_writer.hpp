#pragma once
// Writes the ISO 20022 XML this library emits: indented UTF-8, escaped text, and checks on
// every value (length in characters, valid UTF-8, no control characters, formats) so the
// output is valid by construction; the first failed check becomes the Error, naming the
// element by its path.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::iso20022 {

class XmlWriter {
 public:
  XmlWriter();
  void open(std::string_view name, std::string_view default_namespace = {});
  void close();
  // <name>value</name>, value 1..max_chars characters.
  void text(std::string_view name, std::string_view value, size_t max_chars);
  void optional_text(std::string_view name, std::string_view value, size_t max_chars) {
    if (!value.empty()) text(name, value, max_chars);
  }
  // text() after a check of the value (a failed check is recorded against `name`).
  void checked_text(std::string_view name, std::string_view value, size_t max_chars, bool ok,
                    std::string_view problem) {
    check(ok, name, problem);
    text(name, value, max_chars);
  }
  // <name Ccy="EUR">12.50</name> from minor units.
  void amount(std::string_view name, int64_t minor, std::string_view currency);
  // <name><FinInstnId><BICFI>…</BICFI>[<Nm>…</Nm>]</FinInstnId></name>; the 2009 schemas
  // say BIC.
  void agent(std::string_view name, std::string_view bic, bool bic_2009 = false,
             std::string_view institution_name = {});
  // A party named and identified by its BIC: <name>[<Nm>…</Nm>]<Id><OrgId><AnyBIC>…</AnyBIC>
  // </OrgId></Id></name>; the 2009 schemas say BICOrBEI.
  void party_with_bic(std::string_view name, std::string_view party_name, std::string_view bic,
                      bool bic_2009 = false);
  void date_choice(std::string_view name, std::string_view date);  // <name><Dt>…</Dt></name>
  // Records a failed check on `field` (a child of the current element) unless one is recorded.
  void check(bool ok, std::string_view field, std::string_view problem);
  bool ok() const { return !error_.has_value(); }
  [[nodiscard]] Result<std::string> finish();

 private:
  void indent();
  void escaped(std::string_view value);
  std::string path(std::string_view field) const;
  std::string out_;
  std::vector<std::string> stack_;
  std::optional<Error> error_;
};

// Checks shared by the emitters.
bool is_code(std::string_view s, size_t max_chars);  // 1..max letters or digits
bool is_bic_2009(std::string_view s);                // BICIdentifier of 2009 schemas
bool is_decimal_number(std::string_view s);          // DecimalNumber: 18 digits, 17 decimals
bool is_max15_numeric(std::string_view s);

}  // namespace deltran::iso20022
