// Seeded workload generator (DESIGN.md section 5).
//
// Everything after the participant weights is integer arithmetic on the generator's
// output, so pair choice is bit-identical everywhere. Sizes and amounts go through
// std::exp / std::log, which are not required to be correctly rounded: a libm that differs
// in the last bit could, very rarely, move a weight or round an amount one minor unit the
// other way. Tests therefore pin raw generator output, not amounts.
#include <deltran/testsupport/workload.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <unordered_map>

#include <deltran/core/assert.hpp>

namespace deltran::testsupport {

using clearing::Obligation;
namespace {

// Traffic shares in percent by kind of pair, before dropping kinds a network cannot have
// (no core-core pair with one core bank). Core banks are few, so 45 % of traffic among
// them makes the core dense; periphery banks mostly reach each other through the core.
// Integers, so the kind is drawn exactly and can never land on an impossible one.
constexpr uint64_t kCoreCorePercent = 45;
constexpr uint64_t kCorePeripheryPercent = 50;
constexpr uint64_t kPeripheryPeripheryPercent = 5;

// Integer weights are the size relative to the largest bank times 2^31, at least 1: with
// at most 2^32 participants the total stays below 2^63, so cumulative sums cannot wrap.
constexpr double kWeightScale = 2147483648.0;

// A 10-billion payment in a two-decimal currency. The generator also keeps
// obligations * cap within int64_t, so any workload it makes can be netted.
constexpr int64_t kAmountMaxMinor = 1'000'000'000'000;

// Participants [first, first + weights) sampled in proportion to integer weights.
class WeightedGroup {
 public:
  WeightedGroup(uint32_t first, std::span<const uint64_t> weights) : first_(first) {
    cumulative_.resize(weights.size());
    std::inclusive_scan(weights.begin(), weights.end(), cumulative_.begin());
  }

  size_t size() const { return cumulative_.size(); }

  uint32_t pick(Prng& rng) const { return at(rng.below(cumulative_.back())); }

  // A member other than `taken` (a member itself), in proportion to weight: draw over
  // the total without taken's weight and step over its interval. Exact, and no rejection
  // loop that a dominant bank could make nearly endless.
  uint32_t pick_other(Prng& rng, uint32_t taken) const {
    const size_t local = taken - first_;
    const uint64_t before = local == 0 ? 0 : cumulative_[local - 1];
    const uint64_t weight = cumulative_[local] - before;
    uint64_t draw = rng.below(cumulative_.back() - weight);
    if (draw >= before) draw += weight;
    return at(draw);
  }

 private:
  uint32_t at(uint64_t draw) const {
    const auto found = std::upper_bound(cumulative_.begin(), cumulative_.end(), draw);
    return first_ + static_cast<uint32_t>(found - cumulative_.begin());
  }

  uint32_t first_;
  std::vector<uint64_t> cumulative_;  // inclusive prefix sums of the weights
};

// Pareto(alpha) sizes, largest first, as integer weights. Sorting puts the largest banks
// in the core (indices 0..core-1), as in real payment networks. Sizes are handled as
// logarithms so a tiny alpha cannot overflow to infinity.
std::vector<uint64_t> participant_weights(Prng& rng, uint32_t participants, double alpha) {
  std::vector<double> log_size(participants);
  for (double& s : log_size) s = -std::log(1.0 - rng.uniform01()) / alpha;
  std::sort(log_size.begin(), log_size.end(), std::greater<>());
  std::vector<uint64_t> weights(participants);
  for (size_t i = 0; i < weights.size(); ++i) {
    const double scaled = std::exp(log_size[i] - log_size[0]) * kWeightScale;
    weights[i] = std::max<uint64_t>(1, static_cast<uint64_t>(scaled));
  }
  return weights;
}

int64_t lognormal_amount(Prng& rng, double log_mean, double log_sigma, int64_t cap) {
  const double amount = std::exp(log_mean + log_sigma * rng.normal());
  // Written so that NaN and infinity fall to the cap too.
  if (!(amount < static_cast<double>(cap))) return cap;
  return std::max<int64_t>(1, static_cast<int64_t>(std::llround(amount)));
}

}  // namespace


std::vector<Obligation> generate_workload(const WorkloadSettings& settings) {
  const uint32_t participants = settings.participants;
  const uint32_t count = settings.obligations;
  if (count == 0) return {};
  DELTRAN_ASSERT(participants >= 2, "a workload needs two participants to pay each other");
  DELTRAN_ASSERT(settings.pareto_alpha > 0.0, "pareto_alpha must be positive");
  DELTRAN_ASSERT(settings.amount_log_sigma >= 0.0, "amount_log_sigma must not be negative");

  Prng rng(settings.seed);
  const uint32_t core_size = std::min(settings.core_participants, participants);
  const std::vector<uint64_t> weights =
      participant_weights(rng, participants, settings.pareto_alpha);
  const std::span<const uint64_t> all(weights);
  const WeightedGroup core(0, all.first(core_size));
  const WeightedGroup periphery(core_size, all.subspan(core_size));

  const uint64_t core_core = core.size() >= 2 ? kCoreCorePercent : 0;
  const uint64_t core_periphery =
      core.size() >= 1 && periphery.size() >= 1 ? kCorePeripheryPercent : 0;
  const uint64_t periphery_periphery = periphery.size() >= 2 ? kPeripheryPeripheryPercent : 0;
  const uint64_t share_total = core_core + core_periphery + periphery_periphery;
  const double periphery_pays = std::clamp(0.5 * (1.0 + settings.imbalance), 0.0, 1.0);
  const double reciprocity = std::clamp(settings.reciprocity, 0.0, 1.0);
  const int64_t amount_cap =
      std::min(kAmountMaxMinor, std::numeric_limits<int64_t>::max() / int64_t{count});

  // Last payer per unordered pair. Only looked up, never iterated, so its order cannot
  // leak into the output.
  std::unordered_map<uint64_t, uint32_t> last_payer;
  last_payer.reserve(std::min<size_t>(count, size_t{1} << 20));

  std::vector<Obligation> obligations;
  obligations.reserve(count);
  for (uint32_t k = 0; k < count; ++k) {
    const uint64_t kind = rng.below(share_total);
    uint32_t payer = 0;
    uint32_t payee = 0;
    if (kind < core_core) {
      payer = core.pick(rng);
      payee = core.pick_other(rng, payer);
    } else if (kind < core_core + core_periphery) {
      const uint32_t core_bank = core.pick(rng);
      const uint32_t periphery_bank = periphery.pick(rng);
      const bool up = rng.uniform01() < periphery_pays;
      payer = up ? periphery_bank : core_bank;
      payee = up ? core_bank : periphery_bank;
    } else {
      payer = periphery.pick(rng);
      payee = periphery.pick_other(rng, payer);
    }

    const uint64_t pair = uint64_t{std::min(payer, payee)} * participants + std::max(payer, payee);
    const auto [last, first_flow] = last_payer.try_emplace(pair, payer);
    if (!first_flow && rng.uniform01() < reciprocity) {
      // Against the last flow of the pair: whoever was paid last time pays now.
      const uint32_t last_payee = last->second == payer ? payee : payer;
      payee = last->second;
      payer = last_payee;
    }
    last->second = payer;
    obligations.push_back({payer, payee,
                           lognormal_amount(rng, settings.amount_log_mean,
                                            settings.amount_log_sigma, amount_cap)});
  }
  return obligations;
}

}  // namespace deltran::testsupport
