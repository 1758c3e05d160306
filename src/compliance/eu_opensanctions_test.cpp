// The EU FSF XML and OpenSanctions targets.simple.csv loaders, on the hand-written samples
// in testdata/ (see testdata/README-formats.md) and on small inline documents.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/compliance/list_loader.hpp>

namespace deltran::compliance {
namespace {

const std::string kData = DELTRAN_COMPLIANCE_TESTDATA;

const ListEntry* find(const Watchlist& l, const std::string& id) {
  for (const ListEntry& e : l.entries)
    if (e.id == id) return &e;
  return nullptr;
}

std::vector<std::string> alias_names(const ListEntry& e) {
  std::vector<std::string> out;
  for (const Alias& a : e.aliases) out.push_back(a.name);
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The 1-based line of the first occurrence of `needle` in `text` (0 if absent).
size_t line_of(const std::string& text, const std::string& needle) {
  const size_t at = text.find(needle);
  if (at == std::string::npos) return 0;
  size_t line = 1;
  for (size_t i = 0; i < at; ++i) line += text[i] == '\n' ? 1 : 0;
  return line;
}

// ---- EU FSF XML ----

TEST(EuXml, LoadsEntitiesWithIdsReferencesTypesNamesAndProgrammes) {
  auto l = load_eu_xml(kData + "/eu_fsf.xml");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_EQ(l->name, "eu-fsf");
  EXPECT_EQ(l->kind, ListKind::kSanctions);
  EXPECT_EQ(l->stats.rows, 11u);
  ASSERT_EQ(l->entries.size(), 9u);
  const ListEntry* s = find(*l, "13");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->name, "Saddam Hussein Al-Tikriti");
  EXPECT_EQ(s->reference, "EU.27.28");
  EXPECT_EQ(s->type, EntryType::kIndividual);
  EXPECT_EQ(s->programs, (std::vector<std::string>{"IRQ"}));
  EXPECT_EQ(s->remarks, "UNSC RESOLUTION 1483");
  EXPECT_EQ(alias_names(*s), (std::vector<std::string>{"Abu Ali", "Abou Ali"}));
  EXPECT_EQ(s->aliases[0].quality, "strong");
  EXPECT_FALSE(s->aliases[0].weak);
  const ListEntry* m = find(*l, "1");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->name, "Robert Gabriel Mugabe");
  EXPECT_EQ(m->title, "Former President");  // nameAlias@function
  EXPECT_EQ(m->programs, (std::vector<std::string>{"ZWE"}));
}

TEST(EuXml, KeepsNamesInEveryLanguageWithTheirScripts) {
  auto l = load_eu_xml(kData + "/eu_fsf.xml");
  ASSERT_TRUE(l.has_value());
  const ListEntry* ibda = find(*l, "207");
  ASSERT_NE(ibda, nullptr);
  EXPECT_EQ(ibda->type, EntryType::kEntity);
  EXPECT_EQ(ibda->name, "İslami Büyük Doğu Akıncılar Cephesi");
  EXPECT_EQ(ibda->programs, (std::vector<std::string>{"TERR"}));
  const auto names = alias_names(*ibda);
  ASSERT_EQ(names.size(), 7u);
  EXPECT_EQ(names[1], "Фронт на великите ислямски източни воини");
  EXPECT_EQ(names[3], "Front der islamischen Kämpfer des Großen Ostens");
  EXPECT_EQ(names[6], "IBDA-C");
  EXPECT_EQ(find(*l, "1504")->name, "Jérôme KAKWAVU BUKANDE");
}

TEST(EuXml, UsesTheWholeNameOrJoinsTheNameParts) {
  auto l = load_eu_xml(kData + "/eu_fsf.xml");
  ASSERT_TRUE(l.has_value());
  const ListEntry* assad = find(*l, "2710");
  ASSERT_NE(assad, nullptr);
  EXPECT_EQ(assad->name, "Bashar Al-Assad");
  EXPECT_TRUE(assad->aliases.empty());
  const ListEntry* lavrov = find(*l, "6754");
  ASSERT_NE(lavrov, nullptr);
  EXPECT_EQ(lavrov->name, "Sergey Viktorovich LAVROV");  // wholeName="" on the primary alias
  EXPECT_EQ(alias_names(*lavrov), (std::vector<std::string>{"Сергей Викторович ЛАВРОВ"}));
}

TEST(EuXml, MarksStrongFalseAndLowQualityAliasesWeakAndSkipsEmptyAndDuplicateNames) {
  auto l = load_eu_xml(kData + "/eu_fsf.xml");
  ASSERT_TRUE(l.has_value());
  const ListEntry* luka = find(*l, "3968");
  ASSERT_NE(luka, nullptr);
  // "Alexander Grigorievich Lukashenko" (EN) repeats an alias but for case: dropped.
  EXPECT_EQ(alias_names(*luka),
            (std::vector<std::string>{"Alexander Grigorievich LUKASHENKO", "Аляксандр Рыгоравіч ЛУКАШЭНКА",
                                      "Александр Григорьевич ЛУКАШЕНКО", "Bat'ka"}));
  EXPECT_TRUE(luka->aliases[3].weak);
  EXPECT_EQ(luka->aliases[3].quality, "weak");
  EXPECT_FALSE(luka->aliases[0].weak);

  const ListEntry* wagner = find(*l, "7392");
  ASSERT_NE(wagner, nullptr);
  EXPECT_EQ(wagner->type, EntryType::kEntity);
  EXPECT_EQ(wagner->programs, (std::vector<std::string>{"UKR", "SYR"}));  // UKR listed twice
  ASSERT_EQ(wagner->aliases.size(), 4u);
  EXPECT_EQ(wagner->aliases[3].name, "Wagner");
  EXPECT_TRUE(wagner->aliases[3].weak);

  const ListEntry* komid = find(*l, "1871");
  ASSERT_NE(komid, nullptr);
  EXPECT_EQ(alias_names(*komid), (std::vector<std::string>{"KOMID", "Changgwang Sinyong Corporation"}));
  EXPECT_FALSE(komid->aliases[0].weak);
  EXPECT_TRUE(komid->aliases[1].weak);  // <remark>low quality alias</remark>
  EXPECT_EQ(komid->programs, (std::vector<std::string>{"PRK"}));
  EXPECT_EQ(komid->remarks,
            "Primary arms dealer and main exporter of goods and equipment related to ballistic missiles and "
            "conventional weapons.; Listed by the UN Security Council on 24.4.2009.");
  EXPECT_EQ(l->stats.aliases, 22u);
}

TEST(EuXml, SkipsEntitiesWithoutLogicalIdOrNameAndReportsTheirLines) {
  const std::string text = slurp(kData + "/eu_fsf.xml");
  auto l = parse_eu_xml(text);
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->stats.skipped, 2u);
  ASSERT_EQ(l->stats.bad_rows.size(), 2u);
  EXPECT_EQ(l->stats.bad_rows[0].line, line_of(text, "euReferenceNumber=\"EU.9001.01\""));
  EXPECT_NE(l->stats.bad_rows[0].reason.find("logicalId"), std::string::npos);
  EXPECT_EQ(l->stats.bad_rows[1].line, line_of(text, "logicalId=\"9101\""));
  EXPECT_NE(l->stats.bad_rows[1].reason.find("no name"), std::string::npos);
  EXPECT_GT(l->stats.bad_rows[0].line, 100u);
  EXPECT_EQ(find(*l, "9101"), nullptr);
  EXPECT_FALSE(l->stats.warnings.empty());
}

TEST(EuXml, ReportsLinesPastLine65535) {
  // The real file has several hundred thousand lines; libxml2 keeps 16-bit line numbers
  // unless asked (XML_PARSE_BIG_LINES).
  std::string xml = "<?xml version=\"1.0\"?>\n<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\">\n";
  for (int i = 0; i < 70000; ++i) xml += "<!-- -->\n";
  xml += "    <sanctionEntity euReferenceNumber=\"EU.1.1\">\n        <nameAlias wholeName=\"A\"/>\n    </sanctionEntity>\n";
  xml += "    <sanctionEntity logicalId=\"7\"><nameAlias wholeName=\"\"/>\n    </sanctionEntity>\n</export>\n";
  auto l = parse_eu_xml(xml);
  ASSERT_TRUE(l.has_value()) << l.error().message;
  ASSERT_EQ(l->stats.bad_rows.size(), 2u);
  EXPECT_EQ(l->stats.bad_rows[0].line, 70003u);
  EXPECT_EQ(l->stats.bad_rows[1].line, 70006u);
}

TEST(EuXml, LoadsNamespacedPrefixedAndNamespaceFreeDocuments) {
  std::string text = slurp(kData + "/eu_fsf.xml");
  const std::string ns = " xmlns=\"http://eu.europa.ec/fpi/fsd/export\"";
  const size_t at = text.find(ns);
  ASSERT_NE(at, std::string::npos);
  text.erase(at, ns.size());
  auto plain = parse_eu_xml(text);
  ASSERT_TRUE(plain.has_value()) << plain.error().message;
  ASSERT_EQ(plain->entries.size(), 9u);
  EXPECT_EQ(find(*plain, "207")->aliases.size(), 7u);

  auto prefixed = parse_eu_xml(
      "<?xml version=\"1.0\"?><fsd:export xmlns:fsd=\"http://eu.europa.ec/fpi/fsd/export\">"
      "<fsd:sanctionEntity logicalId=\"5\" euReferenceNumber=\"EU.5.5\">"
      "<fsd:regulation programme=\"IRN\"/><fsd:subjectType code=\"person\" classificationCode=\"P\"/>"
      "<fsd:nameAlias wholeName=\"Qasem Soleimani\" strong=\"true\"/>"
      "<fsd:nameAlias wholeName=\"Qassem Suleimani\" strong=\"false\"/>"
      "</fsd:sanctionEntity></fsd:export>");
  ASSERT_TRUE(prefixed.has_value()) << prefixed.error().message;
  ASSERT_EQ(prefixed->entries.size(), 1u);
  EXPECT_EQ(prefixed->entries[0].name, "Qasem Soleimani");
  EXPECT_EQ(prefixed->entries[0].programs, (std::vector<std::string>{"IRN"}));
  ASSERT_EQ(prefixed->entries[0].aliases.size(), 1u);
  EXPECT_TRUE(prefixed->entries[0].aliases[0].weak);
}

TEST(EuXml, ReadsUnknownAndClassificationOnlySubjectTypes) {
  auto l = parse_eu_xml(
      "<export><sanctionEntity logicalId=\"1\"><subjectType code=\"vessel\"/><nameAlias wholeName=\"A\"/>"
      "</sanctionEntity><sanctionEntity logicalId=\"2\"><subjectType classificationCode=\"E\"/>"
      "<nameAlias wholeName=\"B\"/></sanctionEntity><sanctionEntity logicalId=\"3\"><nameAlias wholeName=\"C\"/>"
      "</sanctionEntity></export>");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  ASSERT_EQ(l->entries.size(), 3u);
  EXPECT_EQ(l->entries[0].type, EntryType::kUnknown);
  EXPECT_EQ(l->entries[1].type, EntryType::kEntity);
  EXPECT_EQ(l->entries[2].type, EntryType::kUnknown);
  EXPECT_EQ(l->entries[0].aliases.size(), 0u);
  EXPECT_EQ(l->entries[0].reference, "");
}

TEST(EuXml, RefusesDoctypesAndEntityDeclarations) {
  for (const char* doc :
       {"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
        "<export><sanctionEntity logicalId=\"1\"><nameAlias wholeName=\"&e;\"/></sanctionEntity></export>",
        "<?xml version=\"1.0\"?><!DOCTYPE export SYSTEM \"http://example.invalid/fsd.dtd\"><export/>",
        "<export><!ENTITY lol \"lol\"></export>"}) {
    auto l = parse_eu_xml(doc);
    ASSERT_FALSE(l.has_value()) << doc;
    EXPECT_EQ(l.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(l.error().message.find("DOCTYPE"), std::string::npos);
  }
}

TEST(EuXml, RefusesWrongRootsAndMalformedDocuments) {
  auto un = parse_eu_xml("<?xml version=\"1.0\"?><CONSOLIDATED_LIST><INDIVIDUALS/></CONSOLIDATED_LIST>");
  ASSERT_FALSE(un.has_value());
  EXPECT_EQ(un.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(un.error().message.find("root element must be export"), std::string::npos);
  EXPECT_NE(un.error().message.find("CONSOLIDATED_LIST"), std::string::npos);
  auto bad = parse_eu_xml("<export><sanctionEntity logicalId=\"1\">");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("EU list XML"), std::string::npos);
}

TEST(EuXml, EmptyInputIsAnErrorAndAnEmptyExportAnEmptyList) {
  for (const char* empty : {"", "  \r\n\t"}) {
    auto l = parse_eu_xml(empty);
    ASSERT_FALSE(l.has_value());
    EXPECT_EQ(l.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(l.error().message.find("empty"), std::string::npos);
  }
  auto none = parse_eu_xml("<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\"/>");
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->entries.empty());
  EXPECT_EQ(none->stats.rows, 0u);
}

TEST(EuXml, MissingFilesAreNotFound) {
  auto l = load_eu_xml(kData + "/no_such_eu_file.xml");
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, ErrorCode::kNotFound);
}

// ---- OpenSanctions targets.simple.csv ----

TEST(OpenSanctionsCsv, LoadsEntriesWithIdsNamesTypesAndPrograms) {
  auto l = load_opensanctions_csv(kData + "/targets.simple.csv");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_EQ(l->name, "opensanctions");
  EXPECT_EQ(l->kind, ListKind::kSanctions);
  EXPECT_EQ(l->stats.rows, 13u);
  ASSERT_EQ(l->entries.size(), 11u);
  const ListEntry* putin = find(*l, "Q7747");
  ASSERT_NE(putin, nullptr);
  EXPECT_EQ(putin->name, "Vladimir Vladimirovich Putin");
  EXPECT_EQ(putin->type, EntryType::kIndividual);
  EXPECT_EQ(putin->programs, (std::vector<std::string>{"EU-UKR", "GB-RUS"}));
  EXPECT_EQ(putin->remarks, "Russia - 2022-02-28; UKR - 2022/336 (OJ L58) - 2022-02-25");
  // "VLADIMIR VLADIMIROVICH PUTIN" is the name but for case: dropped.
  EXPECT_EQ(alias_names(*putin), (std::vector<std::string>{"Putin Vladimir Vladimirovich", "Vladimir PUTIN",
                                                             "Владимир Владимирович Путин"}));
  EXPECT_FALSE(putin->aliases[0].weak);
  EXPECT_EQ(l->stats.aliases, 22u);
}

TEST(OpenSanctionsCsv, MapsFollowTheMoneySchemasToEntryTypes) {
  auto l = load_opensanctions_csv(kData + "/targets.simple.csv");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(find(*l, "NK-4Gb3f6kx5DSYzmBHn3SDGC")->type, EntryType::kEntity);   // Organization
  EXPECT_EQ(find(*l, "NK-2vMDA9zFHkbPdBcZPN7Pzn")->type, EntryType::kEntity);   // Company
  EXPECT_EQ(find(*l, "NK-3kTgV9sPq2LmXc8RbZyW5n")->type, EntryType::kEntity);   // LegalEntity
  EXPECT_EQ(find(*l, "NK-Bc5Wz8yKq3NvRt6LmXpDgH")->type, EntryType::kEntity);   // PublicBody
  EXPECT_EQ(find(*l, "NK-Hs7uXqLk3TpVz8bW4cNmRf")->type, EntryType::kVessel);   // Vessel
  EXPECT_EQ(find(*l, "NK-7dQeP2mZr9sLxFv4KjHbTa")->type, EntryType::kAircraft); // Airplane
  EXPECT_EQ(find(*l, "NK-Wt6bRq8ZpL3mXc5VkNs2Hd")->type, EntryType::kUnknown);  // CryptoWallet
}

TEST(OpenSanctionsCsv, ReadsQuotedCommasInnerQuotedAliasesAndEmptyAliasCells) {
  auto l = load_opensanctions_csv(kData + "/targets.simple.csv");
  ASSERT_TRUE(l.has_value());
  const ListEntry* anglo = find(*l, "NK-2vMDA9zFHkbPdBcZPN7Pzn");
  ASSERT_NE(anglo, nullptr);
  EXPECT_EQ(anglo->name, "Anglo-Caribbean Co., Ltd.");
  EXPECT_TRUE(anglo->aliases.empty());
  const ListEntry* bank = find(*l, "NK-9wBv7HxTn2Y6qKcLrS3dE");
  ASSERT_NE(bank, nullptr);
  EXPECT_EQ(alias_names(*bank), (std::vector<std::string>{"AO \"Bank Rossiya\"", "Bank Rossiya", "Rossiya Bank; JSC"}));
  const ListEntry* wagner = find(*l, "NK-4Gb3f6kx5DSYzmBHn3SDGC");
  EXPECT_EQ(alias_names(*wagner), (std::vector<std::string>{"PMC Wagner", "Wagner", "ЧВК Вагнер"}));
  EXPECT_EQ(find(*l, "NK-Zp4mKs8TqW2vXc7LbNd9Rh")->name, "Jérôme Kakwavu Bukande");
  EXPECT_EQ(find(*l, "NK-3kTgV9sPq2LmXc8RbZyW5n")->name, "İslami Büyük Doğu Akıncılar Cephesi");
}

TEST(OpenSanctionsCsv, FallsBackToTheDatasetWhenProgramIdsIsEmptyOrMissing) {
  auto l = load_opensanctions_csv(kData + "/targets.simple.csv");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(find(*l, "NK-Bc5Wz8yKq3NvRt6LmXpDgH")->programs,
            (std::vector<std::string>{"EU Financial Sanctions Files (FSF)",
                                      "UK Consolidated List of Financial Sanctions Targets"}));
  // An older export, before program_ids was added.
  auto old = parse_opensanctions_csv(
      "\"id\",\"schema\",\"name\",\"aliases\",\"birth_date\",\"countries\",\"addresses\",\"identifiers\","
      "\"sanctions\",\"phones\",\"emails\",\"dataset\",\"first_seen\",\"last_seen\",\"last_change\"\n"
      "\"NK-1\",\"Person\",\"Ali Khamenei\",\"Sayyid Ali Hosseini Khamenei\",\"1939-04-19\",\"ir\",\"\",\"\","
      "\"\",\"\",\"\",\"US OFAC Specially Designated Nationals (SDN) List\",\"2021-09-01T00:00:00\","
      "\"2026-01-05T06:10:44\",\"2025-11-20T06:10:44\"\n");
  ASSERT_TRUE(old.has_value()) << old.error().message;
  ASSERT_EQ(old->entries.size(), 1u);
  EXPECT_EQ(old->entries[0].programs, (std::vector<std::string>{"US OFAC Specially Designated Nationals (SDN) List"}));
  EXPECT_EQ(old->entries[0].aliases.size(), 1u);
}

TEST(OpenSanctionsCsv, SkipsRowsWithAnotherColumnCountOrNoNameAndReportsTheirLines) {
  auto l = load_opensanctions_csv(kData + "/targets.simple.csv");
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(l->stats.skipped, 2u);
  ASSERT_EQ(l->stats.bad_rows.size(), 2u);
  // Line 12, not 11: the record before it has a line break inside a quoted address.
  EXPECT_EQ(l->stats.bad_rows[0].line, 12u);
  EXPECT_NE(l->stats.bad_rows[0].reason.find("record 11"), std::string::npos);
  EXPECT_NE(l->stats.bad_rows[0].reason.find("15 fields, expected 16"), std::string::npos);
  EXPECT_EQ(l->stats.bad_rows[1].line, 14u);
  EXPECT_NE(l->stats.bad_rows[1].reason.find("no name"), std::string::npos);
  EXPECT_EQ(find(*l, "NK-Trunc8dRowXq2LmRt5VbZc"), nullptr);
  ASSERT_FALSE(l->stats.warnings.empty());
  EXPECT_NE(l->stats.warnings[0].find("line 12"), std::string::npos);
}

TEST(OpenSanctionsCsv, ReadsTheHeaderInAnyOrderAndCase) {
  auto l = parse_opensanctions_csv("NAME,Schema,ID\r\n\"Acme Trading, FZE\",Company,os-1\r\nBob,Person,\r\n");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  ASSERT_EQ(l->entries.size(), 1u);
  EXPECT_EQ(l->entries[0].id, "os-1");
  EXPECT_EQ(l->entries[0].name, "Acme Trading, FZE");
  EXPECT_EQ(l->entries[0].type, EntryType::kEntity);
  EXPECT_TRUE(l->entries[0].programs.empty());
  ASSERT_EQ(l->stats.bad_rows.size(), 1u);
  EXPECT_EQ(l->stats.bad_rows[0].line, 3u);
  EXPECT_NE(l->stats.bad_rows[0].reason.find("no id"), std::string::npos);
}

TEST(OpenSanctionsCsv, RefusesAHeaderWithoutARequiredColumn) {
  auto l = parse_opensanctions_csv("\"id\",\"name\",\"aliases\"\n\"Q1\",\"X\",\"\"\n");
  ASSERT_FALSE(l.has_value());
  EXPECT_EQ(l.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(l.error().message.find("'schema'"), std::string::npos);
  // An OFAC sdn.csv (no header row) is refused the same way, not read as data.
  auto ofac = load_opensanctions_csv(kData + "/sdn.csv");
  ASSERT_FALSE(ofac.has_value());
  EXPECT_EQ(ofac.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpenSanctionsCsv, EmptyInputIsAnErrorAndAHeaderOnlyFileAnEmptyList) {
  for (const char* empty : {"", "\n\r\n"}) {
    auto l = parse_opensanctions_csv(empty);
    ASSERT_FALSE(l.has_value());
    EXPECT_EQ(l.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(l.error().message.find("empty"), std::string::npos);
  }
  auto header_only = parse_opensanctions_csv("\"id\",\"schema\",\"name\"\n");
  ASSERT_TRUE(header_only.has_value());
  EXPECT_TRUE(header_only->entries.empty());
  EXPECT_EQ(header_only->stats.rows, 0u);
}

TEST(ListSpec, LoadsTheEuAndOpenSanctionsFormats) {
  EXPECT_EQ(parse_list_spec("eu-xml:/x.xml")->format, ListFormat::kEuXml);
  EXPECT_EQ(parse_list_spec("opensanctions-csv:/x.csv")->format, ListFormat::kOpenSanctionsCsv);
  auto l = load_lists({"eu-xml:" + kData + "/eu_fsf.xml", "opensanctions-csv:" + kData + "/targets.simple.csv"});
  ASSERT_TRUE(l.has_value()) << l.error().message;
  ASSERT_EQ(l->size(), 2u);
  EXPECT_EQ((*l)[0].name, "eu-fsf");
  EXPECT_EQ((*l)[1].name, "opensanctions");
}

}  // namespace
}  // namespace deltran::compliance
