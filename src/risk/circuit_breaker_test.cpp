#include <gtest/gtest.h>

#include <deltran/risk/circuit_breaker.hpp>

namespace deltran::risk {
namespace {

constexpr int64_t kT0 = 1'767'225'600'000'000;
constexpr int64_t kSecond = 1'000'000;

TEST(CircuitBreaker, StaysClosedWhileFailuresAreFewOrARareShare) {
  CircuitBreaker b;
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(b.record(Outcome::kFailure, kT0 + i * kSecond));
  EXPECT_EQ(b.state(kT0 + 4 * kSecond), BreakerState::kClosed);  // 4 < min_bad
  EXPECT_TRUE(b.record(Outcome::kFailure, kT0 + 4 * kSecond));   // the fifth opens it and says so
  EXPECT_FALSE(b.record(Outcome::kFailure, kT0 + 5 * kSecond));  // already open
  CircuitBreaker c;
  for (int i = 0; i < 20; ++i) c.record(Outcome::kSuccess, kT0);
  for (int i = 0; i < 6; ++i) c.record(Outcome::kFailure, kT0 + kSecond);
  EXPECT_EQ(c.state(kT0 + kSecond), BreakerState::kClosed);  // 6 of 26 < 50 %
  EXPECT_TRUE(c.allow(kT0 + kSecond));
}

TEST(CircuitBreaker, OpensOnFiveBadOutcomesMakingHalfTheWindow) {
  CircuitBreaker b;
  b.record(Outcome::kSuccess, kT0);
  b.record(Outcome::kRejection, kT0 + 1 * kSecond);
  b.record(Outcome::kFailure, kT0 + 2 * kSecond);
  b.record(Outcome::kLimitBreach, kT0 + 3 * kSecond);
  b.record(Outcome::kFailure, kT0 + 4 * kSecond);
  EXPECT_EQ(b.state(kT0 + 4 * kSecond), BreakerState::kClosed);
  b.record(Outcome::kFailure, kT0 + 5 * kSecond);
  EXPECT_EQ(b.state(kT0 + 5 * kSecond), BreakerState::kOpen);
  EXPECT_FALSE(b.allow(kT0 + 6 * kSecond));
  const BreakerSnapshot s = b.snapshot(kT0 + 6 * kSecond);
  EXPECT_EQ(s.times_opened, 1u);
  EXPECT_EQ(s.opened_at_us, kT0 + 5 * kSecond);
  EXPECT_EQ(s.bad_in_window, 5u);
  EXPECT_EQ(s.total_in_window, 6u);
}

TEST(CircuitBreaker, TheWindowSlidesSoOldFailuresAreForgotten) {
  CircuitBreaker b;
  for (int i = 0; i < 4; ++i) b.record(Outcome::kFailure, kT0);
  b.record(Outcome::kFailure, kT0 + 61 * kSecond);  // the first four have left the 60 s window
  EXPECT_EQ(b.state(kT0 + 61 * kSecond), BreakerState::kClosed);
  EXPECT_EQ(b.snapshot(kT0 + 61 * kSecond).bad_in_window, 1u);
}

TEST(CircuitBreaker, GoesHalfOpenAfterTheOpenDurationAndLimitsProbes) {
  CircuitBreaker b;
  for (int i = 0; i < 5; ++i) b.record(Outcome::kFailure, kT0);
  ASSERT_EQ(b.state(kT0), BreakerState::kOpen);
  EXPECT_EQ(b.state(kT0 + 59 * kSecond), BreakerState::kOpen);
  EXPECT_FALSE(b.allow(kT0 + 59 * kSecond));
  const int64_t t = kT0 + 60 * kSecond;
  EXPECT_EQ(b.state(t), BreakerState::kHalfOpen);
  EXPECT_TRUE(b.allow(t));
  EXPECT_TRUE(b.allow(t));
  EXPECT_TRUE(b.allow(t));
  EXPECT_FALSE(b.allow(t));  // three probes at most
  EXPECT_EQ(b.snapshot(t).probes_in_flight, 3u);
}

TEST(CircuitBreaker, ClosesAfterThreeSuccessfulProbes) {
  CircuitBreaker b;
  for (int i = 0; i < 5; ++i) b.record(Outcome::kFailure, kT0);
  const int64_t t = kT0 + 60 * kSecond;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(b.allow(t));
    b.record(Outcome::kSuccess, t + i);
  }
  EXPECT_EQ(b.state(t + 3), BreakerState::kClosed);
  EXPECT_EQ(b.snapshot(t + 3).bad_in_window, 0u);  // a fresh window
  EXPECT_TRUE(b.allow(t + 4));
}

TEST(CircuitBreaker, ReopensOnAFailureWhileHalfOpen) {
  CircuitBreaker b;
  for (int i = 0; i < 5; ++i) b.record(Outcome::kFailure, kT0);
  const int64_t t = kT0 + 60 * kSecond;
  ASSERT_TRUE(b.allow(t));
  b.record(Outcome::kSuccess, t);
  ASSERT_TRUE(b.allow(t));
  b.record(Outcome::kFailure, t + kSecond);
  EXPECT_EQ(b.state(t + kSecond), BreakerState::kOpen);
  EXPECT_EQ(b.snapshot(t + kSecond).times_opened, 2u);
  EXPECT_EQ(b.state(t + kSecond + 60 * kSecond), BreakerState::kHalfOpen);
}

TEST(CircuitBreaker, ResetClosesAndClearsTheWindow) {
  CircuitBreaker b;
  for (int i = 0; i < 5; ++i) b.record(Outcome::kFailure, kT0);
  b.reset();
  EXPECT_EQ(b.state(kT0), BreakerState::kClosed);
  EXPECT_TRUE(b.allow(kT0));
  b.record(Outcome::kFailure, kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kClosed);
}

TEST(CircuitBreaker, WhichOutcomesCountIsConfigurable) {
  BreakerSettings s;
  s.limit_breaches_count = false;
  CircuitBreaker b(s);
  for (int i = 0; i < 10; ++i) b.record(Outcome::kLimitBreach, kT0);
  EXPECT_EQ(b.state(kT0), BreakerState::kClosed);
  BreakerSettings bad;
  bad.window_buckets = 0;
  EXPECT_FALSE(validate(bad).has_value());
  EXPECT_TRUE(validate(BreakerSettings{}).has_value());
}

TEST(CircuitBreakers, ParticipantAndCorridorBreakersAreIndependentAndListedInOrder) {
  CircuitBreakers all;
  for (int i = 0; i < 5; ++i) all.record_payment("BANK-B", "USD-AED", Outcome::kFailure, kT0);
  EXPECT_EQ(all.state(BreakerScope::kParticipant, "BANK-B", kT0), BreakerState::kOpen);
  EXPECT_EQ(all.state(BreakerScope::kCorridor, "USD-AED", kT0), BreakerState::kOpen);
  EXPECT_EQ(all.state(BreakerScope::kParticipant, "BANK-A", kT0), BreakerState::kClosed);
  EXPECT_FALSE(all.allow_payment("BANK-A", "USD-AED", kT0));  // the corridor is open
  EXPECT_TRUE(all.allow_payment("BANK-A", "USD-EUR", kT0));
  all.reset(BreakerScope::kCorridor, "USD-AED");
  EXPECT_TRUE(all.allow_payment("BANK-A", "USD-AED", kT0));
  const auto snap = all.snapshot(kT0);
  ASSERT_EQ(snap.size(), 4u);  // BANK-A, BANK-B; USD-AED, USD-EUR
  EXPECT_EQ(snap[0].scope, BreakerScope::kParticipant);
  EXPECT_EQ(snap[0].key, "BANK-A");
  EXPECT_EQ(snap[1].key, "BANK-B");
  EXPECT_EQ(snap[2].scope, BreakerScope::kCorridor);
  EXPECT_EQ(snap[2].key, "USD-AED");
  all.reset_all();
  EXPECT_EQ(all.state(BreakerScope::kParticipant, "BANK-B", kT0), BreakerState::kClosed);
}

TEST(CircuitBreakers, ARefusalByOneBreakerTakesNoProbeFromTheOther) {
  CircuitBreakers all;
  for (int i = 0; i < 5; ++i) all.record(BreakerScope::kParticipant, "P", Outcome::kFailure, kT0);
  for (int i = 0; i < 5; ++i) all.record(BreakerScope::kCorridor, "C", Outcome::kFailure, kT0 + 30 * kSecond);
  const int64_t t = kT0 + 60 * kSecond;  // participant half-open, corridor still open
  EXPECT_FALSE(all.allow_payment("P", "C", t));
  EXPECT_EQ(all.snapshot(t)[1].snapshot.probes_in_flight, 0u);
}

}  // namespace
}  // namespace deltran::risk
