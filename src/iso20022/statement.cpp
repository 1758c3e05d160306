#include <deltran/iso20022/statement.hpp>

#include <cstdint>
#include <limits>

#include <deltran/iso20022/identifiers.hpp>
#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

#include "xml_writer.hpp"

namespace deltran::iso20022 {
namespace {

struct Totals {
  size_t credits = 0, debits = 0;
  __int128 credit_sum = 0, debit_sum = 0;
};

std::string decimal(__int128 minor, int exponent) {
  // |minor| fits int64 in every use below (checked by the caller).
  return money::format_amount(static_cast<int64_t>(minor), exponent);
}

void balance(XmlWriter& w, std::string_view type, int64_t minor, std::string_view currency,
             std::string_view date) {
  w.open("Bal");
  w.open("Tp");
  w.open("CdOrPrtry");
  w.text("Cd", type, 4);
  w.close();
  w.close();
  bool in_range = minor > std::numeric_limits<int64_t>::min();
  w.check(in_range, "Amt", "balance out of range");
  w.amount("Amt", minor < 0 && in_range ? -minor : minor, currency);
  w.text("CdtDbtInd", minor < 0 ? "DBIT" : "CRDT", 4);
  w.date_choice("Dt", date);
  w.close();
}

void account(XmlWriter& w, const Statement& s) {
  w.open("Acct");
  w.open("Id");
  if (!s.account_iban.empty()) {
    w.checked_text("IBAN", s.account_iban, 34, is_iban(s.account_iban), "'" + s.account_iban + "' is not a valid IBAN");
  } else {
    w.open("Othr");
    w.text("Id", s.account_other_id, 34);
    w.close();
  }
  w.close();
  w.text("Ccy", s.currency, 3);
  if (!s.account_owner_bic.empty()) {
    w.party_with_bic("Ownr", s.account_owner_name, s.account_owner_bic);
  } else if (!s.account_owner_name.empty()) {
    w.open("Ownr");
    w.text("Nm", s.account_owner_name, 140);
    w.close();
  }
  if (!s.account_servicer_bic.empty()) {
    w.agent("Svcr", s.account_servicer_bic, false, s.account_servicer_name);
  }
  w.close();
}

void summary(XmlWriter& w, const Totals& t, int exponent) {
  __int128 net = t.credit_sum - t.debit_sum;
  w.open("TxsSummry");
  w.open("TtlNtries");
  w.text("NbOfNtries", std::to_string(t.credits + t.debits), 15);
  w.text("Sum", decimal(t.credit_sum + t.debit_sum, exponent), 40);
  w.open("TtlNetNtry");
  w.text("Amt", decimal(net < 0 ? -net : net, exponent), 40);
  w.text("CdtDbtInd", net < 0 ? "DBIT" : "CRDT", 4);
  w.close();
  w.close();
  w.open("TtlCdtNtries");
  w.text("NbOfNtries", std::to_string(t.credits), 15);
  w.text("Sum", decimal(t.credit_sum, exponent), 40);
  w.close();
  w.open("TtlDbtNtries");
  w.text("NbOfNtries", std::to_string(t.debits), 15);
  w.text("Sum", decimal(t.debit_sum, exponent), 40);
  w.close();
  w.close();
}

void references(XmlWriter& w, const StatementEntry& e) {
  if (e.msg_id.empty() && e.pmt_inf_id.empty() && e.instr_id.empty() && e.end_to_end_id.empty() &&
      e.uetr.empty() && e.tx_id.empty()) {
    return;
  }
  w.open("Refs");
  w.optional_text("MsgId", e.msg_id, 35);
  w.optional_text("PmtInfId", e.pmt_inf_id, 35);
  w.optional_text("InstrId", e.instr_id, 35);
  w.optional_text("EndToEndId", e.end_to_end_id, 35);
  if (!e.uetr.empty()) {
    w.checked_text("UETR", e.uetr, 36, is_uetr(e.uetr), "is not a lower-case UUIDv4");
  }
  w.optional_text("TxId", e.tx_id, 35);
  w.close();
}

// The counterparty: the debtor of a credit, the creditor of a debit.
void counterparty(XmlWriter& w, const StatementEntry& e) {
  bool has_party = !e.counterparty_name.empty();
  bool has_account = !e.counterparty_iban.empty() || !e.counterparty_other_account_id.empty();
  if (has_party || has_account) {
    w.open("RltdPties");
    if (has_party) {
      w.open(e.credit ? "Dbtr" : "Cdtr");
      w.open("Pty");
      w.text("Nm", e.counterparty_name, 140);
      w.close();
      w.close();
    }
    if (has_account) {
      w.open(e.credit ? "DbtrAcct" : "CdtrAcct");
      w.open("Id");
      if (!e.counterparty_iban.empty()) {
        w.check(is_iban(e.counterparty_iban), "IBAN",
                "'" + e.counterparty_iban + "' is not a valid IBAN");
        w.text("IBAN", e.counterparty_iban, 34);
      } else {
        w.open("Othr");
        w.text("Id", e.counterparty_other_account_id, 34);
        w.close();
      }
      w.close();
      w.close();
    }
    w.close();
  }
  if (!e.counterparty_agent_bic.empty()) {
    w.open("RltdAgts");
    w.agent(e.credit ? "DbtrAgt" : "CdtrAgt", e.counterparty_agent_bic);
    w.close();
  }
}

void entry(XmlWriter& w, const StatementEntry& e, std::string_view currency) {
  w.open("Ntry");
  w.optional_text("NtryRef", e.entry_ref, 35);
  w.check(e.amount_minor > 0, "Amt", "entry amount must be positive");
  w.amount("Amt", e.amount_minor, currency);
  w.text("CdtDbtInd", e.credit ? "CRDT" : "DBIT", 4);
  w.open("Sts");
  w.text("Cd", e.status, 4);
  w.close();
  if (!e.booking_date.empty()) w.date_choice("BookgDt", e.booking_date);
  if (!e.value_date.empty()) w.date_choice("ValDt", e.value_date);
  w.optional_text("AcctSvcrRef", e.account_servicer_ref, 35);
  w.open("BkTxCd");
  w.open("Domn");
  w.text("Cd", e.domain, 4);
  w.open("Fmly");
  w.text("Cd", e.family.empty() ? (e.credit ? "RCDT" : "ICDT") : e.family, 4);
  w.text("SubFmlyCd", e.sub_family, 4);
  w.close();
  w.close();
  w.close();
  w.open("NtryDtls");
  w.open("TxDtls");
  references(w, e);
  w.amount("Amt", e.amount_minor, currency);
  w.text("CdtDbtInd", e.credit ? "CRDT" : "DBIT", 4);
  counterparty(w, e);
  if (!e.remittance_info.empty()) {
    w.open("RmtInf");
    for (const auto& line : e.remittance_info) w.text("Ustrd", line, 140);
    w.close();
  }
  w.close();
  w.close();
  w.optional_text("AddtlNtryInf", e.additional_info, 500);
  w.close();
}

}  // namespace

namespace {

// Everything but the balances: the checks, then GrpHdr and the report's header elements
// up to Acct. `report` is Stmt or Ntfctn.
Result<Totals> checked_totals(const Statement& s, const money::Currency*& currency) {
  currency = money::find_currency(s.currency);
  if (currency == nullptr) {
    return make_error(ErrorCode::kInvalidArgument,
                      "statement currency '" + s.currency + "' is not an ISO 4217 currency");
  }
  Totals t;
  for (const auto& e : s.entries) {
    if (e.amount_minor <= 0 || e.amount_minor > money::kMaxAmountMinor) {
      return make_error(ErrorCode::kInvalidArgument,
                        "entry " + e.entry_ref + ": amount must be positive");
    }
    (e.credit ? t.credits : t.debits) += 1;
    (e.credit ? t.credit_sum : t.debit_sum) += e.amount_minor;
  }
  if (t.credit_sum + t.debit_sum > money::kMaxAmountMinor) {
    return make_error(ErrorCode::kInvalidArgument, "statement turnover exceeds the largest amount");
  }
  return t;
}

void pagination(XmlWriter& w, std::string_view name) {
  w.open(name);
  w.text("PgNb", "1", 5);
  w.text("LastPgInd", "true", 5);
  w.close();
}

void report_header(XmlWriter& w, const Statement& s, std::string_view report, std::string_view pages) {
  w.open("GrpHdr");
  w.text("MsgId", s.msg_id, 35);
  w.checked_text("CreDtTm", s.creation_date_time, 64, is_iso_date_time(s.creation_date_time), "is not a date-time");
  if (!s.recipient_bic.empty()) {
    w.party_with_bic("MsgRcpt", s.recipient_name, s.recipient_bic);
  } else if (!s.recipient_name.empty()) {
    w.open("MsgRcpt");
    w.text("Nm", s.recipient_name, 140);
    w.close();
  }
  pagination(w, "MsgPgntn");
  w.close();
  w.open(report);
  w.text("Id", s.statement_id, 35);
  pagination(w, pages);
  if (!s.electronic_sequence_number.empty()) {
    w.checked_text("ElctrncSeqNb", s.electronic_sequence_number, 18, is_max15_numeric(s.electronic_sequence_number), "is not a number");
  }
  if (!s.legal_sequence_number.empty()) {
    w.checked_text("LglSeqNb", s.legal_sequence_number, 18, is_max15_numeric(s.legal_sequence_number), "is not a number");
  }
  w.text("CreDtTm", s.creation_date_time, 64);
  if (!s.from_date_time.empty() || !s.to_date_time.empty()) {
    w.check(is_iso_date_time(s.from_date_time) && is_iso_date_time(s.to_date_time), "FrToDt",
            "needs two date-times");
    w.open("FrToDt");
    w.text("FrDtTm", s.from_date_time, 64);
    w.text("ToDtTm", s.to_date_time, 64);
    w.close();
  }
  account(w, s);
}

}  // namespace

Result<std::string> emit_camt053(const Statement& s, Camt053Version) {
  const money::Currency* currency = nullptr;
  auto totals = checked_totals(s, currency);
  if (!totals) return tl::unexpected(totals.error());
  const Totals& t = *totals;
  __int128 expected = static_cast<__int128>(s.opening_balance_minor) + t.credit_sum - t.debit_sum;
  if (expected != s.closing_balance_minor) {
    return make_error(ErrorCode::kInvalidArgument,
                      "closing balance " +
                          money::format_amount(s.closing_balance_minor, currency->exponent) +
                          " is not opening balance plus credits minus debits");
  }
  XmlWriter w;
  w.open("Document", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08");
  w.open("BkToCstmrStmt");
  report_header(w, s, "Stmt", "StmtPgntn");
  balance(w, "OPBD", s.opening_balance_minor, s.currency, s.opening_date);
  balance(w, "CLBD", s.closing_balance_minor, s.currency, s.closing_date);
  summary(w, t, currency->exponent);
  for (const auto& e : s.entries) entry(w, e, s.currency);
  w.close();
  w.close();
  w.close();
  return w.finish();
}

Result<std::string> emit_camt054(const Statement& s) {
  const money::Currency* currency = nullptr;
  auto totals = checked_totals(s, currency);
  if (!totals) return tl::unexpected(totals.error());
  XmlWriter w;
  w.open("Document", "urn:iso:std:iso:20022:tech:xsd:camt.054.001.08");
  w.open("BkToCstmrDbtCdtNtfctn");
  report_header(w, s, "Ntfctn", "NtfctnPgntn");
  summary(w, *totals, currency->exponent);
  for (const auto& e : s.entries) entry(w, e, s.currency);
  w.close();
  w.close();
  w.close();
  return w.finish();
}

}  // namespace deltran::iso20022
