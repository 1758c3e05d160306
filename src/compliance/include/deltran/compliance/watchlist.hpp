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

// A malformed record that was skipped: where it is and why, for the operator to fix.
struct BadRow {
  std::string file;   // "sdn.csv", "alt.csv", or empty for a single-file list
  size_t line = 0;    // 1-based line (XML: the element's line) where the record starts
  std::string reason;
};

// The first bad rows are kept with their lines; the count covers all of them.
inline constexpr size_t kMaxBadRowsKept = 20;

struct LoadStats {
  size_t rows = 0;          // records read (OFAC: sdn.csv and alt.csv records)
  size_t skipped = 0;       // malformed records skipped (wrong field count, no id or name)
  size_t aliases = 0;       // aliases attached
  size_t orphan_aliases = 0;  // aliases whose entry id was not in the list
  std::vector<BadRow> bad_rows;       // the first kMaxBadRowsKept skipped records
  std::vector<std::string> warnings;  // at most a few, for the operator

  // Records a skipped record's place and reason (the caller counts it in `skipped`).
  void note_bad_row(size_t line, std::string reason, std::string file = {});
  // skipped / rows, 0 for an empty list.
  double bad_share() const { return rows == 0 ? 0.0 : static_cast<double>(skipped) / static_cast<double>(rows); }
};


struct Watchlist {
  std::string name;         // "ofac-sdn", "un-sc", "pep", or as configured
  ListKind kind = ListKind::kSanctions;
  std::string source;       // where it came from (the spec string or path)
  // The decision bands for hits on this list. A score at or above `threshold` is a hit;
  // a hit at or above `block_threshold` blocks the payment, a hit below it holds the
  // payment for a compliance officer (review). Unset threshold: the index default. Unset
  // block_threshold: every hit on a sanctions list blocks, no hit on a PEP list does.
  std::optional<double> threshold;
  std::optional<double> block_threshold;
  std::vector<ListEntry> entries;
  LoadStats stats;
};

}  // namespace deltran::compliance
