// Sessions and TLS over the real binary: staff users log in by password and participants
// by key, refresh tokens rotate and a reused one ends its session, logout and a revoked key
// end a session at once, signing keys rotate without ending tokens, a restart ends every
// session; the API serves TLS 1.3 only, with certificates made here by the openssl command
// line, and a client certificate verified against the configured CA authenticates the
// participant its CN names.
#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

namespace json = boost::json;

struct Answer {
  int status = 0;
  json::value body;
  std::string raw;
};

Answer call(gateway::HttpClient& c, const std::string& method, const std::string& path, const std::string& body,
            const Headers& h = {}) {
  auto r = c.request(method, path, body, h);
  if (!r) return Answer{-1, {}, r.error().message};
  Answer a{r->status, {}, r->body};
  boost::system::error_code ec;
  a.body = json::parse(r->body, ec);
  return a;
}

Answer call(ServerProcess& s, const std::string& method, const std::string& path, const std::string& body,
            const Headers& h = {}) {
  auto c = s.client();
  return call(c, method, path, body, h);
}

std::string text(const Answer& a, const char* key) {
  const json::object* o = a.body.if_object();
  const json::value* v = o == nullptr ? nullptr : o->if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// Runs a shell command; its exit code and what it printed.
std::pair<int, std::string> sh(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = p != nullptr ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string create_bank(ServerProcess& s, const std::string& bic) {
  auto r = call(s, "POST", "/api/v1/banks",
                "{\"id\":\"" + bic + "\",\"name\":\"" + bic + "\",\"country\":\"AE\",\"currencies\":[\"USD\"]}",
                bearer(s.admin_key()));
  EXPECT_EQ(r.status, 201) << r.raw;
  return text(r, "api_key");
}

Answer login_user(ServerProcess& s, const std::string& user, const std::string& password) {
  return call(s, "POST", "/api/v1/auth/login", "{\"user\":\"" + user + "\",\"password\":\"" + password + "\"}");
}
Answer login_bank(ServerProcess& s, const std::string& bic, const std::string& key) {
  return call(s, "POST", "/api/v1/auth/login", "{\"participant\":\"" + bic + "\",\"api_key\":\"" + key + "\"}");
}

void add_user(const fs::path& data, const std::string& name, const std::string& role, const std::string& password) {
  auto [rc, out] = sh("printf '%s\\n' '" + password + "' | " + std::string(DELTRAN_BINARY) + " user add " + name +
                      " --role " + role + " --data '" + data.string() + "'");
  ASSERT_EQ(rc, 0) << out;
}

std::vector<std::string> event_types(ServerProcess& s, const std::string& key) {
  auto r = call(s, "GET", "/api/v1/events?limit=1000", "", bearer(key));
  std::vector<std::string> out;
  if (r.status != 200) return out;
  for (const auto& e : r.body.at("items").as_array()) out.emplace_back(e.at("type").as_string());
  return out;
}

size_t count(const std::vector<std::string>& v, const std::string& x) { return static_cast<size_t>(std::count(v.begin(), v.end(), x)); }

TEST(Sessions, StaffAndParticipantsLogInRefreshAndLogOut) {
  const auto dir = temp_dir("sessions");
  const fs::path data = dir / "data";
  add_user(data, "alice", "operator", "alice-correct-horse");
  add_user(data, "bob", "auditor", "bob-battery-staple");
  ServerProcess s(data);
  s.start();
  const std::string key = create_bank(s, "SESSAEAA");
  const std::string other_key = create_bank(s, "SESSAEBB");

  // A staff user by password: the operator's routes, not the admin's.
  auto alice = login_user(s, "alice", "alice-correct-horse");
  ASSERT_EQ(alice.status, 200) << alice.raw;
  EXPECT_EQ(text(alice, "token_type"), "Bearer");
  EXPECT_EQ(alice.body.at("expires_in").as_int64(), 900);
  const std::string alice_token = text(alice, "access_token");
  auto me = call(s, "GET", "/api/v1/auth/session", "", bearer(alice_token));
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(text(me, "actor"), "operator:alice");
  EXPECT_EQ(text(me, "authenticated_by"), "access_token");
  EXPECT_EQ(call(s, "GET", "/api/v1/liquidity/gaps", "", bearer(alice_token)).status, 200);
  EXPECT_EQ(call(s, "POST", "/api/v1/banks", "{}", bearer(alice_token)).status, 403);

  // Wrong passwords, unknown users and malformed logins: a 4xx each, no session.
  EXPECT_EQ(login_user(s, "alice", "alice-wrong-horse").status, 401);
  EXPECT_EQ(login_user(s, "mallory", "alice-correct-horse").status, 401);
  EXPECT_EQ(login_bank(s, "SESSAEBB", key).status, 401) << "a key logs in only its own participant";
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/login", "{\"user\":\"alice\",\"password\":\"x\",\"participant\":\"SESSAEAA\"}").status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/login", "{\"user\":\"alice\"}").status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/login", "{\"user\":1,\"password\":2}").status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/login", "not json").status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/login", "{\"user\":\"alice\",\"password\":\"alice-correct-horse\",\"role\":\"admin\"}").status,
            400);

  // A participant by key: its own data only, and its payments.
  auto bank = login_bank(s, "SESSAEAA", key);
  ASSERT_EQ(bank.status, 200) << bank.raw;
  const std::string bank_token = text(bank, "access_token");
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/SESSAEAA/balance", "", bearer(bank_token)).status, 200);
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/SESSAEBB/balance", "", bearer(bank_token)).status, 403);
  EXPECT_EQ(call(s, "GET", "/api/v1/liquidity/gaps", "", bearer(bank_token)).status, 403);

  // The refresh token rotates; the spent one, used again, ends the session and every token of it.
  auto r1 = call(s, "POST", "/api/v1/auth/refresh", "{\"refresh_token\":\"" + text(bank, "refresh_token") + "\"}");
  ASSERT_EQ(r1.status, 200) << r1.raw;
  EXPECT_NE(text(r1, "refresh_token"), text(bank, "refresh_token"));
  EXPECT_EQ(text(r1, "session_id"), text(bank, "session_id"));
  const std::string newest = text(r1, "access_token");
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/SESSAEAA/balance", "", bearer(newest)).status, 200);
  auto reused = call(s, "POST", "/api/v1/auth/refresh", "{\"refresh_token\":\"" + text(bank, "refresh_token") + "\"}");
  EXPECT_EQ(reused.status, 401);
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/SESSAEAA/balance", "", bearer(newest)).status, 401);
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/SESSAEAA/balance", "", bearer(bank_token)).status, 401);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/refresh", "{\"refresh_token\":\"" + text(r1, "refresh_token") + "\"}").status, 401);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/refresh", "{\"refresh_token\":\"dtr_forged\"}").status, 401);
  // The API key itself still works: machine clients need no session.
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/SESSAEAA/balance", "", bearer(key)).status, 200);

  // Logout ends the session at once; an API key has no session to end.
  auto bob = login_user(s, "bob", "bob-battery-staple");
  ASSERT_EQ(bob.status, 200);
  const std::string bob_token = text(bob, "access_token");
  EXPECT_EQ(call(s, "GET", "/api/v1/events", "", bearer(bob_token)).status, 200);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/logout", "", bearer(bob_token)).status, 200);
  EXPECT_EQ(call(s, "GET", "/api/v1/events", "", bearer(bob_token)).status, 401);
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/logout", "", bearer(key)).status, 400);

  // A revoked key ends the sessions it opened.
  auto other = login_bank(s, "SESSAEBB", other_key);
  ASSERT_EQ(other.status, 200);
  const std::string other_token = text(other, "access_token");
  auto keys = call(s, "GET", "/api/v1/banks/SESSAEBB/keys", "", bearer(s.admin_key()));
  ASSERT_EQ(keys.status, 200);
  const std::string key_id(keys.body.at("keys").as_array()[0].at("id").as_string());
  ASSERT_EQ(call(s, "DELETE", "/api/v1/banks/SESSAEBB/keys/" + key_id, "", bearer(s.admin_key())).status, 200);
  auto cut = call(s, "GET", "/api/v1/banks/SESSAEBB/balance", "", bearer(other_token));
  EXPECT_EQ(cut.status, 401);
  EXPECT_NE(cut.raw.find("revoked"), std::string::npos) << cut.raw;
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/refresh", "{\"refresh_token\":\"" + text(other, "refresh_token") + "\"}").status, 401);

  // Signing keys rotate without ending the tokens already out; only the admin rotates.
  EXPECT_EQ(call(s, "POST", "/api/v1/auth/signing-keys/rotate", "", bearer(alice_token)).status, 403);
  auto rotated = call(s, "POST", "/api/v1/auth/signing-keys/rotate", "", bearer(s.admin_key()));
  ASSERT_EQ(rotated.status, 200) << rotated.raw;
  EXPECT_EQ(rotated.body.at("verifying").as_array().size(), 2u);
  EXPECT_EQ(call(s, "GET", "/api/v1/liquidity/gaps", "", bearer(alice_token)).status, 200);
  auto carol = login_user(s, "alice", "alice-correct-horse");
  ASSERT_EQ(carol.status, 200);
  EXPECT_EQ(call(s, "GET", "/api/v1/liquidity/gaps", "", bearer(text(carol, "access_token"))).status, 200);

  // Forged bearer tokens: 401, never a 5xx.
  for (const std::string& forged :
       {std::string("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhbGljZSIsInJvbGVzIjpbImFkbWluIl19."),
        alice_token.substr(0, alice_token.rfind('.') + 1) + "AAAA", std::string("a.b.c"), std::string("..")}) {
    EXPECT_EQ(call(s, "GET", "/api/v1/events", "", bearer(forged)).status, 401) << forged;
  }

  // Every login, ended session and rotation is an event; a bank sees its own sessions only.
  auto types = event_types(s, s.admin_key());
  EXPECT_EQ(count(types, "session.opened"), 5u);
  EXPECT_EQ(count(types, "session.ended"), 3u);  // the reused refresh token, bob's logout, the revoked key
  EXPECT_EQ(count(types, "auth.signing_key_rotated"), 1u);
  auto own = event_types(s, key);
  EXPECT_EQ(count(own, "session.opened"), 1u);
  EXPECT_EQ(count(own, "session.ended"), 1u);

  // A restart ends every session; keys and users stay.
  s.stop();
  s.start();
  EXPECT_EQ(call(s, "GET", "/api/v1/liquidity/gaps", "", bearer(text(carol, "access_token"))).status, 401);
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/SESSAEAA/balance", "", bearer(key)).status, 200);
  EXPECT_EQ(login_user(s, "alice", "alice-correct-horse").status, 200);
  s.stop();
  auto [rc, out] = run_check(data);
  EXPECT_EQ(rc, 0) << out;
}

TEST(Sessions, LoginsFromOneAddressAreHeldToTheLoginTier) {
  const auto dir = temp_dir("login-rate");
  const fs::path data = dir / "data";
  add_user(data, "alice", "operator", "alice-correct-horse");
  ServerProcess s(data);
  s.env = {"DELTRAN_LOGIN_RATE_TIER=basic"};  // 10 a minute, 2 at once
  s.start();
  int limited = 0, refused = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = login_user(s, "alice", "guess-number-" + std::to_string(i));
    if (r.status == 429) ++limited;
    if (r.status == 401) ++refused;
  }
  EXPECT_EQ(refused, 2);
  EXPECT_EQ(limited, 4);
  auto metrics = call(s, "GET", "/metrics", "");
  EXPECT_NE(metrics.raw.find("auth_login_failures_total 2"), std::string::npos);
}

// Certificates made with the openssl command line, as a bank's PKI team would.
struct Pki {
  fs::path dir;
  explicit Pki(fs::path d) : dir(std::move(d)) {
    fs::create_directories(dir);
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj '/CN=Test Rail CA' "
        "-keyout ca.key -out ca.pem");
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj '/CN=Other CA' "
        "-keyout other-ca.key -out other-ca.pem");
    std::ofstream(dir / "server.ext") << "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
    std::ofstream(dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
    issue("server", "localhost", "ca", "server.ext");
    issue("TLSSAEAA", "TLSSAEAA", "ca", "client.ext");
    issue("NOSUCHBK", "NOSUCHBK", "ca", "client.ext");
    issue("rogue", "TLSSAEAA", "other-ca", "client.ext");
  }
  void run(const std::string& cmd) {
    auto [rc, out] = sh("cd '" + dir.string() + "' && " + cmd);
    ASSERT_EQ(rc, 0) << cmd << "\n" << out;
  }
  void issue(const std::string& name, const std::string& cn, const std::string& ca, const std::string& ext) {
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=" + cn + "' -keyout " + name +
        ".key -out " + name + ".csr");
    run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -CAcreateserial -days 2 "
        "-extfile " + ext + " -out " + name + ".pem");
  }
  std::string path(const std::string& file) const { return (dir / file).string(); }
  gateway::ClientTls client(const std::string& name = {}) const {
    gateway::ClientTls t;
    t.enabled = true;
    t.ca_file = path("ca.pem");
    if (!name.empty()) {
      t.cert_file = path(name + ".pem");
      t.key_file = path(name + ".key");
    }
    return t;
  }
};

TEST(Tls, TheApiServesTls13AndAClientCertificateNamesItsParticipant) {
  const auto dir = temp_dir("tls");
  Pki pki(dir / "pki");
  ServerProcess s(dir / "data");
  s.tls = pki.client();
  s.start({"--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key"), "--tls-client-ca", pki.path("ca.pem")});
  const std::string port = std::to_string(s.port());
  EXPECT_EQ(call(s, "GET", "/health", "").status, 200);
  const std::string key = create_bank(s, "TLSSAEAA");
  create_bank(s, "TLSSAEBB");

  // A real client: curl verifies the certificate and the host name.
  auto [rc, out] = sh("curl -sS --cacert '" + pki.path("ca.pem") + "' -o /dev/null -w '%{http_code} %{ssl_verify_result}' https://127.0.0.1:" +
                      port + "/health");
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "200 0");
  auto by_name = sh("curl -sS --cacert '" + pki.path("ca.pem") + "' -o /dev/null -w '%{http_code}' https://localhost:" + port + "/health");
  EXPECT_EQ(by_name.second, "200");
  // TLS 1.2 and below are refused; a client that does not trust the rail's CA stops.
  EXPECT_NE(sh("curl -sS --cacert '" + pki.path("ca.pem") + "' --tlsv1.2 --tls-max 1.2 https://127.0.0.1:" + port + "/health").first, 0);
  EXPECT_NE(sh("curl -sS --cacert '" + pki.path("other-ca.pem") + "' https://127.0.0.1:" + port + "/health").first, 0);
  // Plain HTTP to the TLS port gets no answer.
  gateway::HttpClient plain("127.0.0.1", s.port());
  auto p = plain.request("GET", "/health");
  EXPECT_TRUE(!p.has_value() || p->status >= 400);

  // mTLS: the verified certificate is the participant's credential.
  gateway::HttpClient bank("127.0.0.1", s.port(), pki.client("TLSSAEAA"));
  auto me = call(bank, "GET", "/api/v1/auth/session", "");
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(text(me, "bank"), "TLSSAEAA");
  EXPECT_EQ(text(me, "authenticated_by"), "client_certificate");
  EXPECT_EQ(call(bank, "GET", "/api/v1/banks/TLSSAEAA/balance", "").status, 200);
  EXPECT_EQ(call(bank, "GET", "/api/v1/banks/TLSSAEBB/balance", "").status, 403);
  EXPECT_EQ(call(bank, "GET", "/api/v1/banks/TLSSAEAA/balance", "", bearer(key)).status, 200);
  // The certificate does not lend its connection to another bank's credentials.
  auto other_key = call(s, "POST", "/api/v1/banks/TLSSAEBB/keys", "", bearer(s.admin_key()));
  ASSERT_EQ(other_key.status, 201) << other_key.raw;
  EXPECT_EQ(call(bank, "GET", "/api/v1/banks/TLSSAEBB/balance", "", bearer(text(other_key, "api_key"))).status, 401);
  // A certificate naming no participant authenticates no one; one from another CA does not connect.
  gateway::HttpClient stranger("127.0.0.1", s.port(), pki.client("NOSUCHBK"));
  EXPECT_EQ(call(stranger, "GET", "/api/v1/auth/session", "").status, 401);
  gateway::HttpClient rogue("127.0.0.1", s.port(), pki.client("rogue"));
  EXPECT_EQ(call(rogue, "GET", "/api/v1/auth/session", "").status, -1);
  // Without a certificate a client still reaches the API with a key or a session.
  auto login = login_bank(s, "TLSSAEAA", key);
  ASSERT_EQ(login.status, 200) << login.raw;
  EXPECT_EQ(call(s, "GET", "/api/v1/banks/TLSSAEAA/balance", "", bearer(text(login, "access_token"))).status, 200);
  EXPECT_EQ(call(s, "GET", "/api/v1/auth/session", "").status, 401);
  // The admin revokes the bank's last key: its certificate no longer gets it in either.
  auto keys = call(s, "GET", "/api/v1/banks/TLSSAEAA/keys", "", bearer(s.admin_key()));
  ASSERT_EQ(keys.status, 200) << keys.raw;
  for (const auto& k : keys.body.at("keys").as_array()) {
    const std::string id(k.at("id").as_string());
    EXPECT_EQ(call(s, "DELETE", "/api/v1/banks/TLSSAEAA/keys/" + id, "", bearer(s.admin_key())).status, 200);
  }
  auto cut_off = call(bank, "GET", "/api/v1/banks/TLSSAEAA/balance", "");
  EXPECT_EQ(cut_off.status, 401) << cut_off.raw;

  auto metrics = call(s, "GET", "/metrics", "");
  const auto at = metrics.raw.find("\nhttp_tls_handshake_failures_total ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_GE(std::stoi(metrics.raw.substr(at + 35)), 3) << "TLS 1.2, an untrusted CA, plain HTTP, the rogue certificate";
  EXPECT_EQ(call(s, "GET", "/health", "").status, 200);
}

TEST(Tls, ARequiredClientCertificateIsRequiredAndBadTlsSettingsStopTheStart) {
  const auto dir = temp_dir("tls-required");
  Pki pki(dir / "pki");
  ServerProcess s(dir / "data");
  s.tls = pki.client();
  s.env = {"DELTRAN_TLS_REQUIRE_CLIENT_CERT=true"};
  s.start({"--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("server.key"), "--tls-client-ca", pki.path("ca.pem")});
  EXPECT_EQ(call(s, "GET", "/health", "").status, -1) << "no client certificate: no connection";
  gateway::HttpClient bank("127.0.0.1", s.port(), pki.client("TLSSAEAA"));
  EXPECT_EQ(call(bank, "GET", "/health", "").status, 200);
  s.stop();

  // A key that is not the certificate's, or a certificate without its key: no start.
  ServerProcess wrong(dir / "data2");
  EXPECT_THROW(wrong.start({"--tls-cert", pki.path("server.pem"), "--tls-key", pki.path("TLSSAEAA.key")}), std::runtime_error);
  ServerProcess half(dir / "data3");
  EXPECT_THROW(half.start({"--tls-cert", pki.path("server.pem")}), std::runtime_error);
  std::ifstream log(dir / "data3" / "server.log");
  std::string text_of_log((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_NE(text_of_log.find("both a certificate and its key"), std::string::npos) << text_of_log;
}


// `deltran tls dev-certs` makes a CA, a server certificate and participants' client
// certificates that the server, curl and openssl accept as they are.
TEST(Tls, DevCertificatesServeTlsAndMutualTls) {
  const auto dir = temp_dir("tls-dev");
  const fs::path certs = dir / "certs";
  auto made = sh(std::string(DELTRAN_BINARY) + " tls dev-certs --out '" + certs.string() + "' --client TLSDAEAA --days 2");
  ASSERT_EQ(made.first, 0) << made.second;
  auto verified = sh("openssl verify -CAfile '" + (certs / "ca.pem").string() + "' '" + (certs / "server.pem").string() +
                     "' '" + (certs / "TLSDAEAA.pem").string() + "'");
  EXPECT_EQ(verified.first, 0) << verified.second;
  EXPECT_EQ(fs::status(certs / "server.key").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(certs / "ca.key").permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  // A CN that could name a path is refused.
  EXPECT_NE(sh(std::string(DELTRAN_BINARY) + " tls dev-certs --out '" + certs.string() + "' --client ../evil").first, 0);
  EXPECT_FALSE(fs::exists(dir / "evil.pem"));

  ServerProcess s(dir / "data");
  gateway::ClientTls trust;
  trust.enabled = true;
  trust.ca_file = (certs / "ca.pem").string();
  s.tls = trust;
  s.start({"--tls-cert", (certs / "server.pem").string(), "--tls-key", (certs / "server.key").string(), "--tls-client-ca",
           (certs / "ca.pem").string()});
  create_bank(s, "TLSDAEAA");
  const std::string url = "https://localhost:" + std::to_string(s.port()) + "/api/v1/auth/session";
  const std::string ca = " --cacert '" + (certs / "ca.pem").string() + "'";
  auto with_cert = sh("curl -sS" + ca + " --cert '" + (certs / "TLSDAEAA.pem").string() + "' --key '" +
                      (certs / "TLSDAEAA.key").string() + "' " + url);
  EXPECT_EQ(with_cert.first, 0) << with_cert.second;
  EXPECT_NE(with_cert.second.find("\"bank\":\"TLSDAEAA\""), std::string::npos) << with_cert.second;
  auto without = sh("curl -sS -o /dev/null -w '%{http_code}'" + ca + " " + url);
  EXPECT_EQ(without.second, "401");
  // The server certificate is not a client's: its key usage is for serving only.
  auto as_client = sh("curl -sS -o /dev/null -w '%{http_code}'" + ca + " --cert '" + (certs / "server.pem").string() +
                      "' --key '" + (certs / "server.key").string() + "' " + url);
  EXPECT_NE(as_client.second, "200") << as_client.second;
}

}  // namespace
}  // namespace deltran::testing
