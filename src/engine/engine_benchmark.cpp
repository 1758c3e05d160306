// The core alone: payments applied and durably committed per second, with the real SQLite
// store (synchronous=FULL), no HTTP. Commands are submitted as fast as the queue takes
// them, so batches fill up as they would under heavy load.
#include <atomic>
#include <filesystem>
#include <latch>

#include <benchmark/benchmark.h>

#include <deltran/core/clock.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/store/sqlite.hpp>

namespace {

using namespace deltran;
namespace fs = std::filesystem;

// Payment `seq` of a run; a thousand customers per bank, so the AML history sees realistic
// repeat senders.
engine::TransferCommand bench_payment(int64_t seq, std::string debtor_agent, std::string creditor_agent, money::Amount amount) {
  engine::TransferCommand t;
  t.id = new_uuid_v4();
  t.uetr = new_uuid_v4();
  t.idempotency_key = "k" + std::to_string(seq);
  t.request_hash = "h";
  t.debtor_agent = std::move(debtor_agent);
  t.creditor_agent = std::move(creditor_agent);
  t.amount = amount;
  t.debtor = {"Debtor Name", "AE0703312345678" + std::to_string(seq % 1000), ""};
  t.creditor = {"Creditor Name", "50100012345678", ""};
  t.end_to_end_id = "E2E" + std::to_string(seq);
  return t;
}

void BM_EngineDurableTransfers(benchmark::State& state) {
  fs::path dir = fs::temp_directory_path() / ("deltran-bench-" + new_uuid_v4());
  fs::create_directories(dir);
  {
    store::SqliteSettings ss;
    ss.path = (dir / "bench.db").string();
    ss.synchronous_full = state.range(1) != 0;
    auto st = store::open_sqlite_store(ss);
    if (!st) {
      state.SkipWithError(st.error().message.c_str());
      return;
    }
    SystemClock clock;
    engine::Settings settings;
    const bool controls = state.range(2) != 0;
    settings.controls.aml_enabled = settings.controls.risk_enabled = settings.controls.breakers_enabled = controls;
    auto anchor = store::open_file_anchor((dir / "audit.anchor").string());
    if (!anchor) {
      state.SkipWithError(anchor.error().message.c_str());
      return;
    }
    engine::Engine eng(settings, **st, clock, anchor->get());
    if (!eng.start()) {
      state.SkipWithError("engine did not start");
      return;
    }
    const money::CurrencyId usd = money::currency_id("USD");
    const std::vector<std::string> banks = {"BENCAEAA", "BENCAEBB", "BENCAECC", "BENCAEDD",
                                            "BENCAEEE", "BENCAEFF", "BENCAEGG", "BENCAEHH"};
    for (const auto& b : banks) {
      eng.execute(engine::CreateBankCommand{b, b, "AE", {usd}, {{usd, 1'000'000'000'000}}, "h" + b, {}}, "bench");
      eng.execute(engine::TokenCommand{engine::TokenCommand::Kind::kMint, b, money::Amount{1'000'000'000'000'000, usd}, "f" + b},
                  "bench");
    }
    const auto per_iteration = static_cast<int>(state.range(0));
    std::atomic<int64_t> accepted{0};
    int64_t seq = 0;
    for (auto _ : state) {
      std::latch done(per_iteration);
      for (int i = 0; i < per_iteration; ++i, ++seq) {
        const std::string& debtor = banks[static_cast<size_t>(seq) % banks.size()];
        std::string creditor = banks[static_cast<size_t>(seq + 1 + seq / 8) % banks.size()];
        if (creditor == debtor) creditor = banks[(static_cast<size_t>(seq) + 1) % banks.size()];
        engine::TransferCommand t = bench_payment(seq, debtor, creditor, money::Amount{100 + seq % 10'000, usd});
        while (!eng.submit(t, "bench", [&done, &accepted](engine::Reply&& r) {
          if (r.rc == Rc::kAccepted) accepted.fetch_add(1, std::memory_order_relaxed);
          done.count_down();
        })) {
          std::this_thread::yield();
        }
      }
      done.wait();
    }
    // Only accepted payments count: a rejection or a refusal is cheaper and would flatter the rate.
    state.SetItemsProcessed(accepted.load());
    state.counters["accepted_share"] = static_cast<double>(accepted.load()) /
                                       static_cast<double>(state.iterations() * per_iteration);
    state.counters["mean_batch"] = eng.metrics().commits.value() > 0
        ? static_cast<double>(seq) / static_cast<double>(eng.metrics().commits.value()) : 0.0;
  }
  fs::remove_all(dir);
}
// (payments per iteration, synchronous FULL?, AML/risk/breaker controls on?)
BENCHMARK(BM_EngineDurableTransfers)
    ->Args({10'000, 1, 1})
    ->Args({10'000, 1, 0})
    ->Args({10'000, 0, 1})
    ->Args({10'000, 0, 0})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Cross-currency payments at quotes, AED → INR through USD with two FX providers: three legs
// each, in three windows, all admitted or none. The quotes are recorded with the timer
// paused; what is timed is the payments (the quote check, three admissions, the legs'
// rows). Senders pay from prefunded AED; the providers hold ample USD and INR.
void BM_EngineCrossCurrencyTransfers(benchmark::State& state) {
  fs::path dir = fs::temp_directory_path() / ("deltran-bench-" + new_uuid_v4());
  fs::create_directories(dir);
  {
    store::SqliteSettings ss;
    ss.path = (dir / "bench.db").string();
    ss.synchronous_full = true;
    auto st = store::open_sqlite_store(ss);
    auto anchor = store::open_file_anchor((dir / "audit.anchor").string());
    if (!st || !anchor) {
      state.SkipWithError("no store");
      return;
    }
    SystemClock clock;
    engine::Settings settings;
    engine::Engine eng(settings, **st, clock, anchor->get());
    if (!eng.start()) {
      state.SkipWithError("engine did not start");
      return;
    }
    const money::CurrencyId aed = money::currency_id("AED"), usd = money::currency_id("USD"), inr = money::currency_id("INR");
    auto run = [&](engine::Command c) { return eng.execute(std::move(c), "bench"); };
    run(engine::CreateBankCommand{"FXAEUSAA", "FX1", "AE", {aed, usd}, {}, "h1", {}, true});
    run(engine::CreateBankCommand{"FXUSINAA", "FX2", "US", {usd, inr}, {}, "h2", {}, true});
    run(engine::TokenCommand{engine::TokenCommand::Kind::kMint, "FXAEUSAA", money::Amount{1'000'000'000'000'000, usd}, "f1"});
    run(engine::TokenCommand{engine::TokenCommand::Kind::kMint, "FXUSINAA", money::Amount{1'000'000'000'000'000, inr}, "f2"});
    const std::vector<std::string> senders = {"BENCAEAA", "BENCAEBB", "BENCAECC", "BENCAEDD"};
    const std::vector<std::string> receivers = {"BENCINAA", "BENCINBB", "BENCINCC", "BENCINDD"};
    for (const auto& b : senders) {
      run(engine::CreateBankCommand{b, b, "AE", {aed}, {}, "h" + b, {}});
      run(engine::TokenCommand{engine::TokenCommand::Kind::kMint, b, money::Amount{1'000'000'000'000'000, aed}, "f" + b});
    }
    for (const auto& b : receivers) run(engine::CreateBankCommand{b, b, "IN", {inr}, {}, "h" + b, {}});
    const int64_t valid = clock.now_us() + 86'400'000'000;
    run(engine::PostRateCommand{fx::Rate{"FXAEUSAA", aed, usd, *fx::parse_rate("0.2722"), *fx::parse_rate("0.2724"), 0, valid, {}}});
    run(engine::PostRateCommand{fx::Rate{"FXUSINAA", usd, inr, *fx::parse_rate("83.10"), *fx::parse_rate("83.40"), 0, valid, {}}});
    const auto per_iteration = static_cast<int>(state.range(0));
    std::atomic<int64_t> accepted{0};
    int64_t seq = 0;
    for (auto _ : state) {
      state.PauseTiming();
      std::vector<engine::TransferCommand> batch;
      {
        std::latch quoted(per_iteration);
        for (int i = 0; i < per_iteration; ++i, ++seq) {
          const int64_t amount = 10'000 + seq % 100'000;
          auto path = eng.view()->rates->best_send(aed, inr, amount, fx::SearchLimits{clock.now_us(), 0, 3});
          char id[35];
          std::snprintf(id, sizeof id, "q_%032llx", static_cast<unsigned long long>(seq + 1));
          const std::string sender = senders[static_cast<size_t>(seq) % senders.size()];
          engine::TransferCommand t =
              bench_payment(seq, sender, receivers[static_cast<size_t>(seq / 3) % receivers.size()], money::Amount{amount, aed});
          t.quote_id = id;
          batch.push_back(std::move(t));
          fx::Quote q{id, sender, false, *path, clock.now_us(), clock.now_us() + 600'000'000, {}};
          while (!eng.submit(engine::RecordQuoteCommand{std::move(q)}, "bench", [&quoted](engine::Reply&&) { quoted.count_down(); })) {
            std::this_thread::yield();
          }
        }
        quoted.wait();
      }
      state.ResumeTiming();
      std::latch done(per_iteration);
      for (auto& t : batch) {
        while (!eng.submit(t, "bench", [&done, &accepted](engine::Reply&& r) {
          if (r.rc == Rc::kAccepted) accepted.fetch_add(1, std::memory_order_relaxed);
          done.count_down();
        })) {
          std::this_thread::yield();
        }
      }
      done.wait();
    }
    state.SetItemsProcessed(accepted.load());
    state.counters["accepted_share"] = static_cast<double>(accepted.load()) /
                                       static_cast<double>(state.iterations() * per_iteration);
  }
  fs::remove_all(dir);
}
BENCHMARK(BM_EngineCrossCurrencyTransfers)->Arg(5'000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
