// Operations endpoints, without authentication: liveness, readiness and the Prometheus
// exposition.
#include "api_impl.hpp"

namespace deltran::gateway {

void Api::Impl::get_health(Call& c) { c.respond(json_response(200, "{\"status\":\"ok\"}")); }

void Api::Impl::get_ready(Call& c) {
  if (!core.ready()) return c.respond(error_response(ApiError{Rc::kNotReady, "the core is not ready"}));
  // The store check is a query: off the I/O thread.
  read(std::move(c.respond), [this]() -> Response {
    if (!reads.healthy()) return error_response(ApiError{Rc::kNotReady, "the store does not answer"});
    return json_response(200, "{\"status\":\"ready\"}");
  });
}

void Api::Impl::get_metrics(Call& c) {
  std::string out = render_metrics();
  if (settings.more_metrics) settings.more_metrics(out);
  Response r = json_response(200, std::move(out));
  r.content_type = "text/plain; version=0.0.4";
  c.respond(std::move(r));
}

}  // namespace deltran::gateway
