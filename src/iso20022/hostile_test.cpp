// Hostile input: every refusal is a clear Error, never a crash, a hang or a fetch.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include <deltran/iso20022/parser.hpp>

#include "message_generator.hpp"
#include "test_support.hpp"

namespace deltran::iso20022 {
namespace {

using testing::testdata;
using testing::with_schemas;

constexpr uint64_t kSeed = 0x1502'2000'dead'beefULL;  // fixed: a failure reproduces

std::string refusal(const Result<ParsedMessage>& parsed) {
  EXPECT_FALSE(parsed) << "unexpectedly parsed";
  return parsed ? std::string{} : parsed.error().message;
}

TEST(Hostile, EveryHostileSampleIsRefusedAlsoWithoutSchemas) {
  int seen = 0;
  for (const auto& entry : std::filesystem::directory_iterator(testing::testdata_dir())) {
    std::string name = entry.path().filename().string();
    if (!name.starts_with("hostile_") || entry.path().extension() != ".xml") continue;
    if (name == "hostile_remote_schema_location.xml") continue;  // harmless by design, accepted
    ++seen;
    auto parsed = parse_message(testing::read_file(entry.path()));
    EXPECT_FALSE(parsed) << name;
    EXPECT_FALSE(read_header(testing::read_file(entry.path()))) << name;
  }
  EXPECT_GE(seen, 10);
}

TEST(Hostile, ReplaysTheFuzzCorpusWithoutCrashing) {
  int replayed = 0;
  for (const auto& entry : std::filesystem::directory_iterator(DELTRAN_ISO20022_CORPUS)) {
    if (entry.path().extension() == ".dict") continue;
    std::string input = testing::read_file(entry.path());
    auto parsed = parse_message(input, with_schemas());
    if (!parsed) {
      EXPECT_FALSE(parsed.error().message.empty()) << entry.path();
    }
    (void)read_header(input);
    ++replayed;
  }
  EXPECT_GE(replayed, 10);
}

TEST(Hostile, RefusesADoctypeHiddenAfterWhitespaceAndComments) {
  std::string xml =
      "\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- x -->\n<!-- y -->\n"
      "<!DOCTYPE d [<!ENTITY e SYSTEM \"file:///etc/shadow\">]><Document>&e;</Document>";
  EXPECT_NE(refusal(parse_message(xml)).find("DOCTYPE"), std::string::npos);
}

TEST(Hostile, RefusesMessagesOverTheSizeLimitBeforeParsing) {
  ParseOptions options;
  options.limits.max_bytes = 1024;
  auto parsed = parse_message(testdata("pacs008_v08_cbpr.xml"), options);
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(parsed.error().message.find("exceeds the limit of 1024"), std::string::npos);
}

TEST(Hostile, RefusesTooManyElementsTransactionsAndTooLongText) {
  std::string xml = testing::make_pacs008(50);
  ParseOptions options;
  options.limits.max_elements = 500;
  auto elements = parse_message(xml, options);
  ASSERT_FALSE(elements);
  EXPECT_EQ(elements.error().code, ErrorCode::kResourceExhausted);
  options = {};
  options.limits.max_transactions = 10;
  auto transactions = parse_message(xml, options);
  ASSERT_FALSE(transactions);
  EXPECT_NE(transactions.error().message.find("more than 10 transactions"), std::string::npos);
  std::string long_text = testdata("pacs008_v08_cbpr.xml");
  long_text.replace(long_text.find("Contract ES-2026-44"), 19, std::string(200'000, 'A'));
  auto text = parse_message(long_text);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().code, ErrorCode::kResourceExhausted);
  EXPECT_NE(text.error().message.find("RmtInf/Ustrd"), std::string::npos);
}

TEST(Hostile, RefusesDeepNestingInsideAnOtherwiseValidTransaction) {
  std::string xml = testdata("pacs008_v08_cbpr.xml");
  std::string bomb;
  for (int i = 0; i < 100; ++i) bomb += "<Envlp>";
  for (int i = 0; i < 100; ++i) bomb += "</Envlp>";
  xml.replace(xml.find("</CdtTrfTxInf>"), 0, "<SplmtryData>" + bomb + "</SplmtryData>");
  auto parsed = parse_message(xml, with_schemas());
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("nested deeper than 32"), std::string::npos);
}

TEST(Hostile, RefusesHugeNamesAttributesAndUnboundPrefixes) {
  std::string name(100'000, 'n');
  EXPECT_FALSE(parse_message("<" + name + "/>"));
  EXPECT_NE(refusal(parse_message("<Envelope><" + std::string(129, 'n') + "/></Envelope>"))
                .find("element name"),
            std::string::npos);
  auto attribute = parse_message("<Envelope a=\"" + std::string(100'000, 'v') + "\"/>");
  ASSERT_FALSE(attribute);
  EXPECT_EQ(attribute.error().code, ErrorCode::kResourceExhausted);
  auto unbound = parse_message("<x:Document/>");
  EXPECT_NE(refusal(unbound).find("XML error"), std::string::npos);
}

// Sibling indices for paths must stay linear when a parent has countless distinct children.
TEST(Hostile, StaysLinearWithManyDistinctSiblingNames) {
  std::string xml = "<Envelope>";
  for (int i = 0; i < 200'000; ++i) xml += "<e" + std::to_string(i) + "/>";
  xml += "</Envelope>";
  auto started = std::chrono::steady_clock::now();
  auto parsed = parse_message(xml);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_NE(refusal(parsed).find("no ISO 20022 Document"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(10));  // quadratic would take minutes
}

TEST(Hostile, RefusesEveryTruncationOfAValidMessage) {
  std::string xml = testdata("pacs008_v08_envelope_bom_crlf.xml");
  for (size_t cut = 0; cut + 1 < xml.size(); cut += 53) {
    auto parsed = parse_message(std::string_view(xml).substr(0, cut), with_schemas());
    EXPECT_FALSE(parsed) << "accepted a message cut at byte " << cut;
  }
}

// A small in-process fuzz: random byte flips, insertions and deletions of valid messages
// must give a result or an Error, never a crash (the libFuzzer target goes further).
TEST(Hostile, SurvivesRandomMutationsOfValidMessages) {
  std::mt19937_64 rng(kSeed);
  const std::string seeds[] = {testdata("pain001_v09_multi_block.xml"),
                               testdata("pacs008_v08_envelope_bom_crlf.xml"),
                               testdata("pain001_v03_two_tx.xml")};
  const char alphabet[] = "<>/=\"'&;#x:!?[]- \r\n\t\xC3\xA9\xFF\x00";
  SCOPED_TRACE(::testing::Message() << "seed " << kSeed);
  for (int round = 0; round < 600; ++round) {
    std::string xml = seeds[static_cast<size_t>(round) % 3];
    for (int edits = 1 + static_cast<int>(rng() % 4); edits > 0; --edits) {
      size_t at = rng() % xml.size();
      char c = alphabet[rng() % (sizeof(alphabet) - 1)];
      switch (rng() % 3) {
        case 0:
          xml[at] = c;
          break;
        case 1:
          xml.insert(at, 1, c);
          break;
        default:
          xml.erase(at, 1 + rng() % 8);
          break;
      }
    }
    auto parsed = parse_message(xml, with_schemas());
    if (parsed) {
      for (const auto& tx : parsed->transactions)
        EXPECT_TRUE(tx.accepted() || !tx.rejection->reason_code.empty());
    } else {
      EXPECT_FALSE(parsed.error().message.empty());
    }
  }
}

}  // namespace
}  // namespace deltran::iso20022
