// GET /api/v1/audit?from=&to=&after_batch=&max_events=: the audit log for auditors, as the
// verifiable export `deltran audit export` writes (JSON Lines: the commit batches committed
// in the range, their events, chain links and anchor lines; see engine/audit_export.hpp).
// Large ranges come in pages of whole batches: the end line says `more` and the
// `next_after_batch` to ask for next.
#include <sstream>

#include <deltran/engine/audit_export.hpp>

#include "api_impl.hpp"

namespace deltran::gateway {

void Api::Impl::get_audit(Call& c) {
  auto q = query_params(c.req.target);
  engine::AuditRange range;
  for (auto [key, target] : {std::pair{"from", &range.from_us}, std::pair{"to", &range.to_us}}) {
    auto it = q.find(key);
    if (it == q.end() || it->second.empty()) continue;
    auto t = engine::parse_time_us(it->second);
    if (!t) {
      return c.respond(error_response(ApiError{
          Rc::kInvalidQuery, std::string(key) + " must be a date (2026-12-01) or an RFC 3339 time (2026-12-01T10:00:00Z)"}));
    }
    *target = *t;
  }
  if (range.to_us <= range.from_us) {
    return c.respond(error_response(ApiError{Rc::kInvalidQuery, "to must be after from"}));
  }
  auto after = positive_int(q, "after_batch");
  auto max_events = positive_int(q, "max_events");
  if (!after || !max_events) {
    return c.respond(error_response(ApiError{Rc::kInvalidQuery, "after_batch and max_events must be non-negative integers"}));
  }
  range.after_batch = *after;
  range.max_events = std::clamp<int64_t>(*max_events == 0 ? settings.audit_page_events : *max_events, 1,
                                         settings.audit_page_events);
  range.rail = settings.rail_bic;
  range.exported_at_us = clock.now_us();
  read(std::move(c.respond), [this, range]() -> Response {
    std::ostringstream out;
    auto summary = engine::export_audit(reads, settings.anchor, range, out);
    if (!summary) return error_response(ApiError{Rc::kStoreUnavailable, summary.error().message});
    Response r;
    r.status = 200;
    r.content_type = "application/x-ndjson";
    r.body = std::move(out).str();
    r.headers.emplace_back("Audit-Batches", std::to_string(summary->batches));
    r.headers.emplace_back("Audit-Events", std::to_string(summary->events));
    if (summary->more) r.headers.emplace_back("Audit-Next-After-Batch", std::to_string(summary->next_after_batch));
    return r;
  });
}

}  // namespace deltran::gateway
