#pragma once
// The payment risk score 0–100: a weighted sum of five factors (amount, corridor,
// velocity, participant history, predicted counter-flow) -> approve / approve with limit /
// review / reject. Pure: evaluate() reads only its arguments and returns each factor's
// contribution so a decision can be explained. Bands and weights default to the original
// system's figures (ORIGINAL_RULES.md; README.md lists them).
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::risk {

// Stable numbers.
enum class RiskDecision : uint8_t { kApprove = 1, kApproveWithLimit = 2, kReview = 3, kReject = 4 };
std::string_view to_string(RiskDecision decision);

struct RiskSettings {
  // Weights in percent; they must sum to 100.
  int weight_amount = 25, weight_corridor = 30, weight_velocity = 20, weight_history = 15, weight_counterflow = 10;

  // Amount (USD-equivalent minor units), inclusive upper bounds: <= 10k -> 5, <= 50k -> 15,
  // <= 100k -> 30, <= 500k -> 50, <= 1M -> 70, else 90.
  std::array<int64_t, 5> amount_bounds_usd_minor = {1'000'000, 5'000'000, 10'000'000, 50'000'000, 100'000'000};
  std::array<int, 6> amount_scores = {5, 15, 30, 50, 70, 90};

  // Corridor: a high-risk country on either side 95, medium 60; otherwise the currency
  // pair's score (either direction), 10 for a same-currency payment, else 25.
  std::vector<std::string> high_risk_countries;    // default: as the AML high-risk list
  std::vector<std::string> medium_risk_countries;  // default: as the AML medium list
  int high_risk_corridor_score = 95, medium_risk_corridor_score = 60;
  std::map<std::string, int> currency_pair_scores = {{"USD-EUR", 5}, {"INR-AED", 15}};
  int same_currency_score = 10, default_corridor_score = 25;

  // Velocity = (70·hourly + 30·daily) / 100 over the debtor's payment counts.
  std::array<uint32_t, 4> hourly_bounds = {5, 10, 20, 50};  // at most
  std::array<int, 5> hourly_scores = {5, 15, 35, 60, 85};
  std::array<uint32_t, 4> daily_bounds = {50, 100, 200, 500};
  std::array<int, 5> daily_scores = {5, 20, 40, 65, 90};
  int hourly_weight_percent = 70;

  // Participant history: no payments yet -> 40; else by failure rate (per mille, below):
  // < 20 ‰ -> 5, < 50 ‰ -> 15, < 100 ‰ -> 30, < 200 ‰ -> 60, else 90.
  int no_history_score = 40;
  std::array<int, 4> failure_bounds_permille = {20, 50, 100, 200};
  std::array<int, 5> failure_scores = {5, 15, 30, 60, 90};

  // Predicted counter-flow (the liquidity router's prediction for the corridor): unknown
  // -> 50; probability >= 600 ‰ with confidence >= 750 ‰ (the instant-settlement grade)
  // -> 5; probability >= 600 ‰ -> 25; >= 300 ‰ -> 50; else 80.
  int counterflow_unknown_score = 50;
  int counterflow_probability_permille = 600, counterflow_confidence_permille = 750;
  int counterflow_likely_score = 5, counterflow_probable_score = 25;
  int counterflow_possible_permille = 300, counterflow_possible_score = 50, counterflow_unlikely_score = 80;

  // Decision bands on the score: <= 25 approve, <= 50 approve with limit, <= 75 review,
  // else reject.
  int approve_max = 25, approve_with_limit_max = 50, review_max = 75;

  static RiskSettings defaults();  // with the country lists filled in
};

[[nodiscard]] Status validate(const RiskSettings& settings);

struct RiskInput {
  int64_t amount_usd_minor = 0;
  std::string source_currency, target_currency;   // ISO 4217
  std::string debtor_country, creditor_country;   // ISO 3166-1 alpha-2
  uint32_t payments_last_hour = 0;                // the debtor's, before this one
  uint32_t payments_last_day = 0;
  uint64_t history_payments = 0;                  // the participant's payments (a window the caller picks)
  uint64_t history_failures = 0;
  std::optional<int> counterflow_probability_permille;
  std::optional<int> counterflow_confidence_permille;
};

struct RiskFactor {
  std::string_view name;  // "amount", "corridor", "velocity", "history", "counterflow"
  int score = 0;          // 0..100
  int weight_percent = 0;
  int weighted = 0;       // score × weight, out of 10,000: the contribution to the score ×100
};

struct RiskEvaluation {
  int score = 0;  // round(Σ weighted / 100)
  RiskDecision decision = RiskDecision::kApprove;
  std::array<RiskFactor, 5> factors{};
};

int amount_score(const RiskSettings& s, int64_t amount_usd_minor);
int corridor_score(const RiskSettings& s, const RiskInput& in);
int velocity_score(const RiskSettings& s, uint32_t last_hour, uint32_t last_day);
int history_score(const RiskSettings& s, uint64_t payments, uint64_t failures);
int counterflow_score(const RiskSettings& s, std::optional<int> probability_permille,
                      std::optional<int> confidence_permille);
RiskDecision decide(const RiskSettings& s, int score);

RiskEvaluation evaluate(const RiskSettings& s, const RiskInput& in);

}  // namespace deltran::risk
