#pragma once
// The canonical payment model that every supported ISO 20022 version maps into.
// Text is UTF-8 exactly as sent (entities resolved, no trimming of names); amounts are
// int64_t minor units of the ISO 4217 currency, never floating point.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result_code.hpp>
#include <deltran/iso20022/identifiers.hpp>

namespace deltran::iso20022 {

enum class MessageType { kPain001, kPacs008 };
// "pain.001" or "pacs.008".
std::string_view to_string(MessageType type);

// How the message was checked before mapping.
enum class Validation {
  kSchema,      // against the official XSD of its version (or of its base, for a national profile)
  kStructural,  // no XSD for this version: required elements, formats and lengths by the mapper
};

struct PostalAddress {
  std::string care_of, department, sub_department, street_name, building_number, building_name,
      floor, unit_number, post_box, room, post_code, town_name, town_location_name, district_name,
      country_sub_division;                // CareOf and UnitNb exist from the 2024 versions on
  std::string country;                     // ISO 3166 alpha-2
  std::vector<std::string> address_lines;  // AdrLine, unstructured (up to 7)
  bool empty() const;
};

// A debtor or creditor with its account.
struct Party {
  std::string name;
  PostalAddress address;
  std::string country_of_residence;
  std::string any_bic;           // Id/OrgId/AnyBIC (BICOrBEI in 2009 schemas)
  std::string lei;               // Id/OrgId/LEI
  std::string party_id;          // first Id/OrgId/Othr/Id or Id/PrvtId/Othr/Id
  std::string iban;              // account Id/IBAN
  std::string other_account_id;  // account Id/Othr/Id when there is no IBAN
  std::string account_currency;  // account Ccy
};

// One credit transfer, whatever the message and version it came from.
struct Payment {
  std::string msg_id;      // GrpHdr/MsgId
  std::string pmt_inf_id;  // pain.001 PmtInf/PmtInfId; empty for pacs.008
  std::string instr_id, end_to_end_id, tx_id, uetr, clearing_system_ref;
  int64_t amount_minor = 0;  // pain.001 InstdAmt (or EqvtAmt/Amt); pacs.008 IntrBkSttlmAmt
  std::string currency;      // its Ccy attribute
  std::optional<int64_t> instructed_amount_minor;  // pacs.008 InstdAmt, when present
  std::string instructed_currency;
  std::string exchange_rate;  // pacs.008 XchgRate as sent (decimal text), informational
  // The FX contract a cross-currency payment is made at: pain.001 XchgRateInf/CtrctId, or
  // pacs.008 InstrForNxtAgt/InstrInf "/FXQT/<id>" (the rail is the next agent); as sent.
  std::string fx_contract_id;
  Party debtor, creditor;
  std::string ultimate_debtor_name, ultimate_creditor_name;
  std::string debtor_agent_bic, creditor_agent_bic, intermediary_agent_bic;
  // FinInstnId/ClrSysMmbId of the agents, canonical (identifiers.hpp); what routes an agent
  // the message names without a BIC.
  ClearingMember debtor_agent_member, creditor_agent_member;
  std::string instructing_agent_bic, instructed_agent_bic;  // pacs.008 (tx level, else group)
  std::string charge_bearer;  // DEBT, CRED, SHAR or SLEV (tx level, else PmtInf level)
  std::string purpose;        // Purp/Cd, or Purp/Prtry
  std::string category_purpose, service_level, local_instrument;
  std::vector<std::string> remittance_info;        // RmtInf/Ustrd lines
  std::vector<std::string> remittance_references;  // RmtInf/Strd/CdtrRefInf/Ref
  std::string requested_execution_date;            // pain.001 ReqdExctnDt (the date part of DtTm)
  std::string requested_execution_date_time;       // pain.001 ReqdExctnDt/DtTm when that was chosen
  std::string interbank_settlement_date;           // pacs.008 IntrBkSttlmDt (tx level, else group)
  std::string settlement_method;                   // pacs.008 SttlmInf/SttlmMtd
};

// Why a transaction (or a whole message) was refused: an ISO 20022 ExternalStatusReason1Code,
// where it was found (an XPath-like location such as
// /Document/CstmrCdtTrfInitn/PmtInf[1]/CdtTrfTxInf[2]/CdtrAcct/Id/IBAN) and what is wrong.
struct Rejection {
  std::string reason_code;
  std::string path;
  std::string message;
};

struct TransactionResult {
  size_t index = 0;  // 1-based position of the transaction in the message
  // Everything that could be mapped. Authoritative only when accepted(); for a rejected
  // transaction the identifiers are still filled as far as readable (for the status report).
  Payment payment;
  std::optional<Rejection> rejection;
  bool accepted() const { return !rejection.has_value(); }
};

// The business application header (head.001) that travelled beside the Document.
struct AppHeader {
  std::string version;  // e.g. head.001.001.02
  std::string from_bic, to_bic, biz_msg_id, msg_def_id, biz_service, creation_date;
  bool possible_duplicate = false;
};

// pain.001 PmtInf block: transactions [first_tx, first_tx + tx_count) of the message.
struct PaymentInfoBlock {
  std::string pmt_inf_id;
  size_t first_tx = 0;
  size_t tx_count = 0;
  std::string nb_of_txs;  // as sent, may be empty
  std::string ctrl_sum;   // as sent, may be empty
};

struct MessageHeader {
  MessageType type = MessageType::kPain001;
  std::string message_id;     // base version, e.g. pain.001.001.09 (also for a national profile)
  int version = 0;            // 9 for pain.001.001.09
  std::string namespace_uri;  // as sent, e.g. the SIX .ch.02 namespace
  bool national_profile = false;
  std::string msg_id, creation_date_time;
  std::string nb_of_txs;  // as sent
  std::string ctrl_sum;   // as sent (decimal text); empty when absent
  std::optional<AppHeader> app_header;
  Party initiating_party;  // pain.001 GrpHdr/InitgPty (name and ids)
  std::string instructing_agent_bic, instructed_agent_bic;   // pacs.008 GrpHdr
  std::string settlement_method, interbank_settlement_date;  // pacs.008 GrpHdr
  std::string total_interbank_settlement_amount, total_interbank_settlement_currency;
  // Sender of the message: AppHdr/Fr BIC, else pacs.008 instructing agent, else empty.
  std::string sender_bic() const;
};

struct ParsedMessage {
  MessageHeader header;
  Validation validation = Validation::kStructural;
  std::vector<PaymentInfoBlock> payment_infos;  // pain.001 only
  std::vector<TransactionResult> transactions;
  size_t accepted_count() const;
  size_t rejected_count() const { return transactions.size() - accepted_count(); }
};

// ISO 20022 ExternalStatusReason1Code values this library produces: the rail's one table
// of reason codes (core/result_code.hpp).
namespace reason {
using namespace deltran::reason;
}  // namespace reason

}  // namespace deltran::iso20022
