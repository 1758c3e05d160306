#include <deltran/store/records.hpp>

namespace deltran::store {

const char* to_string(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::kQueued: return "QUEUED";
    case PaymentStatus::kSettled: return "SETTLED";
    case PaymentStatus::kRejected: return "REJECTED";
    case PaymentStatus::kHeld: return "HELD";
  }
  return "UNKNOWN";
}

std::optional<PaymentStatus> parse_payment_status(std::string_view s) {
  if (s == "QUEUED") return PaymentStatus::kQueued;
  if (s == "SETTLED") return PaymentStatus::kSettled;
  if (s == "REJECTED") return PaymentStatus::kRejected;
  if (s == "HELD") return PaymentStatus::kHeld;
  return std::nullopt;
}

const char* to_string(CaseStatus s) {
  switch (s) {
    case CaseStatus::kOpen: return "OPEN";
    case CaseStatus::kApproved: return "APPROVED";
    case CaseStatus::kRejected: return "REJECTED";
  }
  return "UNKNOWN";
}

std::optional<CaseStatus> parse_case_status(std::string_view s) {
  if (s == "OPEN") return CaseStatus::kOpen;
  if (s == "APPROVED") return CaseStatus::kApproved;
  if (s == "REJECTED") return CaseStatus::kRejected;
  return std::nullopt;
}

const char* to_string(WindowStatus s) {
  switch (s) {
    case WindowStatus::kOpen: return "OPEN";
    case WindowStatus::kSettled: return "SETTLED";
  }
  return "UNKNOWN";
}

}  // namespace deltran::store
