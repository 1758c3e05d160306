#include <algorithm>
#include <filesystem>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include <deltran/core/clock.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/engine/check.hpp>
#include <deltran/engine/engine.hpp>

namespace deltran::engine {
namespace {

namespace fs = std::filesystem;

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
  void open() {
    store::SqliteSettings s;
    s.path = (dir_ / "deltran.db").string();
    s.synchronous_full = false;
    auto st = store::open_sqlite_store(s);
    ASSERT_TRUE(st.has_value()) << st.error().message;
    store_ = std::move(*st);
    engine_ = std::make_unique<Engine>(settings_, *store_, clock_);
    auto started = engine_->start();
    ASSERT_TRUE(started.has_value()) << started.error().message;
  }
  void close() {
    engine_.reset();
    store_.reset();
  }
  Reply run(Command c) { return engine_->execute(std::move(c), "test"); }
  void reopen_with(const Settings& s) {
    close();
    settings_ = s;
    open();
  }

  void bank(const std::string& id, int64_t cap = 0) {
    CreateBankCommand c{id, id + " Bank", "AE", {"USD", "EUR"}, {{"USD", cap}}, "hash-" + id};
    ASSERT_EQ(run(c).outcome, Outcome::kCreated);
  }
  void mint(const std::string& bank, int64_t amount, const std::string& currency = "USD") {
    TokenCommand t{TokenCommand::Kind::kMint, bank, currency, amount, "fund-" + new_uuid_v4()};
    ASSERT_EQ(run(t).outcome, Outcome::kOk);
  }
  TransferCommand transfer(const std::string& from, const std::string& to, int64_t amount,
                           const std::string& key = "") {
    TransferCommand t;
    t.id = new_uuid_v4();
    t.uetr = new_uuid_v4();
    t.idempotency_key = key;
    t.request_hash = from + to + std::to_string(amount);
    t.debtor_agent = from;
    t.creditor_agent = to;
    t.currency = "USD";
    t.amount_minor = amount;
    t.end_to_end_id = "E2E";
    return t;
  }
  std::vector<BalanceView> balances(const std::string& b) {
    return std::get<std::vector<BalanceView>>(run(BalanceQuery{b}).body);
  }
  int64_t usd_balance(const std::string& b) { return balances(b)[0].balance_minor; }

  fs::path dir_;
  ManualClock clock_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Engine> engine_;
  Settings settings_;
};

TEST_F(EngineTest, AcceptedPaymentReservesTheDebtorsLiquidityInTheOpenWindow) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply r = run(transfer("BANKAAAA", "BANKBBBB", 2'500));
  ASSERT_EQ(r.outcome, Outcome::kAccepted) << r.message;
  const auto& p = std::get<PaymentResult>(r.body);
  EXPECT_EQ(p.status, store::PaymentStatus::kQueued);
  EXPECT_GT(p.window_id, 0);
  auto b = balances("BANKAAAA");
  EXPECT_EQ(b[0].currency, "USD");
  EXPECT_EQ(b[0].balance_minor, 10'000);
  EXPECT_EQ(b[0].reserved_minor, 2'500);
  EXPECT_EQ(b[0].available_minor, 7'500);
  auto stored = store_->get_payment(p.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->amount_minor, 2'500);
}

TEST_F(EngineTest, ShortLiquidityIsRejectedWithAM04AndTheRejectionIsRecorded) {
  bank("BANKAAAA", 1'000);
  bank("BANKBBBB");
  mint("BANKAAAA", 500);
  Reply ok = run(transfer("BANKAAAA", "BANKBBBB", 1'500));  // balance 500 + cap 1,000
  ASSERT_EQ(ok.outcome, Outcome::kAccepted);
  Reply r = run(transfer("BANKAAAA", "BANKBBBB", 1, "k1"));
  ASSERT_EQ(r.outcome, Outcome::kRejected);
  EXPECT_EQ(r.reason, "AM04");
  const auto& p = std::get<PaymentResult>(r.body);
  auto stored = store_->get_payment(p.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->status, store::PaymentStatus::kRejected);
  EXPECT_EQ((*stored)->reason, "AM04");
  // The retry answers the same, even after liquidity arrives.
  mint("BANKAAAA", 1'000'000);
  Reply again = run(transfer("BANKAAAA", "BANKBBBB", 1, "k1"));
  EXPECT_EQ(again.outcome, Outcome::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(again.body).id, p.id);
  EXPECT_EQ(again.reason, "AM04");
}

TEST_F(EngineTest, IncomingPaymentsInTheWindowOffsetTheReservation) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 100);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKAAAA", 1'000)).outcome, Outcome::kRejected);  // B has nothing
  mint("BANKBBBB", 1'000);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKAAAA", 1'000)).outcome, Outcome::kAccepted);
  // A may now send 1,100: its net debit is 100.
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1'100)).outcome, Outcome::kAccepted);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1)).outcome, Outcome::kRejected);
}

TEST_F(EngineTest, LiquidityNearTheTopOfInt64DoesNotWrap) {
  bank("BANKAAAA", 1'000'000'000'000'000'000);  // a cap of 10^18 minor units
  bank("BANKBBBB");
  for (int i = 0; i < 9; ++i) mint("BANKAAAA", 1'000'000'000'000'000'000);
  // balance 9·10^18 plus cap 10^18 exceeds int64: the check must still see plenty.
  Reply r = run(transfer("BANKAAAA", "BANKBBBB", 5));
  EXPECT_EQ(r.outcome, Outcome::kAccepted) << r.message;
  auto b = balances("BANKAAAA")[0];
  EXPECT_EQ(b.available_minor, INT64_MAX) << "available saturates instead of wrapping";
}

TEST_F(EngineTest, RetryWithTheSameKeyReturnsTheOriginalAndAReusedKeyConflicts) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply first = run(transfer("BANKAAAA", "BANKBBBB", 100, "key-1"));
  Reply second = run(transfer("BANKAAAA", "BANKBBBB", 100, "key-1"));
  ASSERT_EQ(first.outcome, Outcome::kAccepted);
  ASSERT_EQ(second.outcome, Outcome::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(first.body).id, std::get<PaymentResult>(second.body).id);
  EXPECT_EQ(balances("BANKAAAA")[0].reserved_minor, 100);
  Reply reused = run(transfer("BANKAAAA", "BANKBBBB", 200, "key-1"));
  EXPECT_EQ(reused.outcome, Outcome::kConflict);
  EXPECT_EQ(reused.reason, "DUPL");
}

TEST_F(EngineTest, ClosingAWindowNetsSettlesAndOpensTheNext) {
  // The example of DESIGN.md §5, in thousands.
  for (const char* b : {"BANKAAAA", "BANKBBBB", "BANKCCCC", "BANKDDDD"}) {
    bank(b);
    mint(b, 1'000'000);
  }
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1'000'000)).outcome, Outcome::kAccepted);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKCCCC", 500'000)).outcome, Outcome::kAccepted);
  ASSERT_EQ(run(transfer("BANKCCCC", "BANKAAAA", 750'000)).outcome, Outcome::kAccepted);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKDDDD", 300'000)).outcome, Outcome::kAccepted);
  ASSERT_EQ(run(transfer("BANKDDDD", "BANKBBBB", 200'000)).outcome, Outcome::kAccepted);
  ASSERT_EQ(run(transfer("BANKBBBB", "BANKAAAA", 100'000)).outcome, Outcome::kAccepted);
  Reply closed = run(CloseWindowCommand{0, "USD", false});
  ASSERT_EQ(closed.outcome, Outcome::kOk) << closed.message;
  const auto& w = std::get<store::WindowRow>(closed.body);
  EXPECT_EQ(w.status, store::WindowStatus::kSettled);
  EXPECT_EQ(w.gross_minor, 2'850'000);
  EXPECT_EQ(w.net_minor, 700'000);
  EXPECT_EQ(w.efficiency_ppm, 754'385);
  EXPECT_EQ(w.payment_count, 6);
  EXPECT_EQ(usd_balance("BANKAAAA"), 1'000'000 - 450'000);
  EXPECT_EQ(usd_balance("BANKBBBB"), 1'000'000 + 600'000);
  EXPECT_EQ(usd_balance("BANKCCCC"), 1'000'000 - 250'000);
  EXPECT_EQ(usd_balance("BANKDDDD"), 1'000'000 + 100'000);
  EXPECT_EQ(balances("BANKAAAA")[0].reserved_minor, 0);
  // Closing again is refused; a new window is open.
  EXPECT_EQ(run(CloseWindowCommand{w.id, "", false}).outcome, Outcome::kConflict);
  auto windows = std::get<std::vector<store::WindowRow>>(run(WindowQuery{0, "USD", 10, 0}).body);
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].status, store::WindowStatus::kOpen);
  auto stored = store_->list_payments(store::PaymentFilter{store::PaymentStatus::kSettled, "", "", w.id, 0, 100});
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->size(), 6u);
  auto report = check_store(*store_);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok()) << report->failures.front();
  EXPECT_EQ(report->windows_settled, 1);
}

TEST_F(EngineTest, BurnCannotSpendReservedTokensOrCredit) {
  bank("BANKAAAA", 5'000);
  bank("BANKBBBB");
  mint("BANKAAAA", 1'000);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 600)).outcome, Outcome::kAccepted);
  TokenCommand burn{TokenCommand::Kind::kBurn, "BANKAAAA", "USD", 401, "out-1"};
  EXPECT_EQ(run(burn).outcome, Outcome::kRejected);
  burn.amount_minor = 400;
  EXPECT_EQ(run(burn).outcome, Outcome::kOk);
  EXPECT_EQ(usd_balance("BANKAAAA"), 600);
  // The same reference again is a replay, not a second burn.
  EXPECT_EQ(run(burn).outcome, Outcome::kReplayed);
  EXPECT_EQ(usd_balance("BANKAAAA"), 600);
}

TEST_F(EngineTest, RestartRebuildsBalancesReservationsAndIdempotencyKeys) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  Reply first = run(transfer("BANKAAAA", "BANKBBBB", 3'000, "k"));
  ASSERT_EQ(first.outcome, Outcome::kAccepted);
  close();
  open();
  auto b = balances("BANKAAAA");
  EXPECT_EQ(b[0].balance_minor, 10'000);
  EXPECT_EQ(b[0].reserved_minor, 3'000);
  Reply again = run(transfer("BANKAAAA", "BANKBBBB", 3'000, "k"));
  EXPECT_EQ(again.outcome, Outcome::kReplayed);
  EXPECT_EQ(std::get<PaymentResult>(again.body).id, std::get<PaymentResult>(first.body).id);
  ASSERT_EQ(run(CloseWindowCommand{0, "USD", false}).outcome, Outcome::kOk);
  EXPECT_EQ(usd_balance("BANKBBBB"), 3'000);
  EXPECT_EQ(engine_->auth_table()->bank_by_key_hash.at("hash-BANKBBBB"), "BANKBBBB");
}

TEST_F(EngineTest, AReviewedPaymentIsHeldWithACaseAndReleasedIntoTheOpenWindowOnApproval) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  TransferCommand t = transfer("BANKAAAA", "BANKBBBB", 2'000, "held-1");
  t.screening = {Screening::Decision::kReview, 80, R"({"rules":["structuring"]})", "structuring"};
  Reply held = run(t);
  ASSERT_EQ(held.outcome, Outcome::kAccepted);
  const auto& p = std::get<PaymentResult>(held.body);
  EXPECT_EQ(p.status, store::PaymentStatus::kHeld);
  ASSERT_GT(p.case_id, 0);
  EXPECT_EQ(balances("BANKAAAA")[0].reserved_minor, 0) << "a held payment takes no liquidity";
  auto cases = store_->list_cases(store::CaseStatus::kOpen, 0, 10);
  ASSERT_TRUE(cases.has_value());
  ASSERT_EQ(cases->size(), 1u);
  EXPECT_EQ(cases->at(0).score, 80);
  close();
  open();  // the case and the held payment survive a restart
  Reply approved = run(CaseDecisionCommand{p.case_id, true, "documents checked"});
  ASSERT_EQ(approved.outcome, Outcome::kOk) << approved.message;
  const auto& result = std::get<CaseResult>(approved.body);
  EXPECT_EQ(result.kase.status, store::CaseStatus::kApproved);
  EXPECT_EQ(result.payment.status, store::PaymentStatus::kQueued);
  EXPECT_EQ(balances("BANKAAAA")[0].reserved_minor, 2'000);
  EXPECT_EQ(run(CaseDecisionCommand{p.case_id, true, ""}).outcome, Outcome::kNotFound) << "decided once";
  Reply replay = run(t);
  EXPECT_EQ(std::get<PaymentResult>(replay.body).status, store::PaymentStatus::kQueued);
  ASSERT_EQ(run(CloseWindowCommand{0, "USD", false}).outcome, Outcome::kOk);
  EXPECT_EQ(usd_balance("BANKBBBB"), 2'000);
  auto report = check_store(*store_);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok()) << report->failures.front();
}

TEST_F(EngineTest, ARejectedCaseAndABlockedPaymentEndWithRR04) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  TransferCommand review = transfer("BANKAAAA", "BANKBBBB", 500, "r-1");
  review.screening.decision = Screening::Decision::kReview;
  auto held = std::get<PaymentResult>(run(review).body);
  Reply rejected = run(CaseDecisionCommand{held.case_id, false, "counterparty unverifiable"});
  ASSERT_EQ(rejected.outcome, Outcome::kOk);
  EXPECT_EQ(std::get<CaseResult>(rejected.body).payment.status, store::PaymentStatus::kRejected);
  auto stored = store_->get_payment(held.id);
  ASSERT_TRUE(stored && stored->has_value());
  EXPECT_EQ((*stored)->status, store::PaymentStatus::kRejected);
  EXPECT_EQ((*stored)->reason, "RR04");
  TransferCommand block = transfer("BANKAAAA", "BANKBBBB", 500, "b-1");
  block.screening = {Screening::Decision::kBlock, 100, R"({"hits":[{"list":"ofac"}]})", "creditor on ofac"};
  Reply blocked = run(block);
  EXPECT_EQ(blocked.outcome, Outcome::kRejected);
  EXPECT_EQ(blocked.reason, "RR04");
  EXPECT_EQ(run(block).outcome, Outcome::kReplayed);
  EXPECT_EQ(balances("BANKAAAA")[0].reserved_minor, 0);
  auto report = check_store(*store_);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok()) << report->failures.front();
}

// Wraps the real store and fails or slows commits on demand: the faults a disk or a
// database server produces, injected in front of our own SQLite adapter.
class FaultyStore final : public store::Store {
 public:
  explicit FaultyStore(store::Store& inner) : inner_(inner) {}
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
  Result<store::Snapshot> load(const store::LoadRange& range) override {
    if (fail_loads > 0) {
      --fail_loads;
      return make_error(ErrorCode::kUnavailable, "database is locked (injected)");
    }
    return inner_.load(range);
  }
  Result<std::optional<store::PaymentRow>> get_payment(const std::string& id) override { return inner_.get_payment(id); }
  Result<std::vector<store::PaymentRow>> list_payments(const store::PaymentFilter& f) override { return inner_.list_payments(f); }
  Result<std::optional<store::WindowRow>> get_window(int64_t id) override { return inner_.get_window(id); }
  Result<std::vector<store::WindowRow>> list_windows(const std::string& c, int64_t b, int l) override {
    return inner_.list_windows(c, b, l);
  }
  Result<std::vector<store::AuditRow>> read_audit(int64_t a, int l) override { return inner_.read_audit(a, l); }
  Result<std::vector<store::AccountRow>> list_accounts() override { return inner_.list_accounts(); }
  Result<std::vector<store::JournalRow>> list_journal() override { return inner_.list_journal(); }
  Result<std::vector<store::FlowRow>> aggregate_flows() override { return inner_.aggregate_flows(); }
  Result<std::vector<store::CaseRow>> list_cases(std::optional<store::CaseStatus> s, int64_t b, int l) override {
    return inner_.list_cases(s, b, l);
  }
  Result<std::optional<store::CaseRow>> get_case(int64_t id) override { return inner_.get_case(id); }
  Result<std::vector<store::AmlReportRow>> list_aml_reports(const std::string& k, int64_t b, int l) override {
    return inner_.list_aml_reports(k, b, l);
  }
  Result<std::vector<store::JournalRow>> list_postings(const std::string& o, int64_t f, int64_t t) override {
    return inner_.list_postings(o, f, t);
  }
  Result<std::map<std::string, int64_t>> balances_before(const std::string& o, int64_t at) override {
    return inner_.balances_before(o, at);
  }
  bool healthy() override { return inner_.healthy(); }

 private:
  store::Store& inner_;
};

// What the controls' memory says about a debtor, as text: the risk and AML factors, the
// rules that fire and today's volume. Equal texts mean equal history and counters.
std::string controls_memory(Engine& e, const TransferCommand& probe) {
  Reply r = e.execute(RiskQuery{probe}, "test");
  const auto& v = std::get<RiskReport>(r.body);
  std::string out = "risk " + std::to_string(v.risk_score) + " aml " + std::to_string(v.aml_score) + " rules";
  for (const auto& rule : v.aml_rules) out += " " + rule;
  for (const auto* factors : {&v.risk_factors, &v.aml_factors}) {
    for (const auto& f : *factors) out += " " + f.name + "=" + std::to_string(f.score);
  }
  Reply l = e.execute(LimitsQuery{probe.debtor_agent}, "test");
  for (const auto& c : std::get<LimitsView>(l.body).currencies) out += " used " + c.currency + "=" + std::to_string(c.used_today_minor);
  return out;
}

TEST_F(EngineTest, AFailedCommitAnswers503RebuildsFromTheStoreAndRecovers) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000);
  // History for the controls: accepted payments of one customer, and one AM04 failure.
  for (int i = 0; i < 4; ++i) {
    TransferCommand t = transfer("BANKAAAA", "BANKBBBB", 100 + i, "k-ok-" + std::to_string(i));
    t.debtor.account = "AE070331234567890123456";
    ASSERT_EQ(run(t).outcome, Outcome::kAccepted);
  }
  TransferCommand too_big = transfer("BANKAAAA", "BANKBBBB", 1'000'000, "k-am04");
  too_big.debtor.account = "AE070331234567890123456";
  ASSERT_EQ(run(too_big).outcome, Outcome::kRejected);
  TransferCommand probe = transfer("BANKAAAA", "BANKBBBB", 50);
  probe.debtor.account = "AE070331234567890123456";
  const std::string memory_before = controls_memory(*engine_, probe);
  engine_.reset();
  FaultyStore faulty(*store_);
  engine_ = std::make_unique<Engine>(Settings{}, faulty, clock_);
  ASSERT_TRUE(engine_->start().has_value());
  faulty.fail_commits = 1;
  faulty.fail_loads = 2;  // the store stays down for the next two attempts to rebuild
  Reply lost = run(transfer("BANKAAAA", "BANKBBBB", 4'000, "k-lost"));
  EXPECT_EQ(lost.outcome, Outcome::kUnavailable);
  EXPECT_FALSE(engine_->ready());
  EXPECT_EQ(run(BalanceQuery{"BANKAAAA"}).outcome, Outcome::kUnavailable);  // still down: fail fast
  EXPECT_EQ(run(BalanceQuery{"BANKAAAA"}).outcome, Outcome::kUnavailable);
  // The store answers again: the engine rebuilt itself, and the lost payment left no trace.
  auto b = balances("BANKAAAA");
  EXPECT_TRUE(engine_->ready());
  EXPECT_EQ(b[0].reserved_minor, 406);  // the four accepted payments, not the lost one
  EXPECT_EQ(b[0].balance_minor, 10'000);
  // The AML history and the counters were rebuilt as they were: accepted payments are not
  // read back as failures, nor the failure as an accepted payment.
  EXPECT_EQ(controls_memory(*engine_, probe), memory_before);
  Reply retry = run(transfer("BANKAAAA", "BANKBBBB", 4'000, "k-lost"));
  EXPECT_EQ(retry.outcome, Outcome::kAccepted);
  auto report = check_store(*store_);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok());
  EXPECT_EQ(report->payments, 6);
  engine_.reset();
}

TEST_F(EngineTest, AFullQueueRefusesAtOnceInsteadOfWaiting) {
  bank("BANKAAAA");
  engine_.reset();
  FaultyStore slow(*store_);
  Settings settings;
  settings.queue_max = 4;
  engine_ = std::make_unique<Engine>(settings, slow, clock_);
  ASSERT_TRUE(engine_->start().has_value());
  slow.commit_delay_ms = 200;
  std::atomic<int> done{0};
  int refused = 0;
  for (int i = 0; i < 50; ++i) {
    TokenCommand t{TokenCommand::Kind::kMint, "BANKAAAA", "USD", 1, "q-" + std::to_string(i)};
    if (!engine_->submit(t, "test", [&](Reply&&) { ++done; })) ++refused;
  }
  EXPECT_GT(refused, 40);
  slow.commit_delay_ms = 0;
  engine_.reset();  // drains what was accepted
  EXPECT_EQ(done.load(), 50 - refused);
}

// A seeded simulation: random transfers, funding, burns, closes and restarts against a
// reference model of balances; every invariant is checked after each step.
TEST_F(EngineTest, SeededSimulationKeepsEveryInvariantAcrossRestarts) {
  // The model knows liquidity, not circuit breakers: many AM04s in a row would open them.
  Settings no_breakers;
  no_breakers.controls.breakers_enabled = false;
  reopen_with(no_breakers);
  const std::vector<std::string> banks = {"BANKAAAA", "BANKBBBB", "BANKCCCC", "BANKDDDD", "BANKEEEE"};
  for (size_t i = 0; i < banks.size(); ++i) bank(banks[i], static_cast<int64_t>(i) * 10'000);
  std::map<std::string, int64_t> model;      // settled balances
  std::map<std::string, int64_t> pending;    // net of the open window
  std::mt19937_64 rng(20261128);
  int accepted = 0;
  for (int step = 0; step < 3'000; ++step) {
    uint64_t dice = rng() % 100;
    if (dice < 5) {
      const std::string& b = banks[rng() % banks.size()];
      int64_t amount = static_cast<int64_t>(rng() % 50'000) + 1;
      mint(b, amount);
      model[b] += amount;
    } else if (dice < 8) {
      Reply r = run(CloseWindowCommand{0, "USD", false});
      ASSERT_EQ(r.outcome, Outcome::kOk);
      for (auto& [b, n] : pending) model[b] += n;
      pending.clear();
    } else if (dice < 9) {
      close();
      open();
    } else {
      const std::string& from = banks[rng() % banks.size()];
      const std::string& to = banks[rng() % banks.size()];
      if (from == to) continue;
      int64_t amount = static_cast<int64_t>(rng() % 20'000) + 1;
      Reply r = run(transfer(from, to, amount));
      if (r.outcome == Outcome::kAccepted) {
        pending[from] -= amount;
        pending[to] += amount;
        ++accepted;
      } else {
        ASSERT_EQ(r.reason, "AM04");
      }
    }
    for (const auto& b : banks) {
      auto v = balances(b)[0];
      ASSERT_EQ(v.balance_minor, model[b]) << "step " << step << " bank " << b;
      ASSERT_GE(v.available_minor, 0) << "step " << step;
      ASSERT_GE(v.balance_minor, -v.net_debit_cap_minor);
    }
  }
  EXPECT_GT(accepted, 500);
  auto report = check_store(*store_);
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok()) << report->failures.front();
}


// --- the stateful controls: circuit breakers, risk score, AML records ----------------------

TEST_F(EngineTest, RepeatedLiquidityFailuresOpenTheParticipantsBreakerUntilItIsReset) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 100);
  for (int i = 0; i < 5; ++i) {
    Reply r = run(transfer("BANKAAAA", "BANKBBBB", 1'000));
    ASSERT_EQ(r.outcome, Outcome::kRejected) << i;
    EXPECT_EQ(r.reason, "AM04");
  }
  // Five failures out of five in the window: the sixth is refused before anything is recorded.
  TransferCommand sixth = transfer("BANKAAAA", "BANKBBBB", 50);
  Reply refused = run(sixth);
  ASSERT_EQ(refused.outcome, Outcome::kUnavailable);
  EXPECT_EQ(refused.code, "circuit_open");
  EXPECT_GE(refused.retry_after_s, 1);
  auto stored = store_->get_payment(sixth.id);
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->has_value());

  auto views = std::get<std::vector<BreakerView>>(run(BreakersQuery{}).body);
  bool participant_open = false;
  for (const auto& v : views) participant_open |= v.id == "participant:BANKAAAA" && v.state == "open";
  EXPECT_TRUE(participant_open);
  auto audit = store_->read_audit(0, 1000);
  ASSERT_TRUE(audit.has_value());
  EXPECT_TRUE(std::any_of(audit->begin(), audit->end(), [](const store::AuditRow& a) {
    return a.action == "risk.circuit_breaker.opened" && a.entity == "participant:BANKAAAA";
  }));

  // Another bank's corridor is the same (AE-AE) and now open too; an admin resets both.
  EXPECT_EQ(run(ResetBreakerCommand{"participant:BANKAAAA"}).outcome, Outcome::kOk);
  EXPECT_EQ(run(ResetBreakerCommand{"corridor:AE-AE"}).outcome, Outcome::kOk);
  EXPECT_EQ(run(ResetBreakerCommand{"corridor:XX-YY"}).outcome, Outcome::kNotFound);
  EXPECT_EQ(run(ResetBreakerCommand{"nonsense"}).outcome, Outcome::kInvalid);
  EXPECT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 50)).outcome, Outcome::kAccepted);
}

TEST_F(EngineTest, AnOpenBreakerLetsProbesThroughAfterItsCoolOff) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 100);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 1'000)).outcome, Outcome::kRejected);
  ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10)).outcome, Outcome::kUnavailable);
  clock_.advance_us(61'000'000);  // past the 60 s open duration: half-open
  for (int i = 0; i < 3; ++i) ASSERT_EQ(run(transfer("BANKAAAA", "BANKBBBB", 10)).outcome, Outcome::kAccepted) << i;
  // Three successes close it again.
  Reply after = run(BreakersQuery{});
  for (const auto& v : std::get<std::vector<BreakerView>>(after.body)) EXPECT_EQ(v.state, "closed") << v.id;
}

TEST_F(EngineTest, ALargePaymentFilesACtrAndStructuringFilesOneSarADayWithoutHolding) {
  bank("BANKAAAA");
  bank("BANKBBBB");
  mint("BANKAAAA", 10'000'000'00);
  TransferCommand big = transfer("BANKAAAA", "BANKBBBB", 12'000'00);
  big.debtor = {"Ivan Example", "AE070331234567890123456", "AE"};
  ASSERT_EQ(run(big).outcome, Outcome::kAccepted);
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
    ASSERT_EQ(r.outcome, Outcome::kAccepted) << i;
    EXPECT_EQ(std::get<PaymentResult>(r.body).status, store::PaymentStatus::kQueued) << i;
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
  auto report = std::get<RiskReport>(run(RiskQuery{again}).body);
  EXPECT_NE(std::find(report.aml_rules.begin(), report.aml_rules.end(), "structuring"), report.aml_rules.end());
  ASSERT_EQ(run(again).outcome, Outcome::kAccepted);
  EXPECT_EQ(store_->list_aml_reports("SAR", 0, 10)->size(), 1u);

  // With hold_on_pattern_sar the operator gets the original behaviour: held for review.
  Settings strict;
  strict.controls.aml.hold_on_pattern_sar = true;
  reopen_with(strict);
  TransferCommand held = transfer("BANKAAAA", "BANKBBBB", 9'300'00);
  held.debtor = {"Smurf Customer", "", ""};
  Reply r = run(held);
  ASSERT_EQ(r.outcome, Outcome::kAccepted);
  EXPECT_EQ(std::get<PaymentResult>(r.body).status, store::PaymentStatus::kHeld);
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
  auto rules = [&](const TransferCommand& t) {
    return std::get<RiskReport>(run(RiskQuery{t}).body).aml_rules;
  };
  auto has = [](const std::vector<std::string>& v, const char* x) { return std::find(v.begin(), v.end(), x) != v.end(); };
  EXPECT_TRUE(has(rules(with_parties(100)), "new_counterparty"));
  ASSERT_EQ(run(with_parties(100)).outcome, Outcome::kAccepted);
  for (int i = 0; i < 8; ++i) ASSERT_EQ(run(with_parties(5'000'00)).outcome, Outcome::kRejected);  // AM04: failures

  // Two days later (outside the 24 h windows, inside the 30-day memory), after a restart.
  clock_.advance_us(2 * 86'400'000'000LL);
  reopen_with(no_breakers);
  RiskReport report = std::get<RiskReport>(run(RiskQuery{with_parties(100)}).body);
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
  auto report = std::get<RiskReport>(run(RiskQuery{t}).body);
  EXPECT_EQ(report.decision, "REJECT");
  ASSERT_EQ(report.risk_factors.size(), 5u);
  int centi = 0;
  for (const auto& f : report.risk_factors) centi += f.contribution_centi;
  EXPECT_EQ(report.risk_score, (centi + 50) / 100);
  EXPECT_EQ(report.risk_score, 63);
  EXPECT_EQ(report.risk_factors[1].name, "corridor");
  EXPECT_EQ(report.risk_factors[1].score, 95);
  const size_t audited = store_->read_audit(0, 1000)->size();
  run(RiskQuery{t});
  EXPECT_EQ(store_->read_audit(0, 1000)->size(), audited);  // a query records nothing

  Reply r = run(t);
  ASSERT_EQ(r.outcome, Outcome::kRejected);
  EXPECT_EQ(r.reason, "MS03");
  EXPECT_EQ(r.code, "payment_rejected");
  auto stored = store_->get_payment(t.id);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->status, store::PaymentStatus::kRejected);

  // With the default bands it is held for review; disabled, it goes through to liquidity.
  reopen_with(Settings{});
  t.id = new_uuid_v4();
  Reply held = run(t);
  ASSERT_EQ(held.outcome, Outcome::kAccepted);
  EXPECT_EQ(std::get<PaymentResult>(held.body).status, store::PaymentStatus::kHeld);
  Settings off;
  off.controls.risk_enabled = false;
  off.controls.aml_enabled = false;
  reopen_with(off);
  t.id = new_uuid_v4();
  EXPECT_EQ(run(t).outcome, Outcome::kAccepted);
}
}  // namespace
}  // namespace deltran::engine
