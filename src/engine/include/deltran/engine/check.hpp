#pragma once
// Offline verification of a store against every invariant of the rail (`deltran check`).
#include <cstdint>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/store/store.hpp>

namespace deltran::engine {

struct CheckReport {
  std::vector<std::string> failures;  // empty when every invariant holds
  int64_t payments = 0;
  int64_t windows_settled = 0;
  int64_t journal_entries = 0;
  int64_t audit_entries = 0;
  bool ok() const { return failures.empty(); }
};

// Checks: ledger double entry and 1:1 backing; no balance below its floor; the journal
// replays to the stored balances; per settled window, positions sum to zero and equal
// incoming minus outgoing of its payments, and its gross and count match; no payment
// settled outside a settled window; the audit hash chain is unbroken.
[[nodiscard]] Result<CheckReport> check_store(store::Store& store);

}  // namespace deltran::engine
