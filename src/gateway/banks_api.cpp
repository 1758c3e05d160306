// Participants and their tokens: POST/GET /banks, GET /banks/{id}, balances (from the read
// view: no store, no core queue), admin mint and burn.
#include <boost/json.hpp>

#include <algorithm>

#include <deltran/core/crypto.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/fx/rates.hpp>
#include <deltran/iso20022/identifiers.hpp>
#include <deltran/money/currency.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {

namespace json = boost::json;

namespace {

constexpr size_t kMaxName = 140;
constexpr size_t kMaxId35 = 35;

// "clearing_ids": [{"system": "USABA", "member_id": "021000021"}, …], canonical (the rules
// of iso20022::normalize_clearing_member), each at most once.
std::vector<model::ClearingMemberId> read_clearing_ids(Fields& f, const json::value& list) {
  std::vector<model::ClearingMemberId> out;
  constexpr size_t kMaxIds = 16;
  if (!list.is_array() || list.as_array().size() > kMaxIds) {
    f.fail("clearing_ids", "must be an array of at most 16 {\"system\", \"member_id\"} objects", Rc::kInvalidField);
    return out;
  }
  for (const auto& v : list.as_array()) {
    const json::string* system = v.is_object() && v.as_object().if_contains("system") != nullptr ? v.as_object().at("system").if_string() : nullptr;
    const json::string* member = v.is_object() && v.as_object().if_contains("member_id") != nullptr ? v.as_object().at("member_id").if_string() : nullptr;
    if (system == nullptr || member == nullptr || v.as_object().size() != 2) {
      f.fail("clearing_ids", "each entry is {\"system\": \"USABA\", \"member_id\": \"021000021\"}, got " + json::serialize(v).substr(0, 80),
             Rc::kInvalidField);
      return out;
    }
    auto m = iso20022::normalize_clearing_member(*system, *member);
    if (!m) {
      f.fail("clearing_ids", m.error().message, Rc::kInvalidClearingId);
      return out;
    }
    model::ClearingMemberId id{m->system, m->member_id};
    if (std::find(out.begin(), out.end(), id) != out.end()) {
      f.fail("clearing_ids", "lists " + id.system + " member " + id.member_id + " twice", Rc::kInvalidField);
      return out;
    }
    out.push_back(std::move(id));
  }
  return out;
}

// "roles": ["fx_provider"] or []: whether the participant is an FX provider.
bool read_roles(Fields& f, const json::value& roles) {
  bool fx_provider = false;
  if (!roles.is_array()) {
    f.fail("roles", "must be an array: [\"fx_provider\"] or []", Rc::kInvalidField);
    return false;
  }
  for (const auto& v : roles.as_array()) {
    if (v.is_string() && v.as_string() == "fx_provider") {
      fx_provider = true;
    } else {
      f.fail("roles", "knows only \"fx_provider\", got " + json::serialize(v).substr(0, 40), Rc::kInvalidField);
    }
  }
  return fx_provider;
}

}  // namespace

namespace {

// PUT /banks/{id}/roles and /banks/{id}/clearing-ids: one required field replaces a set of
// the participant's; the answer is the bank as it stands after.
template <typename Read>
void replace_bank_field(Api::Impl& api, Call& c, std::string_view key, std::string_view empty_means, Read read) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  const json::value* value = f.raw(key);
  if (value == nullptr) f.fail(key, "is missing ([] " + std::string(empty_means) + ")", Rc::kInvalidField);
  std::optional<engine::Command> cmd;
  if (value != nullptr) cmd = read(f, *value, bank_in_path(c.params[0]));
  if (f.error()) return c.respond(error_response(*f.error()));
  api.submit(std::move(*cmd), c.who, std::move(c.respond), [](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    JsonWriter w;
    write_bank(w, std::get<model::Participant>(r.body), true);
    return json_response(200, w.take());
  });
}

}  // namespace

void Api::Impl::put_roles(Call& c) {
  replace_bank_field(*this, c, "roles", "withdraws every role", [](Fields& f, const json::value& v, std::string bank) {
    return engine::Command{engine::SetRolesCommand{std::move(bank), read_roles(f, v)}};
  });
}

void Api::Impl::put_clearing_ids(Call& c) {
  replace_bank_field(*this, c, "clearing_ids", "removes every id", [](Fields& f, const json::value& v, std::string bank) {
    return engine::Command{engine::SetClearingIdsCommand{std::move(bank), read_clearing_ids(f, v)}};
  });
}

void Api::Impl::post_bank(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  engine::CreateBankCommand cmd;
  auto id = read_bic(f, "id");
  auto name = f.text("name", true, kMaxName);
  auto country = f.text("country", true, 2);
  if (country && !is_country_code(*country)) f.fail("country", "must be an ISO 3166 alpha-2 code such as \"AE\"", Rc::kInvalidField);
  const json::value* currencies = f.raw("currencies");
  if (currencies == nullptr || !currencies->is_array() || currencies->as_array().empty()) {
    f.fail("currencies", "must be a non-empty array of ISO 4217 codes", Rc::kUnknownCurrency);
  } else {
    for (const auto& v : currencies->as_array()) {
      CurrencyId code = v.is_string() ? money::currency_id(v.as_string()) : CurrencyId{};
      if (!code.valid()) {
        f.fail("currencies", "contains " + json::serialize(v) + ", not an ISO 4217 currency code", Rc::kUnknownCurrency);
        break;
      }
      if (std::find(cmd.currencies.begin(), cmd.currencies.end(), code) != cmd.currencies.end()) {
        f.fail("currencies", "lists " + currency_text(code) + " twice", Rc::kInvalidField);
        break;
      }
      cmd.currencies.push_back(code);
    }
  }
  if (const json::object* caps = f.object("net_debit_cap", false); caps != nullptr && !f.error()) {
    Fields cf(*caps, "net_debit_cap.");
    for (const auto& [k, v] : *caps) {
      CurrencyId code = money::currency_id(k);
      if (!code.valid() || std::find(cmd.currencies.begin(), cmd.currencies.end(), code) == cmd.currencies.end()) {
        cf.fail(k, "is not one of the bank's currencies", Rc::kUnknownCurrency);
        break;
      }
      auto minor = read_amount(cf, k, code, true);
      if (minor) cmd.net_debit_cap_minor[code] = *minor;
    }
    f.adopt(cf);
  }
  if (const json::value* ids = f.raw("clearing_ids"); ids != nullptr && !f.error()) cmd.clearing_ids = read_clearing_ids(f, *ids);
  if (const json::value* roles = f.raw("roles"); roles != nullptr && !f.error()) cmd.fx_provider = read_roles(f, *roles);
  if (f.error()) return c.respond(error_response(*f.error()));
  cmd.id = *id;
  cmd.name = *name;
  cmd.country = *country;
  std::string api_key = new_api_key("dtk_");
  cmd.api_key_hash = sha256_hex(api_key);
  submit(std::move(cmd), c.who, std::move(c.respond), [api_key](Reply&& r) {
    if (r.rc != Rc::kCreated) return error_response(error_of(r));
    const auto& b = std::get<model::Participant>(r.body);
    JsonWriter w;
    w.begin_object().field("id", b.bic).field("name", b.name).field("country", b.country);
    w.key("currencies").begin_array();
    for (auto cur : b.currencies) w.string(currency_text(cur));
    w.end_array();
    write_clearing_ids(w, b);
    w.key("roles").begin_array();
    if (b.fx_provider) w.string("fx_provider");
    w.end_array();
    w.field("api_key", api_key).end_object();
    return json_response(201, w.take());
  });
}

void Api::Impl::get_banks(Call& c) {
  auto view = core.view();
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& p : view->participants) write_bank(w, p->info, c.who.may_read(p->info.bic));
  w.end_array().end_object();
  c.respond(json_response(200, w.take()));
}

void Api::Impl::get_bank(Call& c) {
  auto view = core.view();
  const std::string bank = bank_in_path(c.params[0]);
  const engine::ParticipantView* p = view->find(bank);
  if (p == nullptr) return c.respond(error_response(ApiError{Rc::kBankNotFound, "bank " + bank + " does not exist"}));
  JsonWriter w;
  write_bank(w, p->info, c.who.may_read(bank));
  c.respond(json_response(200, w.take()));
}

void Api::Impl::get_balance(Call& c) {
  const std::string bank = bank_in_path(c.params[0]);
  if (!c.who.may_read(bank)) {
    return c.respond(error_response(ApiError{Rc::kForbidden, "a participant sees only its own balance"}));
  }
  auto view = core.view();
  const engine::ParticipantView* p = view->find(bank);
  if (p == nullptr) return c.respond(error_response(ApiError{Rc::kBankNotFound, "bank " + bank + " does not exist"}));
  JsonWriter w;
  w.begin_object().field("bank", bank).key("balances").begin_array();
  for (const auto& a : p->accounts) {
    w.begin_object()
        .field("currency", currency_text(a.currency))
        .field("balance", amount_text(a.balance_minor, a.currency))
        .field("reserved", amount_text(a.reserved_minor, a.currency))
        .field("locked", amount_text(a.locked_minor, a.currency))
        .field("net_debit_cap", amount_text(a.net_debit_cap_minor, a.currency))
        .field("available", amount_text(a.available_minor, a.currency))
        .end_object();
  }
  w.end_array().field("as_of_event", view->seq).end_object();
  c.respond(json_response(200, w.take()));
}

namespace {

std::optional<std::string> read_reference(Fields& f) {
  auto reference = f.text("reference", true, kMaxId35);
  if (reference && !is_token_text(*reference, kMaxId35)) {
    f.fail("reference", "must be printable ASCII without leading or trailing spaces", Rc::kInvalidField);
  }
  return reference;
}

void post_tokens(Api::Impl& api, Call& c, bool mint) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  engine::TokenCommand cmd;
  cmd.kind = mint ? engine::TokenCommand::Kind::kMint : engine::TokenCommand::Kind::kBurn;
  auto bank = read_bic(f, "bank");
  auto currency = read_currency(f, "currency");
  std::optional<int64_t> amount;
  if (currency) amount = read_amount(f, "amount", *currency, false);
  auto reference = read_reference(f);
  if (f.error()) return c.respond(error_response(*f.error()));
  cmd.bank = *bank;
  cmd.amount = money::Amount{*amount, *currency};
  cmd.reference = *reference;
  api.submit(std::move(cmd), c.who, std::move(c.respond), [reference = *reference, mint](Reply&& r) {
    if (r.rc != Rc::kOk && r.rc != Rc::kReplayed) return error_response(error_of(r));
    const auto& t = std::get<engine::TokenResult>(r.body);
    JsonWriter w;
    w.begin_object()
        .field("bank", t.bank)
        .field("currency", currency_text(t.balance.currency))
        .field("operation", mint ? "mint" : "burn")
        .field("reference", reference)
        .field("balance", amount_text(t.balance.minor, t.balance.currency))
        .field("fiat_backing", amount_text(-t.omnibus_minor, t.balance.currency))
        .key("replayed").boolean(r.rc == Rc::kReplayed)
        .end_object();
    return json_response(200, w.take());
  });
}

// The answer of a token transfer, conversion, lock or unlock.
Response render_move(std::string_view operation, Reply&& r) {
  if (r.rc != Rc::kOk && r.rc != Rc::kReplayed) return error_response(error_of(r));
  const auto& t = std::get<engine::TokenMoveResult>(r.body);
  JsonWriter w;
  w.begin_object().field("operation", operation).field("reference", t.reference);
  if (t.locked.minor != 0) {
    w.field("amount", amount_text(t.locked.minor, t.locked.currency)).field("currency", currency_text(t.locked.currency));
  }
  w.key("moves").begin_array();
  for (const auto& m : t.moves) {
    w.begin_object().field("from", m.debtor_agent).field("to", m.creditor_agent)
        .field("amount", amount_text(m.amount.minor, m.amount.currency)).field("currency", currency_text(m.amount.currency))
        .end_object();
  }
  w.end_array().key("accounts").begin_array();
  for (const auto& a : t.accounts) {
    w.begin_object().field("bank", a.bank).field("currency", currency_text(a.balance.currency))
        .field("balance", amount_text(a.balance.minor, a.balance.currency))
        .field("locked", amount_text(a.locked_minor, a.balance.currency)).end_object();
  }
  w.end_array().key("replayed").boolean(r.rc == Rc::kReplayed).end_object();
  return json_response(200, w.take());
}

}  // namespace

// {"from","to","currency","amount","reference"}: tokens booked now between two participants.
void Api::Impl::post_token_transfer(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  auto from = read_bic(f, "from");
  auto to = read_bic(f, "to");
  auto currency = read_currency(f, "currency");
  std::optional<int64_t> amount;
  if (currency) amount = read_amount(f, "amount", *currency, false);
  auto reference = read_reference(f);
  if (f.error()) return c.respond(error_response(*f.error()));
  submit(engine::TokenTransferCommand{*from, *to, money::Amount{*amount, *currency}, *reference}, c.who, std::move(c.respond),
         [](Reply&& r) { return render_move("transfer", std::move(r)); });
}

// {"bank","quote_id","reference"}: the bank's tokens converted now at its quote.
void Api::Impl::post_token_convert(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  auto bank = read_bic(f, "bank");
  auto quote_id = f.text("quote_id", true, 34);
  if (quote_id && !fx::is_quote_id(*quote_id)) f.fail("quote_id", "must be a quote id (q_ and 32 hex digits)", Rc::kInvalidField);
  auto reference = read_reference(f);
  if (f.error()) return c.respond(error_response(*f.error()));
  submit(engine::TokenConvertCommand{*bank, *quote_id, *reference}, c.who, std::move(c.respond),
         [](Reply&& r) { return render_move("convert", std::move(r)); });
}

// {"bank","currency","amount","reference","reason"}: tokens set aside in the bank's account.
void Api::Impl::post_token_lock(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  auto bank = read_bic(f, "bank");
  auto currency = read_currency(f, "currency");
  std::optional<int64_t> amount;
  if (currency) amount = read_amount(f, "amount", *currency, false);
  auto reference = read_reference(f);
  auto reason = f.text("reason", false, kMaxName);
  if (f.error()) return c.respond(error_response(*f.error()));
  submit(engine::TokenLockCommand{true, *bank, money::Amount{*amount, *currency}, *reference, reason.value_or("")}, c.who,
         std::move(c.respond), [](Reply&& r) { return render_move("lock", std::move(r)); });
}

// {"bank","reference"}: releases the bank's lock of that reference, whole.
void Api::Impl::post_token_unlock(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  auto bank = read_bic(f, "bank");
  auto reference = read_reference(f);
  if (f.error()) return c.respond(error_response(*f.error()));
  submit(engine::TokenLockCommand{false, *bank, {}, *reference, {}}, c.who, std::move(c.respond),
         [](Reply&& r) { return render_move("unlock", std::move(r)); });
}

void Api::Impl::post_mint(Call& c) { post_tokens(*this, c, true); }
void Api::Impl::post_burn(Call& c) { post_tokens(*this, c, false); }

}  // namespace deltran::gateway
