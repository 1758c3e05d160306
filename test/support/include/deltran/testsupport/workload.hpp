#pragma once
// Seeded workload generator for netting tests, benchmarks and the demo, on the shared
// test-data generator (prng.hpp): a seed gives the same window everywhere.
#include <cstdint>
#include <vector>

#include <deltran/clearing/netting.hpp>
#include <deltran/testsupport/prng.hpp>

namespace deltran::testsupport {

struct WorkloadSettings {
  uint32_t participants = 100;
  uint32_t obligations = 10'000;
  uint32_t core_participants = 10;  // densely connected core; the rest are periphery
  double pareto_alpha = 1.2;        // participant size distribution (heavy tail)
  double amount_log_mean = 9.0;     // lognormal amounts in minor units: exp(N(mu, sigma))
  double amount_log_sigma = 1.5;
  double reciprocity = 0.5;         // probability a payment goes against the last flow of the pair
  double imbalance = 0.0;           // 0 balanced; >0 biases flow from periphery to core
  uint64_t seed = 1;
};

// A core–periphery bank network with Pareto sizes and lognormal amounts. Deterministic:
// the same settings give the same obligations on every platform.
// Participants are ranked by size: 0..core_participants-1 are the core (the largest).
// Payers and payees are drawn in proportion to size; amounts are at least 1 and capped so
// the window's total fits in int64_t. reciprocity is clamped to [0, 1] and imbalance to
// [-1, 1] (1: every core–periphery payment flows to the core). Asserts participants >= 2
// when obligations > 0, pareto_alpha > 0 and amount_log_sigma >= 0.
std::vector<clearing::Obligation> generate_workload(const WorkloadSettings& settings);

}  // namespace deltran::testsupport
