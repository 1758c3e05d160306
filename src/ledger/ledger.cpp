#include <deltran/ledger/ledger.hpp>

#include <string>

#include <deltran/core/assert.hpp>

namespace deltran::ledger {

std::string_view to_string(PostingKind kind) {
  switch (kind) {
    case PostingKind::kMint: return "MINT";
    case PostingKind::kBurn: return "BURN";
    case PostingKind::kTransfer: return "TRANSFER";
    case PostingKind::kSettlement: return "SETTLEMENT";
  }
  return "UNKNOWN";
}

namespace {
bool is_system_owner(std::string_view owner) { return !owner.empty() && owner.front() == '@'; }
AccountKey key_of(std::string_view owner, std::string_view currency) {
  return AccountKey{std::string(owner), std::string(currency)};
}
}  // namespace

void Ledger::open_currency(std::string_view currency) {
  accounts_.try_emplace(key_of(kOmnibus, currency), Account{0, kNoFloor});
  accounts_.try_emplace(key_of(kClearing, currency), Account{0, kNoFloor});
}

void Ledger::open_account(std::string_view owner, std::string_view currency, int64_t floor_minor) {
  DELTRAN_ASSERT(find(kOmnibus, currency) != nullptr, "currency opened before its accounts");
  DELTRAN_ASSERT(floor_minor <= 0, "an account floor is zero or a credit line below it");
  auto [it, inserted] = accounts_.try_emplace(key_of(owner, currency), Account{0, floor_minor});
  if (!inserted) it->second.floor_minor = floor_minor;
}

void Ledger::restore(std::string_view owner, std::string_view currency, int64_t balance_minor,
                     int64_t floor_minor) {
  accounts_[key_of(owner, currency)] = Account{balance_minor, floor_minor};
}

const Account* Ledger::find(std::string_view owner, std::string_view currency) const {
  auto it = accounts_.find(key_of(owner, currency));
  return it == accounts_.end() ? nullptr : &it->second;
}

Account* Ledger::find_mut(std::string_view owner, std::string_view currency) {
  auto it = accounts_.find(key_of(owner, currency));
  return it == accounts_.end() ? nullptr : &it->second;
}

int64_t Ledger::balance(std::string_view owner, std::string_view currency) const {
  const Account* a = find(owner, currency);
  return a == nullptr ? 0 : a->balance_minor;
}

Status Ledger::validate(const Posting& p) const {
  if (p.amount_minor <= 0 || p.amount_minor > kMaxPostingMinor) {
    return make_error(ErrorCode::kInvalidArgument, "posting amount out of range");
  }
  if (p.from == p.to) return make_error(ErrorCode::kInvalidArgument, "posting to the same account");
  const Account* from = find(p.from, p.currency);
  const Account* to = find(p.to, p.currency);
  if (from == nullptr) {
    return make_error(ErrorCode::kNotFound, "no " + p.currency + " account for " + p.from);
  }
  if (to == nullptr) {
    return make_error(ErrorCode::kNotFound, "no " + p.currency + " account for " + p.to);
  }
  // Both sides are checked for overflow: balances stay far inside int64_t in practice,
  // but an overflow here would silently break double entry.
  int64_t after_from = 0;
  int64_t after_to = 0;
  if (__builtin_sub_overflow(from->balance_minor, p.amount_minor, &after_from) ||
      __builtin_add_overflow(to->balance_minor, p.amount_minor, &after_to)) {
    return make_error(ErrorCode::kFailedPrecondition, "posting would overflow a balance");
  }
  if (after_from < from->floor_minor) {
    return make_error(ErrorCode::kFailedPrecondition, "insufficient funds in " + p.from);
  }
  return {};
}

void Ledger::apply(const Posting& p) {
  DELTRAN_ASSERT(validate(p).has_value(), "posting applied without validation");
  find_mut(p.from, p.currency)->balance_minor -= p.amount_minor;
  find_mut(p.to, p.currency)->balance_minor += p.amount_minor;
}

Status Ledger::check_invariants() const { return ledger::check_invariants(accounts_); }

Status check_invariants(const std::map<AccountKey, Account>& accounts) {
  struct Totals {
    __int128 sum = 0;
    __int128 circulation = 0;
    __int128 omnibus = 0;
    bool has_omnibus = false;
  };
  std::map<std::string, Totals> per_currency;
  for (const auto& [key, account] : accounts) {
    Totals& t = per_currency[key.currency];
    t.sum += account.balance_minor;
    if (account.balance_minor < account.floor_minor) {
      return make_error(ErrorCode::kInternal, "account " + key.owner + "/" + key.currency +
                                                   " is below its floor");
    }
    if (key.owner == kOmnibus) {
      t.omnibus = account.balance_minor;
      t.has_omnibus = true;
    } else if (key.owner == kClearing) {
      if (account.balance_minor != 0) {
        return make_error(ErrorCode::kInternal, "clearing account " + key.currency + " is not zero at rest");
      }
    } else if (!is_system_owner(key.owner)) {
      t.circulation += account.balance_minor;
    }
  }
  for (const auto& [currency, t] : per_currency) {
    if (t.sum != 0) return make_error(ErrorCode::kInternal, "accounts of " + currency + " do not sum to zero");
    if (!t.has_omnibus) return make_error(ErrorCode::kInternal, "currency " + currency + " has no omnibus account");
    if (t.circulation != -t.omnibus) {
      return make_error(ErrorCode::kInternal, "tokens in circulation of " + currency +
                                                   " differ from the fiat held in its omnibus account");
    }
  }
  return {};
}

}  // namespace deltran::ledger
