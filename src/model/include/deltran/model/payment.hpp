#pragma once
// A payment as the rail's domain sees it: what the engine answers, the read model returns
// and the API writes. Store adapters map it to their rows.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result_code.hpp>
#include <deltran/money/amount.hpp>

namespace deltran::model {

// QUEUED: accepted into an open window. SETTLED: its window settled (a stored payment stays
// QUEUED; its status is read through its window). HELD: stopped for compliance review.
enum class PaymentStatus : uint8_t { kQueued = 1, kSettled = 2, kRejected = 3, kHeld = 4 };
std::string_view to_string(PaymentStatus s);
std::optional<PaymentStatus> parse_payment_status(std::string_view s);
// A stored payment's status as the world sees it: QUEUED in a window that has settled is
// SETTLED. Closing a window never rewrites its payments.
constexpr PaymentStatus effective_status(PaymentStatus stored, bool window_settled) {
  return stored == PaymentStatus::kQueued && window_settled ? PaymentStatus::kSettled : stored;
}

struct Party {
  std::string name;
  std::string account;
  std::string country;  // ISO 3166-1 alpha-2 when the message gives one
};

// One obligation of a cross-currency payment: `debtor_agent` owes `creditor_agent` the
// amount in the amount's currency, in that currency's window. A payment converted through
// FX providers is the chain debtor → provider → … → creditor, one leg per currency.
struct PaymentLeg {
  std::string debtor_agent;
  std::string creditor_agent;
  money::Amount amount;
  int64_t window_id = 0;  // 0 until the payment is accepted into the windows
};

struct Payment {
  int64_t seq = 0;  // the seq of its first event: its row, and the listing cursor
  std::string id;
  std::string uetr;
  std::string end_to_end_id;
  std::string idempotency_key;  // as the sender gave it, or "e2e:<EndToEndId>"
  std::string request_hash;     // SHA-256 of the canonical request, to tell a retry from a reuse
  std::string debtor_agent;     // BIC
  std::string creditor_agent;
  money::Amount amount;
  Party debtor;
  Party creditor;
  std::string remittance_info;
  std::string channel;  // json, pain.001, pacs.008
  PaymentStatus status = PaymentStatus::kQueued;
  Rc rc = Rc::kOk;          // why, when rejected
  std::string reason_text;  // why, for people
  int64_t window_id = 0;  // of a cross-currency payment: the window of the creditor's leg
  int64_t case_id = 0;
  int64_t created_us = 0;
  int64_t updated_us = 0;
  // A cross-currency payment: the FX quote it was made at and its legs, in path order
  // (the first in `amount`'s currency, the last in what the creditor receives). Empty for
  // a payment in one currency.
  std::string quote_id;
  std::vector<PaymentLeg> legs;
};

}  // namespace deltran::model
