#pragma once
// The stateful half of the AML rules: per-debtor payments of the last 24 h, failed
// payments of the last 30 days, and the counterparty pairs seen. Owned and updated by the
// single-writer core; deterministic — time comes in with each call (no clock reads), and
// the same calls give the same state on every run, so the core rebuilds it by replay.
//
// Parties are kept as 64-bit hashes of their keys, not strings: a rail sees millions of
// distinct debtors a day and the history must stay small. Two keys with the same hash
// (about one chance in 10^7 among a million keys) would share a history: at worst a
// counterparty reads as known or a count is one too high, never a payment lost.
#include <cstdint>
#include <string_view>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include <deltran/compliance/aml.hpp>
#include <deltran/core/binary.hpp>

namespace deltran::compliance {

class AmlHistory {
 public:
  // Keeps what the settings' windows need. A debtor's window holds at most
  // `max_per_debtor` payments (the most recent); counts beyond it are lower bounds.
  explicit AmlHistory(const AmlSettings& settings, size_t max_per_debtor = 512);

  // Facts about `p.debtor` before `p`, at `p.time_us`. Does not change the history.
  AmlHistoryFacts facts(const AmlPayment& p) const;
  // Records `p` (call it for each payment the rail accepts or holds, after assess_aml).
  void record(const AmlPayment& p);
  // Remembers that `debtor` paid `creditor` at `time_us` (rebuilding the counterparty
  // memory without the payments themselves).
  void remember_pair(std::string_view debtor, std::string_view creditor, int64_t time_us);
  // Records a failed (rejected) payment of `debtor`.
  void record_failure(std::string_view debtor, int64_t time_us);
  // Forgets payments older than the longest window, failures older than 30 days, pairs
  // older than the counterparty memory, and keys with nothing left.
  void prune(int64_t now_us);

  size_t debtor_count() const { return debtors_.size(); }
  uint64_t shed_count() const { return shed_; }  // entries forgotten early for the bounds
  size_t pair_count() const { return pairs_.size(); }
  size_t payment_count() const;

  static constexpr int64_t kFailureWindowUs = 30LL * 86'400'000'000;

  // The whole history, for the core's snapshot (the settings come from the process that
  // loads it).
  void save(BinaryWriter& w) const;
  [[nodiscard]] bool load(BinaryReader& r);

 private:
  struct Seen {
    int64_t time_us;
    int64_t amount_usd_minor;
  };
  static uint64_t key_hash(std::string_view key);
  static uint64_t pair_hash(std::string_view from, std::string_view to);
  // Keeps the maps within the settings' bounds: forgets the entries idle the longest.
  void shed(int64_t now_us);

  AmlSettings settings_;
  size_t max_per_debtor_;
  size_t max_failures_;
  int64_t horizon_us_;  // the longest window kept per debtor
  // Open-addressing maps (no allocation per entry): millions of entries are kept, read
  // back from every snapshot, and looked up for every payment.
  template <typename V>
  using Map = boost::unordered_flat_map<uint64_t, V>;
  // Most debtors have one payment in the horizon: kept inline, no allocation.
  Map<boost::container::small_vector<Seen, 1>> debtors_;  // sorted by time
  Map<std::vector<int64_t>> failures_;  // sorted times
  Map<int64_t> pairs_;                  // (from, to) -> last payment time
  uint64_t shed_ = 0;
};

}  // namespace deltran::compliance
