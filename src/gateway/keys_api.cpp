// A participant's API keys and its request-rate tier: GET/POST /banks/{id}/keys, DELETE
// /banks/{id}/keys/{key_id}, PUT /banks/{id}/rate-tier. A participant holds at most two keys,
// so it can rotate: issue a second with the first, move its systems to it, revoke the first
// with the first (a participant revokes only the key it calls with). The admin may issue a
// key to any participant and revoke any: the way back in when the answer carrying a key
// was lost, and the way to shut out a leaked one.
// The core keeps only each key's hash; a key is shown once, in the answer that issues it.
#include <boost/json.hpp>

#include <deltran/core/crypto.hpp>
#include <deltran/core/text.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {

namespace json = boost::json;

namespace {

void write_keys(JsonWriter& w, const std::vector<engine::KeysResult::Key>& keys) {
  w.key("keys").begin_array();
  for (const auto& k : keys) w.begin_object().field("id", k.id).field("issued_at", format_rfc3339(k.issued_us)).end_object();
  w.end_array();
}

bool is_key_id(std::string_view id) {
  if (id.size() != 18 || id.substr(0, 2) != "k_") return false;
  for (char c : id.substr(2)) {
    if (!std::isxdigit(static_cast<unsigned char>(c)) || std::isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

void Api::Impl::get_keys(Call& c) {
  const std::string bank = bank_in_path(c.params[0]);
  if (!c.who.may_read(bank)) return c.respond(error_response(ApiError{Rc::kForbidden, "a participant sees only its own keys"}));
  auto view = core.view();
  const engine::ParticipantView* p = view->find(bank);
  if (p == nullptr) return c.respond(error_response(ApiError{Rc::kBankNotFound, "bank " + bank + " does not exist"}));
  std::vector<engine::KeysResult::Key> keys;
  for (const auto& k : p->keys) keys.push_back(engine::KeysResult::Key{k.id, k.issued_us});
  JsonWriter w;
  w.begin_object().field("bank", bank);
  write_keys(w, keys);
  if (c.who.bank == bank) w.field("calling_with", c.who.key_id);
  w.field("max_keys", static_cast<int64_t>(engine::kMaxApiKeys)).end_object();
  c.respond(json_response(200, w.take()));
}

// Body optional: {"revokes": "k_…"} revokes that key in the same step as the new one is
// issued (needed when two are held).
void Api::Impl::post_key(Call& c) {
  const std::string bank = bank_in_path(c.params[0]);
  if (!c.who.may_act_for(bank)) return c.respond(error_response(ApiError{Rc::kForbidden, "a participant issues keys only to itself"}));
  engine::IssueKeyCommand cmd;
  cmd.bank = bank;
  if (!c.req.body.empty()) {
    auto body = parse_object(c.req);
    if (!body) return c.respond(error_response(body.error()));
    Fields f(*body);
    for (const auto& [k, v] : *body) {
      if (k != "revokes") f.fail(k, "is not a field of a key request (only \"revokes\")", Rc::kInvalidField);
    }
    if (auto revokes = f.text("revokes", false, 18)) {
      if (!is_key_id(*revokes)) f.fail("revokes", "must be a key id (k_ and 16 hex digits)", Rc::kInvalidField);
      cmd.revoke_key_id = *revokes;
    }
    if (f.error()) return c.respond(error_response(*f.error()));
    if (!c.who.admin() && !cmd.revoke_key_id.empty() && cmd.revoke_key_id != c.who.key_id) {
      return c.respond(error_response(ApiError{Rc::kForbidden, "a participant replaces only the key it calls with (" +
                                                                   c.who.key_id + "); the admin revokes any"}));
    }
  }
  std::string api_key = new_api_key("dtk_");
  cmd.key_hash = sha256_hex(api_key);
  submit(std::move(cmd), c.who, std::move(c.respond), [api_key](Reply&& r) {
    if (r.rc != Rc::kCreated) return error_response(error_of(r));
    const auto& k = std::get<engine::KeysResult>(r.body);
    JsonWriter w;
    w.begin_object().field("bank", k.bank).field("key_id", k.issued_id).field("api_key", api_key);
    if (!k.revoked_id.empty()) w.field("revoked", k.revoked_id);
    write_keys(w, k.keys);
    w.end_object();
    return json_response(201, w.take());
  });
}

void Api::Impl::delete_key(Call& c) {
  const std::string bank = bank_in_path(c.params[0]);
  if (!c.who.may_act_for(bank)) return c.respond(error_response(ApiError{Rc::kForbidden, "a participant revokes only its own keys"}));
  const std::string& key_id = c.params[1];
  if (!is_key_id(key_id)) {
    return c.respond(error_response(ApiError{Rc::kInvalidField, "a key id is k_ and 16 hex digits, as GET /banks/{id}/keys lists"}));
  }
  // A participant revokes only the key it calls with: whoever holds a leaked key cannot
  // revoke the bank's other one and lock it out. The admin revokes any, even the last (to
  // cut a participant off); the participant may not revoke its last.
  if (!c.who.admin() && key_id != c.who.key_id) {
    return c.respond(error_response(ApiError{Rc::kForbidden, "a participant revokes only the key it calls with (" +
                                                                 c.who.key_id + "); the admin revokes any"}));
  }
  submit(engine::RevokeKeyCommand{bank, key_id, !c.who.admin()}, c.who, std::move(c.respond), [](Reply&& r) {
    if (r.rc != Rc::kOk) return error_response(error_of(r));
    const auto& k = std::get<engine::KeysResult>(r.body);
    JsonWriter w;
    w.begin_object().field("bank", k.bank).field("revoked", k.revoked_id);
    write_keys(w, k.keys);
    w.end_object();
    return json_response(200, w.take());
  });
}

// {"tier": "premium"}; null or "" puts the participant back on the default tier.
void Api::Impl::put_rate_tier(Call& c) {
  const std::string bank = bank_in_path(c.params[0]);
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  std::string tier;
  const json::value* v = f.raw("tier");
  if (v == nullptr) {
    f.fail("tier", "is missing (null puts the bank on the default tier)", Rc::kInvalidField);
  } else if (v->is_string()) {
    tier = std::string(v->as_string());
    bool known = tier.empty();
    std::string names;
    for (const auto& t : settings.rate_tiers) {
      known = known || t.name == tier;
      names += (names.empty() ? "" : ", ") + t.name;
    }
    if (!known) f.fail("tier", "names no configured tier (" + names + ")", Rc::kInvalidField);
  } else if (!v->is_null()) {
    f.fail("tier", "must be a tier name or null", Rc::kInvalidField);
  }
  if (f.error()) return c.respond(error_response(*f.error()));
  const RateTier effective = rate_tier(tier);
  submit(engine::SetRateTierCommand{bank, tier}, c.who, std::move(c.respond), [bank, tier, effective](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    JsonWriter w;
    w.begin_object().field("bank", bank);
    w.key("tier");
    if (tier.empty()) {
      w.null();
    } else {
      w.string(tier);
    }
    w.field("effective_tier", effective.name).field("per_minute", effective.per_minute).field("burst", effective.burst);
    w.key("replayed").boolean(r.rc == Rc::kReplayed).end_object();
    return json_response(200, w.take());
  });
}

}  // namespace deltran::gateway
