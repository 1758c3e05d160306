// Deciding the operator's commands: participants, token funding and payouts, limits,
// circuit breaker resets.
#include <algorithm>

#include <deltran/core/assert.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

// Who else holds one of `ids`: an error naming the id and its holder, or none.
std::optional<Reply> clearing_id_conflict(const Engine::State& s, const std::string& bank,
                                          const std::vector<model::ClearingMemberId>& ids) {
  for (const auto& id : ids) {
    for (const auto& p : s.participants) {
      if (p.info.bic == bank) continue;
      for (const auto& held : p.info.clearing_ids) {
        if (held == id) {
          return error_reply(Rc::kClearingIdTaken, id.system + " member " + id.member_id + " is registered to " + p.info.bic);
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace

Reply decide_create_bank(Context& cx, const CreateBankCommand& c) {
  Engine::State& s = cx.s;
  if (s.find(c.id) != nullptr) {
    return error_reply(Rc::kBankExists, "bank " + c.id + " already exists (if the answer with its key was lost, the admin " +
                                            "issues a new one: POST /api/v1/banks/" + c.id + "/keys)");
  }
  if (auto taken = clearing_id_conflict(s, c.id, c.clearing_ids)) return std::move(*taken);
  ev::ParticipantCreated e;
  e.id = static_cast<ParticipantId>(s.participants.size() + 1);
  e.bic = c.id;
  e.name = c.name;
  e.country = c.country;
  e.currencies = c.currencies;
  for (CurrencyId currency : c.currencies) {
    auto cap = c.net_debit_cap_minor.find(currency);
    e.caps[currency] = cap == c.net_debit_cap_minor.end() ? 0 : cap->second;
  }
  emit(cx, e);
  emit(cx, ev::CredentialIssued{c.id, c.api_key_hash});
  if (!c.clearing_ids.empty()) emit(cx, ev::ClearingIdsSet{c.id, c.clearing_ids});
  if (c.fx_provider) emit(cx, ev::RolesSet{c.id, true});
  for (CurrencyId currency : c.currencies) {
    if (s.open_window.count(currency) == 0) emit(cx, ev::WindowOpened{s.next_window_id, currency});
  }
  const Participant& p = s.at(e.id);
  s.batch.participants.push_back(p.info);
  for (CurrencyId currency : c.currencies) {
    s.batch.limits.push_back(model::CurrencyLimits{c.id, currency, std::nullopt, std::nullopt, e.caps[currency]});
  }
  Reply r;
  r.rc = Rc::kCreated;
  r.body = p.info;
  return r;
}

Reply decide_tokens(Context& cx, const TokenCommand& c) {
  Engine::State& s = cx.s;
  const bool mint = c.kind == TokenCommand::Kind::kMint;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  const CurrencyId currency = c.amount.currency;
  if (!bank->has_currency(currency)) {
    return error_reply(Rc::kCurrencyNotEnabled, std::string(money::code_of(currency)) + " is not enabled for " + c.bank);
  }
  auto result = [&](Rc rc) {
    Reply r;
    r.rc = rc;
    r.body = TokenResult{c.bank, Amount{s.ledger.balance(bank->id, currency), currency},
                         s.ledger.balance(ledger::kOmnibus, currency)};
    return r;
  };
  const std::string ref_key = std::string(mint ? "MINT:" : "BURN:") + c.reference;
  if (auto it = s.token_references.find(ref_key); it != s.token_references.end()) {
    if (it->second.bank != c.bank || it->second.amount != c.amount) {
      return error_reply(Rc::kReferenceReused, "reference '" + c.reference + "' was already used for another operation");
    }
    return result(Rc::kReplayed);
  }
  ledger::Posting p{mint ? ledger::PostingKind::kMint : ledger::PostingKind::kBurn, currency,
                    mint ? ledger::kOmnibus : bank->id, mint ? bank->id : ledger::kOmnibus, c.amount.minor};
  if (!mint) {
    // A burn pays fiat out: only tokens actually held, not reserved by the open window and
    // not locked, never the credit line.
    const int64_t free_minor = s.free_tokens(bank->id, currency);
    if (c.amount.minor > free_minor) {
      return error_reply(Rc::kInsufficientFunds, c.bank + " holds " + format_minor(std::max<int64_t>(free_minor, 0), currency) +
                                                     " " + std::string(money::code_of(currency)) + " free to burn");
    }
  }
  if (auto st = s.ledger.validate(p); !st) return error_reply(mint ? Rc::kPostingRefused : Rc::kInsufficientFunds, st.error().message);
  emit(cx, ev::FundsMoved{mint, c.bank, c.amount, c.reference});
  return result(Rc::kOk);
}

Reply decide_clearing_ids(Context& cx, const SetClearingIdsCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  if (auto taken = clearing_id_conflict(s, c.bank, c.clearing_ids)) return std::move(*taken);
  Reply r;
  if (bank->info.clearing_ids != c.clearing_ids) {
    emit(cx, ev::ClearingIdsSet{c.bank, c.clearing_ids});
  } else {
    r.rc = Rc::kReplayed;  // nothing changes, nothing is written
  }
  r.body = s.find(c.bank)->info;
  return r;
}

Reply decide_roles(Context& cx, const SetRolesCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  Reply r;
  if (bank->info.fx_provider != c.fx_provider) {
    emit(cx, ev::RolesSet{c.bank, c.fx_provider});  // withdrawing the role withdraws its rates
  } else {
    r.rc = Rc::kReplayed;
  }
  r.body = s.find(c.bank)->info;
  return r;
}

namespace {

Reply keys_reply(const Participant& p, Rc rc, std::string issued, std::string revoked) {
  KeysResult k;
  k.bank = p.info.bic;
  for (const auto& key : p.api_keys) k.keys.push_back(KeysResult::Key{key.id, key.issued_us});
  k.issued_id = std::move(issued);
  k.revoked_id = std::move(revoked);
  Reply r;
  r.rc = rc;
  r.body = std::move(k);
  return r;
}

}  // namespace

Reply decide_issue_key(Context& cx, const IssueKeyCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  if (!c.revoke_key_id.empty() && bank->find_key(c.revoke_key_id) == nullptr) {
    return error_reply(Rc::kKeyNotFound, c.bank + " holds no API key " + c.revoke_key_id);
  }
  const std::string id = key_id_of(c.key_hash);
  if (bank->find_key(id) != nullptr) return error_reply(Rc::kReferenceReused, "the new key's id collides; ask again");
  if (c.revoke_key_id.empty() && bank->api_keys.size() >= kMaxApiKeys) {
    return error_reply(Rc::kKeyLimit, c.bank + " already holds " + std::to_string(kMaxApiKeys) +
                                          " API keys: revoke one first, or name it in \"revokes\"");
  }
  if (!c.revoke_key_id.empty()) emit(cx, ev::CredentialRevoked{c.bank, c.revoke_key_id});
  emit(cx, ev::CredentialIssued{c.bank, c.key_hash});
  return keys_reply(*s.find(c.bank), Rc::kCreated, id, c.revoke_key_id);
}

Reply decide_revoke_key(Context& cx, const RevokeKeyCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  if (bank->find_key(c.key_id) == nullptr) return error_reply(Rc::kKeyNotFound, c.bank + " holds no API key " + c.key_id);
  if (c.keep_one && bank->api_keys.size() == 1) {
    return error_reply(Rc::kLastKey, c.key_id + " is the only API key of " + c.bank +
                                         ": issue a new one first (POST /api/v1/banks/" + c.bank + "/keys)");
  }
  emit(cx, ev::CredentialRevoked{c.bank, c.key_id});
  return keys_reply(*s.find(c.bank), Rc::kOk, {}, c.key_id);
}

Reply decide_rate_tier(Context& cx, const SetRateTierCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  Reply r;
  if (bank->rate_tier != c.tier) {
    emit(cx, ev::RateTierSet{c.bank, c.tier});
  } else {
    r.rc = Rc::kReplayed;
  }
  r.body = s.find(c.bank)->info;
  return r;
}

Reply decide_rate(Context& cx, const PostRateCommand& c) {
  Engine::State& s = cx.s;
  const fx::Rate& rate = c.rate;
  const Participant* provider = s.find(rate.provider);
  if (provider == nullptr) return error_reply(Rc::kBankNotFound, "bank " + rate.provider + " does not exist");
  if (!provider->info.fx_provider) {
    return error_reply(Rc::kNotFxProvider, rate.provider + " is not an FX provider (PUT /banks/{id}/roles grants the role)");
  }
  for (CurrencyId currency : {rate.base, rate.quote}) {
    if (!provider->has_currency(currency)) {
      return error_reply(Rc::kCurrencyNotEnabled, rate.provider + " holds no " + std::string(money::code_of(currency)) +
                                                      " account: a provider pays out what it converts");
    }
  }
  if (rate.base == rate.quote || rate.bid <= 0 || rate.bid > rate.ask || rate.ask > fx::kMaxRate) {
    return error_reply(Rc::kInvalidField, "a rate needs two currencies and 0 < bid <= ask <= 100000000");
  }
  if (auto problem = fx::tiers_problem(rate); !problem.empty()) return error_reply(Rc::kInvalidField, problem);
  if (rate.valid_until_us <= s.now_us) return error_reply(Rc::kRateRefused, "the rate is already past its validity");
  fx::Rate posted = rate;
  posted.posted_us = s.now_us;
  // No cycle of live rates may return more than it takes: arbitrage against the rail's own
  // providers. Any new cycle passes through this pair, so its two currencies are checked.
  fx::RateBook trial = s.rates;
  trial.put(posted);
  const fx::SearchLimits at{s.now_us, cx.settings.fx_max_rate_age_us, cx.settings.fx_max_hops};
  for (CurrencyId start : {rate.base, rate.quote}) {
    if (auto cycle = trial.money_making_cycle(start, at)) {
      return error_reply(Rc::kRateRefused, "the rate would let money be made around a cycle of live rates: " + *cycle);
    }
  }
  emit(cx, ev::RatePosted{posted});
  Reply r;
  r.rc = Rc::kOk;
  r.body = posted;
  return r;
}

Reply decide_quote(Context& cx, const RecordQuoteCommand& c) {
  Engine::State& s = cx.s;
  const fx::Quote& q = c.quote;
  if (q.path.hops.empty() || q.expires_us <= s.now_us) return error_reply(Rc::kRateRefused, "the quote has already expired");
  if (s.quotes.count(q.id) != 0) return error_reply(Rc::kReferenceReused, "quote id " + q.id + " exists");
  if (q.participant != "admin" && s.find(q.participant) == nullptr) {
    return error_reply(Rc::kBankNotFound, "bank " + q.participant + " does not exist");
  }
  // The rates it was computed from must still be the providers' current, live rates: the
  // view it was computed from may be a commit behind.
  const fx::SearchLimits at{s.now_us, cx.settings.fx_max_rate_age_us, cx.settings.fx_max_hops};
  for (const auto& h : q.path.hops) {
    if (!s.rates.offers(h, at)) {
      return error_reply(Rc::kRateRefused, "a rate of the quote changed or expired while it was computed; ask again");
    }
  }
  emit(cx, ev::QuoteIssued{q});
  Reply r;
  r.rc = Rc::kCreated;
  r.body = q;
  return r;
}

Reply decide_limits(Context& cx, const SetLimitsCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  ev::LimitsChanged e;
  e.bic = c.bank;
  // Validate every currency first: the update applies whole or not at all.
  for (const auto& [currency, u] : c.by_currency) {
    if (!bank->has_currency(currency)) {
      return error_reply(Rc::kCurrencyNotEnabled, std::string(money::code_of(currency)) + " is not enabled for " + c.bank);
    }
    const ledger::Account* a = s.ledger.find(bank->id, currency);
    ev::LimitsChanged::Entry entry;
    entry.currency = currency;
    auto lim = bank->limits.find(currency);
    if (lim != bank->limits.end()) {
      entry.single_payment_max_minor = lim->second.single_payment_max_minor;
      entry.daily_volume_max_minor = lim->second.daily_volume_max_minor;
    }
    if (u.clear_single_payment_max) entry.single_payment_max_minor.reset();
    if (u.clear_daily_volume_max) entry.daily_volume_max_minor.reset();
    if (u.single_payment_max_minor) entry.single_payment_max_minor = u.single_payment_max_minor;
    if (u.daily_volume_max_minor) entry.daily_volume_max_minor = u.daily_volume_max_minor;
    entry.net_debit_cap_minor = -a->floor_minor;
    if (u.net_debit_cap_minor) {
      const int64_t reserved = s.reserved(bank->id, currency);
      if (__int128{a->balance_minor} + *u.net_debit_cap_minor < reserved || a->balance_minor < -*u.net_debit_cap_minor) {
        return error_reply(Rc::kCapBelowExposure, "a net debit cap of " + format_minor(*u.net_debit_cap_minor, currency) + " " +
                                                      std::string(money::code_of(currency)) + " is below what " + c.bank +
                                                      " already owes or has reserved");
      }
      entry.net_debit_cap_minor = *u.net_debit_cap_minor;
    }
    e.entries.push_back(entry);
  }
  emit(cx, e);
  for (const auto& entry : e.entries) {
    s.batch.limits.push_back(model::CurrencyLimits{c.bank, entry.currency, entry.single_payment_max_minor,
                                                   entry.daily_volume_max_minor, entry.net_debit_cap_minor});
  }
  Reply r;
  r.body = limits_view(s, *s.find(c.bank));
  return r;
}

Reply decide_notice(Context& cx, const NoticeCommand& c) {
  Reply r;
  using T = model::EventType;
  if (c.type != T::kListsReloaded && c.type != T::kListsReloadFailed && c.type != T::kSessionOpened &&
      c.type != T::kSessionEnded && c.type != T::kSigningKeyRotated) {
    r.rc = Rc::kInvalidField;
    r.message = "not a notice event type";
    return r;
  }
  if (!c.party.empty() && cx.s.find(c.party) == nullptr) {
    r.rc = Rc::kBankNotFound;
    r.message = "bank " + c.party + " does not exist";
    return r;
  }
  emit(cx, ev::Notice{c.type, c.entity, c.party, {}, c.party.empty() ? model::EventScope::kOperators : model::EventScope::kParties,
                      c.payload.empty() ? "{}" : c.payload});
  return r;
}

Reply decide_reset_breaker(Context& cx, const ResetBreakerCommand& c) {
  Reply checked = apply_reset_breaker_checks(cx.s, c, cx.s.now_us);
  if (!is_success(checked.rc)) return checked;
  emit(cx, ev::BreakerReset{c.id});
  for (const auto& b : breaker_views(cx.s, cx.settings, cx.s.now_us)) {
    if (b.id == c.id) {
      checked.body = b;
      break;
    }
  }
  return checked;
}

LimitsView limits_view(const Engine::State& s, const Participant& p) {
  LimitsView view;
  view.bank = p.info.bic;
  for (CurrencyId currency : p.info.currencies) {
    LimitsView::Currency c;
    c.currency = currency;
    if (auto lim = p.limits.find(currency); lim != p.limits.end()) {
      c.single_payment_max_minor = lim->second.single_payment_max_minor;
      c.daily_volume_max_minor = lim->second.daily_volume_max_minor;
    }
    c.net_debit_cap_minor = -s.ledger.find(p.id, currency)->floor_minor;
    c.used_today_minor = s.daily.totals(p.info.bic, money::code_of(currency), s.now_us).volume_minor;
    view.currencies.push_back(c);
  }
  return view;
}

}  // namespace deltran::engine
