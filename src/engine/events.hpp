#pragma once
// The core's typed events: what each state change carries, how it is written into the
// event log (JSON payload, the participants it concerns, who may read it), and how it is
// read back. Applying an event (apply.cpp) is the only way the core's state changes, live
// and on replay alike.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <deltran/core/ids.hpp>
#include <deltran/core/result.hpp>
#include <deltran/core/result_code.hpp>
#include <deltran/model/event.hpp>
#include <deltran/model/payment.hpp>
#include <deltran/model/records.hpp>
#include <deltran/model/window.hpp>
#include <deltran/money/amount.hpp>

#include <deltran/engine/engine.hpp>

namespace deltran::engine::ev {

using money::Amount;
using money::CurrencyId;

// A payment as its events carry it: everything a replay needs, no more.
struct PaymentData {
  std::string id;
  std::string uetr;
  std::string end_to_end_id;
  std::string idempotency_key;
  std::string request_hash;
  std::string debtor_agent;
  std::string creditor_agent;
  Amount amount;
  model::Party debtor;
  model::Party creditor;
  std::string channel;
  std::optional<int64_t> amount_usd_minor;  // at the reference rate when it was decided
  // A cross-currency payment: its quote and legs (windows set once it is accepted).
  std::string quote_id;
  std::vector<model::PaymentLeg> legs;
};

struct ParticipantCreated {
  ParticipantId id = 0;
  std::string bic, name, country;
  std::vector<CurrencyId> currencies;
  std::map<CurrencyId, int64_t> caps;
};
struct CredentialIssued {
  std::string bic;
  std::string key_hash;  // SHA-256 of the API key; its key id is derived from it (key_id_of)
};
struct CredentialRevoked {
  std::string bic;
  std::string key_id;
};
struct RateTierSet {
  std::string bic;
  std::string tier;  // a tier name of the gateway's settings; empty: the rail's default
};
struct FundsMoved {
  bool mint = true;
  std::string bic;
  Amount amount;
  std::string reference;
};
struct LimitsChanged {
  struct Entry {
    CurrencyId currency;
    std::optional<int64_t> single_payment_max_minor;
    std::optional<int64_t> daily_volume_max_minor;
    int64_t net_debit_cap_minor = 0;
  };
  std::string bic;
  std::vector<Entry> entries;
};
struct ClearingIdsSet {
  std::string bic;
  std::vector<model::ClearingMemberId> ids;  // the whole set after the change
};
struct RolesSet {
  std::string bic;
  bool fx_provider = false;
};
struct RatePosted {
  fx::Rate rate;
};
struct QuoteIssued {
  fx::Quote quote;
};
struct TokensTransferred {
  std::string from, to;
  Amount amount;
  std::string reference;
};
struct TokensConverted {
  std::string bank, quote_id, reference;
  std::vector<model::PaymentLeg> legs;  // booked now, in path order
};
struct TokensLocked {
  bool lock = true;  // false: unlocked
  std::string bank;
  Amount amount;
  std::string reference, reason;
};
struct PaymentAccepted {
  PaymentData p;
  int64_t window_id = 0;
};
struct PaymentHeld {
  PaymentData p;
  int64_t case_id = 0;
  int64_t score = 0;
  std::string reasons;  // compact JSON object
  std::string reason_text;
};
struct PaymentRejected {
  PaymentData p;
  Rc rc = Rc::kInsufficientLiquidity;
  std::string reason_text;
  int64_t case_id = 0;  // a held payment rejected on its case's decision
};
struct PaymentReleased {
  std::string id;
  std::string debtor_agent, creditor_agent;
  Amount amount;
  int64_t case_id = 0;
  int64_t window_id = 0;
  std::vector<int64_t> leg_windows;  // a cross-currency payment: each leg's window
};
struct PaymentSettled {
  std::string id;
  int64_t window_id = 0;
  int64_t payment_seq = 0;  // the read model's sequence of the payment: the resume point
  std::string debtor_agent, creditor_agent;
  Amount amount;
};
struct WindowOpened {
  int64_t id = 0;
  CurrencyId currency;
};
struct WindowClosed {
  int64_t id = 0;
  CurrencyId currency;
  int64_t payment_count = 0;
  int64_t gross_minor = 0;
};
struct WindowNetted {
  int64_t id = 0;
  CurrencyId currency;
  std::vector<model::Position> positions;  // by BIC
  int64_t net_minor = 0, bilateral_minor = 0, efficiency_ppm = 0, bilateral_efficiency_ppm = 0;
};
struct WindowSettled {
  int64_t id = 0;
  CurrencyId currency;
  int64_t net_minor = 0;
};
struct CaseDecided {
  int64_t case_id = 0;
  std::string payment_id;
  std::string debtor_agent, creditor_agent;
  bool approve = false;
  std::string note;
};
struct ReportFiled {
  int64_t id = 0;
  std::string kind;  // CTR | SAR
  std::string payment_id;
  std::string debtor_key;
  std::string debtor_agent, creditor_agent;
  std::string rules;
  int64_t score = 0;
};
struct BreakerReset {
  std::string id;
};
// Events that record what happened without changing the state (compliance alerts, risk
// thresholds, a breaker that the payment before it opened): written, never applied.
struct Notice {
  model::EventType type = model::EventType::kComplianceAlert;
  std::string entity;
  std::string party_a, party_b;
  model::EventScope scope = model::EventScope::kOperators;
  std::string payload;  // compact JSON object
};

using Any = std::variant<ParticipantCreated, CredentialIssued, FundsMoved, LimitsChanged, PaymentAccepted,
                         PaymentHeld, PaymentRejected, PaymentReleased, PaymentSettled, WindowOpened, WindowClosed,
                         WindowNetted, WindowSettled, CaseDecided, ReportFiled, BreakerReset, Notice,
                         ClearingIdsSet, RolesSet, RatePosted, QuoteIssued, TokensTransferred, TokensConverted,
                         TokensLocked, CredentialRevoked, RateTierSet>;

// Writes the event's log entry (type, entity, parties, scope, payload); seq, batch, time
// and actor are the caller's.
model::Event encode(const Any& e);
// Reads a log entry back; an entry this build cannot read is an error (the store holds
// events of a newer build, or was edited).
[[nodiscard]] Result<Any> decode(const model::Event& e);

}  // namespace deltran::engine::ev

namespace deltran::engine {

struct Context;

// Writes an event into the batch (next sequence, the batch's time and actor) and applies it.
void emit(Context& cx, ev::Any event);
// Applies one event to the state: the only way the state changes.
void apply(Engine::State& s, const Settings& settings, const ev::Any& event, int64_t time_us);
// Reads a stored event and applies it (the rebuild after a restart).
[[nodiscard]] Status replay(Engine::State& s, const Settings& settings, const model::Event& stored);

}  // namespace deltran::engine
