#pragma once
// Loading sanctions and PEP lists from their published files.
//
// Spec strings (configuration): FORMAT:PATH[?name=NAME&threshold=0.85&block=0.92]
//   ofac-csv:/data/sdn.csv     OFAC SDN legacy CSV; alt.csv beside it supplies aliases
//   un-xml:/data/consolidated.xml   UN Security Council consolidated list
//   eu-xml:/data/eu.xml        EU consolidated financial sanctions list (FSF XML 1.1)
//   opensanctions-csv:/data/targets.simple.csv   OpenSanctions' simplified CSV export
//   csv:/data/inhouse.csv      plain CSV "id,name,type,program,aliases" (sanctions)
//   pep-csv:/data/pep.csv      the same CSV format, as a PEP list (hits flag, never block)
// threshold: a score at or above is a hit (review); block: a hit at or above blocks
// (default: every sanctions hit blocks, no PEP hit does). pep=true makes any format a PEP
// list.
// A bad file is an error (InvalidArgument, NotFound), never a crash: a malformed record is
// skipped and counted in Watchlist::stats.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/compliance/watchlist.hpp>
#include <deltran/core/result.hpp>

namespace deltran::compliance {

// Files larger than this are refused: the UN list is ~2 MB, OFAC's sdn.csv ~5 MB.
inline constexpr size_t kMaxListFileBytes = 256u << 20;

// OFAC SDN: sdn.csv (ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
// Tonnage, GRT, Vess_flag, Vess_owner, Remarks) and alt.csv (ent_num, alt_num, alt_type,
// alt_name, alt_remarks); no header row, "-0-" for empty. SDN_Type "-0-" is an entity.
// Programs "SDGT] [IFSR" are split into SDGT and IFSR. `alt_csv` may be empty.
[[nodiscard]] Result<Watchlist> parse_ofac_csv(std::string_view sdn_csv, std::string_view alt_csv);
// Reads `sdn_path` and, if present, alt.csv (or ALT.CSV) in the same directory.
[[nodiscard]] Result<Watchlist> load_ofac_csv(const std::string& sdn_path);

// UN consolidated list: INDIVIDUAL (FIRST_NAME .. FOURTH_NAME joined) and ENTITY
// (FIRST_NAME) elements with DATAID, REFERENCE_NUMBER, UN_LIST_TYPE, COMMENTS1,
// INDIVIDUAL_ALIAS / ENTITY_ALIAS (ALIAS_NAME, QUALITY; "Low" quality is weak) and
// NAME_ORIGINAL_SCRIPT (an alias of quality "original script"). Parsed by libxml2 without
// network access or entity expansion; a document with a DOCTYPE is refused.
[[nodiscard]] Result<Watchlist> parse_un_xml(std::string_view xml);
[[nodiscard]] Result<Watchlist> load_un_xml(const std::string& path);

// Plain CSV with a header naming at least `id` and `name`, optionally `type`, `program`
// and `aliases` (any order, case-insensitive); aliases and programs separated by ';'.
[[nodiscard]] Result<Watchlist> parse_csv_list(std::string_view csv, ListKind kind);
[[nodiscard]] Result<Watchlist> load_csv_list(const std::string& path, ListKind kind);

// EU consolidated financial sanctions list (the FSF "xmlFullSanctionsList_1_1" export):
// one sanctionEntity per entry, id = logicalId, nameAlias wholeName (or first / middle /
// last name) as names, strong="false" aliases weak, regulation programme as programs.
[[nodiscard]] Result<Watchlist> parse_eu_xml(std::string_view xml);
[[nodiscard]] Result<Watchlist> load_eu_xml(const std::string& path);

// OpenSanctions targets.simple.csv: header with at least id, schema and name; aliases
// ';'-separated; schema Person / Organization / Company / LegalEntity / Vessel / Airplane.
[[nodiscard]] Result<Watchlist> parse_opensanctions_csv(std::string_view csv);
[[nodiscard]] Result<Watchlist> load_opensanctions_csv(const std::string& path);

enum class ListFormat : uint8_t { kOfacCsv = 1, kUnXml = 2, kCsv = 3, kEuXml = 4, kOpenSanctionsCsv = 5 };

struct ListSpec {
  ListFormat format = ListFormat::kCsv;
  ListKind kind = ListKind::kSanctions;
  std::string path;
  std::string name;                 // default: ofac-sdn, un-sc, the file's stem, pep
  std::optional<double> threshold;  // overrides the index default for this list
  std::optional<double> block;      // block threshold (Watchlist::block_threshold)
};

[[nodiscard]] Result<ListSpec> parse_list_spec(std::string_view spec);
// The files a spec reads (OFAC: sdn.csv and the alt.csv beside it, if present).
std::vector<std::string> list_files(const ListSpec& spec);
// Loads the file a spec names and applies the spec's name and threshold.
[[nodiscard]] Result<Watchlist> load_list(const ListSpec& spec);
[[nodiscard]] Result<std::vector<Watchlist>> load_lists(const std::vector<std::string>& specs);

}  // namespace deltran::compliance
