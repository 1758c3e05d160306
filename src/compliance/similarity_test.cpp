#include <gtest/gtest.h>

#include <deltran/compliance/similarity.hpp>

namespace deltran::compliance {
namespace {

TEST(JaroWinkler, MatchesThePublishedReferenceValues) {
  // Winkler (1990) and the usual textbook pairs.
  EXPECT_NEAR(jaro("martha", "marhta"), 0.9444, 1e-4);
  EXPECT_NEAR(jaro_winkler("martha", "marhta"), 0.9611, 1e-4);
  EXPECT_NEAR(jaro("dwayne", "duane"), 0.8222, 1e-4);
  EXPECT_NEAR(jaro_winkler("dwayne", "duane"), 0.84, 1e-4);
  EXPECT_NEAR(jaro("dixon", "dicksonx"), 0.7667, 1e-4);
  EXPECT_NEAR(jaro_winkler("dixon", "dicksonx"), 0.8133, 1e-4);
}

TEST(JaroWinkler, HandlesEmptyIdenticalAndDisjointStrings) {
  EXPECT_EQ(jaro_winkler("", ""), 1.0);
  EXPECT_EQ(jaro_winkler("", "abc"), 0.0);
  EXPECT_EQ(jaro_winkler("abc", "abc"), 1.0);
  EXPECT_EQ(jaro_winkler("abc", "xyz"), 0.0);
}

TEST(JaroWinkler, IsSymmetricAndBoundedForTransliterations) {
  for (auto [a, b] : {std::pair{"mohammed", "muhammad"}, {"hussein", "husain"}, {"sergey", "sergei"},
                      {"youssef", "yusuf"}}) {
    const double x = jaro_winkler(a, b), y = jaro_winkler(b, a);
    EXPECT_DOUBLE_EQ(x, y) << a << " " << b;
    EXPECT_GT(x, 0.8) << a << " " << b;
    EXPECT_LT(x, 1.0) << a << " " << b;
  }
}

TEST(JaroWinkler, BoostsOnlyAboveTheThresholdAndAtMostFourPrefixLetters) {
  // Jaro 0.5 stays 0.5 although the prefix is shared.
  EXPECT_DOUBLE_EQ(jaro_winkler("ab", "ac"), jaro("ab", "ac"));
  const double j = jaro("abcdefgh", "abcdefxy");
  EXPECT_NEAR(jaro_winkler("abcdefgh", "abcdefxy"), j + 0.4 * (1 - j), 1e-12);
}

}  // namespace
TEST(EditDistance, WithinTwoEditsCountsSubstitutionsInsertionsDeletionsAndSwaps) {
  EXPECT_TRUE(within_two_edits("guzman", "guumzan"));     // a letter added, two swapped
  EXPECT_TRUE(within_two_edits("nicolas", "niffcolas"));  // one added, one changed
  EXPECT_TRUE(within_two_edits("herrera", "herrsrra"));
  EXPECT_TRUE(within_two_edits("abc", "abc"));
  EXPECT_FALSE(within_two_edits("nicolas", "nixxfcolas"));  // three
  EXPECT_FALSE(within_two_edits("guzman", "gzmnaaa"));
  EXPECT_FALSE(within_two_edits("baganda", "bagandaru"));  // extended by two: a derived name
  EXPECT_TRUE(within_two_edits("bagandu", "bagandaru"));   // two added inside: a typo
  EXPECT_FALSE(within_two_edits(std::string(41, 'a'), std::string(41, 'a')));  // too long to compare
  EXPECT_TRUE(one_edit_apart("limited", "lmited"));
  EXPECT_TRUE(one_edit_apart("limited", "lmiited"));   // i and m swapped
  EXPECT_FALSE(one_edit_apart("limited", "lxmxted"));
}

}  // namespace deltran::compliance
