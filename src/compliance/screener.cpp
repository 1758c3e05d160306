#include <deltran/compliance/screener.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>

#include <deltran/compliance/list_loader.hpp>
#include <deltran/core/metrics.hpp>
#include <deltran/core/text.hpp>

namespace deltran::compliance {
namespace {

std::string upper(std::string_view s) {
  std::string out;
  for (char c : s)
    if (c != ' ' && c != '\t') out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

using FileStamps = std::vector<std::pair<std::string, std::pair<uintmax_t, int64_t>>>;

// Size and modification time of each file a spec reads: what decides that a list is
// unchanged and need not be read again.
FileStamps stamps_of(const ListSpec& spec) {
  FileStamps out;
  for (const std::string& path : list_files(spec)) {
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(path, ec);
    if (ec) return {};
    const auto mtime = std::filesystem::last_write_time(path, ec);
    if (ec) return {};
    out.push_back({path, {size, static_cast<int64_t>(mtime.time_since_epoch().count())}});
  }
  return out;
}

// One field into the hash, then a separator, so ("ab", "c") and ("a", "bc") differ.
uint64_t fnv(uint64_t h, std::string_view s) { return fnv1a64(std::string_view("\x1f", 1), fnv1a64(s, h)); }

// What screening uses of an entry: a change here is a "changed" entry in the report.
uint64_t entry_hash(const ListEntry& e) {
  uint64_t h = fnv(kFnv1aOffset, e.name);
  h = fnv(h, to_string(e.type));
  for (const auto& p : e.programs) h = fnv(h, p);
  for (const auto& a : e.aliases) h = fnv(fnv(h, a.name), a.weak ? "w" : "s");
  return h;
}

std::map<std::string, uint64_t> entry_hashes(const Watchlist& list) {
  std::map<std::string, uint64_t> out;
  for (const ListEntry& e : list.entries) out[e.id] = entry_hash(e);
  return out;
}

std::string share_text(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f %%", share * 100.0);
  return buf;
}

}  // namespace

std::vector<std::string> report_lines(const ReloadReport& report) {
  std::vector<std::string> out;
  for (const ListReport& l : report.lists) {
    std::string line = "list " + l.name + " (" + l.source + "): " + std::to_string(l.entries) + " entries from " +
                       std::to_string(l.stats.rows) + " records, " + std::to_string(l.stats.skipped) +
                       " malformed, " + std::to_string(l.stats.aliases) + " aliases";
    if (l.stats.orphan_aliases > 0) line += ", " + std::to_string(l.stats.orphan_aliases) + " aliases of unknown entries";
    if (l.reused) line += "; files unchanged, not read again";
    else if (!l.first_load)
      line += "; since the last load " + std::to_string(l.added) + " added, " + std::to_string(l.removed) +
              " removed, " + std::to_string(l.changed) + " changed";
    out.push_back(std::move(line));
    for (const BadRow& b : l.stats.bad_rows)
      out.push_back("list " + l.name + ": malformed record skipped at " + (b.file.empty() ? "" : b.file + " ") +
                    "line " + std::to_string(b.line) + ": " + b.reason);
    if (l.stats.skipped > l.stats.bad_rows.size())
      out.push_back("list " + l.name + ": " + std::to_string(l.stats.skipped - l.stats.bad_rows.size()) +
                    " more malformed records not listed");
    for (const std::string& w : l.stats.warnings)
      if (w.find("line ") == std::string::npos) out.push_back("list " + l.name + ": " + w);
  }
  return out;
}

Screener::Screener(ScreenerSettings settings) : settings_(std::move(settings)) {
  for (std::string& c : settings_.sanctioned_countries) c = upper(c);
  std::sort(settings_.sanctioned_countries.begin(), settings_.sanctioned_countries.end());
}

void Screener::install(std::shared_ptr<const ScreeningIndex> index) { index_.store(std::move(index)); }

Result<ReloadReport> Screener::reload(const std::vector<std::string>& specs) {
  const auto t0 = std::chrono::steady_clock::now();
  std::lock_guard lock(reload_mutex_);
  auto fail = [&](Error e) -> Result<ReloadReport> {
    failed_reloads_.fetch_add(1);
    std::lock_guard published(report_mutex_);
    last_error_ = e.message;
    return tl::unexpected(std::move(e));
  };
  ReloadReport report;
  std::map<std::string, Loaded> next;
  bool changed = specs != last_specs_ || !index_.load();
  for (const std::string& text : specs) {
    auto spec = parse_list_spec(text);
    if (!spec) return fail(spec.error());
    ListReport r;
    r.source = text;
    FileStamps stamps = stamps_of(*spec);
    auto prev = loaded_.find(text);
    Loaded item;
    if (prev != loaded_.end() && !stamps.empty() && prev->second.files == stamps) {
      item = prev->second;  // unchanged files: the list as last read
      r.reused = true;
      r.first_load = false;
    } else {
      auto list = load_list(*spec);
      if (!list) return fail(list.error());
      if (list->stats.bad_share() > settings_.max_bad_row_share) {
        std::string where;
        for (const BadRow& b : list->stats.bad_rows) {
          if (where.size() > 200) break;
          where += (where.empty() ? "" : "; ") + (b.file.empty() ? "" : b.file + " ") + "line " +
                   std::to_string(b.line) + ": " + b.reason;
        }
        return fail(Error{ErrorCode::kInvalidArgument,
                          "list '" + list->name + "' (" + text + "): " + std::to_string(list->stats.skipped) + " of " +
                              std::to_string(list->stats.rows) + " records are malformed (" +
                              share_text(list->stats.bad_share()) + ", more than the " +
                              share_text(settings_.max_bad_row_share) + " allowed): " + where});
      }
      item.files = std::move(stamps);
      item.entry_hashes = entry_hashes(*list);
      item.list = std::move(*list);
      if (prev != loaded_.end()) {
        r.first_load = false;
        const auto& before = prev->second.entry_hashes;
        for (const auto& [id, h] : item.entry_hashes) {
          auto it = before.find(id);
          if (it == before.end()) ++r.added;
          else if (it->second != h) ++r.changed;
        }
        for (const auto& [id, h] : before)
          if (item.entry_hashes.count(id) == 0) ++r.removed;
        // The same entries, but a name or threshold set by the spec differs: rebuild.
        if (r.added + r.removed + r.changed > 0 || prev->second.list.threshold != item.list.threshold ||
            prev->second.list.block_threshold != item.list.block_threshold || prev->second.list.name != item.list.name)
          changed = true;
      } else {
        changed = true;
      }
    }
    r.name = item.list.name;
    r.kind = item.list.kind;
    r.entries = item.list.entries.size();
    r.stats = item.list.stats;
    report.lists.push_back(std::move(r));
    next[text] = std::move(item);
  }
  if (changed) {
    std::vector<Watchlist> lists;
    for (const std::string& text : specs) lists.push_back(next[text].list);
    auto index = ScreeningIndex::build(std::move(lists), settings_.index);
    if (!index) return fail(index.error());
    install(std::move(*index));
    report.installed = true;
  }
  const auto current = index_.load();
  if (current) {
    const IndexStats st = current->stats();
    report.entries = st.entries;
    report.names = st.names;
  }
  report.load_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  last_specs_ = specs;
  loaded_ = std::move(next);
  {
    std::lock_guard published(report_mutex_);
    last_report_ = report;
    last_error_.clear();
  }
  reloads_.fetch_add(1);
  return report;
}

ReloadReport Screener::last_report() const {
  std::lock_guard lock(report_mutex_);
  return last_report_;
}

std::string Screener::last_error() const {
  std::lock_guard lock(report_mutex_);
  return last_error_;
}

void Screener::render_metrics(std::string& out) const {
  std::lock_guard lock(report_mutex_);
  metrics::render_header(out, "screening_list_entries", "gauge", "Entries of each loaded sanctions or PEP list.");
  for (const auto& l : last_report_.lists)
    metrics::render_sample(out, "screening_list_entries", "list=\"" + l.name + "\"", static_cast<double>(l.entries));
  metrics::render_header(out, "screening_list_records", "gauge", "Records read from each list's files at its last load.");
  for (const auto& l : last_report_.lists)
    metrics::render_sample(out, "screening_list_records", "list=\"" + l.name + "\"", static_cast<double>(l.stats.rows));
  metrics::render_header(out, "screening_list_malformed_records", "gauge",
                         "Malformed records skipped at each list's last load.");
  for (const auto& l : last_report_.lists)
    metrics::render_sample(out, "screening_list_malformed_records", "list=\"" + l.name + "\"",
                           static_cast<double>(l.stats.skipped));
  metrics::render_header(out, "screening_lists_loaded", "gauge", "1 when names are screened against lists, 0 when only countries are.");
  metrics::render_sample(out, "screening_lists_loaded", "", index_.load() ? 1.0 : 0.0);
  metrics::render_header(out, "screening_list_loads_total", "counter", "List loads by outcome.");
  metrics::render_sample(out, "screening_list_loads_total", "outcome=\"ok\"", static_cast<double>(reloads_.load()));
  metrics::render_sample(out, "screening_list_loads_total", "outcome=\"failed\"", static_cast<double>(failed_reloads_.load()));
}

std::shared_ptr<const ScreeningIndex> Screener::index() const { return index_.load(); }

bool Screener::country_sanctioned(std::string_view country) const {
  const std::string c = upper(country);
  return !c.empty() && std::binary_search(settings_.sanctioned_countries.begin(),
                                          settings_.sanctioned_countries.end(), c);
}

ScreeningResult Screener::screen(std::string_view name, std::string_view country) const {
  ScreeningResult r;
  r.country = upper(country);
  r.country_hit = country_sanctioned(r.country);
  const std::shared_ptr<const ScreeningIndex> index = index_.load();
  r.lists_loaded = index != nullptr;
  if (index) r.hits = index->screen(name);
  for (const NameHit& h : r.hits) {
    if (h.list_kind == ListKind::kSanctions) r.sanctions_hit = true;
    else r.pep_hit = true;
    r.hit_blocks = r.hit_blocks || h.blocks;
  }
  return r;
}

}  // namespace deltran::compliance
