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

std::string owner_name(const OwnerNamer& name, ParticipantId owner) {
  if (owner == kOmnibus) return std::string(kOmnibusName);
  if (owner == kClearing) return std::string(kClearingName);
  return name ? name(owner) : "participant " + std::to_string(owner);
}

std::string account_name(const OwnerNamer& name, ParticipantId owner, CurrencyId currency) {
  const money::Currency* c = money::find_currency(currency);
  return owner_name(name, owner) + "/" + (c != nullptr ? std::string(c->code) : std::to_string(currency.numeric));
}

}  // namespace

void Ledger::open_currency(CurrencyId currency) {
  accounts_.try_emplace(AccountKey{kOmnibus, currency}, Account{0, kNoFloor});
  accounts_.try_emplace(AccountKey{kClearing, currency}, Account{0, kNoFloor});
}

void Ledger::open_account(ParticipantId owner, CurrencyId currency, int64_t floor_minor) {
  DELTRAN_ASSERT(find(kOmnibus, currency) != nullptr, "currency opened before its accounts");
  DELTRAN_ASSERT(floor_minor <= 0, "an account floor is zero or a credit line below it");
  DELTRAN_ASSERT(!is_system(owner), "participants own participant accounts");
  auto [it, inserted] = accounts_.try_emplace(AccountKey{owner, currency}, Account{0, floor_minor});
  if (!inserted) it->second.floor_minor = floor_minor;
}

const Account* Ledger::find(ParticipantId owner, CurrencyId currency) const {
  auto it = accounts_.find(AccountKey{owner, currency});
  return it == accounts_.end() ? nullptr : &it->second;
}

Account* Ledger::find_mut(ParticipantId owner, CurrencyId currency) {
  auto it = accounts_.find(AccountKey{owner, currency});
  return it == accounts_.end() ? nullptr : &it->second;
}

int64_t Ledger::balance(ParticipantId owner, CurrencyId currency) const {
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
  if (from == nullptr) return make_error(ErrorCode::kNotFound, "no account " + account_name({}, p.from, p.currency));
  if (to == nullptr) return make_error(ErrorCode::kNotFound, "no account " + account_name({}, p.to, p.currency));
  // Both sides are checked for overflow: an overflow here would silently break double entry.
  int64_t after_from = 0;
  int64_t after_to = 0;
  if (__builtin_sub_overflow(from->balance_minor, p.amount_minor, &after_from) ||
      __builtin_add_overflow(to->balance_minor, p.amount_minor, &after_to)) {
    return make_error(ErrorCode::kFailedPrecondition, "posting would overflow a balance");
  }
  if (after_from < from->floor_minor) {
    return make_error(ErrorCode::kFailedPrecondition, "insufficient funds in " + account_name({}, p.from, p.currency));
  }
  return {};
}

void Ledger::apply(const Posting& p) {
  DELTRAN_ASSERT(validate(p).has_value(), "posting applied without validation");
  find_mut(p.from, p.currency)->balance_minor -= p.amount_minor;
  find_mut(p.to, p.currency)->balance_minor += p.amount_minor;
}

Status Ledger::check_invariants(const OwnerNamer& name) const { return ledger::check_invariants(accounts_, name); }

void Ledger::save(BinaryWriter& w) const {
  w.u64(accounts_.size());
  for (const auto& [key, a] : accounts_) {
    w.u32(key.owner);
    w.u32(key.currency.numeric);
    w.i64(a.balance_minor);
    w.i64(a.floor_minor);
  }
}

bool Ledger::load(BinaryReader& r) {
  accounts_.clear();
  size_t n = r.count(4);
  for (size_t i = 0; i < n && r.ok(); ++i) {
    AccountKey key;
    key.owner = r.u32();
    key.currency = CurrencyId{static_cast<uint16_t>(r.u32())};
    Account a;
    a.balance_minor = r.i64();
    a.floor_minor = r.i64();
    accounts_[key] = a;
  }
  return r.ok();
}

Status check_invariants(const std::map<AccountKey, Account>& accounts, const OwnerNamer& name) {
  struct Totals {
    __int128 sum = 0;
    __int128 circulation = 0;
    __int128 omnibus = 0;
    bool has_omnibus = false;
  };
  std::map<CurrencyId, Totals> per_currency;
  for (const auto& [key, account] : accounts) {
    Totals& t = per_currency[key.currency];
    t.sum += account.balance_minor;
    if (account.balance_minor < account.floor_minor) {
      return make_error(ErrorCode::kInternal, "account " + account_name(name, key.owner, key.currency) +
                                                   " is below its floor");
    }
    if (key.owner == kOmnibus) {
      t.omnibus = account.balance_minor;
      t.has_omnibus = true;
    } else if (key.owner == kClearing) {
      if (account.balance_minor != 0) {
        return make_error(ErrorCode::kInternal,
                          "clearing account " + account_name(name, key.owner, key.currency) + " is not zero at rest");
      }
    } else {
      t.circulation += account.balance_minor;
    }
  }
  for (const auto& [currency, t] : per_currency) {
    std::string code = account_name({}, kOmnibus, currency).substr(kOmnibusName.size() + 1);
    if (t.sum != 0) return make_error(ErrorCode::kInternal, "accounts of " + code + " do not sum to zero");
    if (!t.has_omnibus) return make_error(ErrorCode::kInternal, "currency " + code + " has no omnibus account");
    if (t.circulation != -t.omnibus) {
      return make_error(ErrorCode::kInternal,
                        "tokens in circulation of " + code + " differ from the fiat held in its omnibus account");
    }
  }
  return {};
}

}  // namespace deltran::ledger
