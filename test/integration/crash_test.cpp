// kill -9 under load: every acknowledged payment survives, retries stay idempotent, and
// every invariant holds after the restart.
#include <atomic>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

namespace json = boost::json;

struct Sent {
  std::string key;
  std::string bank;
  std::string body;
};

TEST(Crash, KillNineUnderLoadLosesNoAcknowledgedPaymentAndKeepsEveryInvariant) {
  fs::path dir = temp_dir("crash");
  ServerProcess server(dir / "data");
  server.start();
  const std::vector<std::string> banks = {"CRSHAEAA", "CRSHAEBB", "CRSHAECC", "CRSHAEDD"};
  std::map<std::string, std::string> keys;
  {
    auto admin = server.client();
    for (const auto& b : banks) {
      auto r = admin.request("POST", "/api/v1/banks",
                             "{\"id\":\"" + b + "\",\"name\":\"" + b + "\",\"country\":\"AE\",\"currencies\":[\"USD\"]," +
                                 "\"net_debit_cap\":{\"USD\":\"100000.00\"}}",
                             bearer(server.admin_key()));
      ASSERT_TRUE(r && r->status == 201);
      keys[b] = std::string(parse(r->body).at("api_key").as_string());
      auto m = admin.request("POST", "/api/v1/tokens/mint",
                             "{\"bank\":\"" + b + "\",\"currency\":\"USD\",\"amount\":\"1000000.00\",\"reference\":\"F-" + b + "\"}",
                             bearer(server.admin_key()));
      ASSERT_TRUE(m && m->status == 200);
    }
  }

  std::mutex mu;
  std::map<std::string, std::string> acked;  // idempotency key -> payment id
  std::vector<Sent> unacked;                 // sent, no answer seen: may or may not exist
  int closes_acked = 0;

  for (int cycle = 0; cycle < 3; ++cycle) {
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int t = 0; t < 6; ++t) {
      clients.emplace_back([&, t] {
        auto c = server.client();
        for (int i = 0; !stop.load(); ++i) {
          const std::string& from = banks[static_cast<size_t>((t + i) % 4)];
          const std::string& to = banks[static_cast<size_t>((t + i + 1 + i % 3) % 4)];
          if (from == to) continue;
          std::string key = "c" + std::to_string(cycle) + "-t" + std::to_string(t) + "-" + std::to_string(i);
          std::string body = "{\"amount\":\"" + std::to_string(1 + (i * 37 + t) % 900) + ".25\",\"currency\":\"USD\","
                             "\"debtor_agent\":\"" + from + "\",\"creditor_agent\":\"" + to + "\","
                             "\"debtor\":{\"name\":\"D\"},\"creditor\":{\"name\":\"C\"},\"end_to_end_id\":\"" + key + "\"}";
          Headers h = bearer(keys.at(from));
          h.emplace_back("Idempotency-Key", key);
          auto r = c.request("POST", "/api/v1/transfer", body, h);
          std::lock_guard lock(mu);
          if (r && r->status == 202) {
            acked[key] = std::string(parse(r->body).at("id").as_string());
          } else if (!r) {
            unacked.push_back({key, from, body});
            return;  // the server is gone
          }
        }
      });
    }
    // A window close in the same stream as the load.
    std::thread closer([&] {
      auto c = server.client();
      std::this_thread::sleep_for(std::chrono::milliseconds(300));
      auto w = c.request("GET", "/api/v1/windows?currency=USD&limit=1", "", bearer(server.admin_key()));
      if (!w || w->status != 200) return;
      auto id = parse(w->body).at("items").as_array().at(0).at("id").as_int64();
      auto r = c.request("POST", "/api/v1/windows/" + std::to_string(id) + "/close", "", bearer(server.admin_key()));
      if (r && r->status == 200) {
        std::lock_guard lock(mu);
        ++closes_acked;
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(900 + cycle * 200));
    server.kill_hard();
    stop = true;
    for (auto& t : clients) t.join();
    closer.join();
    ASSERT_GT(acked.size(), 100u) << "the load did not run";

    auto [code, out] = run_check(server.data());
    ASSERT_EQ(code, 0) << "after kill -9 in cycle " << cycle << ":\n" << out;
    server.start();
    auto c = server.client();
    // Every acknowledged payment is there.
    std::lock_guard lock(mu);
    for (const auto& [key, id] : acked) {
      auto r = c.request("GET", "/api/v1/transaction/" + id, "", bearer(server.admin_key()));
      ASSERT_TRUE(r.has_value());
      ASSERT_EQ(r->status, 200) << "acknowledged payment " << id << " (" << key << ") lost in cycle " << cycle;
    }
    // A retry of a request whose answer was lost gives one payment, never two.
    for (const auto& s : unacked) {
      Headers h = bearer(keys.at(s.bank));
      h.emplace_back("Idempotency-Key", s.key);
      auto r1 = c.request("POST", "/api/v1/transfer", s.body, h);
      auto r2 = c.request("POST", "/api/v1/transfer", s.body, h);
      ASSERT_TRUE(r1 && r2);
      ASSERT_EQ(r1->status, 202) << r1->body;
      ASSERT_EQ(r1->body, r2->body);
      acked[s.key] = std::string(parse(r1->body).at("id").as_string());
    }
    unacked.clear();
  }
  // Settle what is left, then every invariant once more, and no payment twice.
  auto c = server.client();
  auto w = c.request("GET", "/api/v1/windows?currency=USD&limit=1", "", bearer(server.admin_key()));
  ASSERT_TRUE(w && w->status == 200);
  auto id = parse(w->body).at("items").as_array().at(0).at("id").as_int64();
  auto closed = c.request("POST", "/api/v1/windows/" + std::to_string(id) + "/close", "", bearer(server.admin_key()));
  ASSERT_TRUE(closed && closed->status == 200) << (closed ? closed->body : closed.error().message);
  EXPECT_EQ(server.stop(), 0) << "graceful stop on SIGTERM";
  auto [code, out] = run_check(server.data());
  EXPECT_EQ(code, 0) << out;
  std::set<std::string> ids;
  for (const auto& [key, pid] : acked) ids.insert(pid);
  EXPECT_EQ(ids.size(), acked.size()) << "two keys answered with one payment id";
  auto payments_line = out.substr(out.find(": ") + 2);
  int64_t stored = std::stoll(payments_line);
  EXPECT_EQ(stored, static_cast<int64_t>(acked.size())) << "stored payments differ from acknowledged ones: " << out;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::testing
