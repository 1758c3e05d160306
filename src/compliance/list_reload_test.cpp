// List loads as an operator lives them: malformed records reported with their lines and
// refused past a share, a failed reload that keeps the lists in use, delta reloads, the
// per-list decision bands, and country rules with no list at all.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/compliance/list_loader.hpp>
#include <deltran/compliance/screener.hpp>

namespace deltran::compliance {
namespace {

namespace fs = std::filesystem;

class ListReload : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("deltran-reload-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes a file and moves its modification time forward, so a rewrite within the clock's
  // resolution is still seen as a change.
  std::string write(const std::string& name, const std::string& text) {
    const fs::path p = dir_ / name;
    const bool existed = fs::exists(p);
    const auto before = existed ? fs::last_write_time(p) : fs::file_time_type{};
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    if (existed && fs::last_write_time(p) <= before) fs::last_write_time(p, before + std::chrono::seconds(1));
    return p.string();
  }

  // An OFAC-style sdn.csv with `good` valid records and then `bad` malformed ones.
  static std::string sdn(int good, const std::vector<std::string>& bad_lines) {
    std::string out;
    for (int i = 1; i <= good; ++i) {
      out += std::to_string(1000 + i) + ",\"SURNAME" + std::to_string(i) + ", Given\",\"individual\",\"SDGT\",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \",\"-0- \"\r\n";
    }
    for (const auto& b : bad_lines) out += b + "\r\n";
    return out;
  }

  fs::path dir_;
};

TEST_F(ListReload, AMalformedRecordIsReportedWithItsLineAndTheEndOfFileMarkerIsNot) {
  // A real download's tail: a row of bare separators, then OFAC's DOS end-of-file byte.
  const std::string path = write("sdn.csv", sdn(200, {"||||"}) + "\x1A");
  Screener s;
  auto r = s.reload({"ofac-csv:" + path});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  ASSERT_EQ(r->lists.size(), 1u);
  const ListReport& l = r->lists[0];
  EXPECT_EQ(l.entries, 200u);
  EXPECT_EQ(l.stats.rows, 201u);  // the end-of-file marker is not a record
  EXPECT_EQ(l.stats.skipped, 1u);
  ASSERT_EQ(l.stats.bad_rows.size(), 1u);
  EXPECT_EQ(l.stats.bad_rows[0].file, "sdn.csv");
  EXPECT_EQ(l.stats.bad_rows[0].line, 201u);
  EXPECT_EQ(l.stats.bad_rows[0].reason, "1 fields, expected 12");
  bool logged = false;
  for (const auto& line : report_lines(*r)) logged = logged || line.find("sdn.csv line 201: 1 fields") != std::string::npos;
  EXPECT_TRUE(logged);
  std::string metrics;
  s.render_metrics(metrics);
  EXPECT_NE(metrics.find("screening_list_malformed_records{list=\"ofac-sdn\"} 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("screening_list_entries{list=\"ofac-sdn\"} 200"), std::string::npos) << metrics;
}

TEST_F(ListReload, PastTheConfiguredShareOfBadRecordsTheLoadIsRefusedAndThePreviousListsStay) {
  const std::string path = write("sdn.csv", sdn(200, {}));
  Screener s;  // default: at most 1 % malformed
  ASSERT_TRUE(s.reload({"ofac-csv:" + path}).has_value());
  const auto before = s.index();
  ASSERT_FALSE(s.screen("Surname7 Given").hits.empty());
  // A mangled download: 5 of 205 records cut short.
  write("sdn.csv", sdn(200, {"1,CUT", "2,\"CUT\"", "3", "4,x", "5,y,z"}));
  auto r = s.reload({"ofac-csv:" + path});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("5 of 205 records are malformed"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("line 201"), std::string::npos) << r.error().message;
  EXPECT_EQ(s.index(), before);
  EXPECT_FALSE(s.screen("Surname7 Given").hits.empty());
  EXPECT_EQ(s.failed_reloads(), 1u);
  EXPECT_EQ(s.last_error(), r.error().message);
  std::string metrics;
  s.render_metrics(metrics);
  EXPECT_NE(metrics.find("screening_list_loads_total{outcome=\"failed\"} 1"), std::string::npos) << metrics;
  // The operator may accept more.
  ScreenerSettings lenient;
  lenient.max_bad_row_share = 0.05;
  Screener t(lenient);
  auto ok = t.reload({"ofac-csv:" + path});
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->lists[0].stats.skipped, 5u);
}

TEST_F(ListReload, AListThatFailsToReloadKeepsThePreviousIndex) {
  const std::string path = write("in.csv", "id,name,type,program,aliases\nX-1,Zarkov Trading House,entity,T,\n");
  Screener s;
  ASSERT_TRUE(s.reload({"csv:" + path}).has_value());
  const auto before = s.index();
  write("in.csv", "identifier,fullname\nX-1,Zarkov Trading House\n");  // the header lost its columns
  auto r = s.reload({"csv:" + path});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("id and name"), std::string::npos) << r.error().message;
  EXPECT_EQ(s.index(), before);
  EXPECT_TRUE(s.screen("Zarkov Trading House").blocked());
  fs::remove(path);
  EXPECT_EQ(s.reload({"csv:" + path}).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(s.index(), before);
  EXPECT_EQ(s.failed_reloads(), 2u);
}

TEST_F(ListReload, ADeltaReloadReadsOnlyChangedFilesAndCountsWhatChanged) {
  const std::string a = write("a.csv", "id,name,type,program,aliases\n"
                                       "A-1,Oskar Brennholz,individual,T,\n"
                                       "A-2,Grelin Maritime,entity,T,\n"
                                       "A-3,Tamsin Okafor-Vale,individual,T,\n");
  const std::string b = write("b.csv", "id,name,type,program,aliases\nB-1,Quillon Freight,entity,T,\n");
  Screener s;
  auto first = s.reload({"csv:" + a, "csv:" + b});
  ASSERT_TRUE(first.has_value());
  EXPECT_TRUE(first->installed);
  EXPECT_TRUE(first->lists[0].first_load);
  const auto index = s.index();

  auto same = s.reload({"csv:" + a, "csv:" + b});
  ASSERT_TRUE(same.has_value());
  EXPECT_FALSE(same->installed);  // nothing changed: the index in use stays
  EXPECT_TRUE(same->lists[0].reused);
  EXPECT_TRUE(same->lists[1].reused);
  EXPECT_EQ(s.index(), index);

  // One added, one removed, one alias changed in a; b untouched.
  write("a.csv", "id,name,type,program,aliases\n"
                 "A-1,Oskar Brennholz,individual,T,O. Brennholz\n"
                 "A-2,Grelin Maritime,entity,T,\n"
                 "A-4,Vesna Kulibrk,individual,T,\n");
  auto delta = s.reload({"csv:" + a, "csv:" + b});
  ASSERT_TRUE(delta.has_value());
  EXPECT_TRUE(delta->installed);
  EXPECT_FALSE(delta->lists[0].reused);
  EXPECT_EQ(delta->lists[0].added, 1u);
  EXPECT_EQ(delta->lists[0].removed, 1u);
  EXPECT_EQ(delta->lists[0].changed, 1u);
  EXPECT_TRUE(delta->lists[1].reused);
  EXPECT_NE(s.index(), index);
  EXPECT_TRUE(s.screen("Vesna Kulibrk").blocked());
  EXPECT_FALSE(s.screen("Tamsin Okafor-Vale").blocked());

  // A file rewritten with the same content: read again, nothing changed, index kept.
  const auto current = s.index();
  write("b.csv", "id,name,type,program,aliases\nB-1,Quillon Freight,entity,T,\n");
  auto touched = s.reload({"csv:" + a, "csv:" + b});
  ASSERT_TRUE(touched.has_value());
  EXPECT_FALSE(touched->lists[1].reused);
  EXPECT_EQ(touched->lists[1].added + touched->lists[1].removed + touched->lists[1].changed, 0u);
  EXPECT_FALSE(touched->installed);
  EXPECT_EQ(s.index(), current);

  // Dropping a list from the configuration rebuilds without it.
  auto fewer = s.reload({"csv:" + a});
  ASSERT_TRUE(fewer.has_value());
  EXPECT_TRUE(fewer->installed);
  EXPECT_FALSE(s.screen("Quillon Freight").blocked());
}

TEST_F(ListReload, EachListHasItsOwnBlockAndReviewBands) {
  const std::string path = write("in.csv", "id,name,type,program,aliases\nX-1,Zarkov Ostrander Trading House,entity,T,\n");
  Screener s;
  ASSERT_TRUE(s.reload({"csv:" + path + "?threshold=0.80&block=0.97"}).has_value());
  const ScreeningResult exact = s.screen("Zarkov Ostrander Trading House");
  ASSERT_FALSE(exact.hits.empty());
  EXPECT_TRUE(exact.hits[0].blocks);
  EXPECT_TRUE(exact.blocked());
  const ScreeningResult near = s.screen("Zarkov Ostrandr Trading");  // a typo and a dropped word
  ASSERT_FALSE(near.hits.empty());
  EXPECT_LT(near.hits[0].score, 0.97);
  EXPECT_FALSE(near.hits[0].blocks);
  EXPECT_FALSE(near.blocked());
  EXPECT_TRUE(near.review());  // held for an officer, not blocked, not allowed
  // Default bands: every sanctions hit blocks, a PEP hit reviews unless told to block.
  ASSERT_TRUE(s.reload({"csv:" + path, "pep-csv:" + path + "?name=pep&block=0.95"}).has_value());
  const ScreeningResult both = s.screen("Zarkov Ostrander Trading House");
  ASSERT_EQ(both.hits.size(), 2u);
  for (const auto& h : both.hits) EXPECT_TRUE(h.blocks) << h.list_name;
  // A block band below the review band is a configuration error.
  EXPECT_FALSE(parse_list_spec("csv:" + path + "?threshold=0.9&block=0.8").has_value());
}

TEST_F(ListReload, WithNoListCountriesAreStillScreened) {
  Screener s;
  EXPECT_FALSE(s.has_lists());
  const ScreeningResult r = s.screen("Anyone At All", "ir");
  EXPECT_FALSE(r.lists_loaded);
  EXPECT_TRUE(r.country_hit);
  EXPECT_TRUE(r.blocked());
  EXPECT_FALSE(s.screen("Anyone At All", "FR").blocked());
  std::string metrics;
  s.render_metrics(metrics);
  EXPECT_NE(metrics.find("screening_lists_loaded 0"), std::string::npos) << metrics;
}

}  // namespace
}  // namespace deltran::compliance
