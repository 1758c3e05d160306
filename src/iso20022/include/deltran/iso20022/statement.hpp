#pragma once
// camt.053 bank-to-customer statements from plain structs: an account, opening and closing
// booked balances and the entries between them. Output validates against the official
// camt.053.001.08 XSD; inconsistent input (balances that do not add up, unknown currency,
// over-long text) is refused with kInvalidArgument.
#include <cstdint>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::iso20022 {

enum class Camt053Version { kV08 };  // camt.053.001.08 (CBPR+)

struct StatementEntry {
  int64_t amount_minor = 0;              // positive; the direction is `credit`
  bool credit = true;                    // CRDT (funds in) or DBIT (funds out)
  std::string booking_date, value_date;  // xs:date
  std::string entry_ref, account_servicer_ref;
  std::string status = "BOOK";
  // Bank transaction code (ISO external code sets); an empty family means RCDT for a
  // credit and ICDT for a debit: PMNT / RCDT / XBCT is a received cross-border transfer.
  std::string domain = "PMNT", family, sub_family = "XBCT";
  // Transaction details (one TxDtls per entry), all optional.
  std::string msg_id, pmt_inf_id, instr_id, end_to_end_id, tx_id, uetr;
  std::string counterparty_name, counterparty_iban, counterparty_other_account_id;
  std::string counterparty_agent_bic;
  std::vector<std::string> remittance_info;  // Ustrd lines
  std::string additional_info;               // AddtlNtryInf
};

struct Statement {
  std::string msg_id, creation_date_time;      // GrpHdr
  // GrpHdr/MsgRcpt: the account owner the statement goes to, by name and BIC (optional).
  std::string recipient_name, recipient_bic;
  std::string statement_id;                    // Stmt/Id
  // Stmt/ElctrncSeqNb and LglSeqNb (optional, digits): one statement per account and day
  // numbers the days. Every statement is one page (StmtPgntn 1, last page).
  std::string electronic_sequence_number, legal_sequence_number;
  std::string from_date_time, to_date_time;    // FrToDt, optional (both or neither)
  std::string account_iban, account_other_id;  // one of them
  std::string currency;                        // account and amounts, ISO 4217
  std::string account_owner_name, account_owner_bic;      // Acct/Ownr, optional
  std::string account_servicer_bic, account_servicer_name;  // Acct/Svcr, optional
  int64_t opening_balance_minor = 0;  // signed: negative is a debit balance
  std::string opening_date;
  int64_t closing_balance_minor = 0;  // must equal opening + credits - debits
  std::string closing_date;
  std::vector<StatementEntry> entries;
};

[[nodiscard]] Result<std::string> emit_camt053(const Statement& statement,
                                               Camt053Version version = Camt053Version::kV08);

// camt.054.001.08, a debit/credit notification: the same account, entries and totals as a
// statement (statement_id is the notification's Id), without balances.
[[nodiscard]] Result<std::string> emit_camt054(const Statement& notification);

}  // namespace deltran::iso20022
