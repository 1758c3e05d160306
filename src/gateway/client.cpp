// A blocking Beast client for the demo, tools and tests: a real HTTP/1.1 exchange over TCP,
// or over TLS with the server's certificate and host name verified.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <openssl/ssl.h>

#include <optional>

#include <deltran/gateway/http.hpp>

namespace deltran::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
namespace ssl = net::ssl;

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  net::io_context ioc;
  std::optional<ssl::context> tls;  // set when the client speaks TLS
  std::string setup_error;          // a CA or certificate file that would not load
  std::optional<beast::tcp_stream> stream;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
  beast::flat_buffer buffer;

  void set_up_tls(const ClientTls& t) {
    ssl::context& ctx = tls.emplace(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    beast::error_code ec;
    if (t.ca_file.empty()) {
      ctx.set_default_verify_paths(ec);
    } else {
      ctx.load_verify_file(t.ca_file, ec);
    }
    if (!ec && !t.cert_file.empty()) ctx.use_certificate_chain_file(t.cert_file, ec);
    if (!ec && !t.key_file.empty()) ctx.use_private_key_file(t.key_file, ssl::context::pem, ec);
    if (ec) setup_error = "TLS set-up: " + ec.message();
    ctx.set_verify_mode(ssl::verify_peer);
  }

  bool connected() const { return tls ? tls_stream.has_value() : stream.has_value(); }
  void drop() {
    stream.reset();
    tls_stream.reset();
  }

  beast::error_code connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return ec;
    if (!tls) {
      stream.emplace(ioc);
      stream->connect(results, ec);
      if (!ec) stream->socket().set_option(tcp::no_delay(true), ec);
      return ec;
    }
    auto& s = tls_stream.emplace(ioc, *tls);
    beast::get_lowest_layer(s).connect(results, ec);
    if (!ec) beast::get_lowest_layer(s).socket().set_option(tcp::no_delay(true), ec);
    if (ec) return ec;
    // The certificate's name is checked against the host asked for; SNI names it unless it
    // is an IP literal (RFC 6066 allows host names only).
    boost::system::error_code not_ip;
    boost::asio::ip::make_address(host, not_ip);
    if (not_ip) SSL_set_tlsext_host_name(s.native_handle(), host.c_str());
    s.set_verify_callback(ssl::host_name_verification(host), ec);
    if (!ec) s.handshake(ssl::stream_base::client, ec);
    if (ec) tls_stream.reset();
    return ec;
  }

  beast::error_code exchange(http::request<http::string_body>& req, http::response<http::string_body>& res) {
    beast::error_code ec;
    if (!connected()) {
      ec = connect();
      if (ec) return ec;
    }
    if (tls) return exchange_on(*tls_stream, req, res);
    return exchange_on(*stream, req, res);
  }

  template <class Stream>
  beast::error_code exchange_on(Stream& s, http::request<http::string_body>& req, http::response<http::string_body>& res) {
    beast::error_code ec;
    http::write(s, req, ec);
    // A server may answer before it has read the whole request (413 for a body too large)
    // and stop reading: the reply is still there to read.
    bool write_failed = static_cast<bool>(ec);
    if (write_failed && ec != net::error::broken_pipe && ec != net::error::connection_reset) return ec;
    buffer.clear();
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(s, buffer, parser, ec);
    if (!ec) {
      res = parser.release();
      if (write_failed) drop();
    }
    return ec;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port, ClientTls tls) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
  if (tls.enabled) impl_->set_up_tls(tls);
}

HttpClient::~HttpClient() = default;

Result<Response> HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                     const std::vector<std::pair<std::string, std::string>>& headers) {
  if (!impl_->setup_error.empty()) return make_error(ErrorCode::kInvalidArgument, impl_->setup_error);
  http::request<http::string_body> req;
  req.method_string(method);
  req.target(target);
  req.version(11);
  req.set(http::field::host, impl_->host);
  req.set(http::field::user_agent, "deltran-client");
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  for (const auto& [k, v] : headers) req.set(k, v);
  req.body() = std::string(body);
  req.keep_alive(true);
  req.prepare_payload();
  http::response<http::string_body> res;
  beast::error_code ec = impl_->exchange(req, res);
  if (ec) {  // the kept-alive connection may have been closed by the server: retry once
    impl_->drop();
    ec = impl_->exchange(req, res);
  }
  if (ec) {
    impl_->drop();
    return make_error(ErrorCode::kUnavailable, "HTTP " + std::string(method) + " " + std::string(target) +
                                                   " failed: " + ec.message());
  }
  Response out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[http::field::content_type]);
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  if (!res.keep_alive()) impl_->drop();
  return out;
}

}  // namespace deltran::gateway
