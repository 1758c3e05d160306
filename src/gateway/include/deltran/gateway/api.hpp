#pragma once
// The REST API under /api/v1: authentication, validation, and the mapping between JSON
// and the engine's commands and replies. Stateless apart from metrics; safe to call from
// every I/O thread at once.
#include <memory>
#include <string>
#include <vector>

#include <deltran/core/clock.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/gateway/http.hpp>
#include <deltran/store/store.hpp>

namespace deltran::iso20022 {
class SchemaSet;
}
namespace deltran::compliance {
class Screener;
}

namespace deltran::gateway {

struct ApiSettings {
  std::string admin_key;       // bearer token of the operator (admin role)
  std::string compliance_key;  // bearer token of the compliance officer
  // Official ISO 20022 XSDs; null: ISO messages are checked structurally only.
  std::shared_ptr<const iso20022::SchemaSet> schemas;
  // Sanctions/PEP screening; null: payments are not screened. `list_specs` are reloaded
  // by POST /compliance/lists/reload.
  std::shared_ptr<compliance::Screener> screener;
  std::vector<std::string> list_specs;
  int list_limit_max = 1000;
};

class Api final : public Handler {
 public:
  Api(ApiSettings settings, engine::Engine& engine, store::Store& store, const Clock& clock);
  ~Api() override;

  void handle(Request&& request, Respond respond) override;
  // The Prometheus text exposition of every metric of the process.
  std::string render_metrics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltran::gateway
