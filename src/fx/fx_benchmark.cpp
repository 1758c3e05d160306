// Path search over a rate graph of every ISO 4217 currency (about 150) with several
// providers: each quotes every currency against USD and EUR, and some quote crosses.
#include <benchmark/benchmark.h>

#include <deltran/fx/rates.hpp>
#include <deltran/money/currency.hpp>

namespace deltran::fx {
namespace {

constexpr int64_t kNow = 1'800'000'000'000'000;

RateBook big_book(int providers) {
  RateBook book;
  const auto all = money::all_currencies();
  const CurrencyId usd = money::currency_id("USD"), eur = money::currency_id("EUR");
  uint64_t seed = 88172645463325252ULL;
  auto next = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  for (int p = 0; p < providers; ++p) {
    std::string provider = "FXP" + std::string(1, static_cast<char>('A' + p)) + "AEAD";
    for (size_t i = 0; i < all.size(); ++i) {
      CurrencyId c = money::currency_id(all[i].code);
      for (CurrencyId pivot : {usd, eur}) {
        if (c == pivot) continue;
        // A rate between 0.001 and 1000 per pivot unit, a spread of 5 to 50 basis points.
        int64_t mid = static_cast<int64_t>(next() % (1'000 * kRateScale)) + kRateScale / 1'000;
        int64_t spread = mid / 10'000 * static_cast<int64_t>(5 + next() % 45);
        book.put(Rate{provider, pivot, c, mid - spread, mid + spread, kNow - 1'000'000, kNow + 60'000'000, {}});
      }
      // Some crosses between neighbours.
      if (i + 1 < all.size() && next() % 4 == 0) {
        CurrencyId d = money::currency_id(all[i + 1].code);
        int64_t mid = static_cast<int64_t>(next() % (10 * kRateScale)) + kRateScale / 100;
        book.put(Rate{provider, c, d, mid - mid / 500, mid + mid / 500, kNow - 1'000'000, kNow + 60'000'000, {}});
      }
    }
  }
  return book;
}

void BM_BestSend(benchmark::State& state) {
  RateBook book = big_book(static_cast<int>(state.range(0)));
  const CurrencyId aed = money::currency_id("AED"), inr = money::currency_id("INR");
  SearchLimits at{kNow, 0, 3};
  for (auto _ : state) {
    auto p = book.best_send(aed, inr, 1'000'000, at);
    benchmark::DoNotOptimize(p);
  }
  state.counters["rates"] = static_cast<double>(book.rates().size());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BestSend)->Arg(1)->Arg(4)->Arg(8)->Unit(benchmark::kMicrosecond);

void BM_BestReceive(benchmark::State& state) {
  RateBook book = big_book(static_cast<int>(state.range(0)));
  const CurrencyId aed = money::currency_id("AED"), php = money::currency_id("PHP");
  SearchLimits at{kNow, 0, 3};
  for (auto _ : state) {
    auto p = book.best_receive(aed, php, 5'000'000, at);
    benchmark::DoNotOptimize(p);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BestReceive)->Arg(4)->Unit(benchmark::kMicrosecond);

void BM_CycleCheck(benchmark::State& state) {
  RateBook book = big_book(static_cast<int>(state.range(0)));
  const CurrencyId usd = money::currency_id("USD");
  SearchLimits at{kNow, 0, 3};
  for (auto _ : state) {
    auto c = book.money_making_cycle(usd, at);
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CycleCheck)->Arg(4)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace deltran::fx
BENCHMARK_MAIN();
