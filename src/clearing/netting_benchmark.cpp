// Netting throughput. DESIGN.md section 8: 1,000,000 obligations among 1,000
// participants in < 250 ms on one core. Workloads are generated once, outside the timing.
#include <algorithm>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include <deltran/clearing/netting.hpp>
#include <deltran/testsupport/workload.hpp>

namespace deltran::clearing {
using testsupport::generate_workload;
using testsupport::WorkloadSettings;
namespace {

WorkloadSettings settings_for(int64_t obligations, int64_t participants) {
  WorkloadSettings settings;
  settings.obligations = static_cast<uint32_t>(obligations);
  settings.participants = static_cast<uint32_t>(participants);
  settings.core_participants = static_cast<uint32_t>(std::max<int64_t>(participants / 10, 2));
  return settings;
}

// Cached per shape so a run over all arguments generates each workload only once.
const std::vector<Obligation>& workload(int64_t obligations, int64_t participants) {
  static std::map<std::pair<int64_t, int64_t>, std::vector<Obligation>> cache;
  auto [it, inserted] = cache.try_emplace({obligations, participants});
  if (inserted) it->second = generate_workload(settings_for(obligations, participants));
  return it->second;
}

void BM_NetMultilateral(benchmark::State& state) {
  const int64_t participants = state.range(1);
  const std::vector<Obligation>& flows = workload(state.range(0), participants);
  for (auto _ : state) {
    auto result = net_multilateral(flows, static_cast<uint32_t>(participants));
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_NetMultilateral)
    ->ArgNames({"obligations", "participants"})
    ->ArgsProduct({{10'000, 100'000, 1'000'000}, {100, 1'000}})
    ->Unit(benchmark::kMillisecond);

void BM_PeerToPeerPlan(benchmark::State& state) {
  const int64_t participants = state.range(1);
  const auto netted =
      net_multilateral(workload(state.range(0), participants), static_cast<uint32_t>(participants));
  if (!netted) {
    state.SkipWithError(netted.error().message.c_str());
    return;
  }
  for (auto _ : state) {
    auto plan = peer_to_peer_plan(netted->net_minor);
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(state.iterations() * participants);
}
BENCHMARK(BM_PeerToPeerPlan)
    ->ArgNames({"obligations", "participants"})
    ->Args({1'000'000, 100})
    ->Args({1'000'000, 1'000})
    ->Args({1'000'000, 100'000})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace deltran::clearing

BENCHMARK_MAIN();
