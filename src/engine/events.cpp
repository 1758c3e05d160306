// The event log's entries: typed events written as compact JSON and read back. Amounts are
// decimal strings in their currency's exponent, as everywhere in the API; outcomes carry
// their stable number and their ISO 20022 reason.
#include <boost/json.hpp>

#include <deltran/core/json_writer.hpp>

#include "events.hpp"
#include "state.hpp"

namespace deltran::engine {

namespace json = boost::json;
using model::EventScope;
using model::EventType;

namespace ev {
namespace {

std::string code(CurrencyId c) { return std::string(money::code_of(c)); }

void write_party(JsonWriter& w, std::string_view key, const model::Party& p) {
  w.key(key).begin_object().field("name", p.name).field("account", p.account).field("country", p.country).end_object();
}

void write_legs(JsonWriter& w, const std::vector<model::PaymentLeg>& legs) {
  w.key("legs").begin_array();
  for (const auto& l : legs) {
    w.begin_object().field("debtor_agent", l.debtor_agent).field("creditor_agent", l.creditor_agent)
        .field("amount", money::format(l.amount)).field("currency", code(l.amount.currency))
        .field("window_id", l.window_id).end_object();
  }
  w.end_array();
}

void write_payment(JsonWriter& w, const PaymentData& p) {
  w.field("id", p.id)
      .field("uetr", p.uetr)
      .field("end_to_end_id", p.end_to_end_id)
      .field("debtor_agent", p.debtor_agent)
      .field("creditor_agent", p.creditor_agent)
      .field("amount", money::format(p.amount))
      .field("currency", code(p.amount.currency));
  write_party(w, "debtor", p.debtor);
  write_party(w, "creditor", p.creditor);
  w.field("channel", p.channel).field("idempotency_key", p.idempotency_key).field("request_hash", p.request_hash);
  if (p.amount_usd_minor) w.field("amount_usd", money::format_amount(*p.amount_usd_minor, 2));
  if (!p.quote_id.empty()) {
    w.field("quote_id", p.quote_id);
    write_legs(w, p.legs);
  }
}

void write_optional_amount(JsonWriter& w, std::string_view key, const std::optional<int64_t>& v, CurrencyId c) {
  if (v) {
    w.field(key, money::format(Amount{*v, c}));
  } else {
    w.key(key).null();
  }
}

model::Event make(EventType type, std::string entity, std::string a, std::string b, EventScope scope,
                  JsonWriter& w) {
  model::Event e;
  e.type = type;
  e.entity = std::move(entity);
  e.party_a = std::move(a);
  e.party_b = std::move(b);
  e.scope = scope;
  e.payload = w.take();
  return e;
}

struct Encoder {
  model::Event operator()(const ParticipantCreated& e) const {
    JsonWriter w;
    w.begin_object().field("participant_id", int64_t{e.id}).field("bic", e.bic).field("name", e.name)
        .field("country", e.country).key("currencies").begin_array();
    for (auto c : e.currencies) w.string(code(c));
    w.end_array().key("net_debit_cap").begin_object();
    for (const auto& [c, cap] : e.caps) w.field(code(c), money::format(Amount{cap, c}));
    w.end_object().end_object();
    return make(EventType::kParticipantCreated, e.bic, e.bic, {}, EventScope::kPublic, w);
  }
  model::Event operator()(const CredentialIssued& e) const {
    JsonWriter w;
    w.begin_object().field("bic", e.bic).field("key_id", key_id_of(e.key_hash)).field("key_sha256", e.key_hash).end_object();
    // The participant sees its own key events: a key issued that it did not ask for is how
    // it learns of a leaked key being used to add one.
    return make(EventType::kCredentialIssued, e.bic, e.bic, {}, EventScope::kParties, w);
  }
  model::Event operator()(const CredentialRevoked& e) const {
    JsonWriter w;
    w.begin_object().field("bic", e.bic).field("key_id", e.key_id).end_object();
    return make(EventType::kCredentialRevoked, e.bic, e.bic, {}, EventScope::kParties, w);
  }
  model::Event operator()(const RateTierSet& e) const {
    JsonWriter w;
    w.begin_object().field("bank", e.bic).field("tier", e.tier).end_object();
    return make(EventType::kRateTierSet, e.bic, e.bic, {}, EventScope::kParties, w);
  }
  model::Event operator()(const FundsMoved& e) const {
    JsonWriter w;
    w.begin_object().field("bank", e.bic).field("amount", money::format(e.amount))
        .field("currency", code(e.amount.currency)).field("reference", e.reference).end_object();
    return make(e.mint ? EventType::kFundsMinted : EventType::kFundsBurned, e.bic, e.bic, {}, EventScope::kParties, w);
  }
  model::Event operator()(const LimitsChanged& e) const {
    JsonWriter w;
    w.begin_object().field("bank", e.bic).key("limits").begin_object();
    for (const auto& l : e.entries) {
      w.key(code(l.currency)).begin_object();
      write_optional_amount(w, "single_payment_max", l.single_payment_max_minor, l.currency);
      write_optional_amount(w, "daily_volume_max", l.daily_volume_max_minor, l.currency);
      w.field("net_debit_cap", money::format(Amount{l.net_debit_cap_minor, l.currency})).end_object();
    }
    w.end_object().end_object();
    return make(EventType::kLimitsChanged, e.bic, e.bic, {}, EventScope::kParties, w);
  }
  model::Event operator()(const ClearingIdsSet& e) const {
    JsonWriter w;
    w.begin_object().field("bank", e.bic).key("clearing_ids").begin_array();
    for (const auto& id : e.ids) w.begin_object().field("system", id.system).field("member_id", id.member_id).end_object();
    w.end_array().end_object();
    return make(EventType::kClearingIdsSet, e.bic, e.bic, {}, EventScope::kPublic, w);
  }
  model::Event operator()(const RolesSet& e) const {
    JsonWriter w;
    w.begin_object().field("bank", e.bic).key("roles").begin_array();
    if (e.fx_provider) w.string("fx_provider");
    w.end_array().end_object();
    return make(EventType::kRolesSet, e.bic, e.bic, {}, EventScope::kPublic, w);
  }
  model::Event operator()(const RatePosted& e) const {
    const fx::Rate& r = e.rate;
    JsonWriter w;
    w.begin_object().field("provider", r.provider).field("base", code(r.base)).field("quote", code(r.quote))
        .field("bid", fx::format_rate(r.bid)).field("ask", fx::format_rate(r.ask)).field("posted_us", r.posted_us)
        .field("valid_until_us", r.valid_until_us);
    if (!r.tiers.empty()) {
      w.key("tiers").begin_array();
      for (const auto& t : r.tiers) {
        w.begin_object().field("min_amount", money::format(Amount{t.min_base_minor, r.base}))
            .field("bid", fx::format_rate(t.bid)).field("ask", fx::format_rate(t.ask)).end_object();
      }
      w.end_array();
    }
    w.end_object();
    return make(EventType::kFxRatePosted, code(r.base) + "/" + code(r.quote), r.provider, {}, EventScope::kPublic, w);
  }
  model::Event operator()(const QuoteIssued& e) const {
    const fx::Quote& q = e.quote;
    JsonWriter w;
    w.begin_object().field("id", q.id).field("participant", q.participant).field("side", q.receive_side ? "receive" : "send")
        .field("created_us", q.created_us).field("expires_us", q.expires_us).key("hops").begin_array();
    for (const auto& h : q.path.hops) {
      w.begin_object().field("provider", h.provider).field("from", code(h.from)).field("to", code(h.to))
          .field("rate_num", h.rate_num).field("rate_den", h.rate_den)
          .field("amount_in", money::format(Amount{h.amount_in, h.from}))
          .field("amount_out", money::format(Amount{h.amount_out, h.to}))
          .field("mid_out", money::format(Amount{h.mid_out, h.to}))
          .field("rate_valid_until_us", h.rate_valid_until_us).end_object();
    }
    w.end_array().end_object();
    return make(EventType::kFxQuoteIssued, q.id, q.participant == "admin" ? std::string() : q.participant, {},
                EventScope::kParties, w);
  }
  model::Event operator()(const TokensTransferred& e) const {
    JsonWriter w;
    w.begin_object().field("from", e.from).field("to", e.to).field("amount", money::format(e.amount))
        .field("currency", code(e.amount.currency)).field("reference", e.reference).end_object();
    return make(EventType::kTokensTransferred, e.reference, e.from, e.to, EventScope::kParties, w);
  }
  model::Event operator()(const TokensConverted& e) const {
    JsonWriter w;
    w.begin_object().field("bank", e.bank).field("quote_id", e.quote_id).field("reference", e.reference);
    write_legs(w, e.legs);
    w.end_object();
    return make(EventType::kTokensConverted, e.reference, e.bank, {}, EventScope::kParties, w);
  }
  model::Event operator()(const TokensLocked& e) const {
    JsonWriter w;
    w.begin_object().field("bank", e.bank).field("amount", money::format(e.amount)).field("currency", code(e.amount.currency))
        .field("reference", e.reference).field("reason", e.reason).end_object();
    return make(e.lock ? EventType::kTokensLocked : EventType::kTokensUnlocked, e.reference, e.bank, {}, EventScope::kParties, w);
  }
  model::Event operator()(const PaymentAccepted& e) const {
    JsonWriter w;
    w.begin_object();
    write_payment(w, e.p);
    w.field("window_id", e.window_id).end_object();
    return payment_event(EventType::kPaymentAccepted, e.p, w);
  }
  model::Event operator()(const PaymentHeld& e) const {
    JsonWriter w;
    w.begin_object();
    write_payment(w, e.p);
    w.field("case_id", e.case_id).field("score", e.score).field("reason_text", e.reason_text);
    w.key("reasons").raw_number(e.reasons.empty() ? "{}" : e.reasons);
    w.end_object();
    return payment_event(EventType::kPaymentHeld, e.p, w);
  }
  model::Event operator()(const PaymentRejected& e) const {
    JsonWriter w;
    w.begin_object();
    write_payment(w, e.p);
    w.field("rc", int64_t{static_cast<uint16_t>(e.rc)}).field("result", api_code(e.rc));
    if (iso_reason(e.rc).empty()) w.key("reason").null(); else w.field("reason", iso_reason(e.rc));
    w.field("reason_text", e.reason_text).field("case_id", e.case_id).end_object();
    return payment_event(EventType::kPaymentRejected, e.p, w);
  }
  model::Event operator()(const PaymentReleased& e) const {
    JsonWriter w;
    w.begin_object().field("id", e.id).field("debtor_agent", e.debtor_agent).field("creditor_agent", e.creditor_agent)
        .field("amount", money::format(e.amount)).field("currency", code(e.amount.currency))
        .field("case_id", e.case_id).field("window_id", e.window_id);
    if (!e.leg_windows.empty()) {
      w.key("leg_windows").begin_array();
      for (int64_t id : e.leg_windows) w.number(id);
      w.end_array();
    }
    w.end_object();
    return make(EventType::kPaymentReleased, e.id, e.debtor_agent, e.creditor_agent, EventScope::kParties, w);
  }
  model::Event operator()(const PaymentSettled& e) const {
    JsonWriter w;
    w.begin_object().field("id", e.id).field("window_id", e.window_id).field("payment_seq", e.payment_seq)
        .field("debtor_agent", e.debtor_agent).field("creditor_agent", e.creditor_agent)
        .field("amount", money::format(e.amount)).field("currency", code(e.amount.currency)).end_object();
    return make(EventType::kPaymentSettled, e.id, e.debtor_agent, e.creditor_agent, EventScope::kParties, w);
  }
  model::Event operator()(const WindowOpened& e) const {
    JsonWriter w;
    w.begin_object().field("window_id", e.id).field("currency", code(e.currency)).end_object();
    return make(EventType::kWindowOpened, std::to_string(e.id), {}, {}, EventScope::kPublic, w);
  }
  model::Event operator()(const WindowClosed& e) const {
    JsonWriter w;
    w.begin_object().field("window_id", e.id).field("currency", code(e.currency)).field("payment_count", e.payment_count)
        .field("gross", money::format(Amount{e.gross_minor, e.currency})).end_object();
    return make(EventType::kWindowClosed, std::to_string(e.id), {}, {}, EventScope::kPublic, w);
  }
  model::Event operator()(const WindowNetted& e) const {
    JsonWriter w;
    w.begin_object().field("window_id", e.id).field("currency", code(e.currency))
        .field("net", money::format(Amount{e.net_minor, e.currency}))
        .field("bilateral_net", money::format(Amount{e.bilateral_minor, e.currency}))
        .field("efficiency_ppm", e.efficiency_ppm).field("bilateral_efficiency_ppm", e.bilateral_efficiency_ppm)
        .key("positions").begin_array();
    for (const auto& p : e.positions) {
      w.begin_object().field("bank", p.bank).field("net", money::format(Amount{p.net_minor, e.currency})).end_object();
    }
    w.end_array().end_object();
    // Every participant's position: operators only (a participant reads its own via the API).
    return make(EventType::kWindowNetted, std::to_string(e.id), {}, {}, EventScope::kOperators, w);
  }
  model::Event operator()(const WindowSettled& e) const {
    JsonWriter w;
    w.begin_object().field("window_id", e.id).field("currency", code(e.currency))
        .field("net", money::format(Amount{e.net_minor, e.currency})).end_object();
    return make(EventType::kWindowSettled, std::to_string(e.id), {}, {}, EventScope::kPublic, w);
  }
  model::Event operator()(const CaseDecided& e) const {
    JsonWriter w;
    w.begin_object().field("case_id", e.case_id).field("payment_id", e.payment_id)
        .field("debtor_agent", e.debtor_agent).field("creditor_agent", e.creditor_agent)
        .field("decision", e.approve ? "approve" : "reject").field("note", e.note).end_object();
    return make(EventType::kCaseDecided, std::to_string(e.case_id), e.debtor_agent, e.creditor_agent,
                EventScope::kOperators, w);
  }
  model::Event operator()(const ReportFiled& e) const {
    JsonWriter w;
    w.begin_object().field("report_id", e.id).field("kind", e.kind).field("payment_id", e.payment_id)
        .field("debtor_key", e.debtor_key).field("debtor_agent", e.debtor_agent)
        .field("creditor_agent", e.creditor_agent).field("rules", e.rules).field("score", e.score).end_object();
    return make(EventType::kReportFiled, std::to_string(e.id), e.debtor_agent, e.creditor_agent,
                EventScope::kOperators, w);
  }
  model::Event operator()(const BreakerReset& e) const {
    JsonWriter w;
    w.begin_object().field("breaker", e.id).end_object();
    return make(EventType::kBreakerReset, e.id, {}, {}, EventScope::kOperators, w);
  }
  model::Event operator()(const Notice& e) const {
    model::Event out;
    out.type = e.type;
    out.entity = e.entity;
    out.party_a = e.party_a;
    out.party_b = e.party_b;
    out.scope = e.scope;
    out.payload = e.payload.empty() ? "{}" : e.payload;
    return out;
  }

  static model::Event payment_event(EventType type, const PaymentData& p, JsonWriter& w) {
    return make(type, p.id, p.debtor_agent, p.creditor_agent, EventScope::kParties, w);
  }
};

// An amount as the log writes it (money::format: optional '-', digits, '.' and exactly
// `exponent` decimals when exponent > 0), over the whole int64 range. money's parser caps
// amounts at kMaxAmountMinor, which is right for input but not for the log: balances,
// window totals and positions the core writes may exceed it, and every one must read back.
std::optional<int64_t> parse_logged_minor(std::string_view text, int exponent) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  int64_t v = 0;
  int decimals = -1, digits = 0;
  for (char ch : text) {
    if (ch == '.' && decimals < 0 && digits > 0) {
      decimals = 0;
      continue;
    }
    if (ch < '0' || ch > '9') return std::nullopt;
    ++digits;
    if (decimals >= 0) ++decimals;
    // Accumulated as a negative number, so INT64_MIN reads back too.
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_sub_overflow(v, ch - '0', &v)) return std::nullopt;
  }
  if (decimals == 0) return std::nullopt;  // "5." is not what the log writes
  if (decimals < 0) decimals = 0;
  if (decimals > exponent) return std::nullopt;
  for (; decimals < exponent; ++decimals) {
    if (__builtin_mul_overflow(v, 10, &v)) return std::nullopt;
  }
  if (negative) return v;
  if (v == INT64_MIN) return std::nullopt;
  return -v;
}

// Reads fields of a stored payload; the first problem makes the whole entry unreadable.
class Reader {
 public:
  explicit Reader(const json::object& o) : o_(o) {}

  std::string text(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_string()) return fail(key), std::string();
    return std::string(v->as_string());
  }
  int64_t integer(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_int64()) {
      if (v != nullptr && v->is_uint64() && v->as_uint64() <= INT64_MAX) return static_cast<int64_t>(v->as_uint64());
      return fail(key), 0;
    }
    return v->as_int64();
  }
  CurrencyId currency(std::string_view key) {
    CurrencyId c = money::currency_id(text(key));
    if (!c.valid()) fail(key);
    return c;
  }
  int64_t minor(std::string_view key, CurrencyId c) {
    if (!c.valid()) return fail(key), 0;
    auto a = parse_logged_minor(text(key), money::exponent_of(c));
    if (!a) return fail(key), 0;
    return *a;
  }
  std::optional<int64_t> optional_minor(std::string_view key, CurrencyId c) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) return std::nullopt;
    return minor(key, c);
  }
  const json::object& object(std::string_view key) {
    static const json::object kEmpty;
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_object()) return fail(key), kEmpty;
    return v->as_object();
  }
  const json::array& array(std::string_view key) {
    static const json::array kEmpty;
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_array()) return fail(key), kEmpty;
    return v->as_array();
  }
  std::string raw(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr) return fail(key), std::string();
    return json::serialize(*v);
  }
  bool has(std::string_view key) const { return o_.if_contains(key) != nullptr; }
  // Reads each member of the array `key` with fn(Reader&); a member that is not an object,
  // or a field fn cannot read, makes the whole entry unreadable.
  template <typename F>
  void each_object(std::string_view key, F&& fn) {
    for (const auto& v : array(key)) {
      if (!v.is_object()) return fail(key);
      Reader inner(v.as_object());
      fn(inner);
      adopt(inner);
    }
  }
  bool ok() const { return bad_.empty(); }
  const std::string& bad() const { return bad_; }
  void adopt(const Reader& inner) {
    if (bad_.empty() && !inner.bad_.empty()) bad_ = inner.bad_;
  }

  void fail(std::string_view key) {
    if (bad_.empty()) bad_ = std::string(key);
  }

 private:
  const json::object& o_;
  std::string bad_;
};

model::Party read_party(Reader& r, std::string_view key) {
  Reader p(r.object(key));
  model::Party out{p.text("name"), p.text("account"), p.text("country")};
  r.adopt(p);
  return out;
}

std::vector<model::PaymentLeg> read_legs(Reader& r) {
  std::vector<model::PaymentLeg> out;
  r.each_object("legs", [&](Reader& lr) {
    model::PaymentLeg l;
    l.debtor_agent = lr.text("debtor_agent");
    l.creditor_agent = lr.text("creditor_agent");
    l.amount.currency = lr.currency("currency");
    l.amount.minor = lr.minor("amount", l.amount.currency);
    l.window_id = lr.integer("window_id");
    out.push_back(std::move(l));
  });
  return out;
}

PaymentData read_payment(Reader& r) {
  PaymentData p;
  p.id = r.text("id");
  p.uetr = r.text("uetr");
  p.end_to_end_id = r.text("end_to_end_id");
  p.debtor_agent = r.text("debtor_agent");
  p.creditor_agent = r.text("creditor_agent");
  p.amount.currency = r.currency("currency");
  p.amount.minor = r.minor("amount", p.amount.currency);
  p.debtor = read_party(r, "debtor");
  p.creditor = read_party(r, "creditor");
  p.channel = r.text("channel");
  p.idempotency_key = r.text("idempotency_key");
  p.request_hash = r.text("request_hash");
  p.amount_usd_minor = r.optional_minor("amount_usd", money::currency_id("USD"));
  if (r.has("quote_id")) {
    p.quote_id = r.text("quote_id");
    p.legs = read_legs(r);
    if (p.legs.size() < 2) r.fail("legs");
  }
  return p;
}

Result<Any> decode_payload(EventType type, Reader& r) {
  switch (type) {
    case EventType::kParticipantCreated: {
      ParticipantCreated e;
      e.id = static_cast<ParticipantId>(r.integer("participant_id"));
      e.bic = r.text("bic");
      e.name = r.text("name");
      e.country = r.text("country");
      for (const auto& c : r.array("currencies")) {
        CurrencyId id = c.is_string() ? money::currency_id(c.as_string()) : CurrencyId{};
        if (!id.valid()) r.fail("currencies");
        e.currencies.push_back(id);
      }
      Reader caps(r.object("net_debit_cap"));
      for (const auto& [k, v] : r.object("net_debit_cap")) {
        CurrencyId id = money::currency_id(k);
        e.caps[id] = caps.minor(k, id);
      }
      r.adopt(caps);
      return e;
    }
    case EventType::kCredentialIssued: return CredentialIssued{r.text("bic"), r.text("key_sha256")};
    case EventType::kCredentialRevoked: return CredentialRevoked{r.text("bic"), r.text("key_id")};
    case EventType::kRateTierSet: return RateTierSet{r.text("bank"), r.text("tier")};
    case EventType::kFundsMinted:
    case EventType::kFundsBurned: {
      FundsMoved e;
      e.mint = type == EventType::kFundsMinted;
      e.bic = r.text("bank");
      e.amount.currency = r.currency("currency");
      e.amount.minor = r.minor("amount", e.amount.currency);
      e.reference = r.text("reference");
      return e;
    }
    case EventType::kLimitsChanged: {
      LimitsChanged e;
      e.bic = r.text("bank");
      for (const auto& [k, v] : r.object("limits")) {
        LimitsChanged::Entry l;
        l.currency = money::currency_id(k);
        if (!l.currency.valid() || !v.is_object()) {
          r.fail("limits");
          break;
        }
        Reader lr(v.as_object());
        l.single_payment_max_minor = lr.optional_minor("single_payment_max", l.currency);
        l.daily_volume_max_minor = lr.optional_minor("daily_volume_max", l.currency);
        l.net_debit_cap_minor = lr.minor("net_debit_cap", l.currency);
        r.adopt(lr);
        e.entries.push_back(l);
      }
      return e;
    }
    case EventType::kClearingIdsSet: {
      ClearingIdsSet e;
      e.bic = r.text("bank");
      r.each_object("clearing_ids", [&](Reader& ir) {
        e.ids.push_back(model::ClearingMemberId{ir.text("system"), ir.text("member_id")});
      });
      return e;
    }
    case EventType::kRolesSet: {
      RolesSet e;
      e.bic = r.text("bank");
      for (const auto& v : r.array("roles")) {
        if (v.is_string() && v.as_string() == "fx_provider") {
          e.fx_provider = true;
        } else {
          r.fail("roles");
        }
      }
      return e;
    }
    case EventType::kFxRatePosted: {
      RatePosted e;
      fx::Rate& x = e.rate;
      x.provider = r.text("provider");
      x.base = r.currency("base");
      x.quote = r.currency("quote");
      auto bid = fx::parse_rate(r.text("bid"));
      auto ask = fx::parse_rate(r.text("ask"));
      if (!bid || !ask) r.fail("bid");
      x.bid = bid.value_or(0);
      x.ask = ask.value_or(0);
      x.posted_us = r.integer("posted_us");
      x.valid_until_us = r.integer("valid_until_us");
      if (r.has("tiers")) {
        r.each_object("tiers", [&](Reader& tr) {
          fx::Tier t;
          t.min_base_minor = tr.minor("min_amount", x.base);
          auto tier_bid = fx::parse_rate(tr.text("bid"));
          auto tier_ask = fx::parse_rate(tr.text("ask"));
          if (!tier_bid || !tier_ask) tr.fail("bid");
          t.bid = tier_bid.value_or(0);
          t.ask = tier_ask.value_or(0);
          x.tiers.push_back(t);
        });
      }
      return e;
    }
    case EventType::kFxQuoteIssued: {
      QuoteIssued e;
      fx::Quote& q = e.quote;
      q.id = r.text("id");
      q.participant = r.text("participant");
      q.receive_side = r.text("side") == "receive";
      q.created_us = r.integer("created_us");
      q.expires_us = r.integer("expires_us");
      r.each_object("hops", [&](Reader& hr) {
        fx::Hop h;
        h.provider = hr.text("provider");
        h.from = hr.currency("from");
        h.to = hr.currency("to");
        h.rate_num = hr.integer("rate_num");
        h.rate_den = hr.integer("rate_den");
        h.amount_in = hr.minor("amount_in", h.from);
        h.amount_out = hr.minor("amount_out", h.to);
        h.mid_out = hr.minor("mid_out", h.to);
        h.rate_valid_until_us = hr.integer("rate_valid_until_us");
        q.path.hops.push_back(std::move(h));
      });
      if (q.path.hops.empty()) {
        r.fail("hops");
      } else {
        q.path.send = q.path.hops.front().amount_in;
        q.path.receive = q.path.hops.back().amount_out;
      }
      return e;
    }
    case EventType::kTokensTransferred: {
      TokensTransferred e;
      e.from = r.text("from");
      e.to = r.text("to");
      e.amount.currency = r.currency("currency");
      e.amount.minor = r.minor("amount", e.amount.currency);
      e.reference = r.text("reference");
      return e;
    }
    case EventType::kTokensConverted: {
      TokensConverted e;
      e.bank = r.text("bank");
      e.quote_id = r.text("quote_id");
      e.reference = r.text("reference");
      e.legs = read_legs(r);
      if (e.legs.empty()) r.fail("legs");
      return e;
    }
    case EventType::kTokensLocked:
    case EventType::kTokensUnlocked: {
      TokensLocked e;
      e.lock = type == EventType::kTokensLocked;
      e.bank = r.text("bank");
      e.amount.currency = r.currency("currency");
      e.amount.minor = r.minor("amount", e.amount.currency);
      e.reference = r.text("reference");
      e.reason = r.text("reason");
      return e;
    }
    case EventType::kPaymentAccepted: {
      PaymentAccepted e{read_payment(r), 0};
      e.window_id = r.integer("window_id");
      return e;
    }
    case EventType::kPaymentHeld: {
      PaymentHeld e;
      e.p = read_payment(r);
      e.case_id = r.integer("case_id");
      e.score = r.integer("score");
      e.reason_text = r.text("reason_text");
      e.reasons = r.raw("reasons");
      return e;
    }
    case EventType::kPaymentRejected: {
      PaymentRejected e;
      e.p = read_payment(r);
      auto rc = rc_from_number(static_cast<uint32_t>(r.integer("rc")));
      if (!rc) r.fail("rc");
      e.rc = rc.value_or(Rc::kInternal);
      e.reason_text = r.text("reason_text");
      e.case_id = r.integer("case_id");
      return e;
    }
    case EventType::kPaymentReleased: {
      PaymentReleased e;
      e.id = r.text("id");
      e.debtor_agent = r.text("debtor_agent");
      e.creditor_agent = r.text("creditor_agent");
      e.amount.currency = r.currency("currency");
      e.amount.minor = r.minor("amount", e.amount.currency);
      e.case_id = r.integer("case_id");
      e.window_id = r.integer("window_id");
      if (r.has("leg_windows")) {
        for (const auto& v : r.array("leg_windows")) {
          if (!v.is_int64()) {
            r.fail("leg_windows");
            break;
          }
          e.leg_windows.push_back(v.as_int64());
        }
      }
      return e;
    }
    case EventType::kPaymentSettled: {
      PaymentSettled e;
      e.id = r.text("id");
      e.window_id = r.integer("window_id");
      e.payment_seq = r.integer("payment_seq");
      e.debtor_agent = r.text("debtor_agent");
      e.creditor_agent = r.text("creditor_agent");
      e.amount.currency = r.currency("currency");
      e.amount.minor = r.minor("amount", e.amount.currency);
      return e;
    }
    case EventType::kWindowOpened: return WindowOpened{r.integer("window_id"), r.currency("currency")};
    case EventType::kWindowClosed: {
      WindowClosed e{r.integer("window_id"), r.currency("currency"), r.integer("payment_count"), 0};
      e.gross_minor = r.minor("gross", e.currency);
      return e;
    }
    case EventType::kWindowNetted: {
      WindowNetted e;
      e.id = r.integer("window_id");
      e.currency = r.currency("currency");
      e.net_minor = r.minor("net", e.currency);
      e.bilateral_minor = r.minor("bilateral_net", e.currency);
      e.efficiency_ppm = r.integer("efficiency_ppm");
      e.bilateral_efficiency_ppm = r.integer("bilateral_efficiency_ppm");
      r.each_object("positions", [&](Reader& pr) {
        e.positions.push_back(model::Position{pr.text("bank"), pr.minor("net", e.currency)});
      });
      return e;
    }
    case EventType::kWindowSettled: {
      WindowSettled e{r.integer("window_id"), r.currency("currency"), 0};
      e.net_minor = r.minor("net", e.currency);
      return e;
    }
    case EventType::kCaseDecided: {
      CaseDecided e;
      e.case_id = r.integer("case_id");
      e.payment_id = r.text("payment_id");
      e.debtor_agent = r.text("debtor_agent");
      e.creditor_agent = r.text("creditor_agent");
      std::string decision = r.text("decision");
      if (decision != "approve" && decision != "reject") r.fail("decision");
      e.approve = decision == "approve";
      e.note = r.text("note");
      return e;
    }
    case EventType::kReportFiled: {
      ReportFiled e;
      e.id = r.integer("report_id");
      e.kind = r.text("kind");
      e.payment_id = r.text("payment_id");
      e.debtor_key = r.text("debtor_key");
      e.debtor_agent = r.text("debtor_agent");
      e.creditor_agent = r.text("creditor_agent");
      e.rules = r.text("rules");
      e.score = r.integer("score");
      return e;
    }
    case EventType::kBreakerReset: return BreakerReset{r.text("breaker")};
    case EventType::kComplianceAlert:
    case EventType::kPaymentLegsBooked:
    case EventType::kRiskThresholdExceeded:
    case EventType::kListsReloaded:
    case EventType::kListsReloadFailed:
    case EventType::kSessionOpened:
    case EventType::kSessionEnded:
    case EventType::kSigningKeyRotated:
    case EventType::kBreakerOpened: return Notice{type, {}, {}, {}, EventScope::kOperators, {}};
  }
  return make_error(ErrorCode::kInternal, "unknown event type");
}

}  // namespace

model::Event encode(const Any& e) { return std::visit(Encoder{}, e); }

Result<Any> decode(const model::Event& e) {
  // One arena per event: the payload's DOM lives only while it is read.
  unsigned char buffer[4096];
  json::monotonic_resource arena(buffer, sizeof buffer);
  boost::system::error_code ec;
  json::value v = json::parse(e.payload, ec, &arena);
  if (ec || !v.is_object()) {
    return make_error(ErrorCode::kInternal, "event " + std::to_string(e.seq) + " (" + std::string(model::to_string(e.type)) +
                                                ") is not a JSON object");
  }
  Reader r(v.as_object());
  auto out = decode_payload(e.type, r);
  if (out && !r.ok()) {
    return make_error(ErrorCode::kInternal, "event " + std::to_string(e.seq) + " (" +
                                                std::string(model::to_string(e.type)) + ") has no valid '" + r.bad() + "'");
  }
  return out;
}

}  // namespace ev

void emit(Context& cx, ev::Any event) {
  Engine::State& s = cx.s;
  model::Event e = ev::encode(event);
  e.seq = ++s.last_seq;
  e.batch = s.last_batch + 1;
  e.time_us = s.now_us;
  e.actor = s.actor;
  s.batch.events.push_back(std::move(e));
  apply(s, cx.settings, event, s.now_us);
}

Status replay(Engine::State& s, const Settings& settings, const model::Event& stored) {
  if (stored.seq != s.last_seq + 1) {
    return make_error(ErrorCode::kInternal, "event log has a gap: expected event " + std::to_string(s.last_seq + 1) +
                                                ", found " + std::to_string(stored.seq));
  }
  auto event = ev::decode(stored);
  if (!event) return tl::unexpected(event.error());
  s.last_seq = stored.seq;
  apply(s, settings, *event, stored.time_us);
  return {};
}

}  // namespace deltran::engine
