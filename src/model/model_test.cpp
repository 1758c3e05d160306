#include <gtest/gtest.h>

#include <deltran/model/event.hpp>
#include <deltran/model/payment.hpp>

namespace deltran::model {
namespace {

Event event(int64_t seq, std::string payload) {
  Event e;
  e.seq = seq;
  e.batch = 1;
  e.type = EventType::kPaymentAccepted;
  e.time_us = 1000 + seq;
  e.actor = "BANKAEAD";
  e.entity = "p-" + std::to_string(seq);
  e.party_a = "BANKAEAD";
  e.party_b = "BANKINBB";
  e.scope = EventScope::kParties;
  e.payload = std::move(payload);
  return e;
}

TEST(EventChain, EveryFieldAndTheOrderOfEventsChangeTheHash) {
  std::vector<Event> batch = {event(1, "{\"a\":1}"), event(2, "{\"b\":2}")};
  const std::string h = chain_hash("", batch);
  EXPECT_EQ(h.size(), 64u);
  EXPECT_EQ(chain_hash("", batch), h) << "the hash is a function of its input";
  EXPECT_NE(chain_hash("00", batch), h) << "the previous link counts";
  auto edited = batch;
  edited[1].payload = "{\"b\":3}";
  EXPECT_NE(chain_hash("", edited), h);
  auto reordered = std::vector<Event>{batch[1], batch[0]};
  EXPECT_NE(chain_hash("", reordered), h);
  auto removed = std::vector<Event>{batch[0]};
  EXPECT_NE(chain_hash("", removed), h);
  auto moved = batch;  // the same bytes split differently between fields
  moved[0].actor = "BANKAEADBANKAEAD";
  moved[0].entity = "";
  EXPECT_NE(chain_hash("", moved), h);
  for (auto mutate : {+[](Event& e) { e.actor = "x"; }, +[](Event& e) { e.time_us += 1; },
                      +[](Event& e) { e.type = EventType::kPaymentRejected; }, +[](Event& e) { e.party_b = "y"; },
                      +[](Event& e) { e.scope = EventScope::kPublic; }, +[](Event& e) { e.seq += 10; }}) {
    auto copy = batch;
    mutate(copy[0]);
    EXPECT_NE(chain_hash("", copy), h);
  }
}

TEST(EventTypes, NamesAndNumbersRoundTrip) {
  for (uint32_t n = 0; n < 100; ++n) {
    auto t = event_type_from_number(n);
    if (!t) continue;
    EXPECT_EQ(static_cast<uint32_t>(*t), n);
    EXPECT_EQ(parse_event_type(to_string(*t)), t);
    EXPECT_NE(to_string(*t), "unknown");
  }
  EXPECT_FALSE(parse_event_type("payment.paid_twice"));
}

TEST(PaymentStatus, AQueuedPaymentReadsSettledOnceItsWindowSettled) {
  EXPECT_EQ(effective_status(PaymentStatus::kQueued, true), PaymentStatus::kSettled);
  EXPECT_EQ(effective_status(PaymentStatus::kQueued, false), PaymentStatus::kQueued);
  EXPECT_EQ(effective_status(PaymentStatus::kRejected, true), PaymentStatus::kRejected);
  EXPECT_EQ(effective_status(PaymentStatus::kHeld, true), PaymentStatus::kHeld);
}

}  // namespace
}  // namespace deltran::model
