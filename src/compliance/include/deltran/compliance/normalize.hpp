#pragma once
// Name normalisation for screening: Unicode folded to lower-case ASCII, punctuation
// dropped, honorifics, legal-form words and name particles removed, a few Arabic
// compounds canonicalised. The same normaliser builds the index and reads queries,
// so both sides of a comparison went through identical rules.
#include <cstdint>
#include <string>
#include <string_view>
#include <functional>
#include <unordered_set>
#include <vector>

namespace deltran::compliance {

// Lower-case ASCII letters and digits separated by single spaces; apostrophes vanish
// ("O'Brien" -> "obrien"), other punctuation separates ("Al-Qaida" -> "al qaida").
// Latin and Cyrillic letters go through a per-code-point table derived from ICU
// ("Any-Latin; Latin-ASCII") at first use; text in any other script goes through the ICU
// transliterator as a whole. Invalid UTF-8 bytes are read as Latin-1.
std::string fold_to_ascii(std::string_view utf8);

// A name word written in Arabic script (Arabic, Persian, Urdu) comes out of the normaliser
// as this marker followed by the word's consonant classes ("محمد" -> "_mhmd"): the script
// does not write the vowels a romanisation would need. latin_consonant_key gives the same
// classes for a romanised token ("muhammad", "mohammed" -> "mhmd"), so the two can meet.
inline constexpr char kAbjadMarker = '_';
inline bool is_abjad_token(std::string_view t) { return !t.empty() && t[0] == kAbjadMarker; }
// Empty if the token holds a digit or no consonant.
void latin_consonant_key(std::string_view token, std::string& out);

struct NormalizerSettings {
  // Dropped wherever they appear, unless dropping would leave no token.
  std::vector<std::string> honorifics;
  std::vector<std::string> legal_forms;
  std::vector<std::string> particles;
  // Tokens longer than this are cut (hashes, run-together strings); names longer than
  // max_tokens keep their first max_tokens tokens.
  size_t max_token_length = 40;
  size_t max_tokens = 12;

  static NormalizerSettings defaults();
};

// Tokens of one name, in their original order, as spans into `text`.
struct NormalizedName {
  std::string text;  // tokens separated by single spaces
  std::vector<std::pair<uint16_t, uint16_t>> spans;  // offset, length

  size_t size() const { return spans.size(); }
  std::string_view token(size_t i) const {
    return std::string_view(text).substr(spans[i].first, spans[i].second);
  }
  std::string joined_sorted() const;  // tokens sorted and space-joined: an order-free key
};

class NameNormalizer {
 public:
  explicit NameNormalizer(NormalizerSettings settings = NormalizerSettings::defaults());

  // Reuses `out`'s storage: no allocation once it has grown (the screening hot path).
  void normalize(std::string_view utf8, NormalizedName& out) const;
  NormalizedName normalize(std::string_view utf8) const;

  const NormalizerSettings& settings() const { return settings_; }

 private:
  bool is_stop(std::string_view token) const;
  bool mistypes_legal_form(std::string_view token) const;
  void push_token(std::string_view token, NormalizedName& out) const;

  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  NormalizerSettings settings_;
  std::unordered_set<std::string, Hash, std::equal_to<>> stop_;
  std::vector<std::string> legal_forms_;  // folded, three letters or more, no vowel
};

}  // namespace deltran::compliance
