#pragma once
// One running rail: store, engine, API, HTTP server and the window scheduler, wired
// together. `deltran serve` runs one until a signal; `deltran demo` drives one over HTTP.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <deltran/core/clock.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/gateway/api.hpp>
#include <deltran/gateway/http.hpp>
#include <deltran/store/anchor.hpp>
#include <deltran/store/sqlite.hpp>

#include "config.hpp"

namespace deltran::app {

class Node {
 public:
  explicit Node(Config config);
  ~Node();

  [[nodiscard]] Status start();
  void stop();

  uint16_t port() const { return port_; }
  const std::string& host() const { return host_; }
  const std::string& admin_key() const { return admin_key_; }
  bool tls() const { return !config_.tls_cert_file.empty(); }
  const std::string& compliance_key() const { return compliance_key_; }
  const std::string& operator_key() const { return operator_key_; }
  const std::string& auditor_key() const { return auditor_key_; }
  store::Store& store() { return *store_; }
  store::Anchor* anchor() { return anchor_.get(); }

 private:
  void run_scheduler();
  void warn_missing_rates();
  [[nodiscard]] Status post_rates_file();
  void render_core_metrics(std::string& out) const;
  [[nodiscard]] Result<std::string> load_or_create_key(const std::string& configured, const std::string& file,
                                                       const std::string& prefix, const std::string& variable);

  Config config_;
  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Anchor> anchor_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<gateway::Api> api_;
  std::unique_ptr<gateway::HttpServer> server_;
  std::string host_;
  uint16_t port_ = 0;
  std::string admin_key_;
  std::string compliance_key_;
  std::string operator_key_;
  std::string auditor_key_;
  std::string settlement_bank_key_;

  std::mutex scheduler_mutex_;
  std::condition_variable scheduler_cv_;
  bool stopping_ = false;
  std::thread scheduler_;
};

// Structured logs: JSON lines on stderr.
void setup_logging(const std::string& level);

}  // namespace deltran::app
