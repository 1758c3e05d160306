#pragma once
// Sessions for people and for clients that prefer them to a standing key: staff users with
// argon2id password hashes, short-lived signed access tokens (JWT, HS256, a `kid` per
// signing key so keys rotate without downtime) and refresh tokens that rotate on every use
// (an old one used again revokes its whole session). Built on libsodium.
#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::gateway {

// --- staff users ----------------------------------------------------------------------

// An argon2id hash in libsodium's string form ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
[[nodiscard]] Result<std::string> hash_password(std::string_view password);
// True when `password` matches `hash`; a hash that is not argon2id never matches.
bool verify_password(std::string_view hash, std::string_view password);

// The staff roles a user may hold (participants log in with their API key instead).
inline constexpr std::array<std::string_view, 4> kUserRoles = {"admin", "operator", "compliance", "auditor"};

struct StaffUser {
  std::string name;  // [a-z0-9._-], at most 64 characters
  std::string role;  // one of kUserRoles
  std::string password_hash;
};
// Checks a user name: what is allowed in the users file and in an event's actor.
[[nodiscard]] Status check_user_name(std::string_view name);
// The users file: one user a line, "name role hash"; '#' starts a comment. A missing file
// is no users.
[[nodiscard]] Result<std::vector<StaffUser>> read_users_file(const std::string& path);
// Written owner-only, through a temporary file renamed over the old one.
[[nodiscard]] Status write_users_file(const std::string& path, const std::vector<StaffUser>& users);

// --- signed access tokens --------------------------------------------------------------

struct SigningKey {
  std::string kid;  // "sk_" + 12 hex digits
  int64_t created_s = 0;
  std::array<uint8_t, 32> secret{};
};

// The signing keys: the newest signs, every key held verifies. Rotation adds a key and
// keeps the last kKeep, so tokens signed before a rotation stay valid until they expire.
// Held in a file (owner-only) when given a path, so tokens outlive a restart.
class Keyring {
 public:
  static constexpr size_t kKeep = 3;
  // Reads `path`, or creates it with one new key; empty path: one key held in memory only.
  [[nodiscard]] static Result<std::unique_ptr<Keyring>> open(const std::string& path, int64_t now_s);
  // A new signing key; the oldest beyond kKeep is dropped. Returns the new kid.
  [[nodiscard]] Result<std::string> rotate(int64_t now_s);
  SigningKey current() const;
  std::optional<SigningKey> find(std::string_view kid) const;
  std::vector<std::string> kids() const;  // newest first

 private:
  Status save() const;
  std::string path_;
  mutable std::mutex mu_;
  std::vector<SigningKey> keys_;  // oldest first
};

// What an access token says. The roles are names (kUserRoles, participant, fx_provider).
struct TokenClaims {
  std::string sub;                 // the user's name or the participant's BIC
  std::vector<std::string> roles;  // e.g. {"operator"} or {"participant","fx_provider"}
  std::string bank;                // a participant's BIC, else empty
  std::string key_id;              // a participant's: the API key it logged in with
  std::string sid;                 // the session (refresh family) it belongs to
  std::string jti;                 // this token's own id
  int64_t iat = 0, nbf = 0, exp = 0;  // seconds since the epoch
};

struct TokenRules {
  int64_t now_s = 0;
  int64_t skew_s = 60;        // leeway for the clocks of issuer and checker (bounded at 300)
  int64_t max_ttl_s = 3600;   // a token that claims to live longer is refused
};

// header.payload.signature, base64url, HMAC-SHA-256 with the key's secret.
std::string sign_token(const SigningKey& key, const TokenClaims& claims);
// Refuses everything but an HS256 token this rail signed with a key it holds, whose
// signature verifies and whose times are valid at `rules.now_s` within the skew. The
// header must be exactly the one sign_token writes: no "alg":"none", no other algorithm,
// no extra or repeated fields.
[[nodiscard]] tl::expected<TokenClaims, std::string> verify_token(std::string_view token, const Keyring& keys,
                                                                  const TokenRules& rules);
// True when `bearer` has the shape of a signed token (three dot-separated parts), not a key.
bool looks_like_token(std::string_view bearer);

// --- sessions ---------------------------------------------------------------------------

struct SessionSettings {
  int64_t access_ttl_s = 900;       // an access token lives 15 minutes
  int64_t session_ttl_s = 8 * 3600; // a session (its refresh tokens) at most 8 hours from login
  int64_t skew_s = 60;
  size_t max_sessions = 100'000;    // beyond this, logins are refused until sessions expire
};

// Who a session is for: the claims every access token of the session carries.
struct SessionSubject {
  std::string sub;
  std::vector<std::string> roles;
  std::string bank;
  std::string key_id;
};

struct IssuedSession {
  std::string sid;
  std::string access_token;
  std::string refresh_token;
  int64_t access_expires_s = 0;   // seconds from now
  int64_t session_expires_s = 0;  // seconds from now
};

// The live sessions, in memory: a restart ends every session (the tokens of a session the
// rail no longer knows are refused), so a logout can never be undone by one.
class Sessions {
 public:
  Sessions(SessionSettings settings, Keyring& keys) : settings_(settings), keys_(keys) {}

  [[nodiscard]] tl::expected<IssuedSession, std::string> open(const SessionSubject& who, int64_t now_s);
  enum class RefreshOutcome { kOk, kUnknown, kExpired, kReused, kEnded };
  struct Refreshed {
    RefreshOutcome outcome = RefreshOutcome::kUnknown;
    IssuedSession session;  // when kOk
    SessionSubject subject; // when kOk or kReused: whose session it was
    std::string sid;        // when kOk or kReused
  };
  // Rotates a refresh token: the old one is spent. A spent one presented again is taken as
  // stolen, and ends its session (every token of it).
  Refreshed refresh(std::string_view refresh_token, int64_t now_s);
  // Ends a session; false when there was none live of that id.
  bool end(const std::string& sid);
  // A token's session is live: known, not ended, not past its lifetime.
  bool live(const std::string& sid, int64_t now_s) const;
  std::optional<SessionSubject> subject(const std::string& sid) const;
  size_t size() const;
  const SessionSettings& settings() const { return settings_; }
  Keyring& keys() { return keys_; }

 private:
  struct Family {
    SessionSubject subject;
    int64_t expires_s = 0;
    bool ended = false;
    std::vector<std::string> spent;  // hashes of its refresh tokens already used
    std::string current;             // hash of the one refresh token that works
  };
  IssuedSession issue(const std::string& sid, Family& f, int64_t now_s);
  void sweep(int64_t now_s);

  SessionSettings settings_;
  Keyring& keys_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Family> families_;
  std::unordered_map<std::string, std::string> by_refresh_;  // refresh token hash -> sid (current and spent)
};

}  // namespace deltran::gateway
