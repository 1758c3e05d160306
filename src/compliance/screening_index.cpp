#include <deltran/compliance/screening_index.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

#include <deltran/compliance/similarity.hpp>
#include <deltran/core/assert.hpp>

#include "string_table.hpp"

namespace deltran::compliance {
namespace {

constexpr uint32_t kNone = 0xFFFFFFFFu;
constexpr size_t kMaxQueryTokens = 16;
constexpr size_t kMaxUnits = 2 * kMaxQueryTokens;  // tokens and adjacent joins
constexpr size_t kMaxNameTokens = 16;              // entry names are cut to this too
constexpr char kSkeletonKey = '\x01';
constexpr char kDeletionKey = '\x02';

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
std::string skeleton(std::string_view t) {
  std::string out;
  for (size_t i = 0; i < t.size() && out.size() < 12; ++i) {
    const char c = t[i];
    const char next = i + 1 < t.size() ? t[i + 1] : '\0';
    char cls = 0;
    if (c == 'p' && next == 'h') { cls = 'f'; ++i; }
    else if (c == 's' && next == 'c' && i + 2 < t.size() && t[i + 2] == 'h') { cls = 's'; i += 2; }
    else if (c == 's' && next == 'h') { cls = 's'; ++i; }
    else if ((c == 'k' || c == 'c') && next == 'h') { cls = 'h'; ++i; }
    else if ((c == 't' || c == 'd') && next == 'h') { cls = 'd'; ++i; }
    else if (c == 'g' && next == 'h') { cls = 'k'; ++i; }
    else if (c == 'z' && next == 'h') { cls = 'j'; ++i; }
    else {
      switch (c) {
        case 'a': case 'e': case 'i': case 'o': case 'u': case 'y': cls = i == 0 ? 'a' : 0; break;
        case 'b': case 'p': cls = 'b'; break;
        case 'c': case 'k': case 'q': case 'g': cls = 'k'; break;
        case 'd': case 't': cls = 'd'; break;
        case 'f': case 'v': case 'w': cls = 'f'; break;
        case 's': case 'z': case 'x': cls = 's'; break;
        default: cls = c; break;
      }
    }
    if (cls == 0 || (!out.empty() && out.back() == cls)) continue;
    out.push_back(cls);
  }
  return out;
}

// Keys under which a token is filed and looked up: its skeleton, itself, and (for 4+
// letters) each one-letter deletion. Two tokens sharing a key are one substitution,
// insertion, deletion or adjacent transposition apart, or spelled alike.
template <typename F>
void for_each_key(std::string_view t, std::string& buf, F&& f) {
  const std::string sk = skeleton(t);
  if (sk.size() >= 2) {
    buf.assign(1, kSkeletonKey);
    buf += sk;
    f(std::string_view(buf));
  }
  buf.assign(1, kDeletionKey);
  buf += t;
  f(std::string_view(buf));
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
  const double s = jaro_winkler(a, b);
  return s >= token_threshold ? s : 0.0;
}

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
double align_score(const Unit* qu, size_t qn, size_t q_tokens, const Unit* eu, size_t en,
                   size_t e_tokens, Pair* pairs, size_t pair_count, const IndexSettings& s) {
  std::sort(pairs, pairs + pair_count, [&](const Pair& x, const Pair& y) {
    if (x.sim != y.sim) return x.sim > y.sim;
    if (qu[x.q].weight != qu[y.q].weight) return qu[x.q].weight > qu[y.q].weight;
    if (x.q != y.q) return x.q < y.q;
    return x.e < y.e;
  });
  uint32_t q_used = 0, e_used = 0;
  double num = 0, den = 0;
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
  }
  for (size_t i = 0; i < qn; ++i)
    if (!qu[i].joined && (q_used & (1u << qu[i].first)) == 0) den += s.query_extra_penalty * qu[i].weight;
  for (size_t j = 0; j < en; ++j)
    if (!eu[j].joined && (e_used & (1u << eu[j].first)) == 0) den += s.entry_extra_penalty * eu[j].weight;
  (void)q_tokens;
  (void)e_tokens;
  return den > 0 ? num / den : 0.0;
}

}  // namespace

struct ScreeningIndex::Impl {
  IndexSettings settings;
  NameNormalizer normalizer;
  std::vector<Watchlist> lists;
  std::vector<double> list_threshold;
  double min_threshold = 1.0;

  // Tokens (list tokens and joins of adjacent list tokens).
  std::vector<std::string> token_text;
  detail::StringTable token_ids;
  std::vector<float> weight;  // idf, or initial_weight for one-letter tokens
  float max_weight = 1.0f;
  std::vector<uint32_t> nb_begin;
  std::vector<Neighbour> nb;
  std::vector<uint64_t> nb_cost;  // postings reached through the neighbours
  std::vector<uint32_t> post_begin;
  std::vector<uint32_t> post;
  detail::StringTable key_ids;
  std::vector<uint32_t> key_begin;
  std::vector<uint32_t> key_tokens;

  // Names: primary names and screened aliases.
  struct Name {
    uint32_t list;
    uint32_t entry;
    int32_t alias;   // -1: primary name
    uint32_t begin;  // into name_tokens: count token ids, then count - 1 join ids
    uint16_t count;
  };
  std::vector<Name> names;
  std::vector<uint32_t> name_tokens;
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
  void neighbours_of(std::string_view t, std::vector<Neighbour>& out, std::vector<uint32_t>& tmp,
                     std::string& buf) const;

  const Name& name(uint32_t id) const { return names[id]; }
};

void ScreeningIndex::Impl::build(std::vector<Watchlist> input) {
  lists = std::move(input);
  for (const Watchlist& l : lists) {
    const double t = l.threshold.value_or(settings.default_threshold);
    list_threshold.push_back(t);
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
  build_postings();
  build_keys_and_neighbours();
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
        Name rec{li, ei, ai, static_cast<uint32_t>(name_tokens.size()), static_cast<uint16_t>(count)};
        for (size_t j = 0; j < count; ++j) name_tokens.push_back(intern(ids, n.token(j)));
        for (size_t j = 0; j + 1 < count; ++j) {
          joined.assign(n.token(j));
          joined.append(n.token(j + 1));
          name_tokens.push_back(intern(ids, joined));
        }
        names.push_back(rec);
      }
    }
  }
}

void ScreeningIndex::Impl::build_weights() {
  // Document frequency counts entries, not names: an entry's aliases repeat its tokens.
  std::vector<uint32_t> df(token_text.size(), 0);
  std::vector<uint64_t> last(token_text.size(), ~0ull);
  for (const Name& nm : names) {
    const uint64_t entry_key = (static_cast<uint64_t>(nm.list) << 32) | nm.entry;
    for (size_t j = 0; j < nm.count; ++j) {
      const uint32_t t = name_tokens[nm.begin + j];
      if (last[t] != entry_key) {
        last[t] = entry_key;
        ++df[t];
      }
    }
  }
  const double e = static_cast<double>(std::max<size_t>(entry_count, 1));
  max_weight = static_cast<float>(std::log1p(e));
  weight.resize(token_text.size());
  for (size_t t = 0; t < token_text.size(); ++t) {
    if (token_text[t].size() == 1) weight[t] = static_cast<float>(settings.initial_weight);
    else if (df[t] == 0) weight[t] = max_weight;  // only ever seen as a join
    else weight[t] = static_cast<float>(std::log1p(e / df[t]));
  }
}

void ScreeningIndex::Impl::build_postings() {
  std::vector<uint32_t> counts(token_text.size() + 1, 0);
  auto for_each = [&](auto&& f) {
    for (uint32_t id = 0; id < names.size(); ++id) {
      const Name& nm = names[id];
      const size_t total = nm.count * 2u - 1u;
      for (size_t j = 0; j < total; ++j) {
        const uint32_t t = name_tokens[nm.begin + j];
        bool dup = false;  // "Mohammed bin Mohammed" files the name once under "mohammed"
        for (size_t k = 0; k < j && !dup; ++k) dup = name_tokens[nm.begin + k] == t;
        if (!dup) f(t, id);
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

void ScreeningIndex::Impl::neighbours_of(std::string_view t, std::vector<Neighbour>& out,
                                         std::vector<uint32_t>& tmp, std::string& buf) const {
  out.clear();
  tmp.clear();
  if (t.size() == 1) {
    const uint32_t id = token_ids.find(t);
    if (id != detail::StringTable::kMissing) out.push_back({id, 1.0f});
    return;
  }
  for_each_key(t, buf, [&](std::string_view key) {
    const uint32_t k = key_ids.find(key);
    if (k == detail::StringTable::kMissing) return;
    tmp.insert(tmp.end(), key_tokens.begin() + key_begin[k], key_tokens.begin() + key_begin[k + 1]);
  });
  std::sort(tmp.begin(), tmp.end());
  tmp.erase(std::unique(tmp.begin(), tmp.end()), tmp.end());
  for (uint32_t c : tmp) {
    const double s = similarity_or_zero(t, token_text[c], settings.token_threshold);
    if (s > 0) out.push_back({c, static_cast<float>(s)});
  }
}

void ScreeningIndex::Impl::build_keys_and_neighbours() {
  std::unordered_map<std::string, std::vector<uint32_t>> key_map;
  std::string buf;
  for (uint32_t t = 0; t < token_text.size(); ++t) {
    if (token_text[t].size() < 2) continue;
    for_each_key(token_text[t], buf, [&](std::string_view key) {
      std::vector<uint32_t>& v = key_map[std::string(key)];
      if (v.empty() || v.back() != t) v.push_back(t);
    });
  }
  std::vector<std::string> keys;
  std::vector<uint32_t> vals;
  key_begin.assign(1, 0);
  for (auto& [k, v] : key_map) {
    keys.push_back(k);
    vals.push_back(static_cast<uint32_t>(key_begin.size() - 1));
    key_tokens.insert(key_tokens.end(), v.begin(), v.end());
    key_begin.push_back(static_cast<uint32_t>(key_tokens.size()));
  }
  key_ids.build(keys, vals);

  std::vector<Neighbour> out;
  std::vector<uint32_t> tmp;
  nb_begin.assign(1, 0);
  nb_cost.resize(token_text.size());
  for (uint32_t t = 0; t < token_text.size(); ++t) {
    neighbours_of(token_text[t], out, tmp, buf);
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
  std::vector<uint32_t> name_mark;
  std::vector<uint32_t> tok_mark;
  std::vector<uint32_t> tok_row;
  uint32_t epoch = 0;
  std::vector<std::array<float, kMaxUnits>> rows;
  size_t rows_used = 0;
  std::array<std::vector<Neighbour>, kMaxQueryTokens> oov;
  std::array<std::string, kMaxQueryTokens> joins;
  std::vector<uint32_t> tmp;
  std::vector<uint32_t> candidates;
  std::string buf;

  void begin(size_t names, size_t tokens) {
    if (name_mark.size() < names) name_mark.resize(names, 0);
    if (tok_mark.size() < tokens) {
      tok_mark.resize(tokens, 0);
      tok_row.resize(tokens, 0);
    }
    if (++epoch == 0) {  // wrapped: old stamps could collide
      std::fill(name_mark.begin(), name_mark.end(), 0);
      std::fill(tok_mark.begin(), tok_mark.end(), 0);
      epoch = 1;
    }
    rows_used = 0;
    candidates.clear();
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
  for (const Watchlist& l : lists)
    if (l.threshold && !in_unit(*l.threshold))
      return make_error(ErrorCode::kInvalidArgument, "list '" + l.name + "' threshold must be in (0, 1]");
  auto impl = std::make_unique<Impl>(std::move(settings));
  impl->build(std::move(lists));
  return std::shared_ptr<const ScreeningIndex>(new ScreeningIndex(std::move(impl)));
}

std::vector<NameHit> ScreeningIndex::screen(std::string_view name) const {
  const Impl& ix = *impl_;
  const IndexSettings& st = ix.settings;
  Scratch& sc = scratch();
  ix.normalizer.normalize(name, sc.q);
  const size_t qn = std::min(sc.q.size(), kMaxQueryTokens);
  if (qn == 0 || ix.names.empty()) return {};
  sc.begin(ix.names.size(), ix.token_text.size());

  // Query units: tokens, then joins of adjacent tokens that exist in the index.
  std::array<QueryUnit, kMaxUnits> units;
  size_t un = 0;
  double total_weight = 0;
  for (size_t i = 0; i < qn; ++i) {
    QueryUnit& u = units[un++];
    u.unit.text = sc.q.token(i);
    u.unit.first = static_cast<uint8_t>(i);
    u.unit.initial = u.unit.text.size() == 1;
    const uint32_t id = ix.token_ids.find(u.unit.text);
    if (u.unit.initial) {
      u.unit.weight = st.initial_weight;
    } else if (id != detail::StringTable::kMissing) {
      u.nb = ix.nb.data() + ix.nb_begin[id];
      u.nb_count = ix.nb_begin[id + 1] - ix.nb_begin[id];
      u.cost = ix.nb_cost[id];
      u.unit.weight = ix.weight[id];
    } else {
      std::vector<Neighbour>& v = sc.oov[i];
      ix.neighbours_of(u.unit.text, v, sc.tmp, sc.buf);
      u.nb = v.data();
      u.nb_count = v.size();
      // An unseen spelling weighs what its closest list token weighs; an unseen token
      // with no similar list token is as distinctive as a token can be.
      double w = ix.max_weight;
      float best = -1;
      for (const Neighbour& x : v) {
        if (x.sim > best || (x.sim == best && ix.weight[x.token] > w)) {
          best = x.sim;
          w = ix.weight[x.token];
        }
        u.cost += ix.post_begin[x.token + 1] - ix.post_begin[x.token];
      }
      u.unit.weight = w;
    }
    total_weight += u.unit.weight;
  }
  for (size_t i = 0; i + 1 < qn; ++i) {
    std::string& j = sc.joins[i];
    j.assign(sc.q.token(i));
    j.append(sc.q.token(i + 1));
    const uint32_t id = ix.token_ids.find(j);
    if (id == detail::StringTable::kMissing) continue;
    QueryUnit& u = units[un++];
    u.unit.text = j;
    u.unit.first = static_cast<uint8_t>(i);
    u.unit.joined = true;
    u.unit.weight = units[i].unit.weight + units[i + 1].unit.weight;
    u.nb = ix.nb.data() + ix.nb_begin[id];
    u.nb_count = ix.nb_begin[id + 1] - ix.nb_begin[id];
  }

  // Similarity rows: for each list token similar to some unit, that similarity per unit.
  for (size_t u = 0; u < un; ++u) {
    for (size_t k = 0; k < units[u].nb_count; ++k) {
      const Neighbour& x = units[u].nb[k];
      if (sc.tok_mark[x.token] != sc.epoch) {
        sc.tok_mark[x.token] = sc.epoch;
        if (sc.rows_used == sc.rows.size()) sc.rows.emplace_back();
        sc.rows[sc.rows_used].fill(0.0f);
        sc.tok_row[x.token] = static_cast<uint32_t>(sc.rows_used);
        ++sc.rows_used;
      }
      float& cell = sc.rows[sc.tok_row[x.token]][u];
      cell = std::max(cell, x.sim);
    }
  }

  // Which tokens to look up. If a name scores s >= θ, the weight A_U of unmatched query
  // tokens obeys s <= 2A_M / (2A_M + λq·A_U) with A_M = W - A_U, hence
  // A_U <= W·k/(1+k), k = 2(1-θ)/(θ·λq). Any set of query tokens heavier than that bound
  // contains a matched token, so looking up only such a set (the cheapest tokens first)
  // misses no hit. Initials have no postings and are never looked up.
  std::array<uint8_t, kMaxQueryTokens> order{};
  size_t on = 0;
  for (size_t i = 0; i < qn; ++i)
    if (!units[i].unit.initial) order[on++] = static_cast<uint8_t>(i);
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(on), [&](uint8_t a, uint8_t b) {
    return units[a].cost != units[b].cost ? units[a].cost < units[b].cost : a < b;
  });
  double bound = total_weight;
  if (st.query_extra_penalty > 0) {
    const double k = 2.0 * (1.0 - ix.min_threshold) / (ix.min_threshold * st.query_extra_penalty);
    bound = total_weight * k / (1.0 + k);
  }
  std::array<bool, kMaxQueryTokens> selected{};
  double acc = 0;
  for (size_t r = 0; r < on && acc <= bound; ++r) {
    selected[order[r]] = true;
    acc += units[order[r]].unit.weight;
  }
  for (size_t u = 0; u < un; ++u) {
    const Unit& unit = units[u].unit;
    const bool use = unit.joined ? (selected[unit.first] || selected[unit.first + 1u]) : selected[unit.first];
    if (!use) continue;
    for (size_t k = 0; k < units[u].nb_count; ++k) {
      const uint32_t t = units[u].nb[k].token;
      for (uint32_t p = ix.post_begin[t]; p < ix.post_begin[t + 1]; ++p) {
        const uint32_t id = ix.post[p];
        if (sc.name_mark[id] == sc.epoch) continue;
        sc.name_mark[id] = sc.epoch;
        sc.candidates.push_back(id);
      }
    }
  }

  // Verify each candidate.
  std::array<Unit, kMaxUnits> qunits;
  for (size_t u = 0; u < un; ++u) qunits[u] = units[u].unit;
  struct Scored {
    double score;
    uint32_t name;
  };
  std::vector<Scored> found;
  std::array<Unit, 2 * kMaxNameTokens> eunits;
  std::array<Pair, kMaxUnits * 2 * kMaxNameTokens> pairs;
  for (uint32_t id : sc.candidates) {
    const Impl::Name& nm = ix.names[id];
    const size_t en = nm.count * 2u - 1u;
    size_t pc = 0;
    for (size_t p = 0; p < en; ++p) {
      const uint32_t t = ix.name_tokens[nm.begin + p];
      Unit& e = eunits[p];
      e.joined = p >= nm.count;
      e.first = static_cast<uint8_t>(e.joined ? p - nm.count : p);
      e.text = ix.token_text[t];
      e.initial = e.text.size() == 1;
      e.weight = ix.weight[t];
      if (sc.tok_mark[t] == sc.epoch) {
        const auto& row = sc.rows[sc.tok_row[t]];
        for (size_t u = 0; u < un; ++u)
          if (row[u] > 0 && !(e.joined && qunits[u].joined))
            pairs[pc++] = {row[u], static_cast<uint8_t>(u), static_cast<uint8_t>(p)};
      }
      if (e.joined) continue;
      for (size_t u = 0; u < qn; ++u) {  // initials on either side
        const Unit& q = qunits[u];
        if ((!q.initial && !e.initial) || q.text[0] != e.text[0]) continue;
        const double s = q.initial && e.initial ? 1.0 : st.initial_similarity;
        pairs[pc++] = {static_cast<float>(s), static_cast<uint8_t>(u), static_cast<uint8_t>(p)};
      }
    }
    if (pc == 0) continue;
    const double s = align_score(qunits.data(), un, qn, eunits.data(), en, nm.count, pairs.data(), pc, st);
    if (s + 1e-12 >= ix.list_threshold[nm.list]) found.push_back({s, id});
  }
  if (found.empty()) return {};

  // Best name per entry, then order and cap.
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
    if (!best.empty() && ix.names[best.back().name].list == ix.names[f.name].list &&
        ix.names[best.back().name].entry == ix.names[f.name].entry)
      continue;
    best.push_back(f);
  }
  std::stable_sort(best.begin(), best.end(), [](const Scored& a, const Scored& b) { return a.score > b.score; });
  if (best.size() > st.max_hits) best.resize(st.max_hits);

  std::vector<NameHit> hits;
  hits.reserve(best.size());
  for (const Scored& f : best) {
    const Impl::Name& nm = ix.names[f.name];
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
    h.kind = h.score >= st.exact_threshold ? MatchKind::kExact : MatchKind::kFuzzy;
    hits.push_back(std::move(h));
  }
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
    return id == detail::StringTable::kMissing ? ix.max_weight : ix.weight[id];
  };
  std::vector<std::string> qjoin, ejoin;
  std::vector<Unit> qu, eu;
  for (size_t i = 0; i < qn; ++i) qu.push_back({q.token(i), weight_of(q.token(i)), static_cast<uint8_t>(i), false, q.token(i).size() == 1});
  for (size_t j = 0; j < en; ++j) eu.push_back({e.token(j), weight_of(e.token(j)), static_cast<uint8_t>(j), false, e.token(j).size() == 1});
  qjoin.reserve(qn);
  ejoin.reserve(en);
  for (size_t i = 0; i + 1 < qn; ++i) {
    qjoin.push_back(std::string(q.token(i)) + std::string(q.token(i + 1)));
    qu.push_back({qjoin.back(), qu[i].weight + qu[i + 1].weight, static_cast<uint8_t>(i), true, false});
  }
  for (size_t j = 0; j + 1 < en; ++j) {
    ejoin.push_back(std::string(e.token(j)) + std::string(e.token(j + 1)));
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
        s = similarity_or_zero(qu[u].text, eu[p].text, st.token_threshold);
      }
      if (s > 0) pairs.push_back({static_cast<float>(s), static_cast<uint8_t>(u), static_cast<uint8_t>(p)});
    }
  }
  if (pairs.empty()) return 0.0;
  return std::min(1.0, align_score(qu.data(), qu.size(), qn, eu.data(), eu.size(), en, pairs.data(),
                                   pairs.size(), st));
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
