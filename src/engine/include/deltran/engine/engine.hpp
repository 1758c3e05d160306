#pragma once
// The single-writer core: one thread takes commands from a bounded queue, decides each
// against in-memory state, turns every state change into an event, applies the events,
// writes each batch's events and effects in one store transaction (group commit), and only
// then releases the replies and publishes a new read view. The commit runs on a thread of
// its own while the core decides the next batch (one batch in flight). On start, and after a failed
// commit, it rebuilds its state from the latest snapshot and the events after it, so
// memory never holds what the store does not, and restart time does not grow with history.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <vector>

#include <deltran/compliance/aml.hpp>
#include <deltran/core/clock.hpp>
#include <deltran/core/metrics.hpp>
#include <deltran/core/result.hpp>
#include <deltran/engine/core_client.hpp>
#include <deltran/money/reference_rates.hpp>
#include <deltran/risk/circuit_breaker.hpp>
#include <deltran/risk/risk_score.hpp>
#include <deltran/store/anchor.hpp>
#include <deltran/store/commit_log.hpp>

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
  int64_t sar_interval_us = 86'400'000'000;      // at most one SAR per debtor per day
  int64_t history_us = 30LL * 86'400'000'000;    // the participants' failure history
};

struct Settings {
  size_t queue_max = 65'536;    // commands waiting; beyond it submit() refuses (503)
  size_t batch_max = 4'096;     // commands per group commit (one ISO message is never split)
  int64_t max_payment_minor = 100'000'000'000'000;  // per payment, any currency
  int64_t reload_retry_ms = 1'000;                  // while the store is down
  // Idempotency keys are answered for this long (from memory, then from the store).
  int64_t idempotency_retention_us = 30LL * 86'400'000'000;
  // Whole answers stay in memory this long; older keys keep only a fingerprint there.
  int64_t idempotency_memory_us = 600'000'000;
  // A snapshot of the state after this many events, and at a clean stop (unless off:
  // tests that stand for a crash).
  int64_t snapshot_every_events = 500'000;
  bool snapshot_on_stop = true;
  // payment.settled events written per group commit after a window settles.
  int settled_events_per_batch = 5'000;
  // FX: a rate posted longer ago than this is stale even within its validity (0: only its
  // validity counts); paths take at most this many conversions.
  int64_t fx_max_rate_age_us = 3'600'000'000;
  int fx_max_hops = 3;
  Controls controls;
};

struct EngineMetrics {
  metrics::Histogram batch_size{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096}, 1.0};
  metrics::Histogram commit_latency_us{metrics::latency_buckets_us(), 1e-6};
  metrics::Histogram snapshot_pause_us{metrics::latency_buckets_us(), 1e-6};
  metrics::Gauge queue_depth;
  metrics::Gauge last_seq;
  metrics::Counter commits;
  metrics::Counter commit_failures;
  metrics::Counter events;
  metrics::Counter snapshots;
  metrics::Counter snapshot_failures;
  metrics::Counter payments_queued;
  metrics::Counter payments_rejected;
  metrics::Counter payments_held;
  metrics::Counter payments_settled;
  metrics::Counter windows_settled;
  metrics::Counter ctr_filed;
  metrics::Counter sar_filed;
  metrics::Counter circuit_refusals;  // payments refused by an open breaker
  metrics::Counter breakers_opened;
  metrics::Counter idempotency_store_lookups;  // retries answered from the store, not memory
};

// What a rebuild read and how long it took (for the log and tests).
struct RestoreStats {
  int64_t snapshot_seq = 0;
  int64_t snapshot_bytes = 0;
  int64_t events_replayed = 0;
  int64_t load_ms = 0;
};

class Engine final : public CoreClient {
 public:
  // `anchor` may be null (tests): the audit chain is then kept in the store only.
  Engine(Settings settings, store::CommitLog& log, const Clock& clock, store::Anchor* anchor = nullptr);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Loads state from the store and starts the core's thread.
  [[nodiscard]] Status start();
  // Finishes every queued command, stops the thread and writes a snapshot.
  void stop();

  bool submit(Command command, std::string actor, Completion done) override;
  bool submit_many(std::vector<Command> commands, std::string actor, ManyCompletion done) override;
  // Submits and waits; for tests, tools and the scheduler.
  Reply execute(Command command, std::string actor);

  std::shared_ptr<const ReadView> view() const override;
  bool ready() const override { return ready_.load(std::memory_order_acquire); }
  Reply evaluate_risk(const TransferCommand& payment) override;
  std::vector<BreakerView> breakers() override;

  // Where replies run. By default on the core's thread; the HTTP server hands the whole
  // batch to its I/O threads in one post, which wakes them once per batch, not per reply.
  using Dispatcher = std::function<void(std::vector<std::function<void()>>&&)>;
  void set_dispatcher(Dispatcher d) {
    std::lock_guard lock(dispatcher_mutex_);
    dispatcher_ = std::move(d);
  }

  const EngineMetrics& metrics() const { return metrics_; }
  RestoreStats last_restore() const;
  // Serialises the state now and saves it (on the caller's thread; the core must be stopped).
  [[nodiscard]] Status write_snapshot();

  struct State;  // defined in state.hpp

 private:
  struct Envelope {
    std::vector<Command> commands;
    std::string actor;
    Completion one;
    ManyCompletion many;
  };

  // A decided batch on its way to the store, with what goes out once it is durable: the
  // replies, the read view and a snapshot (defined in engine.cpp).
  struct InFlight;

  void run();
  void process(std::deque<Envelope>& work);
  // Takes queued envelopes into `work` while they fit in a batch of `n` commands.
  void take(std::deque<Envelope>& work, size_t& n);
  [[nodiscard]] Status reload();
  void commit_loop();
  [[nodiscard]] bool commit(InFlight& f);
  void dispatch(std::deque<Envelope>& work, std::vector<Reply>& replies);

  Settings settings_;
  store::CommitLog& log_;
  const Clock& clock_;
  store::Anchor* anchor_;
  std::unique_ptr<State> state_;
  EngineMetrics metrics_;
  // Held exclusively while commands are decided; evaluate_risk and breakers() read under
  // it shared, so they see whole commands and never wait for a commit.
  mutable std::shared_mutex state_mutex_;

  // The queue and the hand-over to the commit thread, under one mutex: the core waits on
  // queue_cv_ for commands or for the batch in flight to be done; the commit thread on
  // commit_cv_ for a batch.
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::deque<Envelope> queue_;
  size_t queued_commands_ = 0;
  bool stopping_ = false;
  bool running_ = false;
  std::thread thread_;
  std::atomic<bool> ready_{false};
  // Set while the core may already be answering (a restart with settled windows to tell).
  std::mutex dispatcher_mutex_;
  Dispatcher dispatcher_;

  // Pipelined group commit: the commit thread writes batch N while the core decides N+1.
  // At most one batch is in flight; N+1 is handed over only after N is durable, and if N
  // fails, N+1 (decided on N's effects) fails with it and the state is rebuilt.
  std::condition_variable commit_cv_;
  std::unique_ptr<InFlight> in_flight_;
  bool commit_failed_ = false;
  bool commit_thread_stop_ = false;
  std::thread commit_thread_;
  std::atomic<int64_t> committed_batch_{0};  // the last chain link known durable

  mutable std::mutex view_mutex_;
  std::shared_ptr<const ReadView> view_;  // published: what is durable
  std::shared_ptr<const ReadView> built_view_;  // the core's newest, published with its batch
  int64_t view_day_ = 0;
  RestoreStats restore_stats_;

  // Snapshots are serialised on the core's thread, handed over once their batch is
  // durable, and written by this one.
  std::mutex snapshot_mutex_;
  std::condition_variable snapshot_cv_;
  std::optional<store::Snapshot> snapshot_pending_;
  bool snapshot_writing_ = false;
  bool snapshot_thread_stop_ = false;
  std::thread snapshot_thread_;
  int64_t last_snapshot_seq_ = 0;
};

}  // namespace deltran::engine
