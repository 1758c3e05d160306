// ISO 20022 over HTTP: pain.001 and pacs.008 in, pain.002 / pacs.002 out, camt.053
// statements. A message's transactions take exactly the JSON path: the same validation of
// agents, the same engine commands, idempotency and results.
#include <algorithm>
#include <atomic>

#include <deltran/core/crypto.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/fx/rates.hpp>
#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/schema_set.hpp>
#include <deltran/iso20022/statement.hpp>
#include <deltran/iso20022/status_report.hpp>
#include <deltran/money/currency.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {



namespace {

Response xml_response(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = "application/xml; charset=utf-8";
  r.body = std::move(body);
  return r;
}

std::string report_id() {
  // MsgId is Max35Text: "DT" and 32 hex digits of a UUID.
  std::string id = new_uuid_v4();
  id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
  return "DT" + id;
}

std::string join_lines(const std::vector<std::string>& lines, size_t max) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += ' ';
    out += l;
  }
  if (out.size() > max) out.resize(max);
  return out;
}

std::string account_of(const iso20022::Party& p) { return p.iban.empty() ? p.other_account_id : p.iban; }

// The ISO status of what the core answered for one transaction.
iso20022::TransactionStatus status_of_reply(const Reply& r) {
  iso20022::TransactionStatus t;
  const auto* p = std::get_if<engine::PaymentResult>(&r.body);
  if (p != nullptr && p->status == model::PaymentStatus::kQueued) {
    t.status = "ACSP";  // accepted, settlement in process (in a window)
  } else if (p != nullptr && p->status == model::PaymentStatus::kSettled) {
    t.status = "ACSC";
  } else if (p != nullptr && p->status == model::PaymentStatus::kHeld) {
    t.status = "PDNG";
    t.reasons.push_back({std::string(reason::kNarrative), "held for compliance review"});
  } else {
    t.status = "RJCT";
    const Rc rc = p != nullptr ? p->rc : r.rc;
    std::string_view code = iso_reason(rc);
    if (code.empty() || http_status(rc) == 503) code = reason::kNarrative;
    t.reasons.push_back({std::string(code), p != nullptr && !p->reason_text.empty() ? p->reason_text : r.message});
  }
  return t;
}

// The outcome for a message refused as a whole, by the reason the parser gave.
Rc rc_of_iso_rejection(std::string_view reason_code) {
  for (Rc rc : {Rc::kInvalidControlSum, Rc::kInvalidNumberOfTransactions, Rc::kInvalidAmount, Rc::kUnknownCurrency,
                Rc::kZeroAmount, Rc::kInvalidBic, Rc::kInvalidAccount, Rc::kInvalidDate, Rc::kDuplicateInMessage}) {
    if (iso_reason(rc) == reason_code) return rc;
  }
  return Rc::kInvalidMessage;
}

}  // namespace

void Api::Impl::post_iso(Call& c, iso20022::MessageType type) {
  Request& req = c.req;
  const Principal& who = c.who;
  Respond respond = std::move(c.respond);
  std::string_view ct = req.header("content-type");
  if (!ct.empty() && ct.find("xml") == std::string_view::npos) {
    return respond(error_response(ApiError{Rc::kUnsupportedMediaType, "Content-Type must be application/xml"}));
  }
  iso20022::ParseOptions options;
  options.schemas = settings.schemas.get();
  options.expected_type = type;
  const std::string now = format_rfc3339(clock.now_us());
  auto parsed = iso20022::parse_message(req.body, options);
  const bool pain = type == iso20022::MessageType::kPain001;
  // Who reports to whom, as back offices expect to read it: the rail is the pain.002's
  // initiating party and the pacs.002's instructing agent; the sender is the pain.002's
  // debtor agent and the pacs.002's instructed agent.
  // debtor agent and the pacs.002's instructed agent. An operator sending on a bank's
  // behalf reports to the agent the message names.
  auto emit = [pain, rail_bic = settings.rail_bic, rail_name = settings.rail_name, sender = who.bank](
                  iso20022::StatusReport report, const iso20022::MessageHeader& original,
                  const std::string& first_debtor_agent) {
    std::string to = sender;
    if (to.empty()) to = normalize_bic(original.instructing_agent_bic);
    if (to.empty()) to = first_debtor_agent;
    if (pain) {
      report.initiating_party_name = rail_name;
      report.initiating_party_bic = rail_bic;
      report.debtor_agent_bic = to;
      return iso20022::emit_pain002(report, iso20022::pain002_version_for(original));
    }
    report.instructing_agent_bic = rail_bic;
    report.instructing_agent_name = rail_name;
    report.instructed_agent_bic = to;
    return iso20022::emit_pacs002(report);
  };
  if (!parsed) {
    // Refused as a whole: a group rejection when the header can be read, else JSON.
    iso20022::Rejection why = iso20022::rejection_of(parsed.error());
    auto header = iso20022::read_header(req.body, options.limits);
    if (header && header->type == type) {
      auto report = iso20022::rejection_report_for(*header, why, report_id(), now);
      if (auto xml = emit(report, *header, std::string{})) return respond(xml_response(400, std::move(*xml)));
    }
    int status = parsed.error().code == ErrorCode::kResourceExhausted ? 413 : 400;
    return respond(error_response(ApiError{status == 413 ? Rc::kBodyTooLarge : rc_of_iso_rejection(why.reason_code),
                                           why.path.empty() ? why.message : why.path + ": " + why.message}));
  }
  auto message = std::make_shared<iso20022::ParsedMessage>(std::move(*parsed));
  // Each accepted transaction becomes the same command a JSON transfer becomes.
  std::vector<engine::Command> commands;
  std::vector<size_t> command_tx;  // command i → transaction index
  auto report = std::make_shared<iso20022::StatusReport>(
      iso20022::status_report_for(*message, report_id(), now, "ACTC"));
  auto view = core.view();
  std::string first_debtor_agent;  // whom the report goes to when the sender is the operator
  for (size_t i = 0; i < message->transactions.size(); ++i) {
    const auto& tx = message->transactions[i];
    if (!tx.accepted()) continue;
    const iso20022::Payment& p = tx.payment;
    auto refuse = [&](std::string_view code, std::string text) {
      auto& st = report->transactions[i];
      st.status = "RJCT";
      st.reasons = {{std::string(code), std::move(text)}};
    };
    // An agent is named by BIC or by its member id in a clearing system the participant
    // registered; when both are given they must name the same participant.
    auto route = [&](const std::string& bic_as_sent, const iso20022::ClearingMember& member, std::string_view role,
                     std::string_view unknown_code) -> std::optional<std::string> {
      std::string bic = normalize_bic(bic_as_sent);
      if (member.member_id.empty()) return bic;
      const engine::ParticipantView* holder = view->by_clearing_id(model::ClearingMemberId{member.system, member.member_id});
      const std::string named = member.system + " member " + member.member_id;
      if (holder == nullptr) {
        if (!bic.empty()) return bic;  // an id we do not know beside a BIC we route by
        refuse(unknown_code, std::string(role) + " " + named + " is not a participant of the rail");
        return std::nullopt;
      }
      if (!bic.empty() && bic != holder->info.bic) {
        refuse(reason::kInvalidClearingMemberId, std::string(role) + " BIC " + bic + " and " + named + " (" +
                                                     holder->info.bic + ") name different participants");
        return std::nullopt;
      }
      return holder->info.bic;
    };
    auto debtor_routed = route(p.debtor_agent_bic, p.debtor_agent_member, "debtor agent", reason::kInvalidDebtorClearingMemberId);
    if (!debtor_routed) continue;
    auto creditor_routed = route(p.creditor_agent_bic, p.creditor_agent_member, "creditor agent",
                                 reason::kInvalidCreditorClearingMemberId);
    if (!creditor_routed) continue;
    std::string debtor_agent = *debtor_routed;
    if (debtor_agent.empty() && !pain) debtor_agent = normalize_bic(p.instructing_agent_bic);
    if (first_debtor_agent.empty()) first_debtor_agent = debtor_agent;
    std::string creditor_agent = *creditor_routed;
    if (debtor_agent.empty() || creditor_agent.empty()) {
      refuse(reason::kBankIdentifierIncorrect,
             "debtor and creditor agents must be identified by BIC or by a registered clearing-system member id");
      continue;
    }
    if (!who.may_act_for(debtor_agent)) {
      refuse(reason::kTransactionForbidden, "debtor agent " + debtor_agent + " is not the sending participant " + who.bank);
      continue;
    }
    if (debtor_agent == creditor_agent) {
      refuse(reason::kTransactionForbidden, "debtor and creditor agent are the same participant");
      continue;
    }
    engine::TransferCommand cmd;
    cmd.id = new_uuid_v7();
    cmd.uetr = p.uetr.empty() ? new_uuid_v4() : p.uetr;
    for (char& ch : cmd.uetr) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    // MsgId + EndToEndId (+ UETR) identify a payment sent in ISO 20022.
    cmd.idempotency_key = "iso:" + p.msg_id + "/" + p.end_to_end_id + (p.uetr.empty() ? "" : "/" + cmd.uetr);
    cmd.debtor_agent = debtor_agent;
    cmd.creditor_agent = creditor_agent;
    cmd.amount = money::Amount{p.amount_minor, money::currency_id(p.currency)};
    auto country = [](const iso20022::Party& party) {
      return party.address.country.empty() ? party.country_of_residence : party.address.country;
    };
    cmd.debtor = {p.debtor.name.substr(0, 140), account_of(p.debtor), country(p.debtor)};
    cmd.creditor = {p.creditor.name.substr(0, 140), account_of(p.creditor), country(p.creditor)};
    cmd.end_to_end_id = p.end_to_end_id;
    cmd.remittance_info = join_lines(p.remittance_info, 140);
    cmd.channel = pain ? "pain.001" : "pacs.008";
    // Cross-currency on the rail: the message names the quote the sender was given. Then
    // IntrBkSttlmAmt and an InstdAmt in another currency are the quote's two amounts, in
    // either order: what the debtor agent settles and what the creditor receives (the core
    // tells which is which by the quote's currencies). Without a quote, a differing InstdAmt
    // is what it is in ISO 20022: the debtor agent converted before sending, and
    // IntrBkSttlmAmt settles as it stands.
    // A contract id that is not ours (a pain.001's CtrctId with its own bank) is ignored;
    // one shaped like ours but malformed is refused rather than paid in one currency.
    std::string contract = p.fx_contract_id;  // trimmed by the mapper
    for (char& ch : contract) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (fx::is_quote_id(contract)) {
      cmd.quote_id = contract;
    } else if ((!pain && !contract.empty()) || (contract.size() == 34 && contract.rfind("q_", 0) == 0)) {
      refuse(reason::kNarrative, std::string(pain ? "XchgRateInf/CtrctId " : "InstrForNxtAgt/InstrInf /FXQT/") +
                                     contract.substr(0, 40) + " is not a DelTran quote id (q_ and 32 lowercase hex digits)");
      continue;
    }
    if (!cmd.quote_id.empty() && pain && !p.instructed_currency.empty()) {
      // EqvtAmt: the amount is in the debtor's currency, CcyOfTrf what the creditor is paid in.
      const money::CurrencyId of_transfer = money::currency_id(p.instructed_currency);
      if (!of_transfer.valid()) {
        refuse(reason::kNotAllowedCurrency, "CcyOfTrf " + p.instructed_currency.substr(0, 8) + " is not an ISO 4217 code");
        continue;
      }
      cmd.expected_credit_currency = of_transfer;
    }
    if (!cmd.quote_id.empty() && !pain && p.instructed_amount_minor && p.instructed_currency != p.currency) {
      const money::CurrencyId credit_currency = money::currency_id(p.instructed_currency);
      if (!credit_currency.valid()) {
        refuse(reason::kNotAllowedCurrency, "InstdAmt currency " + p.instructed_currency.substr(0, 8) + " is not an ISO 4217 code");
        continue;
      }
      cmd.expected_credit = money::Amount{*p.instructed_amount_minor, credit_currency};
    }
    cmd.request_hash = payment_request_hash(cmd, p.uetr);  // as sent: ours is new each time
    cmd.screening = screen_parties({{"debtor", p.debtor.name, country(p.debtor)},
                                    {"creditor", p.creditor.name, country(p.creditor)},
                                    {"ultimate_debtor", p.ultimate_debtor_name, ""},
                                    {"ultimate_creditor", p.ultimate_creditor_name, ""}});
    report->transactions[i].original_uetr = cmd.uetr;
    commands.emplace_back(std::move(cmd));
    command_tx.push_back(i);
  }
  auto finish = [report, message, command_tx, emit, respond, first_debtor_agent](std::vector<Reply>&& replies) mutable {
    for (size_t k = 0; k < replies.size(); ++k) {
      auto& st = report->transactions[command_tx[k]];
      iso20022::TransactionStatus decided = status_of_reply(replies[k]);
      st.status = decided.status;
      st.reasons = decided.reasons;
    }
    report->group_status = iso20022::derived_group_status(report->transactions);
    for (auto& pi : report->payment_infos) {
      std::vector<iso20022::TransactionStatus> mine;
      for (const auto& t : report->transactions) {
        if (t.pmt_inf_id == pi.original_pmt_inf_id) mine.push_back(t);
      }
      pi.status = iso20022::derived_group_status(mine);
    }
    auto xml = emit(*report, message->header, first_debtor_agent);
    if (!xml) {
      return respond(error_response(ApiError{Rc::kReportFailed, "cannot build the status report: " + xml.error().message}));
    }
    respond(xml_response(200, std::move(*xml)));
  };
  // One message, one submission: its transactions are decided together, in order, in one
  // group commit, so a window close can never fall between them.
  auto done = std::make_shared<decltype(finish)>(std::move(finish));
  const size_t n = commands.size();
  if (!core.submit_many(std::move(commands), who.actor(), [done](std::vector<Reply>&& replies) { (*done)(std::move(replies)); })) {
    std::vector<Reply> refused(n);
    for (auto& r : refused) {
      r.rc = Rc::kOverloaded;
      r.message = "the rail is at capacity; retry shortly";
    }
    (*done)(std::move(refused));
  }
}

void Api::Impl::get_camt053(Call& c) { account_report(c, false); }
void Api::Impl::get_camt054(Call& c) { account_report(c, true); }

// The day's camt.053 statement of one token account, or its camt.054 debit/credit
// notification (the same entries, no balances).
void Api::Impl::account_report(Call& c, bool notification) {
  auto q = query_params(c.req.target);
  const Principal& who = c.who;
  std::string bank = normalize_bic(q.count("bank") ? q["bank"] : who.bank);
  if (bank.empty()) return c.respond(error_response(ApiError{Rc::kInvalidBic, "bank must be a participant's BIC"}));
  if (!who.may_read(bank)) {
    return c.respond(error_response(ApiError{Rc::kForbidden, "a participant sees only its own statement"}));
  }
  const int64_t now = clock.now_us();
  const std::string date = q.count("date") ? q["date"] : format_date(now);
  const int64_t day_start = parse_date_us(date);
  if (day_start < 0) return c.respond(error_response(ApiError{Rc::kInvalidDate, "date must be YYYY-MM-DD"}));
  const int64_t day_end = day_start + 86'400'000'000;
  auto view = core.view();
  const engine::ParticipantView* p = view->find(bank);
  if (p == nullptr) return c.respond(error_response(ApiError{Rc::kBankNotFound, "bank " + bank + " does not exist"}));
  const CurrencyId currency = q.count("currency") ? money::currency_id(q["currency"]) : p->info.currencies.front();
  if (std::find(p->info.currencies.begin(), p->info.currencies.end(), currency) == p->info.currencies.end()) {
    return c.respond(error_response(ApiError{Rc::kUnknownCurrency, bank + " holds no " +
                                                                   (q.count("currency") ? q["currency"] : "such") + " account"}));
  }
  // One statement per account and day: its sequence number counts the days since the
  // participant joined (the first day is 1).
  const int64_t joined_day = parse_date_us(format_date(p->info.created_us));
  const int64_t sequence = joined_day >= 0 && day_start >= joined_day ? (day_start - joined_day) / 86'400'000'000 + 1 : 0;
  read(std::move(c.respond), [this, bank, date, day_start, day_end, currency, sequence, notification,
                              name = p->info.name]() -> Response {
    auto opening = reads.balances_before(bank, day_start);
    auto postings = reads.list_postings(bank, day_start, day_end);
    if (!opening || !postings) return error_response(ApiError{Rc::kStoreUnavailable, "cannot read the journal"});
    const std::string code = currency_text(currency);
    iso20022::Statement st;
    st.msg_id = report_id();
    st.creation_date_time = format_rfc3339(clock.now_us());
    st.statement_id = ((notification ? "N-" : "") + bank + "-" + code + "-" + date).substr(0, 35);
    st.from_date_time = date + "T00:00:00Z";
    st.to_date_time = date + "T23:59:59Z";
    st.account_other_id = "DELTRAN-" + bank + "-" + code;
    st.currency = code;
    st.account_owner_name = name.substr(0, 140);
    st.account_owner_bic = bank;
    st.recipient_name = st.account_owner_name;
    st.recipient_bic = bank;
    st.account_servicer_bic = settings.rail_bic;
    st.account_servicer_name = settings.rail_name;
    if (sequence > 0) st.electronic_sequence_number = st.legal_sequence_number = std::to_string(sequence);
    st.opening_balance_minor = opening->count(currency) ? opening->at(currency) : 0;
    st.opening_date = date;
    st.closing_date = date;
    int64_t balance = st.opening_balance_minor;
    for (const auto& j : *postings) {
      if (j.currency != currency) continue;
      iso20022::StatementEntry e;
      e.credit = j.to == bank;
      e.amount_minor = j.amount_minor;
      balance += e.credit ? j.amount_minor : -j.amount_minor;
      e.booking_date = e.value_date = format_date(j.created_us);
      e.entry_ref = j.reference.substr(0, 35);
      e.account_servicer_ref = e.entry_ref;
      if (j.kind == "MINT") {
        e.additional_info = "Tokens minted against confirmed funding";
      } else if (j.kind == "BURN") {
        e.additional_info = "Tokens burned for a confirmed payout";
      } else {
        e.additional_info = "Net settlement of clearing window " + std::to_string(j.window_id);
      }
      st.entries.push_back(std::move(e));
    }
    st.closing_balance_minor = balance;
    auto xml = notification ? iso20022::emit_camt054(st) : iso20022::emit_camt053(st);
    if (!xml) return error_response(ApiError{Rc::kReportFailed, xml.error().message});
    return xml_response(200, std::move(*xml));
  });
}

}  // namespace deltran::gateway
