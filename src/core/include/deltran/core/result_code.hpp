#pragma once
// Every outcome the rail reports, as one enum with stable numbers, and one table mapping
// each to its HTTP status, its stable API error code and, where it has one, its ISO 20022
// reason code (ExternalStatusReason1Code: AM04, RR04 …). Nothing else in the code base
// spells an API error code or a reason code: they all come from here. The numbers are
// stored (payments, events, idempotency records), so they never change meaning; a new
// outcome gets a new number.
#include <cstdint>
#include <optional>
#include <string_view>

namespace deltran {

enum class Rc : uint16_t {
  // Success.
  kOk = 0,
  kCreated = 1,
  kAccepted = 2,   // a payment queued in a window (202)
  kReplayed = 3,   // the original answer of an idempotent retry
  kHeld = 4,       // a payment held for compliance review (202)

  // Bad input: nothing was recorded (400, 413, 415, 431).
  kInvalidJson = 100,
  kInvalidField = 101,
  kInvalidAmount = 102,           // AM12: not an amount of the currency (exponent, sign, range)
  kZeroAmount = 103,              // AM01
  kUnknownCurrency = 104,         // AM03: not an ISO 4217 code
  kInvalidBic = 105,              // RC01
  kInvalidAccount = 106,          // AC01: an IBAN with wrong check digits
  kInvalidDate = 107,             // DT01
  kInvalidQuery = 108,
  kInvalidIdempotencyKey = 109,
  kInvalidMessage = 110,          // FF01: the message as a whole (format, schema, size)
  kInvalidControlSum = 111,       // AM10
  kInvalidNumberOfTransactions = 112,  // AM18
  kUnsupportedMediaType = 113,
  kBodyTooLarge = 114,
  kHeadersTooLarge = 115,
  kBadRequest = 116,              // malformed HTTP
  kMissingIdentification = 117,   // neither an Idempotency-Key nor an EndToEndId
  kInvalidBreakerId = 118,
  kDuplicateInMessage = 119,      // DUPL inside one ISO 20022 message
  kNarrative = 120,               // NARR: a reason told in words only
  kMethodNotAllowed = 121,
  kInvalidClearingId = 122,       // RC08: not a member id of that clearing system
  kRateLimited = 123,             // 429: the caller's request rate on the route is used up

  // Who may do what (401, 403).
  kUnauthenticated = 200,
  kForbidden = 201,
  kNotDebtorAgent = 202,          // AG01: a participant sends only as debtor agent

  // Not found (404).
  kNotFound = 300,
  kBankNotFound = 301,
  kWindowNotFound = 302,
  kTransactionNotFound = 303,
  kCaseNotFound = 304,
  kBreakerNotFound = 305,
  kCaseNotOpen = 306,
  kKeyNotFound = 307,             // no such API key of that participant

  // Conflicts (409).
  kIdempotencyKeyReused = 400,    // DUPL: the key names another payment
  kDuplicatePayment = 401,        // DUPL: the EndToEndId names another payment
  kBankExists = 402,
  kWindowAlreadySettled = 403,
  kReferenceReused = 404,         // DUPL: a mint/burn reference names another operation
  kCapBelowExposure = 405,
  kScreeningDisabled = 406,
  kClearingIdTaken = 407,         // RC08: the member id is another participant's
  kKeyLimit = 408,                // a participant holds two API keys at most
  kLastKey = 409,                 // a participant cannot revoke the last key it holds

  // Business rejections (422): decided with state, recorded for payments.
  kInsufficientLiquidity = 500,   // AM04
  kSinglePaymentLimit = 501,      // AM02
  kDailyLimit = 502,              // AM14
  kAmountNotAllowed = 503,        // AM02: above what the rail takes in one payment
  kRegulatory = 504,              // RR04: sanctions, or rejected in compliance review
  kRiskRejected = 505,            // MS03
  kSameAgent = 506,               // AG01
  kUnknownDebtorAgent = 507,      // RC01
  kUnknownCreditorAgent = 508,    // RC01
  kCurrencyNotEnabled = 509,      // AM03
  kInsufficientFunds = 510,       // AM04: a burn beyond the free tokens
  kPostingRefused = 511,
  kListsNotLoaded = 512,
  kCounterOverflow = 513,         // AM02: a window, daily or balance total would leave int64
  kNotFxProvider = 514,          // AG01: only an FX provider posts rates or takes conversion legs
  kRateRefused = 515,             // a rate past its validity, or one that makes money around a cycle
  kNoConversionPath = 516,        // AM03: no live rates join the two currencies
  kQuoteNotFound = 517,           // NARR: no such quote (never given, or expired and forgotten)
  kQuoteExpired = 518,            // TM01: the quote's time ran out before the payment came
  kQuoteUsed = 519,               // NARR: a quote pays once
  kQuoteNotYours = 520,           // AG01: the quote was given to another participant
  kQuoteMismatch = 521,           // AM09: the payment's amount or agents do not fit its quote
  kFxProviderShort = 522,         // NARR: an FX provider on the path lacks the liquidity or limits for its leg

  // Try again later (503).
  kOverloaded = 600,
  kStoreUnavailable = 601,
  kNotReady = 602,
  kCircuitOpen = 603,
  kScreeningUnavailable = 604,

  // Our fault (500).
  kInternal = 700,
  kReportFailed = 701,
};

struct RcInfo {
  Rc rc;
  uint16_t http_status;
  std::string_view code;        // stable API error code: "insufficient_liquidity"
  std::string_view iso_reason;  // ISO 20022 reason code, or empty
};

// The row of `rc` in the table (every enumerator has one: a test walks them all).
const RcInfo& rc_info(Rc rc);
inline uint16_t http_status(Rc rc) { return rc_info(rc).http_status; }
inline std::string_view api_code(Rc rc) { return rc_info(rc).code; }
inline std::string_view iso_reason(Rc rc) { return rc_info(rc).iso_reason; }
// The outcome stored under this number, if it is one.
std::optional<Rc> rc_from_number(uint32_t number);
// True for 0..99: the request did what it asked.
inline bool is_success(Rc rc) { return static_cast<uint16_t>(rc) < 100; }

// ISO 20022 reason codes by name: the table below uses them, and so does the ISO 20022
// module, which reports them per transaction of a message.
namespace reason {
inline constexpr std::string_view kInvalidFileFormat = "FF01";
inline constexpr std::string_view kIncorrectAccountNumber = "AC01";
inline constexpr std::string_view kZeroAmount = "AM01";
inline constexpr std::string_view kNotAllowedAmount = "AM02";
inline constexpr std::string_view kNotAllowedCurrency = "AM03";
inline constexpr std::string_view kInsufficientFunds = "AM04";
inline constexpr std::string_view kInvalidControlSum = "AM10";
inline constexpr std::string_view kInvalidAmount = "AM12";
inline constexpr std::string_view kAmountExceedsAgreedLimit = "AM14";
inline constexpr std::string_view kInvalidNumberOfTransactions = "AM18";
inline constexpr std::string_view kInvalidDate = "DT01";
inline constexpr std::string_view kDuplicatePayment = "DUPL";
inline constexpr std::string_view kBankIdentifierIncorrect = "RC01";
inline constexpr std::string_view kInvalidClearingMemberId = "RC08";
inline constexpr std::string_view kInvalidDebtorClearingMemberId = "RC09";
inline constexpr std::string_view kInvalidCreditorClearingMemberId = "RC10";
inline constexpr std::string_view kRegulatoryReason = "RR04";
inline constexpr std::string_view kTransactionForbidden = "AG01";
inline constexpr std::string_view kTransactionNotSupported = "AG03";
inline constexpr std::string_view kNotSpecifiedReasonAgentGenerated = "MS03";
inline constexpr std::string_view kNarrative = "NARR";
inline constexpr std::string_view kWrongAmount = "AM09";
inline constexpr std::string_view kInvalidCutOffTime = "TM01";
}  // namespace reason

}  // namespace deltran
