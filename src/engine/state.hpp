#pragma once
// The engine's in-memory state and the pure-ish functions that apply one command to it.
// Private to the engine library. Everything here runs on the engine's thread only.
#include <array>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

#include <deltran/compliance/aml_history.hpp>
#include <deltran/engine/commands.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/ledger/ledger.hpp>
#include <deltran/risk/circuit_breaker.hpp>
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

// A participant's payments and failures per UTC day over the last 30 days, for the risk
// score's history factor.
struct ParticipantHistory {
  static constexpr int kDays = 30;
  std::array<uint32_t, kDays> payments{};
  std::array<uint32_t, kDays> failures{};
  std::array<int64_t, kDays> day{};  // the day number each slot holds
  void add(int64_t now_us, bool failed);
  void restore(int64_t day_number, uint32_t day_payments, uint32_t day_failures);
  std::pair<uint64_t, uint64_t> totals(int64_t now_us) const;  // (payments, failures)
};

// The memory of the stateful controls (controls.cpp).
struct ControlState {
  std::unique_ptr<compliance::AmlHistory> aml;  // built from the settings on restore
  risk::CircuitBreakers breakers;
  std::map<std::string, ParticipantHistory> history;    // debtor agent → 30 days
  std::unordered_map<std::string, int64_t> last_sar;    // debtor key → last SAR time
  int64_t last_report_id = 0;
  int64_t next_prune_us = 0;
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
  ControlState controls;
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
  int64_t batch_ctr = 0;
  int64_t batch_sar = 0;
  int64_t batch_refused = 0;
  int64_t batch_breakers_opened = 0;
};

// Rebuilds a state from a snapshot of the store.
void restore_state(Engine::State& s, const Settings& settings, const store::Snapshot& snap, int64_t now_us);

// Shared by apply.cpp and controls.cpp.
Reply error_reply(Outcome outcome, std::string code, std::string reason, std::string message);
std::string format_minor(int64_t minor, const std::string& currency);
void audit(Engine::State& s, const std::string& actor, std::string action, std::string entity, std::string detail);

// --- the stateful controls (controls.cpp) ----------------------------------------------

// What the controls say about a payment, computed without changing anything.
struct Assessment {
  RiskReport report;
  compliance::AmlPayment aml_payment;
  std::optional<compliance::AmlAssessment> aml;
  std::optional<risk::RiskEvaluation> risk;
};
Assessment assess_payment(const Engine::State& s, const Settings& settings, const TransferCommand& c);
// The AML and risk explanation kept with a case or a rejection: "\"aml\":{…},\"risk\":{…}"
// (members of an object, without braces). Built only when a payment is held or rejected.
std::string explain(const Assessment& a);

// How a payment ended, for the counters and the circuit breakers.
enum class Ending { kQueued, kHeld, kInsufficientLiquidity, kLimitBreach, kRiskRejected, kComplianceBlocked };
// Records a payment's ending: breakers (with audit of a trip), history, AML history, and
// CTR/SAR records for queued or held payments. `a` may be null (a payment the controls
// did not assess: compliance blocks, released cases).
void record_ending(Engine::State& s, const Settings& settings, const TransferCommand& c, const Assessment* a,
                   Ending ending, const std::string& actor);
// Takes a probe slot when the breaker is half-open: call once, just before applying.
// `corridor` as assess_payment computed it.
bool breakers_allow(Engine::State& s, const Settings& settings, const TransferCommand& c, const std::string& corridor,
                    int64_t& retry_after_s);
void restore_controls(Engine::State& s, const Settings& settings, const store::Snapshot& snap, int64_t now_us);
Reply apply_risk_query(const Engine::State& s, const Settings& settings, const RiskQuery& q);
Reply apply_breakers_query(const Engine::State& s, const Settings& settings);
Reply apply_reset_breaker(Engine::State& s, const Settings& settings, const ResetBreakerCommand& c,
                          const std::string& actor);
// Applies one command; effects go to s.batch. Never throws; assertions guard invariants.
Reply apply_command(Engine::State& s, const Settings& settings, const Command& c,
                    const std::string& actor);
// Moves the final rows of dirty accounts and windows into the batch.
void finish_batch(Engine::State& s);
// The hash that chains an audit row to its predecessor.
std::string audit_hash(const store::AuditRow& row);

}  // namespace deltran::engine
