#pragma once
// A few threads of their own for the API's reads of the store and for evaluations against
// the core's state, so neither runs on the HTTP I/O threads nor waits in the core's queue.
// Bounded: when it is full, a read is refused at once (503) rather than queued forever.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace deltran::gateway {

class ReaderPool {
 public:
  ReaderPool(int threads, size_t queue_max) : queue_max_(queue_max) {
    for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  }
  ~ReaderPool() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();
  }
  ReaderPool(const ReaderPool&) = delete;
  ReaderPool& operator=(const ReaderPool&) = delete;

  bool post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || tasks_.size() >= queue_max_) return false;
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
    return true;
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mutex_);
        cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  size_t queue_max_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace deltran::gateway
