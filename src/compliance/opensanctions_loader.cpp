// OpenSanctions "targets.simple.csv" (any dataset or collection), e.g.
//   https://data.opensanctions.org/datasets/latest/sanctions/targets.simple.csv
//   https://data.opensanctions.org/datasets/latest/eu_fsf/targets.simple.csv
// Written by zavod's SimpleCSVExporter with Python's csv.unix_dialect: every field quoted,
// LF line ends, a header row
//   id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,
//   emails,[program_ids,]dataset,first_seen,last_seen,last_change
// (program_ids is in current files, not in older ones). Multi-valued cells are themselves a
// one-row CSV with ';' as delimiter and minimal quoting: values are sorted, and one holding
// ';' or '"' is quoted inside the cell ("""A; B"";C" on disk is the two values `A; B`, `C`).
// `name` is the entity's caption; `aliases` is every other name-typed value (alias,
// previousName and also weakAlias — the file does not say which).
//
// Columns are found by header name (any order, case-insensitive); id, schema and name are
// required. A bad record is reported with the line it starts on (detail::read_csv_lines;
// a quoted line break inside a record makes it span lines) and its record number.
#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/compliance/list_loader.hpp>

#include "loader_util.hpp"

#include "csv_reader.hpp"

namespace deltran::compliance {

namespace {

using detail::ascii_lower;
using detail::name_key;
using detail::warn;

// One cell's values: ';'-separated, a value starting with '"' runs to the closing quote
// ("" inside is a quote). Trimmed; empty values dropped.
std::vector<std::string> split_multi(std::string_view cell) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= cell.size()) {
    while (i < cell.size() && (cell[i] == ' ' || cell[i] == '\t')) ++i;
    std::string value;
    if (i < cell.size() && cell[i] == '"') {
      ++i;
      while (i < cell.size()) {
        if (cell[i] == '"') {
          if (i + 1 < cell.size() && cell[i + 1] == '"') {
            value.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        value.push_back(cell[i++]);
      }
      // Anything between the closing quote and the next ';' is kept (a malformed cell).
      while (i < cell.size() && cell[i] != ';') value.push_back(cell[i++]);
    } else {
      while (i < cell.size() && cell[i] != ';') value.push_back(cell[i++]);
    }
    std::string v = detail::clean_field(value);
    if (!v.empty()) out.push_back(std::move(v));
    ++i;  // past the ';' (or the end)
  }
  return out;
}

std::vector<std::string> unique(std::vector<std::string> values) {
  std::vector<std::string> out;
  for (std::string& v : values)
    if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  return out;
}

// FollowTheMoney schema names.
EntryType schema_type(std::string_view schema) {
  const std::string s = ascii_lower(detail::clean_field(schema));
  if (s == "person") return EntryType::kIndividual;
  if (s == "organization" || s == "company" || s == "legalentity" || s == "publicbody") return EntryType::kEntity;
  if (s == "vessel") return EntryType::kVessel;
  if (s == "airplane") return EntryType::kAircraft;
  return EntryType::kUnknown;  // CryptoWallet, Security, ...
}

}  // namespace

Result<Watchlist> parse_opensanctions_csv(std::string_view csv) {
  Watchlist list;
  list.name = "opensanctions";
  list.kind = ListKind::kSanctions;
  std::map<std::string, size_t> col;  // lower-case header -> index
  size_t columns = 0;
  size_t record = 0;  // 1-based record number, the header is record 1
  bool header = true;
  std::string error;
  std::set<std::string> seen_ids;
  size_t c_id = 0, c_schema = 0, c_name = 0;
  auto find_col = [&](const char* name) -> const size_t* {
    auto it = col.find(name);
    return it == col.end() ? nullptr : &it->second;
  };
  const size_t* c_aliases = nullptr;
  const size_t* c_programs = nullptr;
  const size_t* c_dataset = nullptr;
  const size_t* c_sanctions = nullptr;

  detail::read_csv_lines(csv, [&](std::vector<std::string>& f, size_t line) {
    ++record;
    if (header) {
      header = false;
      columns = f.size();
      for (size_t i = 0; i < f.size(); ++i) col.emplace(ascii_lower(detail::clean_field(f[i])), i);
      for (const char* required : {"id", "schema", "name"}) {
        if (col.count(required) == 0) {
          error = std::string("OpenSanctions CSV header has no '") + required +
                  "' column (expected id,schema,name,aliases,...,program_ids,dataset,...)";
          return false;
        }
      }
      c_id = col["id"];
      c_schema = col["schema"];
      c_name = col["name"];
      c_aliases = find_col("aliases");
      c_programs = find_col("program_ids");
      c_dataset = find_col("dataset");
      c_sanctions = find_col("sanctions");
      return true;
    }
    ++list.stats.rows;
    auto bad = [&](const std::string& reason) {
      ++list.stats.skipped;
      const std::string why = "record " + std::to_string(record) + ": " + reason;
      warn(list.stats, "OpenSanctions CSV line " + std::to_string(line) + " (" + why + ")");
      list.stats.note_bad_row(line, why);
      return true;
    };
    if (f.size() != columns)
      return bad("has " + std::to_string(f.size()) + " fields, expected " + std::to_string(columns));
    ListEntry e;
    e.id = detail::clean_field(f[c_id]);
    e.name = detail::clean_field(f[c_name]);
    if (e.id.empty()) return bad("has no id");
    if (e.name.empty()) return bad("id " + e.id + " has no name");
    if (!seen_ids.insert(e.id).second) return bad("repeats id " + e.id);
    e.type = schema_type(f[c_schema]);
    if (c_aliases != nullptr) {
      std::vector<std::string> keys{name_key(e.name)};
      for (std::string& a : split_multi(f[*c_aliases])) {
        std::string key = name_key(a);
        if (std::find(keys.begin(), keys.end(), key) != keys.end()) continue;
        keys.push_back(std::move(key));
        e.aliases.push_back({std::move(a), "", false});
      }
    }
    if (c_programs != nullptr) e.programs = unique(split_multi(f[*c_programs]));
    if (e.programs.empty() && c_dataset != nullptr) e.programs = unique(split_multi(f[*c_dataset]));
    if (c_sanctions != nullptr) {
      for (const std::string& s : split_multi(f[*c_sanctions])) {
        if (!e.remarks.empty()) e.remarks += "; ";
        e.remarks += s;
      }
    }
    list.stats.aliases += e.aliases.size();
    list.entries.push_back(std::move(e));
    return true;
  });
  if (!error.empty()) return make_error(ErrorCode::kInvalidArgument, error);
  if (header) return make_error(ErrorCode::kInvalidArgument, "the OpenSanctions CSV is empty (no header)");
  return list;
}

Result<Watchlist> load_opensanctions_csv(const std::string& path) {
  return detail::load_with(path, "opensanctions-csv", parse_opensanctions_csv);
}

}  // namespace deltran::compliance
