#include <algorithm>
#include <filesystem>
#include <fstream>
#include <future>
#include <set>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include <deltran/core/clock.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/engine/check.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/store/sqlite.hpp>

namespace deltran::engine {
namespace {

namespace fs = std::filesystem;
using model::PaymentStatus;

const CurrencyId kUsd = money::currency_id("USD");
const CurrencyId kEur = money::currency_id("EUR");

// Wraps the real commit log and fails or slows it on demand: the faults a disk or a
// database server produces, injected in front of our own SQLite adapter.
class FaultyLog final : public store::CommitLog {
 public:
  explicit FaultyLog(store::CommitLog& inner) : inner_(inner) {}
  std::atomic<int> fail_commits{0};
  std::atomic<int> fail_loads{0};
  std::atomic<int> commit_delay_ms{0};
  Status commit(const store::Batch& b) override {
    if (commit_delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(commit_delay_ms.load()));
    if (fail_commits > 0) {
      --fail_commits;
      return make_error(ErrorCode::kUnavailable, "disk I/O error (injected)");
    }
    return inner_.commit(b);
  }
  Result<std::vector<model::Event>> read_events(int64_t after, int limit) override { return inner_.read_events(after, limit); }
  Result<std::optional<model::ChainLink>> chain_link(int64_t batch) override { return inner_.chain_link(batch); }
  Result<std::optional<store::IdempotencyRecord>> payment_answer(int64_t seq) override {
    return inner_.payment_answer(seq);
  }
  Result<std::vector<store::WindowPayment>> window_payments(int64_t w, int64_t after, int limit) override {
    return inner_.window_payments(w, after, limit);
  }
  Result<std::optional<store::Snapshot>> latest_snapshot() override {
    if (fail_loads > 0) {
      --fail_loads;
      return make_error(ErrorCode::kUnavailable, "database is locked (injected)");
    }
    return inner_.latest_snapshot();
  }
  Status save_snapshot(const store::Snapshot& s) override { return inner_.save_snapshot(s); }

 private:
  store::CommitLog& inner_;
};

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("deltran-engine-" + new_uuid_v4());
    fs::create_directories(dir_);
    open();
  }
  void TearDown() override {
    close();
    fs::remove_all(dir_);
  }
  void open(store::CommitLog* log = nullptr) {
    if (!store_) {
      store::SqliteSettings s;
      s.path = (dir_ / "deltran.db").string();
      s.synchronous_full = false;
      auto st = store::open_sqlite_store(s);
      ASSERT_TRUE(st.has_value()) << st.error().message;
      store_ = std::move(*st);
      auto a = store::open_file_anchor((dir_ / "audit.anchor").string());
      ASSERT_TRUE(a.has_value()) << a.error().message;
      anchor_ = std::move(*a);
    }
    engine_ = std::make_unique<Engine>(settings_, log != nullptr ? *log : *store_, clock_, anchor_.get());
    auto started = engine_->start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
  }
  void close() {
    engine_.reset();
    anchor_.reset();
    store_.reset();
  }
  Reply run(Command c) { return engine_->execute(std::move(c), "test"); }
  void reopen_with(const Settings& s) {
    close();
    settings_ = s;
    open();
  }

  void bank(const std::string& id, int64_t cap = 0) {
    CreateBankCommand c{id, id + " Bank", "AE", {kUsd, kEur}, {{kUsd, cap}}, "hash-" + id, {}};
    ASSERT_EQ(run(c).rc, Rc::kCreated);
  }
  void mint(const std::string& bank, int64_t amount, CurrencyId currency = kUsd) {
    TokenCommand t{TokenCommand::Kind::kMint, bank, Amount{amount, currency}, "fund-" + new_uuid_v4()};
    ASSERT_EQ(run(t).rc, Rc::kOk);
  }
  static TransferCommand transfer(const std::string& from, const std::string& to, int64_t amount,
                                  const std::string& key = "") {
    TransferCommand t;
    t.id = new_uuid_v4();
    t.uetr = new_uuid_v4();
    t.idempotency_key = key;
    t.request_hash = from + to + std::to_string(amount);
    t.debtor_agent = from;
    t.creditor_agent = to;
    t.amount = Amount{amount, kUsd};
    t.end_to_end_id = "E2E";
    return t;
  }
  AccountView account(const std::string& b, CurrencyId c = kUsd) {
    const auto view = engine_->view();  // held while its parts are read
    const ParticipantView* p = view->find(b);
    EXPECT_NE(p, nullptr) << b;
    return p != nullptr && p->account(c) != nullptr ? *p->account(c) : AccountView{};
  }
  int64_t usd_balance(const std::string& b) { return account(b).balance_minor; }
  // History for the controls: four accepted payments of one customer and one AM04
  // failure; returns a probe payment of that customer.
  TransferCommand build_history() {
    bank("BANKAAAA");
    bank("BANKBBBB");
    mint("BANKAAAA", 10'000);
    const std::string account = "AE070331234567890123456";
    for (int i = 0; i < 4; ++i) {
      TransferCommand t = transfer("BANKAAAA", "BANKBBBB", 100 + i, "k-ok-" + std::to_string(i));
      t.debtor.account = account;
      EXPECT_EQ(run(t).rc, Rc::kAccepted);
    }
    TransferCommand too_big = transfer("BANKAAAA", "BANKBBBB", 1'000'000, "k-am04");
    too_big.debtor.account = account;
    EXPECT_EQ(run(too_big).rc, Rc::kInsufficientLiquidity);
    TransferCommand probe = transfer("BANKAAAA", "BANKBBBB", 50);
    probe.debtor.account = account;
    return probe;
  }
  CheckReport check() {
    auto report = check_store(*store_, anchor_.get());
    EXPECT_TRUE(report.has_value()) << report.error().message;
    return report ? *report : CheckReport{};
  }
  std::vector<model::Event> events() {
    auto all = store_->list_events(store::EventFilter{0, 100'000, ""});
    EXPECT_TRUE(all.has_value());
    return all ? *all : std::vector<model::Event>{};
  }
  size_t count(model::EventType type) {
    auto all = events();
    return static_cast<size_t>(std::count_if(all.begin(), all.end(), [&](const model::Event& e) { return e.type == type; }));
  }

  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<store::Anchor> anchor_;
  std::unique_ptr<Engine> engine_;
  Settings settings_;
};

TEST_F(EngineTest, AcceptedPaymentReservesTheDebtorsLiquidityInTheOpenWindow) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply r = run(transfer("BANKAAAA", "BANKBBBB", 2'500));
  ASSERT_EQ(r.rc, Rc::kAccepted) << r.message;
  const auto& p = std::get<PaymentResult>(r.body);
  EXPECT_EQ(p.status, PaymentStatus::kQueued);
  EXPECT_GT(p.window_id, 0);
  auto a = account("BANKAAAA");
  EXPECT_EQ(a.balance_minor, 10'000);
  EXPECT_EQ(a.reserved_minor, 2'500);
  EXPECT_EQ(a.available_minor, 7'500);
  auto stored = store_->get_payment(p.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->amount.minor, 2'500);
  EXPECT_EQ((*stored)->amount.currency, kUsd);
}

TEST_F(EngineTest, ShortLiquidityIsRejectedWithAM04AndTheRejectionIsRecorded) {
  bank("BANKAAAA", 1'000);
  bank("BANKBBBB");
  mint("BANKAAAA", 500);
  Reply ok = run(transfer("BANKAAAA", "BANKBBBB", 1'500));  // balance 500 + cap 1,000
  ASSERT_EQ(ok.rc, Rc::kAccepted);
  Reply r = run(transfer("BANKAAAA", "BANKBBBB", 1, "k1"));
  ASSERT_EQ(r.rc, Rc::kInsufficientLiquidity);
  EXPECT_EQ(iso_reason(r.rc), "AM04");
  const auto& p = std::get<PaymentResult>(r.body);
  auto stored = store_->get_payment(p.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->status, PaymentStatus::kRejected);
  EXPECT_EQ((*stored)->rc, Rc::kInsufficientLiquidity);
  // The retry answers the same, even after liquidity arrives.
  mint("BANKAAAA", 1'000'000);
  Reply again = run(transfer("BANKAAAA", "BANKBBBB", 1, "k1"));
  EXPECT_EQ(again.rc, Rc::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(again.body).id, p.id);
  EXPECT_EQ(std::get<PaymentResult>(again.body).rc, Rc::kInsufficientLiquidity);
}

TEST_F(EngineTest, IncomingPaymentsInTheWindowOffsetTheReservation) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 100);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKAAAA", 1'000)).rc, Rc::kInsufficientLiquidity);  // B has nothing
  mint("BANKBBBB", 1'000);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKAAAA", 1'000)).rc, Rc::kAccepted);
  // A may now send 1,100: its net debit is 100.
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1'100)).rc, Rc::kAccepted);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1)).rc, Rc::kInsufficientLiquidity);
}

TEST_F(EngineTest, LiquidityNearTheTopOfInt64DoesNotWrap) {
  bank("BANKAAAA", 1'000'000'000'000'000'000);  // a cap of 10^18 minor units
  bank("BANKBBBB");
  for (int i = 0; i < 9; ++i) mint("BANKAAAA", 1'000'000'000'000'000'000);
  // balance 9·10^18 plus cap 10^18 exceeds int64: the check must still see plenty.
  Reply r = run(transfer("BANKAAAA", "BANKBBBB", 5));
  EXPECT_EQ(r.rc, Rc::kAccepted) << r.message;
  EXPECT_EQ(account("BANKAAAA").available_minor, INT64_MAX) << "available saturates instead of wrapping";
}

// Totals at the int64 edge give a clean refusal, never an abort: a creditor whose balance
// would pass INT64_MAX when the window settles, and a daily volume counter that would wrap.
TEST_F(EngineTest, TotalsAtTheEdgeOfInt64AreRefusedCleanlyAndTheCoreGoesOn) {
  Settings s;
  s.max_payment_minor = INT64_MAX;
  s.controls.breakers_enabled = false;
  s.controls.aml_enabled = s.controls.risk_enabled = false;
  reopen_with(s);
  constexpr int64_t kE17 = 100'000'000'000'000'000;
  bank("BANKAAAA", 10 * kE17);
  bank("BANKBBBB");
  bank("BANKCCCC");
  for (int i = 0; i < 4; ++i) mint("BANKAAAA", 10 * kE17);  // a posting is at most 10^18
  for (int i = 0; i < 5; ++i) mint("BANKBBBB", 10 * kE17);
  // 5·10^18 + 4.5·10^18 > INT64_MAX (9.22·10^18): B could never be credited that at settlement.
  Reply credit = run(transfer("BANKAAAA", "BANKBBBB", 45 * kE17, "edge-1"));
  EXPECT_EQ(credit.rc, Rc::kCounterOverflow) << credit.message;
  EXPECT_EQ(iso_reason(credit.rc), "AM02");
  // A's volume of the day: 4.7·10^18 out, back from C, then 4.7·10^18 more would wrap.
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKCCCC", 47 * kE17, "edge-2")).rc, Rc::kAccepted);
  ASSERT_TRUE(is_success(run(CloseWindowCommand{0, kUsd, false}).rc));
  ASSERT_EQ(run(transfer("BANKCCCC", "BANKAAAA", 47 * kE17, "edge-3")).rc, Rc::kAccepted);
  ASSERT_TRUE(is_success(run(CloseWindowCommand{0, kUsd, false}).rc));
  Reply volume = run(transfer("BANKAAAA", "BANKCCCC", 47 * kE17, "edge-4"));
  EXPECT_EQ(volume.rc, Rc::kCounterOverflow) << volume.message;
  // Everything still settles and checks out, and a restart rebuilds it.
  EXPECT_EQ(usd_balance("BANKAAAA"), 40 * kE17);
  auto report = check();
  EXPECT_TRUE(report.ok()) << report.failures.front();
  close();
  open();
  EXPECT_EQ(usd_balance("BANKAAAA"), 40 * kE17);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKCCCC", 47 * kE17, "edge-4")).rc, Rc::kReplayed);
  // The event log alone reads back amounts at the edge too (a cap and postings of 10^18).
  close();
  fs::remove_all(dir_ / "snapshots");
  open();
  EXPECT_EQ(engine_->last_restore().snapshot_seq, 0);
  EXPECT_EQ(usd_balance("BANKAAAA"), 40 * kE17);
  EXPECT_EQ(account("BANKAAAA").net_debit_cap_minor, 10 * kE17);
}

TEST_F(EngineTest, RetryWithTheSameKeyReturnsTheOriginalAndAReusedKeyConflicts) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply first = run(transfer("BANKAAAA", "BANKBBBB", 100, "key-1"));
  Reply second = run(transfer("BANKAAAA", "BANKBBBB", 100, "key-1"));
  ASSERT_EQ(first.rc, Rc::kAccepted);
  ASSERT_EQ(second.rc, Rc::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(first.body).id, std::get<PaymentResult>(second.body).id);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, 100);
  Reply reused = run(transfer("BANKAAAA", "BANKBBBB", 200, "key-1"));
  EXPECT_EQ(reused.rc, Rc::kIdempotencyKeyReused);
  EXPECT_EQ(iso_reason(reused.rc), "DUPL");
  // A key made from the EndToEndId names the payment: another payment with it is a duplicate.
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 300, "e2e:INV-1")).rc, Rc::kAccepted);
  Reply dup = run(transfer("BANKAAAA", "BANKBBBB", 301, "e2e:INV-1"));
  EXPECT_EQ(dup.rc, Rc::kDuplicatePayment);
  EXPECT_EQ(http_status(dup.rc), 409);
}

// Answers leave memory after idempotency_memory_us; their fingerprints stay for the
// retention period and lead a late retry to the store. After the retention the key is free.
TEST_F(EngineTest, ALateRetryIsAnsweredFromTheStoreUntilTheRetentionEnds) {
  Settings s;
  s.idempotency_memory_us = 1'000'000;                 // 1 s of whole answers in memory
  s.idempotency_retention_us = 3LL * 86'400'000'000;   // 3 days
  reopen_with(s);
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply first = run(transfer("BANKAAAA", "BANKBBBB", 100, "late-1"));
  ASSERT_EQ(first.rc, Rc::kAccepted);
  clock_.advance_us(3'600'000'000);  // an hour: out of memory
  mint("BANKAAAA", 1);               // a batch, so the memory is swept
  const uint64_t lookups = engine_->metrics().idempotency_store_lookups.value();
  Reply late = run(transfer("BANKAAAA", "BANKBBBB", 100, "late-1"));
  EXPECT_EQ(late.rc, Rc::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(late.body).id, std::get<PaymentResult>(first.body).id);
  EXPECT_EQ(engine_->metrics().idempotency_store_lookups.value(), lookups + 1) << "answered from the store";
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 999, "late-1")).rc, Rc::kIdempotencyKeyReused);
  // After a restart (a snapshot keeps fingerprints, not answers) the same.
  close();
  open();
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 100, "late-1")).rc, Rc::kReplayed);
  // Four days on, past the retention: the key is forgotten (the payment stays on record)
  // and the same key makes a new payment; a retry of that one names the new payment.
  clock_.advance_us(4LL * 86'400'000'000);
  mint("BANKAAAA", 1);
  mint("BANKAAAA", 1);
  auto kept = store_->get_payment(std::get<PaymentResult>(first.body).id);
  ASSERT_TRUE(kept.has_value());
  ASSERT_TRUE(kept->has_value()) << "the payment stays on record";
  EXPECT_EQ((*kept)->idempotency_key, "late-1");
  Reply fresh = run(transfer("BANKAAAA", "BANKBBBB", 100, "late-1"));
  EXPECT_EQ(fresh.rc, Rc::kAccepted);
  EXPECT_NE(std::get<PaymentResult>(fresh.body).id, std::get<PaymentResult>(first.body).id);
  clock_.advance_us(3'600'000'000);
  mint("BANKAAAA", 1);
  Reply again = run(transfer("BANKAAAA", "BANKBBBB", 100, "late-1"));
  EXPECT_EQ(again.rc, Rc::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(again.body).id, std::get<PaymentResult>(fresh.body).id);
}

// Two keys of one debtor whose 64-bit fingerprints are equal (found by a cycle search over
// FNV-1a; both hash to 769ad84ddc29d3b1): each is answered with its own payment, from
// memory, from the store, and after a restart.
TEST_F(EngineTest, TwoKeysWithOneFingerprintAreTwoPaymentsAndEachRetryFindsItsOwn) {
  const std::string k1 = "80810ec5d980a48a", k2 = "6be98cd9042ba967";
  Settings s;
  s.idempotency_memory_us = 1'000'000;  // answers leave memory after a second
  reopen_with(s);
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply first = run(transfer("BANKAAAA", "BANKBBBB", 100, k1));
  Reply second = run(transfer("BANKAAAA", "BANKBBBB", 200, k2));
  ASSERT_EQ(first.rc, Rc::kAccepted);
  ASSERT_EQ(second.rc, Rc::kAccepted) << "not taken for a retry of the other key";
  const std::string id1 = std::get<PaymentResult>(first.body).id, id2 = std::get<PaymentResult>(second.body).id;
  EXPECT_NE(id1, id2);
  auto retry = [&](const std::string& key, int64_t amount) { return run(transfer("BANKAAAA", "BANKBBBB", amount, key)); };
  EXPECT_EQ(std::get<PaymentResult>(retry(k1, 100).body).id, id1);
  EXPECT_EQ(std::get<PaymentResult>(retry(k2, 200).body).id, id2);
  clock_.advance_us(3'600'000'000);  // out of memory: answered from the store
  mint("BANKAAAA", 1);
  const uint64_t lookups = engine_->metrics().idempotency_store_lookups.value();
  Reply late1 = retry(k1, 100), late2 = retry(k2, 200);
  ASSERT_EQ(late1.rc, Rc::kReplayed);
  ASSERT_EQ(late2.rc, Rc::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(late1.body).id, id1);
  EXPECT_EQ(std::get<PaymentResult>(late2.body).id, id2);
  EXPECT_GT(engine_->metrics().idempotency_store_lookups.value(), lookups);
  EXPECT_EQ(retry(k2, 999).rc, Rc::kIdempotencyKeyReused);
  // From a snapshot, and from the log alone.
  close();
  open();
  EXPECT_EQ(std::get<PaymentResult>(retry(k2, 200).body).id, id2);
  EXPECT_EQ(std::get<PaymentResult>(retry(k1, 100).body).id, id1);
  close();
  fs::remove_all(dir_ / "snapshots");
  open();
  EXPECT_EQ(engine_->last_restore().snapshot_seq, 0);
  EXPECT_EQ(std::get<PaymentResult>(retry(k2, 200).body).id, id2);
  EXPECT_EQ(std::get<PaymentResult>(retry(k1, 100).body).id, id1);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, 300);
}

TEST_F(EngineTest, ClosingAWindowNetsSettlesAndOpensTheNext) {
  // The example of DESIGN.md §5, in thousands.
  for (const char* b : {"BANKAAAA", "BANKBBBB", "BANKCCCC", "BANKDDDD"}) {
    bank(b);
    mint(b, 1'000'000);
  }
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1'000'000)).rc, Rc::kAccepted);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKCCCC", 500'000)).rc, Rc::kAccepted);
  ASSERT_EQ(run(transfer("BANKCCCC", "BANKAAAA", 750'000)).rc, Rc::kAccepted);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKDDDD", 300'000)).rc, Rc::kAccepted);
  ASSERT_EQ(run(transfer("BANKDDDD", "BANKBBBB", 200'000)).rc, Rc::kAccepted);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKAAAA", 100'000)).rc, Rc::kAccepted);
  Reply closed = run(CloseWindowCommand{0, kUsd, false});
  ASSERT_EQ(closed.rc, Rc::kOk) << closed.message;
  const auto& w = std::get<model::Window>(closed.body);
  EXPECT_EQ(w.status, model::WindowStatus::kSettled);
  EXPECT_EQ(w.gross_minor, 2'850'000);
  EXPECT_EQ(w.net_minor, 700'000);
  EXPECT_EQ(w.efficiency_ppm, 754'385);
  EXPECT_EQ(w.payment_count, 6);
  EXPECT_EQ(usd_balance("BANKAAAA"), 1'000'000 - 450'000);
  EXPECT_EQ(usd_balance("BANKBBBB"), 1'000'000 + 600'000);
  EXPECT_EQ(usd_balance("BANKCCCC"), 1'000'000 - 250'000);
  EXPECT_EQ(usd_balance("BANKDDDD"), 1'000'000 + 100'000);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, 0);
  // Closing again is refused; a new window is open.
  EXPECT_EQ(run(CloseWindowCommand{w.id, {}, false}).rc, Rc::kWindowAlreadySettled);
  auto view = engine_->view();
  ASSERT_EQ(view->open_windows.size(), 2u);  // USD and EUR
  EXPECT_EQ(view->open_windows.count(w.id), 0u);
  // The payments read SETTLED through their window; no payment row was rewritten.
  auto stored = store_->list_payments(store::PaymentFilter{PaymentStatus::kSettled, "", {}, w.id, 0, 100});
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->size(), 6u);
  EXPECT_EQ(count(model::EventType::kWindowClosed), 1u);
  EXPECT_EQ(count(model::EventType::kWindowNetted), 1u);
  EXPECT_EQ(count(model::EventType::kWindowSettled), 1u);
  auto report = check();
  EXPECT_TRUE(report.ok()) << report.failures.front();
  EXPECT_EQ(report.windows_settled, 1);
}

// A settled window's payments are told settled (payment.settled) a chunk per group commit,
// after the close's own commit: the close never holds the core for all of them.
TEST_F(EngineTest, ASettledWindowsPaymentsAreToldSettledInChunksAfterTheClose) {
  Settings s;
  s.settled_events_per_batch = 7;
  s.controls.breakers_enabled = false;
  reopen_with(s);
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 1'000'000);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10 + i)).rc, Rc::kAccepted);
  Reply closed = run(CloseWindowCommand{0, kUsd, false});
  ASSERT_TRUE(is_success(closed.rc));
  const int64_t window = std::get<model::Window>(closed.body).id;
  // The core tells them on its own, seven per batch, without further commands.
  for (int i = 0; i < 200 && count(model::EventType::kPaymentSettled) < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto all = events();
  std::set<std::string> told;
  std::map<int64_t, int> per_batch;
  int64_t close_batch = 0;
  for (const auto& e : all) {
    if (e.type == model::EventType::kWindowSettled) close_batch = e.batch;
  }
  for (const auto& e : all) {
    if (e.type != model::EventType::kPaymentSettled) continue;
    told.insert(e.entity);
    ++per_batch[e.batch];
    EXPECT_NE(e.payload.find("\"window_id\":" + std::to_string(window)), std::string::npos);
  }
  EXPECT_EQ(told.size(), 40u) << "every payment once";
  EXPECT_EQ(per_batch.count(close_batch), 0u) << "none in the close's own batch";
  for (const auto& [b, n] : per_batch) EXPECT_LE(n, 7) << "batch " << b;
  EXPECT_TRUE(check().ok());
}

TEST_F(EngineTest, BurnCannotSpendReservedTokensOrCredit) {
  bank("BANKAAAA", 5'000);
  bank("BANKBBBB");
  mint("BANKAAAA", 1'000);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 600)).rc, Rc::kAccepted);
  TokenCommand burn{TokenCommand::Kind::kBurn, "BANKAAAA", Amount{401, kUsd}, "out-1"};
  EXPECT_EQ(run(burn).rc, Rc::kInsufficientFunds);
  burn.amount.minor = 400;
  EXPECT_EQ(run(burn).rc, Rc::kOk);
  EXPECT_EQ(usd_balance("BANKAAAA"), 600);
  // The same reference again is a replay, not a second burn.
  EXPECT_EQ(run(burn).rc, Rc::kReplayed);
  EXPECT_EQ(usd_balance("BANKAAAA"), 600);
  burn.amount.minor = 1;
  EXPECT_EQ(run(burn).rc, Rc::kReferenceReused);
}

TEST_F(EngineTest, RestartRebuildsBalancesReservationsAndIdempotencyKeys) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply first = run(transfer("BANKAAAA", "BANKBBBB", 3'000, "k"));
  ASSERT_EQ(first.rc, Rc::kAccepted);
  close();
  open();
  auto a = account("BANKAAAA");
  EXPECT_EQ(a.balance_minor, 10'000);
  EXPECT_EQ(a.reserved_minor, 3'000);
  Reply again = run(transfer("BANKAAAA", "BANKBBBB", 3'000, "k"));
  EXPECT_EQ(again.rc, Rc::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(again.body).id, std::get<PaymentResult>(first.body).id);
  ASSERT_EQ(run(CloseWindowCommand{0, kUsd, false}).rc, Rc::kOk);
  EXPECT_EQ(usd_balance("BANKBBBB"), 3'000);
  const auto view = engine_->view();
  EXPECT_EQ(view->by_key_hash("hash-BANKBBBB")->info.bic, "BANKBBBB");
}

// Every state change is an event: the log of a small scenario, in order, with a dense
// sequence, batch by batch, chained, and each batch anchored outside the database.
TEST_F(EngineTest, EveryStateChangeIsAnEventInOrderChainedAndAnchored) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 500, "e1")).rc, Rc::kAccepted);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 50'000, "e2")).rc, Rc::kInsufficientLiquidity);
  ASSERT_EQ(run(CloseWindowCommand{0, kUsd, false}).rc, Rc::kOk);
  std::vector<std::string> types;
  int64_t seq = 0;
  for (const auto& e : events()) {
    EXPECT_EQ(e.seq, ++seq);
    if (e.type != model::EventType::kPaymentSettled) types.emplace_back(model::to_string(e.type));
  }
  const std::vector<std::string> expected = {
      "participant.created", "credential.issued", "window.opened",  "window.opened",  "participant.created",
      "credential.issued",   "funds.minted",      "payment.accepted", "payment.rejected", "window.closed",
      "window.netted",       "window.settled",    "window.opened"};
  EXPECT_EQ(types, expected);
  auto lines = anchor_->read_all();
  ASSERT_TRUE(lines.has_value());
  auto link = store_->chain_link(0);
  ASSERT_TRUE(link.has_value() && link->has_value());
  ASSERT_FALSE(lines->empty());
  EXPECT_EQ(lines->back().batch, (*link)->batch);
  EXPECT_EQ(lines->back().hash, (*link)->hash);
  auto report = check();
  EXPECT_TRUE(report.ok()) << report.failures.front();
  EXPECT_EQ(report.anchored_batches, report.batches);
}

TEST_F(EngineTest, AReviewedPaymentIsHeldWithACaseAndReleasedIntoTheOpenWindowOnApproval) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  TransferCommand t = transfer("BANKAAAA", "BANKBBBB", 2'000, "held-1");
  t.screening = {Screening::Decision::kReview, 80, R"({"rules":["structuring"]})", "structuring"};
  Reply held = run(t);
  ASSERT_EQ(held.rc, Rc::kHeld);
  const auto& p = std::get<PaymentResult>(held.body);
  EXPECT_EQ(p.status, PaymentStatus::kHeld);
  ASSERT_GT(p.case_id, 0);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, 0) << "a held payment takes no liquidity";
  auto cases = store_->list_cases(model::CaseStatus::kOpen, 0, 10);
  ASSERT_TRUE(cases.has_value());
  ASSERT_EQ(cases->size(), 1u);
  EXPECT_EQ(cases->at(0).score, 80);
  close();
  open();  // the case and the held payment survive a restart
  Reply approved = run(CaseDecisionCommand{p.case_id, true, "documents checked"});
  ASSERT_EQ(approved.rc, Rc::kOk) << approved.message;
  const auto& result = std::get<CaseResult>(approved.body);
  EXPECT_EQ(result.kase.status, model::CaseStatus::kApproved);
  EXPECT_EQ(result.payment.status, PaymentStatus::kQueued);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, 2'000);
  EXPECT_EQ(run(CaseDecisionCommand{p.case_id, true, ""}).rc, Rc::kCaseNotOpen) << "decided once";
  Reply replay = run(t);
  EXPECT_EQ(std::get<PaymentResult>(replay.body).status, PaymentStatus::kQueued);
  ASSERT_EQ(run(CloseWindowCommand{0, kUsd, false}).rc, Rc::kOk);
  EXPECT_EQ(usd_balance("BANKBBBB"), 2'000);
  auto report = check();
  EXPECT_TRUE(report.ok()) << report.failures.front();
}

TEST_F(EngineTest, ARejectedCaseAndABlockedPaymentEndWithRR04) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  TransferCommand review = transfer("BANKAAAA", "BANKBBBB", 500, "r-1");
  review.screening.decision = Screening::Decision::kReview;
  auto held = std::get<PaymentResult>(run(review).body);
  Reply rejected = run(CaseDecisionCommand{held.case_id, false, "counterparty unverifiable"});
  ASSERT_EQ(rejected.rc, Rc::kOk);
  EXPECT_EQ(std::get<CaseResult>(rejected.body).payment.status, PaymentStatus::kRejected);
  auto stored = store_->get_payment(held.id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->status, PaymentStatus::kRejected);
  EXPECT_EQ((*stored)->rc, Rc::kRegulatory);
  TransferCommand block = transfer("BANKAAAA", "BANKBBBB", 500, "b-1");
  block.screening = {Screening::Decision::kBlock, 100, R"({"hits":[{"list":"ofac"}]})", "creditor on ofac"};
  Reply blocked = run(block);
  EXPECT_EQ(blocked.rc, Rc::kRegulatory);
  EXPECT_EQ(iso_reason(blocked.rc), "RR04");
  EXPECT_EQ(run(block).rc, Rc::kReplayed);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, 0);
  auto report = check();
  EXPECT_TRUE(report.ok()) << report.failures.front();
}

// What the controls' memory says about a debtor, as text: the risk and AML factors, the
// rules that fire and today's volume. Equal texts mean equal history and counters.
std::string controls_memory(Engine& e, const TransferCommand& probe) {
  Reply r = e.evaluate_risk(probe);
  const auto& v = std::get<RiskReport>(r.body);
  std::string out = "risk " + std::to_string(v.risk_score) + " aml " + std::to_string(v.aml_score) + " rules";
  for (const auto& rule : v.aml_rules) out += " " + rule;
  for (const auto* factors : {&v.risk_factors, &v.aml_factors}) {
    for (const auto& f : *factors) out += " " + f.name + "=" + std::to_string(f.score);
  }
  const auto view = e.view();
  for (const auto& a : view->find(probe.debtor_agent)->accounts) {
    out += " used " + std::to_string(a.currency.numeric) + "=" + std::to_string(a.used_today_minor);
  }
  return out;
}

// History for the controls: four accepted payments of one customer and one AM04 failure;
// returns a probe payment of that customer.
TEST_F(EngineTest, AFailedCommitAnswers503RebuildsFromTheStoreAndRecovers) {
  build_history();
  engine_.reset();
  FaultyLog faulty(*store_);
  open(&faulty);
  faulty.fail_commits = 1;
  faulty.fail_loads = 2;  // the store stays down for the next two attempts to rebuild
  Reply lost = run(transfer("BANKAAAA", "BANKBBBB", 4'000, "k-lost"));
  EXPECT_EQ(lost.rc, Rc::kStoreUnavailable);
  EXPECT_FALSE(engine_->ready());
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1, "k-down-1")).rc, Rc::kStoreUnavailable);  // still down: fail fast
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1, "k-down-2")).rc, Rc::kStoreUnavailable);
  // The store answers again: the core rebuilt itself, and the lost payment left no trace.
  Reply retry = run(transfer("BANKAAAA", "BANKBBBB", 4'000, "k-lost"));
  EXPECT_EQ(retry.rc, Rc::kAccepted);
  EXPECT_TRUE(engine_->ready());
  auto a = account("BANKAAAA");
  EXPECT_EQ(a.reserved_minor, 406 + 4'000);  // the four accepted payments and the retry, not the lost one
  EXPECT_EQ(a.balance_minor, 10'000);
  engine_.reset();
  open();
  auto report = check();
  EXPECT_TRUE(report.ok()) << (report.failures.empty() ? "" : report.failures.front());
  EXPECT_EQ(report.payments, 6);
}

// The AML history and the counters are rebuilt as they were after a failed commit:
// accepted payments are not read back as failures, nor the failure as an accepted payment.

TEST_F(EngineTest, TheControlsMemoryIsTheSameAfterAFailedCommitsRebuild) {
  const TransferCommand probe = build_history();
  const std::string before = controls_memory(*engine_, probe);
  engine_.reset();
  FaultyLog faulty(*store_);
  open(&faulty);
  faulty.fail_commits = 1;
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 7, "k-lost")).rc, Rc::kStoreUnavailable);
  EXPECT_EQ(run(TokenCommand{TokenCommand::Kind::kMint, "BANKBBBB", Amount{1, kUsd}, "after"}).rc, Rc::kOk);
  EXPECT_EQ(controls_memory(*engine_, probe), before);
  engine_.reset();
}

// The core decides the next batch while one commits. If the one in flight fails, the next
// (decided on its effects) fails with it: neither leaves a trace, and both can be retried.
TEST_F(EngineTest, ABatchDecidedOnAFailedOneFailsWithItAndLeavesNoTrace) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  engine_.reset();
  FaultyLog faulty(*store_);
  open(&faulty);
  faulty.commit_delay_ms = 300;
  faulty.fail_commits = 1;
  std::promise<Reply> first, second;
  ASSERT_TRUE(engine_->submit(transfer("BANKAAAA", "BANKBBBB", 100, "p-1"), "test",
                              [&](Reply&& r) { first.set_value(std::move(r)); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // p-1 is being committed
  ASSERT_TRUE(engine_->submit(transfer("BANKAAAA", "BANKBBBB", 200, "p-2"), "test",
                              [&](Reply&& r) { second.set_value(std::move(r)); }));
  EXPECT_EQ(first.get_future().get().rc, Rc::kStoreUnavailable);
  EXPECT_EQ(second.get_future().get().rc, Rc::kStoreUnavailable);
  faulty.commit_delay_ms = 0;
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 100, "p-1")).rc, Rc::kAccepted);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 200, "p-2")).rc, Rc::kAccepted);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, 300);
  engine_.reset();
  open();
  auto report = check();
  EXPECT_TRUE(report.ok()) << (report.failures.empty() ? "" : report.failures.front());
  EXPECT_EQ(report.payments, 2);
}

// A window closed in the same batch as its payments, while the core goes on deciding: its
// payments are told settled once that batch is durable, not read (and missed) before.
TEST_F(EngineTest, PaymentsStillInFlightWhenTheirWindowClosesAreToldSettled) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  engine_.reset();
  FaultyLog slow(*store_);
  open(&slow);
  slow.commit_delay_ms = 150;
  std::atomic<int> answered{0};
  std::atomic<int> accepted{0};
  auto count_reply = [&](Reply&& r) {
    accepted += r.rc == Rc::kAccepted ? 1 : 0;
    ++answered;
  };
  // Batch N: a mint, being committed while the payments and the close are decided (N+1).
  ASSERT_TRUE(engine_->submit(TokenCommand{TokenCommand::Kind::kMint, "BANKBBBB", Amount{1, kUsd}, "first"}, "test",
                              count_reply));
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(engine_->submit(transfer("BANKAAAA", "BANKBBBB", 10 + i, "w-" + std::to_string(i)), "test", count_reply));
  }
  ASSERT_TRUE(engine_->submit(CloseWindowCommand{0, kUsd, false}, "test", count_reply));
  // N+2, decided while N+1 (the payments and their window's settlement) is committed.
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  ASSERT_EQ(run(TokenCommand{TokenCommand::Kind::kMint, "BANKBBBB", Amount{1, kUsd}, "meanwhile"}).rc, Rc::kOk);
  EXPECT_EQ(answered.load(), 7);
  EXPECT_EQ(accepted.load(), 5);
  slow.commit_delay_ms = 0;
  for (int i = 0; i < 200 && count(model::EventType::kPaymentSettled) < 5; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(count(model::EventType::kPaymentSettled), 5u);
  engine_.reset();
  open();
  auto report = check();
  EXPECT_TRUE(report.ok()) << (report.failures.empty() ? "" : report.failures.front());
}

TEST_F(EngineTest, AFullQueueRefusesAtOnceInsteadOfWaiting) {
  bank("BANKAAAA");
  engine_.reset();
  FaultyLog slow(*store_);
  settings_.queue_max = 4;
  open(&slow);
  slow.commit_delay_ms = 200;
  std::atomic<int> done{0};
  int refused = 0;
  for (int i = 0; i < 50; ++i) {
    TokenCommand t{TokenCommand::Kind::kMint, "BANKAAAA", Amount{1, kUsd}, "q-" + std::to_string(i)};
    if (!engine_->submit(t, "test", [&](Reply&&) { ++done; })) ++refused;
  }
  EXPECT_GT(refused, 40);
  slow.commit_delay_ms = 0;
  engine_.reset();  // drains what was accepted
  EXPECT_EQ(done.load(), 50 - refused);
}

// All transactions of one message are decided in one group commit, in order: a window
// close submitted meanwhile lands before or after all of them, never between.
TEST_F(EngineTest, SubmitManyKeepsAMessagesTransactionsTogether) {
  Settings s;
  s.batch_max = 3;  // smaller than the message: it still goes in one batch
  s.controls.breakers_enabled = false;
  reopen_with(s);
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 1'000'000);
  std::vector<Command> message;
  for (int i = 0; i < 10; ++i) message.emplace_back(transfer("BANKAAAA", "BANKBBBB", 100 + i, "m-" + std::to_string(i)));
  std::promise<std::vector<Reply>> got;
  auto future = got.get_future();
  ASSERT_TRUE(engine_->submit_many(std::move(message), "test", [&](std::vector<Reply>&& r) { got.set_value(std::move(r)); }));
  Reply closed = run(CloseWindowCommand{0, kUsd, false});
  auto replies = future.get();
  ASSERT_EQ(replies.size(), 10u);
  std::set<int64_t> windows;
  for (const auto& r : replies) {
    ASSERT_EQ(r.rc, Rc::kAccepted);
    windows.insert(std::get<PaymentResult>(r.body).window_id);
  }
  EXPECT_EQ(windows.size(), 1u) << "one message, one window";
  std::set<int64_t> batches;
  for (const auto& e : events()) {
    if (e.type == model::EventType::kPaymentAccepted) batches.insert(e.batch);
  }
  EXPECT_EQ(batches.size(), 1u) << "one message, one group commit";
  EXPECT_TRUE(is_success(closed.rc));
}

// A seeded simulation: random transfers, funding, burns, closes and restarts — clean ones
// (snapshot at stop) and crash-like ones (no snapshot: the whole tail is replayed), with
// small snapshot intervals so snapshots land mid-run — against a reference model of
// balances; every invariant is checked after each step.
TEST_F(EngineTest, SeededSimulationKeepsEveryInvariantAcrossCleanAndCrashRestarts) {
  // The model knows liquidity, not circuit breakers: many AM04s in a row would open them.
  Settings sim;
  sim.controls.breakers_enabled = false;
  sim.snapshot_every_events = 97;
  reopen_with(sim);
  const std::vector<std::string> banks = {"BANKAAAA", "BANKBBBB", "BANKCCCC", "BANKDDDD", "BANKEEEE"};
  for (size_t i = 0; i < banks.size(); ++i) bank(banks[i], static_cast<int64_t>(i) * 10'000);
  std::map<std::string, int64_t> model;      // settled balances
  std::map<std::string, int64_t> pending;    // net of the open window
  std::mt19937_64 rng(20261128);
  int accepted = 0;
  int restarts = 0;
  for (int step = 0; step < 2'500; ++step) {
    uint64_t dice = rng() % 100;
    if (dice < 5) {
      const std::string& b = banks[rng() % banks.size()];
      int64_t amount = static_cast<int64_t>(rng() % 50'000) + 1;
      mint(b, amount);
      model[b] += amount;
    } else if (dice < 8) {
      Reply r = run(CloseWindowCommand{0, kUsd, false});
      ASSERT_EQ(r.rc, Rc::kOk);
      for (auto& [b, n] : pending) model[b] += n;
      pending.clear();
    } else if (dice < 9) {
      Settings next = sim;
      next.snapshot_on_stop = (rng() % 2) == 0;
      settings_ = next;
      engine_.reset();
      open();
      ++restarts;
    } else {
      const std::string& from = banks[rng() % banks.size()];
      const std::string& to = banks[rng() % banks.size()];
      if (from == to) continue;
      int64_t amount = static_cast<int64_t>(rng() % 20'000) + 1;
      Reply r = run(transfer(from, to, amount, "s-" + std::to_string(step)));
      if (r.rc == Rc::kAccepted) {
        pending[from] -= amount;
        pending[to] += amount;
        ++accepted;
      } else {
        ASSERT_EQ(r.rc, Rc::kInsufficientLiquidity) << r.message;
      }
    }
    for (const auto& b : banks) {
      auto v = account(b);
      ASSERT_EQ(v.balance_minor, model[b]) << "step " << step << " bank " << b;
      ASSERT_GE(v.available_minor, 0) << "step " << step;
      ASSERT_GE(v.balance_minor, -v.net_debit_cap_minor);
      ASSERT_EQ(v.reserved_minor, std::max<int64_t>(0, -pending[b])) << "step " << step << " bank " << b;
    }
  }
  EXPECT_GT(accepted, 500);
  EXPECT_GT(restarts, 10);
  EXPECT_GT(engine_->metrics().snapshots.value() + static_cast<uint64_t>(engine_->last_restore().snapshot_seq > 0), 0u);
  auto report = check();
  EXPECT_TRUE(report.ok()) << report.failures.front();
}

// A restart from a snapshot and its tail, and one from the whole log, give the state the
// core had: the same balances, reservations, controls' memory, and the same next answers.
TEST_F(EngineTest, ARestartFromASnapshotAndItsTailEqualsARestartFromTheWholeLog) {
  Settings s;
  s.snapshot_every_events = 40;
  s.snapshot_on_stop = false;
  reopen_with(s);
  for (const char* b : {"BANKAAAA", "BANKBBBB", "BANKCCCC"}) {
    bank(b, 2'000);
    mint(b, 5'000);
  }
  std::mt19937_64 rng(7);
  const std::vector<std::string> banks = {"BANKAAAA", "BANKBBBB", "BANKCCCC"};
  for (int i = 0; i < 120; ++i) {
    TransferCommand t = transfer(banks[rng() % 3], banks[rng() % 3], static_cast<int64_t>(rng() % 3'000) + 1,
                                 "r-" + std::to_string(i));
    t.debtor.account = "ACC" + std::to_string(rng() % 5);
    if (t.debtor_agent == t.creditor_agent) continue;
    run(t);
    if (i == 60) {
      ASSERT_EQ(run(CloseWindowCommand{0, kUsd, false}).rc, Rc::kOk);
    }
  }
  auto observe = [&] {
    std::string out;
    for (const auto& b : banks) {
      auto a = account(b);
      out += b + " " + std::to_string(a.balance_minor) + "/" + std::to_string(a.reserved_minor) + "/" +
             std::to_string(a.used_today_minor) + "\n";
      TransferCommand probe = transfer(b, b == banks[0] ? banks[1] : banks[0], 10);
      probe.debtor.account = "ACC1";
      out += controls_memory(*engine_, probe) + "\n";
    }
    return out;
  };
  const std::string live = observe();
  engine_.reset();
  open();
  EXPECT_GT(engine_->last_restore().snapshot_seq, 0) << "restarted from a snapshot";
  EXPECT_EQ(observe(), live);
  // Without the snapshots: the whole log.
  engine_.reset();
  fs::remove_all(dir_ / "snapshots");
  open();
  EXPECT_EQ(engine_->last_restore().snapshot_seq, 0);
  EXPECT_EQ(observe(), live);
  EXPECT_TRUE(check().ok());
}

// A damaged newest snapshot is passed over for an older one and a longer tail.
TEST_F(EngineTest, ADamagedSnapshotFallsBackToAnOlderOneAndTheLog) {
  Settings s;
  s.snapshot_every_events = 10;
  reopen_with(s);
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  for (int i = 0; i < 30; ++i) ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10, "d-" + std::to_string(i))).rc, Rc::kAccepted);
  const int64_t reserved = account("BANKAAAA").reserved_minor;
  engine_.reset();
  std::vector<fs::path> snaps;
  for (const auto& e : fs::directory_iterator(dir_ / "snapshots")) snaps.push_back(e.path());
  std::sort(snaps.begin(), snaps.end());
  ASSERT_FALSE(snaps.empty());
  {
    std::fstream f(snaps.back(), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(40);
    f.put('\x7f');  // one byte: its checksum no longer matches
  }
  open();
  EXPECT_LT(engine_->last_restore().snapshot_seq, std::stoll(snaps.back().stem().string()));
  EXPECT_EQ(account("BANKAAAA").reserved_minor, reserved);
}

// A whole snapshot this build cannot read (another format) is set aside for the events.
TEST_F(EngineTest, ASnapshotOfAnotherFormatIsSetAsideForTheWholeLog) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10, "f-1")).rc, Rc::kAccepted);
  const int64_t reserved = account("BANKAAAA").reserved_minor;
  const int64_t last = engine_->metrics().last_seq.value();
  engine_.reset();
  fs::remove_all(dir_ / "snapshots");
  // Checksummed by the store, so only its content is foreign.
  ASSERT_TRUE(store_->save_snapshot(store::Snapshot{last, "DTCORE from another build"}).has_value());
  open();
  EXPECT_EQ(engine_->last_restore().snapshot_seq, 0);
  EXPECT_EQ(engine_->last_restore().events_replayed, last);
  EXPECT_EQ(account("BANKAAAA").reserved_minor, reserved);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10, "f-1")).rc, Rc::kReplayed);
}

// The core refuses to start on a store whose chain disagrees with its events or its anchor.
TEST_F(EngineTest, TheCoreRefusesToStartWhenTheStoreDisagreesWithItsAnchor) {
  bank("BANKAAAA");
  mint("BANKAAAA", 100);
  engine_.reset();
  ASSERT_TRUE(anchor_->append({999, 9'999, std::string(64, 'a')}).has_value());  // a batch the store never had
  engine_ = std::make_unique<Engine>(settings_, *store_, clock_, anchor_.get());
  auto started = engine_->start();
  ASSERT_FALSE(started.has_value());
  EXPECT_NE(started.error().message.find("lost or dropped committed data"), std::string::npos) << started.error().message;
}

// --- the stateful controls: circuit breakers, risk score, AML records ----------------------

TEST_F(EngineTest, RepeatedLiquidityFailuresOpenTheParticipantsBreakerUntilItIsReset) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 100);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1'000)).rc, Rc::kInsufficientLiquidity) << i;
  // Five failures out of five in the window: the sixth is refused before anything is recorded.
  TransferCommand sixth = transfer("BANKAAAA", "BANKBBBB", 50);
  Reply refused = run(sixth);
  ASSERT_EQ(refused.rc, Rc::kCircuitOpen);
  EXPECT_EQ(http_status(refused.rc), 503);
  EXPECT_GE(refused.retry_after_s, 1);
  auto stored = store_->get_payment(sixth.id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->has_value());
  bool participant_open = false;
  for (const auto& v : engine_->breakers()) participant_open |= v.id == "participant:BANKAAAA" && v.state == "open";
  EXPECT_TRUE(participant_open);
  auto all = events();
  EXPECT_TRUE(std::any_of(all.begin(), all.end(), [](const model::Event& e) {
    return e.type == model::EventType::kBreakerOpened && e.entity == "participant:BANKAAAA";
  }));
  // The breaker's state survives a restart (it is rebuilt from the events).
  close();
  open();
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 50)).rc, Rc::kCircuitOpen);
  // Another bank's corridor is the same (AE-AE) and now open too; an admin resets both.
  EXPECT_EQ(run(ResetBreakerCommand{"participant:BANKAAAA"}).rc, Rc::kOk);
  EXPECT_EQ(run(ResetBreakerCommand{"corridor:AE-AE"}).rc, Rc::kOk);
  EXPECT_EQ(run(ResetBreakerCommand{"corridor:XX-YY"}).rc, Rc::kBreakerNotFound);
  EXPECT_EQ(run(ResetBreakerCommand{"nonsense"}).rc, Rc::kInvalidBreakerId);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 50)).rc, Rc::kAccepted);
}

TEST_F(EngineTest, AnOpenBreakerLetsProbesThroughAfterItsCoolOff) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 100);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1'000)).rc, Rc::kInsufficientLiquidity);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10)).rc, Rc::kCircuitOpen);
  clock_.advance_us(61'000'000);  // past the 60 s open duration: half-open
  for (int i = 0; i < 3; ++i) ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10)).rc, Rc::kAccepted) << i;
  // Three successes close it again.
  for (const auto& v : engine_->breakers()) EXPECT_EQ(v.state, "closed") << v.id;
}

TEST_F(EngineTest, ALargePaymentFilesACtrAndStructuringFilesOneSarADayWithoutHolding) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000'000'00);
  TransferCommand big = transfer("BANKAAAA", "BANKBBBB", 12'000'00);
  big.debtor = {"Ivan Example", "AE070331234567890123456", "AE"};
  ASSERT_EQ(run(big).rc, Rc::kAccepted);
  auto ctrs = store_->list_aml_reports("CTR", 0, 10);
  ASSERT_TRUE(ctrs.has_value());
  ASSERT_EQ(ctrs->size(), 1u);
  EXPECT_EQ(ctrs->front().payment_id, big.id);
  EXPECT_EQ(ctrs->front().amount_usd_minor, 12'000'00);
  EXPECT_EQ(ctrs->front().debtor, "BANKAAAA/AE070331234567890123456");

  // Three payments just under 10,000 USD from one customer within a day: structuring.
  for (int i = 0; i < 4; ++i) {
    TransferCommand t = transfer("BANKAAAA", "BANKBBBB", 9'500'00 + i);
    t.debtor = {"Smurf Customer", "", ""};
    Reply r = run(t);
    ASSERT_EQ(r.rc, Rc::kAccepted) << i;
    EXPECT_EQ(std::get<PaymentResult>(r.body).status, PaymentStatus::kQueued) << i;
    clock_.advance_us(3'600'000'000);
  }
  auto sars = store_->list_aml_reports("SAR", 0, 10);
  ASSERT_TRUE(sars.has_value());
  ASSERT_EQ(sars->size(), 1u);  // the third fires it, the fourth is within the day
  EXPECT_NE(sars->front().rules.find("structuring"), std::string::npos);
  EXPECT_EQ(sars->front().debtor, "BANKAAAA/~SMURF CUSTOMER");

  // The history survives a restart: the next one still counts as structuring, and the SAR
  // interval too.
  close();
  open();
  TransferCommand again = transfer("BANKAAAA", "BANKBBBB", 9'400'00);
  again.debtor = {"smurf   customer", "", ""};
  auto report = std::get<RiskReport>(engine_->evaluate_risk(again).body);
  EXPECT_NE(std::find(report.aml_rules.begin(), report.aml_rules.end(), "structuring"), report.aml_rules.end());
  ASSERT_EQ(run(again).rc, Rc::kAccepted);
  EXPECT_EQ(store_->list_aml_reports("SAR", 0, 10)->size(), 1u);

  // With hold_on_pattern_sar the operator gets the original behaviour: held for review.
  Settings strict;
  strict.controls.aml.hold_on_pattern_sar = true;
  reopen_with(strict);
  TransferCommand held = transfer("BANKAAAA", "BANKBBBB", 9'300'00);
  held.debtor = {"Smurf Customer", "", ""};
  Reply r = run(held);
  ASSERT_EQ(r.rc, Rc::kHeld);
  EXPECT_EQ(std::get<PaymentResult>(r.body).status, PaymentStatus::kHeld);
  EXPECT_NE(std::get<PaymentResult>(r.body).case_id, 0);
}

TEST_F(EngineTest, CounterpartiesFailuresAndParticipantHistoryAreRebuiltAfterARestart) {
  Settings no_breakers;  // eight failures in a row would open the breaker
  no_breakers.controls.breakers_enabled = false;
  reopen_with(no_breakers);
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 1'000'00);
  auto with_parties = [&](int64_t amount) {
    TransferCommand t = transfer("BANKAAAA", "BANKBBBB", amount);
    t.debtor = {"Payer", "ACC-PAYER", ""};
    t.creditor = {"Payee", "ACC-PAYEE", ""};
    return t;
  };
  auto rules = [&](const TransferCommand& t) { return std::get<RiskReport>(engine_->evaluate_risk(t).body).aml_rules; };
  auto has = [](const std::vector<std::string>& v, const char* x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  EXPECT_TRUE(has(rules(with_parties(100)), "new_counterparty"));
  ASSERT_EQ(run(with_parties(100)).rc, Rc::kAccepted);
  for (int i = 0; i < 8; ++i) ASSERT_EQ(run(with_parties(5'000'00)).rc, Rc::kInsufficientLiquidity);

  // Two days later (outside the 24 h windows, inside the 30-day memory), after a restart.
  clock_.advance_us(2 * 86'400'000'000LL);
  reopen_with(no_breakers);
  RiskReport report = std::get<RiskReport>(engine_->evaluate_risk(with_parties(100)).body);
  EXPECT_FALSE(has(report.aml_rules, "new_counterparty"));
  EXPECT_TRUE(has(report.aml_rules, "poor_history"));  // 8 failures in 30 days: more than 5
  ASSERT_EQ(report.risk_factors.size(), 5u);
  EXPECT_EQ(report.risk_factors[3].name, "history");
  EXPECT_EQ(report.risk_factors[3].score, 90);  // 8 of 9 payments failed
}

TEST_F(EngineTest, TheRiskScoreRejectsAboveItsBandAndTheQueryRecordsNothing) {
  // amount 90·25 + corridor 95·30 + velocity 5·20 + no history 40·15 + unknown counter-flow
  // 50·10 = 63: in the default review band; this operator rejects above 60.
  Settings tight;
  tight.controls.risk.approve_with_limit_max = 40;
  tight.controls.risk.review_max = 60;
  reopen_with(tight);
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 900'000'000'00);
  TransferCommand t = transfer("BANKAAAA", "BANKBBBB", 2'000'000'00);  // 2M USD: amount band 90
  t.debtor = {"Remote Trading", "", "IR"};                              // a high-risk corridor: 95
  t.creditor = {"Beneficiary", "", "KP"};
  auto report = std::get<RiskReport>(engine_->evaluate_risk(t).body);
  EXPECT_EQ(report.decision, "REJECT");
  ASSERT_EQ(report.risk_factors.size(), 5u);
  int centi = 0;
  for (const auto& f : report.risk_factors) centi += f.contribution_centi;
  EXPECT_EQ(report.risk_score, (centi + 50) / 100);
  EXPECT_EQ(report.risk_score, 63);
  EXPECT_EQ(report.risk_factors[1].name, "corridor");
  EXPECT_EQ(report.risk_factors[1].score, 95);
  const size_t logged = events().size();
  engine_->evaluate_risk(t);
  EXPECT_EQ(events().size(), logged);  // an evaluation records nothing

  Reply r = run(t);
  ASSERT_EQ(r.rc, Rc::kRiskRejected);
  EXPECT_EQ(iso_reason(r.rc), "MS03");
  auto stored = store_->get_payment(t.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->status, PaymentStatus::kRejected);

  // With the default bands it is held for review; disabled, it goes through to liquidity.
  reopen_with(Settings{});
  t.id = new_uuid_v4();
  Reply held = run(t);
  ASSERT_EQ(held.rc, Rc::kHeld);
  EXPECT_EQ(std::get<PaymentResult>(held.body).status, PaymentStatus::kHeld);
  Settings off;
  off.controls.risk_enabled = false;
  off.controls.aml_enabled = false;
  reopen_with(off);
  t.id = new_uuid_v4();
  EXPECT_EQ(run(t).rc, Rc::kAccepted);
}

}  // namespace
}  // namespace deltran::engine

namespace deltran::engine {
namespace {

// Clearing-system member ids: registered with the bank or later, never two holders, kept
// through a restart from a snapshot and from the log alone, and published in the view.
TEST_F(EngineTest, ClearingMemberIdsBelongToOneParticipantAndSurviveRestarts) {
  const model::ClearingMemberId aba{"USABA", "021000021"}, sort_code{"GBDSC", "400515"};
  CreateBankCommand a{"BANKAAAA", "A Bank", "US", {kUsd}, {}, "hash-a", {aba}};
  ASSERT_EQ(run(a).rc, Rc::kCreated);
  CreateBankCommand b{"BANKBBBB", "B Bank", "GB", {kUsd}, {}, "hash-b", {aba}};
  Reply taken = run(b);
  EXPECT_EQ(taken.rc, Rc::kClearingIdTaken);
  EXPECT_NE(taken.message.find("registered to BANKAAAA"), std::string::npos) << taken.message;
  EXPECT_EQ(engine_->view()->find("BANKBBBB"), nullptr) << "refused as a whole";
  b.clearing_ids = {sort_code};
  ASSERT_EQ(run(b).rc, Rc::kCreated);
  EXPECT_EQ(run(SetClearingIdsCommand{"BANKBBBB", {sort_code, aba}}).rc, Rc::kClearingIdTaken);
  EXPECT_EQ(run(SetClearingIdsCommand{"BANKZZZZ", {}}).rc, Rc::kBankNotFound);
  // The same set again changes nothing and writes nothing.
  const int64_t before = engine_->view()->seq;
  EXPECT_EQ(run(SetClearingIdsCommand{"BANKAAAA", {aba}}).rc, Rc::kReplayed);
  EXPECT_EQ(engine_->view()->seq, before);
  // A participant gives an id up; another takes it.
  ASSERT_EQ(run(SetClearingIdsCommand{"BANKAAAA", {}}).rc, Rc::kOk);
  ASSERT_EQ(run(SetClearingIdsCommand{"BANKBBBB", {sort_code, aba}}).rc, Rc::kOk);
  auto holder = [&](const model::ClearingMemberId& id) {
    const ParticipantView* p = engine_->view()->by_clearing_id(id);
    return p == nullptr ? std::string("nobody") : p->info.bic;
  };
  EXPECT_EQ(holder(aba), "BANKBBBB");
  EXPECT_EQ(holder(sort_code), "BANKBBBB");
  EXPECT_EQ(holder(model::ClearingMemberId{"USABA", "011000015"}), "nobody");
  close();
  open();  // from the snapshot of the clean stop
  EXPECT_EQ(holder(aba), "BANKBBBB");
  EXPECT_TRUE(engine_->view()->find("BANKAAAA")->info.clearing_ids.empty());
  engine_.reset();
  fs::remove_all(dir_ / "snapshots");
  open();  // from the events alone
  EXPECT_EQ(engine_->last_restore().snapshot_seq, 0);
  EXPECT_EQ(holder(aba), "BANKBBBB");
  EXPECT_EQ(engine_->view()->find("BANKBBBB")->info.clearing_ids, (std::vector<model::ClearingMemberId>{sort_code, aba}));
  EXPECT_TRUE(check().ok());
}

// FX in the core: only a provider posts, a quote is recorded only at the providers' current
// rates, withdrawing the role withdraws the rates, and all of it replays.
TEST_F(EngineTest, RatesAndQuotesFollowTheProvidersCurrentRates) {
  const CurrencyId aed = money::currency_id("AED");
  ASSERT_EQ(run(CreateBankCommand{"FXPRAEAD", "FX", "AE", {kUsd, aed}, {}, "hash-fx", {}, true}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"BANKAAAA", "A", "AE", {kUsd, aed}, {}, "hash-a", {}}).rc, Rc::kCreated);
  const int64_t now = clock_.now_us();
  auto rate = [&](const char* provider, const char* bid, const char* ask) {
    return PostRateCommand{fx::Rate{provider, aed, kUsd, *fx::parse_rate(bid), *fx::parse_rate(ask), 0, now + 600'000'000, {}}};
  };
  EXPECT_EQ(run(rate("BANKAAAA", "0.2720", "0.2724")).rc, Rc::kNotFxProvider);
  ASSERT_EQ(run(rate("FXPRAEAD", "0.2720", "0.2724")).rc, Rc::kOk);
  PostRateCommand too_big = rate("FXPRAEAD", "0.2720", "0.2724");
  too_big.rate.ask = fx::kMaxRate + 1;
  EXPECT_EQ(run(too_big).rc, Rc::kInvalidField) << "an ask the event log could not read back";
  auto quote = [&](const char* id) {
    fx::SearchLimits at{clock_.now_us(), 0, 3};
    auto path = engine_->view()->rates->best_send(aed, kUsd, 100'000, at);
    EXPECT_TRUE(path);
    return RecordQuoteCommand{fx::Quote{id, "BANKAAAA", false, *path, clock_.now_us(), clock_.now_us() + 60'000'000, {}}};
  };
  RecordQuoteCommand first = quote("q_first");
  EXPECT_EQ(first.quote.path.receive, 27'200);
  ASSERT_EQ(run(first).rc, Rc::kCreated);
  EXPECT_EQ(run(first).rc, Rc::kReferenceReused);
  // The provider moves its rate: a quote computed at the old one is refused.
  RecordQuoteCommand stale = quote("q_stale");
  ASSERT_EQ(run(rate("FXPRAEAD", "0.2710", "0.2730")).rc, Rc::kOk);
  Reply refused = run(stale);
  EXPECT_EQ(refused.rc, Rc::kRateRefused);
  EXPECT_NE(refused.message.find("ask again"), std::string::npos) << refused.message;
  ASSERT_EQ(run(quote("q_now")).rc, Rc::kCreated);
  // Withdrawing the role withdraws the rates; the history stays.
  ASSERT_EQ(run(SetRolesCommand{"FXPRAEAD", false}).rc, Rc::kOk);
  EXPECT_TRUE(engine_->view()->rates->rates().empty());
  EXPECT_EQ(engine_->view()->rates->history().size(), 2u);
  engine_.reset();
  fs::remove_all(dir_ / "snapshots");
  open();  // from the events alone
  EXPECT_TRUE(engine_->view()->rates->rates().empty());
  EXPECT_EQ(engine_->view()->rates->history().size(), 2u);
  EXPECT_FALSE(engine_->view()->find("FXPRAEAD")->info.fx_provider);
  EXPECT_TRUE(check().ok());
}

// A payment at a quote through a pivot becomes three linked legs, each in its own
// currency's window, accepted together or not at all; a quote pays once, for its owner,
// until it expires; the settled amounts are the quote's, and every currency balances.
TEST_F(EngineTest, CrossCurrencyPaymentsSettleAsLinkedLegs) {
  const CurrencyId aed = money::currency_id("AED");
  const CurrencyId inr = money::currency_id("INR");
  ASSERT_EQ(run(CreateBankCommand{"FXAEUSAA", "FX AED", "AE", {aed, kUsd}, {}, "hash-fx1", {}, true}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"FXUSINAA", "FX INR", "US", {kUsd, inr}, {}, "hash-fx2", {}, true}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"BANKAEAA", "Sender", "AE", {aed}, {}, "hash-a", {}}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"BANKOTHR", "Other", "AE", {aed}, {}, "hash-o", {}}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"BANKINAA", "Receiver", "IN", {inr}, {}, "hash-b", {}}).rc, Rc::kCreated);
  const int64_t now = clock_.now_us();
  ASSERT_EQ(run(PostRateCommand{fx::Rate{"FXAEUSAA", aed, kUsd, *fx::parse_rate("0.2720"), *fx::parse_rate("0.2724"), 0,
                                         now + 3'600'000'000, {}}}).rc, Rc::kOk);
  ASSERT_EQ(run(PostRateCommand{fx::Rate{"FXUSINAA", kUsd, inr, *fx::parse_rate("83.10"), *fx::parse_rate("83.30"), 0,
                                         now + 3'600'000'000, {}}}).rc, Rc::kOk);
  mint("BANKAEAA", 10'000'000, aed);
  mint("BANKOTHR", 10'000'000, aed);
  mint("FXAEUSAA", 1'000'000, kUsd);
  mint("FXUSINAA", 5'000'000, inr);  // 50,000.00 INR: enough for one payment of 1,000 AED, not for 10,000
  int n = 0;
  auto quote = [&](const std::string& owner, int64_t aed_minor, int64_t ttl_us = 60'000'000) {
    fx::SearchLimits at{clock_.now_us(), 0, 3};
    auto path = engine_->view()->rates->best_send(aed, inr, aed_minor, at);
    EXPECT_TRUE(path);
    char id[35];
    std::snprintf(id, sizeof id, "q_%032x", ++n);
    fx::Quote q{id, owner, false, *path, clock_.now_us(), clock_.now_us() + ttl_us, {}};
    EXPECT_EQ(run(RecordQuoteCommand{q}).rc, Rc::kCreated);
    return q;
  };
  auto pay = [&](const fx::Quote& q, const std::string& from = "BANKAEAA") {
    TransferCommand t = transfer(from, "BANKINAA", q.path.send, "fx-" + new_uuid_v4());
    t.amount.currency = aed;
    t.quote_id = q.id;
    return t;
  };
  // 1,000.00 AED → 272.00 USD → 22,603.20 INR: each conversion rounded down.
  const fx::Quote q = quote("BANKAEAA", 100'000);
  ASSERT_EQ(q.path.hops.size(), 2u);
  EXPECT_EQ(q.path.hops[0].amount_out, 27'200);
  EXPECT_EQ(q.path.receive, 2'260'320);
  Reply accepted = run(pay(q));
  ASSERT_EQ(accepted.rc, Rc::kAccepted) << accepted.message;
  const std::string paid_id = std::get<PaymentResult>(accepted.body).id;
  // The quote pays once, for the participant it was given to, at its own amount.
  Reply again = run(pay(q));
  EXPECT_EQ(again.rc, Rc::kQuoteUsed);
  EXPECT_NE(again.message.find(paid_id), std::string::npos) << again.message;
  EXPECT_EQ(run(pay(quote("BANKAEAA", 100'000), "BANKOTHR")).rc, Rc::kQuoteNotYours);
  TransferCommand wrong_amount = pay(quote("BANKAEAA", 100'000));
  wrong_amount.amount.minor += 1;
  EXPECT_EQ(run(wrong_amount).rc, Rc::kQuoteMismatch);
  TransferCommand unknown = pay(q);
  unknown.quote_id = "q_ffffffffffffffffffffffffffffffff";
  EXPECT_EQ(run(unknown).rc, Rc::kQuoteNotFound);
  const fx::Quote short_lived = quote("BANKAEAA", 100'000, 1'000'000);
  clock_.advance_us(2'000'000);
  EXPECT_EQ(run(pay(short_lived)).rc, Rc::kQuoteExpired);
  // All or nothing: the INR provider cannot pay 10,000 AED's worth, so no leg is booked,
  // though the sender could pay its AED and the AED provider its USD.
  const auto gross = [&](CurrencyId c) {
    const auto view = engine_->view();
    for (const auto& [id, w] : view->open_windows) {
      if (w->currency == c) return w->gross_minor;
    }
    return int64_t{-1};
  };
  const int64_t aed_gross = gross(aed), usd_gross = gross(kUsd), inr_gross = gross(inr);
  EXPECT_EQ(aed_gross, 100'000);
  EXPECT_EQ(usd_gross, 27'200);
  EXPECT_EQ(inr_gross, 2'260'320);
  const fx::Quote big = quote("BANKAEAA", 1'000'000);
  Reply short_leg = run(pay(big));
  EXPECT_EQ(short_leg.rc, Rc::kFxProviderShort) << "the provider's shortfall, not the sender's";
  EXPECT_NE(short_leg.message.find("leg 3 of 3 (FXUSINAA"), std::string::npos) << short_leg.message;
  for (const auto& b : engine_->breakers()) {
    if (b.id == "participant:BANKAEAA") {
      EXPECT_EQ(b.bad_in_window, 0u) << "not held against the sender";
    }
  }
  EXPECT_EQ(gross(aed), aed_gross);
  EXPECT_EQ(gross(kUsd), usd_gross);
  EXPECT_EQ(gross(inr), inr_gross);
  // A refused payment does not use its quote up: with the INR provider funded, it pays.
  mint("FXUSINAA", 30'000'000, inr);
  ASSERT_EQ(run(pay(big)).rc, Rc::kAccepted);
  // Each leg settles in its own window, at the quote's amounts.
  const int64_t total_aed = 100'000 + 1'000'000, total_usd = 27'200 + big.path.hops[0].amount_out,
                total_inr = 2'260'320 + big.path.receive;
  for (CurrencyId c : {inr, kUsd, aed}) ASSERT_TRUE(is_success(run(CloseWindowCommand{0, c, false}).rc));
  EXPECT_EQ(account("BANKAEAA", aed).balance_minor, 10'000'000 - total_aed);
  EXPECT_EQ(account("FXAEUSAA", aed).balance_minor, total_aed);
  EXPECT_EQ(account("FXAEUSAA", kUsd).balance_minor, 1'000'000 - total_usd);
  EXPECT_EQ(account("FXUSINAA", kUsd).balance_minor, total_usd);
  EXPECT_EQ(account("FXUSINAA", inr).balance_minor, 35'000'000 - total_inr);
  EXPECT_EQ(account("BANKINAA", inr).balance_minor, total_inr);
  // The stored payment: its quote, its legs in their windows, settled with the creditor's leg.
  auto stored = store_->get_payment(paid_id);
  ASSERT_TRUE(stored && stored->has_value());
  const model::Payment& p = **stored;
  EXPECT_EQ(p.quote_id, q.id);
  ASSERT_EQ(p.legs.size(), 3u);
  EXPECT_EQ(p.legs[0].debtor_agent, "BANKAEAA");
  EXPECT_EQ(p.legs[0].creditor_agent, "FXAEUSAA");
  EXPECT_EQ(p.legs[1].amount, (Amount{27'200, kUsd}));
  EXPECT_EQ(p.legs[2].creditor_agent, "BANKINAA");
  EXPECT_EQ(p.legs[2].amount, (Amount{2'260'320, inr}));
  std::set<int64_t> windows;
  for (const auto& l : p.legs) windows.insert(l.window_id);
  EXPECT_EQ(windows.size(), 3u);
  EXPECT_EQ(p.window_id, p.legs[2].window_id);
  EXPECT_EQ(p.status, PaymentStatus::kSettled);
  EXPECT_TRUE(check().ok());
  // From the events alone, the quote is still used.
  engine_.reset();
  fs::remove_all(dir_ / "snapshots");
  open();
  EXPECT_EQ(run(pay(big)).rc, Rc::kQuoteUsed);
  close();
  open();  // and from the snapshot of the clean stop
  EXPECT_EQ(run(pay(big)).rc, Rc::kQuoteUsed);
  EXPECT_TRUE(check().ok());
}

// A cross-currency payment held for review keeps its quote (used at the hold); released,
// its legs go into the windows open then, and the store keeps their windows.
TEST_F(EngineTest, AHeldCrossCurrencyPaymentIsReleasedLegByLeg) {
  const CurrencyId aed = money::currency_id("AED");
  ASSERT_EQ(run(CreateBankCommand{"FXAEUSAA", "FX", "AE", {aed, kUsd}, {}, "hash-fx", {}, true}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"BANKAEAA", "Sender", "AE", {aed}, {}, "hash-a", {}}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"BANKUSAA", "Receiver", "US", {kUsd}, {}, "hash-b", {}}).rc, Rc::kCreated);
  ASSERT_EQ(run(PostRateCommand{fx::Rate{"FXAEUSAA", aed, kUsd, *fx::parse_rate("0.2720"), *fx::parse_rate("0.2724"), 0,
                                         clock_.now_us() + 3'600'000'000, {}}}).rc, Rc::kOk);
  mint("BANKAEAA", 1'000'000, aed);
  mint("FXAEUSAA", 1'000'000, kUsd);
  auto path = engine_->view()->rates->best_send(aed, kUsd, 100'000, fx::SearchLimits{clock_.now_us(), 0, 3});
  ASSERT_TRUE(path);
  const fx::Quote q{"q_00000000000000000000000000000001", "BANKAEAA", false, *path, clock_.now_us(),
                    clock_.now_us() + 60'000'000, {}};
  ASSERT_EQ(run(RecordQuoteCommand{q}).rc, Rc::kCreated);
  TransferCommand t = transfer("BANKAEAA", "BANKUSAA", 100'000, "held-fx");
  t.amount.currency = aed;
  t.quote_id = q.id;
  t.screening = {Screening::Decision::kReview, 80, R"({"rules":["name"]})", "creditor resembles a listed name"};
  Reply held = run(t);
  ASSERT_EQ(held.rc, Rc::kHeld) << held.message;
  const PaymentResult first = std::get<PaymentResult>(held.body);
  TransferCommand other = transfer("BANKAEAA", "BANKUSAA", 100'000, "held-fx-2");
  other.amount.currency = aed;
  other.quote_id = q.id;
  EXPECT_EQ(run(other).rc, Rc::kQuoteUsed) << "the held payment has the quote";
  // Released after the quote expired: the quote's amounts still hold for it.
  clock_.advance_us(120'000'000);
  Reply released = run(CaseDecisionCommand{first.case_id, true, "checked"});
  ASSERT_EQ(released.rc, Rc::kOk) << released.message;
  auto stored = store_->get_payment(first.id);
  ASSERT_TRUE(stored && stored->has_value());
  ASSERT_EQ((**stored).legs.size(), 2u);
  EXPECT_NE((**stored).legs[0].window_id, 0);
  EXPECT_NE((**stored).legs[1].window_id, 0);
  EXPECT_EQ((**stored).window_id, (**stored).legs[1].window_id);
  EXPECT_EQ((**stored).legs[1].amount, (Amount{27'200, kUsd}));
  for (CurrencyId c : {aed, kUsd}) ASSERT_TRUE(is_success(run(CloseWindowCommand{0, c, false}).rc));
  EXPECT_EQ(account("BANKUSAA").balance_minor, 27'200);
  EXPECT_EQ(account("FXAEUSAA", aed).balance_minor, 100'000);
  EXPECT_TRUE(check().ok());
  engine_.reset();
  fs::remove_all(dir_ / "snapshots");
  open();  // from the events alone
  EXPECT_EQ(account("BANKUSAA").balance_minor, 27'200);
  EXPECT_TRUE(check().ok());
  // A provider that gives up the role before the release takes no leg.
  auto again = engine_->view()->rates->best_send(aed, kUsd, 100'000, fx::SearchLimits{clock_.now_us(), 0, 3});
  ASSERT_TRUE(again);
  const fx::Quote q2{"q_00000000000000000000000000000002", "BANKAEAA", false, *again, clock_.now_us(),
                     clock_.now_us() + 60'000'000, {}};
  ASSERT_EQ(run(RecordQuoteCommand{q2}).rc, Rc::kCreated);
  TransferCommand t2 = t;
  t2.id = new_uuid_v4();
  t2.idempotency_key = "held-fx-3";
  t2.quote_id = q2.id;
  Reply held2 = run(t2);
  ASSERT_EQ(held2.rc, Rc::kHeld) << held2.message;
  ASSERT_EQ(run(SetRolesCommand{"FXAEUSAA", false}).rc, Rc::kOk);
  Reply refused = run(CaseDecisionCommand{std::get<PaymentResult>(held2.body).case_id, true, "checked"});
  ASSERT_EQ(refused.rc, Rc::kOk);
  EXPECT_EQ(std::get<CaseResult>(refused.body).payment.status, PaymentStatus::kRejected);
  EXPECT_EQ(std::get<CaseResult>(refused.body).payment.rc, Rc::kNotFxProvider);
  EXPECT_TRUE(check().ok());
}

// Token operations booked now: a transfer moves free tokens only, a lock sets tokens aside
// from payments, burns and transfers until it is released, a conversion at a quote pays and
// is paid at once; each reference once, and all of it replays.
TEST_F(EngineTest, TokenTransfersConversionsAndLocksMoveOnlyFreeTokens) {
  const CurrencyId aed = money::currency_id("AED");
  ASSERT_EQ(run(CreateBankCommand{"FXAEUSAA", "FX", "AE", {aed, kUsd}, {}, "hash-fx", {}, true}).rc, Rc::kCreated);
  ASSERT_EQ(run(CreateBankCommand{"BANKAAAA", "A", "AE", {aed, kUsd}, {{kUsd, 50'000}}, "hash-a", {}}).rc, Rc::kCreated);
  bank("BANKBBBB");
  mint("BANKAAAA", 100'000);
  mint("BANKAAAA", 500'000, aed);
  mint("FXAEUSAA", 1'000'000);
  // Transfer: free tokens only, never the credit line; the reference once.
  EXPECT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKBBBB", Amount{100'001, kUsd}, "T-1"}).rc, Rc::kInsufficientFunds)
      << "the 500.00 net debit cap is not for transfers";
  ASSERT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKBBBB", Amount{30'000, kUsd}, "T-1"}).rc, Rc::kOk);
  EXPECT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKBBBB", Amount{30'000, kUsd}, "T-1"}).rc, Rc::kReplayed);
  EXPECT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKBBBB", Amount{1, kUsd}, "T-1"}).rc, Rc::kReferenceReused);
  bank("BANKCCCC");
  EXPECT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKCCCC", Amount{30'000, kUsd}, "T-1"}).rc, Rc::kReferenceReused)
      << "the same reference to another receiver is not a retry";
  EXPECT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKBBBB", Amount{1, aed}, "T-2"}).rc, Rc::kCurrencyNotEnabled);
  EXPECT_EQ(usd_balance("BANKAAAA"), 70'000);
  EXPECT_EQ(usd_balance("BANKBBBB"), 30'000);
  // Lock 60,000 of the 70,000: payments, burns and transfers see 10,000; the balance may not
  // fall below what is locked, so the 500.00 cap does not stretch it.
  ASSERT_EQ(run(TokenLockCommand{true, "BANKAAAA", Amount{60'000, kUsd}, "L-1", "collateral"}).rc, Rc::kOk);
  EXPECT_EQ(account("BANKAAAA").locked_minor, 60'000);
  EXPECT_EQ(account("BANKAAAA").available_minor, 10'000);
  EXPECT_EQ(run(TokenLockCommand{true, "BANKAAAA", Amount{10'001, kUsd}, "L-2", ""}).rc, Rc::kInsufficientFunds);
  EXPECT_EQ(run(TokenCommand{TokenCommand::Kind::kBurn, "BANKAAAA", Amount{10'001, kUsd}, "B-1"}).rc, Rc::kInsufficientFunds);
  EXPECT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKBBBB", Amount{10'001, kUsd}, "T-3"}).rc, Rc::kInsufficientFunds);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10'001, "over-lock")).rc, Rc::kInsufficientLiquidity);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10'000, "within")).rc, Rc::kAccepted);
  ASSERT_TRUE(is_success(run(CloseWindowCommand{0, kUsd, false}).rc));
  EXPECT_EQ(usd_balance("BANKAAAA"), 60'000) << "the locked tokens are still there";
  EXPECT_EQ(account("BANKAAAA").available_minor, 0);
  EXPECT_EQ(run(TokenLockCommand{false, "BANKBBBB", {}, "L-1", ""}).rc, Rc::kNotFound) << "another bank's lock";
  ASSERT_EQ(run(TokenLockCommand{false, "BANKAAAA", {}, "L-1", ""}).rc, Rc::kOk);
  EXPECT_EQ(run(TokenLockCommand{false, "BANKAAAA", {}, "L-1", ""}).rc, Rc::kReplayed);
  EXPECT_EQ(run(TokenLockCommand{true, "BANKAAAA", Amount{60'000, kUsd}, "L-1", "collateral"}).rc, Rc::kReferenceReused)
      << "a released lock's reference does not lock again";
  EXPECT_EQ(account("BANKAAAA").locked_minor, 0);
  // Conversion at the bank's own quote: 1,000.00 AED → 272.00 USD, booked now.
  ASSERT_EQ(run(PostRateCommand{fx::Rate{"FXAEUSAA", aed, kUsd, *fx::parse_rate("0.2720"), *fx::parse_rate("0.2724"), 0,
                                         clock_.now_us() + 3'600'000'000, {}}}).rc, Rc::kOk);
  auto path = engine_->view()->rates->best_send(aed, kUsd, 100'000, fx::SearchLimits{clock_.now_us(), 0, 3});
  ASSERT_TRUE(path);
  const std::string qid = "q_00000000000000000000000000000c01";
  ASSERT_EQ(run(RecordQuoteCommand{fx::Quote{qid, "BANKAAAA", false, *path, clock_.now_us(), clock_.now_us() + 60'000'000, {}}}).rc,
            Rc::kCreated);
  EXPECT_EQ(run(TokenConvertCommand{"FXAEUSAA", qid, "C-0"}).rc, Rc::kQuoteNotYours);
  Reply converted = run(TokenConvertCommand{"BANKAAAA", qid, "C-1"});
  ASSERT_EQ(converted.rc, Rc::kOk) << converted.message;
  ASSERT_EQ(std::get<TokenMoveResult>(converted.body).moves.size(), 2u);
  EXPECT_EQ(run(TokenConvertCommand{"BANKAAAA", qid, "C-1"}).rc, Rc::kReplayed);
  EXPECT_EQ(run(TokenConvertCommand{"BANKAAAA", "q_00000000000000000000000000000c09", "C-1"}).rc, Rc::kReferenceReused);
  EXPECT_EQ(run(TokenConvertCommand{"BANKAAAA", qid, "C-2"}).rc, Rc::kQuoteUsed);
  EXPECT_EQ(account("BANKAAAA", aed).balance_minor, 400'000);
  EXPECT_EQ(usd_balance("BANKAAAA"), 60'000 + 27'200);
  EXPECT_EQ(usd_balance("FXAEUSAA"), 1'000'000 - 27'200);
  clock_.advance_us(120'000'000);  // the quote expires and is forgotten: a retry still answers as before
  run(TokenTransferCommand{"BANKBBBB", "BANKAAAA", Amount{1, kUsd}, "T-tick"});
  EXPECT_EQ(run(TokenConvertCommand{"BANKAAAA", qid, "C-1"}).rc, Rc::kReplayed);
  ASSERT_EQ(run(TokenLockCommand{true, "BANKAAAA", Amount{5'000, kUsd}, "L-3", "pending bank leg"}).rc, Rc::kOk);
  EXPECT_TRUE(check().ok());
  for (bool from_snapshot : {false, true}) {
    SCOPED_TRACE(from_snapshot ? "from the snapshot" : "from the events alone");
    close();
    if (!from_snapshot) fs::remove_all(dir_ / "snapshots");
    open();
    EXPECT_EQ(usd_balance("BANKAAAA"), 87'201);
    EXPECT_EQ(account("BANKAAAA").locked_minor, 5'000);
    const Rc again = run(TokenConvertCommand{"BANKAAAA", qid, "C-3"}).rc;  // used, and expired by now
    EXPECT_TRUE(again == Rc::kQuoteExpired || again == Rc::kQuoteNotFound) << static_cast<int>(again);
    EXPECT_EQ(run(TokenConvertCommand{"BANKAAAA", qid, "C-1"}).rc, Rc::kReplayed);
    EXPECT_EQ(run(TokenTransferCommand{"BANKAAAA", "BANKBBBB", Amount{82'202, kUsd}, "T-9"}).rc, Rc::kInsufficientFunds);
  }
  EXPECT_TRUE(check().ok());
}

// A participant holds at most two API keys: a rotation adds one and revokes the other; a
// revocation may not leave a participant without a key unless the admin says so; the
// directory answers for exactly the live keys; all of it is rebuilt from the snapshot and
// from the events alone.
TEST_F(EngineTest, AParticipantsKeysRotateWithinTwoAndSurviveARestart) {
  bank("BANKAAAA");
  auto by_hash = [&](const std::string& h) { return engine_->view()->by_key_hash(h) != nullptr; };
  const std::string first = key_id_of("hash-BANKAAAA");
  ASSERT_TRUE(by_hash("hash-BANKAAAA"));
  Reply second = run(IssueKeyCommand{"BANKAAAA", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", ""});
  ASSERT_EQ(second.rc, Rc::kCreated);
  EXPECT_EQ(std::get<KeysResult>(second.body).keys.size(), 2u);
  EXPECT_TRUE(by_hash("hash-BANKAAAA"));
  EXPECT_TRUE(by_hash("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
  // A third is refused, and changes nothing.
  const size_t events_before = events().size();
  EXPECT_EQ(run(IssueKeyCommand{"BANKAAAA", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", ""}).rc, Rc::kKeyLimit);
  EXPECT_EQ(run(IssueKeyCommand{"BANKAAAA", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "k_nope"}).rc, Rc::kKeyNotFound);
  EXPECT_EQ(run(IssueKeyCommand{"BANKZZZZ", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", ""}).rc, Rc::kBankNotFound);
  EXPECT_EQ(events().size(), events_before);
  EXPECT_FALSE(by_hash("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
  // Issued in place of the first: the first stops working.
  Reply replaced = run(IssueKeyCommand{"BANKAAAA", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", first});
  ASSERT_EQ(replaced.rc, Rc::kCreated);
  EXPECT_EQ(std::get<KeysResult>(replaced.body).revoked_id, first);
  EXPECT_FALSE(by_hash("hash-BANKAAAA"));
  // Down to one, which the participant may not revoke and the admin may.
  ASSERT_EQ(run(RevokeKeyCommand{"BANKAAAA", key_id_of("aaaaaaaaaaaaaaaa"), true}).rc, Rc::kOk);
  const std::string last = key_id_of("bbbbbbbbbbbbbbbb");
  EXPECT_EQ(run(RevokeKeyCommand{"BANKAAAA", last, true}).rc, Rc::kLastKey);
  EXPECT_EQ(count(model::EventType::kCredentialRevoked), 2u);
  for (bool from_snapshot : {true, false}) {
    engine_.reset();
    if (!from_snapshot) fs::remove_all(dir_ / "snapshots");
    open();
    const ParticipantView* p = engine_->view()->find("BANKAAAA");
    ASSERT_NE(p, nullptr);
    ASSERT_EQ(p->keys.size(), 1u) << (from_snapshot ? "from the snapshot" : "from the events");
    EXPECT_EQ(p->keys[0].id, last);
    EXPECT_TRUE(by_hash("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    EXPECT_FALSE(by_hash("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
  }
  ASSERT_EQ(run(RevokeKeyCommand{"BANKAAAA", last, false}).rc, Rc::kOk);
  EXPECT_TRUE(engine_->view()->find("BANKAAAA")->keys.empty());
  EXPECT_TRUE(check().ok());
}

// The rate tier is state: set by a command, an event, rebuilt after a restart.
TEST_F(EngineTest, ARateTierIsKeptAcrossARestart) {
  bank("BANKAAAA");
  EXPECT_EQ(run(SetRateTierCommand{"BANKAAAA", "premium"}).rc, Rc::kOk);
  EXPECT_EQ(run(SetRateTierCommand{"BANKAAAA", "premium"}).rc, Rc::kReplayed);
  EXPECT_EQ(run(SetRateTierCommand{"BANKZZZZ", "premium"}).rc, Rc::kBankNotFound);
  EXPECT_EQ(count(model::EventType::kRateTierSet), 1u);
  engine_.reset();
  fs::remove_all(dir_ / "snapshots");
  open();
  EXPECT_EQ(engine_->view()->find("BANKAAAA")->rate_tier, "premium");
}

}  // namespace
}  // namespace deltran::engine
