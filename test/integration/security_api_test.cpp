// Security over real HTTP: a participant's two API keys and their rotation, the admin's
// recovery of a lost key, revocation, all surviving a restart and all in the event log;
// request-rate tiers answering 429 with Retry-After; connection limits per address, the
// header-count limit and the read deadline that cuts off slow clients.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

namespace json = boost::json;

Headers json_auth(const std::string& key) {
  Headers h = bearer(key);
  h.emplace_back("Content-Type", "application/json");
  return h;
}

struct Answer {
  int status = 0;
  json::value body;
  gateway::Response raw;
};

Answer call(ServerProcess& s, const std::string& method, const std::string& path, const std::string& body,
            const Headers& h) {
  auto c = s.client();
  auto r = c.request(method, path, body, h);
  EXPECT_TRUE(r.has_value()) << method << " " << path;
  if (!r) return {};
  Answer a;
  a.status = r->status;
  a.raw = *r;
  boost::system::error_code ec;
  a.body = json::parse(r->body, ec);
  return a;
}

std::string create_bank(ServerProcess& s, const std::string& bic) {
  auto r = call(s, "POST", "/api/v1/banks",
                "{\"id\":\"" + bic + "\",\"name\":\"" + bic + "\",\"country\":\"AE\",\"currencies\":[\"USD\"]}",
                json_auth(s.admin_key()));
  EXPECT_EQ(r.status, 201) << r.raw.body;
  return r.status == 201 ? std::string(r.body.at("api_key").as_string()) : "";
}

int balance_status(ServerProcess& s, const std::string& bic, const std::string& key) {
  return call(s, "GET", "/api/v1/banks/" + bic + "/balance", "", bearer(key)).status;
}

std::string key_id_of(const Answer& a) { return std::string(a.body.at("key_id").as_string()); }

TEST(SecurityApi, AParticipantRotatesItsKeyAndTheAdminRecoversALostOne) {
  const auto dir = temp_dir("keys");
  ServerProcess s(dir / "data");
  s.start();
  const std::string first = create_bank(s, "KEYSAEAA");
  create_bank(s, "KEYSAEBB");
  ASSERT_EQ(balance_status(s, "KEYSAEAA", first), 200);
  // A lost answer to POST /banks cannot be replayed: the retry says where the way back is.
  auto again = call(s, "POST", "/api/v1/banks",
                    "{\"id\":\"KEYSAEAA\",\"name\":\"x\",\"country\":\"AE\",\"currencies\":[\"USD\"]}", json_auth(s.admin_key()));
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.raw.body.find("/api/v1/banks/KEYSAEAA/keys"), std::string::npos) << again.raw.body;

  auto listed = call(s, "GET", "/api/v1/banks/KEYSAEAA/keys", "", bearer(first));
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body.at("keys").as_array().size(), 1u);
  const std::string first_id(listed.body.at("calling_with").as_string());
  EXPECT_EQ(std::string(listed.body.at("keys").as_array()[0].at("id").as_string()), first_id);
  EXPECT_EQ(listed.raw.body.find("sha256"), std::string::npos) << "no hash is shown";

  // Rotation: a second key, both work, a third is refused until one is revoked.
  auto issued = call(s, "POST", "/api/v1/banks/KEYSAEAA/keys", "", bearer(first));
  ASSERT_EQ(issued.status, 201) << issued.raw.body;
  const std::string second(issued.body.at("api_key").as_string());
  const std::string second_id = key_id_of(issued);
  EXPECT_NE(second, first);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", first), 200);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", second), 200);
  auto third = call(s, "POST", "/api/v1/banks/KEYSAEAA/keys", "", bearer(second));
  EXPECT_EQ(third.status, 409);
  EXPECT_EQ(third.body.at("error").at("code").as_string(), "key_limit");
  // Another participant can neither issue nor revoke them.
  const std::string other = create_bank(s, "KEYSAECC");
  EXPECT_EQ(call(s, "POST", "/api/v1/banks/KEYSAEAA/keys", "", bearer(other)).status, 403);
  EXPECT_EQ(call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/" + second_id, "", bearer(other)).status, 403);
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/KEYSAEAA/keys", "", bearer(other)).status, 403);
  // A key cannot revoke the bank's other key (a leaked key could lock the bank out), nor
  // replace it; the first revokes itself, and stops working at once.
  auto crossed = call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/" + first_id, "", bearer(second));
  EXPECT_EQ(crossed.status, 403) << crossed.raw.body;
  EXPECT_EQ(call(s, "POST", "/api/v1/banks/KEYSAEAA/keys", "{\"revokes\":\"" + first_id + "\"}", json_auth(second)).status, 403);
  // The bank sees its own key events: a key it did not ask for would show.
  auto own = call(s, "GET", "/api/v1/events?limit=1000", "", bearer(first));
  int own_issued = 0;
  for (const auto& e : own.body.at("items").as_array()) {
    own_issued += e.at("type").as_string() == "credential.issued" && e.at("entity").as_string() == "KEYSAEAA" ? 1 : 0;
  }
  EXPECT_EQ(own_issued, 2);
  auto revoked = call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/" + first_id, "", bearer(first));
  ASSERT_EQ(revoked.status, 200) << revoked.raw.body;
  EXPECT_EQ(balance_status(s, "KEYSAEAA", first), 401);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", second), 200);
  // A participant may not revoke its last key; an unknown or malformed key id is refused.
  auto last = call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/" + second_id, "", bearer(second));
  EXPECT_EQ(last.status, 409);
  EXPECT_EQ(last.body.at("error").at("code").as_string(), "last_key");
  EXPECT_EQ(call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/k_0123456789abcdef", "", bearer(second)).status, 403);
  EXPECT_EQ(call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/k_0123456789abcdef", "", bearer(s.admin_key())).status, 404);
  EXPECT_EQ(call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/..%2F..%2Fetc", "", bearer(second)).status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/banks/KEYSAEAA/keys", "{\"revokes\":\"nope\"}", json_auth(second)).status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/banks/KEYSAEAA/keys", "{\"other\":1}", json_auth(second)).status, 400);

  // Recovery: the bank lost its only key; the admin issues a new one in its place.
  auto recovered = call(s, "POST", "/api/v1/banks/KEYSAEAA/keys", "{\"revokes\":\"" + second_id + "\"}",
                        json_auth(s.admin_key()));
  ASSERT_EQ(recovered.status, 201) << recovered.raw.body;
  const std::string third_key(recovered.body.at("api_key").as_string());
  EXPECT_EQ(std::string(recovered.body.at("revoked").as_string()), second_id);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", second), 401);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", third_key), 200);

  // The log holds every step, and who took it.
  auto events = call(s, "GET", "/api/v1/events?limit=1000", "", bearer(s.auditor_key()));
  ASSERT_EQ(events.status, 200);
  int issued_n = 0, revoked_n = 0;
  bool admin_issued = false;
  for (const auto& e : events.body.at("items").as_array()) {
    const auto& o = e.as_object();
    if (o.at("entity").as_string() != "KEYSAEAA") continue;
    if (o.at("type").as_string() == "credential.issued") {
      ++issued_n;
      admin_issued = admin_issued || o.at("actor").as_string() == "admin";
    }
    if (o.at("type").as_string() == "credential.revoked") ++revoked_n;
  }
  EXPECT_EQ(issued_n, 3);  // at creation, the rotation, the recovery
  EXPECT_EQ(revoked_n, 2);
  EXPECT_TRUE(admin_issued);

  // A restart (from the snapshot of a clean stop, then from the events alone) keeps it all.
  ASSERT_EQ(s.stop(), 0);
  s.start();
  EXPECT_EQ(balance_status(s, "KEYSAEAA", third_key), 200);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", second), 401);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", first), 401);
  s.kill_hard();
  fs::remove_all(dir / "data" / "snapshots");
  s.start();
  EXPECT_EQ(balance_status(s, "KEYSAEAA", third_key), 200);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", first), 401);

  // The admin may revoke a participant's last key: that suspends it.
  auto listed_now = call(s, "GET", "/api/v1/banks/KEYSAEAA/keys", "", bearer(s.admin_key()));
  ASSERT_EQ(listed_now.body.at("keys").as_array().size(), 1u);
  const std::string only(listed_now.body.at("keys").as_array()[0].at("id").as_string());
  EXPECT_EQ(call(s, "DELETE", "/api/v1/banks/KEYSAEAA/keys/" + only, "", bearer(s.admin_key())).status, 200);
  EXPECT_EQ(balance_status(s, "KEYSAEAA", third_key), 401);
  auto [rc, out] = run_check(s.data());
  EXPECT_EQ(rc, 0) << out;
  s.stop();
  fs::remove_all(dir);
}

TEST(SecurityApi, ParticipantsAreHeldToTheirRateTierPerRoute) {
  const auto dir = temp_dir("rate");
  ServerProcess s(dir / "data");
  // A default tier of standard's burst (20) refilling slowly (one a minute), so the count
  // does not depend on how fast the machine sends.
  s.env = {"DELTRAN_RATE_LIMIT_DEFAULT_TIER=slow", "DELTRAN_RATE_LIMIT_TIERS=tiny=2/3,slow=1/20"};
  s.start();
  const std::string key = create_bank(s, "RATEAEAA");
  // The default tier: a burst of 20, then refused.
  int ok = 0;
  for (int i = 0; i < 20; ++i) ok += balance_status(s, "RATEAEAA", key) == 200 ? 1 : 0;
  EXPECT_EQ(ok, 20);
  auto over = call(s, "GET", "/api/v1/banks/RATEAEAA/balance", "", bearer(key));
  EXPECT_EQ(over.status, 429) << over.raw.body;
  EXPECT_EQ(over.body.at("error").at("code").as_string(), "rate_limited");
  bool retry_after = false;
  for (const auto& [k, v] : over.raw.headers) retry_after = retry_after || (k == "Retry-After" && std::stoi(v) >= 1);
  EXPECT_TRUE(retry_after);
  // Per route: another route has its own bucket; the staff are not limited.
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/RATEAEAA", "", bearer(key)).status, 200);
  for (int i = 0; i < 40; ++i) ASSERT_EQ(call(s, "GET", "/api/v1/banks/RATEAEAA/balance", "", bearer(s.admin_key())).status, 200);

  // A tier set by the admin: checked, then held, and kept across a restart.
  EXPECT_EQ(call(s, "PUT", "/api/v1/banks/RATEAEAA/rate-tier", "{\"tier\":\"gold\"}", json_auth(s.admin_key())).status, 400);
  EXPECT_EQ(call(s, "PUT", "/api/v1/banks/RATEAEAA/rate-tier", "{\"tier\":7}", json_auth(s.admin_key())).status, 400);
  EXPECT_EQ(call(s, "PUT", "/api/v1/banks/RATEAEAA/rate-tier", "{\"tier\":\"tiny\"}", json_auth(key)).status, 403);
  auto set = call(s, "PUT", "/api/v1/banks/RATEAEAA/rate-tier", "{\"tier\":\"tiny\"}", json_auth(s.admin_key()));
  ASSERT_EQ(set.status, 200) << set.raw.body;
  EXPECT_EQ(set.body.at("burst").as_int64(), 3);
  ASSERT_EQ(s.stop(), 0);
  s.start();
  ok = 0;
  for (int i = 0; i < 3; ++i) ok += call(s, "GET", "/api/v1/windows", "", bearer(key)).status == 200 ? 1 : 0;
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(call(s, "GET", "/api/v1/windows", "", bearer(key)).status, 429);
  // A refused request changes nothing, and is counted.
  auto metrics = call(s, "GET", "/metrics", "", {});
  EXPECT_NE(metrics.raw.body.find("\nhttp_rate_limited_total 1\n"), std::string::npos);
  // Back on the default tier.
  auto reset = call(s, "PUT", "/api/v1/banks/RATEAEAA/rate-tier", "{\"tier\":null}", json_auth(s.admin_key()));
  EXPECT_EQ(reset.status, 200);
  EXPECT_EQ(reset.body.at("effective_tier").as_string(), "slow");
  s.stop();
  fs::remove_all(dir);
}

// What the server sends on `fd` until it closes or `timeout_ms` passes; `closed` says which.
std::string read_all(int fd, int timeout_ms, bool* closed) {
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<size_t>(n));
  *closed = n == 0;
  return got;
}

TEST(SecurityApi, ConnectionFloodsHeaderFloodsAndSlowClientsAreCutOff) {
  const auto dir = temp_dir("floods");
  ServerProcess s(dir / "data");
  s.env = {"DELTRAN_HTTP_MAX_CONNECTIONS_PER_ADDRESS=4", "DELTRAN_HTTP_READ_TIMEOUT_SECONDS=2"};
  s.start();
  // Four idle connections from one address are held; a fifth is closed on arrival.
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(connect_loopback(s.port()));
    ASSERT_GE(held.back(), 0);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  int fifth = connect_loopback(s.port());
  ASSERT_GE(fifth, 0);
  bool closed = false;
  std::string got = read_all(fifth, 1500, &closed);
  EXPECT_TRUE(closed) << "the fifth connection was kept";
  EXPECT_EQ(got, "");
  ::close(fifth);
  // The held ones are idle: the read deadline closes them, and the address may connect again.
  for (int fd : held) {
    read_all(fd, 4000, &closed);
    EXPECT_TRUE(closed) << "an idle connection outlived the read deadline";
    ::close(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(call(s, "GET", "/health", "", {}).status, 200);

  // Slowloris: a request head sent a little at a time, never finished, is cut off.
  int slow = connect_loopback(s.port());
  const std::string head = "GET /api/v1/banks HTTP/1.1\r\nHost: x\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  for (char ch : head) {
    if (::send(slow, &ch, 1, MSG_NOSIGNAL) != 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
  }
  read_all(slow, 5000, &closed);
  EXPECT_TRUE(closed);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
  ::close(slow);

  // A flood of small header fields: 431 on the count, though under the byte limit.
  int flood = connect_loopback(s.port());
  std::string many = "GET /health HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 100; ++i) many += "X-F" + std::to_string(i) + ": 1\r\n";
  many += "\r\n";
  (void)!::send(flood, many.data(), many.size(), MSG_NOSIGNAL);
  got = read_all(flood, 3000, &closed);
  EXPECT_EQ(got.rfind("HTTP/1.1 431", 0), 0u) << got;
  ::close(flood);

  auto metrics = call(s, "GET", "/metrics", "", {});
  const std::string& m = metrics.raw.body;
  EXPECT_NE(m.find("http_connections_refused_total{reason=\"per_address_limit\"} 1"), std::string::npos) << m.substr(0, 200);
  EXPECT_NE(m.find("\nhttp_header_limit_total 1\n"), std::string::npos);
  // The slow client, not the idle connections (they had sent nothing).
  EXPECT_NE(m.find("\nhttp_requests_timed_out_total 1\n"), std::string::npos);
  EXPECT_EQ(call(s, "GET", "/health", "", {}).status, 200);
  s.stop();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::testing
