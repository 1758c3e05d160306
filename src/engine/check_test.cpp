// `deltran check` must fail when its invariants break: for each one it claims, a store is
// corrupted in exactly that way — straight through SQLite, as a bad disk, a bug or an
// insider would — and the check must fail and name it. A clean store passes first.
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include <gtest/gtest.h>

#include <deltran/core/clock.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/engine/check.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/model/event.hpp>
#include <deltran/store/sqlite.hpp>

namespace deltran::engine {
namespace {

namespace fs = std::filesystem;

const CurrencyId kUsd = money::currency_id("USD");

class CheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("deltran-check-" + new_uuid_v4());
    fs::create_directories(dir_);
    with_core([&](Engine& e, ManualClock&) {
      auto run = [&](Command c) { return e.execute(std::move(c), "test"); };
      for (const char* b : {"BANKAAAA", "BANKBBBB", "BANKCCCC"}) {
        ASSERT_EQ(run(CreateBankCommand{b, b, "AE", {kUsd}, {{kUsd, 1'000}}, std::string("h") + b, {}}).rc, Rc::kCreated);
        ASSERT_EQ(run(TokenCommand{TokenCommand::Kind::kMint, b, Amount{10'000, kUsd}, std::string("f") + b}).rc, Rc::kOk);
      }
      auto pay = [&](const char* from, const char* to, int64_t amount) {
        TransferCommand t;
        t.id = new_uuid_v4();
        t.uetr = new_uuid_v4();
        t.idempotency_key = "k" + t.id;
        t.request_hash = "h";
        t.debtor_agent = from;
        t.creditor_agent = to;
        t.amount = Amount{amount, kUsd};
        t.end_to_end_id = "E";
        return run(t).rc;
      };
      ASSERT_EQ(pay("BANKAAAA", "BANKBBBB", 3'000), Rc::kAccepted);
      ASSERT_EQ(pay("BANKBBBB", "BANKCCCC", 1'000), Rc::kAccepted);
      ASSERT_EQ(pay("BANKCCCC", "BANKAAAA", 500), Rc::kAccepted);
      ASSERT_EQ(pay("BANKAAAA", "BANKCCCC", 90'000), Rc::kInsufficientLiquidity);
      ASSERT_EQ(run(CloseWindowCommand{0, kUsd, false}).rc, Rc::kOk);
      ASSERT_EQ(pay("BANKBBBB", "BANKAAAA", 700), Rc::kAccepted);  // an open window too
    });
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `body` against a core on the test's store (breakers off), then stops it.
  void with_core(const std::function<void(Engine&, ManualClock&)>& body) {
    auto store = open();
    auto anchor = store::open_file_anchor(anchor_path());
    ASSERT_TRUE(anchor.has_value());
    ManualClock clock;
    Settings settings;
    settings.controls.breakers_enabled = false;
    Engine e(settings, *store, clock, anchor->get());
    ASSERT_TRUE(e.start().has_value());
    body(e, clock);
    e.stop();
  }
  std::unique_ptr<store::Store> open() {
    store::SqliteSettings s;
    s.path = (dir_ / "deltran.db").string();
    auto st = store::open_sqlite_store(s);
    EXPECT_TRUE(st.has_value()) << st.error().message;
    return std::move(*st);
  }
  std::string anchor_path() const { return (dir_ / "audit.anchor").string(); }

  // Runs SQL on the database file directly.
  void corrupt(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "deltran.db").c_str(), &db), SQLITE_OK);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (err ? err : "");
    sqlite3_free(err);
    sqlite3_close(db);
  }
  int64_t scalar(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open((dir_ / "deltran.db").c_str(), &db);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr);
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
  }

  CheckReport check(bool with_anchor = true) {
    auto store = open();
    std::unique_ptr<store::Anchor> anchor;
    if (with_anchor) anchor = std::move(*store::open_file_anchor(anchor_path()));
    auto report = check_store(*store, anchor.get());
    EXPECT_TRUE(report.has_value()) << report.error().message;
    return report ? *report : CheckReport{};
  }
  // The check fails, and one of its failures names the invariant.
  void expect_named(const std::string& prefix, const std::string& words) {
    CheckReport r = check();
    ASSERT_FALSE(r.ok()) << "the check passed a store broken for '" << prefix << "'";
    std::string all;
    bool found = false;
    for (const auto& f : r.failures) {
      all += f + "\n";
      found = found || (f.rfind(prefix, 0) == 0 && f.find(words) != std::string::npos);
    }
    EXPECT_TRUE(found) << "expected a failure '" << prefix << " … " << words << "', got:\n" << all;
  }

  fs::path dir_;
};

TEST_F(CheckTest, AStoreTheCoreWroteHoldsEveryInvariant) {
  CheckReport r = check();
  EXPECT_TRUE(r.ok()) << r.failures.front();
  EXPECT_EQ(r.payments, 5);
  EXPECT_EQ(r.windows_settled, 1);
  EXPECT_GT(r.events, 20);
  EXPECT_EQ(r.anchored_batches, r.batches);
}

TEST_F(CheckTest, AnAccountThatDoesNotSumToZeroFails) {
  corrupt("UPDATE accounts SET balance_minor = balance_minor + 1 WHERE owner = '@omnibus'");
  expect_named("ledger:", "do not sum to zero");
}

TEST_F(CheckTest, TokensWithoutFiatBehindThemFailTheBacking) {
  corrupt("UPDATE accounts SET balance_minor = balance_minor + 500 WHERE owner = 'BANKCCCC'");
  expect_named("backing:", "differ from the fiat held in its omnibus account");
}

TEST_F(CheckTest, ABalanceBelowItsFloorFails) {
  // Moved between two participants: sums and backing still hold, the floor does not.
  corrupt("UPDATE accounts SET balance_minor = balance_minor - 20000 WHERE owner = 'BANKAAAA';"
          "UPDATE accounts SET balance_minor = balance_minor + 20000 WHERE owner = 'BANKBBBB'");
  expect_named("ledger:", "BANKAAAA/USD is below its floor");
}

TEST_F(CheckTest, ANonZeroClearingAccountFails) {
  corrupt("UPDATE accounts SET balance_minor = 5 WHERE owner = '@clearing';"
          "UPDATE accounts SET balance_minor = balance_minor - 5 WHERE owner = 'BANKAAAA'");
  expect_named("ledger:", "clearing account of USD is not zero");
}

TEST_F(CheckTest, AJournalThatDoesNotReplayToTheBalancesFails) {
  corrupt("DELETE FROM journal WHERE seq = (SELECT MAX(seq) FROM journal)");
  expect_named("journal:", "do not replay");
}

TEST_F(CheckTest, APositionThatIsNotIncomingMinusOutgoingFails) {
  // Still summing to zero: only the comparison with the payments can see it.
  corrupt("UPDATE window_positions SET net_minor = net_minor + 1 WHERE bank = 'BANKAAAA';"
          "UPDATE window_positions SET net_minor = net_minor - 1 WHERE bank = 'BANKBBBB'");
  expect_named("window 1:", "is not its incoming minus outgoing");
}

TEST_F(CheckTest, PositionsThatDoNotSumToZeroFail) {
  corrupt("UPDATE window_positions SET net_minor = net_minor + 1 WHERE bank = 'BANKAAAA'");
  expect_named("window 1:", "do not sum to zero");
}

TEST_F(CheckTest, AWindowWhoseGrossDiffersFromItsPaymentsFails) {
  corrupt("UPDATE windows SET gross_minor = gross_minor + 100 WHERE id = 1");
  expect_named("window 1:", "gross or payment count differs");
}

TEST_F(CheckTest, ARejectedPaymentInsideAWindowFails) {
  corrupt("UPDATE payments SET window_id = 1 WHERE status = 'REJECTED'");
  expect_named("window 1:", "holds a REJECTED payment");
}

TEST_F(CheckTest, AnEditedEventBreaksTheChain) {
  corrupt("UPDATE events SET payload = replace(payload, '\"amount\":\"30.00\"', '\"amount\":\"31.00\"') WHERE type = 10");
  expect_named("audit chain:", "does not match its hash");
}

TEST_F(CheckTest, ARemovedEventBreaksTheChain) {
  corrupt("DELETE FROM events WHERE seq = 5");
  expect_named("audit chain:", "gap");
}

TEST_F(CheckTest, ReorderedEventsBreakTheChain) {
  // Two events of one batch trade places (their payloads and types swap).
  const int64_t batch = scalar("SELECT batch FROM events GROUP BY batch HAVING COUNT(*) >= 2 LIMIT 1");
  ASSERT_GT(batch, 0);
  const int64_t a = scalar("SELECT MIN(seq) FROM events WHERE batch = " + std::to_string(batch));
  const std::string b = std::to_string(a + 1), first = std::to_string(a);
  corrupt("UPDATE events SET seq = -1 WHERE seq = " + first + "; UPDATE events SET seq = " + first + " WHERE seq = " + b +
          "; UPDATE events SET seq = " + b + " WHERE seq = -1");
  expect_named("audit chain:", "does not match its hash");
}

TEST_F(CheckTest, ATruncatedTailIsCaughtByTheAnchor) {
  // The last batch's events and its chain link are gone: the store alone looks whole.
  const int64_t last = scalar("SELECT MAX(batch) FROM event_batches");
  corrupt("DELETE FROM events WHERE batch = " + std::to_string(last) + "; DELETE FROM event_batches WHERE batch = " +
          std::to_string(last));
  CheckReport without_anchor = check(false);
  bool chain_failed = false;
  for (const auto& f : without_anchor.failures) chain_failed = chain_failed || f.rfind("audit chain:", 0) == 0;
  EXPECT_FALSE(chain_failed) << "the chain alone cannot see a clean truncation";
  expect_named("anchor:", "truncated");
}

TEST_F(CheckTest, ARewrittenChainIsCaughtByTheAnchor) {
  // An event edited and every later link's hash recomputed: the store agrees with itself.
  corrupt("UPDATE events SET payload = replace(payload, '\"amount\":\"30.00\"', '\"amount\":\"31.00\"') WHERE type = 10");
  {
    auto store = open();
    std::map<int64_t, std::vector<model::Event>> by_batch;
    ASSERT_TRUE(store->for_each_event([&](const model::Event& e) { by_batch[e.batch].push_back(e); }).has_value());
    std::string prev;
    std::string sql;
    for (const auto& [batch, events] : by_batch) {
      const std::string hash = model::chain_hash(prev, events);
      sql += "UPDATE event_batches SET prev_hash = '" + prev + "', hash = '" + hash + "' WHERE batch = " +
             std::to_string(batch) + ";";
      prev = hash;
    }
    store.reset();
    corrupt(sql);
  }
  CheckReport r = check();
  bool chain_failed = false;
  for (const auto& f : r.failures) chain_failed = chain_failed || f.rfind("audit chain:", 0) == 0;
  EXPECT_FALSE(chain_failed) << "the rewritten chain agrees with its events";
  expect_named("anchor:", "rewritten");
}

TEST_F(CheckTest, AStoreWithoutItsAnchorFails) {
  CheckReport r = check(false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failures.front().rfind("anchor:", 0), 0u) << r.failures.front();
}

TEST_F(CheckTest, AnEditedAnchorFails) {
  std::string text;
  {
    std::ifstream in(anchor_path());
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t at = text.find(' ', text.find(' ') + 1) + 1;  // the first line's hash
  text[at] = text[at] == 'a' ? 'b' : 'a';
  std::ofstream(anchor_path(), std::ios::trunc) << text;
  expect_named("anchor:", "rewritten");
}

// A cross-currency payment's legs are the flows of their windows: a leg changed behind the
// core's back breaks its window's totals.
TEST_F(CheckTest, ALegOfACrossCurrencyPaymentThatDiffersFromItsWindowFails) {
  const CurrencyId aed = money::currency_id("AED");
  with_core([&](Engine& e, ManualClock& clock) {
    auto run = [&](Command c) { return e.execute(std::move(c), "test"); };
    ASSERT_EQ(run(CreateBankCommand{"FXPRAEAA", "FX", "AE", {aed, kUsd}, {}, "hfx", {}, true}).rc, Rc::kCreated);
    ASSERT_EQ(run(CreateBankCommand{"BANKAEAA", "A", "AE", {aed}, {}, "hae", {}}).rc, Rc::kCreated);
    ASSERT_EQ(run(TokenCommand{TokenCommand::Kind::kMint, "BANKAEAA", Amount{100'000, aed}, "fae"}).rc, Rc::kOk);
    ASSERT_EQ(run(TokenCommand{TokenCommand::Kind::kMint, "FXPRAEAA", Amount{100'000, kUsd}, "ffx"}).rc, Rc::kOk);
    ASSERT_EQ(run(PostRateCommand{fx::Rate{"FXPRAEAA", aed, kUsd, *fx::parse_rate("0.2720"), *fx::parse_rate("0.2724"), 0,
                                           clock.now_us() + 3'600'000'000, {}}}).rc, Rc::kOk);
    auto path = e.view()->rates->best_send(aed, kUsd, 10'000, fx::SearchLimits{clock.now_us(), 0, 3});
    ASSERT_TRUE(path);
    const std::string id = "q_0123456789abcdef0123456789abcdef";
    ASSERT_EQ(run(RecordQuoteCommand{fx::Quote{id, "BANKAEAA", false, *path, clock.now_us(), clock.now_us() + 60'000'000, {}}}).rc,
              Rc::kCreated);
    TransferCommand t;
    t.id = new_uuid_v4();
    t.uetr = new_uuid_v4();
    t.idempotency_key = "fx";
    t.request_hash = "h";
    t.debtor_agent = "BANKAEAA";
    t.creditor_agent = "BANKBBBB";
    t.amount = Amount{10'000, aed};
    t.end_to_end_id = "E";
    t.quote_id = id;
    ASSERT_EQ(run(t).rc, Rc::kAccepted);
  });
  CheckReport clean = check();
  EXPECT_TRUE(clean.ok()) << clean.failures.front();
  EXPECT_EQ(scalar("SELECT COUNT(*) FROM payment_legs"), 2);
  corrupt("UPDATE payment_legs SET amount_minor = amount_minor + 1 WHERE currency = 'USD'");
  expect_named("window ", "its gross or payment count differs from its payments");
}

}  // namespace
}  // namespace deltran::engine
