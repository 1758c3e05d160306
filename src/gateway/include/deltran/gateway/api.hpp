#pragma once
// The REST API under /api/v1: a table of routes (method, path pattern, roles, handler) over
// the core client and the read model. Authentication happens on the headers, before a body
// is read; syntax is validated completely before a command is built; what needs state is
// the core's. Safe to call from every I/O thread at once.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <deltran/core/clock.hpp>
#include <deltran/engine/core_client.hpp>
#include <deltran/gateway/auth.hpp>
#include <deltran/gateway/http.hpp>
#include <deltran/gateway/rate_limit.hpp>
#include <deltran/store/read_model.hpp>

namespace deltran::iso20022 {
class SchemaSet;
}
namespace deltran::compliance {
class Screener;
}
namespace deltran::store {
class Anchor;
}

namespace deltran::gateway {

struct ApiSettings {
  // Bearer tokens of the rail's staff and of its settlement bank; an empty one admits no one.
  std::string admin_key;            // admin role
  std::string operator_key;         // operator role
  std::string compliance_key;       // compliance officer
  std::string auditor_key;          // auditor: reads everything, changes nothing
  std::string settlement_bank_key;  // the settlement bank
  // Sessions (POST /auth/login): staff users log in by name and argon2id password,
  // participants with their API key; both get short-lived access tokens signed with these
  // keys (null: a keyring held in memory only, so tokens end with the process).
  std::vector<StaffUser> users;
  std::shared_ptr<Keyring> signing_keys;
  SessionSettings sessions;
  // Logins and refreshes are held to this tier per peer address (a password can be guessed).
  std::string login_rate_tier = "standard";
  // Official ISO 20022 XSDs; null: ISO messages are checked structurally only.
  std::shared_ptr<const iso20022::SchemaSet> schemas;
  // Sanctions/PEP screening; null: payments are not screened. `list_specs` are reloaded
  // by POST /compliance/lists/reload.
  std::shared_ptr<compliance::Screener> screener;
  std::vector<std::string> list_specs;
  // The rail's own identity in the ISO 20022 it emits: pain.002 InitgPty, pacs.002
  // InstgAgt, the servicer of every camt.053 account.
  std::string rail_bic = "DLTRAEADXXX";
  std::string rail_name = "DelTran";
  // FX quotes: paths of at most fx_max_hops conversions through rates no older than
  // fx_max_rate_age_us (0: validity only), honoured for fx_quote_ttl_us.
  int64_t fx_max_rate_age_us = 3'600'000'000;
  int fx_max_hops = 3;
  int64_t fx_quote_ttl_us = 60'000'000;
  // The counter-flow grade at which the risk score treats a payment as offset (the risk
  // settings' counterflow_probability/confidence_permille), for POST /liquidity/predict.
  int instant_probability_permille = 600, instant_confidence_permille = 750;
  // The audit chain's anchor beside the store (GET /audit carries its lines); null: none.
  store::Anchor* anchor = nullptr;
  int64_t audit_page_events = 50'000;  // events per GET /audit answer at most
  int list_limit_max = 1000;
  size_t body_limit_bytes = 1 << 20;          // JSON bodies
  size_t iso_body_limit_bytes = 64u << 20;    // ISO 20022 files, for authenticated senders only
  size_t unauthenticated_body_limit_bytes = 4 << 10;
  // Each participant's requests on each route are held to its tier (PUT /banks/{id}/rate-tier),
  // or to the default tier; the staff's are not limited.
  std::vector<RateTier> rate_tiers = default_rate_tiers();
  std::string default_rate_tier = "standard";
  int reader_threads = 2;
  size_t reader_queue_max = 4'096;
  // Appends the metrics of what runs beside the API (the core) to /metrics.
  std::function<void(std::string&)> more_metrics;
};

class Api final : public Handler {
 public:
  Api(ApiSettings settings, engine::CoreClient& core, store::ReadModel& reads, const Clock& clock);
  ~Api() override;

  Admission admit(const Request& head) override;
  void handle(Request&& request, Respond respond) override;
  // The Prometheus text exposition of every metric of the process.
  std::string render_metrics() const;
  // Every route: "METHOD /pattern roles" (roles comma-separated, or "public").
  static std::vector<std::string> routes();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltran::gateway
