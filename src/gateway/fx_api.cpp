// FX: providers' standing rates (PUT /fx/rates/{pair}), corridors and rate history from the
// read view, quotes (POST /fx/quotes) computed here from the view's rates and recorded by
// the core so they are honoured until they expire; liquidity positions and gaps.
#include <boost/json.hpp>

#include <algorithm>

#include <deltran/core/crypto.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {

namespace json = boost::json;

namespace {

constexpr int64_t kSecondUs = 1'000'000;
constexpr int64_t kMaxValiditySeconds = 7 * 86'400;

std::string pair_text(CurrencyId base, CurrencyId quote) { return currency_text(base) + "-" + currency_text(quote); }

void write_rate(JsonWriter& w, const fx::Rate& r, bool live) {
  w.begin_object()
      .field("provider", r.provider)
      .field("pair", pair_text(r.base, r.quote))
      .field("bid", fx::format_rate(r.bid))
      .field("ask", fx::format_rate(r.ask))
      .field("mid", fx::format_rate(r.mid()))
      .field("spread_bps", money::format_amount(static_cast<int64_t>(static_cast<__int128>(r.ask - r.bid) * 1'000'000 /
                                                                     std::max<int64_t>(r.mid(), 1)),
                                                2))
      .field("posted_at", format_rfc3339(r.posted_us))
      .field("valid_until", format_rfc3339(r.valid_until_us))
      .key("live")
      .boolean(live);
  if (!r.tiers.empty()) {
    w.key("tiers").begin_array();
    for (const auto& t : r.tiers) {
      w.begin_object().field("min_amount", amount_text(t.min_base_minor, r.base)).field("bid", fx::format_rate(t.bid))
          .field("ask", fx::format_rate(t.ask)).end_object();
    }
    w.end_array();
  }
  w.end_object();
}

void write_quote(JsonWriter& w, const fx::Quote& q) {
  const auto& hops = q.path.hops;
  w.begin_object().field("id", q.id).field("side", q.receive_side ? "receive" : "send");
  w.field("from", currency_text(hops.front().from)).field("to", currency_text(hops.back().to));
  w.field("send", amount_text(q.path.send, hops.front().from)).field("receive", amount_text(q.path.receive, hops.back().to));
  w.key("path").begin_array();
  w.string(currency_text(hops.front().from));
  for (const auto& h : hops) w.string(currency_text(h.to));
  w.end_array();
  // The provider's spread against the mid rate: the hop's cost, shown per hop and as fees.
  auto spread_cost = [](const fx::Hop& h) { return amount_text(std::max<int64_t>(h.mid_out - h.amount_out, 0), h.to); };
  w.key("hops").begin_array();
  for (const auto& h : hops) {
    w.begin_object()
        .field("provider", h.provider)
        .field("from", currency_text(h.from))
        .field("to", currency_text(h.to))
        .field("rate", fx::rate_text(h.rate_num, h.rate_den))
        .field("amount_in", amount_text(h.amount_in, h.from))
        .field("amount_out", amount_text(h.amount_out, h.to))
        .field("spread_cost", spread_cost(h))
        .end_object();
  }
  w.end_array();
  // The rail charges nothing for a conversion; each hop's cost is its provider's spread
  // against the mid rate, and the rounding rule below.
  w.key("fees").begin_array();
  for (const auto& h : hops) {
    w.begin_object().field("kind", "spread").field("provider", h.provider)
        .field("amount", spread_cost(h))
        .field("currency", currency_text(h.to)).end_object();
  }
  w.end_array();
  w.field("rounding", "each conversion is floor(amount × rate) in the target currency's minor unit; "
                      "the remainder, under one minor unit, stays with the provider");
  w.field("created_at", format_rfc3339(q.created_us)).field("expires_at", format_rfc3339(q.expires_us)).end_object();
}

}  // namespace

namespace {

// One participant's account with what the open window will do to it.
struct LiquidityRow {
  std::string bank;
  CurrencyId currency;
  const engine::AccountView* account = nullptr;
  int64_t window_id = 0;
  int64_t queued_in = 0, queued_out = 0, projected_net = 0;
  int64_t projected_balance() const { return account->balance_minor + projected_net; }
};

std::vector<LiquidityRow> liquidity_rows(const engine::ReadView& view, const std::string& bank, CurrencyId currency) {
  std::map<CurrencyId, const model::Window*> open;
  for (const auto& [id, w] : view.open_windows) open[w->currency] = w.get();
  std::vector<LiquidityRow> rows;
  for (const auto& p : view.participants) {
    if (!bank.empty() && p->info.bic != bank) continue;
    for (const auto& a : p->accounts) {
      if (currency.valid() && a.currency != currency) continue;
      LiquidityRow row{p->info.bic, a.currency, &a};
      if (auto w = open.find(a.currency); w != open.end()) {
        row.window_id = w->second->id;
        for (const auto& pos : w->second->positions) {
          if (pos.bank != p->info.bic) continue;
          row.queued_in = pos.in_minor;
          row.queued_out = pos.out_minor;
          row.projected_net = pos.net_minor;
        }
      }
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace

void Api::Impl::get_liquidity_positions(Call& c) {
  auto q = query_params(c.req.target);
  std::string bank = q.count("bank") ? normalize_bic(q["bank"]) : (c.who.sees_everything() ? "" : c.who.bank);
  if (q.count("bank") && bank.empty()) return c.respond(error_response(ApiError{Rc::kInvalidBic, "bank must be a BIC"}));
  if (!bank.empty() && !c.who.may_act_for(bank) && !c.who.sees_everything()) {
    return c.respond(error_response(ApiError{Rc::kForbidden, "a participant sees only its own positions"}));
  }
  CurrencyId currency;
  if (q.count("currency")) {
    currency = money::currency_id(q["currency"]);
    if (!currency.valid()) return c.respond(error_response(ApiError{Rc::kUnknownCurrency, "currency must be an ISO 4217 code"}));
  }
  auto view = core.view();
  if (!bank.empty() && view->find(bank) == nullptr) {
    return c.respond(error_response(ApiError{Rc::kBankNotFound, "bank " + bank + " does not exist"}));
  }
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& r : liquidity_rows(*view, bank, currency)) {
    const auto* a = r.account;
    w.begin_object()
        .field("bank", r.bank)
        .field("currency", currency_text(r.currency))
        .field("balance", amount_text(a->balance_minor, r.currency))
        .field("reserved", amount_text(a->reserved_minor, r.currency))
        .field("net_debit_cap", amount_text(a->net_debit_cap_minor, r.currency))
        .field("available", amount_text(a->available_minor, r.currency))
        .field("window_id", r.window_id)
        .field("queued_out", amount_text(r.queued_out, r.currency))
        .field("queued_in", amount_text(r.queued_in, r.currency))
        .field("projected_net_position", amount_text(r.projected_net, r.currency))
        .field("projected_balance", amount_text(r.projected_balance(), r.currency))
        .end_object();
  }
  w.end_array().field("as_of_event", view->seq).end_object();
  c.respond(json_response(200, w.take()));
}

void Api::Impl::get_liquidity_gaps(Call& c) {
  auto q = query_params(c.req.target);
  CurrencyId currency;
  if (q.count("currency")) {
    currency = money::currency_id(q["currency"]);
    if (!currency.valid()) return c.respond(error_response(ApiError{Rc::kUnknownCurrency, "currency must be an ISO 4217 code"}));
  }
  auto view = core.view();
  auto rows = liquidity_rows(*view, "", currency);
  // A gap: the open window's projected net debit exceeds the participant's prefunded tokens,
  // so it would settle on its net debit cap (credit) unless it funds the difference first.
  std::vector<LiquidityRow> gaps;
  for (const auto& r : rows) {
    if (r.projected_balance() < 0) gaps.push_back(r);
  }
  std::sort(gaps.begin(), gaps.end(), [](const LiquidityRow& a, const LiquidityRow& b) {
    return a.projected_balance() < b.projected_balance() || (a.projected_balance() == b.projected_balance() && a.bank < b.bank);
  });
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  for (const auto& r : gaps) {
    const int64_t shortfall = -r.projected_balance();
    const int64_t covered = std::min(shortfall, r.account->net_debit_cap_minor);
    w.begin_object()
        .field("bank", r.bank)
        .field("currency", currency_text(r.currency))
        .field("window_id", r.window_id)
        .field("balance", amount_text(r.account->balance_minor, r.currency))
        .field("projected_net_position", amount_text(r.projected_net, r.currency))
        .field("shortfall", amount_text(shortfall, r.currency))
        .field("net_debit_cap", amount_text(r.account->net_debit_cap_minor, r.currency))
        .field("covered_by_cap", amount_text(covered, r.currency))
        // Never above zero while acceptance reserves liquidity: a non-zero value is a broken invariant.
        .field("uncovered", amount_text(shortfall - covered, r.currency))
        .end_object();
  }
  w.end_array().field("as_of_event", view->seq).end_object();
  c.respond(json_response(200, w.take()));
}

// {"debtor_agent","currency","amount"}: how likely a payment of that participant is to be
// offset by its inflow before the open window closes (fx::predict_counterflow), with the
// evidence. The risk score's counter-flow factor reads the same prediction.
void Api::Impl::post_liquidity_predict(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  auto bank = read_bic(f, "debtor_agent");
  auto currency = read_currency(f, "currency");
  std::optional<int64_t> amount;
  if (currency) amount = read_amount(f, "amount", *currency, true);  // 0: what is queued already
  if (f.error()) return c.respond(error_response(*f.error()));
  if (!c.who.may_act_for(*bank) && !c.who.sees_everything()) {
    return c.respond(error_response(ApiError{Rc::kForbidden, "a participant asks only about its own payments"}));
  }
  auto view = core.view();
  const engine::ParticipantView* p = view->find(*bank);
  if (p == nullptr) return c.respond(error_response(ApiError{Rc::kBankNotFound, "bank " + *bank + " does not exist"}));
  const engine::AccountView* account = p->account(*currency);
  if (account == nullptr) {
    return c.respond(error_response(ApiError{Rc::kCurrencyNotEnabled, currency_text(*currency) + " is not enabled for " + *bank}));
  }
  auto rows = liquidity_rows(*view, *bank, *currency);
  const fx::WindowFlow current = rows.empty() ? fx::WindowFlow{} : fx::WindowFlow{rows.front().queued_in, rows.front().queued_out};
  auto e = view->efficiency_ppm.find(*currency);
  const fx::Prediction pr =
      fx::predict_counterflow(account->recent_windows, current, *amount, e == view->efficiency_ppm.end() ? 0 : e->second);
  JsonWriter w;
  w.begin_object().field("debtor_agent", *bank).field("currency", currency_text(*currency))
      .field("amount", amount_text(*amount, *currency));
  if (pr.probability_permille) {
    w.key("probability").raw_number(ratio_text(int64_t{*pr.probability_permille} * 1000));
  } else {
    w.key("probability").null();  // nothing observed yet: the risk score counts it as unknown
  }
  w.key("confidence").raw_number(ratio_text(int64_t{pr.confidence_permille} * 1000));
  // The grade at which the original rules settle instantly: probability ≥ 0.6, confidence ≥ 0.75.
  w.key("instant_settlement_grade").boolean(pr.probability_permille &&
                                            *pr.probability_permille >= settings.instant_probability_permille &&
                                            pr.confidence_permille >= settings.instant_confidence_permille);
  w.key("evidence").begin_object()
      .field("windows_observed", int64_t{pr.windows_observed})
      .field("windows_covering", int64_t{pr.windows_covering})
      .key("covered_now").boolean(pr.covered_now)
      .field("queued_in", amount_text(current.in_minor, *currency))
      .field("queued_out", amount_text(current.out_minor, *currency))
      .field("needed_inflow", amount_text(pr.need_minor, *currency))
      .field("mean_window_in", amount_text(pr.mean_in_minor, *currency))
      .field("mean_window_out", amount_text(pr.mean_out_minor, *currency));
  w.key("two_way_ratio").raw_number(ratio_text(int64_t{pr.two_way_permille} * 1000));
  w.key("netting_efficiency").raw_number(ratio_text(pr.efficiency_ppm));
  w.end_object().field("as_of_event", view->seq).end_object();
  c.respond(json_response(200, w.take()));
}

namespace {

// "bid" and "ask", or "mid" and "spread_bps" (bid = mid·(1 − s/20000), ask = mid·(1 +
// s/20000), in integers), of a rate or a tier; the failure goes to `f`.
std::optional<std::pair<int64_t, int64_t>> read_bid_ask(Fields& f) {
  auto decimal = [&](std::string_view key) -> std::optional<int64_t> {
    auto text = f.text(key, false, 40);
    if (!text) return std::nullopt;
    auto v = fx::parse_rate(*text);
    if (!v) {
      f.fail(key, v.error().message, Rc::kInvalidField);
      return std::nullopt;
    }
    return *v;
  };
  auto bid = decimal("bid"), ask = decimal("ask"), mid = decimal("mid");
  auto spread = f.text("spread_bps", false, 12);
  if (mid && !bid && !ask) {
    int64_t bps = 0;
    if (spread) {
      auto parsed = money::parse_amount(*spread, 0);
      if (!parsed || *parsed > 10'000) f.fail("spread_bps", "must be a whole number of basis points, 0 to 10000", Rc::kInvalidField);
      bps = parsed.value_or(0);
    }
    const __int128 half = static_cast<__int128>(*mid) * bps / 20'000;
    bid = *mid - static_cast<int64_t>(half);
    ask = *mid + static_cast<int64_t>(half);
  } else if (!bid || !ask || mid) {
    if (!f.error()) f.fail("bid", "give \"bid\" and \"ask\", or \"mid\" and \"spread_bps\"", Rc::kInvalidField);
  }
  if (bid && ask && *bid > *ask) f.fail("bid", "must not be above the ask", Rc::kInvalidField);
  if (ask && *ask > fx::kMaxRate) f.fail("mid", "with its spread gives an ask above 100000000", Rc::kInvalidField);
  if (f.error() || !bid || !ask) return std::nullopt;
  return std::make_pair(*bid, *ask);
}

}  // namespace

void Api::Impl::put_rate(Call& c) {
  auto pair = fx::parse_pair(c.params[0]);
  if (!pair) {
    return c.respond(error_response(ApiError{Rc::kUnknownCurrency, "the pair must be two ISO 4217 codes, e.g. USD-INR"}));
  }
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  fx::Rate rate;
  rate.base = pair->first;
  rate.quote = pair->second;
  // A provider posts for itself; the operator names the provider.
  if (c.who.admin()) {
    auto provider = read_bic(f, "provider");
    if (provider) rate.provider = *provider;
  } else {
    rate.provider = c.who.bank;
  }
  auto quoted = read_bid_ask(f);
  // Optional tiers: [{"min_amount" (of the base currency), "bid","ask" or "mid","spread_bps"}].
  if (const json::value* tiers = f.raw("tiers"); tiers != nullptr) {
    if (!tiers->is_array() || tiers->as_array().size() > fx::kMaxTiers) {
      f.fail("tiers", "must be an array of at most " + std::to_string(fx::kMaxTiers) + " tiers", Rc::kInvalidField);
    } else {
      for (size_t i = 0; i < tiers->as_array().size() && !f.error(); ++i) {
        const json::value& t = tiers->as_array()[i];
        if (!t.is_object()) {
          f.fail("tiers", "each tier is an object", Rc::kInvalidField);
          break;
        }
        Fields tf(t.as_object(), "tiers[" + std::to_string(i) + "].");
        auto min = read_amount(tf, "min_amount", rate.base, false);
        auto tier_quote = read_bid_ask(tf);
        f.adopt(tf);
        if (min && tier_quote) rate.tiers.push_back(fx::Tier{*min, tier_quote->first, tier_quote->second});
      }
      if (!f.error()) {
        if (auto problem = fx::tiers_problem(rate); !problem.empty()) f.fail("tiers", problem, Rc::kInvalidField);
      }
    }
  }
  const int64_t now = clock.now_us();
  rate.valid_until_us = now + 3'600 * kSecondUs;
  if (const json::value* secs = f.raw("valid_seconds"); secs != nullptr) {
    if (!secs->is_int64() || secs->as_int64() < 1 || secs->as_int64() > kMaxValiditySeconds) {
      f.fail("valid_seconds", "must be a whole number of seconds, 1 to 604800", Rc::kInvalidField);
    } else {
      rate.valid_until_us = now + secs->as_int64() * kSecondUs;
    }
  }
  if (f.error()) return c.respond(error_response(*f.error()));
  rate.bid = quoted->first;
  rate.ask = quoted->second;
  submit(engine::PostRateCommand{rate}, c.who, std::move(c.respond), [this](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    JsonWriter w;
    const auto& posted = std::get<fx::Rate>(r.body);
    write_rate(w, posted, posted.valid_until_us >= clock.now_us());
    return json_response(200, w.take());
  });
}

void Api::Impl::get_corridors(Call& c) {
  auto view = core.view();
  const fx::SearchLimits at{clock.now_us(), settings.fx_max_rate_age_us, settings.fx_max_hops};
  JsonWriter w;
  w.begin_object().key("items").begin_array();
  const auto rates = view->rates->rates();
  for (size_t i = 0; i < rates.size();) {
    const CurrencyId base = rates[i]->base, quote = rates[i]->quote;
    size_t end = i;
    while (end < rates.size() && rates[end]->base == base && rates[end]->quote == quote) ++end;
    bool any = false;
    for (size_t k = i; k < end; ++k) any = any || view->rates->live(*rates[k], at);
    if (any) {
      w.begin_object().field("corridor", pair_text(base, quote)).field("base", currency_text(base))
          .field("quote", currency_text(quote)).key("providers").begin_array();
      for (size_t k = i; k < end; ++k) {
        if (!view->rates->live(*rates[k], at)) continue;
        const fx::Rate& r = *rates[k];
        w.begin_object().field("provider", r.provider).field("bid", fx::format_rate(r.bid)).field("ask", fx::format_rate(r.ask))
            .field("valid_until", format_rfc3339(r.valid_until_us));
        // The most the provider can pay out now, either way: its available tokens (operators only).
        const engine::ParticipantView* p = view->find(r.provider);
        if (p != nullptr && c.who.sees_everything()) {
          w.key("limits").begin_object();
          for (CurrencyId cur : {base, quote}) {
            const engine::AccountView* a = p->account(cur);
            if (a != nullptr) w.field(currency_text(cur), amount_text(std::max<int64_t>(a->available_minor, 0), cur));
          }
          w.end_object();
        }
        w.end_object();
      }
      w.end_array().end_object();
    }
    i = end;
  }
  w.end_array().field("as_of_event", view->seq).end_object();
  c.respond(json_response(200, w.take()));
}

void Api::Impl::get_rates(Call& c) {
  auto pair = fx::parse_pair(c.params[0]);
  if (!pair) {
    return c.respond(error_response(ApiError{Rc::kUnknownCurrency, "the corridor must be two ISO 4217 codes, e.g. USD-INR"}));
  }
  auto view = core.view();
  const fx::SearchLimits at{clock.now_us(), settings.fx_max_rate_age_us, settings.fx_max_hops};
  JsonWriter w;
  w.begin_object().field("corridor", pair_text(pair->first, pair->second)).key("current").begin_array();
  for (const fx::Rate* r : view->rates->rates()) {
    if (r->base == pair->first && r->quote == pair->second) write_rate(w, *r, view->rates->live(*r, at));
  }
  w.end_array().key("history").begin_array();  // newest first
  const auto& history = view->rates->history();
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    if (it->base == pair->first && it->quote == pair->second) write_rate(w, *it, view->rates->live(*it, at));
  }
  w.end_array().end_object();
  c.respond(json_response(200, w.take()));
}

void Api::Impl::post_quote(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  Fields f(*body);
  auto from = read_currency(f, "from");
  auto to = read_currency(f, "to");
  auto side = f.text("side", false, 10);
  if (side && *side != "send" && *side != "receive") f.fail("side", "must be \"send\" or \"receive\"", Rc::kInvalidField);
  const bool receive_side = side && *side == "receive";
  std::optional<int64_t> amount;
  if (from && to) amount = read_amount(f, "amount", receive_side ? *to : *from, false);
  if (from && to && *from == *to) f.fail("to", "must differ from \"from\"", Rc::kInvalidField);
  // Whom the quote is for: the participant asking, or the one an operator names. Only that
  // participant can pay with it.
  std::optional<std::string> participant;
  if (body->if_contains("participant") != nullptr) participant = read_bic(f, "participant");
  if (f.error()) return c.respond(error_response(*f.error()));
  if (participant && !c.who.admin() && !c.who.may_act_for(*participant)) {
    return c.respond(error_response(ApiError{Rc::kForbidden, "a participant asks for quotes for itself only"}));
  }
  auto view = core.view();
  const int64_t now = clock.now_us();
  const fx::SearchLimits at{now, settings.fx_max_rate_age_us, settings.fx_max_hops};
  auto path = receive_side ? view->rates->best_receive(*from, *to, *amount, at) : view->rates->best_send(*from, *to, *amount, at);
  if (!path) {
    Rc rc = path.error().code == ErrorCode::kNotFound ? Rc::kNoConversionPath : Rc::kInvalidAmount;
    return c.respond(error_response(ApiError{rc, path.error().message}));
  }
  fx::Quote q;
  std::string id = new_uuid_v4();
  id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
  q.id = "q_" + id;
  q.participant = participant ? *participant : c.who.admin() ? "admin" : c.who.bank;
  q.receive_side = receive_side;
  q.path = std::move(*path);
  q.created_us = now;
  // Honoured until the first of: the quote's time to live, any of its rates' validity.
  q.expires_us = now + settings.fx_quote_ttl_us;
  for (const auto& h : q.path.hops) q.expires_us = std::min(q.expires_us, h.rate_valid_until_us);
  submit(engine::RecordQuoteCommand{std::move(q)}, c.who, std::move(c.respond), [](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    JsonWriter w;
    write_quote(w, std::get<fx::Quote>(r.body));
    return json_response(201, w.take());
  });
}

}  // namespace deltran::gateway
