#include <filesystem>

#include <gtest/gtest.h>

#include <deltran/core/ids.hpp>
#include <deltran/store/store.hpp>

namespace deltran::store {
namespace {

namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("deltran-store-" + new_uuid_v4());
    fs::create_directories(dir_);
    reopen();
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }
  void reopen() {
    store_.reset();
    SqliteSettings s;
    s.path = (dir_ / "t.db").string();
    auto st = open_sqlite_store(s);
    ASSERT_TRUE(st.has_value()) << st.error().message;
    store_ = std::move(*st);
  }
  static PaymentRow payment(const std::string& from, const std::string& to, int64_t amount, int64_t window,
                            const std::string& key = "") {
    PaymentRow p;
    p.id = new_uuid_v4();
    p.uetr = new_uuid_v4();
    p.end_to_end_id = "E2E";
    p.idempotency_key = key;
    p.debtor_agent = from;
    p.creditor_agent = to;
    p.currency = "USD";
    p.amount_minor = amount;
    p.debtor_name = "Zoë Ünal";
    p.window_id = window;
    return p;
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, ABatchIsReadBackExactlyAfterReopening) {
  Batch b;
  b.participants.push_back(ParticipantRow{"BANKAAAA", "A", "AE", "h", {"USD", "EUR"}, {{"USD", 500}}, 1});
  b.accounts.push_back(AccountRow{"BANKAAAA", "USD", 100, -500});
  b.accounts.push_back(AccountRow{"@omnibus", "USD", -100, INT64_MIN});
  b.windows.push_back(WindowRow{1, "USD", WindowStatus::kOpen, 5, 0, 1, 42, 0, 0, 0, 0, {}});
  b.payments.push_back(payment("BANKAAAA", "BANKBBBB", 42, 1, "key-1"));
  b.journal.push_back(JournalRow{"MINT", "USD", "@omnibus", "BANKAAAA", 100, "ref", 0, 3});
  ASSERT_TRUE(store_->commit(b).has_value());
  reopen();
  auto snap = store_->load(store::LoadRange{});
  ASSERT_TRUE(snap.has_value()) << snap.error().message;
  ASSERT_EQ(snap->participants.size(), 1u);
  EXPECT_EQ(snap->participants[0].currencies, (std::vector<std::string>{"USD", "EUR"}));
  EXPECT_EQ(snap->participants[0].net_debit_cap_minor.at("USD"), 500);
  ASSERT_EQ(snap->accounts.size(), 2u);
  EXPECT_EQ(snap->open_flows.size(), 1u);
  EXPECT_EQ(snap->open_flows[0].amount_minor, 42);
  ASSERT_EQ(snap->idempotency.size(), 1u);
  EXPECT_EQ(snap->idempotency[0].idempotency_key, "key-1");
  ASSERT_EQ(snap->token_operations.size(), 1u);
  auto got = store_->get_payment(b.payments[0].id);
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->debtor_name, "Zoë Ünal");
  EXPECT_EQ((*got)->amount_minor, 42);
}

TEST_F(SqliteStoreTest, PostingsOfAnOwnerAndItsBalanceBeforeADayAreReadBack) {
  Batch b;
  b.journal.push_back(JournalRow{"MINT", "USD", "@omnibus", "BANKAAAA", 1'000, "m1", 0, 100});
  b.journal.push_back(JournalRow{"SETTLEMENT", "USD", "BANKAAAA", "@clearing", 300, "window-1", 1, 200});
  b.journal.push_back(JournalRow{"MINT", "EUR", "@omnibus", "BANKAAAA", 50, "m2", 0, 300});
  b.journal.push_back(JournalRow{"MINT", "USD", "@omnibus", "BANKBBBB", 7, "m3", 0, 300});
  ASSERT_TRUE(store_->commit(b).has_value());
  auto before = store_->balances_before("BANKAAAA", 250);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->at("USD"), 700);
  EXPECT_EQ(before->count("EUR"), 0u);
  auto day = store_->list_postings("BANKAAAA", 150, 400);
  ASSERT_TRUE(day.has_value());
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ((*day)[0].reference, "window-1");
  EXPECT_EQ((*day)[1].currency, "EUR");
}

TEST_F(SqliteStoreTest, AFailedBatchWritesNothing) {
  Batch ok;
  PaymentRow p = payment("BANKAAAA", "BANKBBBB", 1, 1);
  ok.payments.push_back(p);
  ASSERT_TRUE(store_->commit(ok).has_value());
  Batch bad;
  bad.accounts.push_back(AccountRow{"BANKCCCC", "USD", 7, 0});
  bad.payments.push_back(p);  // duplicate id: the whole batch must roll back
  EXPECT_FALSE(store_->commit(bad).has_value());
  auto accounts = store_->list_accounts();
  ASSERT_TRUE(accounts.has_value());
  EXPECT_TRUE(accounts->empty());
}

TEST_F(SqliteStoreTest, ListingPagesNewestFirstWithACursorAndFiltersByParticipant) {
  Batch b;
  for (int i = 0; i < 25; ++i) b.payments.push_back(payment(i % 2 ? "BANKAAAA" : "BANKBBBB", "BANKCCCC", i + 1, 1));
  ASSERT_TRUE(store_->commit(b).has_value());
  PaymentFilter f;
  f.limit = 10;
  std::vector<int64_t> seen;
  for (;;) {
    auto page = store_->list_payments(f);
    ASSERT_TRUE(page.has_value());
    for (const auto& p : *page) seen.push_back(p.amount_minor);
    if (static_cast<int>(page->size()) < f.limit) break;
    f.before_seq = page->back().seq;
  }
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_EQ(seen.front(), 25);
  EXPECT_EQ(seen.back(), 1);
  PaymentFilter mine;
  mine.participant = "BANKAAAA";
  mine.limit = 100;
  auto page = store_->list_payments(mine);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->size(), 12u);
  for (const auto& p : *page) EXPECT_EQ(p.debtor_agent, "BANKAAAA");
  mine.participant = "BANKCCCC";
  EXPECT_EQ(store_->list_payments(mine)->size(), 25u);
}

// The reader of a snapshot's history, as text, so two snapshots compare field by field.
std::string describe_history(const Snapshot& s) {
  std::string out;
  auto rows = [&](const char* name, const std::vector<HistoryRow>& v) {
    out += name;
    out += ':';
    for (const auto& h : v) {
      out += ' ' + h.debtor_agent + '>' + h.creditor_agent + '/' + h.debtor_account + '/' + std::to_string(h.amount_minor) +
             '/' + to_string(h.status) + '/' + h.reason + '@' + std::to_string(h.created_us);
    }
    out += '\n';
  };
  rows("recent", s.recent);
  rows("pairs", s.pairs);
  rows("failures", s.failures);
  out += "days:";
  for (const auto& d : s.participant_days) {
    out += ' ' + d.participant + '/' + std::to_string(d.day) + '/' + std::to_string(d.payments) + '/' +
           std::to_string(d.failures);
  }
  out += "\nvolumes:";
  for (const auto& v : s.volumes_since) out += ' ' + v.participant + '/' + std::to_string(v.amount_minor);
  out += "\nflows: " + std::to_string(s.open_flows.size()) + " idempotency: " + std::to_string(s.idempotency.size()) +
         " held: " + std::to_string(s.held_payments.size()) + '\n';
  return out;
}

// A second load() on the same connection (the engine's rebuild after a failed commit) must
// read exactly what the first read: statements are cached by their text, not by where a
// temporary string happened to live.
TEST_F(SqliteStoreTest, TwoLoadsOnOneConnectionReturnTheSameSnapshot) {
  Batch b;
  for (int i = 0; i < 12; ++i) {
    PaymentRow p = payment(i % 3 ? "BANKAAAA" : "BANKBBBB", "BANKCCCC", 100 + i, 1, "k" + std::to_string(i));
    p.debtor_account = "ACC" + std::to_string(i % 4);
    p.created_us = 1'000 + i;
    if (i % 4 == 1) {
      p.status = PaymentStatus::kRejected;
      p.reason = "AM04";
      p.window_id = 0;
    } else if (i % 4 == 2) {
      p.status = PaymentStatus::kHeld;
      p.window_id = 0;
    }
    b.payments.push_back(p);
  }
  b.windows.push_back(WindowRow{1, "USD", WindowStatus::kOpen, 5, 0, 6, 0, 0, 0, 0, 0, {}});
  ASSERT_TRUE(store_->commit(b).has_value());
  LoadRange range{0, 0, 0};
  auto first = store_->load(range);
  ASSERT_TRUE(first.has_value()) << first.error().message;
  EXPECT_EQ(first->recent.size(), 9u);   // queued and held
  EXPECT_EQ(first->failures.size(), 3u);  // the AM04 rejections only
  for (int round = 0; round < 3; ++round) {
    auto again = store_->load(range);
    ASSERT_TRUE(again.has_value()) << again.error().message;
    EXPECT_EQ(describe_history(*again), describe_history(*first)) << "load number " << round + 2;
  }
}

}  // namespace
}  // namespace deltran::store
