#pragma once
// An immutable index over loaded lists that screens one name in a few microseconds.
// Built once per list load and shared as std::shared_ptr<const ScreeningIndex>: screening
// threads read it without locks, and a reload builds a new one and swaps the pointer.
//
// How a name is scored (README.md has every figure):
//  - both names are normalised into tokens (normalize.hpp); order does not matter;
//  - tokens are compared with Jaro–Winkler; pairs below token_threshold do not match, nor
//    do two different tokens that are both real list tokens unless nearly identical or
//    known spellings of one name (the lists' aliases, a few built-in given-name groups);
//    an initial ("J") matches a token with that first letter at initial_similarity; two
//    adjacent short tokens may match one token ("Xiao Ming" ~ "Xiaoming");
//  - tokens are weighted by rarity in the loaded lists (idf = ln(1 + entries / df)), so a
//    shared "Mohammed" or "Trading" weighs little and a shared rare surname a lot;
//  - the best one-to-one alignment (greedy by similarity) gives
//      score = Σ matched sim·2a / (Σ matched 2a + λq·Σ unmatched query a + λe·Σ unmatched entry b)
//    with a, b the query and entry token weights: a query token with no counterpart costs
//    its full weight (λq = 1), an entry token the query lacks (a missing middle name)
//    costs half (λe = 0.5).
// Candidates come from an inverted index (token -> names) reached through each query
// token's similar tokens (precomputed for every list token; found through skeleton,
// deletion and prefix keys for unseen ones). Only the rarest query tokens are looked up:
// any name scoring above the threshold must match one of them (the bound is in
// screening_index.cpp), so the pruning loses nothing the similar-token lists contain.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/compliance/normalize.hpp>
#include <deltran/compliance/watchlist.hpp>
#include <deltran/core/result.hpp>

namespace deltran::compliance {

struct IndexSettings {
  double default_threshold = 0.85;  // hit at or above; Watchlist::threshold overrides per list
  double exact_threshold = 0.95;    // hits at or above are reported as kExact
  double token_threshold = 0.78;    // Jaro–Winkler below this: tokens do not match
  // Two different tokens that both occur in the lists ("Ling", "Liang") match only at or
  // above this, unless an entry's aliases show them as spellings of one name.
  double known_pair_threshold = 0.99;
  // A join of two adjacent tokens matches a single token only at or above this.
  double join_threshold = 0.92;
  double initial_similarity = 0.90; // "J" against "John"
  double initial_weight = 1.0;      // weight of a one-letter token (idf of a common token)
  double query_extra_penalty = 1.0; // λq
  double entry_extra_penalty = 0.5; // λe
  // λe when the query is a shortened form of the entry: every query token aligned (at
  // least two, each at dropped_min_similarity or an initial) covering at least
  // dropped_min_coverage of the entry's weight. "María García" for "María Fernanda López
  // García", "Ayman Zawahiri" for "Ayman Muhammad Rabi al-Zawahiri".
  double entry_dropped_penalty = 0.15;
  double dropped_min_similarity = 0.97;
  double dropped_min_coverage = 0.25;
  bool screen_weak_aliases = false; // UN "Low" quality aliases
  // Spellings of one name that two list tokens may have (see known_pair_threshold):
  // learned from each entry's aliases, plus these groups. The built-in groups cover the
  // most frequent transliterated given names (Muhammad, Hussein, Yusuf, Sergey...).
  bool builtin_name_variants = true;
  std::vector<std::vector<std::string>> extra_name_variants;
  size_t max_hits = 10;
  NormalizerSettings normalizer = NormalizerSettings::defaults();
};

// Stable numbers.
enum class MatchKind : uint8_t { kExact = 1, kFuzzy = 2 };

struct NameHit {
  std::string list_name;
  ListKind list_kind = ListKind::kSanctions;
  uint32_t list_index = 0;
  uint32_t entry_index = 0;
  std::string entry_id;        // the list's own id (OFAC ent_num, UN DATAID)
  std::string entry_name;      // primary name
  EntryType entry_type = EntryType::kUnknown;
  std::vector<std::string> programs;
  std::string matched_name;    // the primary name or the alias that scored best
  bool via_alias = false;
  std::string alias_quality;
  double score = 0;            // 0..1
  double threshold = 0;        // the list's threshold that the score met
  bool blocks = false;         // at or above the list's block threshold (else: review)
  MatchKind kind = MatchKind::kFuzzy;
};

struct IndexStats {
  size_t entries = 0;
  size_t names = 0;       // primary names and screened aliases
  size_t tokens = 0;      // distinct tokens, including adjacent-pair joins
  size_t neighbours = 0;  // similar-token pairs precomputed
};

class ScreeningIndex {
 public:
  // Fails (InvalidArgument) on thresholds outside (0, 1] or negative penalties.
  [[nodiscard]] static Result<std::shared_ptr<const ScreeningIndex>> build(
      std::vector<Watchlist> lists, IndexSettings settings = {});

  // Hits sorted by score (then list, then entry order), best name per entry, at most
  // max_hits. Thread-safe; allocation-free for names that hit nothing.
  std::vector<NameHit> screen(std::string_view name) const;

  // The score of `query` against one entry name as screen() computes it (for tests and
  // for explaining a hit). Names need not be on any list.
  double score(std::string_view query, std::string_view listed_name) const;

  const std::vector<Watchlist>& lists() const;
  const IndexSettings& settings() const;
  IndexStats stats() const;

  ~ScreeningIndex();
  ScreeningIndex(const ScreeningIndex&) = delete;
  ScreeningIndex& operator=(const ScreeningIndex&) = delete;

  struct Impl;

 private:
  explicit ScreeningIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltran::compliance
