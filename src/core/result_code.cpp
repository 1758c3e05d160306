#include <deltran/core/result_code.hpp>

#include <array>

namespace deltran {

namespace {

using namespace reason;

// Ordered by number, so a lookup is a binary search.
constexpr std::array kTable = std::to_array<RcInfo>({
    {Rc::kOk, 200, "ok", {}},
    {Rc::kCreated, 201, "created", {}},
    {Rc::kAccepted, 202, "accepted", {}},
    {Rc::kReplayed, 200, "replayed", {}},
    {Rc::kHeld, 202, "held_for_review", {}},

    {Rc::kInvalidJson, 400, "invalid_json", kInvalidFileFormat},
    {Rc::kInvalidField, 400, "invalid_field", kInvalidFileFormat},
    {Rc::kInvalidAmount, 400, "invalid_amount", kInvalidAmount},
    {Rc::kZeroAmount, 400, "zero_amount", kZeroAmount},
    {Rc::kUnknownCurrency, 400, "unknown_currency", kNotAllowedCurrency},
    {Rc::kInvalidBic, 400, "invalid_bic", kBankIdentifierIncorrect},
    {Rc::kInvalidAccount, 400, "invalid_account", kIncorrectAccountNumber},
    {Rc::kInvalidDate, 400, "invalid_date", kInvalidDate},
    {Rc::kInvalidQuery, 400, "invalid_query", {}},
    {Rc::kInvalidIdempotencyKey, 400, "invalid_idempotency_key", kInvalidFileFormat},
    {Rc::kInvalidMessage, 400, "invalid_message", kInvalidFileFormat},
    {Rc::kInvalidControlSum, 400, "invalid_control_sum", kInvalidControlSum},
    {Rc::kInvalidNumberOfTransactions, 400, "invalid_number_of_transactions", kInvalidNumberOfTransactions},
    {Rc::kUnsupportedMediaType, 415, "unsupported_media_type", kInvalidFileFormat},
    {Rc::kBodyTooLarge, 413, "body_too_large", kInvalidFileFormat},
    {Rc::kHeadersTooLarge, 431, "headers_too_large", kInvalidFileFormat},
    {Rc::kBadRequest, 400, "bad_request", kInvalidFileFormat},
    {Rc::kMissingIdentification, 400, "missing_identification", kInvalidFileFormat},
    {Rc::kInvalidBreakerId, 400, "invalid_breaker_id", {}},
    {Rc::kDuplicateInMessage, 400, "duplicate_in_message", kDuplicatePayment},
    {Rc::kNarrative, 400, "rejected", kNarrative},
    {Rc::kMethodNotAllowed, 405, "method_not_allowed", {}},
    {Rc::kInvalidClearingId, 400, "invalid_clearing_member_id", kInvalidClearingMemberId},
    {Rc::kRateLimited, 429, "rate_limited", {}},

    {Rc::kUnauthenticated, 401, "unauthenticated", {}},
    {Rc::kForbidden, 403, "forbidden", {}},
    {Rc::kNotDebtorAgent, 403, "forbidden", kTransactionForbidden},

    {Rc::kNotFound, 404, "not_found", {}},
    {Rc::kBankNotFound, 404, "bank_not_found", kBankIdentifierIncorrect},
    {Rc::kWindowNotFound, 404, "window_not_found", {}},
    {Rc::kTransactionNotFound, 404, "transaction_not_found", {}},
    {Rc::kCaseNotFound, 404, "case_not_found", {}},
    {Rc::kBreakerNotFound, 404, "breaker_not_found", {}},
    {Rc::kCaseNotOpen, 404, "case_not_open", {}},
    {Rc::kKeyNotFound, 404, "key_not_found", {}},

    {Rc::kIdempotencyKeyReused, 409, "idempotency_key_reused", kDuplicatePayment},
    {Rc::kDuplicatePayment, 409, "duplicate_payment", kDuplicatePayment},
    {Rc::kBankExists, 409, "bank_exists", {}},
    {Rc::kWindowAlreadySettled, 409, "window_already_settled", {}},
    {Rc::kReferenceReused, 409, "reference_reused", kDuplicatePayment},
    {Rc::kCapBelowExposure, 409, "cap_below_exposure", {}},
    {Rc::kScreeningDisabled, 409, "screening_disabled", {}},
    {Rc::kClearingIdTaken, 409, "clearing_member_id_taken", kInvalidClearingMemberId},
    {Rc::kKeyLimit, 409, "key_limit", {}},
    {Rc::kLastKey, 409, "last_key", {}},

    {Rc::kInsufficientLiquidity, 422, "insufficient_liquidity", kInsufficientFunds},
    {Rc::kSinglePaymentLimit, 422, "limit_exceeded", kNotAllowedAmount},
    {Rc::kDailyLimit, 422, "limit_exceeded", kAmountExceedsAgreedLimit},
    {Rc::kAmountNotAllowed, 422, "amount_not_allowed", kNotAllowedAmount},
    {Rc::kRegulatory, 422, "regulatory_reason", kRegulatoryReason},
    {Rc::kRiskRejected, 422, "risk_rejected", kNotSpecifiedReasonAgentGenerated},
    {Rc::kSameAgent, 422, "same_agent", kTransactionForbidden},
    {Rc::kUnknownDebtorAgent, 422, "unknown_debtor_agent", kBankIdentifierIncorrect},
    {Rc::kUnknownCreditorAgent, 422, "unknown_creditor_agent", kBankIdentifierIncorrect},
    {Rc::kCurrencyNotEnabled, 422, "currency_not_enabled", kNotAllowedCurrency},
    {Rc::kInsufficientFunds, 422, "insufficient_funds", kInsufficientFunds},
    {Rc::kPostingRefused, 422, "posting_refused", kNotAllowedAmount},
    {Rc::kListsNotLoaded, 422, "lists_not_loaded", {}},
    {Rc::kCounterOverflow, 422, "amount_not_allowed", kNotAllowedAmount},
    {Rc::kNotFxProvider, 422, "not_fx_provider", kTransactionForbidden},
    {Rc::kRateRefused, 422, "rate_refused", {}},
    {Rc::kNoConversionPath, 422, "no_conversion_path", kNotAllowedCurrency},
    {Rc::kQuoteNotFound, 422, "quote_not_found", kNarrative},
    {Rc::kQuoteExpired, 422, "quote_expired", kInvalidCutOffTime},
    {Rc::kQuoteUsed, 422, "quote_used", kNarrative},  // not DUPL: the payment is no duplicate
    {Rc::kQuoteNotYours, 422, "quote_not_yours", kTransactionForbidden},
    {Rc::kQuoteMismatch, 422, "quote_mismatch", kWrongAmount},
    {Rc::kFxProviderShort, 422, "fx_provider_unavailable", kNarrative},

    {Rc::kOverloaded, 503, "overloaded", {}},
    {Rc::kStoreUnavailable, 503, "store_unavailable", {}},
    {Rc::kNotReady, 503, "not_ready", {}},
    {Rc::kCircuitOpen, 503, "circuit_open", {}},
    {Rc::kScreeningUnavailable, 503, "screening_unavailable", {}},

    {Rc::kInternal, 500, "internal", {}},
    {Rc::kReportFailed, 500, "report_failed", {}},
});

constexpr bool sorted_and_unique() {
  for (size_t i = 1; i < kTable.size(); ++i) {
    if (static_cast<uint16_t>(kTable[i - 1].rc) >= static_cast<uint16_t>(kTable[i].rc)) return false;
  }
  return true;
}
static_assert(sorted_and_unique(), "the result table is ordered by number, each number once");

const RcInfo* find(uint32_t number) {
  size_t lo = 0, hi = kTable.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    uint32_t at = static_cast<uint16_t>(kTable[mid].rc);
    if (at == number) return &kTable[mid];
    if (at < number) lo = mid + 1; else hi = mid;
  }
  return nullptr;
}

}  // namespace

const RcInfo& rc_info(Rc rc) {
  const RcInfo* info = find(static_cast<uint16_t>(rc));
  return info != nullptr ? *info : *find(static_cast<uint16_t>(Rc::kInternal));
}

std::optional<Rc> rc_from_number(uint32_t number) {
  const RcInfo* info = find(number);
  if (info == nullptr) return std::nullopt;
  return info->rc;
}

}  // namespace deltran
