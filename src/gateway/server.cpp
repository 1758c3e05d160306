// The HTTP/1.1 server on Boost.Beast: one io_context run by N threads, a strand per
// connection, keep-alive, body and header limits, and a read deadline per request so a
// slow client cannot hold a connection forever. Replies may come from any thread (the
// engine's); they are posted back onto the connection's strand. With a certificate it
// speaks TLS 1.3 (OpenSSL through Asio), optionally asking for client certificates (mTLS).
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include <deltran/core/metrics.hpp>
#include <deltran/core/result_code.hpp>
#include <deltran/core/text.hpp>
#include <deltran/gateway/http.hpp>

namespace deltran::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

// The error body the API writes, for the answers the server gives before the API sees a request.
std::string error_json(Rc rc, std::string_view message) {
  std::string out = "{\"error\":{\"code\":";
  append_json_string(out, api_code(rc));
  out += ",\"message\":";
  append_json_string(out, message);
  out += ",\"reason\":";
  if (iso_reason(rc).empty()) {
    out += "null";
  } else {
    append_json_string(out, iso_reason(rc));
  }
  out += "}}";
  return out;
}

// Open connections, in all and per peer address, and what the server cut off or refused.
struct Connections {
  std::atomic<int> open{0};
  std::mutex mu;
  std::unordered_map<std::string, int> by_address;  // addresses with a connection open
  metrics::Counter refused_total;        // over max_connections
  metrics::Counter refused_per_address;  // over max_connections_per_address
  metrics::Counter timed_out;            // a request not whole within the read deadline
  metrics::Counter header_limit;         // header block too large or too many fields: 431
  metrics::Counter tls_handshake_failed;  // not TLS, a refused or missing client certificate, too slow

  // Admits a connection from `address`, or says no (the caller closes it).
  bool admit(const std::string& address, const ServerSettings& s) {
    if (open.fetch_add(1, std::memory_order_relaxed) >= s.max_connections) {
      open.fetch_sub(1, std::memory_order_relaxed);
      refused_total.add();
      return false;
    }
    std::lock_guard lock(mu);
    int& n = by_address[address];
    if (n >= s.max_connections_per_address) {
      open.fetch_sub(1, std::memory_order_relaxed);
      refused_per_address.add();
      return false;
    }
    ++n;
    return true;
  }
  void release(const std::string& address) {
    open.fetch_sub(1, std::memory_order_relaxed);
    std::lock_guard lock(mu);
    auto it = by_address.find(address);
    if (it != by_address.end() && --it->second <= 0) by_address.erase(it);
  }
};

// The subject CN of the peer's certificate, when OpenSSL verified it (empty otherwise).
std::string verified_client_cn(SSL* ssl) {
  if (SSL_get_verify_result(ssl) != X509_V_OK) return {};
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return {};
  std::string cn;
  X509_NAME* subject = X509_get_subject_name(cert);
  const int at = subject == nullptr ? -1 : X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (at >= 0) {
    const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, at));
    unsigned char* utf8 = nullptr;
    const int n = ASN1_STRING_to_UTF8(&utf8, data);
    if (n > 0) cn.assign(reinterpret_cast<const char*>(utf8), static_cast<size_t>(n));
    OPENSSL_free(utf8);
  }
  X509_free(cert);
  return cn;
}

// One connection, over plain TCP or over TLS.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

 public:
  template <class... Args>
  Session(tcp::socket&& socket, std::string address, const ServerSettings& settings, Handler& handler,
          Connections& connections, Args&... tls_context)
      : stream_(std::move(socket), tls_context...),
        address_(std::move(address)),
        settings_(settings),
        handler_(handler),
        connections_(connections) {}
  ~Session() { connections_.release(address_); }

  void start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (kTls) {
        self->handshake();
      } else {
        self->read();
      }
    });
  }

 private:
  auto& tcp_layer() { return beast::get_lowest_layer(stream_); }

  // The TLS handshake, under the read deadline: a client that opens a connection and never
  // finishes the handshake is cut off like a slow request.
  void handshake() {
    tcp_layer().expires_after(std::chrono::seconds(settings_.read_timeout_s));
    stream_.async_handshake(ssl::stream_base::server, [self = shared_from_this()](beast::error_code ec) {
      if (ec) {
        self->connections_.tls_handshake_failed.add();
        return self->close();
      }
      if constexpr (kTls) self->client_cn_ = verified_client_cn(self->stream_.native_handle());
      self->read();
    });
  }

  void read() {
    parser_.emplace();
    parser_->body_limit(settings_.body_limit_bytes);
    parser_->header_limit(static_cast<uint32_t>(settings_.header_limit_bytes));
    tcp_layer().expires_after(std::chrono::seconds(settings_.read_timeout_s));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  // The head is in: the handler admits the request (it authenticates from the headers) and
  // sets how large its body may be. A refused request gets its answer without the body
  // being read. curl and many HTTP libraries send "Expect: 100-continue" before a body
  // over 1 KiB and wait (curl: one second) for the interim answer; give it at once, unless
  // the declared body is already too large, in which case the final answer comes instead.
  void on_header(beast::error_code ec) {
    if (ec) return on_read(ec);
    auto& msg = parser_->get();
    // A flood of small header fields stays under the byte limit; their number is held too.
    if (static_cast<size_t>(std::distance(msg.begin(), msg.end())) > settings_.max_header_count) {
      connections_.header_limit.add();
      return reply_and_close(431, error_json(Rc::kHeadersTooLarge, "the request has more than " +
                                                                       std::to_string(settings_.max_header_count) +
                                                                       " header fields"));
    }
    Request head = request_of(msg);
    head.client_cn = client_cn_;
    head.remote = address_;
    Admission admission = handler_.admit(head);
    if (!admission.admitted) return reply_and_close(std::move(admission.refusal));
    admission_ = std::move(admission.context);
    body_limit_ = std::min(admission.body_limit_bytes, settings_.body_limit_bytes);
    // Beast checks a declared Content-Length against the limit only while reading the
    // header, under the server's largest limit; this request's own limit is checked here.
    // (A chunked body is held to the new limit chunk by chunk as it arrives.)
    auto length = parser_->content_length();
    if (length && *length > body_limit_) {
      return reply_and_close(413, error_json(Rc::kBodyTooLarge, "the request body exceeds " +
                                                                    std::to_string(body_limit_) + " bytes"));
    }
    parser_->body_limit(body_limit_);
    if (!beast::iequals(msg[http::field::expect], "100-continue")) return read_body();
    continue_.emplace(http::status::continue_, 11);
    http::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->close();
      self->read_body();
    });
  }

  static Request request_of(const http::request<http::string_body>& msg) {
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    req.headers.reserve(8);
    for (const auto& field : msg) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    return req;
  }

  void read_body() {
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    // A client that began a request and did not finish it in time (slowloris, a slow body).
    if (ec == beast::error::timeout && parser_ && parser_->got_some()) connections_.timed_out.add();
    if (ec == http::error::end_of_stream || ec == net::error::connection_reset ||
        ec == beast::error::timeout || ec == net::error::operation_aborted) {
      return close();
    }
    if (ec == http::error::body_limit) {
      return reply_and_close(413, error_json(Rc::kBodyTooLarge, "the request body exceeds " +
                                                                   std::to_string(body_limit_) + " bytes"));
    }
    if (ec == http::error::header_limit) {
      connections_.header_limit.add();
      return reply_and_close(431, error_json(Rc::kHeadersTooLarge, "the request headers are too large"));
    }
    if (ec) return reply_and_close(400, error_json(Rc::kBadRequest, "malformed HTTP request"));

    auto& msg = parser_->get();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_request_ = msg.method() == http::verb::head;
    Request req = request_of(msg);
    req.body = std::move(msg.body());
    req.admission = std::move(admission_);
    req.remote = address_;
    req.client_cn = client_cn_;
    tcp_layer().expires_never();
    handler_.handle(std::move(req), [self = shared_from_this()](Response&& res) {
      net::post(self->stream_.get_executor(),
                [self, res = std::move(res)]() mutable { self->write(std::move(res)); });
    });
  }

  // Responses are serialised by hand into one buffer: Beast's generic serializer walks a
  // chain of buffer views per write, which showed as the costliest part of a small reply
  // under load. The format is fixed and simple: status line, headers, body.
  void write(Response&& res) {
    out_.clear();
    out_ += version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    out_ += std::to_string(res.status);
    out_ += ' ';
    out_ += std::string_view(http::obsolete_reason(static_cast<http::status>(res.status)));
    out_ += "\r\nServer: deltran\r\nContent-Type: ";
    out_ += res.content_type;
    out_ += "\r\nContent-Length: ";
    out_ += std::to_string(res.body.size());
    if (!keep_alive_) {
      out_ += "\r\nConnection: close";
    } else if (version_ == 10) {
      out_ += "\r\nConnection: keep-alive";
    }
    for (const auto& [k, v] : res.headers) {
      out_ += "\r\n";
      out_ += k;
      out_ += ": ";
      out_ += v;
    }
    out_ += "\r\n\r\n";
    if (!head_request_) out_ += res.body;
    tcp_layer().expires_after(std::chrono::seconds(settings_.read_timeout_s));
    net::async_write(stream_, net::buffer(out_), [self = shared_from_this()](beast::error_code ec, size_t) {
      if (!ec && self->linger_) return self->drain();
      if (ec || !self->keep_alive_) return self->close();
      self->read();
    });
  }

  // After an error reply the client may still be sending (an oversized body): stop
  // writing, then read and discard for a moment, so closing does not reset the connection
  // and destroy the reply before the client reads it.
  void drain() {
    beast::error_code ec;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_layer().expires_after(std::chrono::seconds(2));
    drain_buffer_.resize(16 << 10);
    stream_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->close();
      self->drain_more();
    });
  }
  void drain_more() {
    stream_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this()](beast::error_code e, size_t) {
      if (e) return self->close();
      self->drain_more();
    });
  }

  void reply_and_close(int status, std::string body) {
    Response res;
    res.status = status;
    res.body = std::move(body);
    reply_and_close(std::move(res));
  }
  void reply_and_close(Response res) {
    keep_alive_ = false;
    linger_ = true;
    if (parser_) version_ = parser_->get().version();
    write(std::move(res));
  }

  // Over TLS the connection is closed without a close_notify: every answer carries its
  // Content-Length, so a truncation cannot pass for a whole reply.
  void close() {
    beast::error_code ec;
    tcp_layer().socket().shutdown(tcp::socket::shutdown_send, ec);
    tcp_layer().socket().close(ec);
  }

  Stream stream_;
  std::string client_cn_;  // mTLS: the verified client certificate's subject CN
  std::string address_;  // the peer's
  beast::flat_buffer buffer_;
  const ServerSettings& settings_;
  Handler& handler_;
  Connections& connections_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string out_;
  unsigned version_ = 11;
  bool head_request_ = false;
  std::optional<http::response<http::empty_body>> continue_;
  bool keep_alive_ = true;
  bool linger_ = false;
  size_t body_limit_ = 0;
  std::shared_ptr<const void> admission_;
  std::vector<char> drain_buffer_;
};

}  // namespace

struct HttpServer::Impl {
  Impl(ServerSettings s, Handler& h) : settings(std::move(s)), handler(h), ioc(settings.threads) {}

  void accept() {
    acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
      if (ec == net::error::operation_aborted) return;
      if (!ec) {
        beast::error_code peer_ec;
        auto peer = socket.remote_endpoint(peer_ec);
        std::string address = peer_ec ? std::string() : peer.address().to_string();
        if (peer_ec || !connections.admit(address, settings)) {
          beast::error_code ignored;
          socket.close(ignored);
        } else if (tls) {
          std::make_shared<Session<TlsStream>>(std::move(socket), std::move(address), settings, handler, connections,
                                               *tls)
              ->start();
        } else {
          std::make_shared<Session<beast::tcp_stream>>(std::move(socket), std::move(address), settings, handler,
                                                       connections)
              ->start();
        }
      }
      accept();
    });
  }

  ServerSettings settings;
  Handler& handler;
  // Before the io_context: sessions it still holds when it is destroyed release their
  // connection here, so this must outlive it.
  Connections connections;
  std::optional<ssl::context> tls;  // set when the server speaks TLS
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
};

HttpServer::HttpServer(ServerSettings settings, Handler& handler)
    : impl_(std::make_unique<Impl>(std::move(settings), handler)) {}

HttpServer::~HttpServer() { stop(); }

namespace {

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

// The server's TLS context: TLS 1.3 (1.2 only when allowed), the certificate chain and
// key, and for mTLS the CAs client certificates are verified against.
Result<ssl::context> make_tls_context(const TlsSettings& t) {
  ssl::context ctx(ssl::context::tls_server);
  SSL_CTX* native = ctx.native_handle();
  SSL_CTX_set_min_proto_version(native, t.allow_tls12 ? TLS1_2_VERSION : TLS1_3_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
  if (t.allow_tls12) {
    // Forward-secret AEAD suites only for 1.2; 1.3's suites are all of that kind.
    SSL_CTX_set_cipher_list(native, "ECDHE+AESGCM:ECDHE+CHACHA20");
  }
  if (SSL_CTX_use_certificate_chain_file(native, t.cert_file.c_str()) != 1) {
    return make_error(ErrorCode::kInvalidArgument, "TLS certificate " + t.cert_file + ": " + openssl_error());
  }
  if (SSL_CTX_use_PrivateKey_file(native, t.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return make_error(ErrorCode::kInvalidArgument, "TLS key " + t.key_file + ": " + openssl_error());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return make_error(ErrorCode::kInvalidArgument, "TLS key " + t.key_file + " does not match the certificate " +
                                                       t.cert_file);
  }
  if (!t.client_ca_file.empty()) {
    if (SSL_CTX_load_verify_locations(native, t.client_ca_file.c_str(), nullptr) != 1) {
      return make_error(ErrorCode::kInvalidArgument, "TLS client CA " + t.client_ca_file + ": " + openssl_error());
    }
    // The CAs' names are sent with the request for a certificate, so a client holding
    // several picks the right one.
    SSL_CTX_set_client_CA_list(native, SSL_load_client_CA_file(t.client_ca_file.c_str()));
    int mode = SSL_VERIFY_PEER;
    if (t.require_client_cert) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(native, mode, nullptr);
  }
  return ctx;
}

}  // namespace

Result<uint16_t> HttpServer::start() {
  if (impl_->settings.tls.enabled()) {
    auto ctx = make_tls_context(impl_->settings.tls);
    if (!ctx) return tl::unexpected(ctx.error());
    impl_->tls.emplace(std::move(*ctx));
  }
  beast::error_code ec;
  auto address = net::ip::make_address(impl_->settings.address, ec);
  if (ec) return make_error(ErrorCode::kInvalidArgument, "bad listen address " + impl_->settings.address);
  tcp::endpoint endpoint(address, impl_->settings.port);
  auto& acceptor = impl_->acceptor.emplace(impl_->ioc);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return make_error(ErrorCode::kUnavailable, "cannot listen on " + impl_->settings.address + ":" +
                                                   std::to_string(impl_->settings.port) + ": " + ec.message());
  }
  uint16_t port = acceptor.local_endpoint().port();
  impl_->accept();
  for (int i = 0; i < std::max(1, impl_->settings.threads); ++i) {
    impl_->threads.emplace_back([this] { impl_->ioc.run(); });
  }
  return port;
}

void HttpServer::post(std::function<void()> fn) { net::post(impl_->ioc, std::move(fn)); }

void HttpServer::render_metrics(std::string& out) const {
  Connections& c = impl_->connections;
  size_t addresses = 0;
  {
    std::lock_guard lock(c.mu);
    addresses = c.by_address.size();
  }
  metrics::render_header(out, "http_connections_open", "gauge", "HTTP connections open.");
  metrics::render_sample(out, "http_connections_open", "", static_cast<double>(c.open.load(std::memory_order_relaxed)));
  metrics::render_header(out, "http_connection_addresses", "gauge", "Peer addresses with a connection open.");
  metrics::render_sample(out, "http_connection_addresses", "", static_cast<double>(addresses));
  metrics::render_header(out, "http_connections_refused_total", "counter",
                         "Connections closed on arrival: over the server's or one address's limit.");
  metrics::render_sample(out, "http_connections_refused_total", "reason=\"server_limit\"",
                         static_cast<double>(c.refused_total.value()));
  metrics::render_sample(out, "http_connections_refused_total", "reason=\"per_address_limit\"",
                         static_cast<double>(c.refused_per_address.value()));
  metrics::render_header(out, "http_requests_timed_out_total", "counter",
                         "Requests begun and not whole within the read deadline (slow clients), cut off.");
  metrics::render_sample(out, "http_requests_timed_out_total", "", static_cast<double>(c.timed_out.value()));
  metrics::render_header(out, "http_header_limit_total", "counter",
                         "Requests refused 431: header block too large or too many header fields.");
  metrics::render_sample(out, "http_header_limit_total", "", static_cast<double>(c.header_limit.value()));
  metrics::render_header(out, "http_tls_handshake_failures_total", "counter",
                         "TLS handshakes that failed: not TLS, an old version, a refused or missing client "
                         "certificate, or too slow.");
  metrics::render_sample(out, "http_tls_handshake_failures_total", "",
                         static_cast<double>(c.tls_handshake_failed.value()));
}

void HttpServer::stop() {
  if (!impl_ || impl_->threads.empty()) return;
  net::post(impl_->ioc, [this] {
    beast::error_code ec;
    if (impl_->acceptor) impl_->acceptor->close(ec);
  });
  impl_->ioc.stop();
  for (auto& t : impl_->threads) t.join();
  impl_->threads.clear();
}

}  // namespace deltran::gateway
