#pragma once
// The read model: queries for the API and for `deltran check`, over what the commit log
// wrote. Safe from any thread; adapters read through connections of their own, never the
// writer's.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/model/event.hpp>
#include <deltran/model/payment.hpp>
#include <deltran/model/records.hpp>
#include <deltran/model/window.hpp>

namespace deltran::store {

struct PaymentFilter {
  std::optional<model::PaymentStatus> status;
  std::string participant;  // empty: all; else debtor or creditor agent
  money::CurrencyId currency;
  int64_t window_id = 0;
  int64_t before_seq = 0;  // cursor: rows with seq < before_seq; 0 = from the newest
  int limit = 100;
};

struct EventFilter {
  int64_t after_seq = 0;
  int limit = 100;
  // Empty: every event. Else the public events and those naming this participant.
  std::string participant;
};

// One payment's share of the checks: which window, how it stands, who pays whom.
struct PaymentFlow {
  int64_t window_id = 0;
  model::PaymentStatus status = model::PaymentStatus::kQueued;  // as stored (QUEUED, HELD, REJECTED)
  std::string debtor_agent;
  std::string creditor_agent;
  int64_t amount_minor = 0;
};

class ReadModel {
 public:
  virtual ~ReadModel() = default;

  [[nodiscard]] virtual Result<std::optional<model::Payment>> get_payment(const std::string& id) = 0;
  [[nodiscard]] virtual Result<std::vector<model::Payment>> list_payments(const PaymentFilter& f) = 0;
  [[nodiscard]] virtual Result<std::optional<model::Window>> get_window(int64_t id) = 0;
  // Newest first; `currency` invalid for all.
  [[nodiscard]] virtual Result<std::vector<model::Window>> list_windows(money::CurrencyId currency, int64_t before_id,
                                                                        int limit) = 0;
  [[nodiscard]] virtual Result<std::vector<model::Case>> list_cases(std::optional<model::CaseStatus> status,
                                                                    int64_t before_id, int limit) = 0;
  [[nodiscard]] virtual Result<std::optional<model::Case>> get_case(int64_t id) = 0;
  // CTR and SAR records, newest first; `kind` empty for both.
  [[nodiscard]] virtual Result<std::vector<model::AmlReport>> list_aml_reports(const std::string& kind,
                                                                                int64_t before_id, int limit) = 0;
  [[nodiscard]] virtual Result<std::vector<model::Event>> list_events(const EventFilter& f) = 0;
  // Postings that moved `owner`'s tokens with from_us <= created_us < to_us, oldest first,
  // and its balance per currency just before `at_us` (for statements).
  [[nodiscard]] virtual Result<std::vector<model::JournalEntry>> list_postings(const std::string& owner,
                                                                                int64_t from_us, int64_t to_us) = 0;
  [[nodiscard]] virtual Result<std::map<money::CurrencyId, int64_t>> balances_before(const std::string& owner,
                                                                                    int64_t at_us) = 0;

  // For `deltran check`: every account, every posting, every payment's flow, every chain
  // link, in order. The visitors stream, so memory stays flat whatever the store's size.
  [[nodiscard]] virtual Result<std::vector<model::AccountBalance>> list_accounts() = 0;
  [[nodiscard]] virtual Status for_each_journal_entry(const std::function<void(const model::JournalEntry&)>& fn) = 0;
  [[nodiscard]] virtual Status for_each_payment_flow(const std::function<void(const PaymentFlow&)>& fn) = 0;
  [[nodiscard]] virtual Status for_each_chain_link(const std::function<void(const model::ChainLink&)>& fn) = 0;
  [[nodiscard]] virtual Status for_each_event(const std::function<void(const model::Event&)>& fn) = 0;

  // True when the store answers a trivial query.
  [[nodiscard]] virtual bool healthy() = 0;
};

}  // namespace deltran::store
