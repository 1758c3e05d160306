#pragma once
// Sanctions and PEP lists as loaded: every entry keeps what a reviewer needs to explain a
// hit — the list it came from, the list's own id, its type, programmes and aliases.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deltran::compliance {

// Stable numbers: they are stored with review cases.
enum class ListKind : uint8_t { kSanctions = 1, kPep = 2 };
enum class EntryType : uint8_t { kUnknown = 0, kIndividual = 1, kEntity = 2, kVessel = 3, kAircraft = 4 };

std::string_view to_string(ListKind kind);
std::string_view to_string(EntryType type);
// "individual", "person" -> kIndividual; "entity", "organization", "company" -> kEntity;
// "vessel", "aircraft"; anything else (including "-0-" and "") -> kUnknown.
EntryType parse_entry_type(std::string_view text);

struct Alias {
  std::string name;
  // As published: OFAC "aka"/"fka"/"nka", UN "Good"/"Low"/"a.k.a.", "original script",
  // empty for the plain CSV.
  std::string quality;
  // Weak aliases (UN "Low" quality) are kept for explanation but not screened unless
  // the index settings ask for them: single words like "Musa" would hit half the world.
  bool weak = false;
};

struct ListEntry {
  std::string id;          // the list's own id: OFAC ent_num, UN DATAID, CSV id
  std::string name;        // primary name as published
  EntryType type = EntryType::kUnknown;
  std::vector<std::string> programs;  // OFAC programs, UN_LIST_TYPE, CSV program
  std::vector<Alias> aliases;
  std::string reference;   // UN REFERENCE_NUMBER; empty otherwise
  std::string title;       // OFAC Title ("Minister of Defence"); empty otherwise
  std::string remarks;     // OFAC Remarks, UN COMMENTS1
};

struct LoadStats {
  size_t rows = 0;          // records read
  size_t skipped = 0;       // malformed records skipped (wrong field count, no id or name)
  size_t aliases = 0;       // aliases attached
  size_t orphan_aliases = 0;  // aliases whose entry id was not in the list
  std::vector<std::string> warnings;  // at most a few, for the operator
};

struct Watchlist {
  std::string name;         // "ofac-sdn", "un-sc", "pep", or as configured
  ListKind kind = ListKind::kSanctions;
  std::string source;       // where it came from (the spec string or path)
  std::optional<double> threshold;  // per-list hit threshold; the index default if unset
  std::vector<ListEntry> entries;
  LoadStats stats;
};

}  // namespace deltran::compliance
