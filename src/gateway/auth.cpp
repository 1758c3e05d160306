// Password hashes, signed access tokens and refresh-token sessions (see auth.hpp). The
// cryptography is libsodium's: argon2id, HMAC-SHA-256, base64url and its CSPRNG. The token
// format is JWT (RFC 7519) with one algorithm, HS256; a JWT library would bring the other
// algorithms and their confusions with it, and the subset used here is small.
#include <sodium.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <deltran/core/crypto.hpp>
#include <deltran/core/json_writer.hpp>
#include <deltran/gateway/auth.hpp>

namespace deltran::gateway {

namespace json = boost::json;

namespace {

void init_sodium() {
  // Safe to call more than once and from several threads; fails only without an entropy source.
  static const bool ok = sodium_init() >= 0;
  if (!ok) std::abort();
}

std::string b64url(const uint8_t* data, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}
std::string b64url(std::string_view s) { return b64url(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

// Strict: every character is base64url, no padding, nothing left over.
std::optional<std::string> b64url_decode(std::string_view s) {
  std::string out(s.size(), '\0');
  size_t n = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), s.data(), s.size(), nullptr, &n, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != s.data() + s.size()) {
    return std::nullopt;
  }
  out.resize(n);
  return out;
}

std::string random_id(std::string_view prefix, size_t bytes) {
  std::vector<uint8_t> b(bytes);
  random_bytes(b.data(), b.size());
  return std::string(prefix) + to_hex(b.data(), b.size());
}

std::string header_of(std::string_view kid) {
  JsonWriter w;
  w.begin_object().field("alg", "HS256").field("typ", "JWT").field("kid", kid).end_object();
  return w.take();
}

std::array<uint8_t, crypto_auth_hmacsha256_BYTES> mac(const SigningKey& key, std::string_view signed_part) {
  std::array<uint8_t, crypto_auth_hmacsha256_BYTES> out{};
  crypto_auth_hmacsha256(out.data(), reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                         key.secret.data());
  return out;
}

bool kid_shape(std::string_view kid) {
  if (kid.size() != 15 || kid.substr(0, 3) != "sk_") return false;
  return std::all_of(kid.begin() + 3, kid.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

Status write_private_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const mode_t old = ::umask(077);
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      ::umask(old);
      return make_error(ErrorCode::kUnavailable, "cannot write " + tmp);
    }
  }
  ::umask(old);
  ::chmod(tmp.c_str(), 0600);
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "cannot replace " + path + ": " + ec.message());
  return {};
}

}  // namespace

// --- passwords ----------------------------------------------------------------------------

Result<std::string> hash_password(std::string_view password) {
  init_sodium();
  if (password.size() < 12) return make_error(ErrorCode::kInvalidArgument, "a password needs at least 12 characters");
  if (password.size() > 1024) return make_error(ErrorCode::kInvalidArgument, "a password may have at most 1024 characters");
  char out[crypto_pwhash_STRBYTES];
  // libsodium's "interactive" cost (2 passes over 64 MiB): about 0.1 s a login here.
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return make_error(ErrorCode::kUnavailable, "argon2id: out of memory");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  init_sodium();
  if (hash.substr(0, 10) != "$argon2id$" || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Status check_user_name(std::string_view name) {
  const bool ok = !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
  if (!ok) return make_error(ErrorCode::kInvalidArgument, "a user name is 1 to 64 of a-z, 0-9, '.', '_' and '-'");
  return {};
}

Result<std::vector<StaffUser>> read_users_file(const std::string& path) {
  std::vector<StaffUser> users;
  std::ifstream in(path);
  if (!in) {
    if (!std::filesystem::exists(path)) return users;
    return make_error(ErrorCode::kUnavailable, "cannot read the users file " + path);
  }
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    StaffUser u;
    std::string extra;
    fields >> u.name >> u.role >> u.password_hash >> extra;
    const std::string where = path + ":" + std::to_string(number) + ": ";
    if (u.password_hash.empty() || !extra.empty()) {
      return make_error(ErrorCode::kInvalidArgument, where + "expected 'name role argon2id-hash'");
    }
    if (auto st = check_user_name(u.name); !st) return make_error(ErrorCode::kInvalidArgument, where + st.error().message);
    if (std::find(kUserRoles.begin(), kUserRoles.end(), u.role) == kUserRoles.end()) {
      return make_error(ErrorCode::kInvalidArgument, where + "role '" + u.role + "' is not admin, operator, compliance or auditor");
    }
    if (u.password_hash.substr(0, 10) != "$argon2id$") {
      return make_error(ErrorCode::kInvalidArgument, where + "the password hash is not argon2id");
    }
    for (const auto& other : users) {
      if (other.name == u.name) return make_error(ErrorCode::kInvalidArgument, where + "user '" + u.name + "' appears twice");
    }
    users.push_back(std::move(u));
  }
  return users;
}

Status write_users_file(const std::string& path, const std::vector<StaffUser>& users) {
  std::string text = "# DelTran staff users: name role argon2id-hash (deltran user add|remove)\n";
  for (const auto& u : users) text += u.name + " " + u.role + " " + u.password_hash + "\n";
  return write_private_file(path, text);
}

// --- the keyring -------------------------------------------------------------------------

Result<std::unique_ptr<Keyring>> Keyring::open(const std::string& path, int64_t now_s) {
  init_sodium();
  auto ring = std::unique_ptr<Keyring>(new Keyring());
  ring->path_ = path;
  if (!path.empty() && std::filesystem::exists(path)) {
    std::ifstream in(path);
    std::string kid, hex;
    int64_t created = 0;
    while (in >> kid >> created >> hex) {
      SigningKey k;
      k.kid = kid;
      k.created_s = created;
      size_t n = 0;
      if (!kid_shape(kid) || hex.size() != 64 ||
          sodium_hex2bin(k.secret.data(), k.secret.size(), hex.data(), hex.size(), nullptr, &n, nullptr) != 0 || n != 32) {
        return make_error(ErrorCode::kInvalidArgument, "the signing keys file " + path + " is damaged (key '" + kid + "')");
      }
      ring->keys_.push_back(k);
    }
    if (ring->keys_.empty()) return make_error(ErrorCode::kInvalidArgument, "the signing keys file " + path + " holds no key");
    return ring;
  }
  if (auto kid = ring->rotate(now_s); !kid) return tl::unexpected(kid.error());
  return ring;
}

Result<std::string> Keyring::rotate(int64_t now_s) {
  SigningKey k;
  k.kid = random_id("sk_", 6);
  k.created_s = now_s;
  random_bytes(k.secret.data(), k.secret.size());
  std::lock_guard lock(mu_);
  auto before = keys_;
  keys_.push_back(k);
  while (keys_.size() > kKeep) keys_.erase(keys_.begin());
  if (auto st = save(); !st) {
    keys_ = std::move(before);  // not held on disk: not used, or a restart would orphan its tokens
    return tl::unexpected(st.error());
  }
  return k.kid;
}

Status Keyring::save() const {
  if (path_.empty()) return {};
  std::string text;
  for (const auto& k : keys_) text += k.kid + " " + std::to_string(k.created_s) + " " + to_hex(k.secret.data(), 32) + "\n";
  return write_private_file(path_, text);
}

SigningKey Keyring::current() const {
  std::lock_guard lock(mu_);
  return keys_.back();
}

std::optional<SigningKey> Keyring::find(std::string_view kid) const {
  std::lock_guard lock(mu_);
  for (const auto& k : keys_) {
    if (k.kid == kid) return k;
  }
  return std::nullopt;
}

std::vector<std::string> Keyring::kids() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it) out.push_back(it->kid);
  return out;
}

// --- tokens -------------------------------------------------------------------------------

bool looks_like_token(std::string_view bearer) { return std::count(bearer.begin(), bearer.end(), '.') == 2; }

std::string sign_token(const SigningKey& key, const TokenClaims& c) {
  JsonWriter w;
  w.begin_object().field("iss", "deltran").field("aud", "deltran-api").field("sub", c.sub).key("roles").begin_array();
  for (const auto& r : c.roles) w.string(r);
  w.end_array();
  if (!c.bank.empty()) w.field("bank", c.bank);
  if (!c.key_id.empty()) w.field("key_id", c.key_id);
  w.field("sid", c.sid).field("jti", c.jti).field("iat", c.iat).field("nbf", c.nbf).field("exp", c.exp).end_object();
  std::string out = b64url(header_of(key.kid)) + "." + b64url(w.take());
  const auto sig = mac(key, out);
  out += ".";
  out += b64url(sig.data(), sig.size());
  return out;
}

tl::expected<TokenClaims, std::string> verify_token(std::string_view token, const Keyring& keys, const TokenRules& rules) {
  if (token.size() > 4096) return tl::unexpected(std::string("the token is too long"));
  const size_t d1 = token.find('.');
  const size_t d2 = d1 == std::string_view::npos ? d1 : token.find('.', d1 + 1);
  if (d2 == std::string_view::npos || token.find('.', d2 + 1) != std::string_view::npos) {
    return tl::unexpected(std::string("not a signed token (header.payload.signature)"));
  }
  const std::string_view header_b64 = token.substr(0, d1);
  const std::string_view payload_b64 = token.substr(d1 + 1, d2 - d1 - 1);
  const std::string_view sig_b64 = token.substr(d2 + 1);
  auto header = b64url_decode(header_b64);
  if (!header) return tl::unexpected(std::string("the token header is not base64url"));
  boost::system::error_code ec;
  json::value h = json::parse(*header, ec);
  const json::object* ho = ec ? nullptr : h.if_object();
  const json::value* alg = ho == nullptr ? nullptr : ho->if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->as_string() != "HS256") {
    return tl::unexpected(std::string("the token's algorithm is not HS256 (the only one accepted)"));
  }
  const json::value* kid = ho->if_contains("kid");
  if (kid == nullptr || !kid->is_string() || !kid_shape(kid->as_string())) {
    return tl::unexpected(std::string("the token names no signing key (kid)"));
  }
  // Exactly the header this rail writes: nothing added, repeated or reordered.
  if (b64url(header_of(kid->as_string())) != header_b64) {
    return tl::unexpected(std::string("the token header is not one this rail issues"));
  }
  auto key = keys.find(std::string_view(kid->as_string()));
  if (!key) return tl::unexpected(std::string("the token was signed with a key this rail no longer holds: log in again"));
  auto sig = b64url_decode(sig_b64);
  const std::string_view signed_part = token.substr(0, d2);
  if (!sig || sig->size() != crypto_auth_hmacsha256_BYTES ||
      crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(sig->data()),
                                    reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size(),
                                    key->secret.data()) != 0) {
    return tl::unexpected(std::string("the token's signature does not verify"));
  }
  // Signed by this rail: the payload is its own writing, still read defensively.
  auto payload = b64url_decode(payload_b64);
  if (!payload) return tl::unexpected(std::string("the token payload is not base64url"));
  json::value p = json::parse(*payload, ec);
  const json::object* po = ec ? nullptr : p.if_object();
  if (po == nullptr) return tl::unexpected(std::string("the token payload is not a JSON object"));
  auto text = [&](std::string_view k) -> std::optional<std::string> {
    const json::value* v = po->if_contains(k);
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
  };
  auto number = [&](std::string_view k) -> std::optional<int64_t> {
    const json::value* v = po->if_contains(k);
    if (v == nullptr || !v->is_int64()) return std::nullopt;
    return v->as_int64();
  };
  TokenClaims c;
  auto iss = text("iss"), aud = text("aud"), sub = text("sub"), sid = text("sid"), jti = text("jti");
  auto iat = number("iat"), nbf = number("nbf"), exp = number("exp");
  const json::value* roles = po->if_contains("roles");
  if (!iss || *iss != "deltran" || !aud || *aud != "deltran-api" || !sub || !sid || !jti || !iat || !nbf || !exp ||
      roles == nullptr || !roles->is_array()) {
    return tl::unexpected(std::string("the token lacks a claim this rail requires"));
  }
  for (const auto& r : roles->as_array()) {
    if (!r.is_string()) return tl::unexpected(std::string("the token's roles are not names"));
    c.roles.emplace_back(r.as_string());
  }
  c.sub = *sub;
  c.sid = *sid;
  c.jti = *jti;
  c.bank = text("bank").value_or("");
  c.key_id = text("key_id").value_or("");
  c.iat = *iat;
  c.nbf = *nbf;
  c.exp = *exp;
  const int64_t skew = std::clamp<int64_t>(rules.skew_s, 0, 300);
  if (c.exp <= c.iat || c.exp - c.iat > rules.max_ttl_s) return tl::unexpected(std::string("the token's lifetime is not allowed"));
  if (rules.now_s + skew < c.nbf || rules.now_s + skew < c.iat) {
    return tl::unexpected(std::string("the token is not valid yet (check the client's clock)"));
  }
  if (rules.now_s - skew >= c.exp) return tl::unexpected(std::string("the token has expired: refresh it or log in again"));
  return c;
}

// --- sessions -----------------------------------------------------------------------------

IssuedSession Sessions::issue(const std::string& sid, Family& f, int64_t now_s) {
  uint8_t raw[32];
  random_bytes(raw, sizeof raw);
  IssuedSession out;
  out.sid = sid;
  out.refresh_token = "dtr_" + b64url(raw, sizeof raw);
  f.current = sha256_hex(out.refresh_token);
  by_refresh_[f.current] = sid;
  TokenClaims c;
  c.sub = f.subject.sub;
  c.roles = f.subject.roles;
  c.bank = f.subject.bank;
  c.key_id = f.subject.key_id;
  c.sid = sid;
  c.jti = random_id("at_", 8);
  c.iat = now_s;
  c.nbf = now_s;
  // An access token never outlives its session.
  c.exp = std::min(now_s + settings_.access_ttl_s, f.expires_s);
  if (c.exp <= c.iat) c.exp = c.iat + 1;
  out.access_token = sign_token(keys_.current(), c);
  out.access_expires_s = c.exp - now_s;
  out.session_expires_s = f.expires_s - now_s;
  return out;
}

void Sessions::sweep(int64_t now_s) {
  for (auto it = families_.begin(); it != families_.end();) {
    if (it->second.expires_s + settings_.skew_s < now_s) {
      by_refresh_.erase(it->second.current);
      for (const auto& h : it->second.spent) by_refresh_.erase(h);
      it = families_.erase(it);
    } else {
      ++it;
    }
  }
}

tl::expected<IssuedSession, std::string> Sessions::open(const SessionSubject& who, int64_t now_s) {
  std::lock_guard lock(mu_);
  if (families_.size() >= settings_.max_sessions) sweep(now_s);
  if (families_.size() >= settings_.max_sessions) {
    return tl::unexpected(std::string("too many sessions are open; retry later or use an API key"));
  }
  std::string sid = random_id("ses_", 12);
  Family& f = families_[sid];
  f.subject = who;
  f.expires_s = now_s + settings_.session_ttl_s;
  return issue(sid, f, now_s);
}

Sessions::Refreshed Sessions::refresh(std::string_view refresh_token, int64_t now_s) {
  Refreshed r;
  const std::string hash = sha256_hex(refresh_token);
  std::lock_guard lock(mu_);
  auto at = by_refresh_.find(hash);
  if (at == by_refresh_.end()) return r;  // kUnknown
  auto fam = families_.find(at->second);
  if (fam == families_.end()) return r;
  Family& f = fam->second;
  r.sid = fam->first;
  r.subject = f.subject;
  if (f.ended) {
    r.outcome = RefreshOutcome::kEnded;
    return r;
  }
  if (now_s >= f.expires_s) {
    r.outcome = RefreshOutcome::kExpired;
    return r;
  }
  if (hash != f.current) {
    // A spent token: whoever holds it is not the session's rightful holder, or the holder's
    // copy was stolen. Either way the session ends.
    f.ended = true;
    r.outcome = RefreshOutcome::kReused;
    return r;
  }
  f.spent.push_back(f.current);
  r.session = issue(fam->first, f, now_s);
  r.outcome = RefreshOutcome::kOk;
  return r;
}

bool Sessions::end(const std::string& sid) {
  std::lock_guard lock(mu_);
  auto it = families_.find(sid);
  if (it == families_.end() || it->second.ended) return false;
  it->second.ended = true;
  return true;
}

bool Sessions::live(const std::string& sid, int64_t now_s) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(sid);
  return it != families_.end() && !it->second.ended && now_s < it->second.expires_s + settings_.skew_s;
}

std::optional<SessionSubject> Sessions::subject(const std::string& sid) const {
  std::lock_guard lock(mu_);
  auto it = families_.find(sid);
  if (it == families_.end()) return std::nullopt;
  return it->second.subject;
}

size_t Sessions::size() const {
  std::lock_guard lock(mu_);
  return families_.size();
}

}  // namespace deltran::gateway
