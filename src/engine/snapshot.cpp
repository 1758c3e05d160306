// Snapshots of the core's state: everything apply() has built, in a compact binary form
// (core/binary.hpp), so a restart reads one snapshot and the events after it instead of
// every payment ever made. Whole idempotency answers are left out: a snapshot is written
// only once its batch is committed, so each of them is in the store, and their
// fingerprints (which name the payments' rows) are kept.
#include <deltran/core/assert.hpp>

#include "state.hpp"

namespace deltran::engine {

namespace {

constexpr uint32_t kSnapshotVersion = 7;  // 3: clearing-system member ids, roles, FX rates and quotes; 4: legs, quote use;
                                          // 5, 6: locks, flow history, rate tiers, what a token reference did;
                                          // 7: two API keys per participant, its request-rate tier
constexpr std::string_view kMagic = "DTCORE";

void put_currency(BinaryWriter& w, CurrencyId c) { w.u32(c.numeric); }
CurrencyId get_currency(BinaryReader& r) { return CurrencyId{static_cast<uint16_t>(r.u32())}; }

void put_optional(BinaryWriter& w, const std::optional<int64_t>& v) {
  w.boolean(v.has_value());
  if (v) w.i64(*v);
}
std::optional<int64_t> get_optional(BinaryReader& r) {
  if (!r.boolean()) return std::nullopt;
  return r.i64();
}

void put_party(BinaryWriter& w, const Party& p) {
  w.bytes(p.name);
  w.bytes(p.account);
  w.bytes(p.country);
}
Party get_party(BinaryReader& r) {
  Party p;
  p.name = r.str();
  p.account = r.str();
  p.country = r.str();
  return p;
}

void put_payment(BinaryWriter& w, const ev::PaymentData& p) {
  for (const std::string* s : {&p.id, &p.uetr, &p.end_to_end_id, &p.idempotency_key, &p.request_hash, &p.debtor_agent,
                               &p.creditor_agent, &p.channel}) {
    w.bytes(*s);
  }
  w.i64(p.amount.minor);
  put_currency(w, p.amount.currency);
  put_party(w, p.debtor);
  put_party(w, p.creditor);
  put_optional(w, p.amount_usd_minor);
  w.bytes(p.quote_id);
  w.u64(p.legs.size());
  for (const auto& l : p.legs) {
    w.bytes(l.debtor_agent);
    w.bytes(l.creditor_agent);
    w.i64(l.amount.minor);
    put_currency(w, l.amount.currency);
    w.i64(l.window_id);
  }
}
ev::PaymentData get_payment(BinaryReader& r) {
  ev::PaymentData p;
  for (std::string* s : {&p.id, &p.uetr, &p.end_to_end_id, &p.idempotency_key, &p.request_hash, &p.debtor_agent,
                         &p.creditor_agent, &p.channel}) {
    *s = r.str();
  }
  p.amount.minor = r.i64();
  p.amount.currency = get_currency(r);
  p.debtor = get_party(r);
  p.creditor = get_party(r);
  p.amount_usd_minor = get_optional(r);
  p.quote_id = r.str();
  for (size_t n = r.count(5), i = 0; i < n && r.ok(); ++i) {
    model::PaymentLeg l;
    l.debtor_agent = r.str();
    l.creditor_agent = r.str();
    l.amount.minor = r.i64();
    l.amount.currency = get_currency(r);
    l.window_id = r.i64();
    p.legs.push_back(std::move(l));
  }
  return p;
}

void put_rate(BinaryWriter& w, const fx::Rate& r) {
  w.bytes(r.provider);
  put_currency(w, r.base);
  put_currency(w, r.quote);
  for (int64_t v : {r.bid, r.ask, r.posted_us, r.valid_until_us}) w.i64(v);
  w.u64(r.tiers.size());
  for (const auto& t : r.tiers) {
    for (int64_t v : {t.min_base_minor, t.bid, t.ask}) w.i64(v);
  }
}

fx::Rate get_rate(BinaryReader& r) {
  fx::Rate x;
  x.provider = r.str();
  x.base = get_currency(r);
  x.quote = get_currency(r);
  for (int64_t* v : {&x.bid, &x.ask, &x.posted_us, &x.valid_until_us}) *v = r.i64();
  for (size_t n = r.count(3), i = 0; i < n && r.ok(); ++i) {
    fx::Tier t;
    for (int64_t* v : {&t.min_base_minor, &t.bid, &t.ask}) *v = r.i64();
    x.tiers.push_back(t);
  }
  return x;
}

void put_participant(BinaryWriter& w, const Participant& p) {
  w.u32(p.id);
  w.bytes(p.info.bic);
  w.bytes(p.info.name);
  w.bytes(p.info.country);
  w.u64(p.info.currencies.size());
  for (auto c : p.info.currencies) put_currency(w, c);
  w.u64(p.info.net_debit_cap_minor.size());
  for (const auto& [c, cap] : p.info.net_debit_cap_minor) {
    put_currency(w, c);
    w.i64(cap);
  }
  w.i64(p.info.created_us);
  w.u64(p.info.clearing_ids.size());
  for (const auto& id : p.info.clearing_ids) {
    w.bytes(id.system);
    w.bytes(id.member_id);
  }
  w.u32(p.info.fx_provider ? 1 : 0);
  w.u64(p.api_keys.size());
  for (const auto& k : p.api_keys) {
    w.bytes(k.id);
    w.bytes(k.hash);
    w.i64(k.issued_us);
  }
  w.bytes(p.rate_tier);
  w.u64(p.limits.size());
  for (const auto& [c, l] : p.limits) {
    put_currency(w, c);
    put_optional(w, l.single_payment_max_minor);
    put_optional(w, l.daily_volume_max_minor);
  }
  for (size_t i = 0; i < ParticipantHistory::kDays; ++i) {
    w.u32(p.history.payments[i]);
    w.u32(p.history.failures[i]);
    w.i64(p.history.day[i]);
  }
}

Participant get_participant(BinaryReader& r) {
  Participant p;
  p.id = r.u32();
  p.info.bic = r.str();
  p.info.name = r.str();
  p.info.country = r.str();
  for (size_t n = r.count(1), i = 0; i < n && r.ok(); ++i) p.info.currencies.push_back(get_currency(r));
  for (size_t n = r.count(2), i = 0; i < n && r.ok(); ++i) {
    CurrencyId c = get_currency(r);
    p.info.net_debit_cap_minor[c] = r.i64();
  }
  p.info.created_us = r.i64();
  for (size_t n = r.count(2), i = 0; i < n && r.ok(); ++i) {
    model::ClearingMemberId id;
    id.system = r.str();
    id.member_id = r.str();
    p.info.clearing_ids.push_back(std::move(id));
  }
  p.info.fx_provider = r.u32() == 1;
  for (size_t n = r.count(3), i = 0; i < n && r.ok(); ++i) {
    ApiKey k;
    k.id = r.str();
    k.hash = r.str();
    k.issued_us = r.i64();
    p.api_keys.push_back(std::move(k));
  }
  p.rate_tier = r.str();
  for (size_t n = r.count(3), i = 0; i < n && r.ok(); ++i) {
    CurrencyId c = get_currency(r);
    CurrencyLimits l;
    l.single_payment_max_minor = get_optional(r);
    l.daily_volume_max_minor = get_optional(r);
    p.limits[c] = l;
  }
  for (size_t i = 0; i < ParticipantHistory::kDays; ++i) {
    p.history.payments[i] = r.u32();
    p.history.failures[i] = r.u32();
    p.history.day[i] = r.i64();
  }
  return p;
}

void put_window(BinaryWriter& w, const LiveWindow& win) {
  DELTRAN_ASSERT(!win.closed, "a snapshot is taken between batches, when no window is half closed");
  w.i64(win.id);
  put_currency(w, win.currency);
  w.i64(win.opened_us);
  w.i64(win.payment_count);
  w.i64(win.gross_minor);
  w.u64(win.flows.size());
  for (const auto& [id, f] : win.flows) {
    w.u32(id);
    w.i64(f.in_minor);
    w.i64(f.out_minor);
  }
  w.u64(win.pair_sums.size());
  for (const auto& [pair, sum] : win.pair_sums) {
    w.u32(pair.first);
    w.u32(pair.second);
    w.i64(sum);
  }
}

LiveWindow get_window(BinaryReader& r) {
  LiveWindow win;
  win.id = r.i64();
  win.currency = get_currency(r);
  win.opened_us = r.i64();
  win.payment_count = r.i64();
  win.gross_minor = r.i64();
  for (size_t n = r.count(3), i = 0; i < n && r.ok(); ++i) {
    ParticipantId id = r.u32();
    Flow f;
    f.in_minor = r.i64();
    f.out_minor = r.i64();
    win.flows[id] = f;
  }
  for (size_t n = r.count(3), i = 0; i < n && r.ok(); ++i) {
    ParticipantId a = r.u32();
    ParticipantId b = r.u32();
    win.pair_sums[{a, b}] = r.i64();
  }
  return win;
}

void put_case(BinaryWriter& w, const model::Case& c) {
  w.i64(c.id);
  w.bytes(c.payment_id);
  w.bytes(c.debtor_agent);
  w.bytes(c.creditor_agent);
  w.i64(c.score);
  w.bytes(c.reasons);
  w.i64(c.created_us);
}

model::Case get_case(BinaryReader& r) {
  model::Case c;
  c.id = r.i64();
  c.payment_id = r.str();
  c.debtor_agent = r.str();
  c.creditor_agent = r.str();
  c.score = r.i64();
  c.reasons = r.str();
  c.created_us = r.i64();
  return c;
}

}  // namespace

std::string save_state(const Engine::State& s) {
  std::string out;
  out.reserve(1 << 20);
  BinaryWriter w(out);
  w.bytes(kMagic);
  w.u32(kSnapshotVersion);
  w.i64(s.last_seq);
  w.i64(s.last_batch);
  w.bytes(s.chain_hash);
  w.i64(s.next_window_id);
  w.i64(s.last_case_id);
  w.u64(s.participants.size());
  for (const auto& p : s.participants) put_participant(w, p);
  s.ledger.save(w);
  w.u64(s.windows.size());
  for (const auto& [id, win] : s.windows) put_window(w, win);
  w.u64(s.settling.size());
  for (const auto& [id, cursor] : s.settling) {
    w.i64(id);
    w.i64(cursor);
  }
  w.u64(s.efficiency_ppm.size());
  for (const auto& [c, ppm] : s.efficiency_ppm) {
    put_currency(w, c);
    w.i64(ppm);
  }
  w.u64(s.idempotency.fingerprints.size());
  for (const auto& [fp, seq] : s.idempotency.fingerprints) {
    w.fixed64(fp);
    w.i64(seq);
  }
  w.u64(s.idempotency.collided.size());
  for (const auto& [slot, seq] : s.idempotency.collided) {
    w.bytes(slot);
    w.i64(seq);
  }
  w.u64(s.idempotency.day_starts.size());
  for (const auto& [day, seq] : s.idempotency.day_starts) {
    w.i64(day);
    w.i64(seq);
  }
  w.u64(s.token_references.size());
  for (const auto& [key, t] : s.token_references) {
    w.bytes(key);
    w.bytes(t.bank);
    w.i64(t.amount.minor);
    put_currency(w, t.amount.currency);
    w.bytes(t.detail);
  }
  w.u64(s.held.size());
  for (const auto& [id, h] : s.held) {
    put_payment(w, h.payment);
    w.i64(h.case_id);
    w.i64(h.created_us);
  }
  w.u64(s.open_cases.size());
  for (const auto& [id, c] : s.open_cases) put_case(w, c);
  s.daily.save(w);
  s.controls.aml->save(w);
  s.controls.breakers.save(w);
  w.u64(s.controls.last_sar.size());
  for (const auto& [key, t] : s.controls.last_sar) {
    w.bytes(key);
    w.i64(t);
  }
  w.i64(s.controls.last_report_id);
  w.i64(s.controls.next_prune_us);
  const auto current = s.rates.rates();
  w.u64(current.size());
  for (const fx::Rate* rate : current) put_rate(w, *rate);
  w.u64(s.rates.history().size());
  for (const fx::Rate& rate : s.rates.history()) put_rate(w, rate);
  w.u64(s.quotes.size());
  for (const auto& [id, q] : s.quotes) {
    w.bytes(q.id);
    w.bytes(q.participant);
    w.u32(q.receive_side ? 1 : 0);
    w.i64(q.created_us);
    w.i64(q.expires_us);
    w.bytes(q.used_by);
    w.u64(q.path.hops.size());
    for (const auto& h : q.path.hops) {
      w.bytes(h.provider);
      put_currency(w, h.from);
      put_currency(w, h.to);
      for (int64_t v : {h.rate_num, h.rate_den, h.amount_in, h.amount_out, h.mid_out, h.rate_valid_until_us}) w.i64(v);
    }
  }
  w.u64(s.locks.size());
  for (const auto& [reference, lock] : s.locks) {
    w.bytes(reference);
    w.bytes(lock.bank);
    w.i64(lock.amount.minor);
    put_currency(w, lock.amount.currency);
    w.bytes(lock.reason);
  }
  w.u64(s.flow_history.size());
  for (const auto& [key, history] : s.flow_history) {
    w.u32(key.owner);
    put_currency(w, key.currency);
    w.u64(history.size());
    for (const auto& f : history) {
      w.i64(f.in_minor);
      w.i64(f.out_minor);
    }
  }
  w.bytes(kMagic);  // the end: a truncated snapshot cannot pass for a whole one
  return out;
}

Status load_state(Engine::State& s, const Settings& settings, std::string_view bytes) {
  BinaryReader r(bytes);
  auto bad = [](const std::string& what) { return make_error(ErrorCode::kInternal, "snapshot " + what); };
  if (r.bytes() != kMagic) return bad("is not a DelTran core snapshot");
  if (uint32_t v = r.u32(); v != kSnapshotVersion) {
    return bad("has version " + std::to_string(v) + "; this build reads version " + std::to_string(kSnapshotVersion));
  }
  s = Engine::State(settings);
  s.last_seq = r.i64();
  s.last_batch = r.i64();
  s.chain_hash = r.str();
  s.next_window_id = r.i64();
  s.last_case_id = r.i64();
  for (size_t n = r.count(8), i = 0; i < n && r.ok(); ++i) {
    Participant p = get_participant(r);
    if (p.id != i + 1) return bad("lists participants out of order");
    s.by_bic[p.info.bic] = p.id;
    s.participants.push_back(std::move(p));
  }
  if (!s.ledger.load(r)) return bad("has a damaged ledger");
  for (size_t n = r.count(8), i = 0; i < n && r.ok(); ++i) {
    LiveWindow w = get_window(r);
    s.open_window[w.currency] = w.id;
    s.windows[w.id] = std::move(w);
  }
  for (size_t n = r.count(2), i = 0; i < n && r.ok(); ++i) {
    int64_t id = r.i64();
    s.settling[id] = r.i64();
  }
  for (size_t n = r.count(2), i = 0; i < n && r.ok(); ++i) {
    CurrencyId c = get_currency(r);
    s.efficiency_ppm[c] = r.i64();
  }
  {
    size_t n = r.count(9);
    s.idempotency.fingerprints.reserve(n);
    for (size_t i = 0; i < n && r.ok(); ++i) {
      uint64_t fp = r.fixed64();
      s.idempotency.fingerprints[fp] = r.i64();
    }
  }
  for (size_t n = r.count(2), i = 0; i < n && r.ok(); ++i) {
    std::string slot = r.str();
    s.idempotency.collided[std::move(slot)] = r.i64();
  }
  for (size_t n = r.count(2), i = 0; i < n && r.ok(); ++i) {
    const int64_t day = r.i64();
    const int64_t seq = r.i64();
    if (day < INT32_MIN || day > INT32_MAX) return bad("has a day out of range");
    s.idempotency.day_starts.emplace_back(static_cast<int32_t>(day), seq);
  }
  for (size_t n = r.count(5), i = 0; i < n && r.ok(); ++i) {
    std::string key = r.str();
    TokenReference t;
    t.bank = r.str();
    t.amount.minor = r.i64();
    t.amount.currency = get_currency(r);
    t.detail = r.str();
    s.token_references[std::move(key)] = std::move(t);
  }
  for (size_t n = r.count(12), i = 0; i < n && r.ok(); ++i) {
    HeldPayment h;
    h.payment = get_payment(r);
    h.case_id = r.i64();
    h.created_us = r.i64();
    s.held[h.payment.id] = std::move(h);
  }
  for (size_t n = r.count(7), i = 0; i < n && r.ok(); ++i) {
    model::Case c = get_case(r);
    s.open_cases[c.id] = std::move(c);
  }
  if (!s.daily.load(r)) return bad("has damaged daily counters");
  if (!s.controls.aml->load(r)) return bad("has a damaged AML history");
  if (!s.controls.breakers.load(r)) return bad("has damaged circuit breakers");
  for (size_t n = r.count(2), i = 0; i < n && r.ok(); ++i) {
    std::string key = r.str();
    s.controls.last_sar[std::move(key)] = r.i64();
  }
  s.controls.last_report_id = r.i64();
  s.controls.next_prune_us = r.i64();
  std::vector<fx::Rate> current;
  for (size_t n = r.count(8), i = 0; i < n && r.ok(); ++i) current.push_back(get_rate(r));
  std::deque<fx::Rate> history;
  for (size_t n = r.count(8), i = 0; i < n && r.ok(); ++i) history.push_back(get_rate(r));
  s.rates.restore(current, std::move(history));
  for (size_t n = r.count(8), i = 0; i < n && r.ok(); ++i) {
    fx::Quote q;
    q.id = r.str();
    q.participant = r.str();
    q.receive_side = r.u32() == 1;
    q.created_us = r.i64();
    q.expires_us = r.i64();
    q.used_by = r.str();
    for (size_t k = r.count(8), j = 0; j < k && r.ok(); ++j) {
      fx::Hop h;
      h.provider = r.str();
      h.from = get_currency(r);
      h.to = get_currency(r);
      for (int64_t* v : {&h.rate_num, &h.rate_den, &h.amount_in, &h.amount_out, &h.mid_out, &h.rate_valid_until_us}) *v = r.i64();
      q.path.hops.push_back(std::move(h));
    }
    if (!q.path.hops.empty()) {
      q.path.send = q.path.hops.front().amount_in;
      q.path.receive = q.path.hops.back().amount_out;
    }
    s.quote_expiry.emplace(q.expires_us, q.id);
    s.quotes[q.id] = std::move(q);
  }
  for (size_t n = r.count(5), i = 0; i < n && r.ok(); ++i) {
    std::string reference = r.str();
    TokenLock lock;
    lock.bank = r.str();
    lock.amount.minor = r.i64();
    lock.amount.currency = get_currency(r);
    lock.reason = r.str();
    auto owner = s.by_bic.find(lock.bank);
    if (owner == s.by_bic.end() || lock.amount.minor <= 0) return bad("has a lock of an unknown bank or of no amount");
    s.locked[ledger::AccountKey{owner->second, lock.amount.currency}] += lock.amount.minor;
    s.locks[std::move(reference)] = std::move(lock);
  }
  for (size_t n = r.count(3), i = 0; i < n && r.ok(); ++i) {
    ledger::AccountKey key;
    key.owner = r.u32();
    key.currency = get_currency(r);
    auto& flows = s.flow_history[key];
    for (size_t k = r.count(2), j = 0; j < k && r.ok(); ++j) {
      fx::WindowFlow f;
      f.in_minor = r.i64();
      f.out_minor = r.i64();
      flows.push_back(f);
    }
  }
  if (r.bytes() != kMagic || !r.ok() || !r.at_end()) return bad("is truncated or damaged");
  return {};
}

}  // namespace deltran::engine
