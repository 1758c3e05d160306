#pragma once
// Private to the gateway library: what the REST handlers (api.cpp) and the ISO 20022
// handlers (iso_api.cpp) share.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include <deltran/core/crypto.hpp>
#include <deltran/core/metrics.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/gateway/api.hpp>

#include <boost/json/object.hpp>

#include <deltran/iso20022/model.hpp>

namespace deltran::gateway {

using engine::Outcome;
using engine::Reply;

struct Principal {
  bool admin = false;
  std::string bank;         // for a participant
  bool compliance = false;  // the compliance officer: reviews cases, acts for no bank
  std::string actor() const { return admin ? "admin" : compliance ? "compliance" : bank; }
  bool may_act_for(std::string_view b) const { return admin || (!compliance && bank == b); }
  bool sees_everything() const { return admin || compliance; }
};

// An API error: HTTP status, stable code, message, and ISO 20022 reason (may be empty).
struct ApiError {
  int status = 400;
  std::string code;
  std::string message;
  std::string reason;
};

// One party of a payment as screening sees it.
struct ScreenedParty {
  std::string role;     // debtor, creditor, ultimate_debtor…
  std::string name;
  std::string country;  // ISO 3166 alpha-2 or empty
};

namespace internal {
tl::expected<boost::json::object, ApiError> parse_object(const Request& req);
Response json_response(int status, std::string body);
std::string error_body(const ApiError& e, const engine::PaymentResult* payment = nullptr);
Response error_response(const ApiError& e);
int exponent_of(std::string_view currency);
std::string amount_text(int64_t minor, std::string_view currency);
int status_of(Outcome o);
ApiError error_of(const Reply& r);
std::map<std::string, std::string> query_params(const std::string& target);
std::string url_decode(std::string_view segment);
// A list request's page: `limit` (default 100, clamped to 1..max) and `cursor` (0: newest).
struct Page {
  int limit = 100;
  int64_t cursor = 0;
};
tl::expected<Page, ApiError> read_page(const std::map<std::string, std::string>& q, int64_t max_limit);
// What makes two requests "the same payment" for an idempotent retry: agents, currency,
// amount, parties, EndToEndId, remittance and the UETR as the sender gave it (or empty).
std::string payment_request_hash(const engine::TransferCommand& cmd, std::string_view uetr_as_sent);
// A non-negative integer query parameter (0 when absent), or nullopt when malformed.
std::optional<int64_t> positive_int(const std::map<std::string, std::string>& q, const std::string& key);
}  // namespace internal

struct Api::Impl {
  Impl(ApiSettings s, engine::Engine& e, store::Store& st, const Clock& c)
      : settings(std::move(s)), engine(e), store(st), clock(c) {}

  ApiSettings settings;
  engine::Engine& engine;
  store::Store& store;
  const Clock& clock;

  // HTTP metrics.
  metrics::Gauge in_flight;
  mutable std::mutex counters_mutex;
  std::map<std::string, uint64_t> requests_total;  // rendered label set → count
  std::map<std::string, std::unique_ptr<metrics::Histogram>> durations;  // by route
  metrics::Counter errors_total;

  void finish(const Request& req, const std::string& route, std::chrono::steady_clock::time_point t0,
              Response& res) {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    std::string labels = "method=\"" + req.method + "\",route=\"" + route + "\",status=\"" + std::to_string(res.status) + "\"";
    std::lock_guard lock(counters_mutex);
    ++requests_total[labels];
    auto& h = durations[route];
    if (!h) h = std::make_unique<metrics::Histogram>(metrics::latency_buckets_us(), 1e-6);
    h->observe(us);
    if (res.status >= 500) errors_total.add();
  }

  // Authenticates the bearer token: the operator's key, or a participant's API key.
  tl::expected<Principal, ApiError> authenticate(const Request& req) const {
    std::string_view h = req.header("authorization");
    constexpr std::string_view kBearer = "Bearer ";
    if (h.size() <= kBearer.size() || h.substr(0, kBearer.size()) != kBearer) {
      return tl::unexpected(ApiError{401, "unauthenticated", "missing 'Authorization: Bearer <key>' header", ""});
    }
    std::string_view token = h.substr(kBearer.size());
    if (!settings.admin_key.empty() && constant_time_equal(token, settings.admin_key)) {
      return Principal{true, {}, false};
    }
    if (!settings.compliance_key.empty() && constant_time_equal(token, settings.compliance_key)) {
      return Principal{false, {}, true};
    }
    auto table = engine.auth_table();
    auto it = table->bank_by_key_hash.find(sha256_hex(token));
    if (it == table->bank_by_key_hash.end()) {
      return tl::unexpected(ApiError{401, "unauthenticated", "unknown or revoked API key", ""});
    }
    return Principal{false, it->second, false};
  }

  // Sends a command to the engine and answers through `done` when its batch is durable.
  void submit(engine::Command cmd, const Principal& who, Respond respond,
              std::function<Response(Reply&&)> render) {
    bool queued = engine.submit(std::move(cmd), who.actor(),
                                [respond, render = std::move(render)](Reply&& r) mutable {
                                  if (r.outcome == Outcome::kUnavailable) {
                                    respond(internal::error_response(internal::error_of(r)));
                                  } else {
                                    respond(render(std::move(r)));
                                  }
                                });
    if (!queued) {
      respond(internal::error_response(ApiError{503, "overloaded", "the rail is at capacity; retry shortly", ""}));
    }
  }

  void route(Request& req, const Principal* who, std::string& route_name, Respond respond);
  tl::expected<engine::TransferCommand, ApiError> read_transfer(const boost::json::object& body,
                                                                const Principal& who) const;
  void post_transfer(Request& req, const Principal& who, Respond respond);
  void post_bank(Request& req, Respond respond);
  void post_tokens(Request& req, bool mint, Respond respond);
  void get_transactions(const Request& req, const Principal& who, Respond respond);
  void get_cases(const Request& req, Respond respond);
  void get_transaction(std::string_view id, const Principal& who, Respond respond);
  void get_windows(const Request& req, const Principal& who, Respond respond);
  // ISO 20022 (iso_api.cpp).
  void submit_all(std::vector<engine::Command> commands, const Principal& who,
                  std::function<void(std::vector<Reply>&&)> done);
  void post_iso(Request& req, const Principal& who, iso20022::MessageType type, Respond respond);
  void get_camt053(const Request& req, const Principal& who, Respond respond);
  // Screening (screening.cpp).
  engine::Screening screen_parties(const std::vector<ScreenedParty>& parties) const;
  void post_compliance_check(Request& req, Respond respond);
  void post_lists_reload(Respond respond);
  // Risk and AML reports (risk_api.cpp).
  void post_risk_evaluate(Request& req, const Principal& who, Respond respond);
  void get_breakers(const Principal& who, Respond respond);
  void post_breaker_reset(std::string id, const Principal& who, Respond respond);
  void get_aml_reports(const Request& req, Respond respond);
};

}  // namespace deltran::gateway
