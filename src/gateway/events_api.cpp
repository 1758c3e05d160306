// GET /api/v1/events?after=SEQ&limit=N: the event log, oldest first. The staff see every
// event, except that compliance's own records (case decisions, CTR/SAR filings, screening
// alerts) go only to those who may read cases and reports; a participant sees the public
// events and those that name it, never staff-only ones.
#include "api_impl.hpp"

namespace deltran::gateway {

void Api::Impl::get_events(Call& c) {
  auto q = query_params(c.req.target);
  auto after = positive_int(q, "after");
  auto limit = positive_int(q, "limit");
  if (!after || !limit) {
    return c.respond(error_response(ApiError{Rc::kInvalidQuery, "after and limit must be non-negative integers"}));
  }
  store::EventFilter filter;
  filter.after_seq = *after;
  filter.limit = static_cast<int>(std::clamp<int64_t>(*limit == 0 ? 100 : *limit, 1, settings.list_limit_max));
  if (!c.who.sees_everything()) filter.participant = c.who.bank;
  const bool compliance_records = (c.who.roles & kComplianceReaders) != 0;
  read(std::move(c.respond), [this, filter, compliance_records]() -> Response {
    auto rows = reads.list_events(filter);
    if (!rows) return error_response(ApiError{Rc::kStoreUnavailable, rows.error().message});
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    for (const auto& e : *rows) {
      const bool compliance_record = e.type == model::EventType::kCaseDecided || e.type == model::EventType::kReportFiled ||
                                     e.type == model::EventType::kComplianceAlert;
      if (compliance_record && !compliance_records && e.scope == model::EventScope::kOperators) continue;
      write_event(w, e);
    }
    w.end_array();
    // The cursor to pass as `after` next: the last event read, or where this page started.
    w.field("next_after", rows->empty() ? filter.after_seq : rows->back().seq);
    w.end_object();
    return json_response(200, w.take());
  });
}

}  // namespace deltran::gateway
