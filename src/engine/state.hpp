#pragma once
// The engine's in-memory state and the pure-ish functions that apply one command to it.
// Private to the engine library. Everything here runs on the engine's thread only.
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include <deltran/engine/commands.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/ledger/ledger.hpp>
#include <deltran/risk/daily_counters.hpp>
#include <deltran/risk/limits.hpp>
#include <deltran/store/records.hpp>

namespace deltran::engine {

struct Flow {
  int64_t in_minor = 0;
  int64_t out_minor = 0;
  // The debtor's net debit in the window: what acceptance has reserved against its liquidity.
  int64_t reserved_minor() const { return out_minor > in_minor ? out_minor - in_minor : 0; }
};

struct LiveWindow {
  std::map<std::string, Flow> flows;                                // bank → flow
  std::map<std::pair<std::string, std::string>, int64_t> pair_sums;  // (debtor, creditor) → sum
};

struct IdempotencyEntry {
  std::string request_hash;
  PaymentResult result;
};

struct TokenReference {
  std::string bank;
  std::string currency;
  int64_t amount_minor = 0;
};

struct Engine::State {
  std::map<std::string, store::ParticipantRow> participants;
  ledger::Ledger ledger;
  std::map<int64_t, store::WindowRow> windows;
  std::map<std::string, int64_t> open_window_by_currency;
  std::map<int64_t, LiveWindow> live;  // aggregates of each open window
  std::unordered_map<std::string, IdempotencyEntry> idempotency;  // debtor \x1f key
  std::map<std::string, TokenReference> token_references;           // KIND:reference
  std::map<std::string, store::PaymentRow> held;  // payment id → held payment
  std::map<int64_t, store::CaseRow> open_cases;
  int64_t last_case_id = 0;
  std::map<std::string, risk::ParticipantLimits> limits;  // bank → limits per currency
  risk::DailyCounters daily;                              // accepted volume today
  int64_t next_window_id = 1;
  int64_t audit_seq = 0;
  std::string audit_hash;

  // Effects of the batch being built.
  store::Batch batch;
  std::set<ledger::AccountKey> dirty_accounts;
  std::set<int64_t> dirty_windows;
  bool auth_changed = false;
  int64_t now_us = 0;
  int64_t batch_queued = 0;
  int64_t batch_rejected = 0;
  int64_t batch_held = 0;
  int64_t batch_settled = 0;
  int64_t batch_windows_settled = 0;
};

// Rebuilds a state from a snapshot of the store.
void restore_state(Engine::State& s, const store::Snapshot& snap, int64_t now_us);
// Applies one command; effects go to s.batch. Never throws; assertions guard invariants.
Reply apply_command(Engine::State& s, const Settings& settings, const Command& c,
                    const std::string& actor);
// Moves the final rows of dirty accounts and windows into the batch.
void finish_batch(Engine::State& s);
// The hash that chains an audit row to its predecessor.
std::string audit_hash(const store::AuditRow& row);

}  // namespace deltran::engine
