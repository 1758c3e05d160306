#pragma once
// The audit log for auditors: the events of a time range with the chain links that seal
// them and the anchor lines that witness those links, as one file that can be verified
// offline, away from the rail (`deltran audit export`, `GET /api/v1/audit`, `deltran audit
// verify`).
//
// The file is JSON Lines, one object per line, in this order:
//   {"format":"deltran.audit/1","from":…,"to":…,"exported_at":…,"rail":…}
//   then per commit batch: {"link":{batch,first_seq,last_seq,prev_hash,hash,created}}
//     followed by its events {"event":{seq,batch,type,type_name,time,time_us,actor,entity,
//     party_a,party_b,scope,payload}} (payload: the event's stored JSON, as a string)
//   {"anchor":{batch,last_seq,hash}} for every anchor line of an exported batch
//   {"end":{"batches","events","last_hash","more","next_after_batch"}}
// Whole batches are exported (a batch's hash covers all of its events), so the events of
// the first and last batch may reach a little outside the range.
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/core/result.hpp>
#include <deltran/store/anchor.hpp>
#include <deltran/store/read_model.hpp>

namespace deltran::engine {

inline constexpr std::string_view kAuditFormat = "deltran.audit/1";

// Microseconds since the epoch of an ISO date (2026-12-01: its 00:00 UTC) or an RFC 3339
// date-time (2026-12-01T10:00:00Z, fractions of a second, or a ±hh:mm offset); nullopt if
// it is neither.
std::optional<int64_t> parse_time_us(std::string_view text);

struct AuditRange {
  int64_t from_us = 0;                 // batches committed at or after this …
  int64_t to_us = INT64_MAX;           // … and before this
  int64_t after_batch = 0;             // and after this batch (the cursor of a paged export)
  int64_t max_events = INT64_MAX;      // stop after the batch that reaches this many events
  std::string rail;                    // the rail's BIC, written in the header
  int64_t exported_at_us = 0;
};

struct AuditExportSummary {
  int64_t batches = 0;
  int64_t events = 0;
  int64_t anchored = 0;
  bool more = false;            // max_events was reached: more batches are in the range
  int64_t next_after_batch = 0; // pass as after_batch for the rest
};

// Writes the export of `range` to `out`. `anchor` may be null (no anchor lines are written;
// a verifier then needs the anchor kept elsewhere). The anchor is read before the store, so
// on a live rail every anchored batch read is in the store.
[[nodiscard]] Result<AuditExportSummary> export_audit(store::ReadModel& store, store::Anchor* anchor,
                                                      const AuditRange& range, std::ostream& out);

struct AuditVerifyReport {
  std::vector<std::string> failures;  // empty: the file is intact
  std::vector<std::string> notes;
  int64_t batches = 0;
  int64_t events = 0;
  int64_t anchored = 0;  // exported batches whose hash an anchor line confirms
  int64_t first_seq = 0, last_seq = 0;
  std::string first_prev_hash;  // where the exported stretch joins the chain before it
  std::string last_hash;        // compare with the anchor kept in write-once storage
  bool ok() const { return failures.empty(); }
};

// Verifies an export: every line well formed and in order, each batch's events dense and
// hashing to its link, each link continuing the previous one, the trailer's counts, and
// every anchor line agreeing with its link. `external_anchor`, when given (the operator's
// write-once copy), is checked instead of the lines in the file, and every exported batch
// up to its last line must be in it. `follows_hash`: the last hash of the export before
// this one, to check that two pages join.
[[nodiscard]] AuditVerifyReport verify_audit_export(std::istream& in,
                                                    const std::vector<store::AnchorLine>* external_anchor = nullptr,
                                                    const std::string& follows_hash = {});

}  // namespace deltran::engine
