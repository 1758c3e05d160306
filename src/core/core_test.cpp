#include <chrono>
#include <set>

#include <gtest/gtest.h>

#include <deltran/core/clock.hpp>
#include <deltran/core/crypto.hpp>
#include <deltran/core/ids.hpp>

namespace deltran {
namespace {

TEST(Ids, UuidsAreVersionFourAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    std::string id = new_uuid_v4();
    ASSERT_TRUE(is_uuid_v4(id)) << id;
    ASSERT_TRUE(seen.insert(id).second) << "duplicate " << id;
  }
}

TEST(Ids, UuidSevensCarryTheTimeAndSortByIt) {
  const auto before_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
  std::set<std::string> seen;
  std::string last;
  for (int i = 0; i < 10000; ++i) {
    std::string id = new_uuid_v7();
    ASSERT_TRUE(is_uuid(id, '7')) << id;
    ASSERT_FALSE(is_uuid_v4(id)) << id;
    ASSERT_TRUE(seen.insert(id).second) << "duplicate " << id;
    // The first 48 bits are Unix milliseconds; ids of one thread never go back in time.
    ASSERT_GE(id.substr(0, 14), last.empty() ? std::string() : last.substr(0, 14)) << id << " after " << last;
    last = id;
  }
  const std::string hex = last.substr(0, 8) + last.substr(9, 4);
  EXPECT_NEAR(static_cast<double>(std::stoll(hex, nullptr, 16)), static_cast<double>(before_ms), 60'000.0);
}

TEST(Ids, MalformedUuidsAreRefused) {
  EXPECT_FALSE(is_uuid_v4(""));
  EXPECT_FALSE(is_uuid_v4("eb6305c9-1f7f-49de-aed0-16487c27b42"));
  EXPECT_FALSE(is_uuid_v4("eb6305c9-1f7f-19de-aed0-16487c27b42d"));  // version 1
  EXPECT_FALSE(is_uuid_v4("eb6305c9-1f7f-49de-7ed0-16487c27b42d"));  // bad variant
  EXPECT_TRUE(is_uuid_v4("EB6305C9-1F7F-49DE-AED0-16487C27B42D"));
  EXPECT_FALSE(is_uuid("eb6305c9-1f7f-49de-aed0-16487c27b42d", '7'));
  EXPECT_TRUE(is_uuid("019ad4f2-3c1e-7a10-9f3b-5e2d8c7a6b10", '7'));
}

TEST(Crypto, Sha256MatchesKnownVector) {
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Crypto, ApiKeysCarryPrefixAndEntropy) {
  std::string a = new_api_key("dtk_");
  std::string b = new_api_key("dtk_");
  EXPECT_EQ(a.size(), 4u + 64u);
  EXPECT_EQ(a.rfind("dtk_", 0), 0u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(constant_time_equal(a, a));
  EXPECT_FALSE(constant_time_equal(a, b));
}

TEST(Clock, FormatsUtc) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(format_rfc3339(1'767'225'600'000'001), "2026-01-01T00:00:00.000001Z");
  EXPECT_EQ(format_date(1'767'225'600'000'000), "2026-01-01");
  EXPECT_EQ(parse_date_us("2026-01-01"), 1'767'225'600'000'000);
  EXPECT_EQ(parse_date_us("2026-02-30"), -1);
  EXPECT_EQ(parse_date_us("2026-1-01"), -1);
  EXPECT_EQ(parse_date_us("yesterday!"), -1);
}

}  // namespace
}  // namespace deltran

#include <deltran/core/metrics.hpp>

namespace deltran::metrics {
namespace {
TEST(Metrics, HistogramRendersCumulativeBucketsInSeconds) {
  Histogram h({100, 1000}, 1e-6);
  h.observe(50);
  h.observe(100);
  h.observe(5000);
  std::string out;
  h.render(out, "lat_seconds", "route=\"x\"");
  EXPECT_NE(out.find("lat_seconds_bucket{route=\"x\",le=\"0.0001\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{route=\"x\",le=\"0.001\"} 2\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_bucket{route=\"x\",le=\"+Inf\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_count{route=\"x\"} 3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("lat_seconds_sum{route=\"x\"} 0.00515"), std::string::npos) << out;
}
}  // namespace
}  // namespace deltran::metrics

#include <deltran/core/text.hpp>

namespace deltran {
namespace {
TEST(Text, JsonStringsAreEscaped) {
  std::string out;
  append_json_string(out, "a\"b\\c\n\x01");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\"");
}
TEST(Text, Utf8ValidationRejectsOverlongsSurrogatesAndTruncation) {
  EXPECT_TRUE(is_valid_utf8("Zürich Müller Ōsaka 北京"));
  EXPECT_FALSE(is_valid_utf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(is_valid_utf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(is_valid_utf8("abc\xE2\x82"));       // truncated
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(is_valid_utf8("\xFF"));
}
}  // namespace
}  // namespace deltran
