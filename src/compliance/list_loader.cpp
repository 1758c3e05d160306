// OFAC CSV, plain CSV, spec strings and file reading. The UN XML parser lives in
// un_loader.cpp so only it includes libxml2.
#include <deltran/compliance/list_loader.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "csv_reader.hpp"
#include "loader_util.hpp"

namespace deltran::compliance {
namespace {

using detail::warn;

std::string lower(std::string_view s) { return detail::ascii_lower(s); }

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "SDGT] [IFSR" -> {"SDGT", "IFSR"}; "IRAN; SDGT" -> {"IRAN", "SDGT"}.
std::vector<std::string> split_programs(std::string_view text) {
  std::string s(text);
  for (char& c : s)
    if (c == '[' || c == ']' || c == ';') c = '\n';
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string part;
  while (std::getline(in, part)) {
    part = detail::clean_field(part);
    if (!part.empty() && std::find(out.begin(), out.end(), part) == out.end()) out.push_back(part);
  }
  return out;
}

std::vector<std::string> split_semicolons(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t end = std::min(text.find(';', start), text.size());
    std::string part = detail::clean_field(text.substr(start, end - start));
    if (!part.empty()) out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

}  // namespace

namespace detail {

Result<std::string> read_file(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) return make_error(ErrorCode::kNotFound, "cannot read list file '" + path + "': " + ec.message());
  if (size > kMaxListFileBytes)
    return make_error(ErrorCode::kInvalidArgument, "list file '" + path + "' is larger than the limit");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::kNotFound, "cannot open list file '" + path + "'");
  std::string data(static_cast<size_t>(size), '\0');
  in.read(data.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size)
    return make_error(ErrorCode::kUnavailable, "short read on list file '" + path + "'");
  return data;
}

}  // namespace detail

Result<Watchlist> parse_ofac_csv(std::string_view sdn_csv, std::string_view alt_csv) {
  Watchlist list;
  list.name = "ofac-sdn";
  list.kind = ListKind::kSanctions;
  std::map<std::string, size_t> by_id;
  auto bad = [&](const char* file, size_t line, std::string reason) {
    ++list.stats.skipped;
    warn(list.stats, std::string(file) + " line " + std::to_string(line) + ": " + reason);
    list.stats.note_bad_row(line, std::move(reason), file);
  };
  detail::read_csv_lines(sdn_csv, [&](std::vector<std::string>& f, size_t line) {
    ++list.stats.rows;
    if (f.size() != 12) {
      bad("sdn.csv", line, std::to_string(f.size()) + " fields, expected 12");
      return true;
    }
    ListEntry e;
    e.id = detail::clean_field(f[0]);
    e.name = detail::clean_field(f[1]);
    if (!all_digits(e.id) || e.name.empty()) {
      bad("sdn.csv", line, "no numeric ent_num or no name");
      return true;
    }
    const std::string type = detail::clean_field(f[2]);
    e.type = type.empty() ? EntryType::kEntity : parse_entry_type(type);  // OFAC: "-0-" = entity
    e.programs = split_programs(f[3]);
    e.title = detail::clean_field(f[4]);
    e.remarks = detail::clean_field(f[11]);
    if (by_id.count(e.id) > 0) {
      bad("sdn.csv", line, "repeats ent_num " + e.id);
      return true;
    }
    by_id.emplace(e.id, list.entries.size());
    list.entries.push_back(std::move(e));
    return true;
  });
  if (list.entries.empty() && !sdn_csv.empty())
    return make_error(ErrorCode::kInvalidArgument, "sdn.csv has no valid record (is it an OFAC SDN CSV?)");
  detail::read_csv_lines(alt_csv, [&](std::vector<std::string>& f, size_t line) {
    ++list.stats.rows;
    if (f.size() != 5) {
      bad("alt.csv", line, std::to_string(f.size()) + " fields, expected 5");
      return true;
    }
    const std::string id = detail::clean_field(f[0]);
    std::string name = detail::clean_field(f[3]);
    if (name.empty()) {
      bad("alt.csv", line, "no alt_name");
      return true;
    }
    auto it = by_id.find(id);
    if (it == by_id.end()) {
      ++list.stats.orphan_aliases;
      return true;
    }
    Alias a;
    a.name = std::move(name);
    a.quality = lower(detail::clean_field(f[2]));
    list.entries[it->second].aliases.push_back(std::move(a));
    ++list.stats.aliases;
    return true;
  });
  return list;
}

Result<Watchlist> load_ofac_csv(const std::string& sdn_path) {
  auto sdn = detail::read_file(sdn_path);
  if (!sdn) return tl::unexpected(sdn.error());
  const std::filesystem::path dir = std::filesystem::path(sdn_path).parent_path();
  std::string alt;
  bool have_alt = false;
  for (const char* name : {"alt.csv", "ALT.CSV", "Alt.csv"}) {
    const std::filesystem::path p = dir / name;
    std::error_code ec;
    if (!std::filesystem::exists(p, ec)) continue;
    auto data = detail::read_file(p.string());
    if (!data) return tl::unexpected(data.error());
    alt = std::move(*data);
    have_alt = true;
    break;
  }
  auto list = parse_ofac_csv(*sdn, alt);
  if (!list) return list;
  list->source = "ofac-csv:" + sdn_path;
  if (!have_alt) warn(list->stats, "no alt.csv beside " + sdn_path + ": loaded without aliases");
  return list;
}

Result<Watchlist> parse_csv_list(std::string_view csv, ListKind kind) {
  Watchlist list;
  list.kind = kind;
  list.name = kind == ListKind::kPep ? "pep" : "csv";
  int col_id = -1, col_name = -1, col_type = -1, col_program = -1, col_aliases = -1;
  bool header = true;
  std::map<std::string, bool> seen_ids;
  std::string error;
  auto bad = [&](size_t line, std::string reason) {
    ++list.stats.skipped;
    warn(list.stats, "line " + std::to_string(line) + ": " + reason);
    list.stats.note_bad_row(line, std::move(reason));
  };
  detail::read_csv_lines(csv, [&](std::vector<std::string>& f, size_t line) {
    if (header) {
      header = false;
      for (size_t i = 0; i < f.size(); ++i) {
        const std::string h = lower(detail::clean_field(f[i]));
        const int c = static_cast<int>(i);
        if (h == "id") col_id = c;
        else if (h == "name") col_name = c;
        else if (h == "type") col_type = c;
        else if (h == "program" || h == "programs") col_program = c;
        else if (h == "aliases" || h == "alias") col_aliases = c;
      }
      if (col_id < 0 || col_name < 0) {
        error = "the CSV list header must name the columns id and name (id,name,type,program,aliases)";
        return false;
      }
      return true;
    }
    ++list.stats.rows;
    auto get = [&](int col) -> std::string_view {
      return col >= 0 && static_cast<size_t>(col) < f.size() ? std::string_view(f[static_cast<size_t>(col)])
                                                              : std::string_view{};
    };
    ListEntry e;
    e.id = detail::clean_field(get(col_id));
    e.name = detail::clean_field(get(col_name));
    if (e.id.empty() || e.name.empty() || static_cast<size_t>(std::max(col_id, col_name)) >= f.size()) {
      bad(line, "no id or no name");
      return true;
    }
    if (seen_ids.count(e.id) > 0) {
      bad(line, "repeats id " + e.id);
      return true;
    }
    seen_ids[e.id] = true;
    e.type = parse_entry_type(get(col_type));
    e.programs = split_semicolons(get(col_program));
    for (std::string& a : split_semicolons(get(col_aliases))) {
      e.aliases.push_back({std::move(a), "", false});
      ++list.stats.aliases;
    }
    list.entries.push_back(std::move(e));
    return true;
  });
  if (!error.empty()) return make_error(ErrorCode::kInvalidArgument, error);
  if (header) return make_error(ErrorCode::kInvalidArgument, "the CSV list is empty (no header)");
  return list;
}

Result<Watchlist> load_csv_list(const std::string& path, ListKind kind) {
  auto list = detail::load_with(path, kind == ListKind::kPep ? "pep-csv" : "csv",
                                [kind](std::string_view text) { return parse_csv_list(text, kind); });
  if (list) list->name = kind == ListKind::kPep ? "pep" : std::filesystem::path(path).stem().string();
  return list;
}

Result<Watchlist> load_un_xml(const std::string& path) { return detail::load_with(path, "un-xml", parse_un_xml); }

Result<ListSpec> parse_list_spec(std::string_view spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos)
    return make_error(ErrorCode::kInvalidArgument,
                      "list spec '" + std::string(spec) +
                          "' must be FORMAT:PATH (ofac-csv, un-xml, eu-xml, opensanctions-csv, csv, pep-csv)");
  const std::string format = lower(spec.substr(0, colon));
  std::string_view rest = spec.substr(colon + 1);
  ListSpec out;
  if (format == "ofac-csv") out.format = ListFormat::kOfacCsv;
  else if (format == "un-xml") out.format = ListFormat::kUnXml;
  else if (format == "eu-xml") out.format = ListFormat::kEuXml;
  else if (format == "opensanctions-csv" || format == "opensanctions") out.format = ListFormat::kOpenSanctionsCsv;
  else if (format == "csv") out.format = ListFormat::kCsv;
  else if (format == "pep-csv" || format == "pep") {
    out.format = ListFormat::kCsv;
    out.kind = ListKind::kPep;
  } else {
    return make_error(ErrorCode::kInvalidArgument, "unknown list format '" + format +
                                                       "' (ofac-csv, un-xml, eu-xml, opensanctions-csv, csv, pep-csv)");
  }
  const size_t q = rest.find('?');
  out.path = std::string(rest.substr(0, q));
  if (out.path.empty()) return make_error(ErrorCode::kInvalidArgument, "list spec '" + std::string(spec) + "' has no path");
  if (q != std::string_view::npos) {
    std::string_view params = rest.substr(q + 1);
    while (!params.empty()) {
      const size_t amp = params.find('&');
      const std::string_view kv = params.substr(0, amp);
      params = amp == std::string_view::npos ? std::string_view{} : params.substr(amp + 1);
      const size_t eq = kv.find('=');
      const std::string key = lower(kv.substr(0, eq));
      const std::string_view value = eq == std::string_view::npos ? std::string_view{} : kv.substr(eq + 1);
      if (key == "name" && !value.empty()) {
        out.name = std::string(value);
      } else if (key == "threshold" || key == "review" || key == "block") {
        double t = 0;
        const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
        if (ec != std::errc() || p != value.data() + value.size() || !(t > 0.0 && t <= 1.0))
          return make_error(ErrorCode::kInvalidArgument, "list " + key + " must be a number in (0, 1]: '" +
                                                             std::string(value) + "'");
        (key == "block" ? out.block : out.threshold) = t;
      } else if (key == "pep") {
        if (value == "true" || value == "1") out.kind = ListKind::kPep;
        else if (value == "false" || value == "0") out.kind = ListKind::kSanctions;
        else return make_error(ErrorCode::kInvalidArgument, "list pep must be true or false");
      } else {
        return make_error(ErrorCode::kInvalidArgument, "unknown list spec parameter '" + std::string(kv) + "'");
      }
    }
  }
  if (out.block && out.threshold && *out.block < *out.threshold)
    return make_error(ErrorCode::kInvalidArgument, "list spec '" + std::string(spec) + "': block is below threshold");
  return out;
}

std::vector<std::string> list_files(const ListSpec& spec) {
  std::vector<std::string> out{spec.path};
  if (spec.format == ListFormat::kOfacCsv) {
    const std::filesystem::path dir = std::filesystem::path(spec.path).parent_path();
    for (const char* name : {"alt.csv", "ALT.CSV", "Alt.csv"}) {
      std::error_code ec;
      if (std::filesystem::exists(dir / name, ec)) {
        out.push_back((dir / name).string());
        break;
      }
    }
  }
  return out;
}

Result<Watchlist> load_list(const ListSpec& spec) {
  Result<Watchlist> list = [&]() -> Result<Watchlist> {
    switch (spec.format) {
      case ListFormat::kOfacCsv: return load_ofac_csv(spec.path);
      case ListFormat::kUnXml: return load_un_xml(spec.path);
      case ListFormat::kEuXml: return load_eu_xml(spec.path);
      case ListFormat::kOpenSanctionsCsv: return load_opensanctions_csv(spec.path);
      case ListFormat::kCsv: break;
    }
    return load_csv_list(spec.path, spec.kind);
  }();
  if (!list) return list;
  list->kind = spec.kind;
  if (!spec.name.empty()) list->name = spec.name;
  list->threshold = spec.threshold;
  list->block_threshold = spec.block;
  return list;
}

Result<std::vector<Watchlist>> load_lists(const std::vector<std::string>& specs) {
  std::vector<Watchlist> out;
  for (const std::string& s : specs) {
    auto spec = parse_list_spec(s);
    if (!spec) return tl::unexpected(spec.error());
    auto list = load_list(*spec);
    if (!list) return tl::unexpected(list.error());
    out.push_back(std::move(*list));
  }
  return out;
}

}  // namespace deltran::compliance
