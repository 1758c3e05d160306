// Data-driven runner: every testdata/<name>.xml is parsed with the official XSDs and checked
// against testdata/<name>.expect ("key = value" lines, '#' comments). A new case is a new
// pair of files. Keys:
//   outcome = ok | error;  error_code, reason, path, message~ (substring) for errors;
//   expect_type = pain.001 (parse with ParseOptions::expected_type);
//   type, message_id, namespace, national, validation, transactions, accepted, payment_infos;
//   header.<field>, header.initiating_party.<field>, app.<field>, block<N>.<field>;
//   tx<N>.status = ok | RJCT <code>, tx<N>.path, tx<N>.message~, tx<N>.<payment field>.
// Every accepted message must also yield a status report that validates against its XSD.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/status_report.hpp>

#include "test_support.hpp"

namespace deltran::iso20022 {
namespace {

using testing::schemas;
using Expectations = std::vector<std::pair<std::string, std::string>>;

Expectations read_expectations(const std::filesystem::path& path) {
  Expectations out;
  std::istringstream in(testing::read_file(path));
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find(" =");
    if (eq == std::string::npos) continue;
    std::string value = line.substr(eq + 2);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    out.emplace_back(line.substr(0, eq), value);
  }
  return out;
}

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : "|") + x;
  return s;
}

std::optional<std::string> party_field(const Party& p, std::string_view f) {
  const std::map<std::string_view, std::function<std::string()>> fields = {
      {"name", [&] { return p.name; }},
      {"street_name", [&] { return p.address.street_name; }},
      {"building_number", [&] { return p.address.building_number; }},
      {"building_name", [&] { return p.address.building_name; }},
      {"floor", [&] { return p.address.floor; }},
      {"care_of", [&] { return p.address.care_of; }},
      {"unit_number", [&] { return p.address.unit_number; }},
      {"post_code", [&] { return p.address.post_code; }},
      {"town_name", [&] { return p.address.town_name; }},
      {"country_sub_division", [&] { return p.address.country_sub_division; }},
      {"country", [&] { return p.address.country; }},
      {"address_lines", [&] { return joined(p.address.address_lines); }},
      {"any_bic", [&] { return p.any_bic; }},
      {"lei", [&] { return p.lei; }},
      {"party_id", [&] { return p.party_id; }},
      {"iban", [&] { return p.iban; }},
      {"other_account_id", [&] { return p.other_account_id; }},
      {"account_currency", [&] { return p.account_currency; }},
  };
  auto it = fields.find(f);
  if (it == fields.end()) return std::nullopt;
  return it->second();
}

std::optional<std::string> payment_field(const Payment& p, std::string_view f) {
  if (f.starts_with("debtor.")) return party_field(p.debtor, f.substr(7));
  if (f.starts_with("creditor.")) return party_field(p.creditor, f.substr(9));
  const std::map<std::string_view, std::function<std::string()>> fields = {
      {"msg_id", [&] { return p.msg_id; }},
      {"pmt_inf_id", [&] { return p.pmt_inf_id; }},
      {"instr_id", [&] { return p.instr_id; }},
      {"end_to_end_id", [&] { return p.end_to_end_id; }},
      {"tx_id", [&] { return p.tx_id; }},
      {"uetr", [&] { return p.uetr; }},
      {"debtor_agent_member", [&] { return p.debtor_agent_member.system + ":" + p.debtor_agent_member.member_id; }},
      {"creditor_agent_member", [&] { return p.creditor_agent_member.system + ":" + p.creditor_agent_member.member_id; }},
      {"amount_minor", [&] { return std::to_string(p.amount_minor); }},
      {"currency", [&] { return p.currency; }},
      {"instructed_amount_minor",
       [&] { return p.instructed_amount_minor ? std::to_string(*p.instructed_amount_minor) : ""; }},
      {"instructed_currency", [&] { return p.instructed_currency; }},
      {"exchange_rate", [&] { return p.exchange_rate; }},
      {"debtor_agent_bic", [&] { return p.debtor_agent_bic; }},
      {"creditor_agent_bic", [&] { return p.creditor_agent_bic; }},
      {"instructing_agent_bic", [&] { return p.instructing_agent_bic; }},
      {"instructed_agent_bic", [&] { return p.instructed_agent_bic; }},
      {"charge_bearer", [&] { return p.charge_bearer; }},
      {"purpose", [&] { return p.purpose; }},
      {"service_level", [&] { return p.service_level; }},
      {"category_purpose", [&] { return p.category_purpose; }},
      {"remittance_info", [&] { return joined(p.remittance_info); }},
      {"remittance_references", [&] { return joined(p.remittance_references); }},
      {"requested_execution_date", [&] { return p.requested_execution_date; }},
      {"requested_execution_date_time", [&] { return p.requested_execution_date_time; }},
      {"interbank_settlement_date", [&] { return p.interbank_settlement_date; }},
      {"settlement_method", [&] { return p.settlement_method; }},
  };
  auto it = fields.find(f);
  if (it == fields.end()) return std::nullopt;
  return it->second();
}

std::optional<std::string> header_field(const MessageHeader& h, std::string_view f) {
  if (f.starts_with("initiating_party.")) return party_field(h.initiating_party, f.substr(17));
  const std::map<std::string_view, std::function<std::string()>> fields = {
      {"msg_id", [&] { return h.msg_id; }},
      {"creation_date_time", [&] { return h.creation_date_time; }},
      {"nb_of_txs", [&] { return h.nb_of_txs; }},
      {"ctrl_sum", [&] { return h.ctrl_sum; }},
      {"settlement_method", [&] { return h.settlement_method; }},
      {"instructing_agent_bic", [&] { return h.instructing_agent_bic; }},
      {"total_interbank_settlement_amount", [&] { return h.total_interbank_settlement_amount; }},
      {"total_interbank_settlement_currency",
       [&] { return h.total_interbank_settlement_currency; }},
      {"sender_bic", [&] { return h.sender_bic(); }},
  };
  auto it = fields.find(f);
  if (it == fields.end()) return std::nullopt;
  return it->second();
}

std::optional<std::string> app_field(const MessageHeader& h, std::string_view f) {
  if (!h.app_header) return std::string("<no AppHdr>");
  const AppHeader& a = *h.app_header;
  const std::map<std::string_view, std::function<std::string()>> fields = {
      {"version", [&] { return a.version; }},
      {"from_bic", [&] { return a.from_bic; }},
      {"to_bic", [&] { return a.to_bic; }},
      {"biz_msg_id", [&] { return a.biz_msg_id; }},
      {"msg_def_id", [&] { return a.msg_def_id; }},
      {"biz_service", [&] { return a.biz_service; }},
      {"creation_date", [&] { return a.creation_date; }},
      {"possible_duplicate", [&] { return std::string(a.possible_duplicate ? "true" : "false"); }},
  };
  auto it = fields.find(f);
  if (it == fields.end()) return std::nullopt;
  return it->second();
}

// "tx3.amount_minor" -> (3, "amount_minor").
std::optional<std::pair<size_t, std::string>> indexed(std::string_view key,
                                                      std::string_view prefix) {
  if (!key.starts_with(prefix)) return std::nullopt;
  size_t dot = key.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  size_t n = std::stoul(std::string(key.substr(prefix.size(), dot - prefix.size())));
  return std::make_pair(n, std::string(key.substr(dot + 1)));
}

void check_transaction(const ParsedMessage& m, size_t n, const std::string& field,
                       const std::string& want) {
  ASSERT_LE(n, m.transactions.size()) << "no transaction " << n;
  const TransactionResult& tx = m.transactions[n - 1];
  std::string status = tx.rejection ? "RJCT " + tx.rejection->reason_code : "ok";
  std::string detail =
      tx.rejection ? " (" + tx.rejection->path + ": " + tx.rejection->message + ")" : "";
  if (field == "status") {
    EXPECT_EQ(status, want) << "tx" << n << detail;
  } else if (field == "path") {
    ASSERT_TRUE(tx.rejection) << "tx" << n << " was accepted";
    EXPECT_EQ(tx.rejection->path, want);
  } else if (field == "message~") {
    ASSERT_TRUE(tx.rejection) << "tx" << n << " was accepted";
    EXPECT_NE(tx.rejection->message.find(want), std::string::npos) << tx.rejection->message;
  } else {
    auto got = payment_field(tx.payment, field);
    ASSERT_TRUE(got) << "unknown field tx." << field;
    EXPECT_EQ(*got, want) << "tx" << n << "." << field;
  }
}

void check_block(const ParsedMessage& m, size_t n, const std::string& field,
                 const std::string& want) {
  ASSERT_LE(n, m.payment_infos.size()) << "no PmtInf " << n;
  const PaymentInfoBlock& b = m.payment_infos[n - 1];
  std::string got = field == "pmt_inf_id" ? b.pmt_inf_id
                    : field == "tx_count" ? std::to_string(b.tx_count)
                    : field == "first_tx" ? std::to_string(b.first_tx)
                                          : "<unknown field " + field + ">";
  EXPECT_EQ(got, want) << "block" << n << "." << field;
}

void check_message(const ParsedMessage& m, const std::string& key, const std::string& want) {
  const MessageHeader& h = m.header;
  if (auto tx = indexed(key, "tx")) return check_transaction(m, tx->first, tx->second, want);
  if (auto block = indexed(key, "block")) return check_block(m, block->first, block->second, want);
  std::optional<std::string> got;
  if (key == "type") got = std::string(to_string(h.type));
  if (key == "message_id") got = h.message_id;
  if (key == "namespace") got = h.namespace_uri;
  if (key == "national") got = h.national_profile ? "true" : "false";
  if (key == "validation") got = m.validation == Validation::kSchema ? "schema" : "structural";
  if (key == "transactions") got = std::to_string(m.transactions.size());
  if (key == "accepted") got = std::to_string(m.accepted_count());
  if (key == "payment_infos") got = std::to_string(m.payment_infos.size());
  if (key.starts_with("header.")) got = header_field(h, std::string_view(key).substr(7));
  if (key.starts_with("app.")) got = app_field(h, std::string_view(key).substr(4));
  ASSERT_TRUE(got) << "unknown expectation key " << key;
  EXPECT_EQ(*got, want) << key;
}

void check_error(const Error& e, const std::string& key, const std::string& want) {
  Rejection r = rejection_of(e);
  if (key == "error_code") {
    EXPECT_EQ(to_string(e.code), want == "InvalidArgument" ? to_string(ErrorCode::kInvalidArgument)
                                 : want == "ResourceExhausted"
                                     ? to_string(ErrorCode::kResourceExhausted)
                                     : want);
  } else if (key == "reason") {
    EXPECT_EQ(r.reason_code, want) << e.message;
  } else if (key == "path") {
    EXPECT_EQ(r.path, want) << e.message;
  } else if (key == "message~") {
    EXPECT_NE(e.message.find(want), std::string::npos) << e.message;
  } else {
    ADD_FAILURE() << "unknown expectation key for an error: " << key;
  }
}

// Accepted or partly accepted messages answer with a status report valid for its XSD.
void check_status_report(const ParsedMessage& m) {
  StatusReport report = status_report_for(m, "DELTRAN-STS-1", "2026-11-28T12:00:00Z");
  if (m.header.type == MessageType::kPain001) {
    auto xml = emit_pain002(report, pain002_version_for(m.header));
    ASSERT_TRUE(xml) << xml.error().message;
    auto valid = schemas().validate(*xml);
    EXPECT_TRUE(valid) << valid.error().message << "\n" << *xml;
  } else {
    auto xml = emit_pacs002(report);
    ASSERT_TRUE(xml) << xml.error().message;
    auto valid = schemas().validate(*xml);
    EXPECT_TRUE(valid) << valid.error().message << "\n" << *xml;
  }
}

std::vector<std::string> corpus_files() {
  std::vector<std::string> names;
  for (const auto& f : std::filesystem::directory_iterator(testing::testdata_dir())) {
    if (f.path().extension() == ".xml") names.push_back(f.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class CorpusFile : public ::testing::TestWithParam<std::string> {};

TEST_P(CorpusFile, ParsesAsItsExpectationFileSays) {
  const auto dir = testing::testdata_dir();
  const auto expect_path = dir / (GetParam() + ".expect");
  ASSERT_TRUE(std::filesystem::exists(expect_path)) << "missing " << expect_path;
  Expectations expectations = read_expectations(expect_path);
  ParseOptions options = testing::with_schemas();
  for (const auto& [key, value] : expectations) {
    if (key == "expect_type") {
      options.expected_type = value == "pain.001" ? MessageType::kPain001 : MessageType::kPacs008;
    }
  }
  auto parsed = parse_message(testing::read_file(dir / (GetParam() + ".xml")), options);
  for (const auto& [key, value] : expectations) {
    if (key == "expect_type") continue;
    if (key == "outcome") {
      if (value == "ok") {
        ASSERT_TRUE(parsed) << parsed.error().message;
      } else {
        ASSERT_FALSE(parsed) << "parsed, " << parsed->transactions.size() << " transactions";
      }
      continue;
    }
    if (parsed) {
      check_message(*parsed, key, value);
    } else {
      check_error(parsed.error(), key, value);
    }
  }
  if (parsed) check_status_report(*parsed);
}

std::string test_name(const ::testing::TestParamInfo<std::string>& param) {
  std::string name = param.param;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Testdata, CorpusFile, ::testing::ValuesIn(corpus_files()), test_name);

}  // namespace
}  // namespace deltran::iso20022
