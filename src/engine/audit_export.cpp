#include <deltran/engine/audit_export.hpp>

#include <algorithm>
#include <istream>
#include <map>
#include <ostream>

#include <boost/json.hpp>

#include <deltran/core/clock.hpp>
#include <deltran/model/event.hpp>

namespace deltran::engine {
namespace {

namespace json = boost::json;

bool digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

void write_line(std::ostream& out, const json::object& o) {
  out << json::serialize(o) << '\n';
}

json::object event_json(const model::Event& e) {
  return json::object{{"seq", e.seq},
                      {"batch", e.batch},
                      {"type", static_cast<int64_t>(e.type)},
                      {"type_name", std::string(model::to_string(e.type))},
                      {"time", format_rfc3339(e.time_us)},
                      {"time_us", e.time_us},
                      {"actor", e.actor},
                      {"entity", e.entity},
                      {"party_a", e.party_a},
                      {"party_b", e.party_b},
                      {"scope", static_cast<int64_t>(e.scope)},
                      {"payload", e.payload}};
}

// Field readers that never throw: a hostile file gets a failure, not an exception.
const json::object* object_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}
std::optional<int64_t> int_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) return std::nullopt;
  if (const int64_t* i = v->if_int64()) return *i;
  if (const uint64_t* u = v->if_uint64(); u != nullptr && *u <= static_cast<uint64_t>(INT64_MAX)) {
    return static_cast<int64_t>(*u);
  }
  return std::nullopt;
}
std::optional<std::string> string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return std::string(v->get_string());
}

}  // namespace

std::optional<int64_t> parse_time_us(std::string_view t) {
  if (t.size() < 10) return std::nullopt;
  const int64_t day = parse_date_us(t.substr(0, 10));
  if (day < 0) return std::nullopt;
  if (t.size() == 10) return day;
  // hh:mm:ss after a 'T' (or a space, as many tools write it)
  if (t.size() < 20 || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' || t[16] != ':') return std::nullopt;
  const std::string_view hh = t.substr(11, 2), mm = t.substr(14, 2), ss = t.substr(17, 2);
  if (!digits(hh) || !digits(mm) || !digits(ss)) return std::nullopt;
  const int h = to_int(hh), m = to_int(mm), s = to_int(ss);
  if (h > 23 || m > 59 || s > 59) return std::nullopt;
  int64_t us = day + ((h * 60LL + m) * 60 + s) * 1'000'000;
  std::string_view rest = t.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    size_t n = 1;
    int64_t frac = 0, scale = 1'000'000;
    while (n < rest.size() && rest[n] >= '0' && rest[n] <= '9') {
      if (scale > 1) {
        scale /= 10;
        frac += (rest[n] - '0') * scale;
      }
      ++n;
    }
    if (n == 1) return std::nullopt;
    us += frac;
    rest.remove_prefix(n);
  }
  if (rest == "Z" || rest == "z") return us;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' && digits(rest.substr(1, 2)) &&
      digits(rest.substr(4, 2))) {
    const int oh = to_int(rest.substr(1, 2)), om = to_int(rest.substr(4, 2));
    if (oh > 23 || om > 59) return std::nullopt;
    const int64_t offset = (oh * 60LL + om) * 60 * 1'000'000;
    return rest[0] == '+' ? us - offset : us + offset;
  }
  return std::nullopt;
}

Result<AuditExportSummary> export_audit(store::ReadModel& store, store::Anchor* anchor, const AuditRange& range,
                                        std::ostream& out) {
  // The anchor first: a batch is anchored only after it is committed, so every line read
  // now names a batch the store already holds.
  std::map<int64_t, store::AnchorLine> anchored;
  if (anchor != nullptr) {
    auto lines = anchor->read_all();
    if (!lines) return tl::unexpected(lines.error());
    for (auto& l : *lines) anchored[l.batch] = std::move(l);
  }
  // The batches committed in the range, as one unbroken stretch of the chain: from the
  // first to the last of them, so a clock that stepped back cannot leave a hole.
  std::vector<model::ChainLink> links;
  int64_t first = 0, last = 0;
  auto st = store.for_each_chain_link([&](const model::ChainLink& l) {
    if (l.batch <= range.after_batch || l.created_us < range.from_us || l.created_us >= range.to_us) return;
    if (first == 0 || l.batch < first) first = l.batch;
    last = std::max(last, l.batch);
  });
  if (!st) return tl::unexpected(st.error());
  if (first != 0) {
    st = store.for_each_chain_link([&](const model::ChainLink& l) {
      if (l.batch >= first && l.batch <= last) links.push_back(l);
    });
    if (!st) return tl::unexpected(st.error());
    std::sort(links.begin(), links.end(), [](const auto& a, const auto& b) { return a.batch < b.batch; });
  }

  write_line(out, json::object{{"format", kAuditFormat},
                               {"from", format_rfc3339(range.from_us)},
                               {"to", range.to_us == INT64_MAX ? json::value(nullptr) : json::value(format_rfc3339(range.to_us))},
                               {"after_batch", range.after_batch},
                               {"exported_at", format_rfc3339(range.exported_at_us)},
                               {"rail", range.rail}});
  AuditExportSummary summary;
  std::vector<const store::AnchorLine*> witnesses;
  std::string last_hash;
  for (const auto& link : links) {
    if (summary.events >= range.max_events) {
      summary.more = true;
      break;
    }
    write_line(out, json::object{{"link", json::object{{"batch", link.batch},
                                                       {"first_seq", link.first_seq},
                                                       {"last_seq", link.last_seq},
                                                       {"prev_hash", link.prev_hash},
                                                       {"hash", link.hash},
                                                       {"created", format_rfc3339(link.created_us)},
                                                       {"created_us", link.created_us}}}});
    store::EventFilter f;
    f.after_seq = link.first_seq - 1;
    while (f.after_seq < link.last_seq) {
      f.limit = static_cast<int>(std::min<int64_t>(link.last_seq - f.after_seq, 5'000));
      auto events = store.list_events(f);
      if (!events) return tl::unexpected(events.error());
      if (events->empty()) break;  // the verifier reports the missing events
      for (const auto& e : *events) {
        if (e.seq > link.last_seq) break;
        write_line(out, json::object{{"event", event_json(e)}});
        ++summary.events;
      }
      f.after_seq = events->back().seq;
    }
    ++summary.batches;
    summary.next_after_batch = link.batch;
    last_hash = link.hash;
    if (auto it = anchored.find(link.batch); it != anchored.end()) witnesses.push_back(&it->second);
  }
  for (const auto* a : witnesses) {
    write_line(out, json::object{{"anchor", json::object{{"batch", a->batch}, {"last_seq", a->last_seq}, {"hash", a->hash}}}});
  }
  summary.anchored = static_cast<int64_t>(witnesses.size());
  write_line(out, json::object{{"end", json::object{{"batches", summary.batches},
                                                    {"events", summary.events},
                                                    {"last_hash", last_hash},
                                                    {"more", summary.more},
                                                    {"next_after_batch", summary.next_after_batch}}}});
  if (!out) return make_error(ErrorCode::kUnavailable, "cannot write the audit export");
  return summary;
}

AuditVerifyReport verify_audit_export(std::istream& in, const std::vector<store::AnchorLine>* external_anchor,
                                      const std::string& follows_hash) {
  AuditVerifyReport r;
  auto fail = [&](std::string what) {
    if (r.failures.size() < 50) r.failures.push_back(std::move(what));
  };
  struct Sealed {
    int64_t last_seq;
    std::string hash;
  };
  std::map<int64_t, Sealed> links;  // every link that verified
  std::vector<store::AnchorLine> embedded;
  std::optional<model::ChainLink> open;  // the link whose events are being read
  std::vector<model::Event> events;
  std::string prev_hash;
  int64_t prev_batch = 0, prev_last_seq = 0;
  bool header = false, ended = false, broken = false;
  int64_t line_no = 0;

  auto close = [&] {
    if (!open) return;
    const model::ChainLink link = *open;
    open.reset();
    if (static_cast<int64_t>(events.size()) != link.last_seq - link.first_seq + 1) {
      fail("batch " + std::to_string(link.batch) + ": " + std::to_string(events.size()) + " events, its link seals " +
           std::to_string(link.last_seq - link.first_seq + 1) + ": events were removed or added");
      broken = true;
    } else if (model::chain_hash(link.prev_hash, events) != link.hash) {
      fail("batch " + std::to_string(link.batch) + " (events " + std::to_string(link.first_seq) + "-" +
           std::to_string(link.last_seq) + ") does not hash to its link: an event was edited or reordered");
      broken = true;
    } else {
      links[link.batch] = Sealed{link.last_seq, link.hash};
    }
    events.clear();
  };

  std::string text;
  while (std::getline(in, text)) {
    ++line_no;
    const std::string where = "line " + std::to_string(line_no) + ": ";
    if (text.empty()) continue;
    if (ended) {
      fail(where + "something after the end line");
      break;
    }
    boost::system::error_code ec;
    json::value v = json::parse(text, ec);
    const json::object* o = ec ? nullptr : v.if_object();
    if (o == nullptr || (header && o->size() != 1)) {
      fail(where + (o == nullptr ? "not a JSON object" : "not one of the export's lines"));
      broken = true;
      break;
    }
    if (!header) {
      auto format = string_at(*o, "format");
      if (!format || *format != kAuditFormat) {
        fail(where + "not a DelTran audit export (the first line names format " + std::string(kAuditFormat) + ")");
        return r;
      }
      header = true;
      continue;
    }
    if (const json::object* l = object_at(*o, "link")) {
      close();
      model::ChainLink link;
      auto batch = int_at(*l, "batch"), first = int_at(*l, "first_seq"), last = int_at(*l, "last_seq");
      auto prev = string_at(*l, "prev_hash"), hash = string_at(*l, "hash");
      if (!batch || !first || !last || !prev || !hash || *first < 1 || *last < *first) {
        fail(where + "a link without batch, first_seq, last_seq, prev_hash and hash");
        broken = true;
        break;
      }
      link.batch = *batch;
      link.first_seq = *first;
      link.last_seq = *last;
      link.prev_hash = *prev;
      link.hash = *hash;
      if (r.batches == 0) {
        r.first_seq = link.first_seq;
        r.first_prev_hash = link.prev_hash;
        if (link.batch == 1 && !link.prev_hash.empty()) fail(where + "the chain's first batch names a previous hash");
        if (!follows_hash.empty() && link.prev_hash != follows_hash) {
          fail(where + "batch " + std::to_string(link.batch) + " does not follow the previous export's last hash");
        }
      } else if (link.batch != prev_batch + 1 || link.first_seq != prev_last_seq + 1 || link.prev_hash != prev_hash) {
        fail(where + "batch " + std::to_string(link.batch) + " does not continue batch " + std::to_string(prev_batch) +
             ": a batch was removed, or the chain rewritten");
        broken = true;
      }
      prev_batch = link.batch;
      prev_last_seq = link.last_seq;
      prev_hash = link.hash;
      r.last_seq = link.last_seq;
      r.last_hash = link.hash;
      ++r.batches;
      open = link;
      continue;
    }
    if (const json::object* e = object_at(*o, "event")) {
      if (!open) {
        fail(where + "an event outside any batch");
        broken = true;
        break;
      }
      auto seq = int_at(*e, "seq"), batch = int_at(*e, "batch"), type = int_at(*e, "type"), time_us = int_at(*e, "time_us"),
           scope = int_at(*e, "scope");
      auto actor = string_at(*e, "actor"), entity = string_at(*e, "entity"), party_a = string_at(*e, "party_a"),
           party_b = string_at(*e, "party_b"), payload = string_at(*e, "payload");
      if (!seq || !batch || !type || !time_us || !scope || !actor || !entity || !party_a || !party_b || !payload ||
          *type < 0 || *type > 65535 || *scope < 0 || *scope > 255) {
        fail(where + "an event without its fields");
        broken = true;
        break;
      }
      const int64_t expected = open->first_seq + static_cast<int64_t>(events.size());
      if (*seq != expected || *batch != open->batch) {
        fail(where + "event " + std::to_string(*seq) + " where batch " + std::to_string(open->batch) + " has event " +
             std::to_string(expected) + ": an event was removed, added or moved");
        broken = true;
      }
      model::Event ev;
      ev.seq = *seq;
      ev.batch = *batch;
      ev.type = static_cast<model::EventType>(*type);
      ev.time_us = *time_us;
      ev.actor = std::move(*actor);
      ev.entity = std::move(*entity);
      ev.party_a = std::move(*party_a);
      ev.party_b = std::move(*party_b);
      ev.scope = static_cast<model::EventScope>(*scope);
      ev.payload = std::move(*payload);
      events.push_back(std::move(ev));
      ++r.events;
      continue;
    }
    if (const json::object* a = object_at(*o, "anchor")) {
      close();
      auto batch = int_at(*a, "batch"), last = int_at(*a, "last_seq");
      auto hash = string_at(*a, "hash");
      if (!batch || !last || !hash) {
        fail(where + "an anchor line without batch, last_seq and hash");
        broken = true;
        break;
      }
      embedded.push_back(store::AnchorLine{*batch, *last, *hash});
      continue;
    }
    if (const json::object* end = object_at(*o, "end")) {
      close();
      ended = true;
      auto batches = int_at(*end, "batches"), count = int_at(*end, "events");
      auto last_hash = string_at(*end, "last_hash");
      if (!batches || !count || *batches != r.batches || *count != r.events) {
        fail(where + "the end line counts other batches or events than the file holds: it was cut or spliced");
      }
      if (!last_hash || *last_hash != r.last_hash) fail(where + "the end line names another last hash");
      const json::value* more = end->if_contains("more");
      if (more != nullptr && more->is_bool() && more->get_bool()) {
        r.notes.push_back("the range holds more batches: export again after batch " + std::to_string(prev_batch));
      }
      continue;
    }
    fail(where + "not one of the export's lines");
    broken = true;
    break;
  }
  close();
  if (!header) fail("empty: not a DelTran audit export");
  if (!ended && header) fail("no end line: the file was cut short");

  // Anchors: the operator's write-once copy if given, else the lines the export carries.
  const std::vector<store::AnchorLine>& anchor = external_anchor != nullptr ? *external_anchor : embedded;
  std::map<int64_t, const store::AnchorLine*> by_batch;
  int64_t anchor_last = 0;
  for (const auto& a : anchor) {
    by_batch[a.batch] = &a;
    anchor_last = std::max(anchor_last, a.batch);
  }
  for (const auto& a : anchor) {
    auto it = links.find(a.batch);
    if (it == links.end()) {
      if (external_anchor == nullptr) fail("anchor: batch " + std::to_string(a.batch) + " is anchored but not exported");
      continue;
    }
    if (it->second.hash != a.hash || it->second.last_seq != a.last_seq) {
      fail("anchor: batch " + std::to_string(a.batch) + " differs from its anchored hash: the chain was rewritten");
      continue;
    }
    ++r.anchored;
  }
  if (!broken && r.batches > 0) {
    if (anchor.empty()) {
      r.notes.push_back("no anchor lines to check the chain against: verify with the anchor kept outside the rail (--anchor)");
    } else {
      // Every exported batch the anchor reaches must be in it (the core anchors each commit).
      int64_t unanchored = 0;
      for (const auto& [batch, sealed] : links) {
        if (batch <= anchor_last && by_batch.count(batch) == 0) ++unanchored;
      }
      if (unanchored > 0) fail("anchor: " + std::to_string(unanchored) + " exported batches are missing from the anchor");
      const auto after = std::count_if(links.begin(), links.end(), [&](const auto& l) { return l.first > anchor_last; });
      if (after > 0) {
        r.notes.push_back(std::to_string(after) + " batches after the last anchored one (not yet anchored when exported)");
      }
    }
  }
  return r;
}

}  // namespace deltran::engine
