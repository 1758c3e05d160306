// The idempotency memory on its own: which fingerprint a key takes, when a key expires, and
// that a snapshot keeps all of it. (The engine tests drive it through real retries.)
#include <gtest/gtest.h>

#include "state.hpp"

namespace deltran::engine {
namespace {

constexpr int64_t kDay = 86'400'000'000;
constexpr int64_t kRetention = 3 * kDay;

TEST(IdempotencyMemory, DaysAreUtcDaysAndBeforeTheEpochToo) {
  EXPECT_EQ(IdempotencyMemory::day(0), 0);
  EXPECT_EQ(IdempotencyMemory::day(kDay - 1), 0);
  EXPECT_EQ(IdempotencyMemory::day(kDay), 1);
  EXPECT_EQ(IdempotencyMemory::day(-1), -1);
  EXPECT_EQ(IdempotencyMemory::expiry_day(10 * kDay + 5, kRetention), 7);
}

TEST(IdempotencyMemory, ASecondKeyWithALiveKeysFingerprintIsKeptExactly) {
  IdempotencyMemory m;
  m.place("A\x1f" "k1", 7, 10, 5 * kDay, kRetention);
  m.place("A\x1f" "k2", 7, 20, 5 * kDay + 1, kRetention);  // another key, one fingerprint
  ASSERT_EQ(m.fingerprints.at(7), 10) << "the first key keeps the fingerprint";
  ASSERT_EQ(m.collided.size(), 1u);
  EXPECT_EQ(m.collided.at("A\x1f" "k2"), 20);
  EXPECT_EQ(m.day_of(10), 5);
  EXPECT_EQ(m.day_of(20), 5);
  EXPECT_EQ(m.day_starts.size(), 1u);
}

TEST(IdempotencyMemory, AnExpiredKeysFingerprintIsTakenOver) {
  IdempotencyMemory m;
  m.place("A\x1f" "old", 7, 10, 1 * kDay, kRetention);
  m.place("A\x1f" "new", 7, 50, 9 * kDay, kRetention);
  EXPECT_EQ(m.fingerprints.at(7), 50);
  EXPECT_TRUE(m.collided.empty());
  EXPECT_EQ(m.day_of(10), 1);
  EXPECT_EQ(m.day_of(50), 9);
  EXPECT_FALSE(m.live(10, IdempotencyMemory::expiry_day(9 * kDay, kRetention)));
  EXPECT_TRUE(m.live(50, IdempotencyMemory::expiry_day(9 * kDay, kRetention)));
}

TEST(IdempotencyMemory, PruningForgetsExpiredDaysOnly) {
  IdempotencyMemory m;
  m.place("A\x1f" "d1", 1, 10, 1 * kDay, kRetention);
  m.place("A\x1f" "d2", 2, 20, 2 * kDay, kRetention);
  m.place("A\x1f" "d2b", 2, 21, 2 * kDay, kRetention);  // collides with d2, live
  m.place("A\x1f" "d4", 4, 40, 4 * kDay, kRetention);
  m.place("A\x1f" "d5", 5, 50, 5 * kDay + 7, kRetention);
  ASSERT_EQ(m.collided.size(), 1u);
  // On day 6 the keys of day 3 onwards answer.
  const int32_t expiry = IdempotencyMemory::expiry_day(6 * kDay, kRetention);
  ASSERT_EQ(expiry, 3);
  m.prune(expiry);
  EXPECT_EQ(m.fingerprints.count(1), 0u);
  EXPECT_EQ(m.fingerprints.count(2), 0u);
  EXPECT_TRUE(m.collided.empty());
  EXPECT_EQ(m.fingerprints.at(4), 40);
  EXPECT_EQ(m.fingerprints.at(5), 50);
  EXPECT_EQ(m.day_of(40), 4);
  EXPECT_EQ(m.day_of(50), 5);
  EXPECT_LT(m.day_of(20), expiry) << "a pruned day reads as expired";
}

TEST(IdempotencyMemory, ASnapshotKeepsFingerprintsCollisionsAndDays) {
  Settings settings;
  Engine::State s(settings);
  s.idempotency.place("A\x1f" "k1", 7, 10, 5 * kDay, kRetention);
  s.idempotency.place("A\x1f" "k2", 7, 20, 6 * kDay, kRetention);
  s.idempotency.place("B\x1f" "k3", 9, 30, 6 * kDay, kRetention);
  const std::string bytes = save_state(s);
  Engine::State back(settings);
  ASSERT_TRUE(load_state(back, settings, bytes).has_value());
  EXPECT_EQ(back.idempotency.fingerprints, s.idempotency.fingerprints);
  EXPECT_EQ(back.idempotency.collided, s.idempotency.collided);
  EXPECT_EQ(back.idempotency.day_starts, s.idempotency.day_starts);
  EXPECT_EQ(back.idempotency.day_of(20), 6);
}

}  // namespace
}  // namespace deltran::engine
