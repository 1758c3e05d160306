#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/compliance/list_loader.hpp>

#include "csv_reader.hpp"

namespace deltran::compliance {
namespace {

const std::string kData = DELTRAN_COMPLIANCE_TESTDATA;

const ListEntry* find(const Watchlist& l, const std::string& id) {
  for (const ListEntry& e : l.entries)
    if (e.id == id) return &e;
  return nullptr;
}

std::vector<std::vector<std::string>> rows(std::string_view text) {
  std::vector<std::vector<std::string>> out;
  detail::read_csv(text, [&](std::vector<std::string>& r) {
    out.push_back(r);
    return true;
  });
  return out;
}

TEST(CsvReader, HandlesQuotesLineEndingsBomAndDosEndOfFile) {
  const auto r = rows("\xEF\xBB\xBF" "a,\"b, c\",\"d \"\"q\"\" e\"\r\n\r\nf,\"multi\nline\",g\rh,i,j\n\x1A");
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[0], (std::vector<std::string>{"a", "b, c", "d \"q\" e"}));
  EXPECT_EQ(r[1], (std::vector<std::string>{"f", "multi\nline", "g"}));
  EXPECT_EQ(r[2], (std::vector<std::string>{"h", "i", "j"}));
}

TEST(CsvReader, GivesEachRecordItsFirstLineAndTreatsOnlyAFinalDosEofAsAMarker) {
  std::vector<std::pair<std::vector<std::string>, size_t>> got;
  detail::read_csv_lines("a,b\r\n\r\nc,\"multi\r\nline\"\r\nd,e\x1A f\r\ng,h\r\n\x1A\r\n",
                         [&](std::vector<std::string>& f, size_t line) {
                           got.emplace_back(f, line);
                           return true;
                         });
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].second, 1u);
  EXPECT_EQ(got[1].second, 3u);  // after a blank line
  EXPECT_EQ(got[1].first[1], "multi\r\nline");
  EXPECT_EQ(got[2].second, 5u);  // the quoted line break made record 2 two lines long
  EXPECT_EQ(got[2].first[1], "e\x1A f");  // a 0x1A inside the data is data
  EXPECT_EQ(got[3].second, 6u);
  EXPECT_EQ(got[3].first[1], "h");  // the end-of-file marker and the line break after it are not a record
}

TEST(CsvReader, KeepsStrayQuotesInsideAQuotedField) {
  const auto r = rows("1,\"DOB 1951; a.k.a. \"Dr. Ayman\"; Egypt.\",x\n");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], (std::vector<std::string>{"1", "DOB 1951; a.k.a. \"Dr. Ayman\"; Egypt.", "x"}));
}

TEST(CsvReader, CleanFieldTrimsAndEmptiesOfacNulls) {
  EXPECT_EQ(detail::clean_field("-0- "), "");
  EXPECT_EQ(detail::clean_field(" -0-"), "");
  EXPECT_EQ(detail::clean_field("  IRAN "), "IRAN");
  EXPECT_EQ(detail::clean_field("-0-X"), "-0-X");
}

TEST(OfacCsv, LoadsEntriesWithTheirIdsTypesProgramsAndTitles) {
  auto l = load_ofac_csv(kData + "/sdn.csv");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_EQ(l->name, "ofac-sdn");
  EXPECT_EQ(l->kind, ListKind::kSanctions);
  ASSERT_EQ(l->entries.size(), 6u);
  const ListEntry* z = find(*l, "2674");
  ASSERT_NE(z, nullptr);
  EXPECT_EQ(z->name, "AL-ZAWAHIRI, Ayman");
  EXPECT_EQ(z->type, EntryType::kIndividual);
  EXPECT_EQ(z->programs, (std::vector<std::string>{"SDGT", "IFSR"}));  // "SDGT] [IFSR"
  EXPECT_EQ(z->title, "Operational and Military Leader of JIHAD GROUP");
  EXPECT_EQ(find(*l, "9647")->type, EntryType::kVessel);
}

TEST(OfacCsv, ReadsDashZeroDashAsEmptyAndAnEmptyTypeAsAnEntity) {
  auto l = load_ofac_csv(kData + "/sdn.csv");
  ASSERT_TRUE(l.has_value());
  const ListEntry* a = find(*l, "36");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->type, EntryType::kEntity);
  EXPECT_EQ(a->title, "");
  EXPECT_EQ(a->remarks, "");
}

TEST(OfacCsv, KeepsCommasAndUnescapedQuotesInsideFields) {
  auto l = load_ofac_csv(kData + "/sdn.csv");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(find(*l, "173")->name, "ANGLO-CARIBBEAN CO., LTD.");
  EXPECT_EQ(find(*l, "2674")->remarks,
            "DOB 19 Jun 1951; POB Giza, Egypt; a.k.a. \"Dr. Ayman\"; nationality Egypt.");
}

TEST(OfacCsv, ReadsNonAsciiNames) {
  auto l = load_ofac_csv(kData + "/sdn.csv");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(find(*l, "15001")->name, "MÜLLER, Jürgen");
}

TEST(OfacCsv, SkipsMalformedRowsAndCountsThem) {
  auto l = load_ofac_csv(kData + "/sdn.csv");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->stats.rows, 15u);  // 8 sdn.csv records, 7 alt.csv records
  // Two short sdn rows, one alt row whose name is "-0-": each named with its file and line.
  EXPECT_EQ(l->stats.skipped, 3u);
  EXPECT_EQ(find(*l, "15002"), nullptr);
  EXPECT_FALSE(l->stats.warnings.empty());
  ASSERT_EQ(l->stats.bad_rows.size(), 3u);
  EXPECT_EQ(l->stats.bad_rows[0].file, "sdn.csv");
  EXPECT_EQ(l->stats.bad_rows[0].line, 7u);
  EXPECT_EQ(l->stats.bad_rows[0].reason, "4 fields, expected 12");
  EXPECT_EQ(l->stats.bad_rows[1].line, 8u);
  EXPECT_EQ(l->stats.bad_rows[2].file, "alt.csv");
  EXPECT_EQ(l->stats.bad_rows[2].line, 7u);
  EXPECT_EQ(l->stats.bad_rows[2].reason, "no alt_name");
}

TEST(OfacCsv, AttachesAliasesFromAltCsvAndCountsOrphans) {
  auto l = load_ofac_csv(kData + "/sdn.csv");
  ASSERT_TRUE(l.has_value());
  const ListEntry* bank = find(*l, "306");
  ASSERT_EQ(bank->aliases.size(), 2u);
  EXPECT_EQ(bank->aliases[0].name, "NATIONAL BANK OF CUBA");
  EXPECT_EQ(bank->aliases[0].quality, "aka");
  EXPECT_EQ(bank->aliases[1].quality, "fka");
  EXPECT_EQ(find(*l, "2674")->aliases.size(), 2u);
  EXPECT_EQ(l->stats.aliases, 5u);
  EXPECT_EQ(l->stats.orphan_aliases, 1u);
}

TEST(OfacCsv, LoadsWithoutAltCsvAndSaysSo) {
  // A folder of its own per process: two test runs at once must not share it.
  const auto dir = std::filesystem::temp_directory_path() / ("deltran_ofac_noalt_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::filesystem::copy_file(kData + "/sdn.csv", dir / "sdn.csv", std::filesystem::copy_options::overwrite_existing);
  auto l = load_ofac_csv((dir / "sdn.csv").string());
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->stats.aliases, 0u);
  bool warned = false;
  for (const std::string& w : l->stats.warnings) warned = warned || w.find("alt.csv") != std::string::npos;
  EXPECT_TRUE(warned);
  std::filesystem::remove_all(dir);
}

TEST(OfacCsv, RefusesAFileWithNoValidRecord) {
  auto l = parse_ofac_csv("id,name\n1,x\n", "");
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, ErrorCode::kInvalidArgument);
}

TEST(UnXml, LoadsIndividualsAndEntitiesWithIdsProgramsAndAliases) {
  auto l = load_un_xml(kData + "/un_consolidated.xml");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_EQ(l->name, "un-sc");
  ASSERT_EQ(l->entries.size(), 4u);
  const ListEntry* a = find(*l, "6908555");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->name, "ABD AL-RAHMAN KHALAF UBAYD JUDAY AL-ANIZI");
  EXPECT_EQ(a->type, EntryType::kIndividual);
  EXPECT_EQ(a->reference, "QDi.335");
  EXPECT_EQ(a->programs, (std::vector<std::string>{"Al-Qaida"}));
  EXPECT_EQ(a->remarks, "Financier & facilitator. Review concluded on 21 Feb. 2020.");
  const ListEntry* adf = find(*l, "110068");
  ASSERT_NE(adf, nullptr);
  EXPECT_EQ(adf->type, EntryType::kEntity);
  EXPECT_EQ(adf->name, "ALLIED DEMOCRATIC FORCES (ADF)");
  ASSERT_EQ(adf->aliases.size(), 1u);
  EXPECT_EQ(adf->aliases[0].name, "FORCES DÉMOCRATIQUES ALLIÉES-ARMÉE NATIONALE DE LIBÉRATION DE L'OUGANDA");
}

TEST(UnXml, MarksLowQualityAliasesWeakSkipsEmptyOnesAndKeepsTheOriginalScript) {
  auto l = load_un_xml(kData + "/un_consolidated.xml");
  ASSERT_TRUE(l.has_value());
  const ListEntry* a = find(*l, "6908555");
  ASSERT_EQ(a->aliases.size(), 3u);
  EXPECT_EQ(a->aliases[0].quality, "Good");
  EXPECT_FALSE(a->aliases[0].weak);
  EXPECT_EQ(a->aliases[1].name, "Abu Jaafar");
  EXPECT_TRUE(a->aliases[1].weak);
  EXPECT_EQ(a->aliases[2].quality, "original script");
  EXPECT_EQ(a->aliases[2].name, "عبد الرحمن خلف عبيد جديع العنزي");
}

TEST(UnXml, UsesTheReferenceNumberWithoutDataIdAndSkipsRecordsWithNeither) {
  auto l = load_un_xml(kData + "/un_consolidated.xml");
  ASSERT_TRUE(l.has_value());
  const ListEntry* k = find(*l, "KPe.001");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->name, "KOREA MINING DEVELOPMENT TRADING CORPORATION");
  EXPECT_EQ(l->stats.rows, 5u);
  EXPECT_EQ(l->stats.skipped, 1u);
}

TEST(UnXml, RefusesDoctypesAndEntityDeclarations) {
  const char* xxe =
      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
      "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>&e;</FIRST_NAME>"
      "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
  auto l = parse_un_xml(xxe);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, ErrorCode::kInvalidArgument);
}

TEST(UnXml, ReportsMalformedDocumentsAndWrongRoots) {
  auto bad = parse_un_xml("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL>");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("UN list XML"), std::string::npos);
  auto wrong = parse_un_xml("<?xml version=\"1.0\"?><sanctionsData/>");
  ASSERT_FALSE(wrong.has_value());
  EXPECT_NE(wrong.error().message.find("CONSOLIDATED_LIST"), std::string::npos);
}

TEST(CsvList, ReadsQuotedNamesTypesProgramsAndSemicolonAliases) {
  auto l = load_csv_list(kData + "/inhouse.csv", ListKind::kSanctions);
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_EQ(l->name, "inhouse");
  ASSERT_EQ(l->entries.size(), 3u);
  EXPECT_EQ(l->entries[0].name, "Golden Crescent Trading, LLC");
  EXPECT_EQ(l->entries[0].type, EntryType::kEntity);
  ASSERT_EQ(l->entries[0].aliases.size(), 2u);
  EXPECT_EQ(l->entries[0].aliases[1].name, "GCT FZE");
  EXPECT_EQ(l->entries[1].programs, (std::vector<std::string>{"INTERNAL", "MULE"}));
  EXPECT_EQ(l->entries[1].aliases[1].name, "Иван Петров");
  EXPECT_EQ(l->entries[2].name, "O'Brien, Seán \"Red\"");
  EXPECT_EQ(l->entries[2].type, EntryType::kIndividual);
  EXPECT_EQ(l->stats.skipped, 2u);  // a row without id, a repeated id
}

TEST(CsvList, ReadsTheHeaderInAnyOrder) {
  auto l = load_csv_list(kData + "/pep.csv", ListKind::kPep);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->kind, ListKind::kPep);
  ASSERT_EQ(l->entries.size(), 1u);
  EXPECT_EQ(l->entries[0].id, "PEP-7");
  EXPECT_EQ(l->entries[0].name, "Maria Fernanda Gómez Ruiz");
  EXPECT_EQ(l->entries[0].programs, (std::vector<std::string>{"MINISTER"}));
}

TEST(CsvList, RefusesAHeaderWithoutIdAndName) {
  auto l = load_csv_list(kData + "/bad_header.csv", ListKind::kSanctions);
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, ErrorCode::kInvalidArgument);
}

TEST(ListSpec, ParsesFormatsPathsNamesAndThresholds) {
  auto a = parse_list_spec("ofac-csv:/data/sdn.csv");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->format, ListFormat::kOfacCsv);
  EXPECT_EQ(a->path, "/data/sdn.csv");
  EXPECT_FALSE(a->threshold.has_value());
  auto b = parse_list_spec("pep-csv:pep.csv?name=local-pep&threshold=0.9");
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->kind, ListKind::kPep);
  EXPECT_EQ(b->name, "local-pep");
  EXPECT_DOUBLE_EQ(*b->threshold, 0.9);
  EXPECT_EQ(parse_list_spec("UN-XML:/x.xml")->format, ListFormat::kUnXml);
}

TEST(ListSpec, RefusesUnknownFormatsMissingPathsAndBadThresholds) {
  for (const char* s : {"sdn.csv", "xml:/x", "csv:", "csv:x.csv?threshold=0.9&block=0.8", "csv:x.csv?pep=maybe", "csv:x.csv?threshold=1.5", "csv:x.csv?threshold=abc",
                        "csv:x.csv?colour=red"}) {
    auto r = parse_list_spec(s);
    ASSERT_FALSE(r.has_value()) << s;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << s;
  }
}

TEST(ListSpec, LoadListsAppliesTheSpecsNameKindAndThreshold) {
  auto l = load_lists({"ofac-csv:" + kData + "/sdn.csv", "un-xml:" + kData + "/un_consolidated.xml?threshold=0.9",
                       "pep-csv:" + kData + "/pep.csv?name=pep-local"});
  ASSERT_TRUE(l.has_value()) << l.error().message;
  ASSERT_EQ(l->size(), 3u);
  EXPECT_EQ((*l)[0].name, "ofac-sdn");
  EXPECT_DOUBLE_EQ(*(*l)[1].threshold, 0.9);
  EXPECT_EQ((*l)[2].name, "pep-local");
  EXPECT_EQ((*l)[2].kind, ListKind::kPep);
}

TEST(ListSpec, MissingFilesAreNotFound) {
  auto l = load_lists({"csv:/nonexistent/list.csv"});
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace deltran::compliance
