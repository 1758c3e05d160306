#pragma once
// The single-writer core: one thread takes commands from a bounded queue, applies them to
// in-memory state, writes each batch's effects in one store transaction (group commit),
// and only then releases the replies. On start, and after a failed commit, it rebuilds its
// state from the store, so memory never holds what the store does not.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <deltran/compliance/aml.hpp>
#include <deltran/core/clock.hpp>
#include <deltran/core/metrics.hpp>
#include <deltran/core/result.hpp>
#include <deltran/engine/commands.hpp>
#include <deltran/money/reference_rates.hpp>
#include <deltran/risk/circuit_breaker.hpp>
#include <deltran/risk/risk_score.hpp>
#include <deltran/store/store.hpp>

namespace deltran::engine {

// The stateful compliance and risk controls the core applies to each payment, after
// screening (which runs outside the core) and before limits and liquidity.
struct Controls {
  bool aml_enabled = true;
  compliance::AmlSettings aml = compliance::AmlSettings::defaults();
  bool risk_enabled = true;
  risk::RiskSettings risk = risk::RiskSettings::defaults();
  bool breakers_enabled = true;
  risk::BreakerSettings breakers;
  // Amounts in other currencies meet USD thresholds at these rates; a currency without a
  // rate skips the amount-based AML rules and scores as the largest band for risk.
  money::UsdReferenceRates usd_rates = money::UsdReferenceRates::defaults();
  int64_t sar_interval_us = 86'400'000'000;  // at most one SAR per debtor per day
  int64_t history_us = 30LL * 86'400'000'000;  // rebuilt from the store on start
};

struct Settings {
  size_t queue_max = 65'536;    // commands waiting; beyond it submit() refuses (503)
  size_t batch_max = 4'096;     // commands per group commit
  int64_t max_payment_minor = 100'000'000'000'000;  // per payment, any currency
  int64_t reload_retry_ms = 1'000;  // while the store is down
  Controls controls;
};

// Bank id (as authenticated by its API key hash), published after the bank is durable.
struct AuthTable {
  std::unordered_map<std::string, std::string> bank_by_key_hash;
};

struct EngineMetrics {
  metrics::Histogram batch_size{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, 1.0};
  metrics::Histogram commit_latency_us{metrics::latency_buckets_us(), 1e-6};
  metrics::Gauge queue_depth;
  metrics::Counter commits;
  metrics::Counter commit_failures;
  metrics::Counter payments_queued;
  metrics::Counter payments_rejected;
  metrics::Counter payments_held;
  metrics::Counter payments_settled;
  metrics::Counter windows_settled;
  metrics::Counter ctr_filed;
  metrics::Counter sar_filed;
  metrics::Counter circuit_refusals;  // payments refused by an open breaker
  metrics::Counter breakers_opened;
};

class Engine {
 public:
  Engine(Settings settings, store::Store& store, const Clock& clock);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads state from the store and starts the engine's thread.
  [[nodiscard]] Status start();
  // Finishes every queued command, then stops the thread.
  void stop();

  // Enqueues a command. False when the queue is full or the engine is stopped: the
  // caller sheds the load (503 Retry-After) at once. `actor` is who asked, for the audit.
  bool submit(Command command, std::string actor, Completion done);
  // Submits and waits; for tests, tools and the scheduler.
  Reply execute(Command command, std::string actor);

  // Where replies run. By default on the engine's thread; the HTTP server hands the whole
  // batch to its I/O threads in one post, which wakes them once per batch, not per reply.
  using Dispatcher = std::function<void(std::vector<std::function<void()>>&&)>;
  void set_dispatcher(Dispatcher d) { dispatcher_ = std::move(d); }

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  std::shared_ptr<const AuthTable> auth_table() const;
  // Last netting efficiency per currency, in ppm, for /metrics.
  std::map<std::string, int64_t> efficiency_by_currency() const;
  const EngineMetrics& metrics() const { return metrics_; }

  struct State;  // defined in engine.cpp

 private:
  struct Envelope {
    Command command;
    std::string actor;
    Completion done;
  };

  void run();
  void process(std::deque<Envelope>& work);
  Status reload();
  void publish();

  Settings settings_;
  store::Store& store_;
  const Clock& clock_;
  std::unique_ptr<State> state_;
  EngineMetrics metrics_;

  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Envelope> queue_;
  bool stopping_ = false;
  bool running_ = false;
  std::thread thread_;
  std::atomic<bool> ready_{false};
  Dispatcher dispatcher_;

  mutable std::mutex publish_mutex_;
  std::shared_ptr<const AuthTable> auth_;
  std::map<std::string, int64_t> efficiency_;
};

}  // namespace deltran::engine
