#pragma once
// The commit log: what the single-writer core needs from a store. It commits one batch —
// the events of a group commit and their effects on the read model — in one transaction,
// and gives back the latest snapshot of the core's state and the events after it, which
// is all a restart reads. Adapters (SQLite, PostgreSQL) implement it with no business
// rules of their own: what a batch means is the engine's.
//
// Threads: commit() runs on the core's commit thread while the core's own thread calls the
// reads (read_events, chain_link, payment_answer, window_payments) for the next batch;
// an adapter serves the two from separate connections, and the reads see committed data
// only. One commit at a time.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/core/result_code.hpp>
#include <deltran/model/event.hpp>
#include <deltran/model/payment.hpp>
#include <deltran/model/records.hpp>
#include <deltran/model/window.hpp>

namespace deltran::store {

// The answer to an idempotency key (header, "e2e:<EndToEndId>" or an ISO 20022
// MsgId/EndToEndId) as the payment it names stands: what a late retry gets again. Read
// from the payment's row by its seq (the engine keeps key fingerprint → seq), so keys
// cost the store neither a row nor an index.
struct IdempotencyRecord {
  std::string debtor_agent;
  std::string key;
  std::string request_hash;
  std::string payment_id;
  std::string uetr;
  model::PaymentStatus status = model::PaymentStatus::kQueued;  // QUEUED, HELD or REJECTED
  Rc rc = Rc::kOk;
  std::string reason_text;
  int64_t window_id = 0;
  int64_t case_id = 0;
  int64_t created_us = 0;
};

// A held payment's later change (released into a window, or rejected).
struct PaymentChange {
  std::string id;
  model::PaymentStatus status = model::PaymentStatus::kQueued;
  Rc rc = Rc::kOk;
  std::string reason_text;
  int64_t window_id = 0;
  int64_t updated_us = 0;
  std::vector<int64_t> leg_windows;  // a cross-currency payment released into windows: each leg's
};

// Everything one group commit writes, in one store transaction.
struct Batch {
  std::vector<model::Event> events;  // dense sequence numbers, ascending
  std::optional<model::ChainLink> link;  // set whenever there are events

  // Effects on the read model.
  std::vector<model::Participant> participants;     // inserts
  std::vector<model::Payment> payments;             // inserts
  std::vector<PaymentChange> payment_changes;       // applied after the inserts
  std::vector<model::AccountBalance> accounts;      // upserts of final balances
  std::vector<model::JournalEntry> journal;         // inserts
  std::vector<model::Window> windows;               // upserts; positions replaced when non-empty
  std::vector<model::Case> cases;                   // upserts
  std::vector<model::AmlReport> aml_reports;        // inserts
  std::vector<model::CurrencyLimits> limits;        // upserts

  bool empty() const {
    return events.empty() && participants.empty() && payments.empty() && payment_changes.empty() &&
           accounts.empty() && journal.empty() && windows.empty() && cases.empty() && aml_reports.empty() &&
           limits.empty();
  }
  void clear() { *this = Batch{}; }
};

// A payment of a settled window, as the core tells its settlement (payment.settled).
struct WindowPayment {
  int64_t seq = 0;  // the read model's order: where the telling resumes
  std::string id;
  std::string debtor_agent;
  std::string creditor_agent;
  money::Amount amount;
};

// A snapshot of the core's state as of event `seq` (opaque bytes, the engine's format).
struct Snapshot {
  int64_t seq = 0;
  std::string bytes;
};

class CommitLog {
 public:
  virtual ~CommitLog() = default;

  // Writes the whole batch in one transaction, durably, or nothing (Unavailable/Internal).
  [[nodiscard]] virtual Status commit(const Batch& batch) = 0;
  // Events with seq > after_seq, ascending, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<model::Event>> read_events(int64_t after_seq, int limit) = 0;
  // A batch's chain link, or the last one when batch is 0; nullopt when there is none.
  [[nodiscard]] virtual Result<std::optional<model::ChainLink>> chain_link(int64_t batch) = 0;
  // The answer of the payment whose row is `seq` (the seq of its first event), if stored.
  [[nodiscard]] virtual Result<std::optional<IdempotencyRecord>> payment_answer(int64_t seq) = 0;
  // Payments queued in a window, in order, after `after_seq` (committed ones only).
  [[nodiscard]] virtual Result<std::vector<WindowPayment>> window_payments(int64_t window_id, int64_t after_seq,
                                                                          int limit) = 0;
  // The newest snapshot, if any. Snapshots are saved from any thread, beside commits.
  [[nodiscard]] virtual Result<std::optional<Snapshot>> latest_snapshot() = 0;
  [[nodiscard]] virtual Status save_snapshot(const Snapshot& snapshot) = 0;
};

}  // namespace deltran::store
