#include <vector>

#include <gtest/gtest.h>

#include <deltran/fx/predict.hpp>

namespace deltran::fx {
namespace {

TEST(PredictCounterflow, NothingObservedIsUnknownUnlessTheInflowAlreadyCovers) {
  Prediction none = predict_counterflow({}, WindowFlow{0, 0}, 1'000, 0);
  EXPECT_FALSE(none.probability_permille.has_value());
  EXPECT_EQ(none.confidence_permille, 0);
  Prediction covered = predict_counterflow({}, WindowFlow{5'000, 3'000}, 2'000, 0);
  ASSERT_TRUE(covered.probability_permille.has_value());
  EXPECT_EQ(*covered.probability_permille, 1000);
  EXPECT_TRUE(covered.covered_now);
  EXPECT_EQ(covered.need_minor, 5'000);
}

TEST(PredictCounterflow, TheShareOfObservedWindowsWhoseInflowWouldCoverIt) {
  // Inflows of 10k, 20k, 30k, 40k in four windows; 3k out so far, a 12k payment: need 15k,
  // covered in three of four windows → (3 + ½) / 5 = 700 ‰.
  const std::vector<WindowFlow> history{{10'000, 9'000}, {20'000, 21'000}, {30'000, 28'000}, {40'000, 41'000}};
  Prediction p = predict_counterflow(history, WindowFlow{1'000, 3'000}, 12'000, 900'000);
  ASSERT_TRUE(p.probability_permille.has_value());
  EXPECT_EQ(p.windows_observed, 4);
  EXPECT_EQ(p.windows_covering, 3);
  EXPECT_EQ(*p.probability_permille, 700);
  EXPECT_EQ(p.mean_in_minor, 25'000);
  EXPECT_EQ(p.mean_out_minor, 24'750);
  EXPECT_EQ(p.two_way_permille, 990);
  // Confidence: 4 windows → 4/8 = 500 ‰, times the mean of 990 ‰ two-way and 900 ‰ netting.
  EXPECT_EQ(p.confidence_permille, 500 * 945 / 1000);
  // Inflow already in the window counts: 16k arrived covers the 15k whatever the history says.
  EXPECT_EQ(*predict_counterflow(history, WindowFlow{16'000, 3'000}, 12'000, 0).probability_permille, 1000);
  // A payment no observed window would cover: only the pseudo-window's half remains.
  EXPECT_EQ(*predict_counterflow(history, WindowFlow{0, 0}, 1'000'000, 0).probability_permille, 100);
}

TEST(PredictCounterflow, OneWayFlowsGiveLittleConfidence) {
  // A participant that only ever sends: its inflow never covers, and the flows are one-way.
  const std::vector<WindowFlow> history(20, WindowFlow{0, 50'000});
  Prediction p = predict_counterflow(history, WindowFlow{0, 0}, 10'000, 0);
  EXPECT_EQ(*p.probability_permille, 23);  // ½ / 21
  EXPECT_EQ(p.two_way_permille, 0);
  EXPECT_EQ(p.confidence_permille, 0);
}

}  // namespace
}  // namespace deltran::fx
