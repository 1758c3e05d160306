// Every emitted message validates against the official XSD of its version: checked with our
// SchemaSet and, independently, with xmllint --schema.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>

#include <unistd.h>

#include <gtest/gtest.h>

#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/statement.hpp>
#include <deltran/iso20022/status_report.hpp>

#include "test_support.hpp"

namespace deltran::iso20022 {
namespace {

using testing::schemas;
using testing::testdata;
using testing::with_schemas;

// Runs xmllint --noout --schema <xsd> on `xml`; returns its exit status and output.
std::pair<int, std::string> xmllint(const std::string& xml, const std::string& message_id) {
  auto dir = std::filesystem::temp_directory_path();
  auto file = dir / ("deltran_emit_" + message_id + "_" + std::to_string(::getpid()) + ".xml");
  std::ofstream(file) << xml;
  std::string command = "xmllint --noout --nonet --schema '" + std::string(DELTRAN_XSD_DIR) + "/" +
                        message_id + ".xsd' '" + file.string() + "' 2>&1";
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  char buf[512];
  while (std::fgets(buf, sizeof(buf), pipe) != nullptr) output += buf;
  int status = ::pclose(pipe);
  std::filesystem::remove(file);
  return {status, output};
}

void expect_valid(const Result<std::string>& xml, const std::string& message_id) {
  ASSERT_TRUE(xml) << xml.error().message;
  auto ours = schemas().validate(*xml);
  EXPECT_TRUE(ours) << message_id << ": " << ours.error().message << "\n" << *xml;
  auto [status, output] = xmllint(*xml, message_id);
  EXPECT_EQ(status, 0) << message_id << ": " << output << "\n" << *xml;
}

StatusReport mixed_report() {
  auto parsed = parse_message(testdata("bad_pain001_v09_iban_check_digits.xml"), with_schemas());
  EXPECT_TRUE(parsed);
  StatusReport r =
      status_report_for(*parsed, "DELTRAN-STS-0001", "2026-11-28T12:00:00.123456Z", "ACCP");
  r.transactions[0].status = "ACSC";  // settled later by the rail
  r.transactions[1].status = "RJCT";
  r.transactions[1].reasons = {{"AM04", "insufficient liquidity in window 2026-11-28T12"}};
  r.transactions[1].acceptance_date_time = "2026-11-28T12:00:01Z";
  return r;
}

TEST(Pain002, ReportsAMixedBatchInVersion14) {
  StatusReport r = mixed_report();
  EXPECT_EQ(r.group_status, "PART");
  EXPECT_EQ(r.payment_infos.size(), 2u);
  EXPECT_EQ(r.payment_infos[1].status, "RJCT");  // its only transaction has a bad IBAN
  auto xml = emit_pain002(r, Pain002Version::kV14);
  expect_valid(xml, "pain.002.001.14");
  EXPECT_NE(xml->find("<OrgnlUETR>8a562c67-ca16-48ba-b074-65581be6f001</OrgnlUETR>"),
            std::string::npos);
  EXPECT_NE(xml->find("<Cd>AC01</Cd>"), std::string::npos);
  EXPECT_NE(xml->find("<Cd>AM04</Cd>"), std::string::npos);
  EXPECT_NE(xml->find("<GrpSts>PART</GrpSts>"), std::string::npos);
}

TEST(Pain002, ReportsTheSameBatchInThe2009Version) {
  auto xml = emit_pain002(mixed_report(), Pain002Version::kV03);
  expect_valid(xml, "pain.002.001.03");
  EXPECT_EQ(xml->find("OrgnlUETR"), std::string::npos);  // not in the 2009 schema
}

TEST(Pain002, PicksThe2009VersionForThe2009GenerationOfPain001) {
  auto v03 = parse_message(testdata("pain001_v03_two_tx.xml"), with_schemas());
  auto v12 = parse_message(testdata("pain001_v12_datetime.xml"), with_schemas());
  ASSERT_TRUE(v03 && v12);
  EXPECT_EQ(pain002_version_for(v03->header), Pain002Version::kV03);
  EXPECT_EQ(pain002_version_for(v12->header), Pain002Version::kV14);
  StatusReport r = status_report_for(*v03, "STS-2", "2026-11-28T12:00:00Z");
  r.debtor_agent_bic = "DEUTDEFFXXX";
  expect_valid(emit_pain002(r, Pain002Version::kV03), "pain.002.001.03");
}

// What back offices and client libraries look for first: who reports (InitgPty) and to
// which agent.
TEST(Pain002, NamesTheReportingPartyByNameAndBicInBothGenerations) {
  StatusReport r = mixed_report();
  r.initiating_party_name = "DelTran";
  r.initiating_party_bic = "DLTRAEAD";
  r.debtor_agent_bic = "NBADAEAA";
  auto v14 = emit_pain002(r, Pain002Version::kV14);
  expect_valid(v14, "pain.002.001.14");
  EXPECT_NE(v14->find("<InitgPty>\n        <Nm>DelTran</Nm>\n        <Id>\n          <OrgId>\n            <AnyBIC>DLTRAEAD</AnyBIC>"),
            std::string::npos) << *v14;
  EXPECT_NE(v14->find("<DbtrAgt>\n        <FinInstnId>\n          <BICFI>NBADAEAA</BICFI>"), std::string::npos);
  auto v03 = emit_pain002(r, Pain002Version::kV03);
  expect_valid(v03, "pain.002.001.03");
  EXPECT_NE(v03->find("<BICOrBEI>DLTRAEAD</BICOrBEI>"), std::string::npos) << *v03;
  EXPECT_NE(v03->find("<BIC>NBADAEAA</BIC>"), std::string::npos);
  // A BIC of the 2014 pattern the 2009 schema cannot carry: the name stays, the BIC goes,
  // the report still validates.
  r.initiating_party_bic = "1BNKAEAD";
  r.debtor_agent_bic = "2BNKAEAD";
  auto old = emit_pain002(r, Pain002Version::kV03);
  expect_valid(old, "pain.002.001.03");
  EXPECT_NE(old->find("<InitgPty>\n        <Nm>DelTran</Nm>\n      </InitgPty>"), std::string::npos) << *old;
  EXPECT_EQ(old->find("BNKAEAD"), std::string::npos);
  auto now = emit_pain002(r, Pain002Version::kV14);
  expect_valid(now, "pain.002.001.14");
  EXPECT_NE(now->find("<AnyBIC>1BNKAEAD</AnyBIC>"), std::string::npos);
  // A malformed BIC is still an error, not silently dropped.
  r.initiating_party_bic = "NOTABIC";
  EXPECT_FALSE(emit_pain002(r, Pain002Version::kV14));
}

TEST(Pain002, RefusesStatusCodesThe2009SchemaDoesNotKnow) {
  StatusReport r = mixed_report();
  r.transactions[0].status = "PART";  // a group status, not a transaction status, in 2009
  auto xml = emit_pain002(r, Pain002Version::kV03);
  ASSERT_FALSE(xml);
  EXPECT_NE(xml.error().message.find("TxSts"), std::string::npos);
  EXPECT_TRUE(emit_pain002(r, Pain002Version::kV14));  // external code list: any 4 letters
}

TEST(Pain002, RejectsAWholeMessageWithTheReasonAndLocation) {
  std::string xml = testdata("bad_pain001_v09_group_ctrlsum.xml");
  auto parsed = parse_message(xml, with_schemas());
  ASSERT_FALSE(parsed);
  auto header = read_header(xml);
  ASSERT_TRUE(header);
  StatusReport r =
      rejection_report_for(*header, rejection_of(parsed.error()), "STS-3", "2026-11-28T12:00:00Z");
  auto out = emit_pain002(r);
  expect_valid(out, "pain.002.001.14");
  EXPECT_NE(out->find("<GrpSts>RJCT</GrpSts>"), std::string::npos);
  EXPECT_NE(out->find("<Cd>AM10</Cd>"), std::string::npos);
  EXPECT_NE(out->find("<OrgnlMsgId>GULFTRADE-20261128-17</OrgnlMsgId>"), std::string::npos);
}

TEST(Pacs002, ReportsEachStatusAndReasonInVersions10And15) {
  auto parsed = parse_message(testdata("pacs008_v13_batch.xml"), with_schemas());
  ASSERT_TRUE(parsed);
  StatusReport r = status_report_for(*parsed, "DELTRAN-PACS002-1", "2026-11-28T12:00:00Z", "ACSC");
  r.instructing_agent_bic = "DLTRAEADXXX";
  r.instructed_agent_bic = "DEUTDEFF";
  r.transactions[1].status = "RJCT";
  r.transactions[1].reasons = {{"RR04", "sanctions screening hit"}, {"DUPL", ""}};
  r.transactions[2].status = "PDNG";
  r.transactions[2].reasons = {{"AM04", "queued for the next window"}};
  r.group_status = derived_group_status(r.transactions);
  EXPECT_EQ(r.group_status, "PART");
  expect_valid(emit_pacs002(r, Pacs002Version::kV10), "pacs.002.001.10");
  expect_valid(emit_pacs002(r, Pacs002Version::kV15), "pacs.002.001.15");
}

TEST(Pacs002, PutsTheOriginalGroupInEachTransactionTheCbprWay) {
  auto parsed = parse_message(testdata("pacs008_v08_envelope_bom_crlf.xml"), with_schemas());
  ASSERT_TRUE(parsed);
  StatusReport r =
      status_report_for(*parsed, "DELTRAN-PACS002-2", "2026-11-28T12:00:00+04:00", "ACSC");
  r.original_group_per_transaction = true;
  r.transactions[0].instructing_agent_bic = "DLTRAEADXXX";
  r.transactions[0].instructed_agent_bic = "NBADAEAAXXX";
  auto xml = emit_pacs002(r);
  expect_valid(xml, "pacs.002.001.10");
  EXPECT_EQ(xml->find("OrgnlGrpInfAndSts"), std::string::npos);
  EXPECT_NE(xml->find("<OrgnlUETR>9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a</OrgnlUETR>"),
            std::string::npos);
}

TEST(Pacs002, RefusesInputThatWouldNotValidate) {
  StatusReport r;
  r.msg_id = std::string(36, 'X');  // Max35Text
  r.creation_date_time = "2026-11-28T12:00:00Z";
  r.original_msg_id = "M";
  r.original_msg_name_id = "pacs.008.001.08";
  auto too_long = emit_pacs002(r);
  ASSERT_FALSE(too_long);
  EXPECT_NE(too_long.error().message.find("/Document/FIToFIPmtStsRpt/GrpHdr/MsgId"),
            std::string::npos);
  r.msg_id = "OK";
  r.instructing_agent_bic = "NOTABIC";
  EXPECT_FALSE(emit_pacs002(r));
  r.instructing_agent_bic.clear();
  r.creation_date_time = "yesterday";
  EXPECT_FALSE(emit_pacs002(r));
  r.creation_date_time = "2026-11-28T12:00:00Z";
  r.group_reasons = {{"TOOLONG", ""}};
  EXPECT_FALSE(emit_pacs002(r));
  r.group_reasons = {{"AC01", std::string("bell\a")}};
  EXPECT_FALSE(emit_pacs002(r));
}

Statement sample_statement() {
  Statement s;
  s.msg_id = "DELTRAN-STMT-20261128";
  s.creation_date_time = "2026-11-28T23:59:59Z";
  s.statement_id = "STMT-AE-USD-20261128";
  s.electronic_sequence_number = "332";
  s.from_date_time = "2026-11-28T00:00:00Z";
  s.to_date_time = "2026-11-28T23:59:59Z";
  s.account_iban = "AE070331234567890123456";
  s.currency = "USD";
  s.account_owner_name = "Emirates NBD <Settlement> & Co";
  s.account_servicer_bic = "DLTRAEADXXX";
  s.opening_balance_minor = -50'000;  // a debit balance within the net debit cap
  s.opening_date = "2026-11-28";
  StatementEntry in;
  in.amount_minor = 12'500'000;
  in.credit = true;
  in.booking_date = in.value_date = "2026-11-28";
  in.entry_ref = "W-2026-11-28T12-0001";
  in.end_to_end_id = "ETE-AE-US-0001";
  in.uetr = "e2c5a1f3-4b6d-4c8e-8f0a-1b2c3d4e5f60";
  in.msg_id = "NBAD20261128000001";
  in.counterparty_name = "شركة الإمارات لتجارة الصلب";
  in.counterparty_iban = "DE89370400440532013000";
  in.counterparty_agent_bic = "NBADAEAAXXX";
  in.remittance_info = {"Contract ES-2026-44"};
  StatementEntry out;
  out.amount_minor = 2'000'050;
  out.credit = false;
  out.booking_date = "2026-11-28";
  out.counterparty_name = "Midwest Alloys Corp.";
  out.counterparty_other_account_id = "7788990011";
  out.additional_info = "net settlement of window 2026-11-28T18";
  s.entries = {in, out};
  s.closing_balance_minor = -50'000 + 12'500'000 - 2'000'050;
  s.closing_date = "2026-11-28";
  return s;
}

TEST(Camt053, StatesBalancesEntriesAndTotalsThatValidate) {
  auto xml = emit_camt053(sample_statement());
  expect_valid(xml, "camt.053.001.08");
  EXPECT_NE(xml->find("<Amt Ccy=\"USD\">500.00</Amt>"), std::string::npos)
      << *xml;  // opening, DBIT
  EXPECT_NE(xml->find("<CdtDbtInd>DBIT</CdtDbtInd>"), std::string::npos);
  EXPECT_NE(xml->find("<Sum>145000.50</Sum>"), std::string::npos);
  EXPECT_NE(xml->find("Emirates NBD &lt;Settlement&gt; &amp; Co"), std::string::npos);
}

TEST(Camt053, NamesRecipientServicerAndSequenceAsBackOfficesExpect) {
  Statement s = sample_statement();
  s.recipient_name = "Emirates NBD";
  s.recipient_bic = "EBILAEAD";
  s.account_owner_bic = "EBILAEAD";
  s.account_servicer_name = "DelTran";
  s.legal_sequence_number = "332";
  auto xml = emit_camt053(s);
  expect_valid(xml, "camt.053.001.08");
  EXPECT_NE(xml->find("<MsgRcpt>\n        <Nm>Emirates NBD</Nm>\n        <Id>\n          <OrgId>\n            <AnyBIC>EBILAEAD</AnyBIC>"),
            std::string::npos) << *xml;
  EXPECT_NE(xml->find("<Svcr>\n          <FinInstnId>\n            <BICFI>DLTRAEADXXX</BICFI>\n            <Nm>DelTran</Nm>"),
            std::string::npos);
  EXPECT_NE(xml->find("<ElctrncSeqNb>332</ElctrncSeqNb>"), std::string::npos);
  EXPECT_NE(xml->find("<LglSeqNb>332</LglSeqNb>"), std::string::npos);
  EXPECT_NE(xml->find("<StmtPgntn>\n        <PgNb>1</PgNb>\n        <LastPgInd>true</LastPgInd>"), std::string::npos);
  s.recipient_bic = "EBIL";
  EXPECT_FALSE(emit_camt053(s));
  s = sample_statement();
  s.legal_sequence_number = "3a";
  EXPECT_FALSE(emit_camt053(s));
}

TEST(Camt054, NotifiesTheEntriesWithoutBalancesAndValidates) {
  Statement s = sample_statement();
  s.recipient_name = "Emirates NBD";
  s.recipient_bic = "EBILAEAD";
  s.account_owner_bic = "EBILAEAD";
  s.account_servicer_name = "DelTran";
  auto xml = emit_camt054(s);
  expect_valid(xml, "camt.054.001.08");
  EXPECT_NE(xml->find("<BkToCstmrDbtCdtNtfctn>"), std::string::npos);
  EXPECT_NE(xml->find("<Ntfctn>\n      <Id>STMT-AE-USD-20261128</Id>\n      <NtfctnPgntn>"), std::string::npos) << *xml;
  EXPECT_EQ(xml->find("<Bal>"), std::string::npos) << "a notification carries no balances";
  EXPECT_NE(xml->find("<Svcr>"), std::string::npos);
  EXPECT_NE(xml->find("<Sum>145000.50</Sum>"), std::string::npos);
  // Balances need not add up (there are none), but entries are still checked.
  s.closing_balance_minor += 1;
  EXPECT_TRUE(emit_camt054(s));
  s.entries[0].amount_minor = 0;
  EXPECT_FALSE(emit_camt054(s));
}

TEST(Camt053, UsesEachCurrencyExponent) {
  Statement s = sample_statement();
  s.currency = "JPY";
  s.entries.resize(1);
  s.entries[0].amount_minor = 1'500'000;
  s.opening_balance_minor = 0;
  s.closing_balance_minor = 1'500'000;
  auto jpy = emit_camt053(s);
  expect_valid(jpy, "camt.053.001.08");
  EXPECT_NE(jpy->find("<Amt Ccy=\"JPY\">1500000</Amt>"), std::string::npos);
  s.currency = "KWD";
  auto kwd = emit_camt053(s);
  ASSERT_TRUE(kwd);
  EXPECT_NE(kwd->find("<Amt Ccy=\"KWD\">1500.000</Amt>"), std::string::npos);
}

TEST(Camt053, RefusesBalancesThatDoNotAddUp) {
  Statement s = sample_statement();
  s.closing_balance_minor += 1;
  auto xml = emit_camt053(s);
  ASSERT_FALSE(xml);
  EXPECT_NE(xml.error().message.find("opening balance plus credits minus debits"),
            std::string::npos);
  s = sample_statement();
  s.entries[0].counterparty_iban = "DE00370400440532013000";
  EXPECT_FALSE(emit_camt053(s));
  s = sample_statement();
  s.currency = "XXY";
  EXPECT_FALSE(emit_camt053(s));
}

}  // namespace
}  // namespace deltran::iso20022
