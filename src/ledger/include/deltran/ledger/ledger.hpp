#pragma once
// Double-entry token ledger: one account per (owner, currency). Participants own their
// token accounts; per currency the rail owns an omnibus account (the fiat held at the
// settlement bank, as a contra balance) and a clearing account that is zero at rest.
// Every posting moves an amount from one account to another of the same currency, so the
// sum of all accounts of a currency is zero by construction, and is asserted anyway.
// Owners and currencies are small integers: participant ids and ISO 4217 numeric codes.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/binary.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/core/result.hpp>
#include <deltran/money/currency.hpp>

namespace deltran::ledger {

using money::CurrencyId;

// The rail's own accounts, above every participant id.
inline constexpr ParticipantId kOmnibus = 0xFFFF'FFFE;
inline constexpr ParticipantId kClearing = 0xFFFF'FFFD;
inline constexpr bool is_system(ParticipantId owner) { return owner >= kClearing; }
// Their names at the edges (journal rows, statements, messages).
inline constexpr std::string_view kOmnibusName = "@omnibus";
inline constexpr std::string_view kClearingName = "@clearing";
// Floor of an account that may go arbitrarily negative (the omnibus contra account).
inline constexpr int64_t kNoFloor = INT64_MIN;
// The original system's cap on one token operation, in minor units of any currency, times
// a generous margin: a posting above it is a bug or an attack, not a payment.
inline constexpr int64_t kMaxPostingMinor = 1'000'000'000'000'000'000;

enum class PostingKind : uint8_t { kMint = 1, kBurn = 2, kTransfer = 3, kSettlement = 4 };
std::string_view to_string(PostingKind kind);

struct Posting {
  PostingKind kind = PostingKind::kTransfer;
  CurrencyId currency;
  ParticipantId from = 0;  // owner whose balance decreases
  ParticipantId to = 0;    // owner whose balance increases
  int64_t amount_minor = 0;
};

struct AccountKey {
  ParticipantId owner = 0;
  CurrencyId currency;
  auto operator<=>(const AccountKey&) const = default;
};

struct Account {
  int64_t balance_minor = 0;
  // Lowest balance allowed: 0 for a participant without credit, -(net debit cap) with it.
  int64_t floor_minor = 0;
};

// Names an owner in a message: the participant's BIC, or the system account's name.
using OwnerNamer = std::function<std::string(ParticipantId)>;

class Ledger {
 public:
  // Opens the omnibus and clearing accounts of a currency (idempotent).
  void open_currency(CurrencyId currency);
  // Opens (or re-floors) a participant's account; the currency must be open.
  void open_account(ParticipantId owner, CurrencyId currency, int64_t floor_minor);

  // Checks that the posting can be applied: accounts exist, amount in (0, kMaxPostingMinor],
  // no balance leaves int64, and the source stays at or above its floor. Changes nothing.
  [[nodiscard]] Status validate(const Posting& posting) const;
  // Applies a posting that validate() accepted; asserts that it was.
  void apply(const Posting& posting);

  const Account* find(ParticipantId owner, CurrencyId currency) const;
  int64_t balance(ParticipantId owner, CurrencyId currency) const;
  const std::map<AccountKey, Account>& accounts() const { return accounts_; }

  // Checks every invariant of the ledger: per currency the accounts sum to zero, the
  // clearing account is zero at rest, no account is below its floor, and participant
  // tokens in circulation equal the fiat held in the omnibus account.
  [[nodiscard]] Status check_invariants(const OwnerNamer& name = {}) const;

  void save(BinaryWriter& w) const;
  [[nodiscard]] bool load(BinaryReader& r);

 private:
  Account* find_mut(ParticipantId owner, CurrencyId currency);
  std::map<AccountKey, Account> accounts_;
};

// The same invariants over a plain list of accounts (used by `deltran check`).
[[nodiscard]] Status check_invariants(const std::map<AccountKey, Account>& accounts, const OwnerNamer& name = {});

}  // namespace deltran::ledger
