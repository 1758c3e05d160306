#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/clearing/netting.hpp>
#include <deltran/testsupport/workload.hpp>

namespace deltran::testsupport {

using clearing::Obligation;
namespace {

bool same(const std::vector<Obligation>& a, const std::vector<Obligation>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].debtor != b[i].debtor || a[i].creditor != b[i].creditor ||
        a[i].amount_minor != b[i].amount_minor) {
      return false;
    }
  }
  return true;
}

// Pinned from this implementation and cross-checked against a transcription of the
// reference xoshiro256starstar.c / splitmix64.c (Blackman and Vigna), which reproduces
// the published outputs 11520, 0, 1509978240, 1215971899390074240 from the state
// {1, 2, 3, 4}. The seed-42 values also match other independent SplitMix-seeded ports.
TEST(Prng, MatchesTheReferenceAlgorithmForPinnedSeeds) {
  Prng seed_42(42);
  for (const uint64_t expected : {1546998764402558742ULL, 6990951692964543102ULL,
                                  12544586762248559009ULL, 17057574109182124193ULL,
                                  18295552978065317476ULL}) {
    EXPECT_EQ(seed_42.next(), expected);
  }
  Prng seed_0(0);
  for (const uint64_t expected : {11091344671253066420ULL, 13793997310169335082ULL,
                                  1900383378846508768ULL, 7684712102626143532ULL}) {
    EXPECT_EQ(seed_0.next(), expected);
  }
}

TEST(Prng, BelowIsPinnedForASeed) {
  Prng rng(42);
  std::vector<uint64_t> draws;
  for (int i = 0; i < 8; ++i) draws.push_back(rng.below(10));
  EXPECT_EQ(draws, (std::vector<uint64_t>{0, 3, 6, 9, 9, 7, 7, 8}));
}

TEST(Prng, BelowStaysInRangeAndIsRoughlyUniform) {
  Prng rng(7);
  EXPECT_EQ(rng.below(1), 0u);
  constexpr int kDraws = 300'000;
  std::array<int, 3> counts{};
  for (int i = 0; i < kDraws; ++i) ++counts[rng.below(3)];
  for (const int c : counts) EXPECT_NEAR(c, kDraws / 3, kDraws / 100);  // ~17 sigma slack
  // A bound just above 2^63 rejects almost half the raw outputs; the result must still
  // be below it, and both halves must occur.
  const uint64_t big = (uint64_t{1} << 63) + 12345;
  int upper = 0;
  for (int i = 0; i < 10'000; ++i) {
    const uint64_t x = rng.below(big);
    ASSERT_LT(x, big);
    if (x >= uint64_t{1} << 62) ++upper;
  }
  EXPECT_GT(upper, 4'000);
  EXPECT_LT(upper, 6'000);
}

TEST(Prng, Uniform01StaysInTheHalfOpenUnitInterval) {
  Prng rng(11);
  double sum = 0.0;
  constexpr int kDraws = 100'000;
  for (int i = 0; i < kDraws; ++i) {
    const double u = rng.uniform01();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / kDraws, 0.5, 0.01);
}

TEST(Prng, NormalHasMeanZeroAndVarianceOne) {
  Prng rng(13);
  constexpr int kDraws = 200'000;
  double sum = 0.0;
  double sum_squares = 0.0;
  for (int i = 0; i < kDraws; ++i) {
    const double z = rng.normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum_squares += z * z;
  }
  const double mean = sum / kDraws;
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(sum_squares / kDraws - mean * mean, 1.0, 0.02);
}

TEST(Workload, SameSeedGivesIdenticalObligations) {
  const WorkloadSettings settings{.participants = 200, .obligations = 20'000, .seed = 99};
  EXPECT_TRUE(same(generate_workload(settings), generate_workload(settings)));
}

TEST(Workload, DifferentSeedsGiveDifferentObligations) {
  WorkloadSettings settings{.participants = 200, .obligations = 1'000};
  settings.seed = 1;
  const std::vector<Obligation> first = generate_workload(settings);
  settings.seed = 2;
  EXPECT_FALSE(same(first, generate_workload(settings)));
}

TEST(Workload, ObligationsAreWellFormedAndAsManyAsRequested) {
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    WorkloadSettings settings;
    settings.seed = seed;
    settings.participants = static_cast<uint32_t>(2 + seed * 13 % 300);
    settings.obligations = static_cast<uint32_t>(seed * 997 % 5'000);
    settings.core_participants = static_cast<uint32_t>(seed % 6 * 3);  // includes none and all
    settings.amount_log_sigma = static_cast<double>(seed % 4);
    const std::vector<Obligation> flows = generate_workload(settings);
    ASSERT_EQ(flows.size(), settings.obligations) << "seed " << seed;
    for (const Obligation& o : flows) {
      ASSERT_LT(o.debtor, settings.participants) << "seed " << seed;
      ASSERT_LT(o.creditor, settings.participants) << "seed " << seed;
      ASSERT_NE(o.debtor, o.creditor) << "seed " << seed;
      ASSERT_GT(o.amount_minor, 0) << "seed " << seed;
    }
    EXPECT_TRUE(net_multilateral(flows, settings.participants).has_value());
  }
}

TEST(Workload, TwoParticipantsOnlyPayEachOther) {
  const WorkloadSettings settings{.participants = 2, .obligations = 100, .core_participants = 10};
  for (const Obligation& o : generate_workload(settings)) EXPECT_NE(o.debtor, o.creditor);
}

TEST(Workload, MostPaymentsTouchTheCore) {
  const WorkloadSettings settings{
      .participants = 500, .obligations = 50'000, .core_participants = 20, .seed = 5};
  int touching = 0;
  for (const Obligation& o : generate_workload(settings)) {
    if (o.debtor < settings.core_participants || o.creditor < settings.core_participants) {
      ++touching;
    }
  }
  // 95 % by construction (core-core and core-periphery); 5 % periphery to periphery.
  EXPECT_NEAR(touching, 47'500, 1'000);
}

TEST(Workload, HugeAmountsAreCappedSoTotalsStayNettable) {
  const WorkloadSettings settings{.participants = 10,
                                  .obligations = 10'000,
                                  .amount_log_mean = 60.0,  // e^60: far beyond int64_t
                                  .amount_log_sigma = 0.0};
  const std::vector<Obligation> flows = generate_workload(settings);
  for (const Obligation& o : flows) ASSERT_EQ(o.amount_minor, flows.front().amount_minor);
  EXPECT_TRUE(net_multilateral(flows, settings.participants).has_value());
}

int64_t bilateral_ppm(double reciprocity) {
  const WorkloadSettings settings{
      .participants = 100, .obligations = 20'000, .reciprocity = reciprocity, .seed = 3};
  return net_multilateral(generate_workload(settings), settings.participants)
      ->bilateral_efficiency_ppm;
}

TEST(Workload, ReciprocityRaisesBilateralEfficiency) {
  EXPECT_GT(bilateral_ppm(1.0), bilateral_ppm(0.5));
  EXPECT_GT(bilateral_ppm(0.5), bilateral_ppm(0.0));
}

TEST(Workload, ImbalanceMovesMoneyFromPeripheryToCore) {
  auto core_position = [](double imbalance) {
    const WorkloadSettings settings{.participants = 100,
                                    .obligations = 20'000,
                                    .core_participants = 10,
                                    .reciprocity = 0.0,
                                    .imbalance = imbalance,
                                    .seed = 4};
    auto result = net_multilateral(generate_workload(settings), settings.participants);
    int64_t core = 0;
    for (uint32_t i = 0; i < settings.core_participants; ++i) core += result->net_minor[i];
    return std::pair{core, result->gross_minor};
  };
  const auto [skewed_core, skewed_gross] = core_position(1.0);
  // Every core-periphery payment goes to the core: about half the gross ends up there.
  EXPECT_GT(skewed_core, skewed_gross / 3);
  const auto [balanced_core, balanced_gross] = core_position(0.0);
  EXPECT_LT(balanced_core, skewed_core);
  EXPECT_LT(std::abs(balanced_core), balanced_gross / 10);
}

}  // namespace
}  // namespace deltran::testsupport
