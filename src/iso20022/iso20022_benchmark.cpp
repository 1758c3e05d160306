// Parse + validate + map throughput for generated messages of 1, 100 and 10,000 transactions,
// with the official XSD (the production path) and structurally only; and status reports.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/schema_set.hpp>
#include <deltran/iso20022/status_report.hpp>

#include "message_generator.hpp"

namespace deltran::iso20022 {
namespace {

const SchemaSet* schemas() {
  static std::shared_ptr<const SchemaSet> loaded = [] {
    auto s = SchemaSet::load(DELTRAN_XSD_DIR);
    if (!s) {
      std::fprintf(stderr, "cannot load XSDs: %s\n", s.error().message.c_str());
      std::abort();
    }
    return *s;
  }();
  return loaded.get();
}

void run(benchmark::State& state, const std::string& xml, bool validate) {
  ParseOptions options;
  options.schemas = validate ? schemas() : nullptr;
  size_t transactions = 0;
  for (auto _ : state) {
    auto parsed = parse_message(xml, options);
    if (!parsed || parsed->accepted_count() != static_cast<size_t>(state.range(0))) {
      state.SkipWithError("parse failed");
      return;
    }
    transactions += parsed->transactions.size();
    benchmark::DoNotOptimize(parsed);
  }
  state.SetItemsProcessed(static_cast<int64_t>(transactions));
  state.SetBytesProcessed(static_cast<int64_t>(xml.size()) * state.iterations());
}

void BM_Pain001Validated(benchmark::State& state) {
  run(state, testing::make_pain001(static_cast<size_t>(state.range(0)), 100), true);
}
void BM_Pacs008Validated(benchmark::State& state) {
  run(state, testing::make_pacs008(static_cast<size_t>(state.range(0))), true);
}
void BM_Pacs008Structural(benchmark::State& state) {
  run(state, testing::make_pacs008(static_cast<size_t>(state.range(0))), false);
}
BENCHMARK(BM_Pain001Validated)->Arg(1)->Arg(100)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Pacs008Validated)->Arg(1)->Arg(100)->Arg(10'000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Pacs008Structural)->Arg(1)->Arg(100)->Arg(10'000)->Unit(benchmark::kMicrosecond);

void BM_EmitPacs002(benchmark::State& state) {
  auto parsed = parse_message(testing::make_pacs008(static_cast<size_t>(state.range(0))));
  if (!parsed) {
    state.SkipWithError("parse failed");
    return;
  }
  StatusReport report = status_report_for(*parsed, "STS-1", "2026-11-28T12:00:00Z", "ACSC");
  for (auto _ : state) {
    auto xml = emit_pacs002(report);
    benchmark::DoNotOptimize(xml);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_EmitPacs002)->Arg(100)->Arg(10'000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace deltran::iso20022

BENCHMARK_MAIN();
