#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <benchmark/benchmark.h>

#include <deltran/money/amount.hpp>

namespace deltran::money {
namespace {

// A mix shaped like pacs.008 amounts: mostly short, some with fewer decimals, a few long.
constexpr std::array<std::string_view, 8> kTexts = {
    "1234.56", "0.01", "250", "99.9", "1000000.00", "17.05", "9999999999999999.99", "42.10"};
constexpr std::array<int64_t, 8> kValues = {
    123456, 1, 25000, 9990, 100000000, 1705, 999'999'999'999'999'999, -4210};

void BM_ParseAmount(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    auto result = parse_amount(kTexts[i++ % kTexts.size()], 2);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseAmount);

void BM_ParseAmountTypical(benchmark::State& state) {
  for (auto _ : state) {
    auto result = parse_amount("1234.56", 2);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ParseAmountTypical);

void BM_ParseSignedAmount(benchmark::State& state) {
  for (auto _ : state) {
    auto result = parse_signed_amount("-1234.56", 2);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ParseSignedAmount);

// The cold path builds a message; it should stay cheap enough not to matter under abuse.
void BM_ParseAmountRefused(benchmark::State& state) {
  for (auto _ : state) {
    auto result = parse_amount("12.345", 2);
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_ParseAmountRefused);

void BM_FormatAmount(benchmark::State& state) {
  size_t i = 0;
  for (auto _ : state) {
    std::string text = format_amount(kValues[i++ % kValues.size()], 2);
    benchmark::DoNotOptimize(text);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_FormatAmount);

void BM_FormatAmountTypical(benchmark::State& state) {
  for (auto _ : state) {
    std::string text = format_amount(123456, 2);
    benchmark::DoNotOptimize(text);
  }
}
BENCHMARK(BM_FormatAmountTypical);

}  // namespace
}  // namespace deltran::money

BENCHMARK_MAIN();
