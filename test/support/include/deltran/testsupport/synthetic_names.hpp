#pragma once
// Seeded synthetic sanctions lists, a labelled evaluation set and screening traffic, for
// the quality test and the benchmark. They draw from the shared test-data
// generator (prng.hpp), so a seed gives the same names on every platform.
//
// Names come from eleven pools that mimic a sanctions list: Arabic, Persian, Russian and
// Ukrainian, Chinese, Korean, Spanish, English, Turkish, German and Nordic, West/East
// African, and companies. Given names follow a Zipf law (a few are very common, as
// Mohammed, Wang or José are); family names are composed from stems and suffixes so they
// are as varied as real ones.
#include <cstdint>
#include <string>
#include <vector>

#include <deltran/compliance/watchlist.hpp>
#include <deltran/testsupport/prng.hpp>

namespace deltran::testsupport::synthetic {

using compliance::Watchlist;

using Rng = Prng;

enum class Culture : uint8_t {
  kArabic, kPersian, kSlavic, kChinese, kKorean, kHispanic, kAnglo, kTurkish, kGermanic,
  kAfrican, kEntity
};

// One name as tokens in display order, with the role of each token.
struct NameParts {
  Culture culture = Culture::kAnglo;
  std::vector<std::string> tokens;
  std::vector<uint8_t> roles;  // 0 given, 1 middle (father, patronymic), 2 family, 3 entity word, 4 legal form
};

struct SyntheticList {
  Watchlist list;
  std::vector<NameParts> primary;               // per entry
  std::vector<std::vector<NameParts>> aliases;  // per entry, same order as entry.aliases
};

struct ListSettings {
  size_t entries = 20'000;
  uint64_t seed = 20'240'601;
  double entity_share = 0.25;
  std::string name = "synthetic-sdn";
};

SyntheticList generate_list(const ListSettings& settings);

// A fresh name (not derived from any entry).
NameParts random_name(Rng& rng, Culture culture);
NameParts random_name(Rng& rng);  // culture drawn with the list's mix
std::string render(const NameParts& name);  // tokens joined by spaces

struct EvalCase {
  std::string query;
  bool should_hit = false;
  uint32_t entry_index = 0;  // the entry a true variant must hit
  std::string category;      // "typo", "transliteration", ..., "shared-given-name", ...
};

struct EvalSettings {
  size_t positives = 6'000;
  size_t negatives = 6'000;
  uint64_t seed = 7;
};

// True variants of list entries (transliteration, typo, swapped order, missing middle
// name, initials, diacritics, Cyrillic script, compound split/join, honorific/legal-form
// decoration, and two of these combined) and look-alike non-matches (a different person
// sharing the given name, the family name, or one word of a company name; tokens of two
// different entries combined; a fresh name of the same culture). A non-match whose
// normalised tokens are all contained in one listed name, or that contains every token of
// a listed name of two or more tokens, is dropped: it is that entry with a middle name
// missing or added, i.e. a true match by our own definition, not a look-alike.
std::vector<EvalCase> generate_eval_set(const SyntheticList& list, const EvalSettings& settings);

// Screening traffic: `hit_share` true variants, the rest fresh names of every culture.
std::vector<std::string> generate_traffic(const SyntheticList& list, size_t count, double hit_share,
                                          uint64_t seed);

}  // namespace deltran::testsupport::synthetic
