#pragma once
// The event log: every state change of the core is an event, written with a global
// sequence number in the same store transaction as its effects (transactional outbox).
// Audit, notifications, the bus relay, reports and read models derive from it, and the
// core rebuilds its state from a snapshot plus the events after it.
//
// The audit chain is computed once per commit batch over the batch's events:
//   hash(batch) = SHA-256(hash(previous batch) ‖ each event's canonical bytes)
// and each batch's (number, last sequence, hash) is also appended to an anchor outside the
// database, so an edited, removed or reordered event, a truncated tail and a rewritten
// chain are all detected (`deltran check`).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace deltran::model {

// Stable numbers (stored); names are what the API and the bus show.
enum class EventType : uint16_t {
  kParticipantCreated = 1,   // participant.created
  kCredentialIssued = 2,     // credential.issued (the API key's id and hash; staff and the participant)
  kFundsMinted = 3,          // funds.minted
  kFundsBurned = 4,          // funds.burned
  kLimitsChanged = 5,        // limits.changed
  kClearingIdsSet = 6,       // participant.clearing_ids_set: its clearing-system member ids
  kRolesSet = 7,             // participant.roles_set: fx_provider, or none
  kCredentialRevoked = 8,    // credential.revoked: one of a participant's API keys, by its id
  kRateTierSet = 9,          // participant.rate_tier_set: the request-rate tier its API calls are held to
  kFxRatePosted = 50,        // fx.rate_posted: a provider's standing rate for a pair
  kFxQuoteIssued = 51,       // fx.quote_issued: a quote, honoured until it expires
  kTokensTransferred = 60,   // tokens.transferred: booked now between two participants
  kTokensConverted = 61,     // tokens.converted: a participant's tokens converted at its quote
  kTokensLocked = 62,        // tokens.locked: set aside in the account
  kTokensUnlocked = 63,      // tokens.unlocked: a lock released
  kPaymentAccepted = 10,     // payment.accepted: queued in its currency's open window
  kPaymentHeld = 11,         // payment.held: stopped for compliance review, case opened
  kPaymentRejected = 12,     // payment.rejected, with its reason
  kPaymentReleased = 13,     // payment.released: a held payment approved into a window
  kPaymentSettled = 14,      // payment.settled: its window settled
  kPaymentLegsBooked = 15,   // payment.legs_booked: a converted payment's legs, for an FX provider on its path (no state change)
  kWindowOpened = 20,        // window.opened
  kWindowClosed = 21,        // window.closed: no more payments; what it holds is final
  kWindowNetted = 22,        // window.netted: net positions and efficiency
  kWindowSettled = 23,       // window.settled: net positions posted on the ledger
  kCaseDecided = 30,         // case.decided: approved or rejected by an officer
  kReportFiled = 31,         // report.filed: a CTR or SAR record
  kComplianceAlert = 32,     // compliance.alert: a screening or AML hit (no state change)
  kRiskThresholdExceeded = 33,  // risk.threshold_exceeded (no state change)
  kListsReloaded = 34,       // lists.reloaded: sanctions/PEP lists loaded, with counts (no state change)
  kListsReloadFailed = 35,   // lists.reload_failed: an alert; the previous lists stay (no state change)
  kBreakerOpened = 40,       // breaker.opened (follows from the payment that tripped it)
  kBreakerReset = 41,        // breaker.reset
  kSessionOpened = 70,       // session.opened: a login (no state change in the core)
  kSessionEnded = 71,        // session.ended: a logout, or a refresh token used twice (no state change)
  kSigningKeyRotated = 72,   // auth.signing_key_rotated: a new key signs access tokens (no state change)
};
std::string_view to_string(EventType t);
std::optional<EventType> parse_event_type(std::string_view name);
std::optional<EventType> event_type_from_number(uint32_t number);

// Who may read an event through the API: anyone authenticated, the participants it names
// (party_a, party_b), or operators only (admin, compliance).
enum class EventScope : uint8_t { kPublic = 0, kParties = 1, kOperators = 2 };

struct Event {
  int64_t seq = 0;    // global, dense, from 1
  int64_t batch = 0;  // the commit batch it was written in
  EventType type = EventType::kParticipantCreated;
  int64_t time_us = 0;
  std::string actor;   // who caused it: admin, compliance, a BIC, scheduler, system
  std::string entity;  // what it is about: a payment id, window id, BIC …
  std::string party_a; // BICs of the participants it concerns
  std::string party_b;
  EventScope scope = EventScope::kPublic;
  std::string payload;  // compact JSON object
};

// One commit batch's link of the audit chain.
struct ChainLink {
  int64_t batch = 0;
  int64_t first_seq = 0;
  int64_t last_seq = 0;
  std::string prev_hash;  // hex; empty before the first batch
  std::string hash;       // hex
  int64_t created_us = 0;
};

// hash(previous ‖ canonical bytes of each event), hex: what a link's `hash` must be.
std::string chain_hash(std::string_view prev_hash, std::span<const Event> events);

}  // namespace deltran::model
