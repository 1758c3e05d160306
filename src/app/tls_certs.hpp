#pragma once
// Development certificates for the API's TLS and mTLS: a private CA, a server certificate for
// the names a client dials, and client certificates whose CN is a participant's id. For trying
// the rail and for the demo; production certificates come from the bank's own PKI.
#include <filesystem>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::app {

struct DevCertificates {
  std::filesystem::path ca_cert;      // ca.pem: what clients trust, and --tls-client-ca
  std::filesystem::path server_cert;  // server.pem
  std::filesystem::path server_key;   // server.key (0600)
  std::vector<std::filesystem::path> client_certs;  // <cn>.pem beside <cn>.key (0600)
};

// Writes ca.pem (+ ca.key), server.pem/.key and one <cn>.pem/.key per client into `dir`
// (created; files already there are replaced). Keys are EC P-256; the server certificate
// carries `server_names` as DNS or IP subject alternative names; certificates are valid for
// `days` days from one hour ago (a little clock skew between machines).
[[nodiscard]] Result<DevCertificates> make_dev_certificates(const std::filesystem::path& dir,
                                                            const std::vector<std::string>& server_names,
                                                            const std::vector<std::string>& client_cns, int days);

}  // namespace deltran::app
