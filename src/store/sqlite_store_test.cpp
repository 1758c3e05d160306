#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <deltran/core/ids.hpp>
#include <deltran/store/anchor.hpp>
#include <deltran/store/sqlite.hpp>

namespace deltran::store {
namespace {

namespace fs = std::filesystem;
using model::PaymentStatus;

const money::CurrencyId kUsd = money::currency_id("USD");
const money::CurrencyId kEur = money::currency_id("EUR");

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
  static model::Payment payment(const std::string& from, const std::string& to, int64_t amount, int64_t window,
                                const std::string& key = "") {
    model::Payment p;
    p.id = new_uuid_v4();
    p.uetr = new_uuid_v4();
    p.end_to_end_id = "E2E";
    p.idempotency_key = key;
    p.debtor_agent = from;
    p.creditor_agent = to;
    p.amount = money::Amount{amount, kUsd};
    p.debtor.name = "Zoë Ünal";
    p.window_id = window;
    return p;
  }
  static model::Event event(int64_t seq, int64_t batch, model::EventType type, std::string a = {}, std::string b = {},
                            model::EventScope scope = model::EventScope::kParties) {
    model::Event e;
    e.seq = seq;
    e.batch = batch;
    e.type = type;
    e.time_us = 1'000 + seq;
    e.actor = "test";
    e.entity = "x" + std::to_string(seq);
    e.party_a = std::move(a);
    e.party_b = std::move(b);
    e.scope = scope;
    e.payload = "{\"n\":" + std::to_string(seq) + "}";
    return e;
  }
  // A batch holding these events and their chain link.
  static Batch with_events(std::vector<model::Event> events, int64_t batch, const std::string& prev) {
    Batch b;
    b.events = std::move(events);
    model::ChainLink l;
    l.batch = batch;
    l.first_seq = b.events.front().seq;
    l.last_seq = b.events.back().seq;
    l.prev_hash = prev;
    l.hash = model::chain_hash(prev, b.events);
    b.link = l;
    return b;
  }
  fs::path dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, ABatchIsReadBackExactlyAfterReopening) {
  Batch b = with_events({event(1, 1, model::EventType::kParticipantCreated, "BANKAAAA", "", model::EventScope::kPublic)}, 1, "");
  b.participants.push_back(model::Participant{"BANKAAAA", "A", "AE", {kUsd, kEur}, {{kUsd, 500}}, 1, {}});
  b.accounts.push_back(model::AccountBalance{"BANKAAAA", kUsd, 100, -500});
  b.accounts.push_back(model::AccountBalance{"@omnibus", kUsd, -100, INT64_MIN});
  b.windows.push_back(model::Window{1, kUsd, model::WindowStatus::kOpen, 5, 0, 1, 42, 0, 0, 0, 0, {}});
  b.payments.push_back(payment("BANKAAAA", "BANKBBBB", 42, 1, "key-1"));
  b.journal.push_back(model::JournalEntry{"MINT", kUsd, "@omnibus", "BANKAAAA", 100, "ref", 0, 3});
  b.payments[0].request_hash = "h1";
  b.payments[0].created_us = 7;
  b.payments[0].seq = 1;  // the seq of its first event names the row
  ASSERT_TRUE(store_->commit(b).has_value());
  reopen();
  auto got = store_->get_payment(b.payments[0].id);
  ASSERT_TRUE(got.has_value() && got->has_value());
  EXPECT_EQ((*got)->debtor.name, "Zoë Ünal");
  EXPECT_EQ((*got)->amount.minor, 42);
  EXPECT_EQ((*got)->amount.currency, kUsd);
  auto accounts = store_->list_accounts();
  ASSERT_TRUE(accounts.has_value());
  ASSERT_EQ(accounts->size(), 2u);
  auto events = store_->read_events(0, 10);
  ASSERT_TRUE(events.has_value());
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].payload, "{\"n\":1}");
  EXPECT_EQ((*events)[0].type, model::EventType::kParticipantCreated);
  auto link = store_->chain_link(0);
  ASSERT_TRUE(link.has_value() && link->has_value());
  EXPECT_EQ((*link)->hash, b.link->hash);
  EXPECT_EQ((*got)->seq, 1);
  auto found = store_->payment_answer(1);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->payment_id, b.payments[0].id);
  EXPECT_EQ((*found)->debtor_agent, "BANKAAAA");
  EXPECT_EQ((*found)->key, "key-1");
  EXPECT_EQ((*found)->request_hash, "h1");
  EXPECT_EQ((*found)->status, PaymentStatus::kQueued);
  EXPECT_EQ((*found)->window_id, 1);
  EXPECT_EQ((*found)->created_us, 7);
}

TEST_F(SqliteStoreTest, PostingsOfAnOwnerAndItsBalanceBeforeADayAreReadBack) {
  Batch b;
  b.journal.push_back(model::JournalEntry{"MINT", kUsd, "@omnibus", "BANKAAAA", 1'000, "m1", 0, 100});
  b.journal.push_back(model::JournalEntry{"SETTLEMENT", kUsd, "BANKAAAA", "@clearing", 300, "window-1", 1, 200});
  b.journal.push_back(model::JournalEntry{"MINT", kEur, "@omnibus", "BANKAAAA", 50, "m2", 0, 300});
  b.journal.push_back(model::JournalEntry{"MINT", kUsd, "@omnibus", "BANKBBBB", 7, "m3", 0, 300});
  ASSERT_TRUE(store_->commit(b).has_value());
  auto before = store_->balances_before("BANKAAAA", 250);
  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->at(kUsd), 700);
  EXPECT_EQ(before->count(kEur), 0u);
  auto day = store_->list_postings("BANKAAAA", 150, 400);
  ASSERT_TRUE(day.has_value());
  ASSERT_EQ(day->size(), 2u);
  EXPECT_EQ((*day)[0].reference, "window-1");
  EXPECT_EQ((*day)[1].currency, kEur);
}

TEST_F(SqliteStoreTest, AFailedBatchWritesNothing) {
  Batch ok;
  model::Payment p = payment("BANKAAAA", "BANKBBBB", 1, 1);
  ok.payments.push_back(p);
  ASSERT_TRUE(store_->commit(ok).has_value());
  Batch bad = with_events({event(1, 1, model::EventType::kFundsMinted)}, 1, "");
  bad.accounts.push_back(model::AccountBalance{"BANKCCCC", kUsd, 7, 0});
  bad.payments.push_back(p);  // duplicate id: the whole batch must roll back
  EXPECT_FALSE(store_->commit(bad).has_value());
  auto accounts = store_->list_accounts();
  ASSERT_TRUE(accounts.has_value());
  EXPECT_TRUE(accounts->empty());
  EXPECT_TRUE(store_->read_events(0, 10)->empty());
  EXPECT_FALSE(store_->chain_link(0)->has_value());
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
    for (const auto& p : *page) seen.push_back(p.amount.minor);
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

// Closing a window rewrites none of its payments: they read SETTLED through their window.
TEST_F(SqliteStoreTest, AQueuedPaymentReadsSettledOnceItsWindowIsSettled) {
  Batch b;
  b.windows.push_back(model::Window{1, kUsd, model::WindowStatus::kOpen, 5, 0, 2, 3, 0, 0, 0, 0, {}});
  b.payments.push_back(payment("BANKAAAA", "BANKBBBB", 1, 1));
  b.payments.push_back(payment("BANKAAAA", "BANKBBBB", 2, 1));
  model::Payment rejected = payment("BANKAAAA", "BANKBBBB", 9, 0);
  rejected.status = PaymentStatus::kRejected;
  b.payments.push_back(rejected);
  ASSERT_TRUE(store_->commit(b).has_value());
  PaymentFilter queued{PaymentStatus::kQueued, "", {}, 0, 0, 100};
  PaymentFilter settled{PaymentStatus::kSettled, "", {}, 0, 0, 100};
  EXPECT_EQ(store_->list_payments(queued)->size(), 2u);
  EXPECT_EQ(store_->list_payments(settled)->size(), 0u);
  Batch close;
  close.windows.push_back(model::Window{1, kUsd, model::WindowStatus::kSettled, 5, 9, 2, 3, 1, 1, 0, 0,
                                        {{"BANKAAAA", -3}, {"BANKBBBB", 3}}});
  ASSERT_TRUE(store_->commit(close).has_value());
  EXPECT_EQ(store_->list_payments(queued)->size(), 0u);
  EXPECT_EQ(store_->list_payments(settled)->size(), 2u);
  EXPECT_EQ((*store_->get_payment(b.payments[0].id))->status, PaymentStatus::kSettled);
  EXPECT_EQ((*store_->get_payment(rejected.id))->status, PaymentStatus::kRejected);
  auto w = store_->get_window(1);
  ASSERT_TRUE(w.has_value() && w->has_value());
  EXPECT_EQ((*w)->positions.size(), 2u);
  auto told = store_->window_payments(1, 0, 10);
  ASSERT_TRUE(told.has_value());
  ASSERT_EQ(told->size(), 2u);
  EXPECT_EQ(store_->window_payments(1, (*told)[0].seq, 10)->size(), 1u);
}

// A participant reads the public events and those naming it; operator-only ones never.
TEST_F(SqliteStoreTest, EventsAreFilteredByWhoTheyConcern) {
  Batch b = with_events({event(1, 1, model::EventType::kParticipantCreated, "BANKAAAA", "", model::EventScope::kPublic),
                         event(2, 1, model::EventType::kCredentialIssued, "BANKAAAA", "", model::EventScope::kOperators),
                         event(3, 1, model::EventType::kPaymentAccepted, "BANKAAAA", "BANKBBBB"),
                         event(4, 1, model::EventType::kPaymentAccepted, "BANKBBBB", "BANKCCCC"),
                         event(5, 1, model::EventType::kWindowSettled, "", "", model::EventScope::kPublic)},
                        1, "");
  ASSERT_TRUE(store_->commit(b).has_value());
  auto seqs = [&](const std::string& who, int64_t after, int limit) {
    std::vector<int64_t> out;
    auto events = store_->list_events(EventFilter{after, limit, who});
    EXPECT_TRUE(events.has_value());
    for (const auto& e : *events) out.push_back(e.seq);
    return out;
  };
  EXPECT_EQ(seqs("", 0, 100), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(seqs("BANKAAAA", 0, 100), (std::vector<int64_t>{1, 3, 5}));
  EXPECT_EQ(seqs("BANKBBBB", 0, 100), (std::vector<int64_t>{1, 3, 4, 5}));
  EXPECT_EQ(seqs("BANKCCCC", 0, 100), (std::vector<int64_t>{1, 4, 5}));
  EXPECT_EQ(seqs("BANKBBBB", 1, 2), (std::vector<int64_t>{3, 4}));
}

// Statements built at run time (a chain link by number, the last one) must never be
// confused in the statement cache: repeated reads on the writer's connection — what the
// core does on every rebuild — answer the same every time. (A cache keyed by the address
// of a temporary string once returned another query's statement on the second rebuild.)
TEST_F(SqliteStoreTest, RepeatedReadsOnTheWritersConnectionAnswerTheSame) {
  std::string prev;
  for (int64_t batch = 1; batch <= 3; ++batch) {
    Batch b = with_events({event(batch * 2 - 1, batch, model::EventType::kFundsMinted, "BANKAAAA"),
                           event(batch * 2, batch, model::EventType::kFundsBurned, "BANKAAAA")},
                          batch, prev);
    prev = b.link->hash;
    ASSERT_TRUE(store_->commit(b).has_value());
  }
  for (int round = 0; round < 5; ++round) {
    auto last = store_->chain_link(0);
    auto first = store_->chain_link(1);
    auto events = store_->read_events(2, 10);
    auto none = store_->payment_answer(100 + round);
    ASSERT_TRUE(last && first && events && none);
    ASSERT_TRUE(last->has_value() && first->has_value());
    EXPECT_EQ((*last)->batch, 3) << "round " << round;
    EXPECT_EQ((*first)->batch, 1) << "round " << round;
    EXPECT_EQ((*first)->last_seq, 2) << "round " << round;
    EXPECT_EQ(events->size(), 4u) << "round " << round;
    EXPECT_FALSE(none->has_value());
  }
}

TEST_F(SqliteStoreTest, SnapshotsKeepTheNewestTwoAndADamagedOneIsPassedOver) {
  EXPECT_FALSE(store_->latest_snapshot()->has_value());
  for (int64_t seq : {10, 20, 30}) ASSERT_TRUE(store_->save_snapshot(Snapshot{seq, "state at " + std::to_string(seq)}).has_value());
  auto latest = store_->latest_snapshot();
  ASSERT_TRUE(latest.has_value() && latest->has_value());
  EXPECT_EQ((*latest)->seq, 30);
  EXPECT_EQ((*latest)->bytes, "state at 30");
  size_t files = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "snapshots")) files += e.path().extension() == ".snap" ? 1 : 0;
  EXPECT_EQ(files, 2u);
  // Damage the newest: the older one is returned.
  fs::path newest;
  for (const auto& e : fs::directory_iterator(dir_ / "snapshots")) {
    if (newest.empty() || e.path() > newest) newest = e.path();
  }
  std::string text;
  {
    std::ifstream in(newest, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text[text.find("state") + 1] = 'X';
  std::ofstream(newest, std::ios::binary | std::ios::trunc) << text;
  latest = store_->latest_snapshot();
  ASSERT_TRUE(latest.has_value() && latest->has_value());
  EXPECT_EQ((*latest)->seq, 20);
}

// A key's answer is the payment it names, as it stands: a held payment decided later
// answers with its decision.
TEST_F(SqliteStoreTest, AnIdempotencyKeysAnswerIsThePaymentItNamesAsItStands) {
  Batch b;
  model::Payment held = payment("BANKAAAA", "BANKBBBB", 5, 0, "held-1");
  held.status = PaymentStatus::kHeld;
  held.case_id = 3;
  held.seq = 40;
  b.payments.push_back(held);
  b.payments.push_back(payment("BANKAAAA", "BANKBBBB", 6, 1, ""));  // no seq given: SQLite's next
  ASSERT_TRUE(store_->commit(b).has_value());
  auto h = store_->payment_answer(40);
  ASSERT_TRUE(h.has_value() && h->has_value());
  EXPECT_EQ((*h)->key, "held-1");
  EXPECT_EQ((*h)->status, PaymentStatus::kHeld);
  EXPECT_EQ((*h)->case_id, 3);
  auto next = store_->payment_answer(41);
  ASSERT_TRUE(next.has_value() && next->has_value());
  EXPECT_EQ((*next)->key, "");
  EXPECT_FALSE(store_->payment_answer(39)->has_value());
  Batch decided;
  decided.payment_changes.push_back(PaymentChange{held.id, PaymentStatus::kRejected, Rc::kRegulatory, "rejected", 0, 9, {}});
  ASSERT_TRUE(store_->commit(decided).has_value());
  h = store_->payment_answer(40);
  EXPECT_EQ((*h)->status, PaymentStatus::kRejected);
  EXPECT_EQ((*h)->rc, Rc::kRegulatory);
}

TEST_F(SqliteStoreTest, AnOlderSchemaIsRefusedWithAClearMessage) {
  store_.reset();
  {
    auto st = open_sqlite_store(SqliteSettings{(dir_ / "old.db").string()});
    ASSERT_TRUE(st.has_value());
  }
  // A version-1 database, as the previous build made it.
  std::string cmd = "sqlite3 '" + (dir_ / "old.db").string() + "' 'UPDATE schema_version SET version = 1'";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  auto st = open_sqlite_store(SqliteSettings{(dir_ / "old.db").string()});
  ASSERT_FALSE(st.has_value());
  EXPECT_NE(st.error().message.find("schema version 1"), std::string::npos) << st.error().message;
}

TEST(FileAnchor, AppendsReadsBackRotatesAndForgivesOnlyATornLastLine) {
  fs::path dir = fs::temp_directory_path() / ("deltran-anchor-" + new_uuid_v4());
  fs::create_directories(dir);
  const std::string path = (dir / "audit.anchor").string();
  {
    auto a = open_file_anchor(path, 200);  // rotates after ~2 lines
    ASSERT_TRUE(a.has_value());
    for (int64_t i = 1; i <= 5; ++i) ASSERT_TRUE((*a)->append({i, i * 10, std::string(64, static_cast<char>('a' + i))}).has_value());
    auto all = (*a)->read_all();
    ASSERT_TRUE(all.has_value());
    ASSERT_EQ(all->size(), 5u);
    EXPECT_EQ((*all)[4].last_seq, 50);
    auto last = (*a)->last();
    ASSERT_TRUE(last.has_value() && last->has_value());
    EXPECT_EQ((*last)->batch, 5);
  }
  EXPECT_TRUE(fs::exists(path + ".1"));
  std::ofstream(path, std::ios::app) << "6 60 abc";  // a torn last line: a crash mid-write
  auto a = open_file_anchor(path, 200);
  ASSERT_TRUE(a.has_value());
  auto all = (*a)->read_all();
  ASSERT_TRUE(all.has_value()) << all.error().message;
  EXPECT_EQ(all->size(), 5u);
  EXPECT_EQ((*(*a)->last())->batch, 5);
  // A malformed line in the middle is not forgiven.
  std::ofstream(path + ".1", std::ios::app) << "garbage\n";
  EXPECT_FALSE((*a)->read_all().has_value());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::store
