#pragma once
// HTTP as the rest of the gateway sees it: plain structs, no Beast. Only server.cpp and
// client.cpp include Beast, so the handlers compile fast.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::gateway {

struct Request {
  std::string method;  // upper case: GET, POST…
  std::string target;  // origin-form: /api/v1/transfer?x=y
  std::vector<std::pair<std::string, std::string>> headers;  // names lower case
  std::string body;
  std::string remote;  // peer address
  // Over mTLS: the subject CN of the client certificate the server verified against its
  // client CA (empty: plain HTTP, TLS without a client certificate).
  std::string client_cn;
  // What the handler's admission learned from the headers (the route, the caller), kept
  // so the request is not authenticated and routed twice. Opaque to the server.
  std::shared_ptr<const void> admission;

  // The value of a header (name in lower case), or empty.
  std::string_view header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
      if (k == name) return v;
    }
    return {};
  }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Called by the handler exactly once, from any thread.
using Respond = std::function<void(Response&&)>;

// What the handler says about a request once its headers are in, before its body is read.
struct Admission {
  bool admitted = true;
  size_t body_limit_bytes = 0;  // the body may be at most this large
  Response refusal;             // when not admitted: sent, and the connection closed unread
  std::shared_ptr<const void> context;  // handed back in Request::admission
};

class Handler {
 public:
  virtual ~Handler() = default;
  // `head` has no body yet. Lets the handler authenticate before a body is buffered, so a
  // caller without a valid key can make the server hold no more than a small limit.
  virtual Admission admit(const Request& head) = 0;
  virtual void handle(Request&& request, Respond respond) = 0;
};

// TLS on the API (OpenSSL through Asio). No certificate: plain HTTP.
struct TlsSettings {
  std::string cert_file;  // PEM: the server's certificate, then its chain
  std::string key_file;   // PEM: its private key
  // mTLS: a client certificate is asked for and verified against these CAs (PEM); its
  // subject CN names the participant it authenticates. Empty: no client certificates.
  std::string client_ca_file;
  bool require_client_cert = false;  // with client_ca_file: a connection without one is refused
  bool allow_tls12 = false;          // TLS 1.3 only unless set
  bool enabled() const { return !cert_file.empty(); }
};

struct ServerSettings {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0: any free port
  int threads = 1;
  // The most any body may be; the handler's admission sets each request's own limit.
  size_t body_limit_bytes = 64u << 20;
  size_t header_limit_bytes = 16 << 10;
  int read_timeout_s = 30;  // a request must arrive whole within this (slow clients)
  int max_connections = 10'000;
  int max_connections_per_address = 1'000;  // more from one address are closed at once
  size_t max_header_count = 64;             // more header fields: 431
  TlsSettings tls;
};

class HttpServer {
 public:
  HttpServer(ServerSettings settings, Handler& handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, starts the I/O threads, returns the bound port.
  [[nodiscard]] Result<uint16_t> start();
  void stop();
  // Runs `fn` on one of the server's I/O threads.
  void post(std::function<void()> fn);
  // Appends the server's connection metrics (Prometheus text) to `out`.
  void render_metrics(std::string& out) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// How a client speaks TLS: the CAs it trusts for the server, and optionally the
// certificate it presents (mTLS).
struct ClientTls {
  bool enabled = false;
  std::string ca_file;    // PEM; empty: the system's trust store
  std::string cert_file;  // PEM client certificate (mTLS), optional
  std::string key_file;
};

// A blocking HTTP/1.1 client with keep-alive, for the demo, tools and tests. Over TLS it
// verifies the server's certificate and host name.
class HttpClient {
 public:
  HttpClient(std::string host, uint16_t port, ClientTls tls = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request; reconnects once if the kept-alive connection was closed.
  [[nodiscard]] Result<Response> request(std::string_view method, std::string_view target,
                                         std::string_view body = {},
                                         const std::vector<std::pair<std::string, std::string>>& headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltran::gateway
