// Clearing windows: open ones from the read view (live positions), settled ones from the
// read model; closing one is a command in the core's ordered stream.
#include <charconv>

#include <deltran/money/currency.hpp>

#include "api_impl.hpp"

namespace deltran::gateway {

namespace {

std::optional<int64_t> window_id_of(const std::string& segment) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), id);
  if (ec != std::errc() || p != segment.data() + segment.size() || id <= 0) return std::nullopt;
  return id;
}

Response window_response(const model::Window& w, const Principal& who) {
  JsonWriter out;
  write_window(out, w, who);
  return json_response(200, out.take());
}

}  // namespace

void Api::Impl::get_windows(Call& c) {
  auto q = query_params(c.req.target);
  auto page = read_page(q, settings.list_limit_max);
  if (!page) return c.respond(error_response(page.error()));
  CurrencyId currency;
  if (auto it = q.find("currency"); it != q.end() && !it->second.empty()) {
    currency = money::currency_id(it->second);
    if (!currency.valid()) return c.respond(error_response(ApiError{Rc::kUnknownCurrency, "currency must be an ISO 4217 code"}));
  }
  // status=OPEN|SETTLED keeps those windows of the page (a page may then hold fewer than
  // `limit`; next_cursor goes on from the page's last window).
  std::optional<model::WindowStatus> status;
  if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
    if (it->second == "OPEN") status = model::WindowStatus::kOpen;
    else if (it->second == "SETTLED") status = model::WindowStatus::kSettled;
    else return c.respond(error_response(ApiError{Rc::kInvalidQuery, "status must be OPEN or SETTLED"}));
  }
  read(std::move(c.respond), [this, currency, status, page = *page, who = c.who]() -> Response {
    auto rows = reads.list_windows(currency, page.cursor, page.limit);
    if (!rows) return error_response(ApiError{Rc::kStoreUnavailable, rows.error().message});
    auto view = core.view();
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    for (const auto& row : *rows) {
      if (status && row.status != *status) continue;
      // An open window's figures and positions are live; the store's row is the last batch's.
      const model::Window* live = row.status == model::WindowStatus::kOpen ? view->open_window(row.id) : nullptr;
      write_window(w, live != nullptr ? *live : row, who);
    }
    w.end_array();
    if (static_cast<int>(rows->size()) == page.limit) w.field("next_cursor", std::to_string(rows->back().id)); else w.key("next_cursor").null();
    w.end_object();
    return json_response(200, w.take());
  });
}

void Api::Impl::get_window(Call& c) {
  auto id = window_id_of(c.params[0]);
  if (!id) return c.respond(error_response(ApiError{Rc::kWindowNotFound, "window id must be a positive integer"}));
  auto view = core.view();
  if (const model::Window* live = view->open_window(*id)) return c.respond(window_response(*live, c.who));
  read(std::move(c.respond), [this, id = *id, who = c.who]() -> Response {
    auto row = reads.get_window(id);
    if (!row) return error_response(ApiError{Rc::kStoreUnavailable, row.error().message});
    if (!row->has_value()) return error_response(ApiError{Rc::kWindowNotFound, "window " + std::to_string(id) + " does not exist"});
    return window_response(**row, who);
  });
}

void Api::Impl::post_window_close(Call& c) {
  auto id = window_id_of(c.params[0]);
  if (!id) return c.respond(error_response(ApiError{Rc::kWindowNotFound, "window id must be a positive integer"}));
  submit(engine::CloseWindowCommand{*id, {}, false}, c.who, std::move(c.respond), [who = c.who](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    return window_response(std::get<model::Window>(r.body), who);
  });
}

}  // namespace deltran::gateway
