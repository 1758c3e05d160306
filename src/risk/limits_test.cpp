#include <limits>

#include <gtest/gtest.h>

#include <deltran/risk/daily_counters.hpp>
#include <deltran/risk/limits.hpp>

namespace deltran::risk {
namespace {

constexpr int64_t kT0 = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kHour = 3'600'000'000;
constexpr int64_t kMinute = 60'000'000;

ParticipantLimits usd_limits() {
  ParticipantLimits l;
  l.by_currency["USD"] = CurrencyLimits{1'000'000, 5'000'000, 2'000'000};  // 10k, 50k, 20k
  return l;
}

TEST(Limits, APaymentWithinEveryLimitPasses) {
  const LimitCheck c = check_limits(usd_limits(), {"USD", 1'000'000, 4'000'000, 1'000'000});
  EXPECT_TRUE(c.ok());
}

TEST(Limits, EachLimitIsReportedWithTheFiguresAndAReason) {
  const LimitCheck single = check_limits(usd_limits(), {"USD", 1'000'001, 0, 0});
  ASSERT_EQ(single.violations.size(), 1u);
  EXPECT_EQ(single.violations[0].breach, LimitBreach::kSinglePaymentMax);
  EXPECT_EQ(single.violations[0].limit_minor, 1'000'000);
  EXPECT_EQ(single.violations[0].message, "amount 10000.01 USD exceeds the single payment maximum 10000.00 USD");

  const LimitCheck daily = check_limits(usd_limits(), {"USD", 500'000, 4'600'000, 0});
  ASSERT_EQ(daily.violations.size(), 1u);
  EXPECT_EQ(daily.violations[0].breach, LimitBreach::kDailyVolume);
  EXPECT_EQ(daily.violations[0].value_minor, 5'100'000);

  const LimitCheck cap = check_limits(usd_limits(), {"USD", 600'000, 0, 1'500'000});
  ASSERT_EQ(cap.violations.size(), 1u);
  EXPECT_EQ(cap.violations[0].breach, LimitBreach::kNetDebitCap);
  EXPECT_EQ(cap.violations[0].value_minor, 2'100'000);
}

TEST(Limits, AllBrokenLimitsAreReportedInBreachOrder) {
  const LimitCheck c = check_limits(usd_limits(), {"USD", 3'000'000, 4'000'000, 0});
  ASSERT_EQ(c.violations.size(), 3u);
  EXPECT_EQ(c.violations[0].breach, LimitBreach::kSinglePaymentMax);
  EXPECT_EQ(c.violations[1].breach, LimitBreach::kDailyVolume);
  EXPECT_EQ(c.violations[2].breach, LimitBreach::kNetDebitCap);
}

TEST(Limits, ExactlyReachingALimitIsAllowed) {
  EXPECT_TRUE(check_limits(usd_limits(), {"USD", 1'000'000, 4'000'000, 1'000'000}).ok());
}

TEST(Limits, UnsetLimitsAndUnlistedCurrenciesFollowThePolicy) {
  ParticipantLimits l;
  l.by_currency["EUR"] = CurrencyLimits{std::nullopt, 100, std::nullopt};
  EXPECT_TRUE(check_limits(l, {"EUR", 10'000'000, 0, 0}).violations.size() == 1);  // only daily
  EXPECT_TRUE(check_limits(l, {"JPY", 10'000'000, 0, 0}).ok());
  l.refuse_unlisted_currencies = true;
  const LimitCheck c = check_limits(l, {"JPY", 1, 0, 0});
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_EQ(c.violations[0].breach, LimitBreach::kCurrencyNotAllowed);
}

TEST(Limits, NonPositiveAmountsAndOverflowsAreBreachesNotCrashes) {
  EXPECT_EQ(check_limits(usd_limits(), {"USD", 0, 0, 0}).violations[0].breach, LimitBreach::kInvalidAmount);
  EXPECT_EQ(check_limits(usd_limits(), {"USD", -5, 0, 0}).violations[0].breach, LimitBreach::kInvalidAmount);
  ParticipantLimits l;
  l.by_currency["USD"] = CurrencyLimits{std::nullopt, std::numeric_limits<int64_t>::max(), std::nullopt};
  const LimitCheck c = check_limits(l, {"USD", 10, std::numeric_limits<int64_t>::max() - 5, 0});
  ASSERT_EQ(c.violations.size(), 1u);
  EXPECT_EQ(c.violations[0].value_minor, std::numeric_limits<int64_t>::max());
}

TEST(DailyCounters, AccumulateWithinTheUtcDayAndStartAgainAtMidnight) {
  DailyCounters d;
  ASSERT_TRUE(d.add("BANK-A", "USD", 100, kT0 + 1).has_value());
  ASSERT_TRUE(d.add("BANK-A", "USD", 250, kT0 + 23 * kHour).has_value());
  ASSERT_TRUE(d.add("BANK-A", "EUR", 7, kT0 + kHour).has_value());
  EXPECT_EQ(d.totals("BANK-A", "USD", kT0 + 23 * kHour).volume_minor, 350);
  EXPECT_EQ(d.totals("BANK-A", "USD", kT0 + 23 * kHour).count, 2u);
  EXPECT_EQ(d.totals("BANK-A", "EUR", kT0).volume_minor, 7);
  EXPECT_EQ(d.totals("BANK-A", "USD", kT0 + 24 * kHour).volume_minor, 0);
  ASSERT_TRUE(d.add("BANK-A", "USD", 40, kT0 + 24 * kHour).has_value());
  EXPECT_EQ(d.totals("BANK-A", "USD", kT0 + 25 * kHour).volume_minor, 40);
  EXPECT_EQ(DailyCounters::day_of(kT0), 20454);
  EXPECT_EQ(DailyCounters::day_of(-1), -1);
}

TEST(DailyCounters, SubtractTakesBackOnlyWhatTodayHolds) {
  DailyCounters d;
  ASSERT_TRUE(d.add("B", "USD", 100, kT0).has_value());
  ASSERT_TRUE(d.subtract("B", "USD", 60, kT0 + kHour).has_value());
  EXPECT_EQ(d.totals("B", "USD", kT0).volume_minor, 40);
  EXPECT_EQ(d.subtract("B", "USD", 41, kT0).error().code, ErrorCode::kFailedPrecondition);
  EXPECT_EQ(d.subtract("B", "USD", 10, kT0 + 24 * kHour).error().code, ErrorCode::kFailedPrecondition);
}

TEST(DailyCounters, RefusesBadAmountsAndOverflowWithoutChangingState) {
  DailyCounters d;
  EXPECT_EQ(d.add("B", "USD", 0, kT0).error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(d.add("B", "USD", std::numeric_limits<int64_t>::max(), kT0).has_value());
  EXPECT_EQ(d.add("B", "USD", 1, kT0).error().code, ErrorCode::kResourceExhausted);
  EXPECT_EQ(d.totals("B", "USD", kT0).count, 1u);
}

TEST(DailyCounters, RestoreAndPruneSupportARebuild) {
  DailyCounters d;
  d.restore("B", "USD", DailyCounters::day_of(kT0), {500, 3});
  d.restore("C", "USD", DailyCounters::day_of(kT0) - 1, {9, 1});
  EXPECT_EQ(d.totals("B", "USD", kT0 + kHour).volume_minor, 500);
  d.prune(kT0);
  EXPECT_EQ(d.size(), 1u);
}

TEST(VelocityCounter, CountsTheLastHourAndTheLastDay) {
  VelocityCounter v;
  for (int i = 0; i < 30; ++i) v.record("BANK-A", kT0 + i * 2 * kMinute);  // one every 2 minutes
  const auto at_end = v.counts("BANK-A", kT0 + 58 * kMinute);
  EXPECT_EQ(at_end.last_hour, 30u);
  EXPECT_EQ(at_end.last_day, 30u);
  const auto later = v.counts("BANK-A", kT0 + 90 * kMinute);
  EXPECT_EQ(later.last_hour, 14u);  // minutes 31..90: the records at 32, 34, ..., 58
  EXPECT_EQ(later.last_day, 30u);
  EXPECT_EQ(v.counts("BANK-A", kT0 + 25 * kHour).last_day, 0u);
  EXPECT_EQ(v.counts("OTHER", kT0).last_hour, 0u);
  v.prune(kT0 + 26 * kHour);
  EXPECT_EQ(v.size(), 0u);
}

}  // namespace
}  // namespace deltran::risk
