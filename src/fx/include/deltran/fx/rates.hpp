#pragma once
// FX providers' standing rates and the conversions they allow: exact integer arithmetic,
// best paths over the rate graph (direct or through pivots), and the check that no cycle of
// rates makes money. Pure: no I/O, no clock (callers pass `now`).
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/money/currency.hpp>

namespace deltran::fx {

using money::CurrencyId;

// A rate is an exact decimal with up to 10 places: units of the quote currency per one unit
// of the base currency, times 10^10 ("3.6725" is 36'725'000'000).
inline constexpr int kRateDecimals = 10;
inline constexpr int64_t kRateScale = 10'000'000'000;
inline constexpr int64_t kMaxRate = 100'000'000 * kRateScale;  // 1e8 quote units per base unit

// "3.6725" → 36'725'000'000. Positive, at most 10 decimals, at most 1e8; no exponent, no sign.
[[nodiscard]] Result<int64_t> parse_rate(std::string_view text);
// A currency pair as people write it: "USD-INR", "USD/INR", "USDINR", "usd_inr" → (USD, INR).
// Null unless both are ISO 4217 codes and differ.
std::optional<std::pair<CurrencyId, CurrencyId>> parse_pair(std::string_view text);
// 36'725'000'000 → "3.6725" (trailing zeros dropped, at least one decimal).
std::string format_rate(int64_t scaled);

// A provider's standing rate for base/quote. The provider buys the base currency at `bid`
// and sells it at `ask` (bid ≤ ask): converting base → quote gets bid, quote → base pays ask.
// A better rate for larger conversions: from `min_base_minor` of the base currency on
// (whichever way the conversion goes), `bid`/`ask` apply instead of the rate's own.
struct Tier {
  int64_t min_base_minor = 0;
  int64_t bid = 0, ask = 0;
};

inline int64_t mid_of(int64_t bid, int64_t ask) { return bid / 2 + ask / 2 + (bid % 2 + ask % 2) / 2; }

struct Rate {
  std::string provider;  // the FX provider's BIC
  CurrencyId base, quote;
  int64_t bid = 0, ask = 0;  // scaled by kRateScale
  int64_t posted_us = 0;
  int64_t valid_until_us = 0;
  std::vector<Tier> tiers;  // ascending min_base_minor, each above 0; at most kMaxTiers
  int64_t mid() const { return mid_of(bid, ask); }
};
inline constexpr size_t kMaxTiers = 8;
// Why a rate's tiers are not acceptable (not ascending, a bid above its ask, a rate above
// kMaxRate, too many), or empty.
std::string tiers_problem(const Rate& r);

// One conversion of a path: `amount_in` of `from` became `amount_out` of `to` at the
// provider's rate, `to` per `from` = rate_num / rate_den (exact). `mid_out` is what the mid
// rate would have given; mid_out − amount_out is the provider's spread, the hop's cost.
struct Hop {
  std::string provider;
  CurrencyId from, to;
  int64_t rate_num = 0, rate_den = 0;
  int64_t amount_in = 0, amount_out = 0, mid_out = 0;
  int64_t rate_valid_until_us = 0;
};

struct Path {
  std::vector<Hop> hops;
  int64_t send = 0;     // of hops.front().from
  int64_t receive = 0;  // of hops.back().to
};

// The rounding rule of every conversion: amount_out = floor(amount_in × num / den ×
// 10^(exponent(to) − exponent(from))), in integers: never more than the rate gives, less by
// under one minor unit, the remainder staying with the provider. Error on overflow.
[[nodiscard]] Result<int64_t> convert(int64_t amount_in, int64_t num, int64_t den, CurrencyId from, CurrencyId to);
// The least amount_in whose conversion is at least `amount_out` (for quotes on the
// receiving side).
[[nodiscard]] Result<int64_t> amount_needed(int64_t amount_out, int64_t num, int64_t den, CurrencyId from, CurrencyId to);
// The effective rate of num/den as a decimal of 10 places, rounded down ("0.2722940776").
std::string rate_text(int64_t num, int64_t den);

// A quote given to a participant: the path and amounts it will be honoured at until it
// expires, whatever the providers post meanwhile.
struct Quote {
  std::string id;           // "q_" + 32 hex digits
  std::string participant;  // whom it was given to (BIC), or "admin"
  bool receive_side = false;  // the amount asked was what the creditor receives
  Path path;
  int64_t created_us = 0, expires_us = 0;
  std::string used_by;  // "payment <id>" or "conversion <reference>": a quote is used once, by its participant
};

// "q_" and 32 lowercase hex digits: the shape of every quote id the rail gives.
bool is_quote_id(std::string_view text);

// Paths take at most this many conversions: keeping the best amount per currency and layer
// is exact up to three (a fourth could need a currency the kept path already used).
inline constexpr int kMaxHops = 3;

struct SearchLimits {
  int64_t now_us = 0;
  int64_t max_age_us = 0;  // 0: no age limit; a rate posted longer ago is stale
  int max_hops = 3;        // direct, or through up to two pivot currencies (at most kMaxHops)
};

class RateBook {
 public:
  RateBook() = default;
  // Copies rebuild the graph: its edges point into the copy's own rates.
  RateBook(const RateBook& other) : rates_(other.rates_), history_(other.history_) { rebuild(); }
  RateBook& operator=(const RateBook& other) {
    if (this != &other) {
      rates_ = other.rates_;
      history_ = other.history_;
      rebuild();
    }
    return *this;
  }

  // Sets the provider's rate for its pair, replacing the one before; keeps it in the history.
  void put(const Rate& r);
  // Drops every current rate of a provider (its history stays).
  void remove_provider(std::string_view provider);
  // The state a snapshot kept: the current rates and the history, as they were.
  void restore(const std::vector<Rate>& current, std::deque<Rate> history);
  // The provider's rate for base/quote, live or not; null when it never posted one.
  const Rate* find(std::string_view provider, CurrencyId base, CurrencyId quote) const;
  bool live(const Rate& r, const SearchLimits& at) const;
  // Whether the hop's conversion is one the provider's live rate (or one of its tiers, for
  // the hop's amount) gives now: how a quote computed from a view is checked in the core.
  bool offers(const Hop& h, const SearchLimits& at) const;
  // Every current rate (one per provider and pair), ordered by pair then provider.
  std::vector<const Rate*> rates() const;
  // The postings kept, oldest first (at most kHistory): rates as posted, also the replaced.
  static constexpr size_t kHistory = 4'096;
  const std::deque<Rate>& history() const { return history_; }

  // Best conversion of `send` of `from` into `to` through live rates: the most received.
  // Error (kNotFound) when no path of live rates joins them.
  [[nodiscard]] Result<Path> best_send(CurrencyId from, CurrencyId to, int64_t send, const SearchLimits& at) const;
  // Best way to deliver exactly `receive` of `to`: the least sent.
  [[nodiscard]] Result<Path> best_receive(CurrencyId from, CurrencyId to, int64_t receive, const SearchLimits& at) const;
  // A cycle of live rates through `start` that returns more than it takes, written
  // "USD→EUR→GBP→USD (1.0012)"; empty when there is none. Any new money-making cycle passes
  // through a changed pair's currencies, so checking those after a change is enough.
  std::optional<std::string> money_making_cycle(CurrencyId start, const SearchLimits& at) const;

 private:
  // One conversion a rate offers: its own bid or ask, or a tier's from `min_in` (in the
  // currency converted from) on.
  struct Edge {
    const Rate* rate;
    CurrencyId from, to;
    int64_t num, den;
    int64_t mid_num, mid_den;
    int64_t min_in = 0;
  };
  void rebuild();
  Result<Path> walk(const std::vector<const Edge*>& edges, CurrencyId from, int64_t send) const;
  std::map<std::tuple<CurrencyId, CurrencyId, std::string>, Rate> rates_;
  std::deque<Rate> history_;
  // Every rate as two conversions (base → quote at bid, quote → base at ask), by the
  // currency they leave and the one they reach (ISO numeric code); liveness is checked
  // when a search meets them.
  std::vector<std::vector<Edge>> out_, in_;
};

}  // namespace deltran::fx
