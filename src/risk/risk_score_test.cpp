#include <gtest/gtest.h>

#include <deltran/risk/risk_score.hpp>

namespace deltran::risk {
namespace {

int64_t usd(int64_t dollars) { return dollars * 100; }

RiskInput input() {
  RiskInput in;
  in.amount_usd_minor = usd(5'000);
  in.source_currency = "USD";
  in.target_currency = "EUR";
  in.debtor_country = "US";
  in.creditor_country = "DE";
  in.history_payments = 1000;
  in.history_failures = 5;
  in.counterflow_probability_permille = 700;
  in.counterflow_confidence_permille = 800;
  return in;
}

TEST(RiskScore, TheDefaultsAreValidAndWeightsMustSumToAHundred) {
  RiskSettings s = RiskSettings::defaults();
  EXPECT_TRUE(validate(s).has_value());
  s.weight_counterflow = 20;
  EXPECT_FALSE(validate(s).has_value());
  s = RiskSettings::defaults();
  s.currency_pair_scores["USDEUR"] = 5;
  EXPECT_FALSE(validate(s).has_value());
}

TEST(RiskScore, AmountBandsAreInclusive) {
  const RiskSettings s = RiskSettings::defaults();
  EXPECT_EQ(amount_score(s, usd(10'000)), 5);
  EXPECT_EQ(amount_score(s, usd(10'000) + 1), 15);
  EXPECT_EQ(amount_score(s, usd(100'000)), 30);
  EXPECT_EQ(amount_score(s, usd(500'000)), 50);
  EXPECT_EQ(amount_score(s, usd(1'000'000)), 70);
  EXPECT_EQ(amount_score(s, usd(1'000'001)), 90);
}

TEST(RiskScore, CorridorScoresCountriesFirstThenCurrencyPairs) {
  const RiskSettings s = RiskSettings::defaults();
  RiskInput in = input();
  EXPECT_EQ(corridor_score(s, in), 5);  // USD-EUR
  in.source_currency = "EUR";
  in.target_currency = "USD";
  EXPECT_EQ(corridor_score(s, in), 5);  // either direction
  in.source_currency = "AED";
  in.target_currency = "INR";
  EXPECT_EQ(corridor_score(s, in), 15);
  in.target_currency = "AED";
  EXPECT_EQ(corridor_score(s, in), 10);  // same currency
  in.target_currency = "GBP";
  EXPECT_EQ(corridor_score(s, in), 25);
  in.creditor_country = "ng";
  EXPECT_EQ(corridor_score(s, in), 60);
  in.debtor_country = "IR";
  EXPECT_EQ(corridor_score(s, in), 95);
}

TEST(RiskScore, VelocityBlendsHourlyAndDailyBands) {
  const RiskSettings s = RiskSettings::defaults();
  EXPECT_EQ(velocity_score(s, 0, 0), 5);
  EXPECT_EQ(velocity_score(s, 11, 150), (70 * 35 + 30 * 40 + 50) / 100);
  EXPECT_EQ(velocity_score(s, 51, 501), (70 * 85 + 30 * 90 + 50) / 100);
}

TEST(RiskScore, HistoryScoresTheFailureRateOrTheLackOfHistory) {
  const RiskSettings s = RiskSettings::defaults();
  EXPECT_EQ(history_score(s, 0, 0), 40);
  EXPECT_EQ(history_score(s, 1000, 19), 5);
  EXPECT_EQ(history_score(s, 1000, 20), 15);
  EXPECT_EQ(history_score(s, 1000, 99), 30);
  EXPECT_EQ(history_score(s, 1000, 150), 60);
  EXPECT_EQ(history_score(s, 1000, 200), 90);
  EXPECT_EQ(history_score(s, 10, 50), 90);  // failures above payments are capped
}

TEST(RiskScore, PredictedCounterflowLowersTheRisk) {
  const RiskSettings s = RiskSettings::defaults();
  EXPECT_EQ(counterflow_score(s, std::nullopt, std::nullopt), 50);
  EXPECT_EQ(counterflow_score(s, 600, 750), 5);
  EXPECT_EQ(counterflow_score(s, 600, 700), 25);
  EXPECT_EQ(counterflow_score(s, 300, std::nullopt), 50);
  EXPECT_EQ(counterflow_score(s, 299, 999), 80);
}

TEST(RiskScore, EvaluateReturnsEachContributionAndTheirRoundedSum) {
  const RiskSettings s = RiskSettings::defaults();
  const RiskEvaluation e = evaluate(s, input());
  // amount 5·25 + corridor 5·30 + velocity 5·20 + history 5·15 + counterflow 5·10
  ASSERT_EQ(e.factors.size(), 5u);
  EXPECT_EQ(e.factors[0].name, "amount");
  EXPECT_EQ(e.factors[1].weighted, 150);
  int sum = 0;
  for (const RiskFactor& f : e.factors) sum += f.weighted;
  EXPECT_EQ(sum, 500);
  EXPECT_EQ(e.score, 5);
  EXPECT_EQ(e.decision, RiskDecision::kApprove);
}

TEST(RiskScore, DecisionBandsFollowTheOriginalRules) {
  const RiskSettings s = RiskSettings::defaults();
  EXPECT_EQ(decide(s, 25), RiskDecision::kApprove);
  EXPECT_EQ(decide(s, 26), RiskDecision::kApproveWithLimit);
  EXPECT_EQ(decide(s, 50), RiskDecision::kApproveWithLimit);
  EXPECT_EQ(decide(s, 75), RiskDecision::kReview);
  EXPECT_EQ(decide(s, 76), RiskDecision::kReject);
}

TEST(RiskScore, ARiskyPaymentIsRejected) {
  const RiskSettings s = RiskSettings::defaults();
  RiskInput in = input();
  in.amount_usd_minor = usd(2'000'000);
  in.debtor_country = "SY";
  in.payments_last_hour = 80;
  in.payments_last_day = 900;
  in.history_failures = 400;
  in.counterflow_probability_permille = 100;
  const RiskEvaluation e = evaluate(s, in);
  EXPECT_EQ(e.score, (90 * 25 + 95 * 30 + 87 * 20 + 90 * 15 + 80 * 10 + 50) / 100);
  EXPECT_EQ(e.decision, RiskDecision::kReject);
}

}  // namespace
}  // namespace deltran::risk
