// Deciding token operations booked now, outside any window: transfers between
// participants, conversions at a quote, and locks. Each moves only free tokens (held, not
// reserved by the open window, not locked), never a credit line, and each reference is
// used once: the same operation again answers as before, another one under it is refused.
#include <algorithm>

#include "state.hpp"

namespace deltran::engine {

namespace {

std::string code(CurrencyId c) { return std::string(money::code_of(c)); }

// The answer to a retried operation (the same reference and content), or to a reuse.
std::optional<Reply> earlier(const Engine::State& s, const std::string& key, const std::string& bank, const Amount& amount,
                             const std::string& detail, const std::string& reference) {
  auto it = s.token_references.find(key);
  if (it == s.token_references.end()) return std::nullopt;
  if (it->second.bank != bank || it->second.amount != amount || it->second.detail != detail) {
    return error_reply(Rc::kReferenceReused, "reference '" + reference + "' was already used for another operation");
  }
  Reply r;
  r.rc = Rc::kReplayed;
  r.body = TokenMoveResult{reference, {}, {}, amount};
  return r;
}

// The answer: the moves and every account they touched, after; a lock's or unlock's bank
// (`locked_bank`) with the account it set aside or released.
Reply moved(const Engine::State& s, const std::string& reference, std::vector<model::PaymentLeg> moves, Amount locked,
            const std::string& locked_bank = {}) {
  TokenMoveResult out{reference, std::move(moves), {}, locked};
  std::set<std::pair<std::string, CurrencyId>> seen;
  auto add = [&](const std::string& bic, CurrencyId c) {
    if (!seen.emplace(bic, c).second) return;
    const Participant* p = s.find(bic);
    out.accounts.push_back({bic, Amount{s.ledger.balance(p->id, c), c}, s.locked_in(p->id, c)});
  };
  for (const auto& m : out.moves) {
    add(m.debtor_agent, m.amount.currency);
    add(m.creditor_agent, m.amount.currency);
  }
  if (!locked_bank.empty()) add(locked_bank, locked.currency);
  Reply r;
  r.body = std::move(out);
  return r;
}

Rc check_free(const Engine::State& s, const Participant& payer, const Amount& amount, std::string& why) {
  const int64_t free_minor = s.free_tokens(payer.id, amount.currency);
  if (amount.minor > free_minor) {
    why = payer.info.bic + " holds " + format_minor(std::max<int64_t>(free_minor, 0), amount.currency) + " " +
          code(amount.currency) + " free (not reserved by the open window, not locked); " + format_minor(amount.minor, amount.currency) +
          " " + code(amount.currency) + " are needed";
    return Rc::kInsufficientFunds;
  }
  return Rc::kOk;
}

}  // namespace

Reply decide_token_transfer(Context& cx, const TokenTransferCommand& c) {
  Engine::State& s = cx.s;
  const Participant* from = s.find(c.from);
  if (from == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.from + " does not exist");
  const Participant* to = s.find(c.to);
  if (to == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.to + " does not exist");
  if (from == to) return error_reply(Rc::kSameAgent, "a transfer goes to another participant");
  const CurrencyId currency = c.amount.currency;
  if (!from->has_currency(currency) || !to->has_currency(currency)) {
    return error_reply(Rc::kCurrencyNotEnabled, code(currency) + " is not enabled for both " + c.from + " and " + c.to);
  }
  if (auto r = earlier(s, "XFER:" + c.reference, c.from, c.amount, c.to, c.reference)) return std::move(*r);
  std::string why;
  if (Rc rc = check_free(s, *from, c.amount, why); rc != Rc::kOk) return error_reply(rc, why);
  const ledger::Posting p{ledger::PostingKind::kTransfer, currency, from->id, to->id, c.amount.minor};
  if (auto st = s.ledger.validate(p); !st) return error_reply(Rc::kPostingRefused, st.error().message);
  emit(cx, ev::TokensTransferred{c.from, c.to, c.amount, c.reference});
  return moved(s, c.reference, {model::PaymentLeg{c.from, c.to, c.amount, 0}}, Amount{0, currency});
}

Reply decide_token_convert(Context& cx, const TokenConvertCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  // A retry is answered before the quote is looked at: it may have expired since.
  if (auto done = s.token_references.find("CONV:" + c.reference); done != s.token_references.end()) {
    return *earlier(s, done->first, c.bank, done->second.amount, c.quote_id, c.reference);
  }
  auto q = s.quotes.find(c.quote_id);
  if (q == s.quotes.end()) {
    return error_reply(Rc::kQuoteNotFound, "quote " + c.quote_id + " does not exist or has expired; ask POST /fx/quotes for one");
  }
  const Amount sent{q->second.path.send, q->second.path.hops.front().from};
  // The quote's checks are a payment's, with the bank on both ends.
  TransferCommand as_payment;
  as_payment.debtor_agent = as_payment.creditor_agent = c.bank;
  as_payment.amount = sent;
  as_payment.quote_id = c.quote_id;
  LegPlan plan = plan_legs(s, as_payment, *bank, *bank);
  if (plan.rc != Rc::kOk) return error_reply(plan.rc, std::move(plan.why));
  // Booked now: each payer pays from its free tokens (the legs' currencies differ, so each
  // check stands alone).
  for (const auto& l : plan.legs) {
    std::string why;
    if (Rc rc = check_free(s, *s.find(l.debtor_agent), l.amount, why); rc != Rc::kOk) return error_reply(rc, why);
    const ledger::Posting p{ledger::PostingKind::kTransfer, l.amount.currency, s.find(l.debtor_agent)->id,
                            s.find(l.creditor_agent)->id, l.amount.minor};
    if (auto st = s.ledger.validate(p); !st) return error_reply(Rc::kPostingRefused, st.error().message);
  }
  emit(cx, ev::TokensConverted{c.bank, c.quote_id, c.reference, plan.legs});
  return moved(s, c.reference, plan.legs, Amount{0, sent.currency});
}

Reply decide_token_lock(Context& cx, const TokenLockCommand& c) {
  Engine::State& s = cx.s;
  const Participant* bank = s.find(c.bank);
  if (bank == nullptr) return error_reply(Rc::kBankNotFound, "bank " + c.bank + " does not exist");
  if (!c.lock) {
    auto lock = s.locks.find(c.reference);
    if (lock == s.locks.end()) {
      auto done = s.token_references.find("UNLOCK:" + c.reference);
      if (done != s.token_references.end() && done->second.bank == c.bank) {
        Reply r;
        r.rc = Rc::kReplayed;
        r.body = TokenMoveResult{c.reference, {}, {}, done->second.amount};
        return r;
      }
      return error_reply(Rc::kNotFound, "no lock of " + c.bank + " has reference '" + c.reference + "'");
    }
    if (lock->second.bank != c.bank) return error_reply(Rc::kNotFound, "no lock of " + c.bank + " has reference '" + c.reference + "'");
    const Amount amount = lock->second.amount;
    emit(cx, ev::TokensLocked{false, c.bank, amount, c.reference, lock->second.reason});
    return moved(s, c.reference, {}, amount, c.bank);
  }
  const CurrencyId currency = c.amount.currency;
  if (!bank->has_currency(currency)) return error_reply(Rc::kCurrencyNotEnabled, code(currency) + " is not enabled for " + c.bank);
  if (s.token_references.count("UNLOCK:" + c.reference) != 0) {
    return error_reply(Rc::kReferenceReused, "reference '" + c.reference + "' named a lock that has been released; use a new one");
  }
  if (auto r = earlier(s, "LOCK:" + c.reference, c.bank, c.amount, {}, c.reference)) return std::move(*r);
  if (c.amount.minor <= 0 || c.amount.minor > ledger::kMaxPostingMinor) {
    return error_reply(Rc::kAmountNotAllowed, "a lock is of a positive amount the rail can count");
  }
  std::string why;
  if (Rc rc = check_free(s, *bank, c.amount, why); rc != Rc::kOk) return error_reply(rc, why);
  emit(cx, ev::TokensLocked{true, c.bank, c.amount, c.reference, c.reason});
  return moved(s, c.reference, {}, c.amount, c.bank);
}

}  // namespace deltran::engine
