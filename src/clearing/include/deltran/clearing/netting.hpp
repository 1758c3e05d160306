#pragma once
// Multilateral netting of one clearing window (one currency). Pure: batch in, result out;
// no I/O, no clock, no exceptions, deterministic iteration order, integer money only.
#include <cstdint>
#include <span>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::clearing {

// One obligation (or the sum of several between the same ordered pair): participant
// `debtor` owes `creditor` amount_minor > 0. Participants are dense indices 0..P-1.
struct Obligation {
  uint32_t debtor = 0;
  uint32_t creditor = 0;
  int64_t amount_minor = 0;
};

struct NettingResult {
  // Per participant index: incoming minus outgoing (N_i). Sums to zero.
  std::vector<int64_t> net_minor;
  int64_t gross_minor = 0;      // G = sum of all amounts
  int64_t settled_minor = 0;    // S = sum of max(0, -N_i): liquidity the window needs
  int64_t bilateral_minor = 0;  // B = sum over unordered pairs |w_ij - w_ji|
  // 1 - S/G and 1 - B/G in parts per million (integer; 0 when G == 0).
  int64_t efficiency_ppm = 0;
  int64_t bilateral_efficiency_ppm = 0;
};

// Nets the obligations among `participant_count` participants in O(P + n log n).
// Errors (InvalidArgument) on an index out of range, a debtor equal to its creditor, a
// non-positive amount, or totals that do not fit in int64_t.
[[nodiscard]] Result<NettingResult> net_multilateral(std::span<const Obligation> obligations,
                                                     uint32_t participant_count);

// One transfer of a peer-to-peer settlement plan.
struct Transfer {
  uint32_t from = 0;
  uint32_t to = 0;
  int64_t amount_minor = 0;
};

// Greedy largest-debtor-to-largest-creditor plan for net positions that sum to zero:
// moves exactly S in at most k - 1 transfers (k = participants with a non-zero position).
// Ties broken by the lower index, so the plan is deterministic.
std::vector<Transfer> peer_to_peer_plan(std::span<const int64_t> net_minor);

}  // namespace deltran::clearing
