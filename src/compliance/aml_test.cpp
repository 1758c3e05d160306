#include <string>

#include <gtest/gtest.h>

#include <deltran/compliance/aml.hpp>
#include <deltran/compliance/aml_history.hpp>
#include <deltran/compliance/aml_reports.hpp>

namespace deltran::compliance {
namespace {

constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kMinute = 60'000'000;
constexpr int64_t kT0 = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z

int64_t usd(int64_t dollars) { return dollars * 100; }

AmlPayment payment(int64_t amount, int64_t t = kT0, std::string debtor = "ACC-1", std::string creditor = "ACC-2") {
  AmlPayment p;
  p.payment_id = "pay-" + std::to_string(t);
  p.debtor = std::move(debtor);
  p.creditor = std::move(creditor);
  p.debtor_country = "DE";
  p.creditor_country = "FR";
  p.amount_usd_minor = amount;
  p.purpose = "invoice 2026-118";
  p.time_us = t;
  return p;
}

bool fired(const AmlAssessment& a, AmlRule r) {
  for (AmlRule x : a.rules)
    if (x == r) return true;
  return false;
}

TEST(AmlRules, TheDefaultsAreValidAndWeightsMustSumToAHundred) {
  AmlSettings s = AmlSettings::defaults();
  EXPECT_TRUE(validate(s).has_value());
  s.weight_purpose = 20;
  EXPECT_FALSE(validate(s).has_value());
  s = AmlSettings::defaults();
  s.rapid_window_us = 0;
  EXPECT_FALSE(validate(s).has_value());
}

TEST(AmlRules, AmountFactorFollowsTheOriginalBandsWithTheJustBelowBand) {
  const AmlSettings s = AmlSettings::defaults();
  EXPECT_EQ(amount_factor(s, usd(999)), 5);
  EXPECT_EQ(amount_factor(s, usd(1'000)), 15);
  EXPECT_EQ(amount_factor(s, usd(8'999)), 30);
  EXPECT_EQ(amount_factor(s, usd(9'000)), 85);
  EXPECT_EQ(amount_factor(s, 999'999), 85);  // 9,999.99
  EXPECT_EQ(amount_factor(s, usd(10'000)), 50);
  EXPECT_EQ(amount_factor(s, usd(99'999)), 70);
  EXPECT_EQ(amount_factor(s, usd(100'000)), 90);
}

TEST(AmlRules, ACtrIsDueOnlyAboveTheThreshold) {
  const AmlSettings s = AmlSettings::defaults();
  EXPECT_FALSE(assess_aml(s, payment(usd(10'000)), {}).ctr_required);
  const AmlAssessment a = assess_aml(s, payment(usd(10'000) + 1), {});
  EXPECT_TRUE(a.ctr_required);
  EXPECT_TRUE(fired(a, AmlRule::kLargeAmount));
}

TEST(AmlRules, GeographyWeighsOriginSixtyAndDestinationForty) {
  const AmlSettings s = AmlSettings::defaults();
  EXPECT_EQ(geography_factor(s, "DE", "FR"), 20);
  EXPECT_EQ(geography_factor(s, "ir", "FR"), (60 * 90 + 40 * 20) / 100);
  EXPECT_EQ(geography_factor(s, "DE", "NG"), (60 * 20 + 40 * 60) / 100);
  const AmlAssessment a = assess_aml(s, [] {
    AmlPayment p = payment(usd(500));
    p.creditor_country = "KP";
    return p;
  }(), {});
  EXPECT_TRUE(fired(a, AmlRule::kHighRiskJurisdiction));
}

TEST(AmlRules, CustomerFactorRisesWithFailedPayments) {
  const AmlSettings s = AmlSettings::defaults();
  EXPECT_EQ(customer_factor(s, 0), 10);
  EXPECT_EQ(customer_factor(s, 2), 10);
  EXPECT_EQ(customer_factor(s, 3), 30);
  EXPECT_EQ(customer_factor(s, 10), 50);
  EXPECT_EQ(customer_factor(s, 20), 70);
  EXPECT_EQ(customer_factor(s, 21), 90);
}

TEST(AmlRules, PurposeKeywordsAreWholeWordsWhateverTheirCaseOrAccents) {
  const AmlSettings s = AmlSettings::defaults();
  EXPECT_EQ(purpose_factor(s, ""), 30);
  EXPECT_EQ(purpose_factor(s, "Invoice 118"), 10);
  EXPECT_EQ(purpose_factor(s, "CASH deposit"), 90);
  EXPECT_EQ(purpose_factor(s, "via Háwala agent"), 90);
  EXPECT_EQ(purpose_factor(s, "cashew nuts"), 10);
}

TEST(AmlRules, TheScoreIsTheRoundedWeightedSumOfTheFactors) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistoryFacts f;
  f.new_counterparty = true;
  const AmlAssessment a = assess_aml(s, payment(usd(2'000)), f);
  // amount 15, geography 20, customer 10, patterns 10 (new counterparty), purpose 10
  EXPECT_EQ(a.factors[0].score, 15);
  EXPECT_EQ(a.factors[3].score, 10);
  int weighted = 0;
  for (const AmlFactor& x : a.factors) weighted += x.weighted;
  EXPECT_EQ(weighted, 15 * 20 + 20 * 25 + 10 * 15 + 10 * 25 + 10 * 15);
  EXPECT_EQ(a.score, (weighted + 50) / 100);
  EXPECT_EQ(a.decision, AmlDecision::kAllow);
  EXPECT_EQ(a.rating, AmlRating::kLow);
  EXPECT_FALSE(a.sar_required);
}

TEST(AmlRules, ASanctionsHitBlocksAndAPepIsReviewedAboveFifty) {
  const AmlSettings s = AmlSettings::defaults();
  AmlPayment p = payment(usd(100));
  p.sanctions_hit = true;
  const AmlAssessment blocked = assess_aml(s, p, {});
  EXPECT_EQ(blocked.decision, AmlDecision::kBlock);
  EXPECT_TRUE(blocked.sar_required);

  AmlPayment pep = payment(usd(200'000));
  pep.pep = true;
  pep.debtor_country = "NG";
  pep.creditor_country = "YE";
  pep.purpose = "";
  pep.debtor_failed_payments_30d = 11;
  // amount 90·20 + geography 60·25 + customer 70·15 + patterns (round) 10·25 + purpose 30·15
  const AmlAssessment a = assess_aml(s, pep, {});
  EXPECT_EQ(a.score, (1800 + 1500 + 1050 + 250 + 450 + 50) / 100);
  EXPECT_GT(a.score, 50);
  EXPECT_LE(a.score, 75);
  EXPECT_EQ(a.decision, AmlDecision::kReview);
  pep.pep = false;
  EXPECT_EQ(assess_aml(s, pep, {}).decision, AmlDecision::kAllow);
}

TEST(AmlRules, AHighScoreIsReviewedAndRated) {
  const AmlSettings s = AmlSettings::defaults();
  AmlPayment p = payment(usd(250'000));
  p.debtor_country = "IR";
  p.creditor_country = "SY";
  p.purpose = "cash";
  p.debtor_failed_payments_30d = 30;
  AmlHistoryFacts f;
  f.round_trip = true;
  f.payments_in_rapid_window = 20;
  const AmlAssessment a = assess_aml(s, p, f);
  EXPECT_GT(a.score, 75);
  EXPECT_EQ(a.decision, AmlDecision::kReview);
  EXPECT_EQ(a.rating, AmlRating::kVeryHigh);
  EXPECT_TRUE(a.sar_required);
  EXPECT_TRUE(fired(a, AmlRule::kPoorHistory));
  EXPECT_TRUE(fired(a, AmlRule::kSuspiciousPurpose));
}

TEST(AmlHistory, StructuringFiresOnTheThirdJustBelowPaymentWithin24Hours) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  for (int i = 0; i < 3; ++i) {
    const AmlPayment p = payment(usd(9'500) + i, kT0 + i * 6 * kHour);
    const AmlAssessment a = assess_aml(s, p, h.facts(p));
    EXPECT_EQ(fired(a, AmlRule::kStructuring), i == 2) << i;
    EXPECT_TRUE(fired(a, AmlRule::kJustBelowThreshold));
    if (i == 2) {
      EXPECT_TRUE(a.sar_required);
      // A pattern alone files a SAR; the payment is held only when the operator asks.
      EXPECT_EQ(a.decision, AmlDecision::kAllow);
      AmlSettings strict = s;
      strict.hold_on_pattern_sar = true;
      EXPECT_EQ(assess_aml(strict, p, h.facts(p)).decision, AmlDecision::kReview);
    }
    h.record(p);
  }
}

TEST(AmlHistory, StructuringForgetsPaymentsOlderThanTheWindow) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  h.record(payment(usd(9'500), kT0));
  h.record(payment(usd(9'600), kT0 + 1 * kHour));
  const AmlPayment late = payment(usd(9'700), kT0 + 24 * kHour + 30 * kMinute);
  EXPECT_EQ(h.facts(late).just_below_in_window, 1u);
  EXPECT_FALSE(fired(assess_aml(s, late, h.facts(late)), AmlRule::kStructuring));
}

TEST(AmlHistory, RapidMovementFiresWhenMoreThanTenPaymentsFallInAnHour) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  for (int i = 0; i < 10; ++i) h.record(payment(usd(100 + i * 37), kT0 + i * kMinute));
  const AmlPayment eleventh = payment(usd(50), kT0 + 50 * kMinute);
  EXPECT_EQ(h.facts(eleventh).payments_in_rapid_window, 10u);
  EXPECT_TRUE(fired(assess_aml(s, eleventh, h.facts(eleventh)), AmlRule::kRapidMovement));
  const AmlPayment later = payment(usd(50), kT0 + 2 * kHour);
  EXPECT_FALSE(fired(assess_aml(s, later, h.facts(later)), AmlRule::kRapidMovement));
}

TEST(AmlHistory, SimilarAmountsFireWhenMoreThanThreeAreWithinAHundredDollars) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  h.record(payment(usd(4'000), kT0));
  h.record(payment(usd(4'050), kT0 + kHour));
  const AmlPayment third = payment(usd(3'950), kT0 + 2 * kHour);
  EXPECT_FALSE(fired(assess_aml(s, third, h.facts(third)), AmlRule::kSimilarAmounts));
  h.record(third);
  const AmlPayment fourth = payment(usd(4'020), kT0 + 3 * kHour);
  EXPECT_EQ(h.facts(fourth).similar_amounts_in_window, 3u);
  EXPECT_TRUE(fired(assess_aml(s, fourth, h.facts(fourth)), AmlRule::kSimilarAmounts));
}

TEST(AmlHistory, RoundTripFiresWhenTheCreditorPaidTheDebtorWithin48Hours) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  h.record(payment(usd(5'000), kT0, "A", "B"));
  EXPECT_TRUE(h.facts(payment(usd(4'900), kT0 + 47 * kHour, "B", "A")).round_trip);
  EXPECT_FALSE(h.facts(payment(usd(4'900), kT0 + 49 * kHour, "B", "A")).round_trip);
  EXPECT_FALSE(h.facts(payment(usd(4'900), kT0 + kHour, "A", "B")).round_trip);
}

TEST(AmlHistory, ACounterpartyIsNewOnlyUntilTheFirstPayment) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  const AmlPayment first = payment(usd(700), kT0, "A", "B");
  EXPECT_TRUE(h.facts(first).new_counterparty);
  EXPECT_TRUE(fired(assess_aml(s, first, h.facts(first)), AmlRule::kNewCounterparty));
  h.record(first);
  EXPECT_FALSE(h.facts(payment(usd(700), kT0 + 100 * kHour, "A", "B")).new_counterparty);
  EXPECT_TRUE(h.facts(payment(usd(700), kT0, "B", "A")).new_counterparty);
}

TEST(AmlHistory, RoundAmountsAreAWeakIndicatorThatDoesNotTriggerASar) {
  const AmlSettings s = AmlSettings::defaults();
  EXPECT_TRUE(is_round_amount(s, usd(5'000)));
  EXPECT_FALSE(is_round_amount(s, usd(4'000)));  // below the minimum
  EXPECT_FALSE(is_round_amount(s, usd(5'500)));
  const AmlAssessment a = assess_aml(s, payment(usd(6'000)), {});
  EXPECT_TRUE(fired(a, AmlRule::kRoundAmount));
  EXPECT_FALSE(a.sar_required);
}

TEST(AmlHistory, PruningDropsOldPaymentsButKeepsCounterparties) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  h.record(payment(usd(100), kT0, "A", "B"));
  h.record(payment(usd(100), kT0 + 30 * kHour, "C", "D"));
  h.prune(kT0 + 30 * kHour);
  EXPECT_EQ(h.debtor_count(), 1u);
  EXPECT_EQ(h.payment_count(), 1u);
  EXPECT_EQ(h.pair_count(), 2u);
  EXPECT_FALSE(h.facts(payment(usd(1), kT0 + 31 * kHour, "A", "B")).new_counterparty);
}

TEST(AmlHistory, TheSameCallsGiveTheSameFactsAndIgnoreTheFuture) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory a(s), b(s);
  for (int i = 0; i < 50; ++i) {
    const AmlPayment p = payment(usd(9'100 + i), kT0 + i * 10 * kMinute, "D" + std::to_string(i % 3), "C");
    a.record(p);
    b.record(p);
  }
  const AmlPayment q = payment(usd(9'200), kT0 + 100 * kMinute, "D1", "C");
  const AmlHistoryFacts fa = a.facts(q), fb = b.facts(q);
  EXPECT_EQ(fa.just_below_in_window, fb.just_below_in_window);
  EXPECT_EQ(fa.payments_in_rapid_window, fb.payments_in_rapid_window);
  // Payments recorded after q's time are not history for q.
  EXPECT_LE(fa.just_below_in_window, 4u);
}

TEST(AmlHistory, CounterpartiesAreForgottenAfterTheMemoryAndFailuresAfterThirtyDays) {
  const AmlSettings s = AmlSettings::defaults();
  AmlHistory h(s);
  h.record(payment(usd(100), kT0, "A", "B"));
  for (int i = 0; i < 30; ++i) h.record_failure("A", kT0 + i * kMinute);
  const int64_t day = 24 * kHour;
  AmlHistoryFacts f = h.facts(payment(usd(1), kT0 + day - kMinute, "A", "B"));
  EXPECT_FALSE(f.new_counterparty);
  // Only the most recent failures beyond the last band are kept: the count reads "over 20".
  EXPECT_EQ(f.failed_payments_30d, s.failed_bounds.back() + 1);
  EXPECT_EQ(f.payments_in_day, 1u);
  f = h.facts(payment(usd(1), kT0 + 31 * day, "A", "B"));
  EXPECT_TRUE(f.new_counterparty);
  EXPECT_EQ(f.failed_payments_30d, 0u);
  h.prune(kT0 + 31 * day);
  EXPECT_EQ(h.pair_count(), 0u);
  EXPECT_EQ(h.debtor_count(), 0u);
}

TEST(AmlHistory, AFloodOfOneOffPartiesStaysWithinTheBoundsAndKeepsTheActiveOnes) {
  AmlSettings s = AmlSettings::defaults();
  s.max_tracked_debtors = 1'000;
  s.max_tracked_pairs = 1'000;
  AmlHistory h(s);
  // A regular customer pays every hour; 10,000 one-off debtors arrive in between.
  for (int i = 0; i < 10'000; ++i) {
    const int64_t t = kT0 + i * kMinute / 10;
    if (i % 600 == 0) h.record(payment(usd(100), t, "REGULAR", "SUPPLIER"));
    h.record(payment(usd(100), t, "ONEOFF" + std::to_string(i), "C" + std::to_string(i)));
    ASSERT_LE(h.debtor_count(), s.max_tracked_debtors + 1);
    ASSERT_LE(h.pair_count(), s.max_tracked_pairs + 1);
  }
  EXPECT_GT(h.shed_count(), 0u);
  const AmlHistoryFacts f = h.facts(payment(usd(100), kT0 + 10'000 * kMinute / 10, "REGULAR", "SUPPLIER"));
  EXPECT_FALSE(f.new_counterparty);
  EXPECT_GE(f.payments_in_rapid_window, 1u);
}

TEST(AmlReports, CtrAndSarRecordsCarryThePaymentAndTheReasons) {
  const AmlSettings s = AmlSettings::defaults();
  AmlPayment p = payment(usd(12'000));
  p.purpose = "cash";
  AmlHistoryFacts f;
  f.round_trip = true;
  const AmlAssessment a = assess_aml(s, p, f);
  const auto ctr = make_ctr(s, p, a);
  ASSERT_TRUE(ctr.has_value());
  EXPECT_EQ(ctr->amount_usd_minor, usd(12'000));
  EXPECT_EQ(ctr->threshold_usd_minor, usd(10'000));
  EXPECT_EQ(ctr->payment_id, p.payment_id);
  const auto sar = make_sar(p, a);
  ASSERT_TRUE(sar.has_value());
  EXPECT_EQ(sar->score, a.score);
  EXPECT_NE(sar->narrative.find("round_trip"), std::string::npos);
  EXPECT_NE(sar->narrative.find("suspicious_purpose"), std::string::npos);
  EXPECT_FALSE(make_ctr(s, payment(usd(50)), assess_aml(s, payment(usd(50)), {})).has_value());
  EXPECT_FALSE(make_sar(payment(usd(50)), assess_aml(s, payment(usd(50)), {})).has_value());
}

}  // namespace
}  // namespace deltran::compliance
