#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/clearing/netting.hpp>
#include <deltran/testsupport/workload.hpp>

namespace deltran::clearing {
using testsupport::generate_workload;
using testsupport::WorkloadSettings;
namespace {

constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

// The worked example of DESIGN.md section 5, in thousands: A=0, B=1, C=2, D=3.
std::vector<Obligation> design_example() {
  return {{0, 1, 1'000'000}, {1, 2, 500'000}, {2, 0, 750'000},
          {0, 3, 300'000},   {3, 1, 200'000}, {1, 0, 100'000}};
}

// The plan moves money between zero balances; the result must be exactly the positions.
std::vector<int64_t> apply_plan(const std::vector<Transfer>& plan, size_t participants) {
  std::vector<int64_t> balance(participants, 0);
  for (const Transfer& t : plan) {
    balance[t.from] -= t.amount_minor;
    balance[t.to] += t.amount_minor;
  }
  return balance;
}

int64_t plan_total(const std::vector<Transfer>& plan) {
  int64_t total = 0;
  for (const Transfer& t : plan) total += t.amount_minor;
  return total;
}

size_t nonzero_count(const std::vector<int64_t>& net) {
  return static_cast<size_t>(std::count_if(net.begin(), net.end(), [](int64_t n) { return n != 0; }));
}

// Reference model, written the obvious way: an ordered map of pairs.
struct BruteForce {
  std::vector<int64_t> net;
  int64_t gross = 0;
  int64_t settled = 0;
  int64_t bilateral = 0;
};

BruteForce brute_force(const std::vector<Obligation>& obligations, uint32_t participants) {
  BruteForce expected;
  expected.net.assign(participants, 0);
  std::map<std::pair<uint32_t, uint32_t>, int64_t> owed;
  for (const Obligation& o : obligations) {
    expected.gross += o.amount_minor;
    owed[{o.debtor, o.creditor}] += o.amount_minor;
  }
  for (uint32_t i = 0; i < participants; ++i) {
    int64_t incoming = 0;
    int64_t outgoing = 0;
    for (const Obligation& o : obligations) {
      if (o.creditor == i) incoming += o.amount_minor;
      if (o.debtor == i) outgoing += o.amount_minor;
    }
    expected.net[i] = incoming - outgoing;
    if (expected.net[i] < 0) expected.settled -= expected.net[i];
  }
  for (const auto& [pair, amount] : owed) {
    if (pair.first > pair.second) continue;
    const auto reverse = owed.find({pair.second, pair.first});
    const int64_t back = reverse == owed.end() ? 0 : reverse->second;
    expected.bilateral += amount > back ? amount - back : back - amount;
  }
  for (const auto& [pair, amount] : owed) {
    if (pair.first > pair.second && !owed.contains({pair.second, pair.first})) {
      expected.bilateral += amount;
    }
  }
  return expected;
}

TEST(Netting, DesignExampleNetsToSevenHundredThousandAtSeventyFivePointFourPercent) {
  auto result = net_multilateral(design_example(), 4);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->net_minor, (std::vector<int64_t>{-450'000, 600'000, -250'000, 100'000}));
  EXPECT_EQ(result->gross_minor, 2'850'000);
  EXPECT_EQ(result->settled_minor, 700'000);
  EXPECT_EQ(result->efficiency_ppm, 754'385);  // 2,150 / 2,850 = 0.7543859..., truncated
  // A-B 900, B-C 500, C-A 750, A-D 300, D-B 200.
  EXPECT_EQ(result->bilateral_minor, 2'650'000);
  EXPECT_EQ(result->bilateral_efficiency_ppm, 70'175);
}

TEST(Netting, DesignExampleSettlesPeerToPeerInThreeTransfers) {
  auto result = net_multilateral(design_example(), 4);
  ASSERT_TRUE(result.has_value());
  const std::vector<Transfer> plan = peer_to_peer_plan(result->net_minor);
  ASSERT_EQ(plan.size(), 3u);  // k - 1 with k = 4
  EXPECT_EQ(plan_total(plan), 700'000);
  EXPECT_EQ(apply_plan(plan, 4), result->net_minor);
  // Largest debtor A pays largest creditor B first; C then pays B's rest and all of D.
  EXPECT_EQ(plan[0].from, 0u);
  EXPECT_EQ(plan[0].to, 1u);
  EXPECT_EQ(plan[0].amount_minor, 450'000);
  EXPECT_EQ(plan[1].from, 2u);
  EXPECT_EQ(plan[1].to, 1u);
  EXPECT_EQ(plan[1].amount_minor, 150'000);
  EXPECT_EQ(plan[2].from, 2u);
  EXPECT_EQ(plan[2].to, 3u);
  EXPECT_EQ(plan[2].amount_minor, 100'000);
}

TEST(Netting, EmptyWindowHasZeroTotalsAndZeroEfficiency) {
  auto result = net_multilateral({}, 3);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->net_minor, (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(result->gross_minor, 0);
  EXPECT_EQ(result->settled_minor, 0);
  EXPECT_EQ(result->bilateral_minor, 0);
  EXPECT_EQ(result->efficiency_ppm, 0);
  EXPECT_EQ(result->bilateral_efficiency_ppm, 0);
  EXPECT_TRUE(peer_to_peer_plan(result->net_minor).empty());
  EXPECT_TRUE(net_multilateral({}, 0).has_value());
}

TEST(Netting, PerfectCycleNetsToNothing) {
  const std::vector<Obligation> cycle = {{0, 1, 500}, {1, 2, 500}, {2, 0, 500}};
  auto result = net_multilateral(cycle, 3);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->settled_minor, 0);
  EXPECT_EQ(result->bilateral_minor, 1'500);  // no pair offsets another: cycles need multilateral
  EXPECT_EQ(result->efficiency_ppm, 1'000'000);
  EXPECT_EQ(result->bilateral_efficiency_ppm, 0);
  EXPECT_TRUE(peer_to_peer_plan(result->net_minor).empty());
}

TEST(Netting, RepeatedPairsOffsetBilaterally) {
  const std::vector<Obligation> flows = {{0, 1, 70}, {1, 0, 30}, {0, 1, 10}, {1, 0, 50}};
  auto result = net_multilateral(flows, 2);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->bilateral_minor, 0);
  EXPECT_EQ(result->settled_minor, 0);
}

TEST(Netting, GrossOfExactlyInt64MaxIsAccepted) {
  const std::vector<Obligation> flows = {{0, 1, kInt64Max - 1}, {1, 0, 1}};
  auto result = net_multilateral(flows, 2);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->gross_minor, kInt64Max);
  EXPECT_EQ(result->settled_minor, kInt64Max - 2);
  EXPECT_EQ(result->efficiency_ppm, 0);  // 2 / 9.2e18 is below one ppm
}

TEST(Netting, RefusesSelfPayment) {
  const std::vector<Obligation> flows = {{0, 1, 10}, {2, 2, 10}};
  auto result = net_multilateral(flows, 3);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("obligation 1"), std::string::npos)
      << result.error().message;
}

TEST(Netting, RefusesZeroAndNegativeAmounts) {
  for (const int64_t amount : {int64_t{0}, int64_t{-1}, std::numeric_limits<int64_t>::min()}) {
    const std::vector<Obligation> flows = {{0, 1, amount}};
    auto result = net_multilateral(flows, 2);
    ASSERT_FALSE(result.has_value()) << amount;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
}

TEST(Netting, RefusesIndicesOutOfRange) {
  const std::vector<Obligation> bad_debtor = {{3, 0, 10}};
  const std::vector<Obligation> bad_creditor = {{0, 3, 10}};
  const std::vector<Obligation> huge = {{0, std::numeric_limits<uint32_t>::max(), 10}};
  for (const auto& flows : {bad_debtor, bad_creditor, huge}) {
    auto result = net_multilateral(flows, 3);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  const std::vector<Obligation> any = {{0, 1, 10}};
  EXPECT_FALSE(net_multilateral(any, 0).has_value());
}

TEST(Netting, RefusesTotalsThatOverflowInt64) {
  const std::vector<Obligation> flows = {{0, 1, kInt64Max}, {1, 0, 1}};
  auto result = net_multilateral(flows, 2);
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("overflow"), std::string::npos) << result.error().message;

  const std::vector<Obligation> many(3, Obligation{0, 1, kInt64Max / 2});
  EXPECT_FALSE(net_multilateral(many, 2).has_value());
}

TEST(Netting, ResultDoesNotDependOnObligationOrder) {
  std::vector<Obligation> flows = generate_workload({.participants = 50, .obligations = 2'000});
  auto forward = net_multilateral(flows, 50);
  std::reverse(flows.begin(), flows.end());
  auto backward = net_multilateral(flows, 50);
  ASSERT_TRUE(forward.has_value());
  ASSERT_TRUE(backward.has_value());
  EXPECT_EQ(forward->net_minor, backward->net_minor);
  EXPECT_EQ(forward->bilateral_minor, backward->bilateral_minor);
  EXPECT_EQ(forward->settled_minor, backward->settled_minor);
}

// Varied shapes: tiny networks (many repeated pairs), no core, all core, skewed flows.
WorkloadSettings settings_for_seed(uint64_t seed) {
  WorkloadSettings settings;
  settings.seed = seed;
  settings.participants = static_cast<uint32_t>(2 + seed % 7 * 23);
  settings.obligations = static_cast<uint32_t>(seed % 5 * 700);
  settings.core_participants = static_cast<uint32_t>(seed % 4 * 5);
  settings.pareto_alpha = 0.8 + static_cast<double>(seed % 3) * 0.6;
  settings.reciprocity = static_cast<double>(seed % 4) / 3.0;
  settings.imbalance = static_cast<double>(seed % 3) / 2.0;
  return settings;
}

TEST(NettingProperties, PositionsAndTotalsMatchBruteForceOverManySeeds) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const WorkloadSettings settings = settings_for_seed(seed);
    const std::vector<Obligation> flows = generate_workload(settings);
    auto result = net_multilateral(flows, settings.participants);
    ASSERT_TRUE(result.has_value()) << "seed " << seed << ": " << result.error().message;
    const BruteForce expected = brute_force(flows, settings.participants);
    EXPECT_EQ(result->net_minor, expected.net) << "seed " << seed;
    EXPECT_EQ(result->gross_minor, expected.gross) << "seed " << seed;
    EXPECT_EQ(result->settled_minor, expected.settled) << "seed " << seed;
    EXPECT_EQ(result->bilateral_minor, expected.bilateral) << "seed " << seed;

    int64_t sum = 0;
    for (const int64_t n : result->net_minor) sum += n;
    EXPECT_EQ(sum, 0) << "seed " << seed;
    EXPECT_LE(result->settled_minor, result->bilateral_minor) << "seed " << seed;
    EXPECT_LE(result->bilateral_minor, result->gross_minor) << "seed " << seed;
    EXPECT_LE(result->bilateral_efficiency_ppm, result->efficiency_ppm) << "seed " << seed;
  }
}

TEST(NettingProperties, PeerToPeerPlanReproducesPositionsOverManySeeds) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    const WorkloadSettings settings = settings_for_seed(seed);
    auto result = net_multilateral(generate_workload(settings), settings.participants);
    ASSERT_TRUE(result.has_value());
    const std::vector<Transfer> plan = peer_to_peer_plan(result->net_minor);
    EXPECT_EQ(apply_plan(plan, settings.participants), result->net_minor) << "seed " << seed;
    EXPECT_EQ(plan_total(plan), result->settled_minor) << "seed " << seed;
    const size_t k = nonzero_count(result->net_minor);
    EXPECT_LE(plan.size(), k == 0 ? 0 : k - 1) << "seed " << seed;
    for (const Transfer& t : plan) {
      // Money only flows from a net debtor to a net creditor: nobody is a pass-through.
      EXPECT_GT(t.amount_minor, 0);
      EXPECT_LT(result->net_minor[t.from], 0) << "seed " << seed;
      EXPECT_GT(result->net_minor[t.to], 0) << "seed " << seed;
    }
    EXPECT_EQ(peer_to_peer_plan(result->net_minor).size(), plan.size());  // deterministic
  }
}

TEST(PeerToPeerPlan, BreaksTiesByLowerIndex) {
  const std::vector<int64_t> net = {-5, 5, -5, 5};
  const std::vector<Transfer> plan = peer_to_peer_plan(net);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].from, 0u);
  EXPECT_EQ(plan[0].to, 1u);
  EXPECT_EQ(plan[1].from, 2u);
  EXPECT_EQ(plan[1].to, 3u);
}

TEST(PeerToPeerPlan, HandlesTheLargestDebtAnInt64CanHold) {
  const std::vector<int64_t> net = {std::numeric_limits<int64_t>::min(), kInt64Max, 1};
  const std::vector<Transfer> plan = peer_to_peer_plan(net);
  ASSERT_EQ(plan.size(), 2u);
  EXPECT_EQ(plan[0].amount_minor, kInt64Max);
  EXPECT_EQ(plan[1].amount_minor, 1);
  EXPECT_EQ(apply_plan(plan, 3), net);
}

TEST(PeerToPeerPlanDeathTest, PositionsThatDoNotBalanceAreAProgrammerBug) {
  const std::vector<int64_t> net = {-5, 4};
  EXPECT_DEATH(peer_to_peer_plan(net), "sum to zero");
}

}  // namespace
}  // namespace deltran::clearing
