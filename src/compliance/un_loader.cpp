// The UN Security Council consolidated list (XML), parsed with libxml2. The only file of
// the library that includes libxml2 headers.
//
// Hostile input: the list is downloaded, so the parser runs with XML_PARSE_NONET (no
// network), without XML_PARSE_NOENT or XML_PARSE_DTDLOAD (no entity substitution, no
// external DTD), and any document carrying a DOCTYPE is refused before parsing, which
// also rules out internal entity bombs. libxml2's own limits (no XML_PARSE_HUGE) bound
// node depth and text size.
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include <deltran/compliance/list_loader.hpp>

namespace deltran::compliance {
namespace {

bool named(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

std::string trimmed(std::string s) {
  const char* ws = " \t\r\n";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string::npos) return {};
  const size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::string text_of(const xmlNode* n) {
  std::unique_ptr<xmlChar, void (*)(void*)> c(xmlNodeGetContent(n), xmlFree);
  return c ? trimmed(reinterpret_cast<const char*>(c.get())) : std::string{};
}

// The text of the first child element called `name`, or "".
std::string child_text(const xmlNode* parent, const char* name) {
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (named(c, name)) return text_of(c);
  return {};
}

void add_alias(ListEntry& e, const xmlNode* alias_node, LoadStats& stats) {
  std::string name = child_text(alias_node, "ALIAS_NAME");
  if (name.empty()) return;  // the list has many empty <INDIVIDUAL_ALIAS> placeholders
  Alias a;
  a.name = std::move(name);
  a.quality = child_text(alias_node, "QUALITY");
  std::string q = a.quality;
  for (char& ch : q) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  a.weak = q == "low";
  e.aliases.push_back(std::move(a));
  ++stats.aliases;
}

void read_record(const xmlNode* n, bool individual, Watchlist& list) {
  ++list.stats.rows;
  ListEntry e;
  e.type = individual ? EntryType::kIndividual : EntryType::kEntity;
  e.id = child_text(n, "DATAID");
  e.reference = child_text(n, "REFERENCE_NUMBER");
  if (e.id.empty()) e.id = e.reference;
  if (individual) {
    for (const char* part : {"FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"}) {
      const std::string p = child_text(n, part);
      if (p.empty()) continue;
      if (!e.name.empty()) e.name.push_back(' ');
      e.name += p;
    }
  } else {
    e.name = child_text(n, "FIRST_NAME");
  }
  if (e.id.empty() || e.name.empty()) {
    ++list.stats.skipped;
    const size_t line = static_cast<size_t>(std::max(0L, xmlGetLineNo(n)));
    if (list.stats.warnings.size() < 5)
      list.stats.warnings.push_back("UN record " + std::to_string(list.stats.rows) + " (line " + std::to_string(line) +
                                    ") has no DATAID or name");
    list.stats.note_bad_row(line, e.id.empty() ? "no DATAID or REFERENCE_NUMBER" : "no name");
    return;
  }
  const std::string program = child_text(n, "UN_LIST_TYPE");
  if (!program.empty()) e.programs.push_back(program);
  e.remarks = child_text(n, "COMMENTS1");
  const char* alias_tag = individual ? "INDIVIDUAL_ALIAS" : "ENTITY_ALIAS";
  for (const xmlNode* c = n->children; c != nullptr; c = c->next)
    if (named(c, alias_tag)) add_alias(e, c, list.stats);
  const std::string original = child_text(n, "NAME_ORIGINAL_SCRIPT");
  if (!original.empty()) {
    e.aliases.push_back({original, "original script", false});
    ++list.stats.aliases;
  }
  list.entries.push_back(std::move(e));
}

// Depth-first over elements, so INDIVIDUALS/ENTITIES wrappers (or their absence) do not
// matter; records are not searched inside records.
void walk(const xmlNode* n, Watchlist& list) {
  for (; n != nullptr; n = n->next) {
    if (named(n, "INDIVIDUAL")) read_record(n, true, list);
    else if (named(n, "ENTITY")) read_record(n, false, list);
    else if (n->type == XML_ELEMENT_NODE) walk(n->children, list);
  }
}

}  // namespace

Result<Watchlist> parse_un_xml(std::string_view xml) {
  static std::once_flag init;
  std::call_once(init, [] { xmlInitParser(); });
  if (xml.find("<!DOCTYPE") != std::string_view::npos || xml.find("<!ENTITY") != std::string_view::npos)
    return make_error(ErrorCode::kInvalidArgument, "UN list XML must not carry a DOCTYPE or entity declarations");
  if (xml.size() > static_cast<size_t>(std::numeric_limits<int>::max()))
    return make_error(ErrorCode::kInvalidArgument, "UN list XML is too large");
  std::unique_ptr<xmlParserCtxt, void (*)(xmlParserCtxtPtr)> ctxt(xmlNewParserCtxt(), xmlFreeParserCtxt);
  if (!ctxt) return make_error(ErrorCode::kInternal, "libxml2: cannot allocate a parser");
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  std::unique_ptr<xmlDoc, void (*)(xmlDocPtr)> doc(
      xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), "un-consolidated.xml", nullptr, options),
      xmlFreeDoc);
  if (!doc) {
    const xmlError* err = xmlCtxtGetLastError(ctxt.get());
    std::string msg = err != nullptr && err->message != nullptr ? trimmed(err->message) : "not well-formed";
    if (err != nullptr) msg += " (line " + std::to_string(err->line) + ")";
    return make_error(ErrorCode::kInvalidArgument, "UN list XML: " + msg);
  }
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr || !named(root, "CONSOLIDATED_LIST"))
    return make_error(ErrorCode::kInvalidArgument, "UN list XML: the root element must be CONSOLIDATED_LIST");
  Watchlist list;
  list.name = "un-sc";
  list.kind = ListKind::kSanctions;
  walk(root->children, list);
  return list;
}

}  // namespace deltran::compliance
