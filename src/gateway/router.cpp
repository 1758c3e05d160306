// The route table: each route is a method, a path pattern with {placeholders}, the roles
// it admits and its handler, with its metrics registered when the table is built (no label
// string or lock per request). Authentication and the role check happen on the request's
// headers (admit), before the server reads a body.
#include <algorithm>
#include <array>
#include <chrono>

#include <deltran/core/crypto.hpp>
#include <deltran/iso20022/model.hpp>

#include "api_impl.hpp"

namespace deltran::gateway {

namespace {

// The statuses the API answers with, each counted per route; anything else counts as 0.
constexpr std::array<int, 18> kStatuses = {200, 201, 202, 400, 401, 403, 404, 405, 409,
                                           413, 415, 422, 429, 431, 500, 503, 504, 0};

size_t status_slot(int status) {
  for (size_t i = 0; i + 1 < kStatuses.size(); ++i) {
    if (kStatuses[i] == status) return i;
  }
  return kStatuses.size() - 1;
}

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

std::string roles_text(uint32_t roles) {
  if (roles == 0) return "public";
  std::string out;
  for (auto [bit, name] : kRoleNames) {
    if ((roles & bit) == 0) continue;
    if (!out.empty()) out += ',';
    out += name;
  }
  return out;
}

}  // namespace

struct Api::Impl::Router {
  struct Metrics {
    metrics::Histogram duration{metrics::latency_buckets_us(), 1e-6};
    std::array<metrics::Counter, kStatuses.size()> by_status;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{id}" for a placeholder
    uint32_t roles = 0;                 // 0: no authentication (operations endpoints)
    bool iso_body = false;              // may carry an ISO 20022 file
    bool login = false;                 // public, and held to the login tier per peer address
    std::function<void(Impl&, Call&)> handler;
    std::unique_ptr<Metrics> metrics = std::make_unique<Metrics>();
  };
  std::vector<Route> routes;
  Metrics unmatched;

  void add(std::string method, std::string pattern, uint32_t roles, std::function<void(Impl&, Call&)> handler,
           bool iso_body = false) {
    Route r;
    r.method = std::move(method);
    r.pattern = pattern;
    for (auto part : split_path(pattern)) r.segments.emplace_back(part);
    r.roles = roles;
    r.iso_body = iso_body;
    r.handler = std::move(handler);
    routes.push_back(std::move(r));
  }

  // The route for a request, its placeholders' values, and whether the path exists under
  // another method (405 rather than 404).
  const Route* match(std::string_view method, std::string_view path, std::vector<std::string>* params,
                     bool* other_method) const {
    const auto parts = split_path(path);
    *other_method = false;
    for (const auto& r : routes) {
      if (r.segments.size() != parts.size()) continue;
      bool ok = true;
      for (size_t i = 0; i < parts.size() && ok; ++i) {
        ok = r.segments[i].front() == '{' || r.segments[i] == parts[i];
      }
      if (!ok) continue;
      if (r.method != method) {
        *other_method = true;
        continue;
      }
      if (params != nullptr) {
        params->clear();
        for (size_t i = 0; i < parts.size(); ++i) {
          if (r.segments[i].front() == '{') params->push_back(url_decode(parts[i]));
        }
      }
      return &r;
    }
    return nullptr;
  }
};

namespace {

// What admit() found, handed to handle() with the request.
struct Admitted {
  const Api::Impl::Router::Route* route = nullptr;
  std::vector<std::string> params;
  bool other_method = false;
  std::optional<Principal> who;  // set when the route needs a key
};

std::string_view path_of(const Request& req) {
  std::string_view target = req.target;
  return target.substr(0, target.find('?'));
}

}  // namespace

Api::Impl::Impl(ApiSettings s, engine::CoreClient& core_client, store::ReadModel& read_model, const Clock& k)
    : settings(std::move(s)),
      core(core_client),
      reads(read_model),
      clock(k),
      pool(settings.reader_threads, settings.reader_queue_max),
      router(build_router()) {
  keyring = settings.signing_keys;
  if (!keyring) {
    auto ring = Keyring::open("", now_s());
    keyring = ring ? std::shared_ptr<Keyring>(std::move(*ring)) : nullptr;
  }
  sessions = std::make_unique<Sessions>(settings.sessions, *keyring);
}

// The table itself: it needs no instance, so `deltran routes` can print it.
std::unique_ptr<Api::Impl::Router> Api::Impl::build_router() {
  auto router = std::make_unique<Router>();
  using I = Impl;
  auto& t = *router;
  t.add("GET", "/health", 0, &I::get_health);
  t.add("GET", "/ready", 0, &I::get_ready);
  t.add("GET", "/metrics", 0, &I::get_metrics);
  // Sessions: logging in and refreshing need no key (they are how one is had).
  t.add("POST", "/api/v1/auth/login", 0, &I::post_login);
  t.routes.back().login = true;
  t.add("POST", "/api/v1/auth/refresh", 0, &I::post_refresh);
  t.routes.back().login = true;
  constexpr uint32_t kEveryone = kAnyone | kSettlementBank | kFxProvider;
  t.add("POST", "/api/v1/auth/logout", kEveryone, &I::post_logout);
  t.add("GET", "/api/v1/auth/session", kEveryone, &I::get_session);
  t.add("POST", "/api/v1/auth/signing-keys/rotate", kAdmin, &I::post_rotate_signing_key);
  t.add("GET", "/api/v1/audit", kAuditor | kAdmin, &I::get_audit);
  t.add("POST", "/api/v1/transfer", kAdmin | kParticipant, &I::post_transfer);
  t.add("GET", "/api/v1/transaction/{id}", kAnyone, &I::get_transaction);
  t.add("GET", "/api/v1/transactions", kAnyone, &I::get_transactions);
  t.add("POST", "/api/v1/banks", kAdmin, &I::post_bank);
  t.add("GET", "/api/v1/banks", kAnyone, &I::get_banks);
  t.add("GET", "/api/v1/banks/{id}", kAnyone, &I::get_bank);
  t.add("GET", "/api/v1/banks/{id}/balance", kAnyone, &I::get_balance);
  t.add("PUT", "/api/v1/banks/{id}/clearing-ids", kAdmin, &I::put_clearing_ids);
  t.add("PUT", "/api/v1/banks/{id}/roles", kAdmin, &I::put_roles);
  t.add("PUT", "/api/v1/banks/{id}/rate-tier", kAdmin, &I::put_rate_tier);
  // A participant rotates its own keys; the admin issues and revokes any (the recovery path).
  t.add("GET", "/api/v1/banks/{id}/keys", kAnyone, &I::get_keys);
  t.add("POST", "/api/v1/banks/{id}/keys", kAdmin | kParticipant, &I::post_key);
  t.add("DELETE", "/api/v1/banks/{id}/keys/{key_id}", kAdmin | kParticipant, &I::delete_key);
  t.add("PUT", "/api/v1/fx/rates/{pair}", kAdmin | kFxProvider, &I::put_rate);
  t.add("POST", "/api/v1/fx/quotes", kAdmin | kParticipant, &I::post_quote);
  t.add("GET", "/api/v1/corridors", kAnyone, &I::get_corridors);
  t.add("GET", "/api/v1/rates/{corridor}", kAnyone, &I::get_rates);
  t.add("GET", "/api/v1/liquidity/positions", kAnyone, &I::get_liquidity_positions);
  t.add("GET", "/api/v1/liquidity/gaps", kStaff, &I::get_liquidity_gaps);
  // Computes and changes nothing, so the auditor may ask too.
  t.add("POST", "/api/v1/liquidity/predict", kAnyone, &I::post_liquidity_predict);
  t.add("GET", "/api/v1/tokens/balance/{id}", kAnyone, &I::get_balance);
  t.add("POST", "/api/v1/tokens/mint", kAdmin, &I::post_mint);
  t.add("POST", "/api/v1/tokens/burn", kAdmin, &I::post_burn);
  // Booked now, outside the windows and the payment controls (limits, breakers, AML): the admin's.
  t.add("POST", "/api/v1/tokens/transfer", kAdmin, &I::post_token_transfer);
  t.add("POST", "/api/v1/tokens/convert", kAdmin, &I::post_token_convert);
  t.add("POST", "/api/v1/tokens/lock", kAdmin, &I::post_token_lock);
  t.add("POST", "/api/v1/tokens/unlock", kAdmin, &I::post_token_unlock);
  t.add("GET", "/api/v1/windows", kAnyone | kSettlementBank, &I::get_windows);
  t.add("GET", "/api/v1/windows/{id}", kAnyone | kSettlementBank, &I::get_window);
  t.add("GET", "/api/v1/windows/{id}/positions", kAnyone | kSettlementBank, &I::get_window);
  t.add("POST", "/api/v1/windows/{id}/close", kAdmin | kOperator, &I::post_window_close);
  t.add("GET", "/api/v1/events", kAnyone, &I::get_events);
  t.add("POST", "/api/v1/iso20022/pain.001", kAdmin | kParticipant,
        [](I& api, Call& c) { api.post_iso(c, iso20022::MessageType::kPain001); }, true);
  t.add("POST", "/api/v1/iso20022/pacs.008", kAdmin | kParticipant,
        [](I& api, Call& c) { api.post_iso(c, iso20022::MessageType::kPacs008); }, true);
  t.add("GET", "/api/v1/iso20022/camt.053", kAnyone, &I::get_camt053);
  t.add("GET", "/api/v1/iso20022/camt.054", kAnyone, &I::get_camt054);
  t.add("GET", "/api/v1/compliance/cases", kComplianceReaders, &I::get_cases);
  t.add("GET", "/api/v1/compliance/cases/{id}", kComplianceReaders, &I::get_case);
  t.add("POST", "/api/v1/compliance/cases/{id}/approve", kCompliance, [](I& api, Call& c) { api.post_case_decision(c, true); });
  t.add("POST", "/api/v1/compliance/cases/{id}/reject", kCompliance, [](I& api, Call& c) { api.post_case_decision(c, false); });
  t.add("POST", "/api/v1/compliance/check", kAdmin | kCompliance, &I::post_compliance_check);
  t.add("POST", "/api/v1/compliance/lists/reload", kAdmin | kOperator | kCompliance, &I::post_lists_reload);
  t.add("GET", "/api/v1/compliance/reports", kComplianceReaders, &I::get_aml_reports);
  t.add("GET", "/api/v1/risk/limits/{bank}", kAnyone, &I::get_limits);
  t.add("PUT", "/api/v1/risk/limits/{bank}", kAdmin, &I::put_limits);
  t.add("POST", "/api/v1/risk/evaluate", kAnyone, &I::post_risk_evaluate);
  t.add("GET", "/api/v1/risk/circuit-breakers", kAnyone, &I::get_breakers);
  t.add("POST", "/api/v1/risk/circuit-breakers/{id}/reset", kAdmin | kOperator, &I::post_breaker_reset);
  return router;
}

Api::Impl::~Impl() = default;

tl::expected<Principal, ApiError> Api::Impl::authenticate(const Request& req) const {
  std::string_view h = req.header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  // Over mTLS a verified client certificate is enough: its CN names the participant.
  if (h.empty() && !req.client_cn.empty()) return from_certificate(req.client_cn);
  if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) {
    return tl::unexpected(ApiError{Rc::kUnauthenticated, "missing 'Authorization: Bearer <key or access token>' header"});
  }
  std::string_view token = h.substr(kBearer.size());
  auto who = looks_like_token(token) ? from_token(token) : from_key(token);
  // Over mTLS the certificate and the credentials must name the same participant: a bank's
  // certificate does not lend its connection to another bank's key.
  if (who && !req.client_cn.empty() && who->has(kParticipant) && who->bank != req.client_cn) {
    return tl::unexpected(ApiError{Rc::kUnauthenticated, "the client certificate names " + req.client_cn +
                                                             " but the credentials are " + who->bank + "'s"});
  }
  return who;
}

tl::expected<Principal, ApiError> Api::Impl::from_key(std::string_view token) const {
  // Every staff key is compared, each in constant time, so timing tells nothing of which
  // one (if any) matched.
  uint32_t staff = 0;
  for (auto [key, role] : {std::pair{&settings.admin_key, kAdmin}, std::pair{&settings.operator_key, kOperator},
                           std::pair{&settings.compliance_key, kCompliance}, std::pair{&settings.auditor_key, kAuditor},
                           std::pair{&settings.settlement_bank_key, kSettlementBank}}) {
    if (!key->empty() && constant_time_equal(token, *key) && staff == 0) staff = role;
  }
  if (staff != 0) return Principal{staff, {}, {}, {}, {}, {}};
  const std::string hash = sha256_hex(token);
  auto view = core.view();
  const engine::ParticipantView* p = view->by_key_hash(hash);
  if (p == nullptr) return tl::unexpected(ApiError{Rc::kUnauthenticated, "unknown or revoked API key"});
  return Principal{p->info.fx_provider ? kParticipant | kFxProvider : uint32_t{kParticipant}, p->info.bic,
                   engine::key_id_of(hash), p->rate_tier, {}, {}};
}

tl::expected<Principal, ApiError> Api::Impl::from_certificate(const std::string& cn) const {
  auto view = core.view();
  const engine::ParticipantView* p = view->find(cn);
  if (p == nullptr) {
    return tl::unexpected(ApiError{Rc::kUnauthenticated, "the client certificate's subject (CN=" + cn + ") is no participant"});
  }
  // The admin cuts a participant off by revoking its last key; its certificate then stops
  // working too, without waiting for the CA to revoke it.
  if (p->keys.empty()) {
    return tl::unexpected(ApiError{Rc::kUnauthenticated, cn + " holds no API key: its access is revoked"});
  }
  return Principal{p->info.fx_provider ? kParticipant | kFxProvider : uint32_t{kParticipant}, p->info.bic, {},
                   p->rate_tier, {}, {}};
}

tl::expected<Principal, ApiError> Api::Impl::from_token(std::string_view token) const {
  const int64_t now = now_s();
  TokenRules rules;
  rules.now_s = now;
  rules.skew_s = settings.sessions.skew_s;
  rules.max_ttl_s = settings.sessions.access_ttl_s;
  auto claims = verify_token(token, *keyring, rules);
  auto refuse = [this](std::string message) {
    token_refusals.add();
    return tl::unexpected(ApiError{Rc::kUnauthenticated, std::move(message)});
  };
  if (!claims) return refuse(claims.error());
  if (!sessions->live(claims->sid, now)) {
    return refuse("the token's session has ended (logged out, replaced, or the rail restarted): log in again");
  }
  Principal who{0, {}, {}, {}, {}, claims->sid};
  for (const auto& name : claims->roles) {
    bool known = false;
    for (auto [bit, role] : kRoleNames) {
      if (role == name) {
        who.roles |= bit;
        known = true;
      }
    }
    if (!known) return refuse("the token names a role this rail does not have: " + name);
  }
  if (who.has(kParticipant)) {
    // The participant as it stands now: a revoked key ends the sessions it opened, and a
    // role granted or withdrawn since the login counts at once.
    auto view = core.view();
    const engine::ParticipantView* p = view->find(claims->bank);
    if (p == nullptr) return refuse("the token's participant does not exist");
    if (!claims->key_id.empty() &&
        std::none_of(p->keys.begin(), p->keys.end(), [&](const auto& k) { return k.id == claims->key_id; })) {
      return refuse("the API key this session was opened with has been revoked: log in again");
    }
    who.roles = p->info.fx_provider ? kParticipant | kFxProvider : uint32_t{kParticipant};
    who.bank = p->info.bic;
    who.key_id = claims->key_id;
    who.rate_tier = p->rate_tier;
  } else {
    who.user = claims->sub;
  }
  return who;
}

const RateTier& Api::Impl::rate_tier(std::string_view name) const {
  const std::string_view wanted = name.empty() ? std::string_view(settings.default_rate_tier) : name;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& t : settings.rate_tiers) {
      if (t.name == (pass == 0 ? wanted : std::string_view(settings.default_rate_tier))) return t;
    }
  }
  static const RateTier kStrictest{"standard", 100, 20};  // settings without their default tier
  return kStrictest;
}

void Api::Impl::submit(engine::Command cmd, const Principal& who, Respond respond,
                       std::function<Response(Reply&&)> render) {
  bool queued = core.submit(std::move(cmd), who.actor(), [respond, render = std::move(render)](Reply&& r) mutable {
    if (http_status(r.rc) == 503) return respond(error_response(error_of(r), r.retry_after_s));
    respond(render(std::move(r)));
  });
  if (!queued) respond(error_response(ApiError{Rc::kOverloaded, "the rail is at capacity; retry shortly"}, 1));
}

void Api::Impl::read(Respond respond, std::function<Response()> work) {
  auto shared = std::make_shared<Respond>(std::move(respond));
  bool posted = pool.post([shared, work = std::move(work)] { (*shared)(work()); });
  if (!posted) (*shared)(error_response(ApiError{Rc::kOverloaded, "too many reads in flight; retry shortly"}, 1));
}

// --- the Handler -------------------------------------------------------------------------

Api::Api(ApiSettings settings, engine::CoreClient& core, store::ReadModel& reads, const Clock& clock)
    : impl_(std::make_unique<Impl>(std::move(settings), core, reads, clock)) {}

Api::~Api() = default;

Admission Api::admit(const Request& head) {
  Admission a;
  auto admitted = std::make_shared<Admitted>();
  admitted->route = impl_->router->match(head.method, path_of(head), &admitted->params, &admitted->other_method);
  const Impl::Router::Route* route = admitted->route;
  a.body_limit_bytes = impl_->settings.unauthenticated_body_limit_bytes;
  if (route != nullptr && route->login) {
    // Logins from one address are held to the login tier: a password can be guessed.
    const auto index = static_cast<uint32_t>(route - impl_->router->routes.data());
    const RateTier& tier = impl_->rate_tier(impl_->settings.login_rate_tier);
    const int64_t now_us =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
    if (int64_t wait_s = impl_->limiter.take("@" + head.remote, index, tier, now_us); wait_s > 0) {
      impl_->refused_rate_limited.add();
      a.admitted = false;
      a.refusal = error_response(ApiError{Rc::kRateLimited, "too many " + route->pattern + " requests from " + head.remote +
                                                                " (tier " + tier.name + ")"},
                                 wait_s);
      return a;
    }
  }
  if (route == nullptr || route->roles != 0) {
    // Everything but the operations endpoints needs a key, checked before any body is read.
    auto who = impl_->authenticate(head);
    if (!who) {
      impl_->refused_unauthenticated.add();
      a.admitted = false;
      a.refusal = error_response(who.error());
      return a;
    }
    if (route != nullptr && (route->roles & who->roles) == 0) {
      a.admitted = false;
      a.refusal = error_response(ApiError{Rc::kForbidden, head.method + " " + route->pattern + " needs the " +
                                                              roles_text(route->roles) + " role"});
      return a;
    }
    // A participant's requests on each route are held to its tier, before any body is read.
    if (route != nullptr && who->has(kParticipant)) {
      const auto index = static_cast<uint32_t>(route - impl_->router->routes.data());
      const RateTier& tier = impl_->rate_tier(who->rate_tier);
      // A monotonic clock: a step of the wall clock must neither refill nor starve a bucket.
      const int64_t now_us =
          std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
      if (int64_t wait_s = impl_->limiter.take(who->bank, index, tier, now_us); wait_s > 0) {
        impl_->refused_rate_limited.add();
        a.admitted = false;
        a.refusal = error_response(ApiError{Rc::kRateLimited, who->bank + " is over its rate on " + route->pattern + " (tier " +
                                                                 tier.name + ": " + std::to_string(tier.per_minute) +
                                                                 " a minute, " + std::to_string(tier.burst) + " at once)"},
                                   wait_s);
        return a;
      }
    }
    admitted->who = std::move(*who);
    a.body_limit_bytes = route != nullptr && route->iso_body ? impl_->settings.iso_body_limit_bytes
                                                             : impl_->settings.body_limit_bytes;
  }
  a.context = std::move(admitted);
  return a;
}

void Api::handle(Request&& request, Respond respond) {
  const auto t0 = std::chrono::steady_clock::now();
  Impl* impl = impl_.get();
  impl->in_flight.add(1);
  auto req = std::make_shared<Request>(std::move(request));
  // Admitted on its headers (the server calls admit first); a request handed in without
  // that (tests, tools) is admitted here.
  auto admitted = std::static_pointer_cast<const Admitted>(req->admission);
  if (!admitted) {
    Admission a = admit(*req);
    if (!a.admitted) {
      impl->in_flight.add(-1);
      return respond(std::move(a.refusal));
    }
    admitted = std::static_pointer_cast<const Admitted>(a.context);
  }
  const Impl::Router::Route* route = admitted->route;
  Impl::Router::Metrics* m = route != nullptr ? route->metrics.get() : &impl->router->unmatched;
  Respond finish = [impl, req, m, t0, respond = std::move(respond)](Response&& res) {
    m->duration.observe(std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count());
    m->by_status[status_slot(res.status)].add();
    if (res.status >= 500) impl->errors_total.add();
    impl->in_flight.add(-1);
    respond(std::move(res));
  };
  if (route == nullptr) {
    return finish(error_response(ApiError{admitted->other_method ? Rc::kMethodNotAllowed : Rc::kNotFound,
                                          "no route for " + req->method + " " + std::string(path_of(*req))}));
  }
  // The operations endpoints need no key: their caller is no one in particular.
  const Principal who = admitted->who.value_or(Principal{0, {}, {}, {}, {}, {}});
  Call call{*req, who, admitted->params, std::move(finish)};
  route->handler(*impl, call);
}

std::vector<std::string> Api::routes() {
  std::vector<std::string> out;
  const auto router = Impl::build_router();
  for (const auto& r : router->routes) out.push_back(r.method + " " + r.pattern + " " + roles_text(r.roles));
  return out;
}

std::string Api::render_metrics() const { return impl_->render_metrics(); }

std::string Api::Impl::render_metrics() const {
  std::string out;
  out.reserve(32 << 10);
  metrics::render_header(out, "http_requests_total", "counter", "HTTP requests by method, route and status.");
  auto samples = [&](const std::string& method, const std::string& route, const Router::Metrics& m) {
    for (size_t i = 0; i < kStatuses.size(); ++i) {
      const uint64_t n = m.by_status[i].value();
      if (n == 0) continue;
      metrics::render_sample(out, "http_requests_total",
                             "method=\"" + method + "\",route=\"" + route + "\",status=\"" +
                                 (kStatuses[i] == 0 ? std::string("other") : std::to_string(kStatuses[i])) + "\"",
                             static_cast<double>(n));
    }
  };
  for (const auto& r : router->routes) samples(r.method, r.pattern, *r.metrics);
  samples("", "unmatched", router->unmatched);
  metrics::render_header(out, "http_request_duration_seconds", "histogram", "HTTP request latency by route.");
  for (const auto& r : router->routes) {
    r.metrics->duration.render(out, "http_request_duration_seconds", "method=\"" + r.method + "\",route=\"" + r.pattern + "\"");
  }
  metrics::render_header(out, "http_requests_in_flight", "gauge", "HTTP requests being handled.");
  metrics::render_sample(out, "http_requests_in_flight", "", static_cast<double>(in_flight.value()));
  metrics::render_header(out, "http_unauthenticated_refused_total", "counter",
                         "Requests refused 401 on their headers, before any body was read.");
  metrics::render_sample(out, "http_unauthenticated_refused_total", "", static_cast<double>(refused_unauthenticated.value()));
  metrics::render_header(out, "http_rate_limited_total", "counter",
                         "Participant requests refused 429 on their headers: over the tier's rate on the route.");
  metrics::render_sample(out, "http_rate_limited_total", "", static_cast<double>(refused_rate_limited.value()));
  metrics::render_header(out, "http_rate_limit_buckets", "gauge", "Rate-limit buckets held (caller and route).");
  metrics::render_sample(out, "http_rate_limit_buckets", "", static_cast<double>(limiter.buckets()));
  metrics::render_header(out, "auth_login_failures_total", "counter",
                         "Logins refused: an unknown user or participant, a wrong password or key.");
  metrics::render_sample(out, "auth_login_failures_total", "", static_cast<double>(login_failures.value()));
  metrics::render_header(out, "auth_token_refusals_total", "counter",
                         "Access tokens refused: malformed, forged, expired, not yet valid, or of an ended session.");
  metrics::render_sample(out, "auth_token_refusals_total", "", static_cast<double>(token_refusals.value()));
  metrics::render_header(out, "auth_sessions", "gauge", "Sessions held (live, and ended ones until they expire).");
  metrics::render_sample(out, "auth_sessions", "", static_cast<double>(sessions->size()));
  metrics::render_header(out, "errors_total", "counter", "Requests answered with a server error (5xx).");
  metrics::render_sample(out, "errors_total", "", static_cast<double>(errors_total.value()));
  return out;
}

}  // namespace deltran::gateway
