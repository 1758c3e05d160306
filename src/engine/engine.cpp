#include <deltran/engine/engine.hpp>

#include <algorithm>
#include <chrono>
#include <future>

#include <spdlog/spdlog.h>

#include <deltran/core/assert.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

int64_t elapsed_us(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
}

Reply unavailable(Rc rc, std::string message) {
  Reply r;
  r.rc = rc;
  r.message = std::move(message);
  r.retry_after_s = 1;
  return r;
}

}  // namespace

struct Engine::InFlight {
  store::Batch batch;
  std::deque<Envelope> work;
  std::vector<Reply> replies;
  State::Counts counts;
  size_t commands = 0;
  int64_t last_seq = 0;
  std::shared_ptr<const ReadView> view;  // null when the batch changed nothing
  std::optional<store::Snapshot> snapshot;
};

Engine::Engine(Settings settings, store::CommitLog& log, const Clock& clock, store::Anchor* anchor)
    : settings_(std::move(settings)),
      log_(log),
      clock_(clock),
      anchor_(anchor),
      state_(std::make_unique<State>(settings_)),
      view_(std::make_shared<ReadView>()) {}

Engine::~Engine() { stop(); }

Status Engine::start() {
  if (auto st = reload(); !st) return st;
  {
    std::lock_guard lock(queue_mutex_);
    running_ = true;
    stopping_ = false;
  }
  snapshot_thread_stop_ = false;
  snapshot_thread_ = std::thread([this] {
    for (;;) {
      store::Snapshot snap;
      {
        std::unique_lock lock(snapshot_mutex_);
        snapshot_cv_.wait(lock, [&] { return snapshot_pending_.has_value() || snapshot_thread_stop_; });
        if (!snapshot_pending_) return;
        snap = std::move(*snapshot_pending_);
        snapshot_pending_.reset();
        snapshot_writing_ = true;
      }
      auto st = log_.save_snapshot(snap);
      if (st) {
        metrics_.snapshots.add();
      } else {
        metrics_.snapshot_failures.add();
        spdlog::error("core: snapshot at event {} not saved: {}", snap.seq, st.error().message);
      }
      std::lock_guard lock(snapshot_mutex_);
      snapshot_writing_ = false;
    }
  });
  {
    std::lock_guard lock(queue_mutex_);
    commit_thread_stop_ = false;
  }
  commit_thread_ = std::thread([this] { commit_loop(); });
  thread_ = std::thread([this] { run(); });
  return {};
}

void Engine::stop() {
  bool was_running = false;
  {
    std::lock_guard lock(queue_mutex_);
    was_running = running_;
    stopping_ = true;
  }
  queue_cv_.notify_all();
  if (thread_.joinable()) thread_.join();  // returns once its last batch is committed
  {
    std::lock_guard lock(queue_mutex_);
    commit_thread_stop_ = true;
  }
  commit_cv_.notify_all();
  if (commit_thread_.joinable()) commit_thread_.join();
  {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_thread_stop_ = true;
  }
  snapshot_cv_.notify_all();
  if (snapshot_thread_.joinable()) snapshot_thread_.join();
  if (was_running && settings_.snapshot_on_stop && ready() && state_->last_seq > last_snapshot_seq_) {
    // A clean stop leaves a snapshot of the last state: the next start reads no tail.
    if (auto st = write_snapshot(); !st) spdlog::warn("core: no snapshot at stop: {}", st.error().message);
  }
  std::lock_guard lock(queue_mutex_);
  running_ = false;
  ready_.store(false, std::memory_order_release);
}

bool Engine::submit(Command command, std::string actor, Completion done) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!running_ || stopping_ || queued_commands_ + 1 > settings_.queue_max) return false;
    Envelope e;
    e.commands.push_back(std::move(command));
    e.actor = std::move(actor);
    e.one = std::move(done);
    queue_.push_back(std::move(e));
    ++queued_commands_;
    metrics_.queue_depth.set(static_cast<int64_t>(queued_commands_));
  }
  queue_cv_.notify_one();
  return true;
}

bool Engine::submit_many(std::vector<Command> commands, std::string actor, ManyCompletion done) {
  if (commands.empty()) {
    done({});
    return true;
  }
  {
    std::lock_guard lock(queue_mutex_);
    // A message larger than the whole queue still goes in when the queue is empty.
    if (!running_ || stopping_ || (queued_commands_ > 0 && queued_commands_ + commands.size() > settings_.queue_max)) {
      return false;
    }
    queued_commands_ += commands.size();
    Envelope e;
    e.commands = std::move(commands);
    e.actor = std::move(actor);
    e.many = std::move(done);
    queue_.push_back(std::move(e));
    metrics_.queue_depth.set(static_cast<int64_t>(queued_commands_));
  }
  queue_cv_.notify_one();
  return true;
}

Reply Engine::execute(Command command, std::string actor) {
  auto promise = std::make_shared<std::promise<Reply>>();
  auto future = promise->get_future();
  if (!submit(std::move(command), std::move(actor), [promise](Reply&& r) { promise->set_value(std::move(r)); })) {
    return unavailable(Rc::kOverloaded, "the core is not accepting commands");
  }
  return future.get();
}

std::shared_ptr<const ReadView> Engine::view() const {
  std::lock_guard lock(view_mutex_);
  return view_;
}

RestoreStats Engine::last_restore() const {
  std::lock_guard lock(view_mutex_);
  return restore_stats_;
}

Reply Engine::evaluate_risk(const TransferCommand& payment) {
  std::shared_lock lock(state_mutex_);
  if (!ready()) return unavailable(Rc::kNotReady, "the core is rebuilding its state");
  return evaluate(*state_, settings_, payment, clock_.now_us());
}

std::vector<BreakerView> Engine::breakers() {
  std::shared_lock lock(state_mutex_);
  return breaker_views(*state_, settings_, clock_.now_us());
}

// --- rebuilding the state --------------------------------------------------------------------

Status Engine::reload() {
  const auto t0 = std::chrono::steady_clock::now();
  auto s = std::make_unique<State>(settings_);
  RestoreStats stats;
  auto snapshot = log_.latest_snapshot();
  if (!snapshot) return tl::unexpected(snapshot.error());
  if (snapshot->has_value()) {
    if (auto st = load_state(*s, settings_, (*snapshot)->bytes); !st) {
      // A snapshot is derived data (another build's format, say): the events alone give the
      // same state, only slower.
      spdlog::warn("core: the snapshot of event {} is not used ({}); replaying every event", (*snapshot)->seq,
                   st.error().message);
      s = std::make_unique<State>(settings_);
    } else if (s->last_seq != (*snapshot)->seq) {
      return make_error(ErrorCode::kInternal, "snapshot file of event " + std::to_string((*snapshot)->seq) +
                                                  " holds the state of event " + std::to_string(s->last_seq));
    } else {
      stats.snapshot_seq = s->last_seq;
      stats.snapshot_bytes = static_cast<int64_t>((*snapshot)->bytes.size());
    }
  }
  // The tail: every event after the snapshot, applied in order, the audit chain recomputed
  // batch by batch as it goes.
  s->replaying = true;
  std::vector<model::Event> batch_events;
  int64_t batch = 0;
  auto close_batch = [&] {
    if (batch_events.empty()) return;
    s->chain_hash = model::chain_hash(s->chain_hash, batch_events);
    s->last_batch = batch;
    batch_events.clear();
  };
  for (;;) {
    auto page = log_.read_events(s->last_seq, 10'000);
    if (!page) return tl::unexpected(page.error());
    if (page->empty()) break;
    for (auto& e : *page) {
      if (e.batch != batch) {
        close_batch();
        batch = e.batch;
      }
      if (auto st = replay(*s, settings_, e); !st) return st;
      batch_events.push_back(std::move(e));
      ++stats.events_replayed;
    }
  }
  close_batch();
  s->replaying = false;
  s->begin_batch(clock_.now_us(), {});
  auto link = log_.chain_link(0);
  if (!link) return tl::unexpected(link.error());
  if (s->last_seq > 0 || link->has_value()) {
    if (!link->has_value() || (*link)->batch != s->last_batch || (*link)->last_seq != s->last_seq ||
        (*link)->hash != s->chain_hash) {
      return make_error(ErrorCode::kInternal,
                        "the store's audit chain does not match its events (an event was edited, removed or "
                        "reordered); run `deltran check`");
    }
  }
  if (anchor_ != nullptr) {
    auto anchored = anchor_->last();
    if (!anchored) return tl::unexpected(anchored.error());
    if (anchored->has_value()) {
      const store::AnchorLine& a = **anchored;
      if (a.batch > s->last_batch) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "the audit anchor names batch " + std::to_string(a.batch) + " (event " +
                              std::to_string(a.last_seq) + ") but the store ends at batch " +
                              std::to_string(s->last_batch) + ": the store lost or dropped committed data; run `deltran check`");
      }
      auto at = log_.chain_link(a.batch);
      if (!at) return tl::unexpected(at.error());
      if (!at->has_value() || (*at)->hash != a.hash || (*at)->last_seq != a.last_seq) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "the store's audit chain differs from its anchor at batch " + std::to_string(a.batch) +
                              ": the chain was rewritten; run `deltran check`");
      }
    }
  }
  if (auto st = s->ledger.check_invariants([&](ParticipantId id) { return s->name_of(id); }); !st) {
    return make_error(ErrorCode::kInternal, "the rebuilt ledger breaks an invariant: " + st.error().message);
  }
  stats.load_ms = elapsed_us(t0) / 1000;
  {
    std::unique_lock lock(state_mutex_);
    state_ = std::move(s);
  }
  last_snapshot_seq_ = stats.snapshot_seq;
  committed_batch_.store(state_->last_batch, std::memory_order_release);
  metrics_.last_seq.set(state_->last_seq);
  built_view_ = build_view(*state_, nullptr, true);
  view_day_ = state_->now_us / 86'400'000'000;
  {
    std::lock_guard lock(view_mutex_);
    view_ = built_view_;
    restore_stats_ = stats;
  }
  {
    std::lock_guard lock(queue_mutex_);
    commit_failed_ = false;
  }
  spdlog::info("core: state rebuilt from the snapshot of event {} ({} bytes) and {} events after it in {} ms",
               stats.snapshot_seq, stats.snapshot_bytes, stats.events_replayed, stats.load_ms);
  ready_.store(true, std::memory_order_release);
  return {};
}

// --- the core's loop ----------------------------------------------------------------------

void Engine::take(std::deque<Envelope>& work, size_t& n) {
  size_t taken = 0;
  while (!queue_.empty() && (n == 0 || n + queue_.front().commands.size() <= settings_.batch_max)) {
    n += queue_.front().commands.size();
    taken += queue_.front().commands.size();
    work.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  queued_commands_ -= taken;
  metrics_.queue_depth.set(static_cast<int64_t>(queued_commands_));
}

void Engine::run() {
  std::deque<Envelope> work;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      // Settled windows whose payments are still to be told keep the loop going on its own,
      // one batch per commit (what they read must be durable first).
      queue_cv_.wait(lock, [&] {
        return !queue_.empty() || stopping_ || (!in_flight_ && ready() && !state_->settling.empty());
      });
      if (queue_.empty() && stopping_) {
        queue_cv_.wait(lock, [&] { return !in_flight_; });
        return;
      }
      size_t n = 0;
      take(work, n);
    }
    process(work);
    work.clear();
  }
}

void Engine::process(std::deque<Envelope>& work) {
  if (!ready()) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] { return !in_flight_; });
    }
    // The store failed earlier: try to rebuild; until it answers, fail fast.
    if (auto st = reload(); !st) {
      std::vector<Reply> replies;
      for (const auto& e : work) {
        for (size_t i = 0; i < e.commands.size(); ++i) {
          replies.push_back(unavailable(Rc::kStoreUnavailable, "the system of record is unavailable: " + st.error().message));
        }
      }
      dispatch(work, replies);
      if (work.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(settings_.reload_retry_ms));
      return;
    }
  }
  State& s = *state_;
  auto f = std::make_unique<InFlight>();
  size_t commands = 0;
  for (const auto& e : work) commands += e.commands.size();
  f->replies.reserve(commands);
  Context cx{s, settings_, log_};
  auto decide_all = [&](const std::deque<Envelope>& envelopes, size_t from) {
    std::unique_lock lock(state_mutex_);
    for (size_t i = from; i < envelopes.size(); ++i) {
      s.actor = envelopes[i].actor;
      for (const auto& c : envelopes[i].commands) f->replies.push_back(decide(cx, c));
    }
    s.actor = "system";
  };
  {
    std::unique_lock lock(state_mutex_);
    s.begin_batch(clock_.now_us(), "system");
    // Payments of windows whose settlement is durable are told settled first.
    if (!s.settling.empty()) {
      const int64_t durable = committed_batch_.load(std::memory_order_acquire);
      if (auto told = tell_settled(cx, settings_.settled_events_per_batch, durable); !told) {
        spdlog::warn("core: cannot read settled windows' payments: {}", told.error().message);
        if (work.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(settings_.reload_retry_ms));
      }
    }
  }
  decide_all(work, 0);
  // While the previous batch is being committed, what arrives joins this one.
  for (;;) {
    const size_t from = work.size();
    {
      std::unique_lock lock(queue_mutex_);
      queue_cv_.wait(lock, [&] {
        return !in_flight_ || (!queue_.empty() && commands + queue_.front().commands.size() <= settings_.batch_max);
      });
      if (!in_flight_) break;
      take(work, commands);
    }
    decide_all(work, from);
  }
  {
    std::unique_lock lock(state_mutex_);
    expire(s, settings_);
    finish_batch(s);
    if (!s.batch.events.empty()) {
      model::ChainLink link;
      link.batch = s.last_batch + 1;
      link.first_seq = s.batch.events.front().seq;
      link.last_seq = s.batch.events.back().seq;
      link.prev_hash = s.chain_hash;
      link.hash = model::chain_hash(s.chain_hash, s.batch.events);
      link.created_us = s.now_us;
      // The next batch chains on this one; if this one fails, the state is rebuilt.
      s.last_batch = link.batch;
      s.chain_hash = link.hash;
      s.batch.link = std::move(link);
    }
  }
  f->batch = std::move(s.batch);
  s.batch.clear();
  f->counts = s.counts;
  f->commands = commands;
  f->last_seq = s.last_seq;
  f->work = std::move(work);
  if (!f->batch.empty()) {
    // A new UTC day resets "used today" for everyone: rebuild every participant then.
    const int64_t day = s.now_us / 86'400'000'000;
    built_view_ = build_view(s, built_view_, day != view_day_);
    view_day_ = day;
    f->view = built_view_;
    if (s.last_seq - last_snapshot_seq_ >= settings_.snapshot_every_events) {
      bool busy = false;
      {
        std::lock_guard lock(snapshot_mutex_);
        busy = snapshot_writing_ || snapshot_pending_.has_value();
      }
      if (!busy) {
        const auto t0 = std::chrono::steady_clock::now();
        f->snapshot = store::Snapshot{s.last_seq, save_state(s)};
        metrics_.snapshot_pause_us.observe(elapsed_us(t0));
        last_snapshot_seq_ = s.last_seq;
      }
    }
  }
  std::unique_lock lock(queue_mutex_);
  queue_cv_.wait(lock, [&] { return !in_flight_; });
  if (commit_failed_) {
    // The batch before this one did not commit, and this one was decided on its effects.
    lock.unlock();
    for (auto& r : f->replies) r = unavailable(Rc::kStoreUnavailable, "the system of record could not commit an earlier batch");
    dispatch(f->work, f->replies);
    return;
  }
  if (f->batch.empty()) {
    // Refusals and replays change nothing: answered now (what they name is durable).
    lock.unlock();
    metrics_.circuit_refusals.add(static_cast<uint64_t>(f->counts.refused));
    metrics_.idempotency_store_lookups.add(static_cast<uint64_t>(f->counts.store_lookups));
    dispatch(f->work, f->replies);
    return;
  }
  in_flight_ = std::move(f);
  lock.unlock();
  commit_cv_.notify_one();
}

void Engine::commit_loop() {
  for (;;) {
    InFlight* f = nullptr;
    {
      std::unique_lock lock(queue_mutex_);
      commit_cv_.wait(lock, [&] { return in_flight_ != nullptr || commit_thread_stop_; });
      if (!in_flight_) return;
      f = in_flight_.get();
    }
    const bool ok = commit(*f);
    // The replies go out after the batch leaves flight: a caller that submits again from
    // its completion finds the core free to hand over the next batch.
    std::deque<Envelope> work = std::move(f->work);
    std::vector<Reply> replies = std::move(f->replies);
    {
      std::lock_guard lock(queue_mutex_);
      if (!ok) commit_failed_ = true;
      in_flight_.reset();
    }
    queue_cv_.notify_all();
    dispatch(work, replies);
  }
}

bool Engine::commit(InFlight& f) {
  auto t0 = std::chrono::steady_clock::now();
  Status st = log_.commit(f.batch);
  metrics_.commit_latency_us.observe(elapsed_us(t0));
  metrics_.batch_size.observe(static_cast<int64_t>(f.commands));
  if (!st) {
    metrics_.commit_failures.add();
    spdlog::error("core: commit of {} commands failed: {}", f.commands, st.error().message);
    // Memory now holds effects the store does not: the core drops them and rebuilds from
    // the store before its next batch. Nothing in this batch was acknowledged.
    ready_.store(false, std::memory_order_release);
    for (auto& r : f.replies) r = unavailable(Rc::kStoreUnavailable, "the system of record could not commit: " + st.error().message);
    return false;
  }
  metrics_.commits.add();
  if (f.batch.link) {
    const model::ChainLink& link = *f.batch.link;
    committed_batch_.store(link.batch, std::memory_order_release);
    if (anchor_ != nullptr) {
      if (auto ast = anchor_->append({link.batch, link.last_seq, link.hash}); !ast) {
        spdlog::error("core: the audit anchor was not written for batch {}: {}", link.batch, ast.error().message);
      }
    }
  }
  metrics_.events.add(f.batch.events.size());
  metrics_.last_seq.set(f.last_seq);
  metrics_.payments_queued.add(static_cast<uint64_t>(f.counts.queued));
  metrics_.payments_rejected.add(static_cast<uint64_t>(f.counts.rejected));
  metrics_.payments_held.add(static_cast<uint64_t>(f.counts.held));
  metrics_.payments_settled.add(static_cast<uint64_t>(f.counts.settled));
  metrics_.windows_settled.add(static_cast<uint64_t>(f.counts.windows_settled));
  metrics_.ctr_filed.add(static_cast<uint64_t>(f.counts.ctr));
  metrics_.sar_filed.add(static_cast<uint64_t>(f.counts.sar));
  metrics_.breakers_opened.add(static_cast<uint64_t>(f.counts.breakers_opened));
  metrics_.circuit_refusals.add(static_cast<uint64_t>(f.counts.refused));
  metrics_.idempotency_store_lookups.add(static_cast<uint64_t>(f.counts.store_lookups));
  if (f.view) {
    std::lock_guard lock(view_mutex_);
    view_ = f.view;
  }
  if (f.snapshot) {
    {
      std::lock_guard lock(snapshot_mutex_);
      snapshot_pending_ = std::move(f.snapshot);
    }
    snapshot_cv_.notify_one();
  }
  return true;
}

Status Engine::write_snapshot() {
  store::Snapshot snap{state_->last_seq, save_state(*state_)};
  if (auto st = log_.save_snapshot(snap); !st) return st;
  last_snapshot_seq_ = snap.seq;
  metrics_.snapshots.add();
  return {};
}

void Engine::dispatch(std::deque<Envelope>& work, std::vector<Reply>& replies) {
  std::vector<std::function<void()>> calls;
  calls.reserve(work.size());
  size_t next = 0;
  for (auto& e : work) {
    if (e.many) {
      std::vector<Reply> mine;
      mine.reserve(e.commands.size());
      for (size_t i = 0; i < e.commands.size(); ++i) mine.push_back(std::move(replies[next++]));
      calls.emplace_back([done = std::move(e.many), mine = std::move(mine)]() mutable { done(std::move(mine)); });
    } else {
      calls.emplace_back([done = std::move(e.one), reply = std::move(replies[next++])]() mutable { done(std::move(reply)); });
    }
  }
  {
    std::lock_guard lock(dispatcher_mutex_);
    if (dispatcher_) {
      dispatcher_(std::move(calls));  // posts, and returns
      return;
    }
  }
  for (auto& call : calls) call();
}

}  // namespace deltran::engine
