// Screening throughput on one core against a 20,000-entry synthetic list (seeded; see
// synthetic.hpp). The bar (DESIGN.md §8) is 200,000 names per second. The traffic is 95 %
// fresh names from the same cultures as the list and 5 % variants of listed names, so most
// queries share tokens with some entry, as real payment traffic does.
#include <benchmark/benchmark.h>

#include <deltran/compliance/normalize.hpp>
#include <deltran/compliance/screening_index.hpp>
#include <deltran/testsupport/synthetic_names.hpp>

namespace {
using namespace deltran::compliance;
namespace synthetic = deltran::testsupport::synthetic;

const synthetic::SyntheticList& list20k() {
  static const synthetic::SyntheticList list = synthetic::generate_list({});
  return list;
}

const std::shared_ptr<const ScreeningIndex>& index20k() {
  static const std::shared_ptr<const ScreeningIndex> index = *ScreeningIndex::build({list20k().list});
  return index;
}

void screen_all(benchmark::State& state, const std::vector<std::string>& names) {
  const auto& index = index20k();
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    hits += index->screen(names[i]).size();
    if (++i == names.size()) i = 0;
  }
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_ScreenTraffic20k(benchmark::State& state) {
  static const std::vector<std::string> traffic = synthetic::generate_traffic(list20k(), 50'000, 0.05, 99);
  screen_all(state, traffic);
}
BENCHMARK(BM_ScreenTraffic20k)->MinTime(2.0);

void BM_ScreenListedVariants20k(benchmark::State& state) {
  static const std::vector<std::string> traffic = synthetic::generate_traffic(list20k(), 20'000, 1.0, 7);
  screen_all(state, traffic);
}
BENCHMARK(BM_ScreenListedVariants20k)->MinTime(1.0);

void BM_Normalize(benchmark::State& state) {
  static const std::vector<std::string> traffic = synthetic::generate_traffic(list20k(), 10'000, 0.05, 3);
  const NameNormalizer normalizer;
  NormalizedName out;
  size_t i = 0;
  for (auto _ : state) {
    normalizer.normalize(traffic[i], out);
    benchmark::DoNotOptimize(out.text.data());
    if (++i == traffic.size()) i = 0;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_Normalize)->MinTime(0.5);

void BM_BuildIndex20k(benchmark::State& state) {
  for (auto _ : state) {
    auto index = ScreeningIndex::build({list20k().list});
    benchmark::DoNotOptimize(index->get());
  }
}
BENCHMARK(BM_BuildIndex20k)->Iterations(2)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
