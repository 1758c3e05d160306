#include "mapper.hpp"

#include <initializer_list>
#include <utility>
#include <vector>

#include <deltran/iso20022/identifiers.hpp>
#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

#include "text_util.hpp"

namespace deltran::iso20022 {
namespace {

std::string join(std::string_view a, std::string_view b) {
  std::string s;
  s.reserve(a.size() + b.size());
  s += a;
  s += b;
  return s;
}

std::string_view last_name(std::string_view key) {
  size_t cut = key.find_last_of("/@");
  return cut == std::string_view::npos ? key : key.substr(cut + 1);
}

// Reads and checks the leaves of one Record; keeps the first problem as a Rejection.
class Fields {
 public:
  explicit Fields(const Record& record) : record_(record) {}

  std::optional<Rejection> take_error() { return std::move(error_); }
  const Leaf* leaf(std::string_view key) const { return record_.find(key); }
  bool has_below(std::string_view prefix) const { return record_.has_below(prefix); }

  void reject(std::string_view reason, std::string_view relative_path, std::string message) {
    if (error_) return;
    std::string path = record_.root_path();
    if (!relative_path.empty()) path += "/" + std::string(relative_path);
    error_ = Rejection{std::string(reason), std::move(path), std::move(message)};
  }
  void missing(std::string_view key) {
    reject(reason::kInvalidFileFormat, key, std::string(last_name(key)) + " is missing");
  }

  // Free text as sent, 1..max_chars characters.
  std::string text(std::string_view key, size_t max_chars, bool required = false) {
    const Leaf* l = leaf(key);
    if (l == nullptr) {
      if (required) missing(key);
      return {};
    }
    size_t n = utf8_length(l->value);
    if (n == 0 || n > max_chars) {
      reject(reason_for_element(last_name(key)), l->path,
             std::string(last_name(key)) + " must have 1 to " + std::to_string(max_chars) +
                 " characters, has " + std::to_string(n));
    }
    return l->value;
  }
  // A code or identifier without surrounding white space.
  std::string token(std::string_view key, size_t max_chars, bool required = false) {
    const Leaf* l = leaf(key);
    if (l == nullptr) {
      if (required) missing(key);
      return {};
    }
    std::string_view value = trim_xml_space(l->value);
    if (value.empty() || value.size() > max_chars) {
      reject(reason_for_element(last_name(key)), l->path,
             std::string(last_name(key)) + " must have 1 to " + std::to_string(max_chars) +
                 " characters");
    }
    return std::string(value);
  }
  std::string first_token(std::initializer_list<std::string_view> keys, size_t max_chars) {
    for (std::string_view key : keys) {
      if (leaf(key) != nullptr) return token(key, max_chars);
    }
    return {};
  }
  std::string one_of(std::string_view key, std::initializer_list<std::string_view> allowed,
                     bool required = false) {
    std::string value = token(key, 4, required);
    if (value.empty()) return value;
    for (std::string_view a : allowed) {
      if (value == a) return value;
    }
    reject(reason::kInvalidFileFormat, leaf(key)->path,
           std::string(last_name(key)) + " '" + value + "' is not an allowed code");
    return value;
  }
  template <typename Check>
  std::string checked(std::string_view key, bool required, std::string_view reason, Check ok,
                      std::string_view what) {
    const Leaf* l = leaf(key);
    if (l == nullptr) {
      if (required) missing(key);
      return {};
    }
    std::string value(trim_xml_space(l->value));
    if (!ok(value)) {
      reject(reason, l->path,
             std::string(last_name(key)) + " '" + utf8_truncate(value, 40) + "' is not " +
                 std::string(what));
    }
    return value;
  }
  std::string bic(std::string_view key) {
    return checked(key, false, reason::kBankIdentifierIncorrect, is_bic, "a valid BIC");
  }
  // FinInstnId/BICFI (2013+ schemas) or FinInstnId/BIC (2009 schemas).
  std::string agent_bic(std::string_view agent, bool required = false) {
    std::string bicfi = join(agent, "/FinInstnId/BICFI");
    if (leaf(bicfi) != nullptr) return bic(bicfi);
    std::string old = join(agent, "/FinInstnId/BIC");
    if (leaf(old) != nullptr) return bic(old);
    if (required && !has_below(agent)) missing(agent);
    return {};
  }
  // FinInstnId/ClrSysMmbId: the system (ClrSysId/Cd, or Prtry) and MmbId, canonical. It
  // routes only an agent without a BIC: there a malformed id rejects the transaction with
  // `reason`; beside a BIC it is left out.
  ClearingMember agent_member(std::string_view agent, bool has_bic, std::string_view reason) {
    std::string base = join(agent, "/FinInstnId/ClrSysMmbId");
    const Leaf* id = leaf(join(base, "/MmbId"));
    if (id == nullptr) return {};
    const Leaf* code = leaf(join(base, "/ClrSysId/Cd"));
    if (code == nullptr) code = leaf(join(base, "/ClrSysId/Prtry"));
    auto member = normalize_clearing_member(code != nullptr ? std::string_view(code->value) : std::string_view{}, id->value);
    if (!member) {
      if (!has_bic) reject(reason, id->path, member.error().message);
      return {};
    }
    return *member;
  }
  std::string iban(std::string_view key) {
    const Leaf* l = leaf(key);
    if (l == nullptr) return {};
    std::string value(trim_xml_space(l->value));
    if (!looks_like_iban(value)) {
      reject(reason::kIncorrectAccountNumber, l->path,
             "'" + utf8_truncate(value, 40) + "' is not an IBAN");
    } else if (!is_iban(value)) {
      reject(reason::kIncorrectAccountNumber, l->path, "IBAN " + value + " has wrong check digits");
    }
    return value;
  }
  std::string country(std::string_view key) {
    return checked(key, false, reason::kInvalidFileFormat, is_country_code, "a country code");
  }
  std::string date(std::string_view key, bool required = false) {
    return checked(key, required, reason::kInvalidDate, is_iso_date, "a valid date (YYYY-MM-DD)");
  }
  std::string date_time(std::string_view key, bool required = false) {
    return checked(key, required, reason::kInvalidDate, is_iso_date_time, "a valid date and time");
  }
  std::string uetr(std::string_view key) {
    return checked(key, false, reason::kInvalidFileFormat, is_uetr, "a lower-case UUIDv4 UETR");
  }
  std::string digits(std::string_view key, bool required = false) {
    auto ok = [](std::string_view v) {
      if (v.empty() || v.size() > 15) return false;
      for (char c : v) {
        if (c < '0' || c > '9') return false;
      }
      return true;
    };
    return checked(key, required, reason::kInvalidFileFormat, ok, "1 to 15 digits");
  }
  std::string decimal(std::string_view key) {
    auto ok = [](std::string_view v) { return parse_scaled_decimal(v).has_value(); };
    return checked(key, false, reason::kInvalidFileFormat, ok, "a non-negative decimal number");
  }
  // Every occurrence of a repeatable text element, each 1..max_chars, at most max_count.
  std::vector<std::string> texts(std::string_view key, size_t max_chars, size_t max_count) {
    std::vector<std::string> out;
    record_.for_each(key, [&](const Leaf& l) {
      size_t n = utf8_length(l.value);
      if (n == 0 || n > max_chars) {
        reject(reason::kInvalidFileFormat, l.path,
               std::string(last_name(key)) + " must have 1 to " + std::to_string(max_chars) +
                   " characters, has " + std::to_string(n));
      }
      if (out.size() == max_count) {
        reject(reason::kInvalidFileFormat, l.path,
               "more than " + std::to_string(max_count) + " " + std::string(last_name(key)));
      }
      out.push_back(l.value);
    });
    return out;
  }
  // An amount element with its Ccy attribute, in minor units of that currency.
  bool amount(std::string_view key, int64_t& minor, std::string& currency, bool required = false);

 private:
  const Record& record_;
  std::optional<Rejection> error_;
};

bool Fields::amount(std::string_view key, int64_t& minor, std::string& currency, bool required) {
  const Leaf* l = leaf(key);
  if (l == nullptr) {
    if (required) missing(key);
    return false;
  }
  const Leaf* c = leaf(join(key, "@Ccy"));
  if (c == nullptr) {
    reject(reason::kInvalidFileFormat, l->path,
           "Ccy attribute of " + std::string(last_name(key)) + " is missing");
    return false;
  }
  currency = std::string(trim_xml_space(c->value));
  const money::Currency* info = money::find_currency(currency);
  if (info == nullptr) {
    reject(reason::kNotAllowedCurrency, c->path,
           "currency '" + utf8_truncate(currency, 10) + "' is not an active ISO 4217 currency");
    return false;
  }
  auto parsed =
      money::parse_amount(normalize_amount_text(l->value, info->exponent), info->exponent);
  if (!parsed) {
    reject(reason::kInvalidAmount, l->path,
           "amount '" + utf8_truncate(trim_xml_space(l->value), 40) + "' " + currency + ": " +
               parsed.error().message);
    return false;
  }
  if (*parsed == 0) reject(reason::kZeroAmount, l->path, "amount is zero");
  minor = *parsed;
  return true;
}

void read_address(Fields& f, std::string_view prefix, PostalAddress& a) {
  auto t = [&](std::string_view name, size_t max) { return f.text(join(prefix, name), max); };
  a.care_of = t("/CareOf", 140);
  a.department = t("/Dept", 70);
  a.sub_department = t("/SubDept", 70);
  a.street_name = t("/StrtNm", 140);
  a.building_number = t("/BldgNb", 16);
  a.building_name = t("/BldgNm", 140);
  a.floor = t("/Flr", 70);
  a.unit_number = t("/UnitNb", 16);
  a.post_box = t("/PstBx", 16);
  a.room = t("/Room", 70);
  a.post_code = t("/PstCd", 16);
  a.town_name = t("/TwnNm", 140);
  a.town_location_name = t("/TwnLctnNm", 140);
  a.district_name = t("/DstrctNm", 140);
  a.country_sub_division = t("/CtrySubDvsn", 35);
  a.country = f.country(join(prefix, "/Ctry"));
  a.address_lines = f.texts(join(prefix, "/AdrLine"), 70, 7);
}

// A party (Nm, PstlAdr, Id, CtryOfRes) and, when `account` is given, its CashAccount.
Party read_party(Fields& f, std::string_view party, std::string_view account) {
  Party p;
  p.name = f.text(join(party, "/Nm"), 140);
  read_address(f, join(party, "/PstlAdr"), p.address);
  p.country_of_residence = f.country(join(party, "/CtryOfRes"));
  std::string any_bic = join(party, "/Id/OrgId/AnyBIC");
  std::string old_bic = join(party, "/Id/OrgId/BICOrBEI");
  p.any_bic = f.leaf(any_bic) != nullptr ? f.bic(any_bic) : f.bic(old_bic);
  p.lei = f.token(join(party, "/Id/OrgId/LEI"), 20);
  p.party_id =
      f.first_token({join(party, "/Id/OrgId/Othr/Id"), join(party, "/Id/PrvtId/Othr/Id")}, 35);
  if (!account.empty()) {
    p.iban = f.iban(join(account, "/Id/IBAN"));
    p.other_account_id = f.token(join(account, "/Id/Othr/Id"), 34);
    p.account_currency = f.token(join(account, "/Ccy"), 3);
  }
  return p;
}

std::string code_or_proprietary(Fields& f, std::string_view prefix) {
  return f.first_token({join(prefix, "/Cd"), join(prefix, "/Prtry")}, 35);
}

void read_remittance(Fields& f, Payment& out) {
  out.remittance_info = f.texts("RmtInf/Ustrd", 140, 1000);
  out.remittance_references = f.texts("RmtInf/Strd/CdtrRefInf/Ref", 35, 1000);
}

}  // namespace

std::string_view reason_for_element(std::string_view name) {
  if (name == "BIC" || name == "BICFI" || name == "AnyBIC" || name == "BICOrBEI") {
    return reason::kBankIdentifierIncorrect;
  }
  if (name == "IBAN") return reason::kIncorrectAccountNumber;
  if (name == "Ccy" || name == "CcyOfTrf") return reason::kNotAllowedCurrency;
  if (name == "InstdAmt" || name == "IntrBkSttlmAmt" || name == "TtlIntrBkSttlmAmt" ||
      name == "Amt") {
    return reason::kInvalidAmount;
  }
  if (name.ends_with("Dt") || name.ends_with("DtTm")) return reason::kInvalidDate;
  return reason::kInvalidFileFormat;
}

std::optional<Rejection> map_group_header(MessageType type, const Record& group,
                                          MessageHeader& out) {
  Fields f(group);
  out.msg_id = f.text("MsgId", 35, true);
  out.creation_date_time = f.date_time("CreDtTm", true);
  out.nb_of_txs = f.digits("NbOfTxs", true);
  out.ctrl_sum = f.decimal("CtrlSum");
  if (type == MessageType::kPain001) {
    out.initiating_party = read_party(f, "InitgPty", {});
    return f.take_error();
  }
  out.settlement_method = f.one_of("SttlmInf/SttlmMtd", {"INDA", "INGA", "COVE", "CLRG"}, true);
  out.instructing_agent_bic = f.agent_bic("InstgAgt");
  out.instructed_agent_bic = f.agent_bic("InstdAgt");
  out.interbank_settlement_date = f.date("IntrBkSttlmDt");
  int64_t total = 0;
  if (f.amount("TtlIntrBkSttlmAmt", total, out.total_interbank_settlement_currency)) {
    out.total_interbank_settlement_amount = f.token("TtlIntrBkSttlmAmt", 40);
  }
  return f.take_error();
}

std::optional<Rejection> map_app_header(const Record& header, AppHeader& out) {
  Fields f(header);
  out.from_bic = f.agent_bic("Fr/FIId");
  out.to_bic = f.agent_bic("To/FIId");
  out.biz_msg_id = f.text("BizMsgIdr", 35, true);
  out.msg_def_id = f.token("MsgDefIdr", 35, true);
  out.biz_service = f.text("BizSvc", 35);
  out.creation_date = f.date_time("CreDt", true);
  std::string duplicate = f.token("PssblDplct", 5);
  out.possible_duplicate = duplicate == "true" || duplicate == "1";
  return f.take_error();
}

PaymentInfoContext map_payment_info(const Record& pmt_inf) {
  Fields f(pmt_inf);
  PaymentInfoContext c;
  c.pmt_inf_id = f.text("PmtInfId", 35, true);
  std::string method = f.one_of("PmtMtd", {"TRF", "TRA", "CHK"}, true);
  if (method == "CHK") {
    f.reject(reason::kTransactionNotSupported, "PmtMtd",
             "cheque payments (PmtMtd CHK) are not supported");
  }
  f.digits("NbOfTxs");
  f.decimal("CtrlSum");
  if (f.leaf("ReqdExctnDt/DtTm") != nullptr) {
    c.requested_execution_date_time = f.date_time("ReqdExctnDt/DtTm");
    c.requested_execution_date = c.requested_execution_date_time.substr(0, 10);
  } else if (f.leaf("ReqdExctnDt/Dt") != nullptr) {
    c.requested_execution_date = f.date("ReqdExctnDt/Dt");  // 2019+ DateAndDateTime2Choice
  } else {
    c.requested_execution_date = f.date("ReqdExctnDt", true);  // 2009 schemas: plain ISODate
  }
  if (!f.has_below("Dbtr") && f.leaf("Dbtr") == nullptr) f.missing("Dbtr");
  c.debtor = read_party(f, "Dbtr", "DbtrAcct");
  c.debtor_agent_bic = f.agent_bic("DbtrAgt", true);
  c.debtor_agent_member = f.agent_member("DbtrAgt", !c.debtor_agent_bic.empty(), reason::kInvalidDebtorClearingMemberId);
  c.ultimate_debtor_name = f.text("UltmtDbtr/Nm", 140);
  c.charge_bearer = f.one_of("ChrgBr", {"DEBT", "CRED", "SHAR", "SLEV"});
  c.service_level = code_or_proprietary(f, "PmtTpInf/SvcLvl");
  c.local_instrument = code_or_proprietary(f, "PmtTpInf/LclInstrm");
  c.category_purpose = code_or_proprietary(f, "PmtTpInf/CtgyPurp");
  c.error = f.take_error();
  return c;
}

std::optional<Rejection> map_pain001_transaction(const Record& tx, const PaymentInfoContext& block,
                                                 Payment& out) {
  Fields f(tx);
  out.pmt_inf_id = block.pmt_inf_id;
  out.instr_id = f.text("PmtId/InstrId", 35);
  out.end_to_end_id = f.text("PmtId/EndToEndId", 35, true);
  out.uetr = f.uetr("PmtId/UETR");
  if (f.leaf("Amt/EqvtAmt/Amt") != nullptr) {
    f.amount("Amt/EqvtAmt/Amt", out.amount_minor, out.currency);
    out.instructed_currency = f.token("Amt/EqvtAmt/CcyOfTrf", 3, true);
  } else {
    f.amount("Amt/InstdAmt", out.amount_minor, out.currency, true);
  }
  out.fx_contract_id = std::string(trim_xml_space(f.text("XchgRateInf/CtrctId", 35)));
  out.charge_bearer = f.one_of("ChrgBr", {"DEBT", "CRED", "SHAR", "SLEV"});
  if (out.charge_bearer.empty()) out.charge_bearer = block.charge_bearer;
  out.service_level = code_or_proprietary(f, "PmtTpInf/SvcLvl");
  if (out.service_level.empty()) out.service_level = block.service_level;
  out.local_instrument = code_or_proprietary(f, "PmtTpInf/LclInstrm");
  if (out.local_instrument.empty()) out.local_instrument = block.local_instrument;
  out.category_purpose = code_or_proprietary(f, "PmtTpInf/CtgyPurp");
  if (out.category_purpose.empty()) out.category_purpose = block.category_purpose;
  out.debtor = block.debtor;
  out.debtor_agent_bic = block.debtor_agent_bic;
  out.debtor_agent_member = block.debtor_agent_member;
  out.ultimate_debtor_name = f.text("UltmtDbtr/Nm", 140);
  if (out.ultimate_debtor_name.empty()) out.ultimate_debtor_name = block.ultimate_debtor_name;
  out.intermediary_agent_bic = f.agent_bic("IntrmyAgt1");
  out.creditor_agent_bic = f.agent_bic("CdtrAgt");
  out.creditor_agent_member = f.agent_member("CdtrAgt", !out.creditor_agent_bic.empty(), reason::kInvalidCreditorClearingMemberId);
  out.creditor = read_party(f, "Cdtr", "CdtrAcct");
  out.ultimate_creditor_name = f.text("UltmtCdtr/Nm", 140);
  out.purpose = code_or_proprietary(f, "Purp");
  read_remittance(f, out);
  out.requested_execution_date = block.requested_execution_date;
  out.requested_execution_date_time = block.requested_execution_date_time;
  return f.take_error();
}

std::optional<Rejection> map_pacs008_transaction(const Record& tx, const Record& group,
                                                 const MessageHeader& header, Payment& out) {
  Fields f(tx);
  Fields g(group);  // already checked by map_group_header
  out.instr_id = f.text("PmtId/InstrId", 35);
  out.end_to_end_id = f.text("PmtId/EndToEndId", 35, true);
  out.tx_id = f.text("PmtId/TxId", 35);
  out.uetr = f.uetr("PmtId/UETR");
  out.clearing_system_ref = f.text("PmtId/ClrSysRef", 35);
  f.amount("IntrBkSttlmAmt", out.amount_minor, out.currency, true);
  int64_t instructed = 0;
  if (f.amount("InstdAmt", instructed, out.instructed_currency))
    out.instructed_amount_minor = instructed;
  out.exchange_rate = f.token("XchgRate", 40);
  // As many instructions as the schema allows (unbounded); /FXQT/ names the quote, and two
  // different ones are refused.
  for (const std::string& line : f.texts("InstrForNxtAgt/InstrInf", 140, SIZE_MAX)) {
    const std::string_view text = trim_xml_space(line);
    if (text.rfind("/FXQT/", 0) != 0) continue;
    const std::string id(trim_xml_space(text.substr(6)));
    if (!out.fx_contract_id.empty() && out.fx_contract_id != id) {
      f.reject(reason::kNarrative, "InstrForNxtAgt", "two /FXQT/ instructions name different quotes");
      break;
    }
    out.fx_contract_id = id;
  }
  out.charge_bearer = f.one_of("ChrgBr", {"DEBT", "CRED", "SHAR", "SLEV"}, true);
  out.interbank_settlement_date = f.date("IntrBkSttlmDt");
  if (out.interbank_settlement_date.empty())
    out.interbank_settlement_date = header.interbank_settlement_date;
  out.settlement_method = header.settlement_method;
  out.instructing_agent_bic = f.agent_bic("InstgAgt");
  if (out.instructing_agent_bic.empty()) out.instructing_agent_bic = header.instructing_agent_bic;
  out.instructed_agent_bic = f.agent_bic("InstdAgt");
  if (out.instructed_agent_bic.empty()) out.instructed_agent_bic = header.instructed_agent_bic;
  out.service_level = code_or_proprietary(f, "PmtTpInf/SvcLvl");
  if (out.service_level.empty()) out.service_level = code_or_proprietary(g, "PmtTpInf/SvcLvl");
  out.local_instrument = code_or_proprietary(f, "PmtTpInf/LclInstrm");
  if (out.local_instrument.empty())
    out.local_instrument = code_or_proprietary(g, "PmtTpInf/LclInstrm");
  out.category_purpose = code_or_proprietary(f, "PmtTpInf/CtgyPurp");
  if (out.category_purpose.empty())
    out.category_purpose = code_or_proprietary(g, "PmtTpInf/CtgyPurp");
  out.ultimate_debtor_name = f.text("UltmtDbtr/Nm", 140);
  if (!f.has_below("Dbtr") && f.leaf("Dbtr") == nullptr) f.missing("Dbtr");
  out.debtor = read_party(f, "Dbtr", "DbtrAcct");
  out.debtor_agent_bic = f.agent_bic("DbtrAgt", true);
  out.debtor_agent_member = f.agent_member("DbtrAgt", !out.debtor_agent_bic.empty(), reason::kInvalidDebtorClearingMemberId);
  out.intermediary_agent_bic = f.agent_bic("IntrmyAgt1");
  out.creditor_agent_bic = f.agent_bic("CdtrAgt", true);
  out.creditor_agent_member = f.agent_member("CdtrAgt", !out.creditor_agent_bic.empty(), reason::kInvalidCreditorClearingMemberId);
  if (!f.has_below("Cdtr") && f.leaf("Cdtr") == nullptr) f.missing("Cdtr");
  out.creditor = read_party(f, "Cdtr", "CdtrAcct");
  out.ultimate_creditor_name = f.text("UltmtCdtr/Nm", 140);
  out.purpose = code_or_proprietary(f, "Purp");
  read_remittance(f, out);
  return f.take_error();
}

}  // namespace deltran::iso20022
