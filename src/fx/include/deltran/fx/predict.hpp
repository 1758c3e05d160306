#pragma once
// How likely a participant's payment is to be offset by what it receives before its window
// closes, from its flows in recent windows of the currency. In multilateral netting a
// payment is offset by the participant's inflow from anyone, so the question is whether its
// inflow will reach its outflow with this payment added. Pure, integer arithmetic.
#include <cstdint>
#include <optional>
#include <span>

namespace deltran::fx {

// One window of a participant in one currency: what it received and what it sent.
struct WindowFlow {
  int64_t in_minor = 0;
  int64_t out_minor = 0;
};

// How many settled windows a participant's history keeps per currency.
inline constexpr int kFlowHistoryWindows = 20;

struct Prediction {
  // 0..1000. Empty when there is nothing to go on: no window observed and no inflow yet.
  std::optional<int> probability_permille;
  int confidence_permille = 0;  // 0..1000
  // The evidence.
  int windows_observed = 0;
  int windows_covering = 0;    // observed windows whose inflow would cover the outflow
  bool covered_now = false;    // the open window's inflow already covers it
  int64_t need_minor = 0;      // the open window's outflow with the payment
  int64_t mean_in_minor = 0, mean_out_minor = 0;
  int two_way_permille = 0;    // min(mean in, mean out) / max(…)
  int64_t efficiency_ppm = 0;  // the currency's last netting efficiency
};

// `history`: the participant's recent settled windows in the currency, any order;
// `current`: its flows so far in the open window; `amount_minor`: the payment (0 to ask about
// what is queued already); `efficiency_ppm`: the currency's last window's netting efficiency.
//
// The rule: the window's final inflow is taken to be at least what has arrived and, in the
// k-th observed window's likeness, that window's inflow; the payment is offset in that case
// when the inflow reaches the outflow with the payment. The probability is the share of
// observed windows in which it is, smoothed towards one half by one pseudo-window
// ((covering + ½) / (observed + 1)); 1 when the inflow already covers it. The confidence
// grows with the windows observed (n / (n + 4)) and is scaled by how two-way the flows are
// and how well the currency nets (their mean).
Prediction predict_counterflow(std::span<const WindowFlow> history, WindowFlow current, int64_t amount_minor,
                               int64_t efficiency_ppm);

}  // namespace deltran::fx
