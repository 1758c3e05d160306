#include <deltran/core/metrics.hpp>

#include <algorithm>
#include <cstdio>

namespace deltran::metrics {

Histogram::Histogram(std::vector<int64_t> upper_bounds, double export_scale)
    : bounds_(std::move(upper_bounds)), scale_(export_scale), buckets_(bounds_.size() + 1) {
  std::sort(bounds_.begin(), bounds_.end());
}

void Histogram::observe(int64_t value) {
  size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

namespace {
std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}
std::string join_labels(std::string_view extra, std::string_view le) {
  std::string out = "{";
  if (!extra.empty()) {
    out += extra;
    if (!le.empty()) out += ',';
  }
  if (!le.empty()) {
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
  return out == "{}" ? std::string() : out;
}
}  // namespace

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    std::string le = i < bounds_.size() ? format_number(static_cast<double>(bounds_[i]) * scale_) : "+Inf";
    out += name;
    out += "_bucket";
    out += join_labels(labels, le);
    out += ' ';
    out += std::to_string(cumulative);
    out += '\n';
  }
  out += name;
  out += "_sum";
  out += join_labels(labels, {});
  out += ' ';
  out += format_number(static_cast<double>(sum_.load(std::memory_order_relaxed)) * scale_);
  out += '\n';
  out += name;
  out += "_count";
  out += join_labels(labels, {});
  out += ' ';
  out += std::to_string(count_.load(std::memory_order_relaxed));
  out += '\n';
}

std::vector<int64_t> latency_buckets_us() {
  return {50, 100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000,
          500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000};
}

void render_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += help;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void render_sample(std::string& out, std::string_view name, std::string_view labels, double value) {
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += format_number(value);
  out += '\n';
}

}  // namespace deltran::metrics
