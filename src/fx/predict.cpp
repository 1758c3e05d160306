#include <deltran/fx/predict.hpp>

#include <algorithm>

namespace deltran::fx {

Prediction predict_counterflow(std::span<const WindowFlow> history, WindowFlow current, int64_t amount_minor,
                               int64_t efficiency_ppm) {
  Prediction p;
  p.efficiency_ppm = std::clamp<int64_t>(efficiency_ppm, 0, 1'000'000);
  const __int128 need = __int128{current.out_minor} + amount_minor;
  p.need_minor = need > INT64_MAX ? INT64_MAX : static_cast<int64_t>(need);
  p.windows_observed = static_cast<int>(history.size());
  __int128 sum_in = 0, sum_out = 0;
  for (const WindowFlow& w : history) {
    sum_in += w.in_minor;
    sum_out += w.out_minor;
    if (std::max(current.in_minor, w.in_minor) >= need) ++p.windows_covering;
  }
  const int n = p.windows_observed;
  if (n > 0) {
    p.mean_in_minor = static_cast<int64_t>(sum_in / n);
    p.mean_out_minor = static_cast<int64_t>(sum_out / n);
    const int64_t hi = std::max(p.mean_in_minor, p.mean_out_minor), lo = std::min(p.mean_in_minor, p.mean_out_minor);
    p.two_way_permille = hi > 0 ? static_cast<int>(__int128{lo} * 1000 / hi) : 0;
  }
  p.covered_now = current.in_minor >= need;
  if (p.covered_now) {
    p.probability_permille = 1000;
  } else if (n > 0) {
    p.probability_permille = static_cast<int>((int64_t{p.windows_covering} * 2000 + 1000) / (int64_t{n} * 2 + 2));
  }
  if (n > 0) {
    const int64_t volume = int64_t{n} * 1000 / (n + 4);
    const int64_t quality = (int64_t{p.two_way_permille} + p.efficiency_ppm / 1000) / 2;
    p.confidence_permille = static_cast<int>(volume * quality / 1000);
  }
  return p;
}

}  // namespace deltran::fx
