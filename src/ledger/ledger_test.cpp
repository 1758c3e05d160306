#include <gtest/gtest.h>

#include <random>

#include <deltran/ledger/ledger.hpp>

namespace deltran::ledger {
namespace {

Posting mint(std::string bank, int64_t amount) {
  return Posting{PostingKind::kMint, "USD", std::string(kOmnibus), std::move(bank), amount, "fund"};
}

TEST(Ledger, MintCreatesTokensBackedByTheOmnibusAccount) {
  Ledger l;
  l.open_currency("USD");
  l.open_account("BANKAAAA", "USD", 0);
  ASSERT_TRUE(l.validate(mint("BANKAAAA", 500)).has_value());
  l.apply(mint("BANKAAAA", 500));
  EXPECT_EQ(l.balance("BANKAAAA", "USD"), 500);
  EXPECT_EQ(l.balance(kOmnibus, "USD"), -500);
  EXPECT_TRUE(l.check_invariants().has_value());
}

TEST(Ledger, TransferBelowTheFloorIsRefusedAndChangesNothing) {
  Ledger l;
  l.open_currency("USD");
  l.open_account("BANKAAAA", "USD", -100);
  l.open_account("BANKBBBB", "USD", 0);
  l.apply(mint("BANKAAAA", 50));
  Posting p{PostingKind::kTransfer, "USD", "BANKAAAA", "BANKBBBB", 151, "x"};
  auto st = l.validate(p);
  ASSERT_FALSE(st.has_value());
  EXPECT_EQ(st.error().code, ErrorCode::kFailedPrecondition);
  p.amount_minor = 150;  // exactly down to the floor: allowed
  ASSERT_TRUE(l.validate(p).has_value());
  l.apply(p);
  EXPECT_EQ(l.balance("BANKAAAA", "USD"), -100);
  EXPECT_EQ(l.balance("BANKBBBB", "USD"), 150);
  EXPECT_TRUE(l.check_invariants().has_value());
}

TEST(Ledger, RefusesUnknownAccountsAndBadAmounts) {
  Ledger l;
  l.open_currency("USD");
  l.open_account("BANKAAAA", "USD", 0);
  EXPECT_EQ(l.validate(mint("NOBANKXX", 1)).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(l.validate(mint("BANKAAAA", 0)).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(l.validate(mint("BANKAAAA", -5)).error().code, ErrorCode::kInvalidArgument);
  Posting eur{PostingKind::kMint, "EUR", std::string(kOmnibus), "BANKAAAA", 1, ""};
  EXPECT_EQ(l.validate(eur).error().code, ErrorCode::kNotFound);
}

TEST(Ledger, InvariantCheckCatchesABrokenBackingAndAnUnbalancedClearingAccount) {
  std::map<AccountKey, Account> accounts;
  accounts[{std::string(kOmnibus), "USD"}] = {-100, kNoFloor};
  accounts[{std::string(kClearing), "USD"}] = {0, kNoFloor};
  accounts[{"BANKAAAA", "USD"}] = {100, 0};
  EXPECT_TRUE(check_invariants(accounts).has_value());
  accounts[{"BANKAAAA", "USD"}] = {101, 0};
  EXPECT_FALSE(check_invariants(accounts).has_value());
  accounts[{"BANKAAAA", "USD"}] = {90, 0};
  accounts[{std::string(kClearing), "USD"}] = {10, kNoFloor};
  EXPECT_FALSE(check_invariants(accounts).has_value());
  accounts[{std::string(kClearing), "USD"}] = {0, kNoFloor};
  accounts[{"BANKAAAA", "USD"}] = {-1, 0};
  accounts[{std::string(kOmnibus), "USD"}] = {1, kNoFloor};
  EXPECT_FALSE(check_invariants(accounts).has_value());  // below floor
}

TEST(Ledger, RandomPostingsKeepEveryInvariant) {
  std::mt19937_64 rng(42);
  Ledger l;
  const std::vector<std::string> banks = {"BANKAAAA", "BANKBBBB", "BANKCCCC", "BANKDDDD"};
  for (const char* cur : {"USD", "EUR"}) {
    l.open_currency(cur);
    for (size_t i = 0; i < banks.size(); ++i) l.open_account(banks[i], cur, -static_cast<int64_t>(i) * 1000);
  }
  int applied = 0;
  for (int step = 0; step < 20000; ++step) {
    Posting p;
    p.currency = (rng() % 2) ? "USD" : "EUR";
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
