#pragma once
// Private: what the two XML list loaders (UN, EU) share — element and text helpers and the
// hardened parse of a downloaded list. Included only by un_loader.cpp and eu_loader.cpp, the
// library's only users of libxml2.
//
// Hostile input: the list is downloaded, so the parser runs with XML_PARSE_NONET (no
// network), without XML_PARSE_NOENT or XML_PARSE_DTDLOAD (no entity substitution, no
// external DTD), and any document carrying a DOCTYPE is refused before parsing, which also
// rules out internal entity bombs. libxml2's own limits (no XML_PARSE_HUGE) bound node depth
// and text size.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <deltran/core/result.hpp>

namespace deltran::compliance::detail {

// Element with this local name (libxml2 keeps any namespace prefix apart from n->name).
inline bool named(const xmlNode* n, const char* name) {
  return n != nullptr && n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

inline std::string trimmed(std::string_view s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

// The node's text, trimmed.
inline std::string text_of(const xmlNode* n) {
  std::unique_ptr<xmlChar, void (*)(void*)> c(xmlNodeGetContent(n), xmlFree);
  return c ? trimmed(reinterpret_cast<const char*>(c.get())) : std::string{};
}

using XmlDoc = std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)>;

// Parses a downloaded list with the hardening above; `what` names it in errors ("UN list
// XML"), `extra_options` adds parser options (XML_PARSE_BIG_LINES for long files).
inline Result<XmlDoc> parse_list_xml(std::string_view xml, std::string_view what, const char* url, int extra_options = 0) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  const std::string w(what);
  if (xml.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return make_error(ErrorCode::kInvalidArgument, w + " is empty");
  if (xml.find("<!DOCTYPE") != std::string_view::npos || xml.find("<!ENTITY") != std::string_view::npos)
    return make_error(ErrorCode::kInvalidArgument, w + " must not carry a DOCTYPE or entity declarations");
  if (xml.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return make_error(ErrorCode::kInvalidArgument, w + " is too large");
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) return make_error(ErrorCode::kInternal, "libxml2: cannot allocate a parser");
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA | extra_options;
  XmlDoc doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), url, nullptr, options), xmlFreeDoc);
  if (!doc) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    std::string msg = err != nullptr && err->message != nullptr ? trimmed(err->message) : "not well-formed";
    if (err != nullptr) msg += " (line " + std::to_string(err->line) + ")";
    return make_error(ErrorCode::kInvalidArgument, w + ": " + msg);
  }
  return doc;
}

}  // namespace deltran::compliance::detail
