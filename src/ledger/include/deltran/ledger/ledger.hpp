#pragma once
// Double-entry token ledger: one account per (owner, currency). Participants own their
// token accounts; per currency the rail owns an omnibus account (the fiat held at the
// settlement bank, as a contra balance) and a clearing account that is zero at rest.
// Every posting moves an amount from one account to another of the same currency, so the
// sum of all accounts of a currency is zero by construction, and is asserted anyway.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::ledger {

inline constexpr std::string_view kOmnibus = "@omnibus";
inline constexpr std::string_view kClearing = "@clearing";
// Floor of an account that may go arbitrarily negative (the omnibus contra account).
inline constexpr int64_t kNoFloor = INT64_MIN;
// The original system's cap on one token operation, in minor units of any currency, times
// a generous margin: a posting above it is a bug or an attack, not a payment.
inline constexpr int64_t kMaxPostingMinor = 1'000'000'000'000'000'000;

enum class PostingKind : uint8_t { kMint = 1, kBurn = 2, kTransfer = 3, kSettlement = 4 };
std::string_view to_string(PostingKind kind);

struct Posting {
  PostingKind kind = PostingKind::kTransfer;
  std::string currency;
  std::string from;  // owner whose balance decreases
  std::string to;    // owner whose balance increases
  int64_t amount_minor = 0;
  std::string reference;
};

struct AccountKey {
  std::string owner;
  std::string currency;
  auto operator<=>(const AccountKey&) const = default;
};

struct Account {
  int64_t balance_minor = 0;
  // Lowest balance allowed: 0 for a participant without credit, -(net debit cap) with it.
  int64_t floor_minor = 0;
};

class Ledger {
 public:
  // Opens the omnibus and clearing accounts of a currency (idempotent).
  void open_currency(std::string_view currency);
  // Opens (or re-floors) a participant's account; the currency must be open.
  void open_account(std::string_view owner, std::string_view currency, int64_t floor_minor);
  // Restores an account as stored, for the rebuild on start.
  void restore(std::string_view owner, std::string_view currency, int64_t balance_minor,
               int64_t floor_minor);

  // Checks that the posting can be applied: accounts exist, amount in (0, kMaxPostingMinor],
  // and the source stays at or above its floor. Changes nothing.
  [[nodiscard]] Status validate(const Posting& posting) const;
  // Applies a posting that validate() accepted; asserts that it was.
  void apply(const Posting& posting);

  const Account* find(std::string_view owner, std::string_view currency) const;
  int64_t balance(std::string_view owner, std::string_view currency) const;
  const std::map<AccountKey, Account>& accounts() const { return accounts_; }

  // Checks every invariant of the ledger: per currency the accounts sum to zero, the
  // clearing account is zero at rest, no account is below its floor, and participant
  // tokens in circulation equal the fiat held in the omnibus account.
  [[nodiscard]] Status check_invariants() const;

 private:
  Account* find_mut(std::string_view owner, std::string_view currency);
  std::map<AccountKey, Account> accounts_;
};

// The same invariants over a plain list of stored accounts (used by `deltran check`).
[[nodiscard]] Status check_invariants(const std::map<AccountKey, Account>& accounts);

}  // namespace deltran::ledger
