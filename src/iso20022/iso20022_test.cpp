#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/iso20022/identifiers.hpp>
#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/schema_set.hpp>

#include "message_generator.hpp"
#include "message_id.hpp"
#include "test_support.hpp"
#include "text_util.hpp"

namespace deltran::iso20022 {
namespace {

using testing::schemas;
using testing::testdata;
using testing::with_schemas;

// ---- identifiers --------------------------------------------------------------------------

TEST(Identifiers, AcceptsBicsOfEightAndElevenCharactersIncludingDigitsInTheBankCode) {
  EXPECT_TRUE(is_bic("DEUTDEFF"));
  EXPECT_TRUE(is_bic("DEUTDEFF500"));
  EXPECT_TRUE(is_bic("1234DEFFXXX"));  // ISO 9362:2014 allows digits in the first four
  EXPECT_FALSE(is_bic("DEUTDE"));
  EXPECT_FALSE(is_bic("DEUTDEFF5"));
  EXPECT_FALSE(is_bic("deutdeff"));
  EXPECT_FALSE(is_bic("DEUT12FF"));  // country must be letters
  EXPECT_FALSE(is_bic("DEUTDEFF XX"));
}

TEST(Identifiers, VerifiesIbanCheckDigitsAndPattern) {
  EXPECT_TRUE(is_iban("DE89370400440532013000"));
  EXPECT_TRUE(is_iban("FR1420041010050500013M02606"));
  EXPECT_TRUE(is_iban("KW81CBKU0000000000001234560101"));
  EXPECT_FALSE(is_iban("DE88370400440532013000"));  // check digits
  EXPECT_TRUE(looks_like_iban("DE88370400440532013000"));
  EXPECT_FALSE(is_iban("DE89 3704 0044 0532 0130 00"));  // the XSD pattern has no spaces
  EXPECT_FALSE(is_iban("de89370400440532013000"));
  EXPECT_FALSE(is_iban("DE8937"));
}

TEST(Identifiers, ReadsClearingMemberIdsInTheShapesBanksSendThem) {
  auto id = [](std::string_view system, std::string_view member) {
    auto m = normalize_clearing_member(system, member);
    return m ? m->system + ":" + m->member_id : "error: " + m.error().message;
  };
  EXPECT_EQ(id("USABA", "021000021"), "USABA:021000021");
  EXPECT_EQ(id("", "USABA021000021"), "USABA:021000021");       // the code in front, no ClrSysId
  EXPECT_EQ(id("USABA", "USABA021000021"), "USABA:021000021");  // and both
  EXPECT_EQ(id("gbdsc", " 20-00-00 "), "GBDSC:200000");          // sort code with dashes
  EXPECT_EQ(id("INFSC", "hdfc0000001"), "INFSC:HDFC0000001");
  EXPECT_EQ(id("", "INFSCSBIN0000691"), "INFSC:SBIN0000691");
  EXPECT_EQ(id("CHBCC", "230"), "CHBCC:230");
  EXPECT_EQ(id("CHBCC", "09000"), "CHBCC:09000");
  EXPECT_EQ(id("ZZPRT", "Member 7/A"), "ZZPRT:MEMBER7/A");        // a system without a known format
  // Each known format is enforced.
  EXPECT_NE(id("USABA", "021000022").find("wrong ABA check digit"), std::string::npos);
  EXPECT_NE(id("USABA", "02100002").find("must be 9 digits"), std::string::npos);
  EXPECT_NE(id("GBDSC", "20000A").find("must be 6 digits"), std::string::npos);
  EXPECT_NE(id("CHBCC", "12").find("3 to 5 digits"), std::string::npos);
  EXPECT_NE(id("INFSC", "HDFC1000001").find("IFSC"), std::string::npos);
  EXPECT_NE(id("", "021000021").find("names no clearing system"), std::string::npos);
  EXPECT_NE(id("TOOLONG", "1").find("not a clearing system code"), std::string::npos);
  EXPECT_NE(id("USABA", "").find("1 to 35"), std::string::npos);
  EXPECT_NE(id("ZZPRT", std::string(36, '7')).find("1 to 35"), std::string::npos);
}

TEST(Identifiers, AcceptsOnlyLowerCaseVersionFourUetrs) {
  EXPECT_TRUE(is_uetr("8a562c67-ca16-48ba-b074-65581be6f001"));
  EXPECT_FALSE(is_uetr("8A562C67-CA16-48BA-B074-65581BE6F001"));
  EXPECT_FALSE(is_uetr("8a562c67-ca16-38ba-b074-65581be6f001"));  // version 3
  EXPECT_FALSE(is_uetr("8a562c67-ca16-48ba-c074-65581be6f001"));  // variant
  EXPECT_FALSE(is_uetr("8a562c67ca1648bab07465581be6f001"));
}

TEST(Identifiers, ChecksCalendarDatesAndDateTimesWithZones) {
  EXPECT_TRUE(is_iso_date("2028-02-29"));
  EXPECT_FALSE(is_iso_date("2026-02-29"));
  EXPECT_FALSE(is_iso_date("2026-13-01"));
  EXPECT_TRUE(is_iso_date("2026-11-30Z"));
  EXPECT_TRUE(is_iso_date_time("2026-11-28T09:30:00"));
  EXPECT_TRUE(is_iso_date_time("2026-11-28T09:30:00.123456Z"));
  EXPECT_TRUE(is_iso_date_time("2026-11-28T09:30:00+04:00"));
  EXPECT_FALSE(is_iso_date_time("2026-11-28 09:30:00"));
  EXPECT_FALSE(is_iso_date_time("2026-11-28T25:00:00"));
  EXPECT_FALSE(is_iso_date_time("2026-11-28T09:30:00+4"));
}

TEST(MessageIds, RecognisesIsoAndNationalProfileNamespaces) {
  auto iso = classify_namespace("urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08");
  ASSERT_TRUE(iso);
  EXPECT_EQ(iso->base.text(), "pacs.008.001.08");
  EXPECT_FALSE(iso->national);
  auto six =
      classify_namespace("http://www.six-interbank-clearing.com/de/pain.001.001.03.ch.02.xsd");
  ASSERT_TRUE(six);
  EXPECT_EQ(six->base.text(), "pain.001.001.03");
  EXPECT_TRUE(six->national);
  EXPECT_FALSE(classify_namespace("urn:iso:std:iso:20022:tech:xsd:pain.001.001"));
  EXPECT_FALSE(classify_namespace("http://example.com/payments"));
  EXPECT_FALSE(classify_namespace("http://example.com/xpain.001.001.03"));
}

TEST(TextUtil, NormalizesAmountsWithoutChangingTheirValue) {
  EXPECT_EQ(normalize_amount_text(" +12.500 ", 2), "12.50");
  EXPECT_EQ(normalize_amount_text("5.", 2), "5");
  EXPECT_EQ(normalize_amount_text(".5", 2), "0.5");
  EXPECT_EQ(normalize_amount_text("12.345", 2), "12.345");  // refused later, never rounded
  EXPECT_EQ(normalize_amount_text("1000.000", 0), "1000");
  EXPECT_EQ(normalize_amount_text(".", 2), ".");
}

TEST(TextUtil, SumsDecimalsExactlyAtFiveFractionDigits) {
  auto a = parse_scaled_decimal("98000.50");
  ASSERT_TRUE(a);
  EXPECT_EQ(format_scaled_decimal(a->value), "98000.5");
  EXPECT_TRUE(parse_scaled_decimal("1.123450000")->exact);
  EXPECT_FALSE(parse_scaled_decimal("1.1234567")->exact);
  EXPECT_FALSE(parse_scaled_decimal("-1"));
  EXPECT_FALSE(parse_scaled_decimal("1e5"));
  EXPECT_FALSE(parse_scaled_decimal(std::string(40, '9')));
}

// ---- errors --------------------------------------------------------------------------------

TEST(Errors, CarryReasonCodeAndPathThatRejectionOfRecovers) {
  auto parsed = parse_message(testdata("bad_pacs008_v08_nboftxs.xml"), with_schemas());
  ASSERT_FALSE(parsed);
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  Rejection r = rejection_of(parsed.error());
  EXPECT_EQ(r.reason_code, "AM18");
  EXPECT_EQ(r.path, "/Document/FIToFICstmrCdtTrf/GrpHdr/NbOfTxs");
  EXPECT_EQ(r.message, "NbOfTxs is 2 but the message has 1 transactions");
  EXPECT_EQ(rejection_of(Error{ErrorCode::kInternal, "disk full"}).reason_code, "FF01");
}

// ---- read_header ---------------------------------------------------------------------------

TEST(ReadHeader, StopsAfterTheGroupHeaderAndIgnoresBrokenTransactions) {
  std::string xml = testdata("pacs008_v08_cbpr.xml");
  xml.replace(xml.find("<ChrgBr>SHAR</ChrgBr>"), 21, "<ChrgBr>SHAR</Broken>");
  auto header = read_header(xml);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->type, MessageType::kPacs008);
  EXPECT_EQ(header->message_id, "pacs.008.001.08");
  EXPECT_EQ(header->msg_id, "NBAD20261128000001");
  EXPECT_EQ(header->nb_of_txs, "1");
  EXPECT_FALSE(parse_message(xml));
}

TEST(ReadHeader, ReadsTheAppHeaderThatComesFirstInTheEnvelope) {
  auto header = read_header(testdata("pacs008_v08_envelope_bom_crlf.xml"));
  ASSERT_TRUE(header) << header.error().message;
  ASSERT_TRUE(header->app_header);
  EXPECT_EQ(header->sender_bic(), "NBADAEAAXXX");
}

// ---- SchemaSet -----------------------------------------------------------------------------

TEST(SchemaSet, LoadsEveryOfficialSchemaTheProductShips) {
  auto ids = schemas().message_ids();
  EXPECT_EQ(ids.size(), 12u);
  for (const char* id : {"pain.001.001.03", "pain.001.001.09", "pain.001.001.12", "pacs.008.001.08",
                         "pacs.008.001.13", "pain.002.001.03", "pain.002.001.14", "pacs.002.001.10",
                         "pacs.002.001.15", "camt.053.001.08", "camt.054.001.08", "head.001.001.02"}) {
    EXPECT_TRUE(schemas().has_message(id)) << id;
  }
  EXPECT_FALSE(schemas().has_message("pain.001.001.11"));
  EXPECT_TRUE(schemas().has_namespace(builtin_profiles()[0].namespace_uri));
}

TEST(SchemaSet, RefusesADirectoryThatDoesNotExist) {
  auto loaded = SchemaSet::load("/nonexistent/xsd");
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
}

TEST(SchemaSet, CompilesExtraProfilesUnderTheirOwnNamespace) {
  ProfileNamespace extra{"urn:example:bank:pacs.008.001.08.bank.01", "pacs.008.001.08"};
  auto loaded = SchemaSet::load(DELTRAN_XSD_DIR, std::span(&extra, 1));
  ASSERT_TRUE(loaded) << loaded.error().message;
  EXPECT_TRUE((*loaded)->has_namespace(extra.namespace_uri));
  std::string xml = testdata("pacs008_v08_cbpr.xml");
  xml.replace(xml.find("urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"), 46, extra.namespace_uri);
  ParseOptions options;
  options.schemas = loaded->get();
  auto parsed = parse_message(xml, options);
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->validation, Validation::kSchema);
  EXPECT_TRUE(parsed->header.national_profile);
  EXPECT_EQ(parsed->accepted_count(), 1u);
}

TEST(SchemaSet, ValidateNamesTheFirstOffendingElement) {
  std::string xml = testdata("pacs008_v08_cbpr.xml");
  EXPECT_TRUE(schemas().validate(xml));
  xml.replace(xml.find("<ChrgBr>SHAR</ChrgBr>"), 21, "<ChrgBr>XXXX</ChrgBr>");
  auto result = schemas().validate(xml);
  ASSERT_FALSE(result);
  EXPECT_EQ(rejection_of(result.error()).path, "/Document/FIToFICstmrCdtTrf/CdtTrfTxInf[1]/ChrgBr");
  EXPECT_FALSE(schemas().validate("<Document xmlns=\"urn:example\"/>"));
}

TEST(SchemaSet, ValidatesFromManyThreadsAtOnce) {
  std::vector<std::string> files = {"pain001_v03_two_tx.xml",  "pain001_v09_multi_block.xml",
                                    "pacs008_v13_batch.xml",   "pacs008_v08_envelope_bom_crlf.xml",
                                    "bad_pain001_v09_bic.xml", "pain001_six_ch02.xml"};
  std::vector<std::string> texts;
  std::vector<size_t> accepted;
  for (const auto& f : files) {
    texts.push_back(testdata(f));
    auto parsed = parse_message(texts.back(), with_schemas());
    ASSERT_TRUE(parsed) << f;
    accepted.push_back(parsed->accepted_count());
  }
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 25; ++round) {
        size_t i = static_cast<size_t>(round + t) % texts.size();
        auto parsed = parse_message(texts[i], with_schemas());
        if (!parsed || parsed->accepted_count() != accepted[i]) ++mismatches;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ---- parsing -------------------------------------------------------------------------------

TEST(Parse, StructuralCheckMapsValidSamplesExactlyLikeTheSchemaCheck) {
  for (const auto& entry : std::filesystem::directory_iterator(testing::testdata_dir())) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".xml" || name.starts_with("bad_") ||
        name.starts_with("hostile_"))
      continue;
    std::string xml = testing::read_file(entry.path());
    auto with = parse_message(xml, with_schemas());
    auto without = parse_message(xml);
    ASSERT_TRUE(with) << name;
    ASSERT_TRUE(without) << name << ": " << without.error().message;
    EXPECT_EQ(without->validation, Validation::kStructural);
    ASSERT_EQ(with->transactions.size(), without->transactions.size()) << name;
    for (size_t i = 0; i < with->transactions.size(); ++i) {
      const Payment& a = with->transactions[i].payment;
      const Payment& b = without->transactions[i].payment;
      EXPECT_EQ(with->transactions[i].accepted(), without->transactions[i].accepted()) << name;
      EXPECT_EQ(a.amount_minor, b.amount_minor) << name;
      EXPECT_EQ(a.end_to_end_id, b.end_to_end_id) << name;
      EXPECT_EQ(a.creditor.name, b.creditor.name) << name;
    }
  }
}

TEST(Parse, MapsTenThousandGeneratedTransactionsWithExactSums) {
  std::string xml = testing::make_pain001(10'000, 700);
  auto parsed = parse_message(xml, with_schemas());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->transactions.size(), 10'000u);
  EXPECT_EQ(parsed->accepted_count(), 10'000u);
  EXPECT_EQ(parsed->payment_infos.size(), 15u);
  int64_t sum = 0;
  for (const auto& tx : parsed->transactions) sum += tx.payment.amount_minor;
  int64_t expected = 0;
  for (size_t i = 0; i < 10'000; ++i) expected += testing::generated_cents(i);
  EXPECT_EQ(sum, expected);
  EXPECT_EQ(parsed->transactions[9'999].payment.uetr, testing::generated_uetr(9'999));
  auto pacs = parse_message(testing::make_pacs008(2'000), with_schemas());
  ASSERT_TRUE(pacs) << pacs.error().message;
  EXPECT_EQ(pacs->accepted_count(), 2'000u);
}

TEST(Parse, CanAllowRepeatedEndToEndIdsWhenIdempotencyDoesNotNeedThem) {
  std::string xml = testdata("bad_pain001_v09_duplicate_e2e.xml");
  ParseOptions options = with_schemas();
  options.reject_duplicate_end_to_end_id = false;
  auto parsed = parse_message(xml, options);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->accepted_count(), 3u);
}

TEST(Parse, CanTurnAnySchemaErrorIntoAWholeMessageRejection) {
  ParseOptions options = with_schemas();
  options.schema_error_rejects_message = true;
  auto parsed = parse_message(testdata("bad_pain001_v09_bic.xml"), options);
  ASSERT_FALSE(parsed);
  Rejection r = rejection_of(parsed.error());
  EXPECT_EQ(r.reason_code, "RC01");
  EXPECT_EQ(r.path, "/Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[2]/CdtrAgt/FinInstnId/BICFI");
}

TEST(Parse, BlamesTheBlockWhenATransactionStartsBeforeAMandatoryBlockElement) {
  std::string xml = testdata("pain001_v09_multi_block.xml");
  std::string agent =
      "<DbtrAgt>\n        <FinInstnId>\n          <BICFI>EBILAEAD</BICFI>\n        </FinInstnId>\n "
      "     </DbtrAgt>";
  ASSERT_NE(xml.find(agent), std::string::npos);
  xml.erase(xml.find(agent), agent.size());
  auto parsed = parse_message(xml, with_schemas());
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(parsed->accepted_count(), 2u);
  ASSERT_TRUE(parsed->transactions[2].rejection);
  EXPECT_EQ(parsed->transactions[2].rejection->path,
            "/Document/CstmrCdtTrfInitn/PmtInf[2]/CdtTrfTxInf[1]");
}

TEST(Parse, AcceptsXsdDecimalSpellingsOfAmountsInStructuralMode) {
  std::string xml = testdata("pain001_v05_structural.xml");
  xml.replace(xml.find(">999.99<"), 8, "> +999.990 <");
  auto parsed = parse_message(xml);
  ASSERT_TRUE(parsed) << parsed.error().message;
  ASSERT_TRUE(parsed->transactions[0].accepted()) << parsed->transactions[0].rejection->message;
  EXPECT_EQ(parsed->transactions[0].payment.amount_minor, 99999);
}

TEST(Parse, RefusesASecondDocumentInTheEnvelope) {
  std::string doc = testdata("pacs008_v08_cbpr.xml");
  doc = doc.substr(doc.find("<Document"));
  auto parsed = parse_message("<Envelope>" + doc + doc + "</Envelope>");
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("more than one Document"), std::string::npos);
}

TEST(Parse, RefusesAMessageWithoutDocument) {
  auto parsed = parse_message("<Envelope><Other/></Envelope>");
  ASSERT_FALSE(parsed);
  EXPECT_EQ(rejection_of(parsed.error()).message, "no ISO 20022 Document element found");
}

}  // namespace
}  // namespace deltran::iso20022
