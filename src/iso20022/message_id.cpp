#include "message_id.hpp"

#include <cstdio>

namespace deltran::iso20022 {
namespace {

bool lower(char c) { return c >= 'a' && c <= 'z'; }
bool digit(char c) { return c >= '0' && c <= '9'; }

int number_at(std::string_view s, size_t at, size_t count) {
  int v = 0;
  for (size_t i = at; i < at + count; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

constexpr size_t kIdLength = 15;  // aaaa.nnn.nnn.nn

bool id_shape(std::string_view s) {
  if (s.size() != kIdLength) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    bool ok = i < 4 ? lower(s[i]) : (i == 4 || i == 8 || i == 12) ? s[i] == '.' : digit(s[i]);
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string MessageId::text() const {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%s.%03d.%03d.%02d", area.c_str(), number, variant, version);
  return buf;
}

std::optional<MessageId> parse_message_id(std::string_view text) {
  if (!id_shape(text)) return std::nullopt;
  return MessageId{std::string(text.substr(0, 4)), number_at(text, 5, 3), number_at(text, 9, 3),
                   number_at(text, 13, 2)};
}

std::optional<NamespaceInfo> classify_namespace(std::string_view ns) {
  if (ns.starts_with(kIsoNamespacePrefix)) {
    auto id = parse_message_id(ns.substr(kIsoNamespacePrefix.size()));
    if (!id) return std::nullopt;
    return NamespaceInfo{*id, false};
  }
  if (ns.size() > 2048) return std::nullopt;
  for (size_t at = 0; at + kIdLength <= ns.size(); ++at) {
    std::string_view candidate = ns.substr(at, kIdLength);
    bool starts_word = at == 0 || !lower(ns[at - 1]);
    bool ends_word = at + kIdLength == ns.size() || ns[at + kIdLength] == '.';
    if (!starts_word || !ends_word || !id_shape(candidate)) continue;
    return NamespaceInfo{*parse_message_id(candidate), true};
  }
  return std::nullopt;
}

}  // namespace deltran::iso20022
