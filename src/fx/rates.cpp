#include <deltran/fx/rates.hpp>

#include <algorithm>
#include <array>

#include <deltran/money/amount.hpp>

namespace deltran::fx {
namespace {

using i128 = __int128;

i128 pow10(int n) {
  i128 v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

bool mul(i128 a, i128 b, i128& out) { return !__builtin_mul_overflow(a, b, &out); }

Error overflow() { return Error{ErrorCode::kInvalidArgument, "the amount is too large to convert"}; }

constexpr size_t kCurrencySlots = 1'000;  // ISO 4217 numeric codes are below 1000

}  // namespace

Result<int64_t> parse_rate(std::string_view text) {
  auto bad = [&] {
    return make_error(ErrorCode::kInvalidArgument, "rate '" + std::string(text.substr(0, 40)) +
                                                       "' must be a positive decimal with at most 10 decimals, e.g. \"3.6725\"");
  };
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 9 || (dot != std::string_view::npos && frac.empty()) || frac.size() > kRateDecimals) {
    return bad();
  }
  i128 v = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') return bad();
    v = v * 10 + (c - '0');
  }
  for (size_t i = 0; i < static_cast<size_t>(kRateDecimals); ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') return bad();
    v = v * 10 + (c - '0');
  }
  if (v <= 0) return bad();
  if (v > kMaxRate) return make_error(ErrorCode::kInvalidArgument, "rate '" + std::string(text) + "' is above 100000000");
  return static_cast<int64_t>(v);
}

std::optional<std::pair<CurrencyId, CurrencyId>> parse_pair(std::string_view text) {
  std::string letters;
  for (char c : text) {
    if (c == '-' || c == '/' || c == '_' || c == ' ') continue;
    letters += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  if (letters.size() != 6) return std::nullopt;
  CurrencyId base = money::currency_id(letters.substr(0, 3)), quote = money::currency_id(letters.substr(3));
  if (!base.valid() || !quote.valid() || base == quote) return std::nullopt;
  return std::make_pair(base, quote);
}

bool is_quote_id(std::string_view text) {
  if (text.size() != 34 || text.substr(0, 2) != "q_") return false;
  for (char ch : text.substr(2)) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

std::string format_rate(int64_t scaled) {
  std::string whole = std::to_string(scaled / kRateScale);
  std::string frac = std::to_string(scaled % kRateScale);
  frac.insert(0, kRateDecimals - frac.size(), '0');
  while (frac.size() > 1 && frac.back() == '0') frac.pop_back();
  return whole + "." + frac;
}

Result<int64_t> convert(int64_t amount_in, int64_t num, int64_t den, CurrencyId from, CurrencyId to) {
  if (amount_in < 0 || num <= 0 || den <= 0) return make_error(ErrorCode::kInvalidArgument, "a conversion needs a positive rate");
  const int shift = money::exponent_of(to) - money::exponent_of(from);
  i128 n = 0, d = den;
  if (!mul(amount_in, num, n) || !mul(n, pow10(std::max(shift, 0)), n)) return tl::unexpected(overflow());
  if (!mul(d, pow10(std::max(-shift, 0)), d)) return tl::unexpected(overflow());
  i128 out = n / d;
  if (out > money::kMaxAmountMinor) return tl::unexpected(overflow());
  return static_cast<int64_t>(out);
}

Result<int64_t> amount_needed(int64_t amount_out, int64_t num, int64_t den, CurrencyId from, CurrencyId to) {
  if (amount_out < 0 || num <= 0 || den <= 0) return make_error(ErrorCode::kInvalidArgument, "a conversion needs a positive rate");
  // floor(a·num·10^to / (den·10^from)) ≥ out  ⇔  a·num·10^to ≥ out·den·10^from (out is whole).
  const int shift = money::exponent_of(to) - money::exponent_of(from);
  i128 n = 0, d = num;
  if (!mul(amount_out, den, n) || !mul(n, pow10(std::max(-shift, 0)), n)) return tl::unexpected(overflow());
  if (!mul(d, pow10(std::max(shift, 0)), d)) return tl::unexpected(overflow());
  i128 in = n / d + (n % d != 0 ? 1 : 0);
  if (in > money::kMaxAmountMinor) return tl::unexpected(overflow());
  return static_cast<int64_t>(in);
}

std::string rate_text(int64_t num, int64_t den) {
  i128 scaled = static_cast<i128>(num) * kRateScale / den;
  if (scaled > INT64_MAX) scaled = INT64_MAX;
  return format_rate(static_cast<int64_t>(scaled));
}

std::string tiers_problem(const Rate& r) {
  if (r.tiers.size() > kMaxTiers) return "at most " + std::to_string(kMaxTiers) + " tiers";
  int64_t last = 0;
  for (const Tier& t : r.tiers) {
    if (t.min_base_minor <= last) return "tiers go up in amount, each from more than the one before (and above 0)";
    if (t.min_base_minor > money::kMaxAmountMinor) return "a tier's amount is above what the rail can count";
    if (t.bid <= 0 || t.bid > t.ask || t.ask > kMaxRate) return "a tier needs 0 < bid <= ask <= 100000000";
    last = t.min_base_minor;
  }
  return {};
}

void RateBook::put(const Rate& r) {
  const Rate* before = find(r.provider, r.base, r.quote);
  const bool had_tiers = before != nullptr && !before->tiers.empty();
  auto [it, added] = rates_.insert_or_assign({r.base, r.quote, r.provider}, r);
  history_.push_back(r);
  if (history_.size() > kHistory) history_.pop_front();
  if (added || out_.empty() || had_tiers || !r.tiers.empty()) {
    rebuild();
  } else {
    // The same pair and provider: its two edges change their numbers in place.
    const int64_t mid = r.mid();
    for (auto* list : {&out_[r.base.numeric], &out_[r.quote.numeric], &in_[r.base.numeric], &in_[r.quote.numeric]}) {
      for (Edge& e : *list) {
        if (e.rate != &it->second) continue;
        const bool sell = e.from == r.base;
        e.num = sell ? r.bid : kRateScale;
        e.den = sell ? kRateScale : r.ask;
        e.mid_num = sell ? mid : kRateScale;
        e.mid_den = sell ? kRateScale : mid;
      }
    }
  }
}

void RateBook::remove_provider(std::string_view provider) {
  std::erase_if(rates_, [&](const auto& entry) { return entry.second.provider == provider; });
  rebuild();
}

void RateBook::restore(const std::vector<Rate>& current, std::deque<Rate> history) {
  rates_.clear();
  for (const Rate& r : current) rates_[{r.base, r.quote, r.provider}] = r;
  history_ = std::move(history);
  rebuild();
}

const Rate* RateBook::find(std::string_view provider, CurrencyId base, CurrencyId quote) const {
  auto it = rates_.find({base, quote, std::string(provider)});
  return it == rates_.end() ? nullptr : &it->second;
}

bool RateBook::offers(const Hop& h, const SearchLimits& at) const {
  if (out_.empty()) return false;
  for (const Edge& e : out_[h.from.numeric]) {
    if (e.to == h.to && e.rate->provider == h.provider && e.num == h.rate_num && e.den == h.rate_den &&
        h.amount_in >= e.min_in && live(*e.rate, at)) {
      return true;
    }
  }
  return false;
}

bool RateBook::live(const Rate& r, const SearchLimits& at) const {
  if (at.now_us > r.valid_until_us) return false;
  return at.max_age_us <= 0 || at.now_us - r.posted_us <= at.max_age_us;
}

std::vector<const Rate*> RateBook::rates() const {
  std::vector<const Rate*> out;
  out.reserve(rates_.size());
  for (const auto& [key, r] : rates_) out.push_back(&r);
  return out;
}

void RateBook::rebuild() {
  out_.assign(kCurrencySlots, {});
  in_.assign(kCurrencySlots, {});
  auto add = [&](const Edge& e) {
    out_[e.from.numeric].push_back(e);
    in_[e.to.numeric].push_back(e);
  };
  for (const auto& [key, r] : rates_) {
    const int64_t mid = r.mid();
    add(Edge{&r, r.base, r.quote, r.bid, kRateScale, mid, kRateScale, 0});
    add(Edge{&r, r.quote, r.base, kRateScale, r.ask, kRateScale, mid, 0});
    // A tier is one more conversion each way, from its amount on: selling the base, the
    // amount is base already; buying it, the least of the quote currency that buys that much.
    for (const Tier& t : r.tiers) {
      const int64_t tier_mid = mid_of(t.bid, t.ask);
      add(Edge{&r, r.base, r.quote, t.bid, kRateScale, tier_mid, kRateScale, t.min_base_minor});
      if (auto min_quote = amount_needed(t.min_base_minor, kRateScale, t.ask, r.quote, r.base)) {
        add(Edge{&r, r.quote, r.base, kRateScale, t.ask, kRateScale, tier_mid, *min_quote});
      }
    }
  }
}

namespace {

// One state of a search: an amount of `currency` reached by `edge` from node `prev`.
template <typename Edge>
struct Node {
  CurrencyId currency;
  int64_t amount = 0;
  int prev = -1;
  const Edge* edge = nullptr;
  int depth = 0;
};

template <typename Edge>
bool on_path(const std::vector<Node<Edge>>& nodes, int at, CurrencyId c) {
  for (; at >= 0; at = nodes[at].prev) {
    if (nodes[at].currency == c) return true;
  }
  return false;
}

template <typename Edge>
std::vector<const Edge*> edges_of(const std::vector<Node<Edge>>& nodes, int at) {
  std::vector<const Edge*> out;
  for (; at >= 0 && nodes[at].edge != nullptr; at = nodes[at].prev) out.push_back(nodes[at].edge);
  return out;
}

}  // namespace

Result<Path> RateBook::walk(const std::vector<const Edge*>& edges, CurrencyId from, int64_t send) const {
  Path p;
  p.send = send;
  int64_t amount = send;
  CurrencyId at = from;
  for (const Edge* e : edges) {
    Hop h;
    h.provider = e->rate->provider;
    h.from = at;
    h.to = e->to;
    h.rate_num = e->num;
    h.rate_den = e->den;
    h.amount_in = amount;
    h.rate_valid_until_us = e->rate->valid_until_us;
    auto out = convert(amount, e->num, e->den, at, e->to);
    if (!out) return tl::unexpected(out.error());
    auto mid = convert(amount, e->mid_num, e->mid_den, at, e->to);
    if (!mid) return tl::unexpected(mid.error());
    h.amount_out = *out;
    h.mid_out = *mid;
    amount = *out;
    at = e->to;
    p.hops.push_back(std::move(h));
  }
  p.receive = amount;
  return p;
}

namespace {

Error no_path(CurrencyId from, CurrencyId to, int max_hops) {
  return Error{ErrorCode::kNotFound, "no live rate joins " + std::string(money::code_of(from)) + " to " +
                                         std::string(money::code_of(to)) + " in up to " + std::to_string(max_hops) +
                                         " conversions"};
}

}  // namespace

Result<Path> RateBook::best_send(CurrencyId from, CurrencyId to, int64_t send, const SearchLimits& at) const {
  const int max_hops = std::clamp(at.max_hops, 1, kMaxHops);
  if (from == to) return make_error(ErrorCode::kInvalidArgument, "the two currencies are the same");
  if (out_.empty()) return tl::unexpected(no_path(from, to, max_hops));
  // Layer by layer (one more conversion each): the most of each currency reachable.
  // Conversion is monotone in the amount, so keeping the best per currency and layer loses
  // no better path. The last layer only needs the conversions into the target.
  std::vector<Node<Edge>> nodes{{from, send, -1, nullptr, 0}};
  std::array<int, kCurrencySlots> previous;
  previous.fill(-1);
  previous[from.numeric] = 0;
  std::vector<int> frontier{0};
  int best = -1;
  auto offer = [&](std::array<int, kCurrencySlots>& layer, std::vector<int>& next, int n, const Edge& e, int depth) {
    if (nodes[n].amount < e.min_in || !live(*e.rate, at) || on_path(nodes, n, e.to)) return;
    auto out = convert(nodes[n].amount, e.num, e.den, e.from, e.to);
    if (!out || *out <= 0) return;
    int& slot = layer[e.to.numeric];
    if (slot >= 0 && nodes[slot].amount >= *out) return;
    if (slot < 0) {
      slot = static_cast<int>(nodes.size());
      nodes.push_back({});
      next.push_back(slot);
    }
    nodes[slot] = Node<Edge>{e.to, *out, n, &e, depth};
  };
  for (int depth = 1; depth <= max_hops && !frontier.empty(); ++depth) {
    std::array<int, kCurrencySlots> layer;
    layer.fill(-1);
    std::vector<int> next;
    if (depth == max_hops) {
      for (const Edge& e : in_[to.numeric]) {
        if (previous[e.from.numeric] >= 0) offer(layer, next, previous[e.from.numeric], e, depth);
      }
    } else {
      for (int n : frontier) {
        for (const Edge& e : out_[nodes[n].currency.numeric]) offer(layer, next, n, e, depth);
      }
    }
    const int reached = layer[to.numeric];
    if (reached >= 0 && (best < 0 || nodes[reached].amount > nodes[best].amount)) best = reached;
    // Paths end at the target: it is not a pivot.
    if (reached >= 0) layer[to.numeric] = -1;
    next.erase(std::remove_if(next.begin(), next.end(), [&](int n) { return nodes[n].currency == to; }), next.end());
    frontier = std::move(next);
    previous = layer;
  }
  if (best < 0) return tl::unexpected(no_path(from, to, max_hops));
  auto edges = edges_of(nodes, best);
  std::reverse(edges.begin(), edges.end());
  return walk(edges, from, send);
}

Result<Path> RateBook::best_receive(CurrencyId from, CurrencyId to, int64_t receive, const SearchLimits& at) const {
  const int max_hops = std::clamp(at.max_hops, 1, kMaxHops);
  if (from == to) return make_error(ErrorCode::kInvalidArgument, "the two currencies are the same");
  if (in_.empty()) return tl::unexpected(no_path(from, to, max_hops));
  // Backwards from the target, layer by layer: the least of each currency that delivers it;
  // the last layer only needs the conversions out of the source.
  std::vector<Node<Edge>> nodes{{to, receive, -1, nullptr, 0}};
  std::array<int, kCurrencySlots> previous;
  previous.fill(-1);
  previous[to.numeric] = 0;
  std::vector<int> frontier{0};
  int best = -1;
  auto offer = [&](std::array<int, kCurrencySlots>& layer, std::vector<int>& next, int n, const Edge& e, int depth) {
    if (!live(*e.rate, at) || on_path(nodes, n, e.from)) return;
    auto need = amount_needed(nodes[n].amount, e.num, e.den, e.from, e.to);
    if (!need || *need <= 0) return;
    // A tier's rate serves from its amount on: sending its minimum then delivers at least as
    // much (the least need stays monotone in what is to be delivered, as the search needs).
    if (*need < e.min_in) need = e.min_in;
    int& slot = layer[e.from.numeric];
    if (slot >= 0 && nodes[slot].amount <= *need) return;
    if (slot < 0) {
      slot = static_cast<int>(nodes.size());
      nodes.push_back({});
      next.push_back(slot);
    }
    nodes[slot] = Node<Edge>{e.from, *need, n, &e, depth};
  };
  for (int depth = 1; depth <= max_hops && !frontier.empty(); ++depth) {
    std::array<int, kCurrencySlots> layer;
    layer.fill(-1);
    std::vector<int> next;
    if (depth == max_hops) {
      for (const Edge& e : out_[from.numeric]) {
        if (previous[e.to.numeric] >= 0) offer(layer, next, previous[e.to.numeric], e, depth);
      }
    } else {
      for (int n : frontier) {
        for (const Edge& e : in_[nodes[n].currency.numeric]) offer(layer, next, n, e, depth);
      }
    }
    const int reached = layer[from.numeric];
    if (reached >= 0 && (best < 0 || nodes[reached].amount < nodes[best].amount)) best = reached;
    if (reached >= 0) layer[from.numeric] = -1;
    next.erase(std::remove_if(next.begin(), next.end(), [&](int n) { return nodes[n].currency == from; }), next.end());
    frontier = std::move(next);
    previous = layer;
  }
  if (best < 0) return tl::unexpected(no_path(from, to, max_hops));
  // Walking back from the source's node follows the path forwards.
  std::vector<const Edge*> edges = edges_of(nodes, best);
  auto path = walk(edges, from, nodes[best].amount);
  if (path && path->receive < receive) {
    return make_error(ErrorCode::kInternal, "a receive-side path delivers less than asked");  // amount_needed is exact
  }
  return path;
}

std::optional<std::string> RateBook::money_making_cycle(CurrencyId start, const SearchLimits& at) const {
  // Bellman-Ford over rate products: the best product of a walk from `start` to each
  // currency, relaxed until nothing improves (at most once per currency in the book), so a
  // cycle of any length is found. Products of rates are not money: they are compared in long
  // double (64-bit mantissa, relative error ~1e-17 a step), with a margin of 1e-12, below which
  // no amount under 10^12 minor units gains even one minor unit. Money itself never passes
  // through floating point.
  constexpr long double kMargin = 1e-12L;
  if (out_.empty()) return std::nullopt;
  std::vector<long double> best(kCurrencySlots, 0.0L);
  std::vector<const Edge*> via(kCurrencySlots, nullptr);
  best[start.numeric] = 1.0L;
  // Rates in major units: around a cycle the currencies' exponents cancel.
  auto rate_of = [](const Edge& e) { return static_cast<long double>(e.num) / static_cast<long double>(e.den); };
  size_t currencies = 0;
  for (const auto& list : out_) currencies += list.empty() ? 0 : 1;
  long double back = 0.0L;
  const Edge* closing = nullptr;
  for (size_t round = 0; round < currencies; ++round) {
    bool changed = false;
    for (size_t c = 0; c < out_.size(); ++c) {
      if (best[c] <= 0.0L) continue;
      for (const Edge& e : out_[c]) {
        if (!live(*e.rate, at)) continue;
        const long double v = best[c] * rate_of(e);
        if (e.to == start) {
          if (v > back) {
            back = v;
            closing = &e;
          }
          continue;
        }
        if (v > best[e.to.numeric] * (1.0L + kMargin)) {
          best[e.to.numeric] = v;
          via[e.to.numeric] = &e;
          changed = true;
        }
      }
    }
    if (back > 1.0L + kMargin || !changed) break;
  }
  if (back <= 1.0L + kMargin || closing == nullptr) return std::nullopt;
  // The cycle, walked back from the conversion that closes it (at most one step a currency).
  std::vector<CurrencyId> chain{closing->from};
  for (const Edge* e = via[closing->from.numeric]; e != nullptr && chain.size() <= currencies; e = via[e->from.numeric]) {
    chain.push_back(e->from);
    if (e->from == start) break;
  }
  std::string text(money::code_of(start));
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (*it == start) continue;
    text += "→" + std::string(money::code_of(*it));
  }
  text += "→" + std::string(money::code_of(start));
  const auto gain = static_cast<int64_t>(std::min(back, 1e8L) * 1e10L);
  return text + " returns " + format_rate(gain) + " per unit";
}

}  // namespace deltran::fx
