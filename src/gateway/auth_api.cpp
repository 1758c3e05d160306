// Sessions: POST /auth/login, /auth/refresh and /auth/logout, GET /auth/session, and the
// admin's POST /auth/signing-keys/rotate. A staff user logs in by name and password (argon2id);
// a participant with its id and one of its API keys. A login answers with a short-lived
// access token and a refresh token; every login, logout, ended session and key rotation is
// an event, and a login's tokens are handed out only once its event is durable.
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <deltran/core/crypto.hpp>

#include "api_impl.hpp"

namespace deltran::gateway {

namespace json = boost::json;

namespace {

// Spent on an unknown user so the answer takes as long as for a known one.
const std::string& dummy_hash() {
  static const std::string hash = hash_password("no user has this password").value_or("");
  return hash;
}

std::string session_body(const IssuedSession& s, const std::vector<std::string>& roles) {
  JsonWriter w;
  w.begin_object()
      .field("access_token", s.access_token)
      .field("token_type", "Bearer")
      .field("expires_in", s.access_expires_s)
      .field("refresh_token", s.refresh_token)
      .field("refresh_expires_in", s.session_expires_s)
      .field("session_id", s.sid)
      .key("roles")
      .begin_array();
  for (const auto& r : roles) w.string(r);
  w.end_array().end_object();
  return w.take();
}

std::string session_payload(const SessionSubject& who, std::string_view method, std::string_view remote) {
  JsonWriter w;
  w.begin_object().field("sub", who.sub).key("roles").begin_array();
  for (const auto& r : who.roles) w.string(r);
  w.end_array().field("method", method).field("remote", remote).end_object();
  return w.take();
}

}  // namespace

void Api::Impl::audit_session(model::EventType type, const std::string& entity, std::string payload,
                              const std::string& party, std::string actor, Respond respond,
                              std::function<Response()> answer) {
  auto shared = std::make_shared<Respond>(std::move(respond));
  const bool queued = core.submit(engine::NoticeCommand{type, entity, std::move(payload), party}, std::move(actor),
                                  [shared, answer](Reply&& r) {
                                    if (!is_success(r.rc)) return (*shared)(error_response(error_of(r), r.retry_after_s));
                                    (*shared)(answer());
                                  });
  if (!queued) (*shared)(error_response(ApiError{Rc::kOverloaded, "the rail is at capacity; retry shortly"}, 1));
}

// {"user","password"} or {"participant","api_key"}.
void Api::Impl::post_login(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  for (const auto& [k, v] : *body) {
    if (k != "user" && k != "password" && k != "participant" && k != "api_key") {
      f.fail(k, "is not a field of a login (user and password, or participant and api_key)", Rc::kInvalidField);
    }
  }
  const bool by_user = body->contains("user") || body->contains("password");
  const bool by_key = body->contains("participant") || body->contains("api_key");
  if (by_user == by_key) {
    f.fail("user", "a login has either user and password, or participant and api_key", Rc::kInvalidField);
  }
  auto name = f.text(by_user ? "user" : "participant", true, 64);
  auto secret = f.text(by_user ? "password" : "api_key", true, 1024);
  if (f.error()) return c.respond(error_response(*f.error()));
  const std::string remote = c.req.remote;
  auto respond = std::make_shared<Respond>(std::move(c.respond));
  // argon2id takes a tenth of a second by design: on the reader pool, not an I/O thread.
  const bool posted = pool.post([this, by_user, name = *name, secret = *secret, remote, respond] {
    Response refused = login(by_user, name, secret, remote, respond);
    if (refused.status != 0) (*respond)(std::move(refused));
  });
  if (!posted) (*respond)(error_response(ApiError{Rc::kOverloaded, "too many requests in flight; retry shortly"}, 1));
}

// Answers through `respond` itself once the login's event is durable; what it returns is
// sent only when it is an error (status not 0).
Response Api::Impl::login(bool by_user, const std::string& name, const std::string& secret, const std::string& remote,
                          const std::shared_ptr<Respond>& respond) {
  {
    SessionSubject subject;
    Principal who{0, {}, {}, {}, {}, {}};
    if (by_user) {
      const StaffUser* user = nullptr;
      for (const auto& u : settings.users) {
        if (u.name == name) user = &u;
      }
      const bool ok = verify_password(user != nullptr ? user->password_hash : dummy_hash(), secret) && user != nullptr;
      if (!ok) {
        login_failures.add();
        spdlog::warn("auth: failed login for user '{}' from {}", name, remote);
        return error_response(ApiError{Rc::kUnauthenticated, "unknown user or wrong password"});
      }
      subject.sub = user->name;
      subject.roles = {user->role};
      for (auto [bit, role] : kRoleNames) {
        if (role == user->role) who.roles = bit;
      }
      who.user = user->name;
    } else {
      auto view = core.view();
      const engine::ParticipantView* p = view->by_key_hash(sha256_hex(secret));
      if (p == nullptr || p->info.bic != name) {
        login_failures.add();
        spdlog::warn("auth: failed login for participant '{}' from {}", name, remote);
        return error_response(ApiError{Rc::kUnauthenticated, "unknown participant or API key"});
      }
      subject.sub = p->info.bic;
      subject.bank = p->info.bic;
      subject.key_id = engine::key_id_of(sha256_hex(secret));
      subject.roles = {"participant"};
      if (p->info.fx_provider) subject.roles.emplace_back("fx_provider");
      who.roles = kParticipant;
      who.bank = p->info.bic;
    }
    auto opened = sessions->open(subject, now_s());
    if (!opened) return error_response(ApiError{Rc::kOverloaded, opened.error()}, 60);
    auto issued = std::make_shared<IssuedSession>(std::move(*opened));
    auto roles = subject.roles;
    audit_session(model::EventType::kSessionOpened, issued->sid,
                  session_payload(subject, by_user ? "password" : "api_key", remote), subject.bank, who.actor(),
                  [this, issued, respond](Response&& res) {
                    // Not recorded: the session must not be used.
                    if (res.status != 200) sessions->end(issued->sid);
                    (*respond)(std::move(res));
                  },
                  [issued, roles] { return json_response(200, session_body(*issued, roles)); });
    Response none;
    none.status = 0;
    return none;
  }
}

// {"refresh_token"}: a new access token and a new refresh token; the old one is spent.
void Api::Impl::post_refresh(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  for (const auto& [k, v] : *body) {
    if (k != "refresh_token") f.fail(k, "is not a field of a refresh (only refresh_token)", Rc::kInvalidField);
  }
  auto token = f.text("refresh_token", true, 256);
  if (f.error()) return c.respond(error_response(*f.error()));
  auto r = sessions->refresh(*token, now_s());
  using O = Sessions::RefreshOutcome;
  switch (r.outcome) {
    case O::kUnknown:
      return c.respond(error_response(ApiError{Rc::kUnauthenticated, "unknown refresh token: log in again"}));
    case O::kExpired:
      return c.respond(error_response(ApiError{Rc::kUnauthenticated, "the session has expired: log in again"}));
    case O::kEnded:
      return c.respond(error_response(ApiError{Rc::kUnauthenticated, "the session has ended: log in again"}));
    case O::kReused: {
      spdlog::warn("auth: a spent refresh token of session {} ({}) was presented again: the session is ended", r.sid,
                   r.subject.sub);
      JsonWriter w;
      w.begin_object().field("sub", r.subject.sub).field("reason", "refresh_token_reused").end_object();
      // Whoever presented it is not known: the rail's own authentication ends the session.
      return audit_session(model::EventType::kSessionEnded, r.sid, w.take(), r.subject.bank, "auth",
                           std::move(c.respond), [] {
                             return error_response(ApiError{Rc::kUnauthenticated,
                                                            "this refresh token was already used: the session is "
                                                            "ended, log in again"});
                           });
    }
    case O::kOk: break;
  }
  if (!r.subject.key_id.empty()) {
    auto view = core.view();
    const engine::ParticipantView* p = view->find(r.subject.bank);
    const bool held = p != nullptr && std::any_of(p->keys.begin(), p->keys.end(),
                                                  [&](const auto& k) { return k.id == r.subject.key_id; });
    if (!held) {
      sessions->end(r.sid);
      JsonWriter w;
      w.begin_object().field("sub", r.subject.sub).field("reason", "key_revoked").field("key_id", r.subject.key_id).end_object();
      return audit_session(model::EventType::kSessionEnded, r.sid, w.take(), r.subject.bank, "auth", std::move(c.respond), [] {
        return error_response(
            ApiError{Rc::kUnauthenticated, "the API key this session was opened with has been revoked: log in again"});
      });
    }
  }
  c.respond(json_response(200, session_body(r.session, r.subject.roles)));
}

void Api::Impl::post_logout(Call& c) {
  if (c.who.session.empty()) {
    return c.respond(error_response(ApiError{Rc::kInvalidField, "not a session: an API key has no session to end"}));
  }
  sessions->end(c.who.session);
  JsonWriter w;
  w.begin_object().field("reason", "logout").end_object();
  const std::string sid = c.who.session;
  audit_session(model::EventType::kSessionEnded, sid, w.take(), c.who.has(kParticipant) ? c.who.bank : std::string(),
                c.who.actor(), std::move(c.respond), [sid] {
                  JsonWriter out;
                  out.begin_object().field("session_id", sid).key("ended").boolean(true).end_object();
                  return json_response(200, out.take());
                });
}

void Api::Impl::get_session(Call& c) {
  JsonWriter w;
  w.begin_object().field("actor", c.who.actor()).key("roles").begin_array();
  for (auto [bit, name] : kRoleNames) {
    if (c.who.has(bit)) w.string(name);
  }
  w.end_array();
  if (!c.who.bank.empty()) w.field("bank", c.who.bank);
  if (!c.who.user.empty()) w.field("user", c.who.user);
  if (!c.who.key_id.empty()) w.field("key_id", c.who.key_id);
  w.field("authenticated_by", !c.who.session.empty() ? "access_token"
                              : !c.req.client_cn.empty() && c.req.header("authorization").empty() ? "client_certificate"
                                                                                                  : "api_key");
  if (!c.who.session.empty()) w.field("session_id", c.who.session);
  if (!c.req.client_cn.empty()) w.field("client_certificate_cn", c.req.client_cn);
  w.end_object();
  c.respond(json_response(200, w.take()));
}

// A new signing key: it signs from now on; the previous ones still verify the tokens they
// signed, until those expire (the keyring keeps the last three).
void Api::Impl::post_rotate_signing_key(Call& c) {
  auto kid = keyring->rotate(now_s());
  if (!kid) return c.respond(error_response(ApiError{Rc::kInternal, kid.error().message}));
  const auto kids = keyring->kids();
  JsonWriter p;
  p.begin_object().field("kid", *kid).end_object();
  audit_session(model::EventType::kSigningKeyRotated, *kid, p.take(), {}, c.who.actor(), std::move(c.respond), [kids] {
    JsonWriter w;
    w.begin_object().field("kid", kids.front()).key("verifying").begin_array();
    for (const auto& k : kids) w.string(k);
    w.end_array().end_object();
    return json_response(200, w.take());
  });
}

}  // namespace deltran::gateway
