// Names of the list enums and the entry-type parser shared by the loaders.
#include <deltran/compliance/watchlist.hpp>

#include <cctype>

namespace deltran::compliance {
namespace {

std::string trim_lower(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  std::string out(s.substr(b, e - b));
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

void LoadStats::note_bad_row(size_t line, std::string reason, std::string file) {
  if (bad_rows.size() < kMaxBadRowsKept) bad_rows.push_back({std::move(file), line, std::move(reason)});
}

std::string_view to_string(ListKind kind) {
  switch (kind) {
    case ListKind::kSanctions: return "sanctions";
    case ListKind::kPep: return "pep";
  }
  return "sanctions";
}

std::string_view to_string(EntryType type) {
  switch (type) {
    case EntryType::kUnknown: return "unknown";
    case EntryType::kIndividual: return "individual";
    case EntryType::kEntity: return "entity";
    case EntryType::kVessel: return "vessel";
    case EntryType::kAircraft: return "aircraft";
  }
  return "unknown";
}

EntryType parse_entry_type(std::string_view text) {
  const std::string t = trim_lower(text);
  if (t == "individual" || t == "person" || t == "natural person") return EntryType::kIndividual;
  if (t == "entity" || t == "organization" || t == "organisation" || t == "company") return EntryType::kEntity;
  if (t == "vessel") return EntryType::kVessel;
  if (t == "aircraft") return EntryType::kAircraft;
  return EntryType::kUnknown;
}

}  // namespace deltran::compliance
