// Access tokens, the keyring, sessions and password hashes: every refusal the token rules
// promise (alg none, another algorithm, a changed header, a tampered payload or signature,
// an unknown key, expired, not yet valid, too long-lived), checked on tokens forged here.
#include <sodium.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include <deltran/gateway/auth.hpp>

namespace deltran::gateway {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kNow = 1'800'000'000;

std::string b64(std::string_view s) {
  std::string out(sodium_base64_ENCODED_LEN(s.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(s.data()), s.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

std::string hs256(const SigningKey& key, std::string_view signed_part) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                         key.secret.data());
  return b64(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

// A token assembled by hand from a header and payload text, signed with `key` (or not).
std::string forge(const std::string& header, const std::string& payload, const SigningKey* key) {
  std::string t = b64(header) + "." + b64(payload);
  return t + "." + (key != nullptr ? hs256(*key, t) : std::string());
}

std::string payload(int64_t iat, int64_t nbf, int64_t exp, const std::string& roles = R"(["operator"])") {
  return R"({"iss":"deltran","aud":"deltran-api","sub":"alice","roles":)" + roles +
         R"(,"sid":"ses_1","jti":"at_1","iat":)" + std::to_string(iat) + R"(,"nbf":)" + std::to_string(nbf) +
         R"(,"exp":)" + std::to_string(exp) + "}";
}

TokenClaims claims(int64_t iat, int64_t ttl) {
  TokenClaims c;
  c.sub = "alice";
  c.roles = {"operator"};
  c.sid = "ses_1";
  c.jti = "at_1";
  c.iat = iat;
  c.nbf = iat;
  c.exp = iat + ttl;
  return c;
}

TokenRules at(int64_t now) {
  TokenRules r;
  r.now_s = now;
  r.skew_s = 60;
  r.max_ttl_s = 900;
  return r;
}

class TokenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_GE(sodium_init(), 0);
    auto ring = Keyring::open("", kNow);
    ASSERT_TRUE(ring.has_value());
    keys = std::move(*ring);
    key = keys->current();
  }
  std::string header(const std::string& alg) const {
    return R"({"alg":")" + alg + R"(","typ":"JWT","kid":")" + key.kid + R"("})";
  }
  std::unique_ptr<Keyring> keys;
  SigningKey key;
};

TEST_F(TokenTest, ATokenItSignedVerifiesWithItsClaims) {
  const std::string t = sign_token(key, claims(kNow, 900));
  EXPECT_TRUE(looks_like_token(t));
  auto c = verify_token(t, *keys, at(kNow + 10));
  ASSERT_TRUE(c.has_value()) << c.error();
  EXPECT_EQ(c->sub, "alice");
  EXPECT_EQ(c->roles, std::vector<std::string>{"operator"});
  EXPECT_EQ(c->sid, "ses_1");
  // The hand-made forger agrees with the signer on a well-formed token, so the refusals
  // below are for what each changes, not for a forging mistake.
  EXPECT_TRUE(verify_token(forge(header("HS256"), payload(kNow, kNow, kNow + 900), &key), *keys, at(kNow)).has_value());
}

TEST_F(TokenTest, AlgNoneAndOtherAlgorithmsAreRefused) {
  const std::string p = payload(kNow, kNow, kNow + 900);
  for (const char* alg : {"none", "None", "NONE", "HS512", "RS256", "ES256", "hs256"}) {
    EXPECT_FALSE(verify_token(forge(header(alg), p, nullptr), *keys, at(kNow)).has_value()) << alg << " unsigned";
    // Algorithm confusion: a valid HMAC under this rail's key, the header claiming another algorithm.
    EXPECT_FALSE(verify_token(forge(header(alg), p, &key), *keys, at(kNow)).has_value()) << alg << " signed";
  }
  EXPECT_FALSE(verify_token(forge(R"({"typ":"JWT","kid":")" + key.kid + R"("})", p, &key), *keys, at(kNow)).has_value());
}

TEST_F(TokenTest, AHeaderOtherThanTheOneItWritesIsRefused) {
  const std::string p = payload(kNow, kNow, kNow + 900);
  const std::vector<std::string> headers = {
      R"({"alg":"HS256","typ":"JWT","kid":")" + key.kid + R"(","jku":"https://evil.example/keys"})",
      R"({"alg":"HS256","alg":"none","typ":"JWT","kid":")" + key.kid + R"("})",
      R"({"typ":"JWT","alg":"HS256","kid":")" + key.kid + R"("})",
      R"({"alg":"HS256","typ":"JWT","kid":")" + key.kid + R"(" })",
      R"({"alg":"HS256","typ":"JWT","kid":"../../etc/passwd"})",
  };
  for (const auto& h : headers) EXPECT_FALSE(verify_token(forge(h, p, &key), *keys, at(kNow)).has_value()) << h;
}

TEST_F(TokenTest, ATamperedPayloadOrSignatureIsRefused) {
  const std::string t = sign_token(key, claims(kNow, 900));
  const size_t d1 = t.find('.'), d2 = t.rfind('.');
  // The operator's token made an admin's, keeping the signature.
  std::string elevated = t.substr(0, d1 + 1) + b64(payload(kNow, kNow, kNow + 900, R"(["admin"])")) + t.substr(d2);
  EXPECT_FALSE(verify_token(elevated, *keys, at(kNow)).has_value());
  std::string bad_sig = t;
  bad_sig[d2 + 5] = bad_sig[d2 + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verify_token(bad_sig, *keys, at(kNow)).has_value());
  EXPECT_FALSE(verify_token(t.substr(0, d2 + 1), *keys, at(kNow)).has_value());  // signature removed
  EXPECT_FALSE(verify_token(t + "A", *keys, at(kNow)).has_value());
  EXPECT_FALSE(verify_token(t + ".x", *keys, at(kNow)).has_value());
  EXPECT_FALSE(verify_token("a.b.c", *keys, at(kNow)).has_value());
  EXPECT_FALSE(verify_token("", *keys, at(kNow)).has_value());
  EXPECT_FALSE(verify_token(std::string(5000, 'a'), *keys, at(kNow)).has_value());
  // Signed with a key of another rail.
  auto other = Keyring::open("", kNow);
  ASSERT_TRUE(other.has_value());
  SigningKey foreign = (*other)->current();
  foreign.kid = key.kid;  // even under this rail's key id
  EXPECT_FALSE(verify_token(sign_token(foreign, claims(kNow, 900)), *keys, at(kNow)).has_value());
  EXPECT_FALSE(verify_token(sign_token((*other)->current(), claims(kNow, 900)), *keys, at(kNow)).has_value());
}

TEST_F(TokenTest, TimesAreHeldWithinTheSkew) {
  const std::string t = sign_token(key, claims(kNow, 900));
  EXPECT_TRUE(verify_token(t, *keys, at(kNow + 900 + 59)).has_value());   // expired, within the skew
  EXPECT_FALSE(verify_token(t, *keys, at(kNow + 900 + 60)).has_value());  // expired
  EXPECT_TRUE(verify_token(t, *keys, at(kNow - 60)).has_value());         // issuer's clock ahead, within the skew
  EXPECT_FALSE(verify_token(t, *keys, at(kNow - 61)).has_value());        // not yet valid
  // A not-before in the future.
  const std::string later = forge(header("HS256"), payload(kNow, kNow + 300, kNow + 900), &key);
  EXPECT_FALSE(verify_token(later, *keys, at(kNow)).has_value());
  EXPECT_TRUE(verify_token(later, *keys, at(kNow + 300)).has_value());
  // A skew setting beyond 300 s is held to 300.
  TokenRules loose = at(kNow + 900 + 400);
  loose.skew_s = 10'000;
  EXPECT_FALSE(verify_token(t, *keys, loose).has_value());
  // Longer-lived than the rail issues, or ending before it starts.
  EXPECT_FALSE(verify_token(sign_token(key, claims(kNow, 901)), *keys, at(kNow)).has_value());
  EXPECT_FALSE(verify_token(forge(header("HS256"), payload(kNow, kNow, kNow), &key), *keys, at(kNow)).has_value());
  // Times as strings or fractions are not times.
  std::string p = payload(kNow, kNow, kNow + 900);
  p.replace(p.find("\"exp\":") + 6, 10, "\"" + std::to_string(kNow + 900) + "\"");
  EXPECT_FALSE(verify_token(forge(header("HS256"), p, &key), *keys, at(kNow)).has_value());
}

TEST_F(TokenTest, KeysRotateWithoutEndingTheTokensTheySigned) {
  const std::string before = sign_token(key, claims(kNow, 900));
  auto kid = keys->rotate(kNow + 1);
  ASSERT_TRUE(kid.has_value());
  EXPECT_NE(*kid, key.kid);
  EXPECT_EQ(keys->current().kid, *kid);
  EXPECT_TRUE(verify_token(before, *keys, at(kNow + 2)).has_value());
  // Two more rotations keep it (three held); the third drops its key.
  ASSERT_TRUE(keys->rotate(kNow + 2).has_value());
  EXPECT_TRUE(verify_token(before, *keys, at(kNow + 3)).has_value());
  ASSERT_TRUE(keys->rotate(kNow + 3).has_value());
  EXPECT_EQ(keys->kids().size(), Keyring::kKeep);
  auto gone = verify_token(before, *keys, at(kNow + 4));
  ASSERT_FALSE(gone.has_value());
  EXPECT_NE(gone.error().find("no longer holds"), std::string::npos) << gone.error();
}

TEST(KeyringFile, KeysOutliveARestartAndADamagedFileIsRefused) {
  const fs::path dir = fs::temp_directory_path() / ("deltran-keyring-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "signing.keys").string();
  auto first = Keyring::open(path, kNow);
  ASSERT_TRUE(first.has_value());
  const std::string t = sign_token((*first)->current(), claims(kNow, 900));
  EXPECT_EQ(fs::status(path).permissions() & fs::perms::all, fs::perms::owner_read | fs::perms::owner_write);
  auto again = Keyring::open(path, kNow + 5);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(verify_token(t, **again, at(kNow + 5)).has_value());
  std::ofstream(path, std::ios::app) << "sk_zzzzzzzzzzzz 1 00\n";
  EXPECT_FALSE(Keyring::open(path, kNow).has_value());
  std::ofstream(path, std::ios::trunc) << "";
  EXPECT_FALSE(Keyring::open(path, kNow).has_value());
  fs::remove_all(dir);
}

TEST_F(TokenTest, ARefreshRotatesAndASpentTokenUsedAgainEndsTheSession) {
  SessionSettings settings;
  settings.access_ttl_s = 900;
  settings.session_ttl_s = 3600;
  Sessions sessions(settings, *keys);
  auto s = sessions.open(SessionSubject{"BANKAEAD", {"participant"}, "BANKAEAD", "k_0123456789abcdef"}, kNow);
  ASSERT_TRUE(s.has_value()) << s.error();
  EXPECT_TRUE(sessions.live(s->sid, kNow));
  auto claims_of = verify_token(s->access_token, *keys, at(kNow));
  ASSERT_TRUE(claims_of.has_value()) << claims_of.error();
  EXPECT_EQ(claims_of->bank, "BANKAEAD");
  EXPECT_EQ(claims_of->key_id, "k_0123456789abcdef");
  EXPECT_EQ(claims_of->sid, s->sid);

  auto r1 = sessions.refresh(s->refresh_token, kNow + 10);
  ASSERT_EQ(r1.outcome, Sessions::RefreshOutcome::kOk);
  EXPECT_NE(r1.session.refresh_token, s->refresh_token);
  EXPECT_EQ(r1.session.sid, s->sid);
  auto r2 = sessions.refresh(r1.session.refresh_token, kNow + 20);
  ASSERT_EQ(r2.outcome, Sessions::RefreshOutcome::kOk);
  // The first token, spent, comes back: the session ends, and its newest token too.
  auto stolen = sessions.refresh(s->refresh_token, kNow + 30);
  EXPECT_EQ(stolen.outcome, Sessions::RefreshOutcome::kReused);
  EXPECT_EQ(stolen.sid, s->sid);
  EXPECT_FALSE(sessions.live(s->sid, kNow + 30));
  EXPECT_EQ(sessions.refresh(r2.session.refresh_token, kNow + 40).outcome, Sessions::RefreshOutcome::kEnded);
  EXPECT_EQ(sessions.refresh("dtr_unknown", kNow).outcome, Sessions::RefreshOutcome::kUnknown);

  // A session ends at its lifetime, and its access tokens never outlive it.
  auto t = sessions.open(SessionSubject{"bob", {"auditor"}, {}, {}}, kNow);
  ASSERT_TRUE(t.has_value());
  auto late = sessions.refresh(t->refresh_token, kNow + 3590);
  ASSERT_EQ(late.outcome, Sessions::RefreshOutcome::kOk);
  auto late_claims = verify_token(late.session.access_token, *keys, at(kNow + 3590));
  ASSERT_TRUE(late_claims.has_value());
  EXPECT_EQ(late_claims->exp, kNow + 3600);
  EXPECT_EQ(sessions.refresh(late.session.refresh_token, kNow + 3600).outcome, Sessions::RefreshOutcome::kExpired);
  EXPECT_TRUE(sessions.end(t->sid));
  EXPECT_FALSE(sessions.end(t->sid));
  EXPECT_FALSE(sessions.live("ses_never", kNow));
}

TEST(SessionLimit, LoginsAreRefusedBeyondTheMostSessionsHeld) {
  auto ring = Keyring::open("", kNow);
  ASSERT_TRUE(ring.has_value());
  SessionSettings settings;
  settings.max_sessions = 2;
  settings.session_ttl_s = 600;
  Sessions sessions(settings, **ring);
  const SessionSubject who{"alice", {"operator"}, {}, {}};
  EXPECT_TRUE(sessions.open(who, kNow).has_value());
  EXPECT_TRUE(sessions.open(who, kNow).has_value());
  EXPECT_FALSE(sessions.open(who, kNow + 1).has_value());
  // Once they expire, room is made.
  EXPECT_TRUE(sessions.open(who, kNow + 600 + settings.skew_s + 1).has_value());
}

TEST(Passwords, Argon2idHashesVerifyOnlyTheirPassword) {
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(hash->rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(verify_password(*hash, "correct horse battery staple"));
  EXPECT_FALSE(verify_password(*hash, "correct horse battery stapl"));
  EXPECT_FALSE(verify_password(*hash, ""));
  // The same hash under another algorithm's name is not accepted.
  std::string argon2i = *hash;
  argon2i.replace(0, 10, "$argon2i$");
  EXPECT_FALSE(verify_password(argon2i, "correct horse battery staple"));
  EXPECT_FALSE(verify_password("", "x"));
  EXPECT_FALSE(hash_password("short").has_value());
}

TEST(UsersFile, ReadsUsersAndRefusesWhatItCannotTrust) {
  const fs::path dir = fs::temp_directory_path() / ("deltran-users-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "users").string();
  auto none = read_users_file(path);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->empty());
  auto hash = hash_password("correct horse battery staple");
  ASSERT_TRUE(hash.has_value());
  ASSERT_TRUE(write_users_file(path, {StaffUser{"alice", "operator", *hash}, StaffUser{"bob", "auditor", *hash}}).has_value());
  auto users = read_users_file(path);
  ASSERT_TRUE(users.has_value()) << users.error().message;
  ASSERT_EQ(users->size(), 2u);
  EXPECT_EQ((*users)[1].role, "auditor");
  for (const std::string& bad : std::vector<std::string>{"alice participant " + *hash, "Alice operator " + *hash, "alice operator plaintext",
                                 "alice operator", "alice operator " + *hash + " extra"}) {
    std::ofstream(path, std::ios::trunc) << bad << "\n";
    EXPECT_FALSE(read_users_file(path).has_value()) << bad;
  }
  std::ofstream(path, std::ios::trunc) << "alice operator " << *hash << "\nalice admin " << *hash << "\n";
  EXPECT_FALSE(read_users_file(path).has_value());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace deltran::gateway
