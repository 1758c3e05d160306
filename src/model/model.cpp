#include <deltran/core/crypto.hpp>
#include <deltran/model/event.hpp>
#include <deltran/model/payment.hpp>
#include <deltran/model/records.hpp>
#include <deltran/model/window.hpp>

#include <array>
#include <string>
#include <utility>

namespace deltran::model {

std::string_view to_string(PaymentStatus s) {
  switch (s) {
    case PaymentStatus::kQueued: return "QUEUED";
    case PaymentStatus::kSettled: return "SETTLED";
    case PaymentStatus::kRejected: return "REJECTED";
    case PaymentStatus::kHeld: return "HELD";
  }
  return "UNKNOWN";
}

std::optional<PaymentStatus> parse_payment_status(std::string_view s) {
  for (auto v : {PaymentStatus::kQueued, PaymentStatus::kSettled, PaymentStatus::kRejected, PaymentStatus::kHeld}) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

std::string_view to_string(WindowStatus s) { return s == WindowStatus::kOpen ? "OPEN" : "SETTLED"; }

std::string_view to_string(CaseStatus s) {
  switch (s) {
    case CaseStatus::kOpen: return "OPEN";
    case CaseStatus::kApproved: return "APPROVED";
    case CaseStatus::kRejected: return "REJECTED";
  }
  return "UNKNOWN";
}

std::optional<CaseStatus> parse_case_status(std::string_view s) {
  for (auto v : {CaseStatus::kOpen, CaseStatus::kApproved, CaseStatus::kRejected}) {
    if (to_string(v) == s) return v;
  }
  return std::nullopt;
}

namespace {

constexpr auto kEventNames = std::to_array<std::pair<EventType, std::string_view>>({
    {EventType::kParticipantCreated, "participant.created"},
    {EventType::kCredentialIssued, "credential.issued"},
    {EventType::kFundsMinted, "funds.minted"},
    {EventType::kFundsBurned, "funds.burned"},
    {EventType::kLimitsChanged, "limits.changed"},
    {EventType::kClearingIdsSet, "participant.clearing_ids_set"},
    {EventType::kRolesSet, "participant.roles_set"},
    {EventType::kCredentialRevoked, "credential.revoked"},
    {EventType::kRateTierSet, "participant.rate_tier_set"},
    {EventType::kPaymentAccepted, "payment.accepted"},
    {EventType::kPaymentHeld, "payment.held"},
    {EventType::kPaymentRejected, "payment.rejected"},
    {EventType::kPaymentReleased, "payment.released"},
    {EventType::kPaymentSettled, "payment.settled"},
    {EventType::kPaymentLegsBooked, "payment.legs_booked"},
    {EventType::kWindowOpened, "window.opened"},
    {EventType::kWindowClosed, "window.closed"},
    {EventType::kWindowNetted, "window.netted"},
    {EventType::kWindowSettled, "window.settled"},
    {EventType::kCaseDecided, "case.decided"},
    {EventType::kReportFiled, "report.filed"},
    {EventType::kComplianceAlert, "compliance.alert"},
    {EventType::kRiskThresholdExceeded, "risk.threshold_exceeded"},
    {EventType::kListsReloaded, "lists.reloaded"},
    {EventType::kListsReloadFailed, "lists.reload_failed"},
    {EventType::kFxRatePosted, "fx.rate_posted"},
    {EventType::kFxQuoteIssued, "fx.quote_issued"},
    {EventType::kTokensTransferred, "tokens.transferred"},
    {EventType::kTokensConverted, "tokens.converted"},
    {EventType::kTokensLocked, "tokens.locked"},
    {EventType::kTokensUnlocked, "tokens.unlocked"},
    {EventType::kBreakerOpened, "breaker.opened"},
    {EventType::kBreakerReset, "breaker.reset"},
    {EventType::kSessionOpened, "session.opened"},
    {EventType::kSessionEnded, "session.ended"},
    {EventType::kSigningKeyRotated, "auth.signing_key_rotated"},
});

void append_field(std::string& out, std::string_view field) {
  out += std::to_string(field.size());
  out += ':';
  out += field;
}

}  // namespace

std::string_view to_string(EventType t) {
  for (const auto& [type, name] : kEventNames) {
    if (type == t) return name;
  }
  return "unknown";
}

std::optional<EventType> parse_event_type(std::string_view name) {
  for (const auto& [type, n] : kEventNames) {
    if (n == name) return type;
  }
  return std::nullopt;
}

std::optional<EventType> event_type_from_number(uint32_t number) {
  for (const auto& [type, n] : kEventNames) {
    if (static_cast<uint16_t>(type) == number) return type;
  }
  return std::nullopt;
}

std::string chain_hash(std::string_view prev_hash, std::span<const Event> events) {
  // Each field length-prefixed, so no two different event lists have the same bytes.
  std::string material;
  material.reserve(64 + events.size() * 320);
  append_field(material, prev_hash);
  for (const Event& e : events) {
    append_field(material, std::to_string(e.seq));
    append_field(material, std::to_string(static_cast<uint16_t>(e.type)));
    append_field(material, std::to_string(e.time_us));
    append_field(material, e.actor);
    append_field(material, e.entity);
    append_field(material, e.party_a);
    append_field(material, e.party_b);
    append_field(material, std::to_string(static_cast<int>(e.scope)));
    append_field(material, e.payload);
  }
  return sha256_hex(material);
}

}  // namespace deltran::model
