#include <deltran/iso20022/status_report.hpp>

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

#include <deltran/iso20022/identifiers.hpp>

#include "text_util.hpp"
#include "xml_writer.hpp"

namespace deltran::iso20022 {
namespace {

constexpr size_t kMaxAddtlInf = 105;  // Max105Text
constexpr int kMaxAddtlInfPieces = 5;
constexpr std::array<std::string_view, 9> kGroupStatus2009 = {
    "ACTC", "RCVD", "PART", "RJCT", "PDNG", "ACCP", "ACSP", "ACSC", "ACWC"};
constexpr std::array<std::string_view, 7> kTxStatus2009 = {"ACTC", "RJCT", "PDNG", "ACCP",
                                                           "ACSP", "ACSC", "ACWC"};

template <size_t N>
bool listed(const std::array<std::string_view, N>& list, std::string_view code) {
  for (auto c : list) {
    if (c == code) return true;
  }
  return false;
}

// Status codes: ExternalPayment*Status1Code (1-4 characters), or the 2009 enumerations.
void status(XmlWriter& w, std::string_view name, std::string_view code, bool v2009, bool group) {
  if (code.empty()) return;
  bool ok = v2009 ? (group ? listed(kGroupStatus2009, code) : listed(kTxStatus2009, code))
                  : is_code(code, 4);
  w.check(ok, name, "'" + std::string(code) + "' is not a status code of this version");
  w.text(name, code, 4);
}

void reasons(XmlWriter& w, const std::vector<StatusReason>& list) {
  for (const auto& r : list) {
    w.open("StsRsnInf");
    if (!r.code.empty()) {
      w.check(is_code(r.code, 4), "Rsn", "'" + r.code + "' is not a reason code");
      w.open("Rsn");
      w.text("Cd", r.code, 4);
      w.close();
    }
    // AddtlInf repeats: a long explanation goes out in 105-character pieces.
    std::string_view rest = r.additional_info;
    for (int piece = 0; piece < kMaxAddtlInfPieces && !rest.empty(); ++piece) {
      std::string chunk = utf8_truncate(rest, kMaxAddtlInf);
      w.text("AddtlInf", chunk, kMaxAddtlInf);
      rest.remove_prefix(chunk.size());
    }
    w.close();
  }
}

void counts_per_status(XmlWriter& w, const std::vector<TransactionStatus>& txs) {
  std::vector<std::pair<std::string, size_t>> counts;  // first-appearance order
  for (const auto& tx : txs) {
    auto it = std::find_if(counts.begin(), counts.end(),
                           [&](const auto& c) { return c.first == tx.status; });
    if (it == counts.end()) {
      counts.emplace_back(tx.status, 1);
    } else {
      ++it->second;
    }
  }
  for (const auto& [code, n] : counts) {
    if (code.empty()) continue;
    w.open("NbOfTxsPerSts");
    w.text("DtldNbOfTxs", std::to_string(n), 15);
    w.text("DtldSts", code, 4);
    w.close();
  }
}

// [OrgnlNbOfTxs] [OrgnlCtrlSum] of the group or of a payment information block.
void original_counts(XmlWriter& w, const std::string& nb_of_txs, const std::string& ctrl_sum) {
  if (!nb_of_txs.empty()) {
    w.checked_text("OrgnlNbOfTxs", nb_of_txs, 15, is_max15_numeric(nb_of_txs), "is not 1 to 15 digits");
  }
  if (!ctrl_sum.empty()) {
    w.checked_text("OrgnlCtrlSum", ctrl_sum, 40, is_decimal_number(ctrl_sum), "is not a DecimalNumber");
  }
}

void original_group(XmlWriter& w, const StatusReport& r, bool v2009) {
  w.text("OrgnlMsgId", r.original_msg_id, 35);
  w.text("OrgnlMsgNmId", r.original_msg_name_id, 35);
  if (!r.original_creation_date_time.empty()) {
    w.checked_text("OrgnlCreDtTm", r.original_creation_date_time, 64, is_iso_date_time(r.original_creation_date_time), "is not a date-time");
  }
  original_counts(w, r.original_nb_of_txs, r.original_ctrl_sum);
  status(w, "GrpSts", r.group_status, v2009, true);
  reasons(w, r.group_reasons);
  counts_per_status(w, r.transactions);
}

void group_header(XmlWriter& w, const StatusReport& r) {
  w.open("GrpHdr");
  w.text("MsgId", r.msg_id, 35);
  w.checked_text("CreDtTm", r.creation_date_time, 64, is_iso_date_time(r.creation_date_time), "is not a date-time");
}

// OrgnlInstrId, OrgnlEndToEndId, [OrgnlTxId], [OrgnlUETR], TxSts, StsRsnInf, AccptncDtTm.
void transaction_body(XmlWriter& w, const TransactionStatus& tx, bool v2009, bool pacs) {
  w.optional_text("OrgnlInstrId", tx.original_instr_id, 35);
  w.optional_text("OrgnlEndToEndId", tx.original_end_to_end_id, 35);
  if (pacs) w.optional_text("OrgnlTxId", tx.original_tx_id, 35);
  if (!v2009 && !tx.original_uetr.empty()) {
    w.checked_text("OrgnlUETR", tx.original_uetr, 36, is_uetr(tx.original_uetr), "is not a lower-case UUIDv4");
  }
  status(w, "TxSts", tx.status, v2009, false);
  reasons(w, tx.reasons);
  if (!tx.acceptance_date_time.empty()) {
    w.checked_text("AccptncDtTm", tx.acceptance_date_time, 64, is_iso_date_time(tx.acceptance_date_time), "is not a date-time");
  }
}

void payment_info(XmlWriter& w, const PaymentInfoStatus& p,
                  const std::vector<TransactionStatus>& txs, bool v2009) {
  w.open("OrgnlPmtInfAndSts");
  w.text("OrgnlPmtInfId", p.original_pmt_inf_id, 35);
  original_counts(w, p.original_nb_of_txs, p.original_ctrl_sum);
  status(w, "PmtInfSts", p.status, v2009, true);
  reasons(w, p.reasons);
  for (const auto& tx : txs) {
    if (tx.pmt_inf_id != p.original_pmt_inf_id) continue;
    w.open("TxInfAndSts");
    transaction_body(w, tx, v2009, false);
    w.close();
  }
  w.close();
}

std::string canonical_decimal(std::string_view text) {
  auto v = parse_scaled_decimal(text);
  return v && v->exact ? format_scaled_decimal(v->value) : std::string(trim_xml_space(text));
}

}  // namespace

Pain002Version pain002_version_for(const MessageHeader& original) {
  return original.type == MessageType::kPain001 && original.version <= 8 ? Pain002Version::kV03
                                                                         : Pain002Version::kV14;
}

std::string derived_group_status(const std::vector<TransactionStatus>& transactions) {
  if (transactions.empty()) return {};
  const std::string& first = transactions.front().status;
  for (const auto& tx : transactions) {
    if (tx.status != first) return "PART";
  }
  return first;
}

StatusReport status_report_for(const ParsedMessage& message, std::string_view report_msg_id,
                               std::string_view creation_date_time,
                               std::string_view accepted_status) {
  const MessageHeader& h = message.header;
  StatusReport r;
  r.msg_id = std::string(report_msg_id);
  r.creation_date_time = std::string(creation_date_time);
  r.original_msg_id = h.msg_id;
  r.original_msg_name_id = h.message_id;
  r.original_creation_date_time = h.creation_date_time;
  r.original_nb_of_txs = h.nb_of_txs;
  if (!h.ctrl_sum.empty()) r.original_ctrl_sum = canonical_decimal(h.ctrl_sum);
  for (const auto& tx : message.transactions) {
    TransactionStatus s;
    s.status = tx.accepted() ? std::string(accepted_status) : "RJCT";
    if (tx.rejection) {
      s.reasons.push_back(StatusReason{tx.rejection->reason_code, tx.rejection->message});
    }
    const Payment& p = tx.payment;
    s.pmt_inf_id = p.pmt_inf_id;
    s.original_instr_id = p.instr_id;
    s.original_end_to_end_id = p.end_to_end_id;
    s.original_tx_id = p.tx_id;
    s.original_uetr = is_uetr(p.uetr) ? p.uetr : std::string{};
    r.transactions.push_back(std::move(s));
  }
  for (const auto& block : message.payment_infos) {
    PaymentInfoStatus p;
    p.original_pmt_inf_id = block.pmt_inf_id;
    p.original_nb_of_txs = block.nb_of_txs;
    if (!block.ctrl_sum.empty()) p.original_ctrl_sum = canonical_decimal(block.ctrl_sum);
    std::vector<TransactionStatus> mine(
        r.transactions.begin() + static_cast<std::ptrdiff_t>(block.first_tx),
        r.transactions.begin() + static_cast<std::ptrdiff_t>(block.first_tx + block.tx_count));
    p.status = derived_group_status(mine);
    r.payment_infos.push_back(std::move(p));
  }
  r.group_status = derived_group_status(r.transactions);
  return r;
}

StatusReport rejection_report_for(const MessageHeader& original, const Rejection& rejection,
                                  std::string_view report_msg_id,
                                  std::string_view creation_date_time) {
  StatusReport r;
  r.msg_id = std::string(report_msg_id);
  r.creation_date_time = std::string(creation_date_time);
  r.original_msg_id = original.msg_id;
  r.original_msg_name_id = original.message_id;
  r.original_creation_date_time = original.creation_date_time;
  r.original_nb_of_txs = original.nb_of_txs;
  if (!original.ctrl_sum.empty()) r.original_ctrl_sum = canonical_decimal(original.ctrl_sum);
  r.group_status = "RJCT";
  std::string info =
      rejection.path.empty() ? rejection.message : rejection.path + ": " + rejection.message;
  r.group_reasons.push_back(StatusReason{rejection.reason_code, std::move(info)});
  return r;
}

Result<std::string> emit_pain002(const StatusReport& r, Pain002Version version) {
  bool v2009 = version == Pain002Version::kV03;
  XmlWriter w;
  w.open("Document", v2009 ? "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03"
                           : "urn:iso:std:iso:20022:tech:xsd:pain.002.001.14");
  w.open("CstmrPmtStsRpt");
  group_header(w, r);
  // These are optional: a BIC the 2009 schema's older pattern cannot carry (digits in
  // the first four characters) is left out rather than failing the report.
  auto fits = [v2009](const std::string& bic) { return !bic.empty() && (!v2009 || is_bic_2009(bic)); };
  if (fits(r.initiating_party_bic)) {
    w.party_with_bic("InitgPty", r.initiating_party_name, r.initiating_party_bic, v2009);
  } else if (!r.initiating_party_name.empty()) {
    w.open("InitgPty");
    w.text("Nm", r.initiating_party_name, 140);
    w.close();
  }
  if (fits(r.debtor_agent_bic)) w.agent("DbtrAgt", r.debtor_agent_bic, v2009);
  w.close();
  w.open("OrgnlGrpInfAndSts");
  original_group(w, r, v2009);
  w.close();
  for (const auto& tx : r.transactions) {
    bool known = std::any_of(r.payment_infos.begin(), r.payment_infos.end(),
                             [&](const auto& p) { return p.original_pmt_inf_id == tx.pmt_inf_id; });
    w.check(known, "OrgnlPmtInfAndSts",
            "transaction " + tx.original_end_to_end_id + " names PmtInf '" + tx.pmt_inf_id +
                "', which is not listed");
  }
  for (const auto& p : r.payment_infos) payment_info(w, p, r.transactions, v2009);
  w.close();
  w.close();
  return w.finish();
}

Result<std::string> emit_pacs002(const StatusReport& r, Pacs002Version version) {
  XmlWriter w;
  w.open("Document", version == Pacs002Version::kV10
                         ? "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.10"
                         : "urn:iso:std:iso:20022:tech:xsd:pacs.002.001.15");
  w.open("FIToFIPmtStsRpt");
  group_header(w, r);
  if (!r.instructing_agent_bic.empty()) {
    w.agent("InstgAgt", r.instructing_agent_bic, false, r.instructing_agent_name);
  }
  if (!r.instructed_agent_bic.empty()) w.agent("InstdAgt", r.instructed_agent_bic);
  w.close();
  if (!r.original_group_per_transaction) {
    w.open("OrgnlGrpInfAndSts");
    original_group(w, r, false);
    w.close();
  }
  for (const auto& tx : r.transactions) {
    w.open("TxInfAndSts");
    if (r.original_group_per_transaction) {
      w.open("OrgnlGrpInf");
      w.text("OrgnlMsgId", r.original_msg_id, 35);
      w.text("OrgnlMsgNmId", r.original_msg_name_id, 35);
      if (!r.original_creation_date_time.empty())
        w.text("OrgnlCreDtTm", r.original_creation_date_time, 64);
      w.close();
    }
    transaction_body(w, tx, false, true);
    if (!tx.instructing_agent_bic.empty()) w.agent("InstgAgt", tx.instructing_agent_bic);
    if (!tx.instructed_agent_bic.empty()) w.agent("InstdAgt", tx.instructed_agent_bic);
    w.close();
  }
  w.close();
  w.close();
  return w.finish();
}

}  // namespace deltran::iso20022
