#pragma once
// The system of record. One writer (the engine's thread) commits batches; any thread may
// read committed rows. Adapters: SQLite (embedded default); PostgreSQL later.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/store/records.hpp>

namespace deltran::store {

class Store {
 public:
  virtual ~Store() = default;

  // Writes the whole batch in one transaction, durably, or nothing (Unavailable/Internal).
  [[nodiscard]] virtual Status commit(const Batch& batch) = 0;
  // Reads what the engine needs to rebuild its state (see LoadRange for the time bounds).
  [[nodiscard]] virtual Result<Snapshot> load(const LoadRange& range) = 0;

  // Reads of committed data; safe from any thread.
  [[nodiscard]] virtual Result<std::optional<PaymentRow>> get_payment(const std::string& id) = 0;
  [[nodiscard]] virtual Result<std::vector<PaymentRow>> list_payments(const PaymentFilter& f) = 0;
  [[nodiscard]] virtual Result<std::optional<WindowRow>> get_window(int64_t id) = 0;
  [[nodiscard]] virtual Result<std::vector<WindowRow>> list_windows(const std::string& currency,
                                                                   int64_t before_id, int limit) = 0;
  [[nodiscard]] virtual Result<std::vector<AuditRow>> read_audit(int64_t after_seq, int limit) = 0;
  [[nodiscard]] virtual Result<std::vector<AccountRow>> list_accounts() = 0;
  [[nodiscard]] virtual Result<std::vector<JournalRow>> list_journal() = 0;
  // Postings that moved `owner`'s tokens with from_us <= created_us < to_us, oldest first,
  // and its balance per currency just before from_us (for statements).
  [[nodiscard]] virtual Result<std::vector<JournalRow>> list_postings(const std::string& owner, int64_t from_us,
                                                                     int64_t to_us) = 0;
  [[nodiscard]] virtual Result<std::map<std::string, int64_t>> balances_before(const std::string& owner,
                                                                              int64_t at_us) = 0;
  [[nodiscard]] virtual Result<std::vector<CaseRow>> list_cases(std::optional<CaseStatus> status, int64_t before_id,
                                                                int limit) = 0;
  [[nodiscard]] virtual Result<std::optional<CaseRow>> get_case(int64_t id) = 0;
  // CTR and SAR records, newest first; `kind` empty for both.
  [[nodiscard]] virtual Result<std::vector<AmlReportRow>> list_aml_reports(const std::string& kind, int64_t before_id,
                                                                           int limit) = 0;
  // Payments summed per window, ordered pair and status (for `deltran check`).
  [[nodiscard]] virtual Result<std::vector<FlowRow>> aggregate_flows() = 0;
  // True when the store answers a trivial query.
  [[nodiscard]] virtual bool healthy() = 0;
};

struct SqliteSettings {
  std::string path;               // database file; created with its schema when missing
  bool synchronous_full = true;   // fsync the WAL on every commit (power-loss durable)
  int reader_connections = 4;
  int busy_timeout_ms = 5000;
};

[[nodiscard]] Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteSettings& settings);

}  // namespace deltran::store
