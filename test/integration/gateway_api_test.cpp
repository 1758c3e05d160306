// The gateway over real HTTP: every route walked with every role, authentication before a
// body is read, deduplication on the EndToEndId when there is no Idempotency-Key, and the
// event log as each caller may read it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

namespace json = boost::json;

class GatewayApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(temp_dir("gateway"));
    server_ = new ServerProcess(*dir_ / "data");
    server_->start();
    keys_ = new std::map<std::string, std::string>();
    auto c = server_->client();
    for (const char* b : {"GATEAEAA", "GATEAEBB", "GATEAECC", "GATEAEFX"}) {
      const std::string roles = std::string(b) == "GATEAEFX" ? ",\"roles\":[\"fx_provider\"]" : "";
      auto r = c.request("POST", "/api/v1/banks",
                         std::string("{\"id\":\"") + b + "\",\"name\":\"" + b + "\",\"country\":\"AE\",\"currencies\":[\"USD\"]" +
                             roles + "}",
                         bearer(server_->admin_key()));
      ASSERT_TRUE(r && r->status == 201) << (r ? r->body : r.error().message);
      (*keys_)[b] = std::string(parse(r->body).at("api_key").as_string());
      auto m = c.request("POST", "/api/v1/tokens/mint",
                         std::string("{\"bank\":\"") + b + "\",\"currency\":\"USD\",\"amount\":\"100000.00\",\"reference\":\"F-" + b + "\"}",
                         bearer(server_->admin_key()));
      ASSERT_TRUE(m && m->status == 200);
    }
  }
  static void TearDownTestSuite() {
    delete server_;
    fs::remove_all(*dir_);
    delete dir_;
    delete keys_;
  }
  static std::string payment(const std::string& from, const std::string& to, const std::string& amount,
                             const std::string& e2e = "") {
    std::string body = "{\"amount\":\"" + amount + "\",\"currency\":\"USD\",\"debtor_agent\":\"" + from +
                       "\",\"creditor_agent\":\"" + to + "\",\"debtor\":{\"name\":\"Debtor\"},\"creditor\":{\"name\":\"Creditor\"}";
    if (!e2e.empty()) body += ",\"end_to_end_id\":\"" + e2e + "\"";
    return body + "}";
  }
  gateway::Response call(const std::string& method, const std::string& path, const std::string& body,
                         const Headers& h) {
    auto r = client_.request(method, path, body, h);
    EXPECT_TRUE(r.has_value()) << method << " " << path << ": " << (r ? "" : r.error().message);
    return r ? *r : gateway::Response{};
  }

  static fs::path* dir_;
  static ServerProcess* server_;
  static std::map<std::string, std::string>* keys_;
  gateway::HttpClient client_ = server_->client();
};

fs::path* GatewayApiTest::dir_ = nullptr;
ServerProcess* GatewayApiTest::server_ = nullptr;
std::map<std::string, std::string>* GatewayApiTest::keys_ = nullptr;

// `deltran routes`: "METHOD /pattern roles".
std::vector<std::tuple<std::string, std::string, std::string>> route_table() {
  FILE* p = popen((std::string(DELTRAN_BINARY) + " routes").c_str(), "r");
  std::vector<std::tuple<std::string, std::string, std::string>> out;
  char line[512];
  while (p != nullptr && fgets(line, sizeof line, p) != nullptr) {
    std::istringstream in(line);
    std::string method, pattern, roles;
    in >> method >> pattern >> roles;
    out.emplace_back(method, pattern, roles);
  }
  if (p != nullptr) pclose(p);
  return out;
}

// Who each route admits, written out here as the contract the security review signed, so
// that a route widened or narrowed by mistake fails this test rather than passing silently.
const std::map<std::string, std::string>& expected_roles() {
  static const std::string staff = "admin,operator,compliance,auditor";
  static const std::string anyone = staff + ",participant";
  static const std::map<std::string, std::string> table = {
      {"GET /health", "public"},
      {"GET /ready", "public"},
      {"GET /metrics", "public"},
      {"POST /api/v1/auth/login", "public"},
      {"POST /api/v1/auth/refresh", "public"},
      {"POST /api/v1/auth/logout", "admin,operator,compliance,auditor,participant,fx_provider,settlement_bank"},
      {"GET /api/v1/auth/session", "admin,operator,compliance,auditor,participant,fx_provider,settlement_bank"},
      {"POST /api/v1/auth/signing-keys/rotate", "admin"},
      {"GET /api/v1/audit", "admin,auditor"},
      {"POST /api/v1/transfer", "admin,participant"},
      {"GET /api/v1/transaction/{id}", anyone},
      {"GET /api/v1/transactions", anyone},
      {"POST /api/v1/banks", "admin"},
      {"GET /api/v1/banks", anyone},
      {"GET /api/v1/banks/{id}", anyone},
      {"GET /api/v1/banks/{id}/balance", anyone},
      {"PUT /api/v1/banks/{id}/clearing-ids", "admin"},
      {"PUT /api/v1/banks/{id}/roles", "admin"},
      {"PUT /api/v1/banks/{id}/rate-tier", "admin"},
      {"GET /api/v1/banks/{id}/keys", anyone},
      {"POST /api/v1/banks/{id}/keys", "admin,participant"},
      {"DELETE /api/v1/banks/{id}/keys/{key_id}", "admin,participant"},
      {"PUT /api/v1/fx/rates/{pair}", "admin,fx_provider"},
      {"POST /api/v1/fx/quotes", "admin,participant"},
      {"GET /api/v1/corridors", anyone},
      {"GET /api/v1/rates/{corridor}", anyone},
      {"GET /api/v1/liquidity/positions", anyone},
      {"GET /api/v1/liquidity/gaps", staff},
      {"POST /api/v1/liquidity/predict", anyone},
      {"GET /api/v1/tokens/balance/{id}", anyone},
      {"POST /api/v1/tokens/mint", "admin"},
      {"POST /api/v1/tokens/burn", "admin"},
      {"POST /api/v1/tokens/transfer", "admin"},
      {"POST /api/v1/tokens/convert", "admin"},
      {"POST /api/v1/tokens/lock", "admin"},
      {"POST /api/v1/tokens/unlock", "admin"},
      {"GET /api/v1/windows", anyone + ",settlement_bank"},
      {"GET /api/v1/windows/{id}", anyone + ",settlement_bank"},
      {"GET /api/v1/windows/{id}/positions", anyone + ",settlement_bank"},
      {"POST /api/v1/windows/{id}/close", "admin,operator"},
      {"GET /api/v1/events", anyone},
      {"POST /api/v1/iso20022/pain.001", "admin,participant"},
      {"POST /api/v1/iso20022/pacs.008", "admin,participant"},
      {"GET /api/v1/iso20022/camt.053", anyone},
      {"GET /api/v1/iso20022/camt.054", anyone},
      {"GET /api/v1/compliance/cases", "admin,compliance,auditor"},
      {"GET /api/v1/compliance/cases/{id}", "admin,compliance,auditor"},
      {"POST /api/v1/compliance/cases/{id}/approve", "compliance"},
      {"POST /api/v1/compliance/cases/{id}/reject", "compliance"},
      {"POST /api/v1/compliance/check", "admin,compliance"},
      {"POST /api/v1/compliance/lists/reload", "admin,operator,compliance"},
      {"GET /api/v1/compliance/reports", "admin,compliance,auditor"},
      {"GET /api/v1/risk/limits/{bank}", anyone},
      {"PUT /api/v1/risk/limits/{bank}", "admin"},
      {"POST /api/v1/risk/evaluate", anyone},
      {"GET /api/v1/risk/circuit-breakers", anyone},
      {"POST /api/v1/risk/circuit-breakers/{id}/reset", "admin,operator"},
  };
  return table;
}

// The routes a participant reaches only for its own data (the placeholder names a bank).
bool own_data_only(const std::string& pattern) {
  for (const char* p : {"/balance", "/keys", "/tokens/balance/", "/risk/limits/"}) {
    if (pattern.find(p) != std::string::npos) return true;
  }
  return false;
}

int64_t event_seq(gateway::HttpClient& c) {
  auto r = c.request("GET", "/metrics", "", {});
  if (!r) return -1;
  const std::string name = "\ncore_event_seq ";
  auto at = r->body.find(name);
  return at == std::string::npos ? -1 : std::stoll(r->body.substr(at + name.size()));
}

TEST_F(GatewayApiTest, TheRouteTableIsTheOneSignedOff) {
  std::map<std::string, std::string> printed;
  for (const auto& [method, pattern, roles] : route_table()) printed[method + " " + pattern] = roles;
  for (const auto& [route, roles] : expected_roles()) {
    auto it = printed.find(route);
    if (it == printed.end()) {
      ADD_FAILURE() << route << " is gone from the route table";
      continue;
    }
    EXPECT_EQ(it->second, roles) << route;
  }
  for (const auto& [route, roles] : printed) {
    EXPECT_EQ(expected_roles().count(route), 1u) << route << " (" << roles << ") is new: add it to the signed table";
  }
  // The auditor changes nothing: it is admitted to reads, to the two POSTs that only compute, and to its own logout.
  for (const auto& [route, roles] : expected_roles()) {
    if (roles.find("auditor") == std::string::npos || route.rfind("GET ", 0) == 0) continue;
    // Logout ends only the caller's own session.
    EXPECT_TRUE(route == "POST /api/v1/liquidity/predict" || route == "POST /api/v1/risk/evaluate" ||
                route == "POST /api/v1/auth/logout")
        << route;
  }
}

// Every route, with every role: a role the route does not admit is refused (401 without
// a key, 403 with one) before anything happens; a role it admits is never refused by
// role, and nothing answers 5xx. Placeholders name the first participant's data, so the
// other participant (the FX provider) is refused on the own-data routes.
TEST_F(GatewayApiTest, EveryRouteAnswersEveryRoleAsItsTableSays) {
  auto routes = route_table();
  ASSERT_GE(routes.size(), 50u);
  Headers none;
  const std::vector<std::pair<std::string, Headers>> roles = {
      {"auditor", bearer(server_->auditor_key())},  // first: it must change nothing
      {"admin", bearer(server_->admin_key())},
      {"operator", bearer(server_->operator_key())},
      {"compliance", bearer(server_->compliance_key())},
      {"participant", bearer(keys_->at("GATEAEAA"))},
      {"fx_provider", bearer(keys_->at("GATEAEFX"))},
      {"settlement_bank", bearer(server_->settlement_bank_key())},
  };
  auto sent = call("POST", "/api/v1/transfer", payment("GATEAEAA", "GATEAEBB", "1.00", "ROUTES-1"), bearer(keys_->at("GATEAEAA")));
  ASSERT_EQ(sent.status, 202) << sent.body;
  const std::string payment_id(parse(sent.body).at("id").as_string());
  int walked = 0;
  const int64_t seq_before = event_seq(client_);
  ASSERT_GT(seq_before, 0) << "core_event_seq is in /metrics";
  for (size_t pass = 0; pass < 2; ++pass) {
  // Pass 0 walks every route as the auditor alone; pass 1 with every other role.
  for (const auto& [method, pattern, admitted] : routes) {
    std::string path = pattern;
    auto fill = [&](const std::string& placeholder, const std::string& value) {
      if (auto at = path.find(placeholder); at != std::string::npos) path.replace(at, placeholder.size(), value);
    };
    if (pattern.find("/transaction/") != std::string::npos) fill("{id}", payment_id);
    if (pattern.find("circuit-breakers") != std::string::npos) fill("{id}", "participant:GATEAEAA");
    if (pattern.find("/banks/") != std::string::npos || pattern.find("/tokens/") != std::string::npos) fill("{id}", "GATEAEAA");
    fill("{bank}", "GATEAEAA");
    fill("{key_id}", "k_0000000000000000");
    fill("{id}", "1");
    // Bodies that fail validation: what matters here is who gets past the door.
    const std::string body = method == "GET" ? "" : pattern.find("iso20022") != std::string::npos ? "<x/>" : "{}";
    Headers h_none;
    if (pattern.find("iso20022") != std::string::npos) h_none.emplace_back("Content-Type", "application/xml");
    if (admitted != "public" && pass == 1) {
      EXPECT_EQ(call(method, path, body, h_none).status, 401) << method << " " << path << " without a key";
    }
    for (const auto& [role, headers] : roles) {
      if ((pass == 0) != (role == "auditor")) continue;
      Headers h = headers;
      for (const auto& extra : h_none) h.push_back(extra);
      auto r = call(method, path, body, h);
      // An FX provider is a participant too.
      const bool admits = admitted == "public" || admitted.find(role) != std::string::npos ||
                          (role == "fx_provider" && admitted.find("participant") != std::string::npos);
      EXPECT_LT(r.status, 500) << method << " " << path << " as " << role << ": " << r.body;
      if (!admits) {
        EXPECT_EQ(r.status, 403) << method << " " << path << " as " << role << ": " << r.body;
        EXPECT_NE(r.body.find("role"), std::string::npos) << method << " " << path << " as " << role << ": " << r.body;
      } else if (role == "fx_provider" && own_data_only(pattern) && admitted.find("fx_provider") == std::string::npos) {
        // Another participant's data: refused whatever the route admits.
        EXPECT_EQ(r.status, 403) << method << " " << path << " as " << role << ": " << r.body;
      } else {
        EXPECT_NE(r.status, 401) << method << " " << path << " as " << role;
        if (r.status == 403) {
          // Only the own-data rules may still refuse an admitted role, never the role itself.
          EXPECT_EQ(r.body.find("role"), std::string::npos) << method << " " << path << " as " << role << ": " << r.body;
        }
      }
      ++walked;
    }
  }
  if (pass == 0) {
    EXPECT_EQ(event_seq(client_), seq_before) << "the auditor's walk changed the rail's state";
  }
  }
  EXPECT_GE(walked, 7 * 50);
  // The server is still healthy after all of it.
  EXPECT_EQ(call("GET", "/health", "", none).status, 200);
}

TEST_F(GatewayApiTest, WithoutAnIdempotencyKeyTheEndToEndIdDeduplicates) {
  const Headers as_a = bearer(keys_->at("GATEAEAA"));  // no Idempotency-Key
  auto first = call("POST", "/api/v1/transfer", payment("GATEAEAA", "GATEAEBB", "12.00", "INV-DEDUP-1"), as_a);
  ASSERT_EQ(first.status, 202) << first.body;
  // The same request again: the first answer, no second payment.
  auto again = call("POST", "/api/v1/transfer", payment("GATEAEAA", "GATEAEBB", "12.00", "INV-DEDUP-1"), as_a);
  EXPECT_EQ(again.status, 202);
  EXPECT_EQ(parse(again.body).at("id"), parse(first.body).at("id"));
  bool replayed = false;
  for (const auto& [k, v] : again.headers) replayed = replayed || (k == "Idempotent-Replayed" && v == "true");
  EXPECT_TRUE(replayed);
  // Another payment with the same EndToEndId: a duplicate, refused.
  auto other = call("POST", "/api/v1/transfer", payment("GATEAEAA", "GATEAEBB", "13.00", "INV-DEDUP-1"), as_a);
  EXPECT_EQ(other.status, 409) << other.body;
  EXPECT_EQ(parse(other.body).at("error").at("reason").as_string(), "DUPL");
  EXPECT_EQ(parse(other.body).at("error").at("code").as_string(), "duplicate_payment");
  // Another debtor agent may use the same EndToEndId: the scope is the sender.
  auto other_bank = call("POST", "/api/v1/transfer", payment("GATEAEBB", "GATEAEAA", "13.00", "INV-DEDUP-1"),
                         bearer(keys_->at("GATEAEBB")));
  EXPECT_EQ(other_bank.status, 202) << other_bank.body;
  // Neither a key nor an EndToEndId (or ISO's NOTPROVIDED filler): nothing to tell a retry by.
  auto anonymous = call("POST", "/api/v1/transfer", payment("GATEAEAA", "GATEAEBB", "1.00"), as_a);
  EXPECT_EQ(anonymous.status, 400);
  EXPECT_EQ(parse(anonymous.body).at("error").at("code").as_string(), "missing_identification");
  auto filler = call("POST", "/api/v1/transfer", payment("GATEAEAA", "GATEAEBB", "1.00", "NOTPROVIDED"), as_a);
  EXPECT_EQ(filler.status, 400);
  // The transaction count moved by exactly two.
  auto list = call("GET", "/api/v1/transactions?limit=1000", "", bearer(server_->admin_key()));
  int dedup = 0;
  const auto listed = parse(list.body);  // held: the loop reads into it
  for (const auto& item : listed.at("items").as_array()) {
    dedup += item.at("end_to_end_id").as_string() == "INV-DEDUP-1" ? 1 : 0;
  }
  EXPECT_EQ(dedup, 2);
}

// A raw exchange: sends `head` (and no body), returns what the server answers within the
// timeout, or "" when it answers nothing (it waits for the body).
std::string raw_exchange(uint16_t port, const std::string& head, int timeout_ms) {
  int fd = connect_loopback(port);
  if (fd < 0) return "connect failed";
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::string got;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) got.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return got;
}

// A request without a valid key is answered on its headers: the server buffers none of the
// declared 60 MiB. With a participant's key the same ISO route waits for the body.
TEST_F(GatewayApiTest, AnUnauthenticatedRequestIsRefusedBeforeItsBodyIsRead) {
  const std::string head = "POST /api/v1/iso20022/pain.001 HTTP/1.1\r\nHost: x\r\nContent-Type: application/xml\r\n"
                           "Content-Length: 62914560\r\n";
  const auto t0 = std::chrono::steady_clock::now();
  std::string refused = raw_exchange(server_->port(), head + "Authorization: Bearer forged-key\r\n\r\n", 3000);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_EQ(refused.rfind("HTTP/1.1 401", 0), 0u) << refused;
  EXPECT_NE(refused.find("unauthenticated"), std::string::npos) << refused;
  std::string no_key = raw_exchange(server_->port(), head + "\r\n", 3000);
  EXPECT_EQ(no_key.rfind("HTTP/1.1 401", 0), 0u) << no_key;
  // A participant is admitted to send it: the server waits for the body (no answer yet).
  std::string admitted = raw_exchange(server_->port(), head + "Authorization: Bearer " + keys_->at("GATEAEAA") + "\r\n\r\n", 500);
  EXPECT_EQ(admitted, "") << admitted;
  // A JSON route has the small limit even for a participant: refused on the declared size.
  std::string json_head = "POST /api/v1/transfer HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Content-Length: 5000000\r\nAuthorization: Bearer " + keys_->at("GATEAEAA") + "\r\n\r\n";
  std::string too_big = raw_exchange(server_->port(), json_head, 3000);
  EXPECT_EQ(too_big.rfind("HTTP/1.1 413", 0), 0u) << too_big;
  // And a participant may not even announce a body to an admin route.
  std::string admin_route = "POST /api/v1/tokens/mint HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nAuthorization: Bearer " +
                            keys_->at("GATEAEAA") + "\r\n\r\n";
  EXPECT_EQ(raw_exchange(server_->port(), admin_route, 3000).rfind("HTTP/1.1 403", 0), 0u);
  auto metrics = call("GET", "/metrics", "", {});
  EXPECT_NE(metrics.body.find("http_unauthenticated_refused_total"), std::string::npos);
  EXPECT_EQ(call("GET", "/health", "", {}).status, 200);
}

// GET /events: every state change in order; a participant sees the public events and its
// own, never another's payments or the operators' events (API key hashes, positions).
TEST_F(GatewayApiTest, TheEventLogPagesInOrderAndEachCallerSeesWhatConcernsIt) {
  auto sent = call("POST", "/api/v1/transfer", payment("GATEAEBB", "GATEAECC", "7.00", "EVENTS-1"),
                   bearer(keys_->at("GATEAEBB")));
  ASSERT_EQ(sent.status, 202);
  const std::string id(parse(sent.body).at("id").as_string());
  // The operator pages through all of it with a cursor.
  std::vector<int64_t> seqs;
  std::set<std::string> types;
  int64_t after = 0;
  for (int page = 0; page < 100; ++page) {
    auto r = call("GET", "/api/v1/events?after=" + std::to_string(after) + "&limit=7", "", bearer(server_->admin_key()));
    ASSERT_EQ(r.status, 200) << r.body;
    auto v = parse(r.body);
    const auto& items = v.at("items").as_array();
    for (const auto& e : items) {
      seqs.push_back(e.at("seq").as_int64());
      types.insert(std::string(e.at("type").as_string()));
    }
    if (items.empty()) break;
    after = v.at("next_after").as_int64();
  }
  ASSERT_FALSE(seqs.empty());
  for (size_t i = 0; i < seqs.size(); ++i) EXPECT_EQ(seqs[i], static_cast<int64_t>(i + 1)) << "dense, in order";
  for (const char* t : {"participant.created", "credential.issued", "funds.minted", "payment.accepted", "window.opened"}) {
    EXPECT_EQ(types.count(t), 1u) << t;
  }
  // GATEAEAA: none of B→C's payment, none of the operators' events.
  auto mine = call("GET", "/api/v1/events?limit=1000", "", bearer(keys_->at("GATEAEAA")));
  ASSERT_EQ(mine.status, 200);
  const auto mine_events = parse(mine.body);
  int own_credentials = 0;
  for (const auto& e : mine_events.at("items").as_array()) {
    // Its own key events, so it sees a key it did not issue; never another's.
    if (e.at("type").as_string().starts_with("credential.")) {
      EXPECT_EQ(e.at("entity").as_string(), "GATEAEAA");
      ++own_credentials;
    }
    EXPECT_NE(e.at("entity").as_string(), id) << "another participant's payment";
    const auto& parties = e.at("participants").as_array();
    if (!parties.empty() && e.at("type").as_string().starts_with("payment.")) {
      EXPECT_TRUE(std::any_of(parties.begin(), parties.end(), [](const json::value& p) { return p.as_string() == "GATEAEAA"; }));
    }
  }
  EXPECT_GE(own_credentials, 1);
  // GATEAECC sees it, with its amount.
  auto theirs = call("GET", "/api/v1/events?limit=1000", "", bearer(keys_->at("GATEAECC")));
  bool seen = false;
  const auto their_events = parse(theirs.body);
  for (const auto& e : their_events.at("items").as_array()) {
    if (e.at("entity").as_string() == id && e.at("type").as_string() == "payment.accepted") {
      seen = true;
      EXPECT_EQ(e.at("data").at("amount").as_string(), "7.00");
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_EQ(call("GET", "/api/v1/events?after=-1", "", bearer(server_->admin_key())).status, 400);
}

}  // namespace
}  // namespace deltran::testing
