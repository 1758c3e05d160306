#include <deltran/iso20022/parser.hpp>

#include <algorithm>

#include "message_reader.hpp"
#include "xml_stream.hpp"

namespace deltran::iso20022 {

std::string_view to_string(MessageType type) {
  switch (type) {
    case MessageType::kPain001:
      return "pain.001";
    case MessageType::kPacs008:
      return "pacs.008";
  }
  return "unknown";
}

bool PostalAddress::empty() const {
  for (const std::string* f :
       {&care_of, &department, &sub_department, &street_name, &building_number, &building_name,
        &floor, &unit_number, &post_box, &room, &post_code, &town_name, &town_location_name,
        &district_name, &country_sub_division, &country}) {
    if (!f->empty()) return false;
  }
  return address_lines.empty();
}

std::string MessageHeader::sender_bic() const {
  if (app_header && !app_header->from_bic.empty()) return app_header->from_bic;
  return instructing_agent_bic;
}

size_t ParsedMessage::accepted_count() const {
  size_t n = 0;
  for (const auto& tx : transactions) n += tx.accepted() ? 1 : 0;
  return n;
}

Result<ParsedMessage> parse_message(std::string_view xml, const ParseOptions& options) {
  MessageReader reader(options, /*header_only=*/false);
  XmlStream stream(options.limits, reader);
  auto failure = stream.run(xml);
  return reader.finish(std::move(failure));
}

Result<MessageHeader> read_header(std::string_view xml, const Limits& limits) {
  ParseOptions options;
  options.limits = limits;
  MessageReader reader(options, /*header_only=*/true);
  XmlStream stream(limits, reader);
  auto failure = stream.run(xml);
  return reader.finish_header(std::move(failure));
}

Rejection rejection_of(const Error& error) {
  // "<code> at <path>: <text>" or "<code>: <text>", as written by to_error.
  std::string_view m = error.message;
  size_t space = m.find(' ');
  size_t colon = m.find(": ");
  std::string_view code = m.substr(0, std::min(space, colon));
  bool coded = code.size() == 4 && colon != std::string_view::npos;
  for (char c : code) coded = coded && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  if (!coded) return Rejection{std::string(reason::kInvalidFileFormat), "", error.message};
  if (m.substr(4, 4) == " at ") {
    size_t end = m.find(": ", 8);
    return Rejection{std::string(code), std::string(m.substr(8, end - 8)),
                     std::string(m.substr(end + 2))};
  }
  return Rejection{std::string(code), "", std::string(m.substr(colon + 2))};
}

}  // namespace deltran::iso20022
