// Compliance: screening of a payment's parties (in the I/O thread, before the core:
// stateless and parallel — a sanctions hit or a sanctioned country blocks, a PEP hit
// holds), review cases and their decisions, name checks, list reloads, CTR/SAR records.
#include <boost/json.hpp>

#include <charconv>
#include <cstdio>

#include <spdlog/spdlog.h>

#include <deltran/compliance/screener.hpp>

#include "api_impl.hpp"

namespace deltran::gateway {

namespace {

void write_hit(JsonWriter& w, const compliance::NameHit& h) {
  char score[16];
  std::snprintf(score, sizeof score, "%.4f", h.score);
  w.begin_object()
      .field("list", h.list_name)
      .field("entry_id", h.entry_id)
      .field("name", h.entry_name)
      .field("matched_name", h.matched_name)
      .key("score").raw_number(score)
      .key("alias").boolean(h.via_alias)
      .field("alias_quality", h.alias_quality)
      .field("kind", h.list_kind == compliance::ListKind::kPep ? "pep" : "sanctions")
      .field("decision", h.blocks ? "BLOCK" : "REVIEW")
      .end_object();
}

std::optional<int64_t> case_id_of(const std::string& segment) {
  int64_t id = 0;
  auto [p, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), id);
  if (ec != std::errc() || p != segment.data() + segment.size() || id <= 0) return std::nullopt;
  return id;
}

}  // namespace

engine::Screening Api::Impl::screen_parties(const std::vector<ScreenedParty>& parties) const {
  engine::Screening verdict;
  if (!settings.screener) return verdict;
  JsonWriter w;
  w.begin_object().key("hits").begin_array();
  bool blocked = false;
  bool pep = false;
  double best = 0;
  std::string summary;
  std::vector<std::string> countries;
  for (const auto& party : parties) {
    if (party.name.empty() && party.country.empty()) continue;
    compliance::ScreeningResult r = settings.screener->screen(party.name, party.country);
    blocked = blocked || r.blocked();
    pep = pep || r.review();
    if (r.country_hit) {
      countries.push_back(party.role + ":" + r.country);
      summary = party.role + " country " + r.country + " is sanctioned";
    }
    for (const auto& h : r.hits) {
      if (h.score > best && (summary.empty() || !r.country_hit)) {
        char score[16];
        std::snprintf(score, sizeof score, "%.2f", h.score);
        summary = party.role + " '" + party.name + "' matches '" + h.entry_name + "' (list " + h.list_name + ", entry " +
                  h.entry_id + ", score " + score + ")";
      }
      best = std::max(best, h.score);
      w.begin_object().field("party", party.role).key("hit");
      write_hit(w, h);
      w.end_object();
    }
  }
  w.end_array().key("sanctioned_countries").begin_array();
  for (const auto& c : countries) w.string(c);
  w.end_array().end_object();
  if (!blocked && !pep) return verdict;
  verdict.decision = blocked ? engine::Screening::Decision::kBlock : engine::Screening::Decision::kReview;
  verdict.score = countries.empty() ? static_cast<int64_t>(best * 100.0 + 0.5) : 100;
  verdict.reasons = w.take();
  verdict.summary = summary;
  return verdict;
}

void Api::Impl::post_compliance_check(Call& c) {
  auto body = parse_object(c.req);
  if (!body) return c.respond(error_response(body.error()));
  const auto* name = body->if_contains("name");
  if (name == nullptr || !name->is_string() || name->as_string().empty() || name->as_string().size() > 140) {
    return c.respond(error_response(ApiError{Rc::kInvalidField, "'name' is required: a string of 1-140 characters"}));
  }
  std::string country;
  if (const auto* v = body->if_contains("country"); v != nullptr && v->is_string()) country = std::string(v->as_string());
  if (!settings.screener) return c.respond(error_response(ApiError{Rc::kScreeningUnavailable, "screening is not set up"}));
  compliance::ScreeningResult r = settings.screener->screen(std::string(name->as_string()), country);
  double best = 0;
  for (const auto& h : r.hits) best = std::max(best, h.score);
  const char* decision = r.blocked() ? "BLOCK" : r.review() ? "REVIEW" : "ALLOW";
  char score[16];
  std::snprintf(score, sizeof score, "%.4f", r.country_hit ? 1.0 : best);
  JsonWriter w;
  w.begin_object().field("decision", decision).key("score").raw_number(score);
  w.key("country_sanctioned").boolean(r.country_hit);
  w.key("lists_loaded").boolean(r.lists_loaded);
  w.key("hits").begin_array();
  for (const auto& h : r.hits) write_hit(w, h);
  w.end_array().end_object();
  c.respond(json_response(200, w.take()));
}

void Api::Impl::post_lists_reload(Call& c) {
  if (!settings.screener || settings.list_specs.empty()) {
    return c.respond(error_response(ApiError{Rc::kScreeningDisabled, "the server was started without lists"}));
  }
  // Loading and indexing lists takes seconds: off the I/O thread. The outcome is an event
  // either way (lists.reloaded, lists.reload_failed): a list that silently stopped loading
  // is what an operator must hear about.
  const std::string who = c.who.actor();
  auto respond = std::make_shared<Respond>(std::move(c.respond));
  // The answer goes out once the event is durable; if the core cannot take it (shutting
  // down, at capacity) the answer says so and the outcome stays in the log and /metrics.
  auto answer_after_event = [this, who, respond](model::EventType type, std::string payload, Response answer) {
    auto shared_answer = std::make_shared<Response>(std::move(answer));
    const bool queued = core.submit(engine::NoticeCommand{type, "lists", std::move(payload), {}}, who,
                                    [respond, shared_answer](Reply&&) { (*respond)(std::move(*shared_answer)); });
    if (!queued) (*respond)(std::move(*shared_answer));
  };
  const bool posted = pool.post([this, answer_after_event]() mutable {
    auto report = settings.screener->reload(settings.list_specs);
    if (!report) {
      JsonWriter w;
      w.begin_object().field("error", report.error().message).key("kept_lists").begin_array();
      if (auto index = settings.screener->index()) {
        for (const auto& l : index->lists()) w.string(l.name);
      }
      w.end_array().end_object();
      spdlog::error("screening: list reload failed, the previous lists stay in use: {}", report.error().message);
      return answer_after_event(
          model::EventType::kListsReloadFailed, w.take(),
          error_response(ApiError{Rc::kListsNotLoaded, report.error().message + " (the previous lists stay in use)"}));
    }
    JsonWriter w;
    w.begin_object().key("installed").boolean(report->installed);
    w.field("entries", static_cast<int64_t>(report->entries)).field("names", static_cast<int64_t>(report->names));
    w.field("load_ms", report->load_ms).key("lists").begin_array();
    for (const auto& l : report->lists) {
      w.begin_object()
          .field("name", l.name)
          .field("source", l.source)
          .field("kind", l.kind == compliance::ListKind::kPep ? "pep" : "sanctions")
          .field("entries", static_cast<int64_t>(l.entries))
          .field("records", static_cast<int64_t>(l.stats.rows))
          .field("malformed_records", static_cast<int64_t>(l.stats.skipped))
          .field("aliases", static_cast<int64_t>(l.stats.aliases))
          .field("orphan_aliases", static_cast<int64_t>(l.stats.orphan_aliases))
          .key("unchanged_files").boolean(l.reused);
      if (!l.first_load) {
        w.field("added", static_cast<int64_t>(l.added))
            .field("removed", static_cast<int64_t>(l.removed))
            .field("changed", static_cast<int64_t>(l.changed));
      }
      w.key("malformed").begin_array();
      for (const auto& b : l.stats.bad_rows) {
        w.begin_object().field("file", b.file).field("line", static_cast<int64_t>(b.line)).field("reason", b.reason).end_object();
      }
      w.end_array().key("warnings").begin_array();
      for (const auto& m : l.stats.warnings) w.string(m);
      w.end_array().end_object();
    }
    w.end_array().end_object();
    std::string body = w.take();
    for (const std::string& line : compliance::report_lines(*report)) spdlog::info("screening: {}", line);
    answer_after_event(model::EventType::kListsReloaded, body, json_response(200, body));
  });
  if (!posted) (*respond)(error_response(ApiError{Rc::kOverloaded, "too many reads in flight; retry shortly"}, 1));
}

void Api::Impl::get_cases(Call& c) {
  auto q = query_params(c.req.target);
  std::optional<model::CaseStatus> status;
  if (auto it = q.find("status"); it != q.end() && !it->second.empty()) {
    status = model::parse_case_status(it->second);
    if (!status) return c.respond(error_response(ApiError{Rc::kInvalidQuery, "status must be OPEN, APPROVED or REJECTED"}));
  }
  auto page = read_page(q, settings.list_limit_max);
  if (!page) return c.respond(error_response(page.error()));
  read(std::move(c.respond), [this, status, page = *page]() -> Response {
    auto rows = reads.list_cases(status, page.cursor, page.limit);
    if (!rows) return error_response(ApiError{Rc::kStoreUnavailable, rows.error().message});
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    for (const auto& kase : *rows) write_case(w, kase);
    w.end_array();
    if (static_cast<int>(rows->size()) == page.limit) w.field("next_cursor", std::to_string(rows->back().id)); else w.key("next_cursor").null();
    w.end_object();
    return json_response(200, w.take());
  });
}

void Api::Impl::get_case(Call& c) {
  auto id = case_id_of(c.params[0]);
  if (!id) return c.respond(error_response(ApiError{Rc::kCaseNotFound, "case id must be a positive integer"}));
  read(std::move(c.respond), [this, id = *id]() -> Response {
    auto row = reads.get_case(id);
    if (!row) return error_response(ApiError{Rc::kStoreUnavailable, row.error().message});
    if (!row->has_value()) return error_response(ApiError{Rc::kCaseNotFound, "no case " + std::to_string(id)});
    JsonWriter w;
    write_case(w, **row);
    return json_response(200, w.take());
  });
}

void Api::Impl::post_case_decision(Call& c, bool approve) {
  auto id = case_id_of(c.params[0]);
  if (!id) return c.respond(error_response(ApiError{Rc::kCaseNotFound, "case id must be a positive integer"}));
  std::string note;
  if (!c.req.body.empty()) {
    auto body = parse_object(c.req);
    if (!body) return c.respond(error_response(body.error()));
    Fields f(*body);
    note = f.text("note", false, 500).value_or("");
    if (f.error()) return c.respond(error_response(*f.error()));
  }
  submit(engine::CaseDecisionCommand{*id, approve, note}, c.who, std::move(c.respond), [](Reply&& r) {
    if (!is_success(r.rc)) return error_response(error_of(r));
    const auto& result = std::get<engine::CaseResult>(r.body);
    JsonWriter w;
    w.begin_object().key("case");
    write_case(w, result.kase);
    w.key("payment").begin_object().field("id", result.payment.id).field("status", model::to_string(result.payment.status));
    if (result.payment.status != model::PaymentStatus::kRejected || iso_reason(result.payment.rc).empty()) {
      w.key("reason").null();
    } else {
      w.field("reason", iso_reason(result.payment.rc));
    }
    if (result.payment.window_id == 0) w.key("window_id").null(); else w.field("window_id", result.payment.window_id);
    w.end_object().end_object();
    return json_response(200, w.take());
  });
}

void Api::Impl::get_aml_reports(Call& c) {
  auto q = query_params(c.req.target);
  std::string kind;
  if (auto it = q.find("kind"); it != q.end() && !it->second.empty()) {
    kind = it->second;
    std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (kind != "CTR" && kind != "SAR") return c.respond(error_response(ApiError{Rc::kInvalidQuery, "kind must be CTR or SAR"}));
  }
  auto page = read_page(q, settings.list_limit_max);
  if (!page) return c.respond(error_response(page.error()));
  read(std::move(c.respond), [this, kind, page = *page]() -> Response {
    auto rows = reads.list_aml_reports(kind, page.cursor, page.limit);
    if (!rows) return error_response(ApiError{Rc::kStoreUnavailable, rows.error().message});
    JsonWriter w;
    w.begin_object().key("items").begin_array();
    for (const auto& r : *rows) {
      w.begin_object()
          .field("id", r.id)
          .field("kind", r.kind)
          .field("payment_id", r.payment_id)
          .field("debtor_agent", r.debtor_agent)
          .field("creditor_agent", r.creditor_agent)
          .field("debtor", r.debtor)
          .field("creditor", r.creditor)
          .field("amount", amount_text(r.amount.minor, r.amount.currency))
          .field("currency", currency_text(r.amount.currency))
          .field("amount_usd", amount_text(r.amount_usd_minor, money::currency_id("USD")))
          .field("score", r.score)
          .key("rules").begin_array();
      size_t start = 0;
      while (start < r.rules.size()) {
        size_t comma = r.rules.find(',', start);
        if (comma == std::string::npos) comma = r.rules.size();
        w.string(std::string_view(r.rules).substr(start, comma - start));
        start = comma + 1;
      }
      w.end_array().field("narrative", r.narrative).field("created_at", format_rfc3339(r.created_us)).end_object();
    }
    w.end_array();
    if (static_cast<int>(rows->size()) == page.limit) w.field("next_cursor", std::to_string(rows->back().id)); else w.key("next_cursor").null();
    w.end_object();
    return json_response(200, w.take());
  });
}

}  // namespace deltran::gateway
