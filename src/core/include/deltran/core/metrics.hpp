#pragma once
// Lock-free counters and fixed-bucket histograms rendered in the Prometheus text format.
// Written by hand because the format is a few lines and Debian 12 ships no C++ Prometheus
// client; every update is one relaxed atomic add, so the hot path can afford them.
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace deltran::metrics {

class Counter {
 public:
  void add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void add(int64_t d) { value_.fetch_add(d, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Observations in an integer unit (microseconds, items); bucket bounds in that unit, and a
// scale that converts the unit to the exported one (1e-6 for seconds from microseconds).
class Histogram {
 public:
  Histogram(std::vector<int64_t> upper_bounds, double export_scale);
  void observe(int64_t value);
  // Appends the _bucket/_sum/_count lines for `name` with optional extra labels ("a=\"b\"").
  void render(std::string& out, std::string_view name, std::string_view labels = {}) const;

 private:
  std::vector<int64_t> bounds_;
  double scale_;
  std::vector<std::atomic<uint64_t>> buckets_;  // one per bound, plus +Inf
  std::atomic<int64_t> sum_{0};
  std::atomic<uint64_t> count_{0};
};

// Default latency buckets, microseconds: 50 µs .. 10 s.
std::vector<int64_t> latency_buckets_us();

// Helpers to write HELP/TYPE headers and samples.
void render_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help);
void render_sample(std::string& out, std::string_view name, std::string_view labels, double value);

}  // namespace deltran::metrics
