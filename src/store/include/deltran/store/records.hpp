#pragma once
// The rows of the system of record, as plain structs shared by the engine and the store
// adapters. Amounts are int64_t minor units; times are microseconds since the epoch, UTC.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

namespace deltran::store {

// HELD: stopped for compliance review, with an open case; not yet in a window.
enum class PaymentStatus : uint8_t { kQueued = 1, kSettled = 2, kRejected = 3, kHeld = 4 };
const char* to_string(PaymentStatus s);
std::optional<PaymentStatus> parse_payment_status(std::string_view s);

struct PaymentRow {
  int64_t seq = 0;  // assigned by the store on insert; the listing cursor
  std::string id;
  std::string uetr;
  std::string end_to_end_id;
  std::string idempotency_key;  // empty when the sender gave none
  std::string request_hash;     // SHA-256 of the canonical request, to spot a reused key
  std::string debtor_agent;
  std::string creditor_agent;
  std::string currency;
  int64_t amount_minor = 0;
  std::string debtor_name;
  std::string debtor_account;
  std::string creditor_name;
  std::string creditor_account;
  std::string remittance_info;
  std::string channel;  // json, pain.001, pacs.008
  PaymentStatus status = PaymentStatus::kQueued;
  std::string reason;   // ISO 20022 reason code when rejected
  std::string reason_text;  // why, for people
  int64_t window_id = 0;
  int64_t created_us = 0;
  int64_t updated_us = 0;
};

struct ParticipantRow {
  std::string id;  // BIC
  std::string name;
  std::string country;
  std::string api_key_hash;
  std::vector<std::string> currencies;
  std::map<std::string, int64_t> net_debit_cap_minor;  // per currency
  int64_t created_us = 0;
};

struct AccountRow {
  std::string owner;
  std::string currency;
  int64_t balance_minor = 0;
  int64_t floor_minor = 0;
};

struct JournalRow {
  std::string kind;  // MINT, BURN, SETTLEMENT…
  std::string currency;
  std::string from;
  std::string to;
  int64_t amount_minor = 0;
  std::string reference;
  int64_t window_id = 0;  // 0 when not a window settlement
  int64_t created_us = 0;
};

enum class WindowStatus : uint8_t { kOpen = 1, kSettled = 2 };
const char* to_string(WindowStatus s);

struct PositionRow {
  std::string bank;
  int64_t net_minor = 0;  // incoming minus outgoing
};

struct WindowRow {
  int64_t id = 0;
  std::string currency;
  WindowStatus status = WindowStatus::kOpen;
  int64_t opened_us = 0;
  int64_t closed_us = 0;
  int64_t payment_count = 0;
  int64_t gross_minor = 0;
  int64_t net_minor = 0;        // liquidity settled: sum of max(0, -N_i)
  int64_t bilateral_minor = 0;
  int64_t efficiency_ppm = 0;
  int64_t bilateral_efficiency_ppm = 0;
  std::vector<PositionRow> positions;  // filled once settled
};

enum class CaseStatus : uint8_t { kOpen = 1, kApproved = 2, kRejected = 3 };
const char* to_string(CaseStatus s);
std::optional<CaseStatus> parse_case_status(std::string_view s);

// A compliance review case: a held payment waiting for an officer's decision.
struct CaseRow {
  int64_t id = 0;
  std::string payment_id;
  std::string debtor_agent;
  std::string creditor_agent;
  CaseStatus status = CaseStatus::kOpen;
  int64_t score = 0;     // AML/risk score that caused the hold, 0..100
  std::string reasons;   // compact JSON: rules and screening hits that fired
  std::string decided_by;
  std::string note;
  int64_t created_us = 0;
  int64_t decided_us = 0;
};

// A record kept for the regulatory reports: a Currency Transaction Report (amount above
// the CTR threshold) or a Suspicious Activity Report (the AML assessment says one is due).
struct AmlReportRow {
  int64_t id = 0;
  std::string kind;        // "CTR" or "SAR"
  std::string payment_id;
  std::string debtor_agent;
  std::string creditor_agent;
  std::string debtor;      // the parties as the rules keyed them: agent/account or agent/name
  std::string creditor;
  std::string currency;
  int64_t amount_minor = 0;
  int64_t amount_usd_minor = 0;  // at the configured reference rate
  int64_t score = 0;             // the AML score, 0..100
  std::string rules;             // fired rules, comma-separated
  std::string narrative;         // for the compliance officer
  int64_t created_us = 0;
};

// The slice of a payment the risk and AML counters are rebuilt from (for a counterparty
// pair, created_us is the pair's last payment).
struct HistoryRow {
  std::string debtor_agent;
  std::string creditor_agent;
  std::string debtor_name;
  std::string debtor_account;
  std::string creditor_name;
  std::string creditor_account;
  std::string currency;
  int64_t amount_minor = 0;
  PaymentStatus status = PaymentStatus::kQueued;
  std::string reason;  // of a rejection
  int64_t created_us = 0;
};

// A debtor agent's payments on one UTC day, and how many failed (liquidity, limits, risk).
struct ParticipantDayRow {
  std::string participant;
  int64_t day = 0;  // days since 1970-01-01
  int64_t payments = 0;
  int64_t failures = 0;
};

// What load() reads, by time: volumes since the start of the day (daily limits), the
// controls' history (failures, counterparty pairs, participant days) since
// history_since_us, and whole payments since recent_since_us (the AML windows).
struct LoadRange {
  int64_t day_start_us = 0;
  int64_t history_since_us = 0;
  int64_t recent_since_us = 0;
};

// A participant's limits in one currency; absent fields are unlimited.
struct LimitRow {
  std::string participant;
  std::string currency;
  std::optional<int64_t> single_payment_max_minor;
  std::optional<int64_t> daily_volume_max_minor;
};

// A later change of a stored payment (a held payment released or rejected).
struct PaymentUpdate {
  std::string id;
  PaymentStatus status = PaymentStatus::kQueued;
  std::string reason;
  std::string reason_text;
  int64_t window_id = 0;
  int64_t updated_us = 0;
};

struct AuditRow {
  int64_t seq = 0;
  int64_t created_us = 0;
  std::string actor;
  std::string action;   // payment.accepted, window.settled, bank.created…
  std::string entity;   // the id acted upon
  std::string detail;   // compact JSON
  std::string prev_hash;
  std::string hash;     // SHA-256 over prev_hash and the fields above
};

// Everything one group commit writes, in one store transaction.
struct Batch {
  std::vector<ParticipantRow> participants;        // inserts
  std::vector<PaymentRow> payments;                // inserts
  std::vector<AccountRow> accounts;                // upserts of final balances
  std::vector<JournalRow> journal;                 // inserts
  std::vector<WindowRow> windows;                  // upserts, positions replaced when present
  std::vector<std::pair<int64_t, int64_t>> settled_windows;  // (window id, time): QUEUED → SETTLED
  std::vector<AuditRow> audit;                     // inserts
  std::vector<CaseRow> cases;                      // upserts
  std::vector<AmlReportRow> aml_reports;           // inserts
  std::vector<PaymentUpdate> payment_updates;      // applied after the inserts
  std::vector<LimitRow> limits;                    // upserts
  std::vector<std::tuple<std::string, std::string, int64_t>> caps;  // (participant, currency, cap) upserts

  bool empty() const {
    return participants.empty() && payments.empty() && accounts.empty() && journal.empty() &&
           windows.empty() && settled_windows.empty() && audit.empty() && cases.empty() &&
           payment_updates.empty() && limits.empty() && caps.empty() && aml_reports.empty();
  }
  void clear() { *this = Batch{}; }
};

// A payment's flow summed per ordered pair, for rebuilding an open window.
struct FlowRow {
  int64_t window_id = 0;
  PaymentStatus status = PaymentStatus::kQueued;
  std::string debtor_agent;
  std::string creditor_agent;
  int64_t amount_minor = 0;
  int64_t count = 0;
};

// Accepted payments of one debtor in one currency, summed (for the daily limits).
struct VolumeRow {
  std::string participant;
  std::string currency;
  int64_t amount_minor = 0;
  int64_t count = 0;
};

// The slice of a payment the engine keeps to answer an idempotent retry.
struct IdempotencyRow {
  std::string debtor_agent;
  std::string idempotency_key;
  std::string request_hash;
  std::string payment_id;
  std::string uetr;
  PaymentStatus first_status = PaymentStatus::kQueued;  // QUEUED or REJECTED
  std::string reason;
  std::string reason_text;
  int64_t window_id = 0;
};

// What the engine needs to rebuild its state on start.
struct Snapshot {
  std::vector<ParticipantRow> participants;
  std::vector<AccountRow> accounts;
  std::vector<WindowRow> windows;  // every window; positions not needed
  std::vector<FlowRow> open_flows;
  std::vector<IdempotencyRow> idempotency;
  AuditRow audit_tip;  // seq 0 and empty hash when the log is empty
  std::vector<JournalRow> token_operations;  // MINT and BURN rows, for their references
  std::vector<PaymentRow> held_payments;     // status HELD
  std::vector<CaseRow> open_cases;
  int64_t max_case_id = 0;
  std::vector<LimitRow> limits;
  std::vector<VolumeRow> volumes_since;  // accepted payments since load(since_us)
  std::map<std::string, int64_t> processed_by_status;
  // The controls' memory (LoadRange). Compliance rejections (RR04) are in none of these.
  std::vector<HistoryRow> recent;                   // accepted or held since recent_since_us, oldest first
  std::vector<HistoryRow> pairs;                    // one per (debtor, creditor) accepted since history_since_us
  std::vector<HistoryRow> failures;                 // AM04/AM02/AM14/MS03 rejections since history_since_us
  std::vector<ParticipantDayRow> participant_days;  // since history_since_us
  std::vector<AmlReportRow> recent_sars;            // SAR records since recent_since_us (no narrative)
  int64_t max_report_id = 0;
};

struct PaymentFilter {
  std::optional<PaymentStatus> status;
  std::string participant;  // empty: all; else debtor or creditor agent
  std::string currency;
  int64_t window_id = 0;
  int64_t before_seq = 0;   // cursor: rows with seq < before_seq; 0 = from the newest
  int limit = 100;
};

}  // namespace deltran::store
