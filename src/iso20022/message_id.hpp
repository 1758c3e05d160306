#pragma once
// ISO 20022 message identifiers ("pacs.008.001.08") and the namespaces that carry them.
#include <optional>
#include <string>
#include <string_view>

namespace deltran::iso20022 {

inline constexpr std::string_view kIsoNamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:";

struct MessageId {
  std::string area;          // "pacs"
  int number = 0;            // 8
  int variant = 0;           // 1
  int version = 0;           // 8
  std::string text() const;  // "pacs.008.001.08"
};

// Parses exactly "aaaa.nnn.nnn.nn".
std::optional<MessageId> parse_message_id(std::string_view text);

struct NamespaceInfo {
  MessageId base;
  bool national = false;  // not the ISO namespace: a profile that embeds the base id
};

// The ISO namespace "urn:iso:std:iso:20022:tech:xsd:<id>", or any other namespace that
// contains "<id>" followed by "." or its end (SIX ".../pain.001.001.03.ch.02.xsd").
std::optional<NamespaceInfo> classify_namespace(std::string_view ns);

}  // namespace deltran::iso20022
