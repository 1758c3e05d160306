// Payments: POST /transfer, GET /transaction/{id}, GET /transactions.
#include <boost/json.hpp>

#include <deltran/core/ids.hpp>
#include <deltran/fx/rates.hpp>
#include <deltran/money/currency.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {

namespace json = boost::json;

namespace {

constexpr size_t kMaxName = 140;      // ISO 20022 Max140Text
constexpr size_t kMaxAccount = 34;    // IBAN length; other ids fit too
constexpr size_t kMaxId35 = 35;       // Max35Text: EndToEndId, references
constexpr size_t kMaxIdempotencyKey = 255;
// ISO 20022's filler for "the sender gave no EndToEndId": many payments carry it, so it
// identifies none of them.
constexpr std::string_view kNotProvided = "NOTPROVIDED";

Response render_payment_reply(Reply&& r) {
  const auto* p = std::get_if<engine::PaymentResult>(&r.body);
  if (p == nullptr) return error_response(error_of(r), r.retry_after_s);
  const bool replayed = r.rc == Rc::kReplayed;
  if (p->status == model::PaymentStatus::kRejected) {
    ApiError e{p->rc, p->reason_text};
    Response res = json_response(422, error_body(e, p));
    if (replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
    return res;
  }
  JsonWriter w;
  w.begin_object().field("id", p->id).field("uetr", p->uetr).field("status", model::to_string(p->status));
  if (p->window_id == 0) w.key("window_id").null(); else w.field("window_id", p->window_id);
  if (p->case_id != 0) w.field("case_id", p->case_id);
  w.end_object();
  Response res = json_response(202, w.take());
  if (replayed) res.headers.emplace_back("Idempotent-Replayed", "true");
  return res;
}

}  // namespace

// Reads a payment as JSON into a command (everything but the idempotency key and the
// request hash) and screens its parties; shared by /transfer and /risk/evaluate.
tl::expected<engine::TransferCommand, ApiError> Api::Impl::read_transfer(const json::object& body,
                                                                          const Principal& who) const {
  Fields f(body);
  engine::TransferCommand cmd;
  auto currency = read_currency(f, "currency");
  std::optional<int64_t> amount;
  if (currency) amount = read_amount(f, "amount", *currency, false);
  auto debtor_agent = read_bic(f, "debtor_agent");
  auto creditor_agent = read_bic(f, "creditor_agent");
  auto party = [&](std::string_view key, engine::Party& out) {
    const json::object* o = f.object(key, true);
    if (o == nullptr) return;
    Fields pf(*o, std::string(key) + ".");
    auto name = pf.text("name", true, kMaxName);
    auto country = pf.text("country", false, 2);
    if (country && !is_country_code(*country)) pf.fail("country", "must be an ISO 3166 alpha-2 code", Rc::kInvalidField);
    auto account = pf.text("account", false, kMaxAccount, Rc::kInvalidAccount);
    if (account && looks_like_iban(*account) && !iban_checksum_ok(*account)) {
      pf.fail("account", "is an IBAN with wrong check digits", Rc::kInvalidAccount);
    }
    f.adopt(pf);
    if (name) out.name = *name;
    if (account) out.account = *account;
    if (country) out.country = *country;
  };
  party("debtor", cmd.debtor);
  party("creditor", cmd.creditor);
  auto e2e = f.text("end_to_end_id", false, kMaxId35);
  auto remittance = f.text("remittance_info", false, kMaxName);
  auto uetr = f.text("uetr", false, 36);
  if (uetr && !is_uuid_v4(*uetr)) f.fail("uetr", "must be a UUIDv4 (8-4-4-4-12 hex digits)", Rc::kInvalidField);
  // A cross-currency payment names the quote it is made at (POST /fx/quotes).
  auto quote_id = f.text("quote_id", false, 34);
  if (quote_id && !fx::is_quote_id(*quote_id)) f.fail("quote_id", "must be a quote id (q_ and 32 hex digits)", Rc::kInvalidField);
  if (f.error()) return tl::unexpected(*f.error());
  if (*debtor_agent == *creditor_agent) {
    return tl::unexpected(ApiError{Rc::kSameAgent, "debtor and creditor agent are the same participant; book it internally"});
  }
  if (who.has(kParticipant) && !who.may_act_for(*debtor_agent)) {
    return tl::unexpected(ApiError{Rc::kNotDebtorAgent, "a participant may only send payments as debtor agent " + who.bank});
  }
  cmd.id = new_uuid_v7();
  cmd.uetr = uetr ? *uetr : new_uuid_v4();
  for (char& c : cmd.uetr) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  cmd.debtor_agent = *debtor_agent;
  cmd.creditor_agent = *creditor_agent;
  cmd.amount = money::Amount{*amount, *currency};
  cmd.end_to_end_id = e2e && !e2e->empty() ? *e2e : std::string(kNotProvided);
  cmd.remittance_info = remittance.value_or("");
  cmd.channel = "json";
  cmd.quote_id = quote_id.value_or("");
  cmd.request_hash = payment_request_hash(cmd, uetr ? *uetr : "");
  cmd.screening = screen_parties({{"debtor", cmd.debtor.name, cmd.debtor.country},
                                  {"creditor", cmd.creditor.name, cmd.creditor.country}});
  return cmd;
}

void Api::Impl::post_transfer(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  auto parsed = read_transfer(*body, c.who);
  if (!parsed) return c.respond(error_response(parsed.error()));
  engine::TransferCommand cmd = std::move(*parsed);
  std::string key(c.req.header("idempotency-key"));
  if (!key.empty() && !is_token_text(key, kMaxIdempotencyKey)) {
    return c.respond(error_response(ApiError{Rc::kInvalidIdempotencyKey,
                                             "Idempotency-Key must be 1-255 printable ASCII characters"}));
  }
  if (key.empty()) {
    // No key: the sender's EndToEndId identifies the payment, so a resend is answered with
    // the first answer, never paid twice. Without either there is nothing to tell a retry by.
    if (cmd.end_to_end_id == kNotProvided) {
      return c.respond(error_response(ApiError{Rc::kMissingIdentification,
                                               "send an Idempotency-Key header or an end_to_end_id, so a retry "
                                               "cannot pay twice"}));
    }
    key = "e2e:" + cmd.end_to_end_id;
  }
  cmd.idempotency_key = std::move(key);
  submit(std::move(cmd), c.who, std::move(c.respond), render_payment_reply);
}

void Api::Impl::get_transaction(Call& c) {
  read(std::move(c.respond), [this, id = c.params[0], who = c.who]() -> Response {
    auto row = reads.get_payment(id);
    if (!row) return error_response(ApiError{Rc::kStoreUnavailable, row.error().message});
    if (!row->has_value()) return error_response(ApiError{Rc::kTransactionNotFound, "no transaction " + id});
    const model::Payment& p = **row;
    if (!who.sees_everything() && p.debtor_agent != who.bank && p.creditor_agent != who.bank) {
      return error_response(ApiError{Rc::kForbidden, "the transaction does not involve " + who.bank});
    }
    JsonWriter w;
    write_payment(w, p);
    return json_response(200, w.take());
  });
}

void Api::Impl::get_transactions(Call& c) {
  auto q = query_params(c.req.target);
  store::PaymentFilter filter;
  if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
    filter.status = model::parse_payment_status(it->second);
    if (!filter.status) {
      return c.respond(error_response(ApiError{Rc::kInvalidQuery, "status must be QUEUED, SETTLED, HELD or REJECTED"}));
    }
  }
  auto page = read_page(q, settings.list_limit_max);
  auto window = positive_int(q, "window_id");
  if (!page || !window) {
    return c.respond(error_response(ApiError{Rc::kInvalidQuery, "limit, cursor and window_id must be non-negative integers"}));
  }
  filter.limit = page->limit;
  filter.before_seq = page->cursor;
  filter.window_id = *window;
  if (auto it = q.find("currency"); it != q.end() && !it->second.empty()) {
    filter.currency = money::currency_id(it->second);
    if (!filter.currency.valid()) {
      return c.respond(error_response(ApiError{Rc::kUnknownCurrency, "currency must be an ISO 4217 code"}));
    }
  }
  if (!c.who.sees_everything()) {
    filter.participant = c.who.bank;
  } else if (auto it = q.find("bank"); it != q.end()) {
    filter.participant = normalize_bic(it->second);
    if (filter.participant.empty() && !it->second.empty()) filter.participant = it->second;
  }
  read(std::move(c.respond), [this, filter]() -> Response {
    auto rows = reads.list_payments(filter);
    if (!rows) return error_response(ApiError{Rc::kStoreUnavailable, rows.error().message});
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    for (const auto& p : *rows) write_payment(w, p);
    w.end_array();
    if (static_cast<int>(rows->size()) == filter.limit && !rows->empty()) {
      w.field("next_cursor", std::to_string(rows->back().seq));
    } else {
      w.key("next_cursor").null();
    }
    w.end_object();
    return json_response(200, w.take());
  });
}

}  // namespace deltran::gateway
