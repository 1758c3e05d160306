#pragma once
// Offline verification of a store against every invariant of the rail (`deltran check`).
#include <cstdint>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/store/anchor.hpp>
#include <deltran/store/read_model.hpp>

namespace deltran::engine {

struct CheckReport {
  // Each failure starts with the invariant it breaks: "ledger:", "journal:", "window N:",
  // "audit chain:", "anchor:". Empty when every invariant holds.
  std::vector<std::string> failures;
  std::vector<std::string> notes;  // worth knowing, not a failure (batches not yet anchored)
  int64_t payments = 0;
  int64_t windows_settled = 0;
  int64_t journal_entries = 0;
  int64_t events = 0;
  int64_t batches = 0;
  int64_t anchored_batches = 0;
  bool ok() const { return failures.empty(); }
};

// Checks: per currency the accounts sum to zero, tokens in circulation equal the fiat in
// the omnibus account, no balance below its floor, the clearing account is zero; the
// journal replays to every stored balance; per window, its gross and count match its
// payments, and once settled its positions sum to zero and each equals incoming minus
// outgoing; no rejected or held payment sits in a window; the event log is dense and every
// batch's chain hash matches its events; every line of the anchor matches the chain, and
// the chain reaches the anchor's last batch. `anchor` may be null when there is none to
// check (a store without one fails if it has events).
[[nodiscard]] Result<CheckReport> check_store(store::ReadModel& store, store::Anchor* anchor);

}  // namespace deltran::engine
