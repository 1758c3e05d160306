#include <cstdio>
#include <cstdlib>
#include <ctime>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <chrono>
#include <random>

#include <deltran/core/assert.hpp>
#include <deltran/core/clock.hpp>
#include <deltran/core/crypto.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/core/result.hpp>

namespace deltran {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kFailedPrecondition: return "failed_precondition";
    case ErrorCode::kPermissionDenied: return "permission_denied";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kResourceExhausted: return "resource_exhausted";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

void assert_fail(const char* expr, const char* message, const char* file, int line) {
  std::fprintf(stderr, "DELTRAN_ASSERT failed: %s (%s) at %s:%d\n", expr, message, file, line);
  std::fflush(stderr);
  std::abort();
}

int64_t SystemClock::now_us() const {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
std::tm utc_tm(int64_t epoch_us) {
  std::time_t secs = static_cast<std::time_t>(epoch_us / 1'000'000);
  if (epoch_us < 0 && epoch_us % 1'000'000 != 0) --secs;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}
}  // namespace

std::string format_rfc3339(int64_t epoch_us) {
  std::tm tm = utc_tm(epoch_us);
  int64_t frac = epoch_us % 1'000'000;
  if (frac < 0) frac += 1'000'000;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(frac));
  return buf;
}

std::string format_date(int64_t epoch_us) {
  std::tm tm = utc_tm(epoch_us);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return buf;
}

int64_t parse_date_us(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return -1;
  auto num = [&](size_t at, size_t len) {
    int v = 0;
    for (size_t i = at; i < at + len; ++i) {
      if (date[i] < '0' || date[i] > '9') return -1;
      v = v * 10 + (date[i] - '0');
    }
    return v;
  };
  int y = num(0, 4), m = num(5, 2), d = num(8, 2);
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return -1;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = m - 1;
  tm.tm_mday = d;
  std::time_t t = timegm(&tm);
  if (format_date(static_cast<int64_t>(t) * 1'000'000) != date) return -1;  // e.g. 2026-02-30
  return static_cast<int64_t>(t) * 1'000'000;
}

void random_bytes(uint8_t* out, size_t size) {
  DELTRAN_ASSERT(RAND_bytes(out, static_cast<int>(size)) == 1, "OS CSPRNG failed");
}

std::string to_hex(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xF];
  }
  return out;
}

namespace {
// OpenSSL 3 looks the algorithm up on every EVP_Digest with EVP_sha256() and allocates a
// context each time; on the request path (API key and request hashes) that was most of
// the hash's cost. The algorithm is fetched once and each thread keeps one context.
struct Sha256Context {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ~Sha256Context() { EVP_MD_CTX_free(ctx); }
};
const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}
}  // namespace

Sha256Digest sha256(std::string_view data) {
  thread_local Sha256Context c;
  Sha256Digest digest{};
  unsigned int len = 0;
  const EVP_MD* md = sha256_md();
  DELTRAN_ASSERT(md != nullptr && c.ctx != nullptr && EVP_DigestInit_ex2(c.ctx, md, nullptr) == 1 &&
                     EVP_DigestUpdate(c.ctx, data.data(), data.size()) == 1 &&
                     EVP_DigestFinal_ex(c.ctx, digest.data(), &len) == 1 && len == digest.size(),
                 "SHA-256 failed");
  return digest;
}

std::string sha256_hex(std::string_view data) {
  Sha256Digest d = sha256(data);
  return to_hex(d.data(), d.size());
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {
// Per-thread 64-bit generator for UUIDs: seeded once from the CSPRNG. UUIDs need to be
// unique, not secret; API keys below take their bytes straight from the CSPRNG.
struct UuidGenerator {
  std::mt19937_64 engine;
  UuidGenerator() {
    std::array<uint64_t, 4> seed{};
    random_bytes(reinterpret_cast<uint8_t*>(seed.data()), sizeof seed);
    std::seed_seq seq{seed[0], seed[1], seed[2], seed[3]};
    engine.seed(seq);
  }
};

std::string format_uuid(uint64_t hi, uint64_t lo) {
  std::array<uint8_t, 16> b{};
  for (int i = 0; i < 8; ++i) {
    b[static_cast<size_t>(i)] = static_cast<uint8_t>(hi >> (56 - 8 * i));
    b[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(lo >> (56 - 8 * i));
  }
  std::string hex = to_hex(b.data(), b.size());
  std::string out;
  out.reserve(36);
  out.append(hex, 0, 8).push_back('-');
  out.append(hex, 8, 4).push_back('-');
  out.append(hex, 12, 4).push_back('-');
  out.append(hex, 16, 4).push_back('-');
  out.append(hex, 20, 12);
  return out;
}

}  // namespace

std::string new_uuid_v4() {
  thread_local UuidGenerator gen;
  uint64_t hi = gen.engine();
  uint64_t lo = gen.engine();
  hi = (hi & ~uint64_t{0xF000}) | 0x4000;                              // version 4
  lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);          // RFC 9562 variant
  return format_uuid(hi, lo);
}

std::string new_uuid_v7() {
  thread_local UuidGenerator gen;
  // RFC 9562 §5.7: 48 bits of Unix milliseconds, the version, 12 bits of sub-millisecond
  // time (method 3 of §6.2, so ids of one thread sort by time), the variant, 62 random bits.
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::system_clock::now().time_since_epoch()).count();
  const auto ms = static_cast<uint64_t>(us / 1000);
  const auto sub = static_cast<uint64_t>((us % 1000) * 4096 / 1000);
  uint64_t hi = (ms << 16) | 0x7000 | sub;
  uint64_t lo = (gen.engine() & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);
  return format_uuid(hi, lo);
}

bool is_uuid(std::string_view s, char version) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
      continue;
    }
    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  if (s[14] != version) return false;
  char v = s[19];
  return v == '8' || v == '9' || v == 'a' || v == 'b' || v == 'A' || v == 'B';
}

bool is_uuid_v4(std::string_view s) { return is_uuid(s, '4'); }

std::string new_api_key(std::string_view prefix) {
  std::array<uint8_t, 32> b{};
  random_bytes(b.data(), b.size());
  std::string key(prefix);
  key += to_hex(b.data(), b.size());
  return key;
}

}  // namespace deltran
