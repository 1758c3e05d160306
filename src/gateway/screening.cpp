// Sanctions and PEP screening of a payment's parties, in the I/O thread before the payment
// reaches the core (stateless, parallel): a sanctions hit or a sanctioned country blocks
// it (RR04), a PEP hit holds it for a compliance officer.
#include <deltran/compliance/screener.hpp>

#include <cstdio>

#include "api_impl.hpp"
#include "json_writer.hpp"

namespace deltran::gateway {

using namespace internal;

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
      .field("kind", h.list_kind == compliance::ListKind::kPep ? "pep" : "sanctions")
      .end_object();
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
    pep = pep || r.pep_hit;
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

void Api::Impl::post_compliance_check(Request& req, Respond respond) {
  auto body = parse_object(req);
  if (!body) return respond(error_response(body.error()));
  const auto* name = body->if_contains("name");
  if (name == nullptr || !name->is_string() || name->as_string().empty() || name->as_string().size() > 140) {
    return respond(error_response(ApiError{400, "invalid_field", "'name' is required: a string of 1-140 characters", "FF01"}));
  }
  std::string country;
  if (const auto* c = body->if_contains("country"); c != nullptr && c->is_string()) country = std::string(c->as_string());
  if (!settings.screener) {
    return respond(error_response(ApiError{503, "screening_unavailable", "no screening lists are loaded", ""}));
  }
  compliance::ScreeningResult r = settings.screener->screen(std::string(name->as_string()), country);
  double best = 0;
  for (const auto& h : r.hits) best = std::max(best, h.score);
  const char* decision = r.blocked() ? "BLOCK" : r.pep_hit ? "REVIEW" : "ALLOW";
  char score[16];
  std::snprintf(score, sizeof score, "%.4f", r.country_hit ? 1.0 : best);
  JsonWriter w;
  w.begin_object().field("decision", decision).key("score").raw_number(score);
  w.key("country_sanctioned").boolean(r.country_hit);
  w.key("hits").begin_array();
  for (const auto& h : r.hits) write_hit(w, h);
  w.end_array().end_object();
  respond(json_response(200, w.take()));
}

void Api::Impl::post_lists_reload(Respond respond) {
  if (!settings.screener) {
    return respond(error_response(ApiError{409, "screening_disabled", "the server was started without lists", ""}));
  }
  auto t0 = std::chrono::steady_clock::now();
  auto st = settings.screener->reload(settings.list_specs);
  if (!st) return respond(error_response(ApiError{422, "lists_not_loaded", st.error().message, ""}));
  auto index = settings.screener->index();
  auto stats = index->stats();
  JsonWriter w;
  w.begin_object().key("lists").begin_array();
  for (const auto& l : index->lists()) w.string(l.name);
  w.end_array()
      .field("entries", static_cast<int64_t>(stats.entries))
      .field("names", static_cast<int64_t>(stats.names))
      .field("load_ms", static_cast<int64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                 std::chrono::steady_clock::now() - t0).count()))
      .end_object();
  respond(json_response(200, w.take()));
}

}  // namespace deltran::gateway
