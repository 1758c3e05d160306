#include <deltran/fx/rates.hpp>

#include <gtest/gtest.h>

#include <deltran/money/currency.hpp>

namespace deltran::fx {
namespace {

const CurrencyId kUsd = money::currency_id("USD"), kAed = money::currency_id("AED"), kInr = money::currency_id("INR"),
                 kEur = money::currency_id("EUR"), kJpy = money::currency_id("JPY"), kKwd = money::currency_id("KWD"),
                 kGbp = money::currency_id("GBP"), kPhp = money::currency_id("PHP");
constexpr int64_t kNow = 1'800'000'000'000'000;
constexpr int64_t kMinute = 60'000'000;

int64_t rate(const char* text) { return *parse_rate(text); }

Rate make(const char* provider, CurrencyId base, CurrencyId quote, const char* bid, const char* ask,
          int64_t valid_for = 10 * kMinute) {
  return Rate{provider, base, quote, rate(bid), rate(ask), kNow - kMinute, kNow + valid_for, {}};
}

SearchLimits at(int64_t now = kNow) { return SearchLimits{now, 0, 3}; }

TEST(Rates, ParseAndPrintExactDecimalsOnly) {
  EXPECT_EQ(*parse_rate("3.6725"), 36'725'000'000);
  EXPECT_EQ(*parse_rate("83"), 830'000'000'000);
  EXPECT_EQ(*parse_rate("0.0000000001"), 1);
  EXPECT_EQ(format_rate(36'725'000'000), "3.6725");
  EXPECT_EQ(format_rate(830'000'000'000), "83.0");
  for (const char* bad : {"", "0", "0.0", "-1", "1e3", "1.", ".5", "3,67", "1.00000000001", "100000001", " 1"}) {
    EXPECT_FALSE(parse_rate(bad)) << bad;
  }
}

TEST(Rates, PairsAreReadAsPeopleWriteThem) {
  for (const char* text : {"USD-INR", "USD/INR", "USDINR", "usd_inr", " usd inr"}) {
    auto p = parse_pair(text);
    ASSERT_TRUE(p) << text;
    EXPECT_EQ(p->first, kUsd);
    EXPECT_EQ(p->second, kInr);
  }
  for (const char* bad : {"", "USD", "USD-USD", "USD-XYZ", "USDINRX", "US-DINR1"}) EXPECT_FALSE(parse_pair(bad)) << bad;
}

TEST(Rates, ConversionRoundsDownToTheTargetMinorUnitInIntegers) {
  // 100.00 AED at 0.2722 USD per AED: 27.22 USD exactly; 100.01 AED gives 27.222722 → 27.22.
  EXPECT_EQ(*convert(10'000, rate("0.2722"), kRateScale, kAed, kUsd), 2'722);
  EXPECT_EQ(*convert(10'001, rate("0.2722"), kRateScale, kAed, kUsd), 2'722);
  // Exponents differ: 1.00 USD at 150.255 JPY gives 150 JPY (0 decimals); 1 JPY → KWD (3).
  EXPECT_EQ(*convert(100, rate("150.255"), kRateScale, kUsd, kJpy), 150);
  EXPECT_EQ(*convert(1'000, rate("0.00205"), kRateScale, kJpy, kKwd), 2'050);
  // The inverse direction divides by the ask: 100 INR at 83.5 INR per USD is 1.19 USD (1.1976…).
  EXPECT_EQ(*convert(10'000, kRateScale, rate("83.5"), kInr, kUsd), 119);
  // The least that delivers an amount, and not one minor unit less.
  auto need = *amount_needed(2'722, rate("0.2722"), kRateScale, kAed, kUsd);
  EXPECT_EQ(need, 10'000);
  auto odd = *amount_needed(2'723, rate("0.2722"), kRateScale, kAed, kUsd);
  EXPECT_GE(*convert(odd, rate("0.2722"), kRateScale, kAed, kUsd), 2'723);
  EXPECT_LT(*convert(odd - 1, rate("0.2722"), kRateScale, kAed, kUsd), 2'723);
  // Past the largest amount: an error, never a wrapped number.
  EXPECT_FALSE(convert(900'000'000'000'000'000, rate("100000"), kRateScale, kUsd, kJpy));
  EXPECT_EQ(rate_text(kRateScale, rate("83.5")), "0.0119760479");
}

TEST(RateBook, PicksThePathThatDeliversMostDirectOrThroughAPivot) {
  RateBook book;
  book.put(make("FXAAAEAD", kAed, kUsd, "0.2720", "0.2724"));
  book.put(make("FXAAAEAD", kUsd, kInr, "83.20", "83.40"));
  book.put(make("FXBBINBB", kAed, kInr, "22.50", "22.80"));  // direct, but worse than via USD
  auto p = book.best_send(kAed, kInr, 1'000'000, at());       // 10,000.00 AED
  ASSERT_TRUE(p) << p.error().message;
  ASSERT_EQ(p->hops.size(), 2u);
  EXPECT_EQ(p->hops[0].provider, "FXAAAEAD");
  EXPECT_EQ(p->hops[0].to, kUsd);
  EXPECT_EQ(p->hops[0].amount_out, 272'000);         // 2,720.00 USD
  EXPECT_EQ(p->hops[1].amount_out, 22'630'400);      // 226,304.00 INR
  EXPECT_EQ(p->receive, 22'630'400);
  EXPECT_GT(p->hops[0].mid_out, p->hops[0].amount_out) << "the spread is the hop's cost";
  // A better direct rate wins.
  book.put(make("FXBBINBB", kAed, kInr, "22.70", "22.80"));
  auto direct = book.best_send(kAed, kInr, 1'000'000, at());
  ASSERT_TRUE(direct);
  ASSERT_EQ(direct->hops.size(), 1u);
  EXPECT_EQ(direct->receive, 22'700'000);
  // The reverse direction pays the ask: INR → AED through USD, or directly at 1/22.80.
  auto back = book.best_send(kInr, kAed, 22'700'000, at());
  ASSERT_TRUE(back);
  EXPECT_LT(back->receive, 1'000'000) << "a round trip loses the spreads";
}

TEST(RateBook, NeverUsesAStaleRate) {
  RateBook book;
  book.put(make("FXAAAEAD", kAed, kUsd, "0.2720", "0.2724", kMinute));
  EXPECT_TRUE(book.best_send(kAed, kUsd, 100, at()));
  // Past valid_until.
  auto expired = book.best_send(kAed, kUsd, 100, at(kNow + 2 * kMinute));
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, ErrorCode::kNotFound);
  // Older than the configured age, though still valid.
  SearchLimits aged = at();
  aged.max_age_us = kMinute / 2;
  EXPECT_FALSE(book.best_send(kAed, kUsd, 100, aged));
  // A stale hop in the middle removes the whole path; a live alternative takes over.
  book.put(make("FXAAAEAD", kUsd, kInr, "83.20", "83.40"));
  book.put(make("FXCCAEAD", kAed, kEur, "0.2500", "0.2510"));
  book.put(make("FXCCAEAD", kEur, kInr, "90.00", "90.50"));
  auto later = book.best_send(kAed, kInr, 100'000, at(kNow + 2 * kMinute));
  ASSERT_TRUE(later);
  EXPECT_EQ(later->hops[0].to, kEur);
  EXPECT_FALSE(book.best_send(kAed, kPhp, 100, at())) << "no rate at all";
}

TEST(RateBook, ReceiveSideFindsTheLeastSentAndDeliversAtLeastTheAmount) {
  RateBook book;
  book.put(make("FXAAAEAD", kAed, kUsd, "0.2720", "0.2724"));
  book.put(make("FXAAAEAD", kUsd, kInr, "83.20", "83.40"));
  auto p = book.best_receive(kAed, kInr, 5'000'000, at());  // 50,000.00 INR to the creditor
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_GE(p->receive, 5'000'000);
  auto less = book.best_send(kAed, kInr, p->send - 1, at());
  ASSERT_TRUE(less);
  EXPECT_LT(less->receive, 5'000'000) << "one minor unit less would not do";
  EXPECT_EQ(book.best_send(kAed, kInr, p->send, at())->receive, p->receive);
}

TEST(RateBook, AMoneyMakingCycleIsFound) {
  RateBook book;
  book.put(make("FXAAAEAD", kUsd, kEur, "0.9200", "0.9210"));
  book.put(make("FXAAAEAD", kEur, kGbp, "0.8500", "0.8510"));
  book.put(make("FXAAAEAD", kUsd, kGbp, "0.7800", "0.7830"));
  EXPECT_FALSE(book.money_making_cycle(kUsd, at())) << "consistent rates lose money around every cycle";
  // Another provider buys GBP for far more USD than the others sell it: 1 USD buys 0.78 GBP
  // from the first, which the second buys back for 1.014 USD.
  book.put(make("FXBBGB2L", kGbp, kUsd, "1.3000", "1.3100"));
  auto cycle = book.money_making_cycle(kUsd, at());
  ASSERT_TRUE(cycle);
  EXPECT_EQ(*cycle, "USD→EUR→GBP→USD returns 1.0166 per unit") << "the most profitable walk back";
  EXPECT_TRUE(book.money_making_cycle(kGbp, at())) << "the same cycle, seen from its other currency";
  // A three-conversion cycle: EUR bought cheaply, sold through GBP.
  RateBook three;
  three.put(make("FXAAAEAD", kUsd, kEur, "0.9200", "0.9210"));
  three.put(make("FXAAAEAD", kEur, kGbp, "0.9000", "0.9010"));  // far above the 0.85 cross
  three.put(make("FXAAAEAD", kUsd, kGbp, "0.7800", "0.7830"));
  auto longer = three.money_making_cycle(kUsd, at());
  ASSERT_TRUE(longer);
  EXPECT_EQ(longer->substr(0, longer->find(" returns")), "USD→EUR→GBP→USD") << *longer;
  // A cycle longer than any quote path, with no shorter one: still found (quotes chain).
  const CurrencyId kJpy2 = money::currency_id("JPY");
  RateBook four;
  four.put(make("FXAAAEAD", kUsd, kEur, "0.9200", "0.9300"));
  four.put(make("FXAAAEAD", kEur, kGbp, "0.8600", "0.8700"));
  four.put(make("FXAAAEAD", kGbp, kJpy2, "190.00", "191.00"));
  EXPECT_FALSE(four.money_making_cycle(kJpy2, at()));
  four.put(make("FXAAAEAD", kJpy2, kUsd, "0.0068", "0.0069"));
  auto long_cycle = four.money_making_cycle(kJpy2, at());
  ASSERT_TRUE(long_cycle);
  EXPECT_EQ(long_cycle->substr(0, long_cycle->find(" returns")), "JPY→USD→EUR→GBP→JPY") << *long_cycle;
  // Weak currencies with large rates: no amount overflows hide the cycle.
  const CurrencyId kIdr = money::currency_id("IDR");
  RateBook weak;
  weak.put(make("FXAAAEAD", kEur, kIdr, "17400", "17500"));
  weak.put(make("FXAAAEAD", kUsd, kIdr, "16000", "16100"));
  weak.put(make("FXAAAEAD", kUsd, kEur, "0.9300", "0.9400"));  // 0.93 × 17400 / 16100 = 1.005
  EXPECT_TRUE(weak.money_making_cycle(kUsd, at()));
  // Two providers whose bid and ask cross: 83.40 INR buys 1 USD that sells for 83.50 INR.
  RateBook crossed;
  crossed.put(make("FXAAAEAD", kUsd, kInr, "83.20", "83.40"));
  crossed.put(make("FXBBINBB", kUsd, kInr, "83.50", "83.60"));
  EXPECT_TRUE(crossed.money_making_cycle(kInr, at()));
  crossed.put(make("FXBBINBB", kUsd, kInr, "83.30", "83.60"));
  EXPECT_FALSE(crossed.money_making_cycle(kInr, at()));
}

TEST(RateBook, KeepsOneCurrentRatePerProviderAndPairAndTheHistory) {
  RateBook book;
  book.put(make("FXAAAEAD", kAed, kUsd, "0.2720", "0.2724"));
  book.put(make("FXAAAEAD", kAed, kUsd, "0.2721", "0.2725"));
  book.put(make("FXBBINBB", kAed, kUsd, "0.2719", "0.2726"));
  EXPECT_EQ(book.rates().size(), 2u);
  EXPECT_EQ(book.find("FXAAAEAD", kAed, kUsd)->bid, rate("0.2721"));
  EXPECT_EQ(book.history().size(), 3u);
}

// Tiers: a better rate from an amount on, either way. A send below the tier converts at the
// rate's own numbers, one at or above it at the tier's; a receive that the tier's minimum
// delivers more cheaply than the plain rate sends that minimum; quotes are checked against
// the tier they used.
TEST(Rates, TiersGiveTheirRateFromTheirAmountOn) {
  RateBook book;
  Rate r = make("FXPRAEAD", kUsd, kInr, "83.00", "83.50");
  r.tiers = {Tier{10'000'000, rate("83.20"), rate("83.30")}};  // from 100,000.00 USD
  ASSERT_EQ(tiers_problem(r), "");
  book.put(r);
  auto small = book.best_send(kUsd, kInr, 9'999'999, at());  // 99,999.99 USD
  ASSERT_TRUE(small);
  EXPECT_EQ(small->hops[0].rate_num, rate("83.00"));
  auto large = book.best_send(kUsd, kInr, 10'000'000, at());
  ASSERT_TRUE(large);
  EXPECT_EQ(large->hops[0].rate_num, rate("83.20"));
  EXPECT_EQ(large->receive, 832'000'000);
  EXPECT_GT(large->receive, small->receive);
  // Buying USD with INR: the tier's ask from the INR that buys 100,000.00 USD (8,330,000.00 INR).
  auto buy_small = book.best_send(kInr, kUsd, 833'000'000 - 1, at());
  EXPECT_EQ(buy_small->hops[0].rate_den, rate("83.50"));
  auto buy_large = book.best_send(kInr, kUsd, 833'000'000, at());
  EXPECT_EQ(buy_large->hops[0].rate_den, rate("83.30"));
  EXPECT_EQ(buy_large->receive, 10'000'000);
  // Receive side at the boundary: 8,319,000.00 INR needs 100,228.92 USD at 83.00, but the
  // tier's minimum of 100,000.00 USD at 83.20 already delivers 8,320,000.00 INR: send that.
  auto receive = book.best_receive(kUsd, kInr, 831'900'000, at());
  ASSERT_TRUE(receive);
  EXPECT_EQ(receive->send, 10'000'000);
  EXPECT_GE(receive->receive, 831'900'000);
  // A hop names the tier it used; the book confirms it only for an amount the tier serves.
  EXPECT_TRUE(book.offers(large->hops[0], at()));
  Hop below = large->hops[0];
  below.amount_in = 9'999'999;
  EXPECT_FALSE(book.offers(below, at()));
  EXPECT_TRUE(book.offers(small->hops[0], at()));
  // Malformed tiers are named.
  Rate bad = r;
  bad.tiers.push_back(Tier{5'000'000, rate("83.1"), rate("83.4")});
  EXPECT_NE(tiers_problem(bad), "");
  bad.tiers = {Tier{10'000'000, rate("83.4"), rate("83.3")}};
  EXPECT_NE(tiers_problem(bad), "");
  // Replacing the rate without tiers drops them.
  book.put(make("FXPRAEAD", kUsd, kInr, "83.00", "83.50"));
  EXPECT_EQ(book.best_send(kUsd, kInr, 10'000'000, at())->hops[0].rate_num, rate("83.00"));
}

}  // namespace
}  // namespace deltran::fx
