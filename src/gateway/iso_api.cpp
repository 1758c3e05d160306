// ISO 20022 over HTTP: pain.001 and pacs.008 in, pain.002 / pacs.002 out, camt.053
// statements. A message's transactions take exactly the JSON path: the same validation of
// agents, the same engine commands, idempotency and results.
#include <algorithm>
#include <atomic>

#include <deltran/core/crypto.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/schema_set.hpp>
#include <deltran/iso20022/statement.hpp>
#include <deltran/iso20022/status_report.hpp>
#include <deltran/ledger/ledger.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {

using namespace internal;

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

// The ISO status of what the engine answered for one transaction.
iso20022::TransactionStatus status_of_reply(const Reply& r) {
  iso20022::TransactionStatus t;
  const auto* p = std::get_if<engine::PaymentResult>(&r.body);
  if (p != nullptr && p->status == store::PaymentStatus::kQueued) {
    t.status = "ACSP";  // accepted, settlement in process (in a window)
  } else if (p != nullptr && p->status == store::PaymentStatus::kSettled) {
    t.status = "ACSC";
  } else if (p != nullptr && p->status == store::PaymentStatus::kHeld) {
    t.status = "PDNG";
    t.reasons.push_back({"NARR", "held for compliance review"});
  } else {
    t.status = "RJCT";
    std::string reason = r.reason.empty() ? "NARR" : r.reason;
    if (r.outcome == Outcome::kUnavailable) reason = "NARR";
    t.reasons.push_back({reason, r.message});
  }
  return t;
}

}  // namespace

void Api::Impl::submit_all(std::vector<engine::Command> commands, const Principal& who,
                           std::function<void(std::vector<Reply>&&)> done) {
  struct Pending {
    std::vector<Reply> replies;
    std::atomic<size_t> left;
    std::function<void(std::vector<Reply>&&)> done;
  };
  auto pending = std::make_shared<Pending>();
  pending->replies.resize(commands.size());
  pending->left = commands.size();
  pending->done = std::move(done);
  if (commands.empty()) return pending->done(std::move(pending->replies));
  auto finish_one = [pending](size_t i, Reply&& r) {
    pending->replies[i] = std::move(r);
    if (pending->left.fetch_sub(1) == 1) pending->done(std::move(pending->replies));
  };
  for (size_t i = 0; i < commands.size(); ++i) {
    bool queued = engine.submit(std::move(commands[i]), who.actor(), [finish_one, i](Reply&& r) mutable {
      finish_one(i, std::move(r));
    });
    if (!queued) {
      Reply r;
      r.outcome = Outcome::kUnavailable;
      r.code = "overloaded";
      r.message = "the rail is at capacity; retry shortly";
      finish_one(i, std::move(r));
    }
  }
}

void Api::Impl::post_iso(Request& req, const Principal& who, iso20022::MessageType type, Respond respond) {
  std::string_view ct = req.header("content-type");
  if (!ct.empty() && ct.find("xml") == std::string_view::npos) {
    return respond(error_response(ApiError{415, "unsupported_media_type", "Content-Type must be application/xml", "FF01"}));
  }
  if (who.compliance) {
    return respond(error_response(ApiError{403, "forbidden", "payments are sent by participants", ""}));
  }
  iso20022::ParseOptions options;
  options.schemas = settings.schemas.get();
  options.expected_type = type;
  const std::string now = format_rfc3339(clock.now_us());
  auto parsed = iso20022::parse_message(req.body, options);
  const bool pain = type == iso20022::MessageType::kPain001;
  auto emit = [pain](const iso20022::StatusReport& report, const iso20022::MessageHeader& original) {
    return pain ? iso20022::emit_pain002(report, iso20022::pain002_version_for(original))
                : iso20022::emit_pacs002(report);
  };
  if (!parsed) {
    // Refused as a whole: a group rejection when the header can be read, else JSON.
    iso20022::Rejection why = iso20022::rejection_of(parsed.error());
    auto header = iso20022::read_header(req.body, options.limits);
    if (header && header->type == type) {
      auto report = iso20022::rejection_report_for(*header, why, report_id(), now);
      if (auto xml = emit(report, *header)) return respond(xml_response(400, std::move(*xml)));
    }
    int status = parsed.error().code == ErrorCode::kResourceExhausted ? 413 : 400;
    return respond(error_response(ApiError{status, "invalid_message",
                                           why.path.empty() ? why.message : why.path + ": " + why.message,
                                           why.reason_code}));
  }
  auto message = std::make_shared<iso20022::ParsedMessage>(std::move(*parsed));
  // Each accepted transaction becomes the same command a JSON transfer becomes.
  std::vector<engine::Command> commands;
  std::vector<size_t> command_tx;  // command i → transaction index
  auto report = std::make_shared<iso20022::StatusReport>(
      iso20022::status_report_for(*message, report_id(), now, "ACTC"));
  for (size_t i = 0; i < message->transactions.size(); ++i) {
    const auto& tx = message->transactions[i];
    if (!tx.accepted()) continue;
    const iso20022::Payment& p = tx.payment;
    std::string debtor_agent = normalize_bic(p.debtor_agent_bic);
    if (debtor_agent.empty() && !pain) debtor_agent = normalize_bic(p.instructing_agent_bic);
    std::string creditor_agent = normalize_bic(p.creditor_agent_bic);
    auto refuse = [&](std::string code, std::string text) {
      auto& st = report->transactions[i];
      st.status = "RJCT";
      st.reasons = {{std::move(code), std::move(text)}};
    };
    if (debtor_agent.empty() || creditor_agent.empty()) {
      refuse("RC01", "debtor and creditor agents must be identified by BIC");
      continue;
    }
    if (!who.may_act_for(debtor_agent)) {
      refuse("AG01", "debtor agent " + debtor_agent + " is not the sending participant " + who.bank);
      continue;
    }
    if (debtor_agent == creditor_agent) {
      refuse("AG01", "debtor and creditor agent are the same participant");
      continue;
    }
    engine::TransferCommand cmd;
    cmd.id = new_uuid_v4();
    cmd.uetr = p.uetr.empty() ? new_uuid_v4() : p.uetr;
    for (char& c : cmd.uetr) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // MsgId + EndToEndId (+ UETR) identify a payment sent in ISO 20022.
    cmd.idempotency_key = "iso:" + p.msg_id + "/" + p.end_to_end_id + (p.uetr.empty() ? "" : "/" + cmd.uetr);
    cmd.debtor_agent = debtor_agent;
    cmd.creditor_agent = creditor_agent;
    cmd.currency = p.currency;
    cmd.amount_minor = p.amount_minor;
    auto country = [](const iso20022::Party& party) {
      return party.address.country.empty() ? party.country_of_residence : party.address.country;
    };
    cmd.debtor = {p.debtor.name.substr(0, 140), account_of(p.debtor), country(p.debtor)};
    cmd.creditor = {p.creditor.name.substr(0, 140), account_of(p.creditor), country(p.creditor)};
    cmd.end_to_end_id = p.end_to_end_id;
    cmd.remittance_info = join_lines(p.remittance_info, 140);
    cmd.channel = pain ? "pain.001" : "pacs.008";
    cmd.request_hash = payment_request_hash(cmd, p.uetr);  // as sent: ours is new each time
    cmd.screening = screen_parties({{"debtor", p.debtor.name, country(p.debtor)},
                                    {"creditor", p.creditor.name, country(p.creditor)},
                                    {"ultimate_debtor", p.ultimate_debtor_name, ""},
                                    {"ultimate_creditor", p.ultimate_creditor_name, ""}});
    report->transactions[i].original_uetr = cmd.uetr;
    commands.emplace_back(std::move(cmd));
    command_tx.push_back(i);
  }
  auto finish = [report, message, command_tx, emit, respond](std::vector<Reply>&& replies) mutable {
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
    auto xml = emit(*report, message->header);
    if (!xml) {
      return respond(error_response(ApiError{500, "report_failed", "cannot build the status report: " + xml.error().message, ""}));
    }
    respond(xml_response(200, std::move(*xml)));
  };
  submit_all(std::move(commands), who, std::move(finish));
}

void Api::Impl::get_camt053(const Request& req, const Principal& who, Respond respond) {
  auto q = query_params(req.target);
  std::string bank = normalize_bic(q.count("bank") ? q["bank"] : who.bank);
  if (bank.empty()) {
    return respond(error_response(ApiError{400, "invalid_query", "bank must be a participant's BIC", "RC01"}));
  }
  if (!who.may_act_for(bank) && !who.compliance) {
    return respond(error_response(ApiError{403, "forbidden", "a participant sees only its own statement", ""}));
  }
  int64_t now = clock.now_us();
  std::string date = q.count("date") ? q["date"] : format_date(now);
  int64_t day_start = parse_date_us(date);
  if (day_start < 0) return respond(error_response(ApiError{400, "invalid_query", "date must be YYYY-MM-DD", "DT01"}));
  int64_t day_end = day_start + 86'400'000'000;
  submit(engine::BankQuery{bank}, who, std::move(respond), [this, bank, date, day_start, day_end, q](Reply&& r) mutable {
    if (r.outcome != Outcome::kOk) return error_response(error_of(r));
    const auto& b = std::get<engine::BankView>(r.body);
    std::string currency = q.count("currency") ? q["currency"] : b.currencies.front();
    if (std::find(b.currencies.begin(), b.currencies.end(), currency) == b.currencies.end()) {
      return error_response(ApiError{400, "invalid_query", bank + " holds no " + currency + " account", "AM03"});
    }
    auto opening = store.balances_before(bank, day_start);
    auto postings = store.list_postings(bank, day_start, day_end);
    if (!opening || !postings) return error_response(ApiError{503, "store_unavailable", "cannot read the journal", ""});
    iso20022::Statement st;
    st.msg_id = report_id();
    st.creation_date_time = format_rfc3339(clock.now_us());
    st.statement_id = (bank + "-" + currency + "-" + date).substr(0, 35);
    st.from_date_time = date + "T00:00:00Z";
    st.to_date_time = date + "T23:59:59Z";
    st.account_other_id = "DELTRAN-" + bank + "-" + currency;
    st.currency = currency;
    st.account_owner_name = b.name.substr(0, 140);
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
    auto xml = iso20022::emit_camt053(st);
    if (!xml) return error_response(ApiError{500, "statement_failed", xml.error().message, ""});
    return xml_response(200, std::move(*xml));
  });
}

}  // namespace deltran::gateway
