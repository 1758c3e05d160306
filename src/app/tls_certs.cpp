#include "tls_certs.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string_view>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace deltran::app {
namespace {

namespace fs = std::filesystem;

struct FreeKey {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct FreeCert {
  void operator()(X509* x) const { X509_free(x); }
};
struct FreeBio {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Key = std::unique_ptr<EVP_PKEY, FreeKey>;
using Cert = std::unique_ptr<X509, FreeCert>;

std::string openssl_error(std::string_view what) {
  std::string out(what);
  if (unsigned long e = ERR_get_error(); e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    out += ": ";
    out += buf;
  }
  ERR_clear_error();
  return out;
}

Error failure(std::string_view what) { return Error{ErrorCode::kUnavailable, openssl_error(what)}; }

// A file name and a CN at once: the characters of a participant id or a host name only.
bool plain_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '.' || s.front() == '-') return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

bool is_ip(std::string_view s) {
  unsigned char buf[16];
  const std::string z(s);
  return inet_pton(AF_INET, z.c_str(), buf) == 1 || inet_pton(AF_INET6, z.c_str(), buf) == 1;
}

// Writes `bytes` to `path` with `mode`, replacing what is there.
Status write_file(const fs::path& path, const std::string& bytes, mode_t mode) {
  const fs::path tmp = path.string() + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return make_error(ErrorCode::kUnavailable, "cannot write " + tmp.string());
  ::fchmod(fd, mode);  // the umask may have narrowed it; a key must not be wider than 0600 either way
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return make_error(ErrorCode::kUnavailable, "cannot write " + tmp.string());
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return make_error(ErrorCode::kUnavailable, "cannot write " + tmp.string());
  std::error_code ec;
  fs::rename(tmp, path, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "cannot replace " + path.string() + ": " + ec.message());
  return {};
}

template <typename WriteFn>
Result<std::string> pem(WriteFn&& write) {
  std::unique_ptr<BIO, FreeBio> bio(BIO_new(BIO_s_mem()));
  if (!bio || write(bio.get()) != 1) return tl::unexpected(failure("PEM encoding"));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

Result<Key> new_key() {
  Key key(EVP_EC_gen("P-256"));
  if (!key) return tl::unexpected(failure("EC P-256 key generation"));
  return key;
}

Status add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (ext == nullptr) return tl::unexpected(failure(std::string("certificate extension ") + OBJ_nid2sn(nid)));
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return tl::unexpected(failure("adding a certificate extension"));
  return {};
}

struct Extension {
  int nid;
  std::string value;
};

// A certificate for `key` named CN=`cn`, signed by `issuer_key` (self-signed when
// `issuer` is null), with `exts` in order.
Result<Cert> make_cert(EVP_PKEY* key, const std::string& cn, X509* issuer, EVP_PKEY* issuer_key, int days,
                       const std::vector<Extension>& exts) {
  Cert cert(X509_new());
  if (!cert) return tl::unexpected(failure("X509_new"));
  X509_set_version(cert.get(), 2);  // v3
  // A random 127-bit serial: unique per CA without a serial file.
  BIGNUM* bn = BN_new();
  if (bn == nullptr || BN_rand(bn, 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) == nullptr) {
    BN_free(bn);
    return tl::unexpected(failure("certificate serial"));
  }
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), days, 0, nullptr);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("DelTran development"),
                             -1, -1, 0);
  if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1,
                                 0) != 1) {
    return tl::unexpected(failure("certificate subject"));
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
  for (const auto& e : exts) {
    if (auto st = add_ext(cert.get(), signer, e.nid, e.value.c_str()); !st) return tl::unexpected(st.error());
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return tl::unexpected(failure("signing a certificate"));
  }
  return cert;
}

Status write_pair(const fs::path& dir, const std::string& stem, X509* cert, EVP_PKEY* key) {
  auto cert_pem = pem([&](BIO* b) { return PEM_write_bio_X509(b, cert); });
  if (!cert_pem) return tl::unexpected(cert_pem.error());
  auto key_pem = pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
  if (!key_pem) return tl::unexpected(key_pem.error());
  if (auto st = write_file(dir / (stem + ".key"), *key_pem, 0600); !st) return st;
  return write_file(dir / (stem + ".pem"), *cert_pem, 0644);
}

}  // namespace

Result<DevCertificates> make_dev_certificates(const fs::path& dir, const std::vector<std::string>& server_names,
                                              const std::vector<std::string>& client_cns, int days) {
  if (days < 1 || days > 3650) return make_error(ErrorCode::kInvalidArgument, "days must be 1 to 3650");
  if (server_names.empty()) return make_error(ErrorCode::kInvalidArgument, "the server certificate needs a name");
  std::string san;
  for (const auto& n : server_names) {
    if (n.empty() || n.size() > 253 || n.find_first_of(", \t\r\n") != std::string::npos) {
      return make_error(ErrorCode::kInvalidArgument, "not a host name or IP address: '" + n + "'");
    }
    if (!san.empty()) san += ",";
    san += (is_ip(n) ? "IP:" : "DNS:") + n;
  }
  for (const auto& cn : client_cns) {
    if (!plain_name(cn) || cn == "ca" || cn == "server") {
      return make_error(ErrorCode::kInvalidArgument,
                        "a client certificate's CN must be a participant id (letters, digits, '.', '-', '_'): '" + cn +
                            "'");
    }
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "cannot create " + dir.string() + ": " + ec.message());

  DevCertificates out;
  auto ca_key = new_key();
  if (!ca_key) return tl::unexpected(ca_key.error());
  auto ca = make_cert(ca_key->get(), "DelTran development CA", nullptr, nullptr, days,
                      {{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                       {NID_key_usage, "critical,keyCertSign,cRLSign"},
                       {NID_subject_key_identifier, "hash"}});
  if (!ca) return tl::unexpected(ca.error());
  if (auto st = write_pair(dir, "ca", ca->get(), ca_key->get()); !st) return tl::unexpected(st.error());
  out.ca_cert = dir / "ca.pem";

  auto leaf = [&](const std::string& stem, const std::string& cn, std::vector<Extension> extra) -> Status {
    auto key = new_key();
    if (!key) return tl::unexpected(key.error());
    std::vector<Extension> exts = {{NID_basic_constraints, "critical,CA:FALSE"},
                                   {NID_key_usage, "critical,digitalSignature"},
                                   {NID_subject_key_identifier, "hash"},
                                   {NID_authority_key_identifier, "keyid:always"}};
    exts.insert(exts.end(), extra.begin(), extra.end());
    auto cert = make_cert(key->get(), cn, ca->get(), ca_key->get(), days, exts);
    if (!cert) return tl::unexpected(cert.error());
    return write_pair(dir, stem, cert->get(), key->get());
  };
  if (auto st = leaf("server", server_names.front(),
                     {{NID_ext_key_usage, "serverAuth"}, {NID_subject_alt_name, san}});
      !st) {
    return tl::unexpected(st.error());
  }
  out.server_cert = dir / "server.pem";
  out.server_key = dir / "server.key";
  for (const auto& cn : client_cns) {
    if (auto st = leaf(cn, cn, {{NID_ext_key_usage, "clientAuth"}}); !st) return tl::unexpected(st.error());
    out.client_certs.push_back(dir / (cn + ".pem"));
  }
  return out;
}

}  // namespace deltran::app
