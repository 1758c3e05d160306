#pragma once
// The screening facade the engine calls: names against the current index, countries
// against the sanctioned-country list. Stateless per call and thread-safe: the index is
// held in an atomic shared pointer, so reload() builds a new index off to the side and
// swaps it in while screening threads keep the one they already hold.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/compliance/screening_index.hpp>
#include <deltran/core/jurisdictions.hpp>
#include <deltran/core/result.hpp>

namespace deltran::compliance {

struct ScreenerSettings {
  // ISO 3166-1 alpha-2 codes whose parties are blocked outright (ORIGINAL_RULES.md).
  std::vector<std::string> sanctioned_countries = deltran::sanctioned_countries();
  IndexSettings index;
  // A list with more malformed records than this share of its records is refused (the
  // previous index stays): a truncated or mis-formatted download must not silently shrink
  // the list. 0 refuses any bad record; 1 accepts everything.
  double max_bad_row_share = 0.01;
};

// What a load did to one list: its counts, the first malformed records with their lines,
// and what changed against the previous load of the same spec.
struct ListReport {
  std::string name;
  std::string source;          // the spec string
  ListKind kind = ListKind::kSanctions;
  size_t entries = 0;
  LoadStats stats;
  bool reused = false;         // its files were unchanged: not read again
  bool first_load = true;      // no previous load of this spec to compare with
  size_t added = 0, removed = 0, changed = 0;  // entries, by the list's own id
};

struct ReloadReport {
  std::vector<ListReport> lists;
  bool installed = false;      // a new index was built and swapped in (false: nothing changed)
  size_t entries = 0, names = 0;
  int64_t load_ms = 0;
};

struct ScreeningResult {
  bool sanctions_hit = false;  // a hit on a sanctions list
  bool pep_hit = false;        // a hit on a PEP list
  bool hit_blocks = false;     // a hit at or above its list's block threshold
  bool country_hit = false;    // the party's country is sanctioned
  bool lists_loaded = false;   // names were screened (false: countries only)
  std::string country;         // upper-cased as checked
  std::vector<NameHit> hits;   // sanctions and PEP hits, best first

  // A payment with a blocked party is rejected (ISO 20022 RR04); any other hit (a PEP, a
  // sanctions score in a list's review band) holds it for a compliance officer.
  bool blocked() const { return hit_blocks || country_hit; }
  bool review() const { return !blocked() && !hits.empty(); }
};

// Lines for the operator's log: one per list (counts, changes) and one per malformed
// record kept (file, line, reason). Warnings of the loaders follow their list.
std::vector<std::string> report_lines(const ReloadReport& report);

class Screener {
 public:
  explicit Screener(ScreenerSettings settings = {});

  // Installs an index built elsewhere (atomic; screening in flight is unaffected).
  void install(std::shared_ptr<const ScreeningIndex> index);
  // Loads the lists named by spec strings (list_loader.hpp), builds an index and installs
  // it. On any error — a file missing or unreadable, a list with no valid record, more bad
  // records than max_bad_row_share — the current index stays in place and the error is
  // returned. A delta reload: a list whose files (size and modification time) did not change
  // since the last load is not read again, each list's entries are compared by id with the
  // previous load (added / removed / changed), and when nothing changed at all the current
  // index is kept. The index itself is rebuilt whole when anything changed (about 0.5 s
  // for 20,000 entries) and swapped in at once.
  [[nodiscard]] Result<ReloadReport> reload(const std::vector<std::string>& specs);
  std::shared_ptr<const ScreeningIndex> index() const;
  bool has_lists() const { return index() != nullptr; }

  // The last successful load's report, and the number of loads that failed since start.
  ReloadReport last_report() const;
  uint64_t failed_reloads() const { return failed_reloads_.load(); }
  std::string last_error() const;
  // Prometheus text: entries, malformed records and reload outcomes per list.
  void render_metrics(std::string& out) const;

  // `country` is an ISO 3166-1 alpha-2 code (any case) or empty when unknown. With no
  // index installed only the country is checked.
  ScreeningResult screen(std::string_view name, std::string_view country = {}) const;
  bool country_sanctioned(std::string_view country) const;

  const ScreenerSettings& settings() const { return settings_; }

 private:
  // What the last successful load read, kept for the next delta reload.
  struct Loaded {
    std::vector<std::pair<std::string, std::pair<uintmax_t, int64_t>>> files;  // path -> (size, mtime ns)
    Watchlist list;
    std::map<std::string, uint64_t> entry_hashes;  // id -> hash of what screening uses
  };

  ScreenerSettings settings_;
  std::atomic<std::shared_ptr<const ScreeningIndex>> index_;
  std::mutex reload_mutex_;  // one reload at a time; guards last_specs_ and loaded_
  std::vector<std::string> last_specs_;
  std::map<std::string, Loaded> loaded_;  // by spec string
  // Held only to read or publish the outcome, never during a load: /metrics reads it on an
  // I/O thread while a reload may take seconds.
  mutable std::mutex report_mutex_;
  ReloadReport last_report_;
  std::string last_error_;
  std::atomic<uint64_t> failed_reloads_{0};
  std::atomic<uint64_t> reloads_{0};
};

}  // namespace deltran::compliance
