// A blocking Beast client for the demo, tools and tests: a real HTTP/1.1 exchange over TCP.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <optional>

#include <deltran/gateway/http.hpp>

namespace deltran::gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

struct HttpClient::Impl {
  std::string host;
  uint16_t port;
  net::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  beast::error_code connect() {
    beast::error_code ec;
    tcp::resolver resolver(ioc);
    auto results = resolver.resolve(host, std::to_string(port), ec);
    if (ec) return ec;
    stream.emplace(ioc);
    stream->connect(results, ec);
    if (!ec) stream->socket().set_option(tcp::no_delay(true), ec);
    return ec;
  }

  beast::error_code exchange(http::request<http::string_body>& req, http::response<http::string_body>& res) {
    beast::error_code ec;
    if (!stream) {
      ec = connect();
      if (ec) return ec;
    }
    http::write(*stream, req, ec);
    // A server may answer before it has read the whole request (413 for a body too large)
    // and stop reading: the reply is still there to read.
    bool write_failed = static_cast<bool>(ec);
    if (write_failed && ec != net::error::broken_pipe && ec != net::error::connection_reset) return ec;
    buffer.clear();
    http::response_parser<http::string_body> parser;
    parser.body_limit(256u << 20);
    http::read(*stream, buffer, parser, ec);
    if (!ec) {
      res = parser.release();
      if (write_failed) stream.reset();
    }
    return ec;
  }
};

HttpClient::HttpClient(std::string host, uint16_t port) : impl_(std::make_unique<Impl>()) {
  impl_->host = std::move(host);
  impl_->port = port;
}

HttpClient::~HttpClient() = default;

Result<Response> HttpClient::request(std::string_view method, std::string_view target, std::string_view body,
                                     const std::vector<std::pair<std::string, std::string>>& headers) {
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
    impl_->stream.reset();
    ec = impl_->exchange(req, res);
  }
  if (ec) {
    impl_->stream.reset();
    return make_error(ErrorCode::kUnavailable, "HTTP " + std::string(method) + " " + std::string(target) +
                                                   " failed: " + ec.message());
  }
  Response out;
  out.status = static_cast<int>(res.result_int());
  out.content_type = std::string(res[http::field::content_type]);
  for (const auto& f : res) out.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
  out.body = std::move(res.body());
  if (!res.keep_alive()) impl_->stream.reset();
  return out;
}

}  // namespace deltran::gateway
