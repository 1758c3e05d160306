#pragma once
// The stateful half of the AML rules: per-debtor payments of the last 24 h and the
// counterparty pairs seen. Owned and updated by the single-writer core; deterministic —
// time comes in with each call (no clock reads), iteration is in key order, and the same
// calls give the same state on every run, so the core can rebuild it by replay.
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include <deltran/compliance/aml.hpp>

namespace deltran::compliance {

class AmlHistory {
 public:
  // Keeps what the settings' windows need. A debtor's window holds at most
  // `max_per_debtor` payments (the most recent); counts beyond it are lower bounds.
  explicit AmlHistory(const AmlSettings& settings, size_t max_per_debtor = 4096);

  // Facts about `p.debtor` before `p`, at `p.time_us`. Does not change the history.
  AmlHistoryFacts facts(const AmlPayment& p) const;
  // Records `p` (call it for each payment the rail accepts, after assess_aml).
  void record(const AmlPayment& p);
  // Forgets payments older than the longest window, and debtors with none left. The
  // counterparty pairs are kept: "new counterparty" means never seen before.
  void prune(int64_t now_us);

  size_t debtor_count() const { return debtors_.size(); }
  size_t pair_count() const { return pairs_.size(); }
  size_t payment_count() const;

 private:
  struct Seen {
    int64_t time_us;
    int64_t amount_usd_minor;
  };
  static std::string pair_key(std::string_view from, std::string_view to);

  AmlSettings settings_;
  size_t max_per_debtor_;
  int64_t horizon_us_;  // the longest window kept per debtor
  std::map<std::string, std::deque<Seen>, std::less<>> debtors_;  // sorted by time
  std::map<std::string, int64_t, std::less<>> pairs_;  // "from\x1Fto" -> last payment time
};

}  // namespace deltran::compliance
