// The EU Consolidated Financial Sanctions list ("FSF", xmlFullSanctionsList_1_1), parsed
// with libxml2. Published at
//   https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content?token=...
// Layout (schema_1_1.xsd, namespace http://eu.europa.ec/fpi/fsd/export):
//   <export generationDate=.. globalFileId=..>
//     <sanctionEntity logicalId=.. euReferenceNumber=.. unitedNationId=.. designationDetails=..
//                     designationDate=..>
//       <remark>..</remark>*  <regulation programme=.. numberTitle=.. ../>*
//       <subjectType code="person|enterprise" classificationCode="P|E"/>
//       <nameAlias firstName middleName lastName wholeName function gender title nameLanguage
//                  strong="true|false" regulationLanguage logicalId> [<remark>] </nameAlias>*
//       <citizenship/>* <birthdate/>* <address/>* <identification/>*
//     </sanctionEntity>*
//   </export>
// Everything is matched on local names, so the published (default-namespaced) file, a
// prefixed one and a namespace-free copy all load.
//
// Hostile input: the hardened parse of xml_list.hpp (shared with the UN list), plus
// XML_PARSE_BIG_LINES to keep line numbers past 65535 (the real file has several hundred
// thousand lines) for the bad-record report.
#include <algorithm>
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/compliance/list_loader.hpp>

#include "loader_util.hpp"
#include "xml_list.hpp"

namespace deltran::compliance {

namespace {

using detail::ascii_lower;
using detail::name_key;
using detail::warn;

using detail::named;
using detail::text_of;
using detail::trimmed;

// The trimmed value of the attribute with local name `name` (any namespace), or "".
std::string attr(const xmlNode* n, const char* name) {
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
    if (std::strcmp(reinterpret_cast<const char*>(a->name), name) != 0) continue;
    std::unique_ptr<xmlChar, void (*)(void*)> v(xmlNodeListGetString(n->doc, a->children, 1), xmlFree);
    return v ? trimmed(reinterpret_cast<const char*>(v.get())) : std::string{};
  }
  return {};
}

bool has_attr(const xmlNode* n, const char* name) {
  for (const xmlAttr* a = n->properties; a != nullptr; a = a->next)
    if (std::strcmp(reinterpret_cast<const char*>(a->name), name) == 0) return true;
  return false;
}

// The element's line. Past line 65535 (XML_PARSE_BIG_LINES) xmlGetLineNo answers with the
// line of a nearby text node - the element's first child, or the node after it - which
// libxml2 records where that text ends. For the whitespace between tags (the published
// file is indented, one element per line) step back over the text's line breaks, so the
// answer is where that whitespace starts: the line of the start tag.
size_t line_of(const xmlNode* n) {
  long line = xmlGetLineNo(n);
  const xmlNode* p = n;  // the node xmlGetLineNo reads the line from (same walk, same depth)
  for (int depth = 0; depth < 5 && p != nullptr && p->line == 65535 && p->type != XML_TEXT_NODE; ++depth)
    p = p->type == XML_ELEMENT_NODE && p->children != nullptr ? p->children : p->next != nullptr ? p->next : p->prev;
  if (p != nullptr && p != n && p->type == XML_TEXT_NODE && p->line == 65535 && p->content != nullptr) {
    long breaks = 0;
    bool blank = true;
    for (const xmlChar* c = p->content; *c != 0 && blank; ++c) {
      blank = *c == ' ' || *c == '\t' || *c == '\r' || *c == '\n';
      breaks += *c == '\n' ? 1 : 0;
    }
    if (blank && line - breaks >= 65535) line -= breaks;
  }
  return line > 0 ? static_cast<size_t>(line) : 0;
}

EntryType subject_type(const xmlNode* entity) {
  for (const xmlNode* c = entity->children; c != nullptr; c = c->next) {
    if (!named(c, "subjectType")) continue;
    const std::string code = ascii_lower(attr(c, "code"));
    if (code == "person") return EntryType::kIndividual;
    if (code == "enterprise") return EntryType::kEntity;
    if (code.empty()) {  // only the classification code: P(erson) / E(nterprise)
      const std::string cls = attr(c, "classificationCode");
      if (cls == "P") return EntryType::kIndividual;
      if (cls == "E") return EntryType::kEntity;
    }
    return EntryType::kUnknown;
  }
  return EntryType::kUnknown;
}

struct NameAlias {
  std::string name;
  std::string quality;  // "strong", "weak" or "" (no strong attribute)
  bool weak = false;
  std::string function;
};

NameAlias read_name_alias(const xmlNode* n) {
  NameAlias a;
  a.name = attr(n, "wholeName");
  if (a.name.empty()) {
    for (const char* part : {"firstName", "middleName", "lastName"}) {
      const std::string p = attr(n, part);
      if (p.empty()) continue;
      if (!a.name.empty()) a.name.push_back(' ');
      a.name += p;
    }
  }
  if (has_attr(n, "strong")) {
    const std::string strong = ascii_lower(attr(n, "strong"));
    a.weak = strong == "false";
    a.quality = a.weak ? "weak" : "strong";
  }
  // Some aliases are graded in a remark instead ("low quality alias"); OpenSanctions reads
  // these the same way.
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (!named(c, "remark")) continue;
    if (ascii_lower(text_of(c)).find("low quality") != std::string::npos) {
      a.weak = true;
      a.quality = "weak";
    }
  }
  a.function = attr(n, "function");
  return a;
}

void bad_entity(Watchlist& list, const xmlNode* n, const std::string& reason) {
  ++list.stats.skipped;
  const size_t line = line_of(n);
  warn(list.stats, "EU FSF sanctionEntity at line " + std::to_string(line) + ": " + reason);
  list.stats.note_bad_row(line, reason);
}

void read_entity(const xmlNode* n, Watchlist& list, std::set<std::string>& seen_ids) {
  ++list.stats.rows;
  ListEntry e;
  e.id = attr(n, "logicalId");
  e.reference = attr(n, "euReferenceNumber");
  e.type = subject_type(n);

  std::vector<std::string> keys;  // name_key of the name and of each alias kept
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (!named(c, "nameAlias")) continue;
    NameAlias a = read_name_alias(c);
    if (a.name.empty()) continue;  // placeholder aliases without any name part
    if (e.title.empty() && !a.function.empty()) e.title = a.function;
    const std::string key = name_key(a.name);
    if (e.name.empty()) {
      e.name = std::move(a.name);
      keys.push_back(key);
      continue;
    }
    bool duplicate = false;
    for (size_t i = 0; i < keys.size() && !duplicate; ++i) {
      if (keys[i] != key) continue;
      duplicate = true;
      // The same spelling listed again as strong makes the kept alias strong.
      if (i > 0 && !a.weak && e.aliases[i - 1].weak) {
        e.aliases[i - 1].weak = false;
        e.aliases[i - 1].quality = a.quality;
      }
    }
    if (duplicate) continue;
    keys.push_back(key);
    e.aliases.push_back({std::move(a.name), std::move(a.quality), a.weak});
  }

  if (e.id.empty()) return bad_entity(list, n, "no logicalId");
  if (e.name.empty()) return bad_entity(list, n, "logicalId " + e.id + " has no name");
  if (!seen_ids.insert(e.id).second) return bad_entity(list, n, "repeats logicalId " + e.id);

  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (named(c, "regulation")) {
      std::string programme = attr(c, "programme");
      if (!programme.empty() && std::find(e.programs.begin(), e.programs.end(), programme) == e.programs.end())
        e.programs.push_back(std::move(programme));
    } else if (named(c, "remark")) {
      const std::string remark = text_of(c);
      if (remark.empty()) continue;
      if (!e.remarks.empty()) e.remarks += "; ";
      e.remarks += remark;
    }
  }
  list.stats.aliases += e.aliases.size();
  list.entries.push_back(std::move(e));
}

// Depth-first over elements so wrappers (or their absence) do not matter; entities are not
// searched inside entities.
void walk(const xmlNode* n, Watchlist& list, std::set<std::string>& seen_ids) {
  for (; n != nullptr; n = n->next) {
    if (named(n, "sanctionEntity")) read_entity(n, list, seen_ids);
    else if (n->type == XML_ELEMENT_NODE) walk(n->children, list, seen_ids);
  }
}

}  // namespace

Result<Watchlist> parse_eu_xml(std::string_view xml) {
  auto doc = detail::parse_list_xml(xml, "EU list XML", "eu-fsf.xml", XML_PARSE_BIG_LINES);
  if (!doc) return tl::unexpected(doc.error());
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  if (root == nullptr || !named(root, "export")) {
    const std::string found = root != nullptr ? reinterpret_cast<const char*>(root->name) : "";
    return make_error(ErrorCode::kInvalidArgument,
                      "EU list XML: the root element must be export (EU FSF xmlFullSanctionsList_1_1), found <" +
                          found + ">");
  }
  Watchlist list;
  list.name = "eu-fsf";
  list.kind = ListKind::kSanctions;
  std::set<std::string> seen_ids;
  walk(root->children, list, seen_ids);
  return list;
}

Result<Watchlist> load_eu_xml(const std::string& path) { return detail::load_with(path, "eu-xml", parse_eu_xml); }

}  // namespace deltran::compliance
