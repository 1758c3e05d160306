// The quality bar: recall >= 98 % on true variants with <= 1 % false positives on
// look-alike non-matches, at the default threshold, against a 20,000-entry list.
#include <cstdio>
#include <map>
#include <string>

#include <gtest/gtest.h>

#include <deltran/compliance/screening_index.hpp>
#include <deltran/testsupport/synthetic_names.hpp>

namespace deltran::compliance {
namespace synthetic = testsupport::synthetic;
namespace {

struct Tally {
  size_t total = 0;
  size_t hits = 0;
};

TEST(ScreeningQuality, MeetsRecallAndFalsePositiveBarsOnTheLabelledSet) {
  const synthetic::SyntheticList list = synthetic::generate_list({});
  auto index = ScreeningIndex::build({list.list});
  ASSERT_TRUE(index.has_value());
  const std::vector<synthetic::EvalCase> cases = synthetic::generate_eval_set(list, {});
  std::map<std::string, Tally> by_category;
  Tally pos, neg;
  size_t shown_miss = 0, shown_fp = 0;
  for (const synthetic::EvalCase& c : cases) {
    const std::vector<NameHit> hits = (*index)->screen(c.query);
    bool ok = false;
    if (c.should_hit) {
      for (const NameHit& h : hits) ok = ok || h.entry_index == c.entry_index;
    } else {
      ok = !hits.empty();  // a hit on a non-match is a false positive
    }
    Tally& t = c.should_hit ? pos : neg;
    Tally& cat = by_category[(c.should_hit ? "+ " : "- ") + c.category];
    ++t.total;
    ++cat.total;
    if (ok) {
      ++t.hits;
      ++cat.hits;
    }
    if (c.should_hit && !ok && shown_miss < 25) {
      ++shown_miss;
      std::printf("  miss [%s]: %-45s -> %s (score %.3f)\n", c.category.c_str(), c.query.c_str(),
                  list.list.entries[c.entry_index].name.c_str(),
                  (*index)->score(c.query, list.list.entries[c.entry_index].name));
    }
    if (!c.should_hit && ok && shown_fp < 250) {
      ++shown_fp;
      std::printf("  false positive [%s]: %-35s -> %s (%.3f)\n", c.category.c_str(), c.query.c_str(), hits[0].matched_name.c_str(),
                  hits[0].score);
    }
  }
  for (const auto& [name, t] : by_category)
    std::printf("  %-40s %5zu / %5zu  %.2f %%\n", name.c_str(), t.hits, t.total,
                100.0 * static_cast<double>(t.hits) / static_cast<double>(t.total));
  const double recall = static_cast<double>(pos.hits) / static_cast<double>(pos.total);
  const double fpr = static_cast<double>(neg.hits) / static_cast<double>(neg.total);
  std::printf("screening quality: recall %.2f %% (%zu/%zu), false-positive rate %.2f %% (%zu/%zu)\n",
              100 * recall, pos.hits, pos.total, 100 * fpr, neg.hits, neg.total);
  EXPECT_GE(recall, 0.98);
  EXPECT_LE(fpr, 0.01);
}

}  // namespace
}  // namespace deltran::compliance
