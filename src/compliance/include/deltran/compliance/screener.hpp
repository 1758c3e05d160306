#pragma once
// The screening facade the engine calls: names against the current index, countries
// against the sanctioned-country list. Stateless per call and thread-safe: the index is
// held in an atomic shared pointer, so reload() builds a new index off to the side and
// swaps it in while screening threads keep the one they already hold.
#include <atomic>
#include <memory>
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
};

struct ScreeningResult {
  bool sanctions_hit = false;  // a hit on a sanctions list
  bool pep_hit = false;        // a hit on a PEP list
  bool country_hit = false;    // the party's country is sanctioned
  std::string country;         // upper-cased as checked
  std::vector<NameHit> hits;   // sanctions and PEP hits, best first

  // A payment with a blocked party is rejected (ISO 20022 RR04); a PEP hit only flags.
  bool blocked() const { return sanctions_hit || country_hit; }
};

class Screener {
 public:
  explicit Screener(ScreenerSettings settings = {});

  // Installs an index built elsewhere (atomic; screening in flight is unaffected).
  void install(std::shared_ptr<const ScreeningIndex> index);
  // Loads the lists named by spec strings (list_loader.hpp), builds an index and installs
  // it. On any error the current index stays in place and the error is returned.
  [[nodiscard]] Status reload(const std::vector<std::string>& specs);
  std::shared_ptr<const ScreeningIndex> index() const;

  // `country` is an ISO 3166-1 alpha-2 code (any case) or empty when unknown. With no
  // index installed only the country is checked.
  ScreeningResult screen(std::string_view name, std::string_view country = {}) const;
  bool country_sanctioned(std::string_view country) const;

  const ScreenerSettings& settings() const { return settings_; }

 private:
  ScreenerSettings settings_;
  std::atomic<std::shared_ptr<const ScreeningIndex>> index_;
};

}  // namespace deltran::compliance
