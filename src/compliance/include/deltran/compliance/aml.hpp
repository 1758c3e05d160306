#pragma once
// Anti-money-laundering rules: a weighted score 0–100 and a decision ALLOW / REVIEW /
// BLOCK. The rules are pure functions of one payment and of facts about its debtor's
// recent history; the facts come from AmlHistory (aml_history.hpp), which the single-
// writer core owns. Every threshold is in AmlSettings with the original system's figures
// (ORIGINAL_RULES.md) as defaults; README.md lists each rule.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::compliance {

// Stable numbers: stored with review cases and SAR records.
enum class AmlRule : uint8_t {
  kLargeAmount = 1,            // above the CTR threshold: a CTR is due
  kJustBelowThreshold = 2,     // within the band just under the CTR threshold
  kStructuring = 3,            // several payments just under the threshold in 24 h
  kSimilarAmounts = 4,         // many payments of about the same amount in 24 h
  kRapidMovement = 5,          // velocity: many payments from the debtor in 1 h
  kRoundTrip = 6,              // the creditor paid the debtor within 48 h
  kRoundAmount = 7,            // a round sum (weak indicator)
  kNewCounterparty = 8,        // first payment between the two parties (weak indicator)
  kHighRiskJurisdiction = 9,
  kMediumRiskJurisdiction = 10,
  kSuspiciousPurpose = 11,     // the remittance purpose names cash, hawala, shell...
  kPoorHistory = 12,           // many failed payments in 30 days
  kSanctionsHit = 13,
  kPep = 14,
};
std::string_view to_string(AmlRule rule);

enum class AmlDecision : uint8_t { kAllow = 1, kReview = 2, kBlock = 3 };
enum class AmlRating : uint8_t { kLow = 1, kMedium = 2, kHigh = 3, kVeryHigh = 4 };
std::string_view to_string(AmlDecision decision);
std::string_view to_string(AmlRating rating);

struct AmlSettings {
  // Amounts are USD-equivalent minor units (cents): the caller converts.
  int64_t ctr_threshold_usd_minor = 1'000'000;     // CTR when the amount exceeds 10,000.00
  int64_t just_below_band_usd_minor = 100'000;     // [threshold - 1,000.00, threshold)
  // Amount factor bands (upper bounds, exclusive) and scores; the just-below band wins.
  std::array<int64_t, 5> amount_bounds_usd_minor = {100'000, 500'000, 1'000'000, 5'000'000, 10'000'000};
  std::array<int, 6> amount_scores = {5, 15, 30, 50, 70, 90};
  int just_below_score = 85;

  // Geography: ISO 3166-1 alpha-2. factor = (60·origin + 40·destination) / 100.
  std::vector<std::string> high_risk_countries;    // default: FATF call for action + sanctioned
  std::vector<std::string> medium_risk_countries;  // default: FATF increased monitoring
  int high_risk_score = 90, medium_risk_score = 60, other_country_score = 20;
  int origin_weight_percent = 60;

  // Customer history: failed payments in 30 days -> score.
  std::array<uint32_t, 4> failed_bounds = {2, 5, 10, 20};  // at most
  std::array<int, 5> failed_scores = {10, 30, 50, 70, 90};

  // Patterns (points, summed and capped at 100).
  int64_t rapid_window_us = 3'600'000'000;           // 1 h
  uint32_t rapid_count = 10;                         // more than this many, this one included
  int rapid_points = 40;
  int64_t structuring_window_us = 86'400'000'000;    // 24 h
  uint32_t structuring_count = 3;                    // at least this many just below, this one included
  int structuring_points = 50;
  int64_t similar_tolerance_usd_minor = 10'000;      // ±100.00
  uint32_t similar_count = 3;                        // more than this many, this one included
  int similar_points = 50;
  int64_t round_trip_window_us = 172'800'000'000;    // 48 h
  int round_trip_points = 60;
  int64_t round_unit_usd_minor = 100'000;            // multiples of 1,000.00 ...
  int64_t round_min_usd_minor = 500'000;             // ... from 5,000.00
  int round_points = 10;
  int new_counterparty_points = 10;

  // Purpose: a keyword (whole word, case- and accent-insensitive) -> 90; any other
  // stated purpose -> 10; none -> 30.
  std::vector<std::string> suspicious_keywords = {"cash", "hawala", "shell", "bearer", "anonymous",
                                                  "untraceable", "offshore", "nominee"};
  int suspicious_purpose_score = 90, stated_purpose_score = 10, missing_purpose_score = 30;

  // Weights in percent; they must sum to 100.
  int weight_amount = 20, weight_geography = 25, weight_customer = 15, weight_patterns = 25, weight_purpose = 15;

  // Decision: REVIEW when score > review_score, or PEP and score > pep_review_score, or a
  // SAR is due by its score; BLOCK on a sanctions hit. SAR when score > sar_score or a
  // strong pattern (structuring, similar amounts, rapid movement, round trip) fires.
  // A SAR due to a pattern alone holds the payment only with hold_on_pattern_sar: on a
  // clearing rail a corporate debtor's payroll fires the velocity and similar-amount
  // patterns every month, so by default the SAR is filed for the officer and the payment
  // goes on (the original system held it: set true for that behaviour).
  int review_score = 75, pep_review_score = 50, sar_score = 70;
  bool hold_on_pattern_sar = false;
  // How long a counterparty pair is remembered for the "new counterparty" rule.
  int64_t counterparty_memory_us = 30LL * 86'400'000'000;
  // Memory bounds of the core's history (about 100 and 50 bytes each): beyond them the
  // least recently active debtors and pairs are forgotten early, so a flood of one-off
  // parties cannot exhaust memory; the rules then see a shorter history for them.
  size_t max_tracked_debtors = 2'000'000;
  size_t max_tracked_pairs = 4'000'000;
  // Ratings: score < low_below is low, < medium_below medium, < high_below high, else very high.
  int low_below = 30, medium_below = 60, high_below = 80;

  static AmlSettings defaults();  // with the country lists filled in
};

// InvalidArgument when weights do not sum to 100, a score leaves 0..100, bounds are not
// increasing or a window is not positive.
[[nodiscard]] Status validate(const AmlSettings& settings);

// One payment as the AML rules see it.
struct AmlPayment {
  std::string payment_id;
  std::string debtor;    // a stable party key: account, LEI or the participant's customer id
  std::string creditor;
  std::string debtor_country;    // ISO 3166-1 alpha-2
  std::string creditor_country;
  int64_t amount_usd_minor = 0;
  std::string purpose;           // remittance information / purpose text
  uint32_t debtor_failed_payments_30d = 0;
  bool sanctions_hit = false;    // from screening: a blocked party or country
  bool pep = false;              // from screening: a PEP party
  int64_t time_us = 0;           // the core's clock
};

// What the debtor's recent history says, before this payment (AmlHistory::facts).
struct AmlHistoryFacts {
  uint32_t payments_in_rapid_window = 0;   // earlier payments of the debtor within 1 h
  uint32_t just_below_in_window = 0;       // earlier just-below payments within 24 h
  uint32_t similar_amounts_in_window = 0;  // earlier payments within ±tolerance, 24 h
  bool round_trip = false;
  bool new_counterparty = false;
  uint32_t payments_in_day = 0;            // earlier payments of the debtor within 24 h (velocity)
  uint32_t failed_payments_30d = 0;        // the debtor's failed payments in 30 days
};

struct AmlFactor {
  std::string_view name;  // "amount", "geography", "customer", "patterns", "purpose"
  int score = 0;          // 0..100
  int weight_percent = 0;
  int weighted = 0;       // score × weight, out of 10,000
};

struct AmlAssessment {
  int score = 0;  // 0..100, the rounded sum of weighted factors
  AmlDecision decision = AmlDecision::kAllow;
  AmlRating rating = AmlRating::kLow;
  bool ctr_required = false;
  bool sar_required = false;
  std::vector<AmlRule> rules;  // fired, in rule-number order
  std::array<AmlFactor, 5> factors{};
  std::string reason;          // one line for the operator
};

// The factor functions, each pure and exposed for tests and explanations.
int amount_factor(const AmlSettings& s, int64_t amount_usd_minor);
int country_score(const AmlSettings& s, std::string_view country);
int geography_factor(const AmlSettings& s, std::string_view origin, std::string_view destination);
int customer_factor(const AmlSettings& s, uint32_t failed_payments_30d);
int purpose_factor(const AmlSettings& s, std::string_view purpose);
bool is_just_below_threshold(const AmlSettings& s, int64_t amount_usd_minor);
bool is_round_amount(const AmlSettings& s, int64_t amount_usd_minor);
// Pattern points (capped at 100); appends the pattern rules that fired.
int pattern_points(const AmlSettings& s, const AmlPayment& p, const AmlHistoryFacts& facts,
                   std::vector<AmlRule>& fired);

AmlAssessment assess_aml(const AmlSettings& s, const AmlPayment& p, const AmlHistoryFacts& facts);

}  // namespace deltran::compliance
