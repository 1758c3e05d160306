// The UN Security Council consolidated list (XML), parsed with libxml2 through the hardened
// parse in xml_list.hpp (shared with the EU list).
#include <algorithm>
#include <map>

#include <deltran/compliance/list_loader.hpp>

#include "xml_list.hpp"

namespace deltran::compliance {
namespace {

using detail::named;
using detail::text_of;
using detail::trimmed;

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
  auto doc = detail::parse_list_xml(xml, "UN list XML", "un-consolidated.xml");
  if (!doc) return tl::unexpected(doc.error());
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (root == nullptr || !named(root, "CONSOLIDATED_LIST"))
    return make_error(ErrorCode::kInvalidArgument, "UN list XML: the root element must be CONSOLIDATED_LIST");
  Watchlist list;
  list.name = "un-sc";
  list.kind = ListKind::kSanctions;
  walk(root->children, list);
  return list;
}

}  // namespace deltran::compliance
