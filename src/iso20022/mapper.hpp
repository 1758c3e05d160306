#pragma once
// Version-tolerant mapping of captured subtrees (Record) into the canonical model, with the
// format rules every version shares: lengths, codes, BIC, IBAN check digits, dates, UETR,
// amounts in the currency's exponent (money::parse_amount). The first problem found is
// returned as a Rejection; mapping goes on best-effort so identifiers still get filled.
#include <optional>
#include <string>
#include <string_view>

#include <deltran/iso20022/model.hpp>

#include "record.hpp"

namespace deltran::iso20022 {

// What a pain.001 PmtInf block gives to each of its transactions.
struct PaymentInfoContext {
  std::string pmt_inf_id, charge_bearer, requested_execution_date, requested_execution_date_time;
  std::string service_level, category_purpose, local_instrument, ultimate_debtor_name;
  Party debtor;
  std::string debtor_agent_bic;
  ClearingMember debtor_agent_member;
  std::optional<Rejection> error;  // a problem in the block header rejects all its transactions
};

std::optional<Rejection> map_group_header(MessageType type, const Record& group,
                                          MessageHeader& out);
std::optional<Rejection> map_app_header(const Record& header, AppHeader& out);
PaymentInfoContext map_payment_info(const Record& pmt_inf);
std::optional<Rejection> map_pain001_transaction(const Record& tx, const PaymentInfoContext& block,
                                                 Payment& out);
// `group` is the sealed GrpHdr record (fallbacks for PmtTpInf), `header` its mapping.
std::optional<Rejection> map_pacs008_transaction(const Record& tx, const Record& group,
                                                 const MessageHeader& header, Payment& out);

// The reason code for a problem with an element of this name: RC01 for BICs, AC01 for
// IBANs, AM12 for amounts, AM03 for currencies, DT01 for dates, FF01 otherwise.
std::string_view reason_for_element(std::string_view local_name);

}  // namespace deltran::iso20022
