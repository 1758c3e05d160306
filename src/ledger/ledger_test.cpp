#include <gtest/gtest.h>

#include <random>

#include <deltran/ledger/ledger.hpp>

namespace deltran::ledger {
namespace {

const CurrencyId kUsd = money::currency_id("USD");
const CurrencyId kEur = money::currency_id("EUR");
constexpr ParticipantId kA = 1, kB = 2;

Posting mint(ParticipantId bank, int64_t amount, CurrencyId currency = kUsd) {
  return Posting{PostingKind::kMint, currency, kOmnibus, bank, amount};
}

TEST(Ledger, MintCreatesTokensBackedByTheOmnibusAccount) {
  Ledger l;
  l.open_currency(kUsd);
  l.open_account(kA, kUsd, 0);
  ASSERT_TRUE(l.validate(mint(kA, 500)).has_value());
  l.apply(mint(kA, 500));
  EXPECT_EQ(l.balance(kA, kUsd), 500);
  EXPECT_EQ(l.balance(kOmnibus, kUsd), -500);
  EXPECT_TRUE(l.check_invariants().has_value());
}

TEST(Ledger, TransferBelowTheFloorIsRefusedAndChangesNothing) {
  Ledger l;
  l.open_currency(kUsd);
  l.open_account(kA, kUsd, -100);
  l.open_account(kB, kUsd, 0);
  l.apply(mint(kA, 50));
  Posting p{PostingKind::kTransfer, kUsd, kA, kB, 151};
  auto st = l.validate(p);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kFailedPrecondition);
  p.amount_minor = 150;  // exactly down to the floor: allowed
  ASSERT_TRUE(l.validate(p).has_value());
  l.apply(p);
  EXPECT_EQ(l.balance(kA, kUsd), -100);
  EXPECT_EQ(l.balance(kB, kUsd), 150);
  EXPECT_TRUE(l.check_invariants().has_value());
}

TEST(Ledger, RefusesUnknownAccountsBadAmountsAndOverflow) {
  Ledger l;
  l.open_currency(kUsd);
  l.open_account(kA, kUsd, 0);
  l.open_account(kB, kUsd, 0);
  EXPECT_EQ(l.validate(mint(77, 1)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(l.validate(mint(kA, 0)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(l.validate(mint(kA, -5)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(l.validate(mint(kA, 1, kEur)).error().code, ErrorCode::kNotFound);
  for (int i = 0; i < 9; ++i) l.apply(mint(kA, kMaxPostingMinor));  // 9·10^18, near INT64_MAX
  l.open_account(kB, kUsd, -kMaxPostingMinor);                       // B may owe 10^18
  Posting to_a{PostingKind::kTransfer, kUsd, kB, kA, 300'000'000'000'000'000};
  EXPECT_EQ(l.validate(to_a).error().code, ErrorCode::kFailedPrecondition);  // A would pass INT64_MAX
  EXPECT_EQ(l.validate(mint(kB, kMaxPostingMinor)).error().code, ErrorCode::kFailedPrecondition)
      << "the omnibus account would pass INT64_MIN";
  EXPECT_EQ(l.balance(kA, kUsd), 9 * kMaxPostingMinor);
}

TEST(Ledger, InvariantCheckCatchesABrokenBackingAndAnUnbalancedClearingAccount) {
  std::map<AccountKey, Account> accounts;
  accounts[{kOmnibus, kUsd}] = {-100, kNoFloor};
  accounts[{kClearing, kUsd}] = {0, kNoFloor};
  accounts[{kA, kUsd}] = {100, 0};
  EXPECT_TRUE(check_invariants(accounts).has_value());
  accounts[{kA, kUsd}] = {101, 0};
  EXPECT_FALSE(check_invariants(accounts).has_value());
  accounts[{kA, kUsd}] = {90, 0};
  accounts[{kClearing, kUsd}] = {10, kNoFloor};
  auto clearing = check_invariants(accounts);
  ASSERT_FALSE(clearing.has_value());
  EXPECT_NE(clearing.error().message.find("@clearing/USD"), std::string::npos) << clearing.error().message;
  accounts[{kClearing, kUsd}] = {0, kNoFloor};
  accounts[{kA, kUsd}] = {-1, 0};
  accounts[{kOmnibus, kUsd}] = {1, kNoFloor};
  auto floor = check_invariants(accounts, [](ParticipantId id) { return id == kA ? "BANKAAAA" : "?"; });
  ASSERT_FALSE(floor.has_value());
  EXPECT_NE(floor.error().message.find("BANKAAAA/USD is below its floor"), std::string::npos) << floor.error().message;
}

TEST(Ledger, ASavedLedgerLoadsBackEqualAndATruncatedOneIsRefused) {
  Ledger l;
  l.open_currency(kUsd);
  l.open_account(kA, kUsd, -300);
  l.apply(mint(kA, 1234));
  std::string bytes;
  BinaryWriter w(bytes);
  l.save(w);
  Ledger back;
  BinaryReader r(bytes);
  ASSERT_TRUE(back.load(r));
  EXPECT_EQ(back.balance(kA, kUsd), 1234);
  EXPECT_EQ(back.find(kA, kUsd)->floor_minor, -300);
  EXPECT_EQ(back.accounts().size(), l.accounts().size());
  Ledger cut;
  BinaryReader short_reader(std::string_view(bytes).substr(0, bytes.size() - 2));
  EXPECT_FALSE(cut.load(short_reader));
}

TEST(Ledger, RandomPostingsKeepEveryInvariant) {
  std::mt19937_64 rng(42);
  Ledger l;
  const std::vector<ParticipantId> banks = {1, 2, 3, 4};
  for (CurrencyId cur : {kUsd, kEur}) {
    l.open_currency(cur);
    for (size_t i = 0; i < banks.size(); ++i) l.open_account(banks[i], cur, -static_cast<int64_t>(i) * 1000);
  }
  int applied = 0;
  for (int step = 0; step < 20000; ++step) {
    Posting p;
    p.currency = (rng() % 2) ? kUsd : kEur;
    p.amount_minor = static_cast<int64_t>(rng() % 5000) + 1;
    switch (rng() % 3) {
      case 0: p.kind = PostingKind::kMint; p.from = kOmnibus; p.to = banks[rng() % 4]; break;
      case 1: p.kind = PostingKind::kBurn; p.from = banks[rng() % 4]; p.to = kOmnibus; break;
      default: p.kind = PostingKind::kTransfer; p.from = banks[rng() % 4]; p.to = banks[rng() % 4]; break;
    }
    if (!l.validate(p).has_value()) continue;
    l.apply(p);
    ++applied;
    ASSERT_TRUE(l.check_invariants().has_value()) << "step " << step;
  }
  EXPECT_GT(applied, 10000);
}

}  // namespace
}  // namespace deltran::ledger
