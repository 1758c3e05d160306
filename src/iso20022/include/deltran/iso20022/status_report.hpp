#pragma once
// pain.002 (customer payment status report) and pacs.002 (FI to FI payment status report)
// from plain structs. Output is UTF-8 XML that validates against the official XSD of the
// chosen version; inputs that would break that (lengths, codes, BIC or UETR formats,
// control characters) are refused with kInvalidArgument naming the field.
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/iso20022/model.hpp>

namespace deltran::iso20022 {

enum class Pain002Version { kV03, kV14 };  // pain.002.001.03 (2009) or .14 (2024)
enum class Pacs002Version { kV10, kV15 };  // pacs.002.001.10 (CBPR+) or .15 (2025)
inline constexpr Pain002Version kDefaultPain002 = Pain002Version::kV14;
inline constexpr Pacs002Version kDefaultPacs002 = Pacs002Version::kV10;
// pain.002.001.03 for pain.001.001.03 .. .08 (the 2009-2018 generation), else .14.
Pain002Version pain002_version_for(const MessageHeader& original);

struct StatusReason {
  std::string code;             // ExternalStatusReason1Code, e.g. AM04
  std::string additional_info;  // AddtlInf: emitted in pieces of 105 characters, at most 5
};

struct TransactionStatus {
  std::string
      status;  // ACTC, ACCP, ACSP, ACSC, ACWC, PDNG or RJCT (pain.002.001.03 allows only these)
  std::vector<StatusReason> reasons;
  std::string pmt_inf_id;  // pain.002: the PmtInf block it belongs to
  std::string original_instr_id, original_end_to_end_id, original_tx_id, original_uetr;
  std::string acceptance_date_time;                         // AccptncDtTm, optional
  std::string instructing_agent_bic, instructed_agent_bic;  // pacs.002, optional
};

struct PaymentInfoStatus {  // pain.002 OrgnlPmtInfAndSts
  std::string original_pmt_inf_id;
  std::string status;  // PmtInfSts, optional (ACCP, PART, RJCT ...)
  std::vector<StatusReason> reasons;
  std::string original_nb_of_txs, original_ctrl_sum;
};

struct StatusReport {
  std::string msg_id;              // of this report
  std::string creation_date_time;  // xs:dateTime, e.g. format_rfc3339(clock.now_us())
  std::string original_msg_id, original_msg_name_id, original_creation_date_time;
  std::string original_nb_of_txs, original_ctrl_sum;
  std::string group_status;  // GrpSts, optional; PART when statuses are mixed
  std::vector<StatusReason> group_reasons;
  // pain.002 GrpHdr/InitgPty: who reports (the rail), by name and BIC; optional in the
  // schema, but back-office readers and client libraries expect it.
  std::string initiating_party_name, initiating_party_bic;
  std::string debtor_agent_bic;                             // pain.002 GrpHdr/DbtrAgt, optional
  std::string instructing_agent_bic, instructed_agent_bic;  // pacs.002 GrpHdr, optional
  std::string instructing_agent_name;                       // pacs.002 GrpHdr/InstgAgt/Nm
  // pacs.002: put OrgnlGrpInf in every TxInfAndSts and leave out OrgnlGrpInfAndSts, as the
  // CBPR+ usage guideline does.
  bool original_group_per_transaction = false;
  std::vector<PaymentInfoStatus> payment_infos;  // pain.002; each tx goes under its pmt_inf_id
  std::vector<TransactionStatus> transactions;
};

// A report for a parsed message: accepted transactions get `accepted_status` (ACTC:
// technically valid, the rail decides later), rejected ones RJCT with their reason; group
// and PmtInf statuses are derived (all equal: that status; mixed: PART).
StatusReport status_report_for(const ParsedMessage& message, std::string_view report_msg_id,
                               std::string_view creation_date_time,
                               std::string_view accepted_status = "ACTC");
// A group rejection (GrpSts RJCT) for a message that parse_message refused as a whole.
StatusReport rejection_report_for(const MessageHeader& original, const Rejection& rejection,
                                  std::string_view report_msg_id,
                                  std::string_view creation_date_time);
// The status shared by all, or PART when they differ; empty for no statuses.
std::string derived_group_status(const std::vector<TransactionStatus>& transactions);

[[nodiscard]] Result<std::string> emit_pain002(const StatusReport& report,
                                               Pain002Version version = kDefaultPain002);
[[nodiscard]] Result<std::string> emit_pacs002(const StatusReport& report,
                                               Pacs002Version version = kDefaultPacs002);

}  // namespace deltran::iso20022
