#include <deltran/engine/engine.hpp>

#include <algorithm>

#include <chrono>
#include <future>

#include <spdlog/spdlog.h>

#include <deltran/core/assert.hpp>

#include "state.hpp"

namespace deltran::engine {

Engine::Engine(Settings settings, store::Store& store, const Clock& clock)
    : settings_(settings), store_(store), clock_(clock), state_(std::make_unique<State>()),
      auth_(std::make_shared<AuthTable>()) {}

Engine::~Engine() { stop(); }

Status Engine::start() {
  if (auto st = reload(); !st) return st;
  {
    std::lock_guard lock(queue_mutex_);
    running_ = true;
    stopping_ = false;
  }
  thread_ = std::thread([this] { run(); });
  return {};
}

void Engine::stop() {
  {
    std::lock_guard lock(queue_mutex_);
    if (!running_) return;
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(queue_mutex_);
  running_ = false;
  ready_.store(false, std::memory_order_release);
}

bool Engine::submit(Command command, std::string actor, Completion done) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!running_ || stopping_ || queue_.size() >= settings_.queue_max) return false;
    queue_.push_back(Envelope{std::move(command), std::move(actor), std::move(done)});
    metrics_.queue_depth.set(static_cast<int64_t>(queue_.size()));
  }
  queue_cv_.notify_one();
  return true;
}

Reply Engine::execute(Command command, std::string actor) {
  auto promise = std::make_shared<std::promise<Reply>>();
  auto future = promise->get_future();
  if (!submit(std::move(command), std::move(actor), [promise](Reply&& r) { promise->set_value(std::move(r)); })) {
    Reply r;
    r.outcome = Outcome::kUnavailable;
    r.code = "overloaded";
    r.message = "the engine is not accepting commands";
    return r;
  }
  return future.get();
}

std::shared_ptr<const AuthTable> Engine::auth_table() const {
  std::lock_guard lock(publish_mutex_);
  return auth_;
}

std::map<std::string, int64_t> Engine::efficiency_by_currency() const {
  std::lock_guard lock(publish_mutex_);
  return efficiency_;
}

Status Engine::reload() {
  const int64_t now = clock_.now_us();
  // Volumes since 00:00 UTC today; the controls' history over its window; whole payments
  // over the AML rules' longest window.
  const auto& aml = settings_.controls.aml;
  store::LoadRange range;
  range.day_start_us = now - now % 86'400'000'000;
  range.history_since_us = now - settings_.controls.history_us;
  range.recent_since_us = now - std::max({aml.rapid_window_us, aml.structuring_window_us, int64_t{86'400'000'000}});
  auto snap = store_.load(range);
  if (!snap) {
    ready_.store(false, std::memory_order_release);
    return tl::unexpected(snap.error());
  }
  state_ = std::make_unique<State>();
  restore_state(*state_, settings_, *snap, now);
  if (auto st = state_->ledger.check_invariants(); !st) {
    return make_error(ErrorCode::kInternal, "stored ledger breaks an invariant: " + st.error().message);
  }
  publish();
  ready_.store(true, std::memory_order_release);
  return {};
}

// Publishes what other threads read: the API key table and the last efficiency figures.
void Engine::publish() {
  auto table = std::make_shared<AuthTable>();
  for (const auto& [id, p] : state_->participants) table->bank_by_key_hash[p.api_key_hash] = id;
  std::map<std::string, int64_t> eff;
  for (const auto& [id, w] : state_->windows) {
    if (w.status == store::WindowStatus::kSettled) eff[w.currency] = w.efficiency_ppm;
  }
  std::lock_guard lock(publish_mutex_);
  auth_ = std::move(table);
  efficiency_ = std::move(eff);
}

void Engine::run() {
  std::deque<Envelope> work;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return !queue_.empty() || stopping_; });
      if (queue_.empty() && stopping_) return;
      size_t n = std::min(queue_.size(), settings_.batch_max);
      if (n == queue_.size()) {
        work.swap(queue_);
      } else {
        for (size_t i = 0; i < n; ++i) {
          work.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
      }
      metrics_.queue_depth.set(static_cast<int64_t>(queue_.size()));
    }
    process(work);
    work.clear();
  }
}

void Engine::process(std::deque<Envelope>& work) {
  std::vector<Reply> replies;
  replies.reserve(work.size());
  if (!ready()) {
    // The store failed earlier: try to rebuild; until it answers, fail fast.
    if (auto st = reload(); !st) {
      for (auto& e : work) {
        Reply r;
        r.outcome = Outcome::kUnavailable;
        r.code = "store_unavailable";
        r.message = "the system of record is unavailable: " + st.error().message;
        e.done(std::move(r));
      }
      return;
    }
    spdlog::info("engine: state rebuilt from the store");
  }
  State& s = *state_;
  s.batch.clear();
  s.now_us = clock_.now_us();
  s.batch_queued = s.batch_rejected = s.batch_held = s.batch_settled = s.batch_windows_settled = 0;
  s.batch_ctr = s.batch_sar = s.batch_refused = s.batch_breakers_opened = 0;
  s.auth_changed = false;
  for (auto& e : work) replies.push_back(apply_command(s, settings_, e.command, e.actor));
  finish_batch(s);

  if (!s.batch.empty()) {
    auto t0 = std::chrono::steady_clock::now();
    Status st = store_.commit(s.batch);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
    metrics_.commit_latency_us.observe(us);
    metrics_.batch_size.observe(static_cast<int64_t>(work.size()));
    if (!st) {
      metrics_.commit_failures.add();
      spdlog::error("engine: commit of {} commands failed: {}", work.size(), st.error().message);
      // Memory now holds effects the store does not: drop them and rebuild from the store
      // before the next batch. Nothing in this batch was acknowledged.
      ready_.store(false, std::memory_order_release);
      for (auto& r : replies) {
        r = Reply{};
        r.outcome = Outcome::kUnavailable;
        r.code = "store_unavailable";
        r.message = "the system of record could not commit: " + st.error().message;
      }
    } else {
      metrics_.commits.add();
      metrics_.payments_queued.add(static_cast<uint64_t>(s.batch_queued));
      metrics_.payments_rejected.add(static_cast<uint64_t>(s.batch_rejected));
      metrics_.payments_held.add(static_cast<uint64_t>(s.batch_held));
      metrics_.payments_settled.add(static_cast<uint64_t>(s.batch_settled));
      metrics_.windows_settled.add(static_cast<uint64_t>(s.batch_windows_settled));
      metrics_.ctr_filed.add(static_cast<uint64_t>(s.batch_ctr));
      metrics_.sar_filed.add(static_cast<uint64_t>(s.batch_sar));
      metrics_.breakers_opened.add(static_cast<uint64_t>(s.batch_breakers_opened));
      if (s.auth_changed || s.batch_windows_settled > 0) publish();
    }
  }
  // Refusals change nothing, so a batch of only refusals commits nothing: count them here.
  metrics_.circuit_refusals.add(static_cast<uint64_t>(s.batch_refused));
  if (!dispatcher_) {
    for (size_t i = 0; i < work.size(); ++i) work[i].done(std::move(replies[i]));
    return;
  }
  std::vector<std::function<void()>> calls;
  calls.reserve(work.size());
  for (size_t i = 0; i < work.size(); ++i) {
    calls.emplace_back([done = std::move(work[i].done), reply = std::move(replies[i])]() mutable {
      done(std::move(reply));
    });
  }
  dispatcher_(std::move(calls));
}

}  // namespace deltran::engine
