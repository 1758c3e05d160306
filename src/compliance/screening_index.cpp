#include <deltran/compliance/screening_index.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <atomic>
#include <unordered_map>
#include <unordered_set>

#include <deltran/compliance/similarity.hpp>
#include <deltran/core/assert.hpp>

#include "string_table.hpp"

namespace deltran::compliance {
namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;
constexpr size_t kMaxQueryTokens = 16;
constexpr size_t kMaxUnits = 2 * kMaxQueryTokens;  // tokens and adjacent joins
constexpr size_t kMaxNameTokens = 16;              // entry names are cut to this too
constexpr uint32_t kPrefetch = 4;
// Query tokens no key reaches ("lost": their list token may be two typos away) are compared
// directly with the names the other tokens reach, from this length; a pair counts this
// similarity (below the 0.97 a shortened name needs), and the other tokens are looked up
// in the lost ones' stead when that costs at most kLostLookupBudget more postings.
constexpr size_t kLostMinLength = 6;
constexpr float kLostSimilarity = 0.84f;
constexpr uint64_t kLostLookupBudget = 16;

constexpr char kSkeletonKey = '\x01';
constexpr char kDeletionKey = '\x02';
constexpr char kPrefixKey = '\x03';
constexpr char kAbjadKey = '\x04';  // a list token's consonant classes (latin_consonant_key)
// Adjacent tokens are joined only when both are short: the parts of Chinese and Korean
// given names ("Xiao Ming"), "Abd Rahman", "Jean Pierre"; never a family name and a
// given name that happen to sit side by side.
constexpr size_t kJoinPartMax = 6;
constexpr size_t kKnownPartMax = 5;

bool joinable(std::string_view a, std::string_view b) {
  return a.size() <= kJoinPartMax && b.size() <= kJoinPartMax && is_abjad_token(a) == is_abjad_token(b);
}

// Two adjacent tokens as one: "xiao" + "ming"; for Arabic-script words their consonant
// keys, a letter doubled across the seam read once (نصر الله, "_nsr" + "_l": "_nsrl").
void join_into(std::string_view a, std::string_view b, std::string& out) {
  out.assign(a);
  if (!is_abjad_token(b)) {
    out.append(b);
    return;
  }
  b.remove_prefix(1);
  if (b.size() > 1 && (b[0] == 'w' || b[0] == 'y')) b.remove_prefix(1);  // inside a word now
  for (char c : b)
    if (out.back() != c) out.push_back(c);
}

// Similarity of an Arabic-script word's consonant key (without its marker) to a romanised
// list token: the script gives nothing more to compare than the consonants, so an equal
// key is as close as a spelling variant when it holds three consonants or more; keys of one
// or two consonants (يحيى "h", أيمن "mn") are weaker evidence.
// A final "y" (a written -i) missing on one side costs a little: ربيع is Rabi, نبهان is not
// quite Nabhani.
double abjad_similarity(std::string_view key, std::string_view latin) {
  thread_local std::string k;
  if (is_abjad_token(latin)) {
    k.assign(latin.substr(1));  // a name the list gives in Arabic script: its key as it is
  } else {
    latin_consonant_key(latin, k);
  }
  auto tier = [](size_t n) { return n >= 3 ? 0.97 : n == 2 ? 0.92 : 0.86; };
  if (k.empty()) return 0.0;
  if (k == key) return tier(key.size());
  std::string_view a = key, b = k;
  if (!a.empty() && a.back() == 'y') a.remove_suffix(1);
  if (!b.empty() && b.back() == 'y') b.remove_suffix(1);
  return !a.empty() && a == b ? tier(a.size()) - 0.1 : 0.0;
}

// Keys a consonant key is filed and looked up under: itself and, ending in "y", without it.
template <typename F>
void for_each_consonant_key(std::string_view key, std::string& buf, F&& f) {
  buf.assign(1, kAbjadKey);
  buf.append(key);
  f(std::string_view(buf));
  if (key.size() >= 2 && key.back() == 'y') {
    buf.pop_back();
    f(std::string_view(buf));
  }
}

struct Neighbour {
  uint32_t token;
  float sim;
};

// Lengths too far apart are not compared: Jaro–Winkler rewards a shared prefix, so
// "alex" ~ "alexander" (0.89) and a token ~ the join of itself and the next token would
// match; a typo or a transliteration changes a length by a letter or two.
bool length_compatible(size_t a, size_t b) {
  const size_t d = a > b ? a - b : b - a;
  return d <= std::max<size_t>(2, std::max(a, b) / 4);
}

// A consonant skeleton used only to find candidate tokens (blocking), never to score:
// transliterations differ mostly in vowels, doubled letters and a few consonant pairs
// (Mohammed/Muhammad/Mohamed -> "mhmd"; Qaddafi/Gaddafi/Kadhafi -> "kdf").
void skeleton_into(std::string_view t, std::string& out) {
  out.clear();
  for (size_t i = 0; i < t.size() && out.size() < 12; ++i) {
    const char c = t[i];
    const char next = i + 1 < t.size() ? t[i + 1] : '\0';
    char cls = 0;
    if (c == 'p' && next == 'h') { cls = 'f'; ++i; }
    else if (c == 's' && next == 'c' && i + 2 < t.size() && t[i + 2] == 'h') { cls = 's'; i += 2; }
    else if (c == 's' && next == 'h') { cls = 's'; ++i; }
    else if (c == 'k' && next == 'h') { cls = 'h'; ++i; }
    else if (c == 'c' && next == 'h') { cls = 'c'; ++i; }
    else if (c == 't' && (next == 's' || next == 'z')) { cls = 'c'; ++i; }
    else if (c == 'x') {  // "ks"
      if (out.empty() || out.back() != 'k') out.push_back('k');
      cls = 's';
    }
    else if ((c == 't' || c == 'd') && next == 'h') { cls = 'd'; ++i; }
    else if (c == 'g' && next == 'h') { cls = 'k'; ++i; }
    else if (c == 'z' && next == 'h') { cls = 's'; ++i; }  // ICU folds ж to z
    else {
      switch (c) {
        case 'a': case 'e': case 'i': case 'o': case 'u': case 'y': cls = i == 0 ? 'a' : 0; break;
        case 'b': case 'p': cls = 'b'; break;
        case 'k': case 'q': case 'g': cls = 'k'; break;
        case 'c': cls = 'c'; break;  // č, ц and "ch", "ts" meet here (ICU folds Cyrillic to c)
        case 'd': case 't': cls = 'd'; break;
        case 'f': case 'v': case 'w': cls = 'f'; break;
        case 's': case 'z': cls = 's'; break;
        default: cls = c; break;
      }
    }
    // Cyrillic "-ий"/"-ый" come out of ICU as "-ij"/"-yj" where English writes "-y".
    if (c == 'j' && i + 1 == t.size() && i > 0 && std::string_view("aeiouy").find(t[i - 1]) != std::string_view::npos)
      cls = 0;
    // A final "h" after a vowel is silent: Hizballah / Hezbolla, Allah / Alla.
    if (c == 'h' && i + 1 == t.size() && i > 0 && std::string_view("aeiouy").find(t[i - 1]) != std::string_view::npos)
      cls = 0;
    if (cls == 0 || (!out.empty() && out.back() == cls)) continue;
    out.push_back(cls);
  }
}

std::string skeleton(std::string_view t) {
  std::string out;
  skeleton_into(t, out);
  return out;
}

// Similarity given to two tokens that sound alike (same skeleton) but whose spelling
// Jaro–Winkler puts below the token threshold: Ghasem / Qasem, Hezbolla / Hizballah.
constexpr double kSoundsAlikeSimilarity = 0.85;
// Similarity of two spellings of one name: in one built-in group, a doubled consonant, the
// vowels of a long token. (Pairs learned from an entry's aliases keep their own.)
constexpr double kVariantSimilarity = 0.97;

// Long tokens that differ only in one or two vowels are one name romanised twice
// (Sirajuddin / Serajuddin); shorter ones are often two names (Hamid / Hamed).
bool vowel_spelling(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || a.size() < 8) return false;
  size_t diff = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] == b[i]) continue;
    if (std::string_view("aeiou").find(a[i]) == std::string_view::npos ||
        std::string_view("aeiou").find(b[i]) == std::string_view::npos || ++diff > 2)
      return false;
  }
  return diff > 0;
}

// Equal but for two adjacent letters swapped.
bool one_transposition(std::string_view a, std::string_view b) {
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
}

// Equal once doubled letters are read as one: Qassem / Qasem, Mohammed / Mohamed.
// Only consonants: a doubled vowel is another name as often as not (Hasawi / Hasawii).
bool same_but_doubled_letters(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] != b[j]) return false;
    const char c = a[i];
    size_t ri = 0, rj = 0;
    while (i < a.size() && a[i] == c) ++i, ++ri;
    while (j < b.size() && b[j] == c) ++j, ++rj;
    if (ri != rj && std::string_view("aeiouy").find(c) != std::string_view::npos) return false;
  }
  return i == a.size() && j == b.size();
}

// Keys under which a token is filed and looked up: its skeleton, itself, its first five
// letters (7+ letters), and (4+ letters) each one-letter deletion. Two tokens sharing a key are one substitution,
// insertion, deletion or adjacent transposition apart, or spelled alike.
template <typename F>
void for_each_key(std::string_view t, std::string& buf, F&& f) {
  const std::string sk = skeleton(t);
  if (sk.size() >= 2 || (sk.size() == 1 && t.size() <= 4)) {  // "guo", "guu", "gao"
    buf.assign(1, kSkeletonKey);
    buf += sk;
    f(std::string_view(buf));
  }
  // Other romanisations' letters for one sound, as extra skeletons: German and Dutch ch for
  // kh (Chalid, Fachrisadeh), French ch for sh (Patrouchev), German and Polish j for y
  // (Bassajew after w → v). Only tokens holding the letters get the extra key.
  auto alternative = [&](std::string_view from, std::string_view to) {
    if (t.find(from) == std::string_view::npos) return;
    thread_local std::string alt;
    alt.clear();
    for (size_t p = 0; p < t.size();) {
      if (t.substr(p, from.size()) == from) {
        alt.append(to);
        p += from.size();
      } else {
        alt.push_back(t[p++]);
      }
    }
    const std::string ak = skeleton(alt);
    if (ak == sk || ak.size() < 2) return;
    buf.assign(1, kSkeletonKey);
    buf += ak;
    f(std::string_view(buf));
  };
  // Arabic dh (ذ) is z in many romanisations (al-Dhawahiri / al-Zawahiri).
  alternative("dh", "z");
  alternative("ch", "kh");
  alternative("ch", "sh");
  alternative("j", "y");
  buf.assign(1, kDeletionKey);
  buf += t;
  f(std::string_view(buf));
  if (t.size() >= 7) {  // long tokens that differ in their ending: -evich/-evic, -skiy/-sky
    buf.assign(1, kPrefixKey);
    buf.append(t.substr(0, 5));
    f(std::string_view(buf));
  }
  if (t.size() < 4) return;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i > 0 && t[i] == t[i - 1]) continue;  // same deletion as the previous one
    buf.assign(1, kDeletionKey);
    buf.append(t.substr(0, i));
    buf.append(t.substr(i + 1));
    f(std::string_view(buf));
  }
}

double similarity_or_zero(std::string_view a, std::string_view b, double token_threshold) {
  if (a == b) return 1.0;
  if (a.size() < 2 || b.size() < 2 || !length_compatible(a.size(), b.size())) return 0.0;
  // A token extended by two or more letters is a derived name, not a misspelling:
  // Soltani/Soltanian, Tian/Tianan, Kulik/Kulikov. (A typo adds or drops one letter.)
  const std::string_view shorter = a.size() < b.size() ? a : b;
  const std::string_view longer = a.size() < b.size() ? b : a;
  if (longer.size() >= shorter.size() + 2 && longer.substr(0, shorter.size()) == shorter) return 0.0;
  // Two swapped letters and a doubled consonant are spellings of the token, whatever
  // Jaro–Winkler makes of them (it cannot see a swap in three letters: Hae / Hea).
  if (a.size() == b.size() && a.size() >= 3 && one_transposition(a, b)) return std::max(jaro_winkler(a, b), 0.9);
  if (same_but_doubled_letters(a, b)) return kVariantSimilarity;
  if (vowel_spelling(a, b)) return kVariantSimilarity;
  const double s = jaro_winkler(a, b);
  return s >= token_threshold ? s : 0.0;
}

// Same skeleton, four letters or more, lengths close: spelled apart, said alike.
bool sounds_alike(std::string_view a, std::string_view b) {
  if (std::min(a.size(), b.size()) < 4 || !length_compatible(a.size(), b.size())) return false;
  // The first letters must agree (or both be vowels) before skeletons are worth building:
  // Qasem / Ghasem meet through the built-in groups instead.
  auto vowel = [](char c) { return std::string_view("aeiouy").find(c) != std::string_view::npos; };
  if (a[0] != b[0] && !(vowel(a[0]) && vowel(b[0]))) return false;
  // The same query token is compared with many list tokens in a row: its skeleton once.
  thread_local std::string last_a, sa, sb;
  if (a != last_a) {
    last_a.assign(a);
    skeleton_into(a, sa);
  }
  skeleton_into(b, sb);
  return sa == sb;
}

// One word the other with an "s" added: Holding / Holdings, Investment / Investments are
// the generic words of two companies' names as often as one name's.
bool plural_pair(std::string_view a, std::string_view b) {
  if (a.size() > b.size()) std::swap(a, b);
  return b.size() == a.size() + 1 && b.back() == 's' && b.substr(0, a.size()) == a;
}

// What the similarity rule needs to know about a token.
struct TokenInfo {
  std::string_view text;
  uint32_t id = kNone;  // in the index, or kNone
  bool known = false;   // a list token, a join of list tokens, or two list tokens run together
  bool join = false;    // only ever seen as the join of two adjacent list tokens
};

// One side of an alignment: a token or the join of two adjacent tokens.
struct Unit {
  std::string_view text;
  double weight = 0;
  uint8_t first = 0;  // token index (a join covers first and first + 1)
  bool joined = false;
  bool initial = false;
};

struct Pair {
  float sim;
  uint8_t q;  // query unit
  uint8_t e;  // entry unit
};

// The greedy one-to-one alignment and the score formula (header comment).
double align_score(const Unit* qu, size_t qn, const Unit* eu, size_t en, Pair* pairs, size_t pair_count,
                   const IndexSettings& s) {
  std::sort(pairs, pairs + pair_count, [&](const Pair& x, const Pair& y) {
    if (x.sim != y.sim) return x.sim > y.sim;
    if (qu[x.q].weight != qu[y.q].weight) return qu[x.q].weight > qu[y.q].weight;
    if (x.q != y.q) return x.q < y.q;
    return x.e < y.e;
  });
  uint32_t q_used = 0, e_used = 0;
  double num = 0, den = 0;
  size_t matched = 0;
  bool close = true;  // every aligned pair is a near-identical token or an initial
  for (size_t k = 0; k < pair_count; ++k) {
    const Unit& a = qu[pairs[k].q];
    const Unit& b = eu[pairs[k].e];
    const uint32_t qm = (a.joined ? 3u : 1u) << a.first;
    const uint32_t em = (b.joined ? 3u : 1u) << b.first;
    if ((q_used & qm) != 0 || (e_used & em) != 0) continue;
    q_used |= qm;
    e_used |= em;
    num += pairs[k].sim * 2.0 * a.weight;
    den += 2.0 * a.weight;
    ++matched;
    close = close && (pairs[k].sim >= s.dropped_min_similarity || a.initial || b.initial);
  }
  bool query_whole = true;
  for (size_t i = 0; i < qn; ++i) {
    if (!qu[i].joined && (q_used & (1u << qu[i].first)) == 0) {
      den += s.query_extra_penalty * qu[i].weight;
      query_whole = false;
    }
  }
  double entry_total = 0, entry_missing = 0;
  for (size_t j = 0; j < en; ++j) {
    if (eu[j].joined) continue;
    entry_total += eu[j].weight;
    if ((e_used & (1u << eu[j].first)) == 0) entry_missing += eu[j].weight;
  }
  // A name given in part — a middle name or one of two family names left out, an Arabic
  // chain shortened — is every query token found, closely, in a good share of the entry.
  // Its missing parts cost less than when the query also brings tokens of its own.
  const bool shortened = query_whole && matched >= 2 && close &&
                         entry_total - entry_missing >= s.dropped_min_coverage * entry_total;
  den += (shortened ? s.entry_dropped_penalty : s.entry_extra_penalty) * entry_missing;
  return den > 0 ? num / den : 0.0;
}

}  // namespace

struct ScreeningIndex::Impl {
  IndexSettings settings;
  NameNormalizer normalizer;
  std::vector<Watchlist> lists;
  std::vector<double> list_threshold;
  std::vector<double> list_block;  // a hit at or above blocks; > 1 never
  double min_threshold = 1.0;

  // Tokens (list tokens and joins of adjacent list tokens).
  std::vector<std::string> token_text;
  detail::StringTable token_ids;
  std::vector<float> weight;  // idf, or initial_weight for one-letter tokens
  // What verification reads per list token, packed in one cache-friendly array.
  struct TokenMeta {
    float weight;
    uint8_t length;  // capped at 255
    char first;
    uint8_t join;    // only ever a join
    uint8_t unused;
  };
  std::vector<TokenMeta> meta;
  std::vector<uint32_t> df;   // entries whose names contain the token (0: only a join)
  std::vector<uint8_t> org_only;  // 1: the token is only in names of entities (companies, vessels…)
  std::unordered_set<uint64_t> variants;  // token pairs that spell one name in one entry
  // Built-in spelling groups: normalised spelling -> group number (from 1), and each
  // group's spellings that are list tokens (made neighbours of one another).
  std::unordered_map<std::string, uint32_t> group_of_text;
  detail::StringTable group_table;  // the same, for lookups by string_view
  std::vector<uint32_t> token_group;  // list token -> its group, 0 if none
  const uint64_t serial = next_serial();  // unique per index built in this process
  static uint64_t next_serial() {
    static std::atomic<uint64_t> n{0};
    return ++n;
  }
  std::vector<std::vector<uint32_t>> group_tokens;
  uint32_t group_of(const TokenInfo& t) const;
  bool spelled_as_one(const TokenInfo& a, const TokenInfo& b) const;
  uint32_t patronymic_group(std::string_view t) const;
  float max_weight = 1.0f;
  std::vector<uint32_t> nb_begin;
  std::vector<Neighbour> nb;
  std::vector<uint64_t> nb_cost;  // postings reached through the neighbours
  std::vector<uint32_t> post_begin;
  std::vector<uint32_t> post;  // record offsets into `blob`
  // Keys -> the list tokens filed under them (for_each_key's spelling keys; consonant keys,
  // kept apart so romanised queries, nearly all of them, look up in the smaller table).
  struct KeyTable {
    detail::StringTable ids;
    std::vector<uint32_t> begin;
    std::vector<uint32_t> tokens;
    void build(std::unordered_map<std::string, std::vector<uint32_t>>& map) {
      std::vector<std::string> keys;
      std::vector<uint32_t> vals;
      begin.assign(1, 0);
      for (auto& [k, v] : map) {
        keys.push_back(k);
        vals.push_back(static_cast<uint32_t>(begin.size() - 1));
        tokens.insert(tokens.end(), v.begin(), v.end());
        begin.push_back(static_cast<uint32_t>(tokens.size()));
      }
      ids.build(keys, vals);
    }
    template <typename F>
    void for_tokens(std::string_view key, F&& f) const {
      const uint32_t k = ids.find(key);
      if (k == detail::StringTable::kMissing) return;
      for (uint32_t i = begin[k]; i < begin[k + 1]; ++i) f(tokens[i]);
    }
  };
  KeyTable spelling_keys;
  KeyTable consonant_keys;

  // Names: primary names and screened aliases. A candidate's record is one contiguous run
  // of `blob` — [name id, list, count, count token ids, count - 1 join ids (kNone when not
  // joined)] — so verifying it costs one cache miss, not one per field.
  struct Name {
    uint32_t list;
    uint32_t entry;
    int32_t alias;   // -1: primary name
    uint32_t begin;  // record offset in blob
    uint16_t count;
  };
  static constexpr size_t kHeader = 3;
  static_assert(kHeader + 1 >= 4, "screen() numbers records by offset / 4");
  std::vector<Name> names;
  std::vector<uint32_t> blob;
  uint32_t token_at(const Name& n, size_t j) const { return blob[n.begin + kHeader + j]; }
  size_t entry_count = 0;

  Impl(IndexSettings s) : settings(std::move(s)), normalizer(settings.normalizer) {}

  uint32_t intern(std::unordered_map<std::string, uint32_t>& ids, std::string_view t) {
    auto [it, inserted] = ids.try_emplace(std::string(t), static_cast<uint32_t>(token_text.size()));
    if (inserted) token_text.emplace_back(t);
    return it->second;
  }

  void build(std::vector<Watchlist> input);
  void build_names(std::unordered_map<std::string, uint32_t>& ids);
  void build_weights();
  void build_postings();
  void build_keys_and_neighbours();
  void learn_variants();
  TokenInfo info(std::string_view t) const;
  void neighbours_of(const TokenInfo& t, std::vector<Neighbour>& out, std::vector<uint32_t>& tmp,
                     std::string& buf) const;
  double token_similarity(const TokenInfo& a, const TokenInfo& b) const;
  double unseen_weight(std::string_view t, const std::vector<Neighbour>& nbs) const;

  const Name& name(uint32_t id) const { return names[id]; }
};

void ScreeningIndex::Impl::build(std::vector<Watchlist> input) {
  lists = std::move(input);
  for (const Watchlist& l : lists) {
    const double t = l.threshold.value_or(settings.default_threshold);
    list_threshold.push_back(t);
    list_block.push_back(l.block_threshold.value_or(l.kind == ListKind::kSanctions ? t : 2.0));
    min_threshold = std::min(min_threshold, t);
    entry_count += l.entries.size();
  }
  std::unordered_map<std::string, uint32_t> ids;
  build_names(ids);
  std::vector<std::string> keys;
  std::vector<uint32_t> vals;
  keys.reserve(ids.size());
  for (auto& [k, v] : ids) {
    keys.push_back(k);
    vals.push_back(v);
  }
  token_ids.build(keys, vals);
  build_weights();
  learn_variants();
  build_postings();
  build_keys_and_neighbours();
}

uint64_t pair_key(uint32_t a, uint32_t b) {
  if (a > b) std::swap(a, b);
  return (static_cast<uint64_t>(a) << 32) | b;
}

// The best known spellings of the most frequent transliterated given names (the lists'
// own aliases teach the rest).
const std::vector<std::vector<std::string>>& builtin_variants() {
  static const std::vector<std::vector<std::string>> v = {
      {"mohammed", "muhammad", "mohamed", "mohammad", "muhammed", "mohamad", "mohamud", "mouhamed", "muhamad",
       "mohd", "mhd", "muhd", "mehmet", "mehmed", "mohammod"},
      {"ahmed", "ahmad", "ahmet", "achmed"},
      {"hussein", "husain", "hussain", "husayn", "huseyin", "hossein", "hosein", "husein"},
      {"hassan", "hasan", "hasen"},
      {"yusuf", "youssef", "yousef", "yousif", "yusif", "youssouf"},
      {"omar", "umar", "omer"},
      {"osama", "usama", "ousama"},
      {"abdullah", "abdallah", "abdulla", "abdalla"},
      {"mahmoud", "mahmud", "mahmut"},
      {"mustafa", "mostafa", "moustafa", "mustapha"},
      {"ibrahim", "ebrahim", "ibragim"},
      {"ismail", "ismael", "esmaeil", "ismayil", "esmail"},
      {"suleiman", "sulayman", "suleyman", "soliman", "sulaiman"},
      {"qaddafi", "gaddafi", "kadhafi", "gadhafi", "qadhafi", "kaddafi"},
      {"sergey", "sergei", "sergej", "serhiy", "serhii", "sergiy"},
      {"aleksandr", "alexander", "aleksander", "alexandr", "oleksandr", "olexandr"},
      {"alexey", "aleksei", "alexei", "aleksey", "oleksiy", "oleksii"},
      {"yevgeny", "evgeny", "evgeniy", "yevgeniy"},
      {"yuri", "yury", "yuriy"},
      {"dmitry", "dmitri", "dmitriy"},
      {"andrey", "andrei"},
      {"nikolay", "nikolai", "mykola", "mikola"},
      {"mikhail", "michail"},
      {"vladimir", "wladimir", "volodymyr"},
      {"ivan", "iwan"},
      {"qasem", "qassem", "ghasem", "kasem", "qasim", "kassem", "kasim", "gasem", "ghassem"},
      {"hezbollah", "hizballah", "hizbullah", "hizbollah", "hezbolla", "hizbolla"},
      {"ali", "aly"},
      {"hamid", "hameed", "hamed"},
      {"rashid", "rasheed", "rachid", "rashed"},
      {"saeed", "said", "saied", "saeid", "sayeed"},
      {"jafar", "jaafar", "djafar", "jafer"},
      {"reza", "riza", "rida", "ridha"},
      {"mehdi", "mahdi"},
      {"mohsen", "muhsin", "mohsin"},
      {"javad", "jawad", "cevat"},
      {"karim", "kareem"},
      {"nasser", "nasir", "naser", "nassir"},
      {"jamal", "gamal", "djamel", "jamel"},
      {"yasin", "yassin", "yaseen", "yassine"},
      {"ayman", "aiman", "aymen"},
      {"zawahiri", "zawahri"},
      {"ladin", "laden"},
      {"qaida", "qaeda", "qaidah"},
      {"hamza", "hamzah"},
      {"faisal", "faysal", "feisal"},
      {"tariq", "tarek", "tareq", "tarik"},
      {"walid", "waleed"},
      {"anwar", "anouar"},
      {"jong", "chong", "jung", "chung", "jeong"},
      {"un", "eun"},
      {"kim", "gim"},
      {"pak", "park", "bak"},
      {"choe", "choi"},
      {"ri", "lee", "yi", "rhee"},
      {"viktor", "victor"},
      {"grigory", "grigoriy", "grigori"},
      {"igor", "ihor"},
      {"petr", "pyotr"},
      {"fyodor", "fedor", "feodor"},
      {"semyon", "semen", "semion"},
      {"artyom", "artem"},
      {"vasily", "vasiliy", "vassily", "vasili"},
      {"anatoly", "anatoliy", "anatoli"},
      {"vitaly", "vitaliy", "vitali"},
      {"gennady", "gennadiy", "gennadi", "hennadiy"},
      {"arkady", "arkadiy", "arkadi"},
      {"valery", "valeriy", "valeri"},
      {"yakov", "iakov", "jakov"},
      {"yelena", "elena"},
      {"yekaterina", "ekaterina"},
      {"dawood", "dawud", "daud", "dawoud", "daoud"},
      {"masood", "masud", "masoud", "massoud"},
      {"mokhtar", "mukhtar", "mokhtaar"},
      {"yahya", "yehia", "yahia", "yehya", "yahiya"},
      {"hafiz", "hafez", "hafeez"},
      {"sadeq", "sadegh", "sadiq", "sadik", "sadek"},
      {"moghaddam", "moqaddam", "moghadam", "mokaddam"},
      {"fereydoun", "fereidoun", "fereydoon", "feridun"},
      {"abu", "abou", "ebu"},
      {"khalid", "khaled", "chalid", "halid"},
      {"saif", "seif", "sayf", "saiful", "seyf"},
      {"houthi", "huthi", "hothi"},
      {"malik", "malek", "malick"},
      {"salah", "salih", "saleh", "salaheddine"},
      {"khalil", "halil", "khaleel"},
      {"jamil", "jameel", "cemil", "djamil"},
      {"nabil", "nabeel"},
      {"adel", "adil"},
      {"fadil", "fadel", "fazel", "fazil"},
      {"taher", "tahir", "tahar"},
      {"nur", "noor", "nour"},
      {"kamal", "kemal"},
      {"hashim", "hashem", "hachem", "hachim"},
      {"rahman", "rehman", "rahmane"},
      {"rahim", "raheem"},
      {"hakim", "hakeem"},
      {"mansour", "mansur", "mansoor"},
      {"musa", "mousa", "moussa", "mussa"},
      {"isa", "issa", "eissa"},
      {"yaqub", "yacoub", "yakub", "yaqoob", "yakoub"},
      {"ayub", "ayoub", "ayyub", "eyup"},
      {"zakaria", "zakariya", "zakariyya", "zakariyah"},
      {"suhail", "sohail", "soheil", "suhayl"},
      {"zaid", "zayd", "zeid"},
      {"ziad", "ziyad"},
      {"iyad", "eyad"},
      {"uthman", "othman", "osman", "usman", "othmane"},
      {"farouk", "faruq", "farooq", "faruk"},
      {"sharif", "shareef", "cherif", "sherif"},
      {"latif", "lateef"},
      {"majid", "majeed", "madjid", "macit"},
      {"qadir", "kadir", "qader", "ghader", "kader", "kadeer"},
      {"tawfiq", "tawfik", "toufik", "tevfik", "taufiq"},
      {"kazem", "kazim", "kadhim", "qazem"},
      {"gholam", "ghulam", "golam", "qolam"},
      {"asghar", "asgar", "askar"},
      {"hosseini", "husseini", "hoseini", "husaini", "husayni"},
      {"mousavi", "musavi", "moussavi", "mosavi"},
      {"davood", "davud", "davoud"},
      {"konstantin", "kostiantyn", "kostyantyn"},
      {"oleg", "oleh"},
      {"pavel", "pavlo"},
      {"maksim", "maxim", "maksym"},
      {"denis", "denys"},
      {"natalya", "natalia", "nataliya", "natallia"},
      {"tatyana", "tatiana", "tetiana", "tatsiana"},
      {"olga", "olha", "volha"},
      {"lyudmila", "liudmila", "ludmila", "lyudmyla"},
      {"yulia", "yuliya", "julia", "iuliia", "yuliia"},
      {"irina", "iryna"},
      {"galina", "halyna"},
      {"vadim", "vadym"},
      {"vyacheslav", "viacheslav", "vjaceslav"},
      {"yaroslav", "iaroslav"},
      {"bogdan", "bohdan"},
      {"ilya", "ilia", "illia"},
      {"kirill", "kyrylo"},
      {"nikita", "mykyta"},
      {"arseniy", "arseny", "arsenii"},
      {"yegor", "egor"},
      // Korean syllables: McCune-Reischauer (DPRK lists) and Revised Romanization.
      {"jo", "cho"},
      {"pyong", "byeong", "byong", "pyeong"},
      {"yong", "yeong"},
      {"chol", "cheol", "chul"},
      {"bong", "pong"},
      {"ju", "joo", "chu"},
      {"won", "weon"},
      {"so", "seo"},
      {"yo", "yeo"},
      {"song", "seong", "sung"},
      {"kwang", "gwang"},
      {"myong", "myeong", "myung"},
      {"hyon", "hyeon", "hyun"}};
  return v;
}

// Two spellings of one name inside one entry ("Mohammed" in the name, "Muhammad" in an
// alias) are recorded as variants: the list itself says they are the same name.
void ScreeningIndex::Impl::learn_variants() {
  // Groups that share a spelling are one group (Aleksandr is in the Russian and the
  // Ukrainian one).
  uint32_t groups = 0;
  auto add_group = [&](const std::vector<std::string>& group) {
    std::vector<std::string> texts;
    uint32_t number = 0;
    for (const std::string& g : group) {
      const NormalizedName n = normalizer.normalize(g);
      if (n.size() != 1) continue;
      texts.emplace_back(n.token(0));
      if (auto it = group_of_text.find(texts.back()); it != group_of_text.end() && number == 0) number = it->second;
    }
    if (number == 0) number = ++groups;
    for (const std::string& t : texts) {
      auto [it, fresh] = group_of_text.emplace(t, number);
      if (fresh || it->second == number) continue;
      const uint32_t other = it->second;  // a third group met here: fold it in
      for (auto& [text, g] : group_of_text)
        if (g == other) g = number;
    }
  };
  if (settings.builtin_name_variants)
    for (const auto& g : builtin_variants()) add_group(g);
  for (const auto& g : settings.extra_name_variants) add_group(g);
  group_tokens.assign(groups + 1, {});
  {
    std::vector<std::string> texts;
    std::vector<uint32_t> numbers;
    for (const auto& [text, g] : group_of_text) {
      texts.push_back(text);
      numbers.push_back(g);
    }
    group_table.build(texts, numbers);
  }
  token_group.assign(token_text.size(), 0);
  for (const auto& [text, g] : group_of_text) {
    const uint32_t id = token_ids.find(text);
    if (id == detail::StringTable::kMissing) continue;
    group_tokens[g].push_back(id);
    token_group[id] = g;
  }
  for (auto& present : group_tokens) {
    std::sort(present.begin(), present.end());
    for (size_t a = 0; a < present.size(); ++a)
      for (size_t b = a + 1; b < present.size(); ++b) variants.insert(pair_key(present[a], present[b]));
  }
  for (size_t a = 0; a < names.size(); ++a) {
    for (size_t b = a + 1; b < names.size() && names[b].list == names[a].list &&
                           names[b].entry == names[a].entry; ++b) {
      for (size_t i = 0; i < names[a].count; ++i) {
        const uint32_t x = token_at(names[a], i);
        uint32_t best = kNone;
        double best_sim = 0;
        for (size_t j = 0; j < names[b].count; ++j) {
          const uint32_t y = token_at(names[b], j);
          if (x == y) {
            best = kNone;
            break;
          }
          const double sim = similarity_or_zero(token_text[x], token_text[y], settings.token_threshold);
          if (sim > best_sim) {
            best_sim = sim;
            best = y;
          }
        }
        if (best != kNone) variants.insert(pair_key(x, best));
      }
    }
  }
}

// An unseen spelling weighs what its closest list token weighs; an unseen token with no
// similar list token is as distinctive as a token can be, unless it has one or two
// letters ("aw", "xx"), which say little.
double ScreeningIndex::Impl::unseen_weight(std::string_view t, const std::vector<Neighbour>& nbs) const {
  double w = max_weight;
  float best = -1;
  for (const Neighbour& x : nbs) {
    if (x.sim > best || (x.sim == best && weight[x.token] > w)) {
      best = x.sim;
      w = weight[x.token];
    }
  }
  return t.size() <= 2 && !is_abjad_token(t) ? std::min(w, settings.initial_weight) : w;
}

TokenInfo ScreeningIndex::Impl::info(std::string_view t) const {
  TokenInfo i;
  i.text = t;
  i.id = token_ids.find(t);
  if (i.id != detail::StringTable::kMissing) {
    i.known = true;
    i.join = df[i.id] == 0;
    return i;
  }
  i.id = kNone;
  // "songyong" = "song" + "yong": two syllables that are both list tokens. Parts of three
  // to kKnownPartMax letters, so a typo that happens to split into two short list tokens
  // ("kely" = "ke" + "ly") or a long name (Najafyan = Najaf + yan) stays an unseen token.
  if (kKnownPartMax == 0 || t.size() < 6 || t.size() > 2 * kKnownPartMax) return i;
  for (size_t cut = 3; cut + 3 <= t.size() && !i.known; ++cut) {
    if (cut > kKnownPartMax || t.size() - cut > kKnownPartMax) continue;
    const uint32_t a = token_ids.find(t.substr(0, cut));
    if (a == detail::StringTable::kMissing || df[a] == 0) continue;
    const uint32_t b = token_ids.find(t.substr(cut));
    i.known = b != detail::StringTable::kMissing && df[b] > 0;
  }
  return i;
}

// Jaro–Winkler at or above the token threshold, with two exceptions.
// - Two different tokens that are both real names on the lists ("Ling" and "Liang", "Rami"
//   and "Sami", "Zhou" and "Zhao", "Song Yong" run together against "Song Song") are names
//   of other people, not misspellings of one another: they must be nearly identical
//   (known_pair_threshold) or recorded as variants of one name by an entry's aliases. An
//   unseen token (a typo, a new transliteration) gets the plain rule.
// - A join of two tokens matches a single token only when nearly identical
//   (join_threshold): "Xiaoming" ~ "Xiao Ming", not "Davidson" ~ "David Berry".
uint32_t ScreeningIndex::Impl::group_of(const TokenInfo& t) const {
  if (t.id != kNone && t.id < token_group.size()) return token_group[t.id];
  if (group_of_text.empty()) return 0;
  // An unseen query token is compared with many list tokens in a row: looked up once.
  // Keyed by the index's serial, not its address: a reloaded index may reuse the address.
  thread_local uint64_t last_index = 0;
  thread_local std::string last_text;
  thread_local uint32_t last_group = 0;
  if (last_index == serial && t.text == last_text) return last_group;
  const uint32_t g = group_table.find(t.text);
  last_index = serial;
  last_text.assign(t.text);
  last_group = g == detail::StringTable::kMissing ? 0 : g;
  return last_group;
}

// The group of the given name a Slavic patronymic is made from (Volodymyrovych and
// Vladimirovich, Hennadiyovych and Gennadievich: -ovich, -evich, -ievich and the women's
// -ovna, -evna, -ievna, -ivna, once the normaliser has made the endings one), or 0.
uint32_t ScreeningIndex::Impl::patronymic_group(std::string_view t) const {
  if (t.size() < 8 || group_of_text.empty()) return 0;
  auto find = [&](std::string_view stem) -> uint32_t {
    const uint32_t g = group_table.find(stem);
    return g == detail::StringTable::kMissing ? 0 : g;
  };
  thread_local std::string buf;
  // Gennadievich: Gennady, Gennadiy or Gennadi; Mykolaievich: Mykola.
  for (std::string_view ending : {"ievich", "ievna"}) {
    if (!t.ends_with(ending)) continue;
    const std::string_view stem = t.substr(0, t.size() - ending.size());
    for (std::string_view tail : {"", "y", "iy", "i", "ii"}) {
      buf.assign(stem);
      buf.append(tail);
      if (const uint32_t g = find(buf)) return g;
    }
    return 0;
  }
  for (std::string_view ending : {"ovich", "evich", "ovna", "evna", "ivna"})
    if (t.ends_with(ending)) return find(t.substr(0, t.size() - ending.size()));
  return 0;
}

// Spellings of one name in a built-in group.
bool ScreeningIndex::Impl::spelled_as_one(const TokenInfo& a, const TokenInfo& b) const {
  const uint32_t g = group_of(a);
  return g != 0 && g == group_of(b);
}

double ScreeningIndex::Impl::token_similarity(const TokenInfo& a, const TokenInfo& b) const {
  if (a.text == b.text) return 1.0;
  if (is_abjad_token(a.text)) return abjad_similarity(a.text.substr(1), b.text);
  if (is_abjad_token(b.text)) return abjad_similarity(b.text.substr(1), a.text);
  // Spellings of one name in a built-in group are as good as the same token, however far
  // apart their letters (Jong / Chong, Dawood / Daud). (Pairs learned from one entry's
  // aliases keep their own similarity: one entry's alias is weaker evidence for all.)
  if (!a.join && !b.join && spelled_as_one(a, b)) return kVariantSimilarity;
  // Patronymics of one given name spelled two ways (Volodymyrovych / Vladimirovich), however
  // far apart their letters.
  if (!a.join && !b.join) {
    if (const uint32_t g = patronymic_group(a.text); g != 0 && g == patronymic_group(b.text)) return kVariantSimilarity;
  }
  double sim = similarity_or_zero(a.text, b.text, settings.token_threshold);
  if (sim <= 0) {
    // Spelled too far apart for Jaro–Winkler but said alike (Ghasem / Qasem, Hezbolla /
    // Hizballah): a match when one of them is not a list token (a spelling the lists do not
    // have).
    if (a.join || b.join || (a.known && b.known) || !sounds_alike(a.text, b.text)) return 0.0;
    return kSoundsAlikeSimilarity;
  }
  if (sim >= 1.0) return sim;
  if ((a.join || b.join) && sim < settings.join_threshold) return 0.0;
  if (!a.known || !b.known || (a.id != kNone && a.id == b.id)) return sim;
  if (sim >= settings.known_pair_threshold) return sim;
  // A word of a company's name mistyped into another list word ("Bano" for Banco, "Kwangsong"
  // for Kwangson): companies' words are not people's names, so a letter dropped, added or
  // swapped is still the word, when the list token is one only companies and the like use.
  // A letter changed is, in a long word only: short ones are other companies' words
  // (Neta / Neva, Prota / Prosa), as are the plural and singular of a generic one.
  if (b.id != kNone && org_only[b.id] != 0 && std::min(a.text.size(), b.text.size()) >= 4 &&
      one_edit_apart(a.text, b.text) && !plural_pair(a.text, b.text) &&
      (a.text.size() != b.text.size() || a.text.size() >= 7 || one_transposition(a.text, b.text)))
    return sim;
  if (a.id != kNone && b.id != kNone && variants.count(pair_key(a.id, b.id)) > 0) return sim;
  // A doubled letter is a spelling even when both forms are on the lists (Qassem / Qasem),
  // and two swapped letters a typo (Saab / Saba, Oleg / Olge).
  if (a.text.size() >= 3 && a.text.size() == b.text.size() && one_transposition(a.text, b.text)) return sim;
  // (One skeleton is not: Kudryavtsev / Kudryavtsov, Sabzevar / Sabzevari, Zhang / Zheng
  // are other people's names.)
  if (same_but_doubled_letters(a.text, b.text)) return sim;
  return 0.0;
}

void ScreeningIndex::Impl::build_names(std::unordered_map<std::string, uint32_t>& ids) {
  NormalizedName n;
  std::vector<std::string> seen;  // normalised names of the current entry
  std::string joined;
  for (uint32_t li = 0; li < lists.size(); ++li) {
    const Watchlist& l = lists[li];
    for (uint32_t ei = 0; ei < l.entries.size(); ++ei) {
      const ListEntry& e = l.entries[ei];
      seen.clear();
      for (int32_t ai = -1; ai < static_cast<int32_t>(e.aliases.size()); ++ai) {
        if (ai >= 0 && e.aliases[static_cast<size_t>(ai)].weak && !settings.screen_weak_aliases) continue;
        const std::string& text = ai < 0 ? e.name : e.aliases[static_cast<size_t>(ai)].name;
        normalizer.normalize(text, n);
        if (n.size() == 0) continue;
        if (std::find(seen.begin(), seen.end(), n.text) != seen.end()) continue;
        seen.push_back(n.text);
        const size_t count = std::min(n.size(), kMaxNameTokens);
        Name rec{li, ei, ai, static_cast<uint32_t>(blob.size()), static_cast<uint16_t>(count)};
        blob.push_back(static_cast<uint32_t>(names.size()));
        blob.push_back(li);
        blob.push_back(static_cast<uint32_t>(count));
        for (size_t j = 0; j < count; ++j) blob.push_back(intern(ids, n.token(j)));
        for (size_t j = 0; j + 1 < count; ++j) {
          if (!joinable(n.token(j), n.token(j + 1))) {
            blob.push_back(kNone);
            continue;
          }
          joined.assign(n.token(j));
          joined.append(n.token(j + 1));
          blob.push_back(intern(ids, joined));
        }
        names.push_back(rec);
      }
    }
  }
}

void ScreeningIndex::Impl::build_weights() {
  // Document frequency counts entries, not names: an entry's aliases repeat its tokens.
  df.assign(token_text.size(), 0);
  std::vector<uint64_t> last(token_text.size(), ~0ull);
  for (const Name& nm : names) {
    const uint64_t entry_key = (static_cast<uint64_t>(nm.list) << 32) | nm.entry;
    for (size_t j = 0; j < nm.count; ++j) {
      const uint32_t t = token_at(nm, j);
      if (last[t] != entry_key) {
        last[t] = entry_key;
        ++df[t];
      }
    }
  }
  // A token of a person's name (or of an entry of unknown type) anywhere makes it a person
  // token: the strict rule for two list tokens (token_similarity) stays for those.
  org_only.assign(token_text.size(), 1);
  for (const Name& nm : names) {
    const EntryType type = lists[nm.list].entries[nm.entry].type;
    if (type != EntryType::kIndividual && type != EntryType::kUnknown) continue;
    for (size_t j = 0; j < nm.count * 2u - 1u; ++j)  // its tokens and their joins
      if (const uint32_t t = token_at(nm, j); t != kNone) org_only[t] = 0;
  }
  const double e = static_cast<double>(std::max<size_t>(entry_count, 1));
  max_weight = static_cast<float>(std::log1p(e));
  weight.resize(token_text.size());
  for (size_t t = 0; t < token_text.size(); ++t) {
    if (token_text[t].size() == 1) weight[t] = static_cast<float>(settings.initial_weight);
    else if (df[t] == 0) weight[t] = max_weight;  // only ever seen as a join
    else weight[t] = static_cast<float>(std::log1p(e / df[t]));
  }
  meta.resize(token_text.size());
  for (size_t t = 0; t < token_text.size(); ++t)
    meta[t] = {weight[t], static_cast<uint8_t>(std::min<size_t>(token_text[t].size(), 255)),
               token_text[t].empty() ? '\0' : token_text[t][0], static_cast<uint8_t>(df[t] == 0 ? 1 : 0), 0};
}

void ScreeningIndex::Impl::build_postings() {
  std::vector<uint32_t> counts(token_text.size() + 1, 0);
  auto for_each = [&](auto&& f) {
    for (uint32_t id = 0; id < names.size(); ++id) {
      const Name& nm = names[id];
      const size_t total = nm.count * 2u - 1u;
      for (size_t j = 0; j < total; ++j) {
        const uint32_t t = token_at(nm, j);
        if (t == kNone) continue;
        bool dup = false;  // "Mohammed bin Mohammed" files the name once under "mohammed"
        for (size_t k = 0; k < j && !dup; ++k) dup = token_at(nm, k) == t;
        if (!dup) f(t, nm.begin);
      }
    }
  };
  for_each([&](uint32_t t, uint32_t) { ++counts[t + 1]; });
  for (size_t t = 1; t < counts.size(); ++t) counts[t] += counts[t - 1];
  post_begin = counts;
  post.resize(post_begin.back());
  std::vector<uint32_t> fill(post_begin.begin(), post_begin.end() - 1);
  for_each([&](uint32_t t, uint32_t id) { post[fill[t]++] = id; });
}

void ScreeningIndex::Impl::neighbours_of(const TokenInfo& ti, std::vector<Neighbour>& out,
                                         std::vector<uint32_t>& tmp, std::string& buf) const {
  out.clear();
  tmp.clear();
  const std::string_view t = ti.text;
  if (t.size() == 1) {
    if (ti.id != kNone) out.push_back({ti.id, 1.0f});
    return;
  }
  if (is_abjad_token(t)) {  // list tokens with the same consonant key
    for_each_consonant_key(t.substr(1), buf, [&](std::string_view key) {
      consonant_keys.for_tokens(key, [&](uint32_t c) { tmp.push_back(c); });
    });
    std::sort(tmp.begin(), tmp.end());
    tmp.erase(std::unique(tmp.begin(), tmp.end()), tmp.end());
    for (uint32_t c : tmp) {
      const double s = abjad_similarity(t.substr(1), token_text[c]);
      if (s > 0) out.push_back({c, static_cast<float>(s)});
    }
    return;
  }
  for_each_key(t, buf, [&](std::string_view key) {
    const uint32_t k = spelling_keys.ids.find(key);
    if (k == detail::StringTable::kMissing) return;
    tmp.insert(tmp.end(), spelling_keys.tokens.begin() + spelling_keys.begin[k],
               spelling_keys.tokens.begin() + spelling_keys.begin[k + 1]);
  });
  if (const uint32_t g = group_of(ti); g != 0) tmp.insert(tmp.end(), group_tokens[g].begin(), group_tokens[g].end());
  // (A romanised query does not look for names the lists give in Arabic script, such as the
  // UN list's original-script aliases: their entries have romanised names too, and a
  // consonant key cannot tell Hasan from Husayn.)
  std::sort(tmp.begin(), tmp.end());
  tmp.erase(std::unique(tmp.begin(), tmp.end()), tmp.end());
  for (uint32_t c : tmp) {
    TokenInfo other;
    other.text = token_text[c];
    other.id = c;
    other.known = true;
    other.join = df[c] == 0;
    const double s = token_similarity(ti, other);
    if (s > 0) out.push_back({c, static_cast<float>(s)});
  }
}

void ScreeningIndex::Impl::build_keys_and_neighbours() {
  std::unordered_map<std::string, std::vector<uint32_t>> key_map, consonant_map;
  std::string buf, consonants;
  for (uint32_t t = 0; t < token_text.size(); ++t) {
    if (token_text[t].size() < 2) continue;
    if (is_abjad_token(token_text[t])) {  // a name the list gives in Arabic script
      for_each_consonant_key(std::string_view(token_text[t]).substr(1), buf,
                             [&](std::string_view key) { consonant_map[std::string(key)].push_back(t); });
      continue;
    }
    for_each_key(token_text[t], buf, [&](std::string_view key) {
      std::vector<uint32_t>& v = key_map[std::string(key)];
      if (v.empty() || v.back() != t) v.push_back(t);
    });
    latin_consonant_key(token_text[t], consonants);
    if (!consonants.empty())
      for_each_consonant_key(consonants, buf, [&](std::string_view k) { consonant_map[std::string(k)].push_back(t); });
  }
  spelling_keys.build(key_map);
  consonant_keys.build(consonant_map);

  std::vector<Neighbour> out;
  std::vector<uint32_t> tmp;
  nb_begin.assign(1, 0);
  nb_cost.resize(token_text.size());
  for (uint32_t t = 0; t < token_text.size(); ++t) {
    neighbours_of(info(token_text[t]), out, tmp, buf);
    uint64_t cost = 0;
    for (const Neighbour& x : out) cost += post_begin[x.token + 1] - post_begin[x.token];
    nb_cost[t] = cost;
    nb.insert(nb.end(), out.begin(), out.end());
    nb_begin.push_back(static_cast<uint32_t>(nb.size()));
  }
}

namespace {

// Per-thread scratch for screen(): marks stamped with a per-query epoch so nothing is
// cleared between queries, and buffers that keep their capacity.
struct Scratch {
  NormalizedName q;
  struct Mark {
    uint32_t epoch;
    uint32_t row;
  };
  std::vector<uint32_t> name_mark;
  std::vector<Mark> tok;
  uint32_t epoch = 0;
  std::vector<std::array<float, kMaxUnits>> rows;
  size_t rows_used = 0;
  std::array<std::vector<Neighbour>, kMaxQueryTokens> oov;
  std::array<std::string, kMaxQueryTokens> joins;
  std::array<std::vector<Neighbour>, kMaxQueryTokens> join_nb;  // joins of Arabic-script words
  std::vector<uint32_t> tmp;
  std::string buf;

  void begin(size_t names, size_t tokens) {
    if (name_mark.size() < names) name_mark.resize(names, 0);
    if (tok.size() < tokens) tok.resize(tokens, Mark{0, 0});
    if (++epoch == 0) {  // wrapped: old stamps could collide
      std::fill(name_mark.begin(), name_mark.end(), 0);
      std::fill(tok.begin(), tok.end(), Mark{0, 0});
      epoch = 1;
    }
    rows_used = 0;
  }
};

Scratch& scratch() {
  thread_local Scratch s;
  return s;
}

struct QueryUnit {
  Unit unit;
  const Neighbour* nb = nullptr;
  size_t nb_count = 0;
  uint64_t cost = 0;
};

}  // namespace

ScreeningIndex::ScreeningIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ScreeningIndex::~ScreeningIndex() = default;

Result<std::shared_ptr<const ScreeningIndex>> ScreeningIndex::build(std::vector<Watchlist> lists,
                                                                    IndexSettings settings) {
  auto in_unit = [](double v) { return v > 0.0 && v <= 1.0; };
  if (!in_unit(settings.default_threshold) || !in_unit(settings.token_threshold) ||
      !in_unit(settings.exact_threshold) || !in_unit(settings.initial_similarity))
    return make_error(ErrorCode::kInvalidArgument, "screening thresholds must be in (0, 1]");
  if (settings.query_extra_penalty < 0 || settings.entry_extra_penalty < 0 || settings.initial_weight <= 0)
    return make_error(ErrorCode::kInvalidArgument, "screening penalties must be >= 0 and initial_weight > 0");
  for (const Watchlist& l : lists) {
    if (l.threshold && !in_unit(*l.threshold))
      return make_error(ErrorCode::kInvalidArgument, "list '" + l.name + "' threshold must be in (0, 1]");
    if (l.block_threshold && !in_unit(*l.block_threshold))
      return make_error(ErrorCode::kInvalidArgument, "list '" + l.name + "' block threshold must be in (0, 1]");
    const double review = l.threshold.value_or(settings.default_threshold);
    if (l.block_threshold && *l.block_threshold < review)
      return make_error(ErrorCode::kInvalidArgument, "list '" + l.name + "' block threshold is below its review threshold");
  }
  auto impl = std::make_unique<Impl>(std::move(settings));
  impl->build(std::move(lists));
  return std::shared_ptr<const ScreeningIndex>(new ScreeningIndex(std::move(impl)));
}

namespace {

struct Scored {
  double score;
  uint32_t name;
};

// One screen() call: the query's units, their similar list tokens, the lookup and the
// verification of each candidate name. Lives on the stack; its buffers are the thread's.
class Query {
 public:
  Query(const ScreeningIndex::Impl& ix, Scratch& sc) : ix_(ix), st_(ix.settings), sc_(sc) {}

  std::vector<Scored> run(std::string_view name) {
    ix_.normalizer.normalize(name, sc_.q);
    qn_ = std::min(sc_.q.size(), kMaxQueryTokens);
    if (qn_ == 0 || ix_.names.empty()) return {};
    sc_.begin(ix_.blob.size() / 4 + 1, ix_.token_text.size());
    add_token_units();
    add_join_units();
    fill_rows();
    select_lookups();
    for (size_t u = 0; u < un_; ++u) {
      if (!looked_up(units_[u].unit)) continue;
      for (size_t k = 0; k < units_[u].nb_count; ++k) {
        const uint32_t t = units_[u].nb[k].token;
        const uint32_t end = ix_.post_begin[t + 1];
        for (uint32_t p = ix_.post_begin[t]; p < end; ++p) {
          if (p + kPrefetch < end) {  // records are random accesses: start the next ones early
            const uint32_t ahead = ix_.post[p + kPrefetch];
            __builtin_prefetch(ix_.blob.data() + ahead);
            __builtin_prefetch(sc_.name_mark.data() + (ahead >> 2));
          }
          verify(ix_.post[p]);
        }
      }
    }
    return std::move(found_);
  }

 private:
  // Query units: the tokens, with their similar list tokens and weights.
  void add_token_units() {
    for (size_t i = 0; i < qn_; ++i) {
      QueryUnit& u = units_[un_++];
      u.unit.text = sc_.q.token(i);
      u.unit.first = static_cast<uint8_t>(i);
      u.unit.initial = u.unit.text.size() == 1;
      const uint32_t id = ix_.token_ids.find(u.unit.text);
      if (u.unit.initial) {
        u.unit.weight = st_.initial_weight;
      } else if (id != detail::StringTable::kMissing) {
        u.nb = ix_.nb.data() + ix_.nb_begin[id];
        u.nb_count = ix_.nb_begin[id + 1] - ix_.nb_begin[id];
        u.cost = ix_.nb_cost[id];
        u.unit.weight = ix_.weight[id];
      } else {
        std::vector<Neighbour>& v = sc_.oov[i];
        ix_.neighbours_of(ix_.info(u.unit.text), v, sc_.tmp, sc_.buf);
        u.nb = v.data();
        u.nb_count = v.size();
        for (const Neighbour& x : v) u.cost += ix_.post_begin[x.token + 1] - ix_.post_begin[x.token];
        u.unit.weight = ix_.unseen_weight(u.unit.text, v);
        // A spelling the lists do not have, maybe mistyped twice (no key reaches its list
        // token): compared directly with the tokens of the names the others reach (verify).
        // One the keys reach other tokens for ("Giblert", whose neighbour is Gilbert, for
        // Gilberto) is compared the same way with the tokens of a name it has no pair in.
        if (u.unit.text.size() >= kLostMinLength && !is_abjad_token(u.unit.text)) {
          (v.empty() ? lost_ : open_)[i] = true;
          ++(v.empty() ? lost_count_ : open_count_);
          lost_bag_[i].fill(0);
          for (char c : u.unit.text)
            if (c >= 'a' && c <= 'z') ++lost_bag_[i][static_cast<size_t>(c - 'a')];
        }
      }
      total_weight_ += u.unit.weight;
    }
  }

  // Joins of adjacent short tokens that exist in the index ("xiao" + "ming").
  void add_join_units() {
    for (size_t i = 0; i + 1 < qn_; ++i) {
      if (!joinable(sc_.q.token(i), sc_.q.token(i + 1))) continue;
      std::string& j = sc_.joins[i];
      join_into(sc_.q.token(i), sc_.q.token(i + 1), j);
      const Neighbour* nb = nullptr;
      size_t nb_count = 0;
      if (is_abjad_token(j)) {
        std::vector<Neighbour>& v = sc_.join_nb[i];
        ix_.neighbours_of(ix_.info(j), v, sc_.tmp, sc_.buf);
        if (v.empty()) continue;
        nb = v.data();
        nb_count = v.size();
      } else {
        const uint32_t id = ix_.token_ids.find(j);
        if (id == detail::StringTable::kMissing) continue;
        nb = ix_.nb.data() + ix_.nb_begin[id];
        nb_count = ix_.nb_begin[id + 1] - ix_.nb_begin[id];
      }
      QueryUnit& u = units_[un_++];
      u.unit.text = j;
      u.unit.first = static_cast<uint8_t>(i);
      u.unit.joined = true;
      u.unit.weight = units_[i].unit.weight + units_[i + 1].unit.weight;
      u.nb = nb;
      u.nb_count = nb_count;
    }
    for (size_t u = 0; u < un_; ++u) {
      qunits_[u] = units_[u].unit;
      has_initial_ = has_initial_ || qunits_[u].initial;
    }
  }

  // For each list token similar to some unit: its similarity to every unit.
  void fill_rows() {
    for (size_t u = 0; u < un_; ++u) {
      for (size_t k = 0; k < units_[u].nb_count; ++k) {
        const Neighbour& x = units_[u].nb[k];
        Scratch::Mark& mark = sc_.tok[x.token];
        if (mark.epoch != sc_.epoch) {
          mark.epoch = sc_.epoch;
          if (sc_.rows_used == sc_.rows.size()) sc_.rows.emplace_back();
          sc_.rows[sc_.rows_used].fill(0.0f);
          mark.row = static_cast<uint32_t>(sc_.rows_used);
          ++sc_.rows_used;
        }
        float& cell = sc_.rows[mark.row][u];
        cell = std::max(cell, x.sim);
      }
    }
  }

  // Which tokens to look up. If a name scores s >= θ, the weight A_U of unmatched query
  // tokens obeys s <= 2A_M / (2A_M + λq·A_U) with A_M = W - A_U, hence
  // A_U <= W·k/(1+k), k = 2(1-θ)/(θ·λq). Any set of query tokens heavier than that bound
  // contains a matched token, so looking up only such a set (the cheapest tokens first)
  // misses no hit. Initials have no postings and are never looked up.
  void select_lookups() {
    double bound = total_weight_;
    if (st_.query_extra_penalty > 0) {
      const double k = 2.0 * (1.0 - ix_.min_threshold) / (ix_.min_threshold * st_.query_extra_penalty);
      bound = total_weight_ * k / (1.0 + k);
    }
    auto pick = [&](bool lost_last, std::array<bool, kMaxQueryTokens>& chosen) {
      std::array<uint8_t, kMaxQueryTokens> order{};
      size_t on = 0;
      for (size_t i = 0; i < qn_; ++i)
        if (!units_[i].unit.initial) order[on++] = static_cast<uint8_t>(i);
      std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(on), [&](uint8_t a, uint8_t b) {
        if (lost_last && lost_[a] != lost_[b]) return lost_[b];
        return units_[a].cost != units_[b].cost ? units_[a].cost < units_[b].cost : a < b;
      });
      double acc = 0;
      uint64_t cost = 0;
      for (size_t r = 0; r < on && acc <= bound; ++r) {
        chosen[order[r]] = true;
        acc += units_[order[r]].unit.weight;
        cost += units_[order[r]].cost;
      }
      return cost;
    };
    const uint64_t cost = pick(false, selected_);
    if (lost_count_ == 0) return;
    // A lost token (no list token within the keys' reach; compare_lost) has no postings:
    // the name it may belong to mistyped twice is reached through the other tokens, looked
    // up in its stead when that costs at most kLostLookupBudget more postings. Else the
    // lost tokens are left alone (a long list of "Lopez" is not read for one typo).
    std::array<bool, kMaxQueryTokens> others{};
    if (pick(true, others) <= cost + kLostLookupBudget) {
      for (size_t i = 0; i < qn_; ++i) selected_[i] = selected_[i] || others[i];
    } else {
      lost_.fill(false);
      lost_count_ = 0;
    }
  }

  bool looked_up(const Unit& u) const {
    return u.joined ? (selected_[u.first] || selected_[u.first + 1u]) : selected_[u.first];
  }

  // Scores the name whose record starts at `rec`, the first time it is reached. Records
  // are at least 4 words long, so rec / 4 numbers them without reading the record.
  void verify(uint32_t rec) {
    uint32_t& seen = sc_.name_mark[rec >> 2];
    if (seen == sc_.epoch) return;
    seen = sc_.epoch;
    const uint32_t* r = ix_.blob.data() + rec;
    const uint32_t id = r[0];
    const uint32_t list = r[1];
    const size_t count = r[2];
    const size_t en = count * 2 - 1;
    size_t pc = 0;
    for (size_t p = 0; p < en; ++p) pc = entry_unit(r[ScreeningIndex::Impl::kHeader + p], p, count, pc);
    if (pc == 0) return;
    const double threshold = ix_.list_threshold[list];
    const bool rescue = lost_count_ > 0 || open_count_ > 0;
    if (below_threshold(en, pc, threshold, rescue ? kLostSimilarity : 0.0f)) return;
    if (rescue) {
      pc = compare_lost(r, en, pc);
      if (below_threshold(en, pc, threshold, 0.0f)) return;
    }
    const double s = align_score(qunits_.data(), un_, eunits_.data(), en, pairs_.data(), pc, st_);
    if (s + 1e-12 >= ix_.list_threshold[list]) found_.push_back({s, id});
  }

  // An upper bound on align_score, without its sort: most candidates share one token with
  // the query and are turned away here. Each query token is credited with its best
  // similarity in any pair (one-to-one ignored), entry tokens in no pair cost at least the
  // smaller entry penalty, and every token that has a pair counts as aligned — which can
  // only raise the bound while 2·sim ≥ 2 − λq (true for λq = 1 and any counted pair,
  // sim ≥ 0.5); otherwise no bound is taken.
  // `lost_sim`: the similarity a lost query token may still reach (compare_lost).
  bool below_threshold(size_t en, size_t pc, double threshold, float lost_sim) const {
    if (st_.query_extra_penalty > 2.0) return false;
    const double min_sim = (2.0 - st_.query_extra_penalty) / 2.0;
    std::array<float, kMaxQueryTokens> best{};
    if (lost_sim > 0)
      for (size_t i = 0; i < qn_; ++i)
        if (lost_[i] || open_[i]) best[i] = lost_sim;
    uint32_t e_touched = 0;
    for (size_t k = 0; k < pc; ++k) {
      const Pair& p = pairs_[k];
      if (p.sim < min_sim) return false;
      const Unit& q = qunits_[p.q];
      best[q.first] = std::max(best[q.first], p.sim);
      if (q.joined) best[q.first + 1u] = std::max(best[q.first + 1u], p.sim);
      const Unit& e = eunits_[p.e];
      e_touched |= (e.joined ? 3u : 1u) << e.first;
    }
    double num = 0, den = 0;
    for (size_t i = 0; i < qn_; ++i) {
      const double w = qunits_[i].weight;
      if (best[i] > 0) {
        num += 2.0 * best[i] * w;
        den += 2.0 * w;
      } else {
        den += st_.query_extra_penalty * w;
      }
    }
    const double entry_penalty = std::min(st_.entry_dropped_penalty, st_.entry_extra_penalty);
    for (size_t j = 0; j < en; ++j)
      if (!eunits_[j].joined && (e_touched & (1u << eunits_[j].first)) == 0) den += entry_penalty * eunits_[j].weight;
    return den > 0 && num / den + 1e-9 < threshold;
  }

  // Pairs of each lost query token with the entry's tokens two typos away, which no key
  // reaches ("Guumzan" for Guzman, "Niffcolas" for Nicolas): same first letter, six
  // letters or more, at kLostSimilarity. The same for an open token (unseen, but with
  // neighbours) that none of its neighbours paired in this name.
  size_t compare_lost(const uint32_t* rec, size_t en, size_t pc) {
    const size_t own = pc;
    for (size_t u = 0; u < qn_; ++u) {
      if (!lost_[u] && !open_[u]) continue;
      if (open_[u] && std::any_of(pairs_.begin(), pairs_.begin() + static_cast<std::ptrdiff_t>(own),
                                  [&](const Pair& x) { return x.q == u; }))
        continue;  // its neighbours met this name
      const std::string_view q = qunits_[u].text;
      for (size_t p = 0; p < en; ++p) {
        const Unit& e = eunits_[p];
        if (e.joined || e.initial) continue;
        const std::string_view et = ix_.token_text[rec[ScreeningIndex::Impl::kHeader + p]];
        if (et.size() < kLostMinLength || et[0] != q[0] || et.size() + 2 < q.size() || q.size() + 2 < et.size())
          continue;
        // Two edits change at most four letter counts by one each: a cheap first look.
        std::array<int8_t, 26> bag = lost_bag_[u];
        for (char c : et)
          if (c >= 'a' && c <= 'z') --bag[static_cast<size_t>(c - 'a')];
        int off = 0;
        for (int8_t d : bag) off += d < 0 ? -d : d;
        if (off > 4 || !within_two_edits(q, et)) continue;
        pairs_[pc++] = {kLostSimilarity, static_cast<uint8_t>(u), static_cast<uint8_t>(p)};
      }
    }
    return pc;
  }

  // Fills entry unit p (token t) and appends its candidate pairs; returns the pair count.
  size_t entry_unit(uint32_t t, size_t p, size_t count, size_t pc) {
    Unit& e = eunits_[p];
    e.joined = p >= count;
    e.first = static_cast<uint8_t>(e.joined ? p - count : p);
    if (t == kNone) {  // a join that was not made (long parts): never aligned
      e.weight = 0;
      return pc;
    }
    const ScreeningIndex::Impl::TokenMeta& m = ix_.meta[t];
    e.weight = m.weight;
    e.initial = m.length == 1;
    const Scratch::Mark& mark = sc_.tok[t];
    if (mark.epoch == sc_.epoch) {
      const auto& row = sc_.rows[mark.row];
      for (size_t u = 0; u < un_; ++u)
        if (row[u] > 0 && !(e.joined && qunits_[u].joined))
          pairs_[pc++] = {row[u], static_cast<uint8_t>(u), static_cast<uint8_t>(p)};
    }
    if (e.joined || (!has_initial_ && !e.initial)) return pc;
    for (size_t u = 0; u < qn_; ++u) {  // initials on either side
      const Unit& q = qunits_[u];
      if ((!q.initial && !e.initial) || q.text[0] != m.first) continue;
      const double sim = q.initial && e.initial ? 1.0 : st_.initial_similarity;
      pairs_[pc++] = {static_cast<float>(sim), static_cast<uint8_t>(u), static_cast<uint8_t>(p)};
    }
    return pc;
  }

  const ScreeningIndex::Impl& ix_;
  const IndexSettings& st_;
  Scratch& sc_;
  size_t qn_ = 0;
  size_t un_ = 0;
  double total_weight_ = 0;
  bool has_initial_ = false;
  std::array<QueryUnit, kMaxUnits> units_;
  std::array<Unit, kMaxUnits> qunits_;
  std::array<bool, kMaxQueryTokens> selected_{};
  std::array<bool, kMaxQueryTokens> lost_{};  // unseen tokens with no neighbour (add_token_units)
  size_t lost_count_ = 0;
  std::array<bool, kMaxQueryTokens> open_{};  // unseen tokens whose neighbours may not be their token
  size_t open_count_ = 0;
  std::array<std::array<int8_t, 26>, kMaxQueryTokens> lost_bag_{};  // their letter counts
  std::array<Unit, 2 * kMaxNameTokens> eunits_;
  std::array<Pair, kMaxUnits * 2 * kMaxNameTokens> pairs_;
  std::vector<Scored> found_;
};

NameHit make_hit(const ScreeningIndex::Impl& ix, const Scored& f) {
  const ScreeningIndex::Impl::Name& nm = ix.names[f.name];
  const Watchlist& l = ix.lists[nm.list];
  const ListEntry& e = l.entries[nm.entry];
  NameHit h;
  h.list_name = l.name;
  h.list_kind = l.kind;
  h.list_index = nm.list;
  h.entry_index = nm.entry;
  h.entry_id = e.id;
  h.entry_name = e.name;
  h.entry_type = e.type;
  h.programs = e.programs;
  h.via_alias = nm.alias >= 0;
  if (h.via_alias) {
    const Alias& a = e.aliases[static_cast<size_t>(nm.alias)];
    h.matched_name = a.name;
    h.alias_quality = a.quality;
  } else {
    h.matched_name = e.name;
  }
  h.score = std::min(1.0, f.score);
  h.threshold = ix.list_threshold[nm.list];
  h.blocks = h.score + 1e-12 >= ix.list_block[nm.list];
  h.kind = h.score >= ix.settings.exact_threshold ? MatchKind::kExact : MatchKind::kFuzzy;
  return h;
}

// Initials run together ("JA GUZMAN LOERA", "GUZMAN LOERA JA"): the first or last token of
// two or three letters, beside a token of four or more, read once more as initials. Only
// a token without a vowel or one that is no list token: "Ma", "Li" and "Kim" are names.
// Returns the query with those tokens spelled out, or empty.
std::string initials_reading(const ScreeningIndex::Impl& ix, const NormalizedName& q) {
  const size_t n = q.size();
  if (n < 2) return {};
  bool long_token = false;
  for (size_t i = 0; i < n; ++i) long_token = long_token || q.token(i).size() >= 4;
  if (!long_token) return {};
  auto run_together = [&](std::string_view t) {
    if (t.size() < 2 || t.size() > 3 || is_abjad_token(t)) return false;
    for (char c : t)
      if (c < 'a' || c > 'z') return false;
    return t.find_first_of("aeiouy") == std::string_view::npos || ix.token_ids.find(t) == detail::StringTable::kMissing;
  };
  const bool first = run_together(q.token(0)), last = run_together(q.token(n - 1));
  if (!first && !last) return {};
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view t = q.token(i);
    if (!out.empty()) out.push_back(' ');
    if ((i == 0 && first) || (i + 1 == n && last)) {
      for (size_t k = 0; k < t.size(); ++k) {
        if (k > 0) out.push_back(' ');
        out.push_back(t[k]);
      }
    } else {
      out.append(t);
    }
  }
  return out;
}

}  // namespace

std::vector<NameHit> ScreeningIndex::screen(std::string_view name) const {
  const Impl& ix = *impl_;
  Scratch& sc = scratch();
  std::vector<Scored> found = Query(ix, sc).run(name);
  if (const std::string alt = initials_reading(ix, sc.q); !alt.empty()) {
    const std::vector<Scored> more = Query(ix, sc).run(alt);
    found.insert(found.end(), more.begin(), more.end());
  }
  if (found.empty()) return {};
  // Best name per entry, then best first (list and entry order break ties), capped.
  std::sort(found.begin(), found.end(), [&](const Scored& a, const Scored& b) {
    const auto& x = ix.names[a.name];
    const auto& y = ix.names[b.name];
    if (x.list != y.list) return x.list < y.list;
    if (x.entry != y.entry) return x.entry < y.entry;
    if (a.score != b.score) return a.score > b.score;
    return x.alias < y.alias;
  });
  std::vector<Scored> best;
  for (const Scored& f : found) {
    const auto& n = ix.names[f.name];
    if (!best.empty() && ix.names[best.back().name].list == n.list && ix.names[best.back().name].entry == n.entry)
      continue;
    best.push_back(f);
  }
  std::stable_sort(best.begin(), best.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  if (best.size() > ix.settings.max_hits) best.resize(ix.settings.max_hits);
  std::vector<NameHit> hits;
  hits.reserve(best.size());
  for (const Scored& f : best) hits.push_back(make_hit(ix, f));
  return hits;
}

double ScreeningIndex::score(std::string_view query, std::string_view listed_name) const {
  const Impl& ix = *impl_;
  const IndexSettings& st = ix.settings;
  const NormalizedName q = ix.normalizer.normalize(query);
  const NormalizedName e = ix.normalizer.normalize(listed_name);
  const size_t qn = std::min(q.size(), kMaxQueryTokens);
  const size_t en = std::min(e.size(), kMaxNameTokens);
  if (qn == 0 || en == 0) return 0.0;
  auto weight_of = [&](std::string_view t) -> double {
    if (t.size() == 1) return st.initial_weight;
    const uint32_t id = ix.token_ids.find(t);
    if (id != detail::StringTable::kMissing) return ix.weight[id];
    std::vector<Neighbour> nbs;
    std::vector<uint32_t> tmp;
    std::string buf;
    ix.neighbours_of(ix.info(t), nbs, tmp, buf);
    return ix.unseen_weight(t, nbs);
  };
  std::vector<std::string> qjoin, ejoin;
  std::vector<Unit> qu, eu;
  for (size_t i = 0; i < qn; ++i) qu.push_back({q.token(i), weight_of(q.token(i)), static_cast<uint8_t>(i), false, q.token(i).size() == 1});
  for (size_t j = 0; j < en; ++j) eu.push_back({e.token(j), weight_of(e.token(j)), static_cast<uint8_t>(j), false, e.token(j).size() == 1});
  qjoin.reserve(qn);
  ejoin.reserve(en);
  for (size_t i = 0; i + 1 < qn; ++i) {
    if (!joinable(q.token(i), q.token(i + 1))) continue;
    qjoin.emplace_back();
    join_into(q.token(i), q.token(i + 1), qjoin.back());
    qu.push_back({qjoin.back(), qu[i].weight + qu[i + 1].weight, static_cast<uint8_t>(i), true, false});
  }
  for (size_t j = 0; j + 1 < en; ++j) {
    if (!joinable(e.token(j), e.token(j + 1))) continue;
    ejoin.emplace_back();
    join_into(e.token(j), e.token(j + 1), ejoin.back());
    eu.push_back({ejoin.back(), weight_of(ejoin.back()), static_cast<uint8_t>(j), true, false});
  }
  std::vector<Pair> pairs;
  for (size_t u = 0; u < qu.size(); ++u) {
    for (size_t p = 0; p < eu.size(); ++p) {
      if (qu[u].joined && eu[p].joined) continue;
      double s = 0;
      if (!qu[u].joined && !eu[p].joined && qu[u].initial != eu[p].initial) {
        s = qu[u].text[0] == eu[p].text[0] ? st.initial_similarity : 0.0;
      } else {
        s = ix.token_similarity(ix.info(qu[u].text), ix.info(eu[p].text));
      }
      if (s > 0) pairs.push_back({static_cast<float>(s), static_cast<uint8_t>(u), static_cast<uint8_t>(p)});
    }
  }
  if (pairs.empty()) return 0.0;
  return std::min(1.0, align_score(qu.data(), qu.size(), eu.data(), eu.size(), pairs.data(), pairs.size(), st));
}

const std::vector<Watchlist>& ScreeningIndex::lists() const { return impl_->lists; }
const IndexSettings& ScreeningIndex::settings() const { return impl_->settings; }

IndexStats ScreeningIndex::stats() const {
  IndexStats s;
  s.entries = impl_->entry_count;
  s.names = impl_->names.size();
  s.tokens = impl_->token_text.size();
  s.neighbours = impl_->nb.size();
  return s;
}

}  // namespace deltran::compliance
