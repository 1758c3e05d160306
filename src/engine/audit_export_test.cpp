// The auditors' export: what it holds for a range, that an untouched export verifies, and
// that every way of changing one — an event edited, removed, added or moved, a batch cut
// out, the file cut short, a counted trailer changed, an anchor line changed, the chain
// rewritten end to end — is refused by the verifier and named.
#include <filesystem>
#include <sstream>

#include <gtest/gtest.h>

#include <deltran/core/clock.hpp>
#include <deltran/core/ids.hpp>
#include <deltran/engine/audit_export.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/model/event.hpp>
#include <deltran/store/sqlite.hpp>

#include <boost/json.hpp>

namespace deltran::engine {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const CurrencyId kUsd = money::currency_id("USD");
constexpr int64_t kStart = 1'767'225'600'000'000;  // 2026-01-01T00:00:00Z
constexpr int64_t kHour = 3'600'000'000;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}
std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}
AuditVerifyReport verify(const std::string& text, const std::vector<store::AnchorLine>* anchor = nullptr) {
  std::istringstream in(text);
  return verify_audit_export(in, anchor);
}
std::string failures(const AuditVerifyReport& r) {
  std::string out;
  for (const auto& f : r.failures) out += f + "\n";
  return out;
}
// The index of the first line that starts with `prefix`.
size_t find_line(const std::vector<std::string>& lines, const std::string& prefix, size_t from = 0) {
  for (size_t i = from; i < lines.size(); ++i) {
    if (lines[i].rfind(prefix, 0) == 0) return i;
  }
  return lines.size();
}

class AuditExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("deltran-audit-" + new_uuid_v4());
    fs::create_directories(dir_);
    auto store = open();
    auto anchor = store::open_file_anchor((dir_ / "audit.anchor").string());
    ASSERT_TRUE(anchor.has_value());
    ManualClock clock(kStart);
    Settings settings;
    settings.controls.breakers_enabled = false;
    Engine e(settings, *store, clock, anchor->get());
    ASSERT_TRUE(e.start().has_value());
    auto run = [&](Command c) { return e.execute(std::move(c), "test"); };
    // Hour 0: two banks; hour 1: funding; hour 2: payments; hour 3: a window close.
    for (const char* b : {"BANKAAAA", "BANKBBBB"}) {
      ASSERT_EQ(run(CreateBankCommand{b, b, "AE", {kUsd}, {{kUsd, 0}}, std::string("h") + b, {}}).rc, Rc::kCreated);
    }
    clock.set_us(kStart + kHour);
    for (const char* b : {"BANKAAAA", "BANKBBBB"}) {
      ASSERT_EQ(run(TokenCommand{TokenCommand::Kind::kMint, b, Amount{10'000, kUsd}, std::string("f") + b}).rc, Rc::kOk);
    }
    clock.set_us(kStart + 2 * kHour);
    for (int i = 0; i < 4; ++i) {
      TransferCommand t;
      t.id = new_uuid_v4();
      t.uetr = new_uuid_v4();
      t.idempotency_key = "k" + t.id;
      t.request_hash = "h";
      t.debtor_agent = i % 2 == 0 ? "BANKAAAA" : "BANKBBBB";
      t.creditor_agent = i % 2 == 0 ? "BANKBBBB" : "BANKAAAA";
      t.amount = Amount{100 + i, kUsd};
      t.end_to_end_id = "E\"quoted\" \\ ünï";
      ASSERT_EQ(run(t).rc, Rc::kAccepted);
    }
    clock.set_us(kStart + 3 * kHour);
    ASSERT_EQ(run(CloseWindowCommand{0, kUsd, false}).rc, Rc::kOk);
    e.stop();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::unique_ptr<store::Store> open() {
    store::SqliteSettings s;
    s.path = (dir_ / "deltran.db").string();
    auto st = store::open_sqlite_store(s);
    EXPECT_TRUE(st.has_value()) << st.error().message;
    return std::move(*st);
  }
  std::string export_range(AuditRange range, AuditExportSummary* summary = nullptr) {
    auto store = open();
    auto anchor = store::open_file_anchor((dir_ / "audit.anchor").string());
    EXPECT_TRUE(anchor.has_value());
    std::ostringstream out;
    auto s = export_audit(*store, anchor->get(), range, out);
    EXPECT_TRUE(s.has_value()) << s.error().message;
    if (summary != nullptr && s) *summary = *s;
    return out.str();
  }
  std::vector<store::AnchorLine> anchor_lines() {
    auto anchor = store::open_file_anchor((dir_ / "audit.anchor").string());
    auto lines = (*anchor)->read_all();
    EXPECT_TRUE(lines.has_value());
    return *lines;
  }

  fs::path dir_;
};

TEST(AuditTime, DatesAndRfc3339TimesParse) {
  EXPECT_EQ(parse_time_us("2026-01-01"), kStart);
  EXPECT_EQ(parse_time_us("2026-01-01T01:00:00Z"), kStart + kHour);
  EXPECT_EQ(parse_time_us("2026-01-01T01:00:00.5Z"), kStart + kHour + 500'000);
  EXPECT_EQ(parse_time_us("2026-01-01 01:00:00.000001Z"), kStart + kHour + 1);
  EXPECT_EQ(parse_time_us("2026-01-01T05:00:00+04:00"), kStart + kHour);
  EXPECT_EQ(parse_time_us("2025-12-31T21:00:00-03:00"), kStart);
  for (const char* bad : {"", "2026", "2026-13-01", "2026-01-01T25:00:00Z", "2026-01-01T01:00:00", "2026-01-01T01:00Z",
                          "2026-01-01T01:00:00.Z", "2026-01-01T01:00:00+4:00", "yesterday", "2026-01-01T01:00:00Zjunk"}) {
    EXPECT_FALSE(parse_time_us(bad).has_value()) << bad;
  }
}

TEST_F(AuditExportTest, ARangeExportsItsWholeBatchesAndVerifies) {
  AuditRange all;
  all.exported_at_us = kStart + 4 * kHour;
  all.rail = "DLTRAEAD";
  AuditExportSummary s;
  const std::string text = export_range(all, &s);
  auto r = verify(text);
  EXPECT_TRUE(r.ok()) << failures(r);
  EXPECT_EQ(r.batches, s.batches);
  EXPECT_EQ(r.events, s.events);
  EXPECT_EQ(r.anchored, r.batches) << "every batch is witnessed by its anchor line";
  EXPECT_EQ(r.first_seq, 1);
  EXPECT_TRUE(r.first_prev_hash.empty());
  EXPECT_EQ(r.last_hash, anchor_lines().back().hash);
  // Checked against the anchor file itself, as an auditor holding the write-once copy would.
  const auto anchor = anchor_lines();
  auto with_anchor = verify(text, &anchor);
  EXPECT_TRUE(with_anchor.ok()) << failures(with_anchor);

  // Hour 2 only: the payments' batches, not the banks' or the close.
  AuditRange payments;
  payments.from_us = kStart + 2 * kHour;
  payments.to_us = kStart + 3 * kHour;
  const std::string part = export_range(payments);
  auto pr = verify(part);
  EXPECT_TRUE(pr.ok()) << failures(pr);
  EXPECT_EQ(pr.batches, 4);
  EXPECT_GT(pr.first_seq, 1);
  EXPECT_FALSE(pr.first_prev_hash.empty());
  EXPECT_EQ(part.find("participant.created"), std::string::npos);
  EXPECT_EQ(part.find("window.netted"), std::string::npos);
  EXPECT_NE(part.find("payment.accepted"), std::string::npos);

  // Paged: two events at most per page; the pages join by their hashes.
  AuditRange paged;
  paged.max_events = 2;
  std::string follows;
  int64_t events = 0;
  for (int page = 0; page < 100; ++page) {
    AuditExportSummary ps;
    const std::string p = export_range(paged, &ps);
    std::istringstream in(p);
    auto vr = verify_audit_export(in, nullptr, follows);
    ASSERT_TRUE(vr.ok()) << "page " << page << "\n" << failures(vr);
    events += vr.events;
    follows = vr.last_hash;
    if (!ps.more) break;
    paged.after_batch = ps.next_after_batch;
  }
  EXPECT_EQ(events, r.events);
  // An empty range is an empty, valid export.
  AuditRange none;
  none.from_us = kStart + 10 * kHour;
  auto nr = verify(export_range(none));
  EXPECT_TRUE(nr.ok()) << failures(nr);
  EXPECT_EQ(nr.batches, 0);
}

TEST_F(AuditExportTest, EveryChangeToAnExportIsFound) {
  const std::string text = export_range(AuditRange{});
  const auto lines = lines_of(text);
  const size_t first_event = find_line(lines, "{\"event\"");
  const size_t second_link = find_line(lines, "{\"link\"", find_line(lines, "{\"link\"") + 1);
  ASSERT_LT(second_link, lines.size());
  auto payment = find_line(lines, "{\"event\"", find_line(lines, "{\"link\"", second_link + 1));
  while (payment < lines.size() && lines[payment].find("payment.accepted") == std::string::npos) ++payment;
  ASSERT_LT(payment, lines.size());

  auto refused = [&](std::vector<std::string> changed, const std::string& what, const std::string& named) {
    const std::string t = join(changed);
    auto r = verify(t);
    EXPECT_FALSE(r.ok()) << what;
    EXPECT_NE(failures(r).find(named), std::string::npos) << what << ": " << failures(r);
  };
  {  // an amount edited inside an event's payload
    auto c = lines;
    const auto at = c[payment].find("amount");
    ASSERT_NE(at, std::string::npos);
    const auto digit = c[payment].find_first_of("0123456789", at);
    c[payment][digit] = c[payment][digit] == '9' ? '8' : static_cast<char>(c[payment][digit] + 1);
    refused(c, "an edited amount", "does not hash to its link");
  }
  {  // the actor changed
    auto c = lines;
    const auto at = c[first_event].find("\"actor\":\"test\"");
    ASSERT_NE(at, std::string::npos);
    c[first_event].replace(at, 14, "\"actor\":\"tess\"");
    refused(c, "an edited actor", "does not hash to its link");
  }
  {  // an event removed
    auto c = lines;
    c.erase(c.begin() + static_cast<long>(payment));
    refused(c, "a removed event", "events were removed or added");
  }
  {  // an event repeated
    auto c = lines;
    c.insert(c.begin() + static_cast<long>(payment), c[payment]);
    refused(c, "a repeated event", "an event was removed, added or moved");
  }
  {  // a whole batch cut out (its link and events)
    auto c = lines;
    const size_t next = find_line(c, "{\"link\"", second_link + 1);
    c.erase(c.begin() + static_cast<long>(second_link), c.begin() + static_cast<long>(next));
    refused(c, "a removed batch", "does not continue batch");
  }
  {  // cut short
    auto c = lines;
    c.resize(c.size() / 2);
    refused(c, "a truncated file", "no end line");
  }
  {  // the trailer's count changed
    auto c = lines;
    const auto at = c.back().find("\"events\":");
    ASSERT_NE(at, std::string::npos);
    c.back().insert(at + 9, "1");
    refused(c, "a trailer counting other events", "the end line counts other batches or events");
  }
  {  // an anchor line changed
    auto c = lines;
    const size_t a = find_line(c, "{\"anchor\"");
    ASSERT_LT(a, c.size());
    const auto h = c[a].find("\"hash\":\"") + 8;
    c[a][h] = c[a][h] == 'a' ? 'b' : 'a';
    refused(c, "an anchor changed", "differs from its anchored hash");
  }
  {  // not JSON, or a stranger's line
    auto c = lines;
    c.insert(c.begin() + 2, "{\"event\":{\"seq\":\"one\"}}");
    refused(c, "an event without fields", "without its fields");
    auto d = lines;
    d.insert(d.begin() + 2, "\xff\xfe garbage");
    refused(d, "garbage", "not a JSON object");
    refused({"{\"format\":\"something-else\"}"}, "another format", "not a DelTran audit export");
    refused({}, "an empty file", "empty");
  }
}

// Someone who rewrites an event and recomputes every hash after it, anchor lines included,
// makes a file that agrees with itself; the anchor kept outside the rail still refuses it.
TEST_F(AuditExportTest, AConsistentlyRewrittenChainFailsAgainstTheKeptAnchor) {
  const std::string text = export_range(AuditRange{});
  auto lines = lines_of(text);
  // Parse, change one payment's payload, and reseal every link and anchor from there.
  std::vector<json::object> rows;
  for (const auto& l : lines) rows.push_back(json::parse(l).as_object());
  bool changed = false;
  for (auto& row : rows) {
    if (auto* e = row.if_contains("event"); e != nullptr && !changed) {
      auto& ev = e->as_object();
      if (ev.at("type_name").as_string() == "payment.accepted") {
        std::string payload(ev.at("payload").as_string());
        const auto at = payload.find("BANKBBBB");
        ASSERT_NE(at, std::string::npos);
        payload.replace(at, 8, "BANKEVIL");
        ev["payload"] = payload;
        changed = true;
      }
    }
  }
  ASSERT_TRUE(changed);
  std::string prev;
  std::map<int64_t, std::string> hashes;
  for (size_t i = 0; i < rows.size(); ++i) {
    auto* l = rows[i].if_contains("link");
    if (l == nullptr) continue;
    auto& link = l->as_object();
    std::vector<model::Event> evs;
    for (size_t j = i + 1; j < rows.size() && rows[j].contains("event"); ++j) {
      const auto& ev = rows[j].at("event").as_object();
      model::Event e;
      e.seq = ev.at("seq").as_int64();
      e.batch = ev.at("batch").as_int64();
      e.type = static_cast<model::EventType>(ev.at("type").as_int64());
      e.time_us = ev.at("time_us").as_int64();
      e.actor = ev.at("actor").as_string();
      e.entity = ev.at("entity").as_string();
      e.party_a = ev.at("party_a").as_string();
      e.party_b = ev.at("party_b").as_string();
      e.scope = static_cast<model::EventScope>(ev.at("scope").as_int64());
      e.payload = ev.at("payload").as_string();
      evs.push_back(e);
    }
    link["prev_hash"] = prev;
    prev = model::chain_hash(prev, evs);
    link["hash"] = prev;
    hashes[link.at("batch").as_int64()] = prev;
  }
  for (auto& row : rows) {
    if (auto* a = row.if_contains("anchor")) a->as_object()["hash"] = hashes[a->as_object().at("batch").as_int64()];
    if (auto* e = row.if_contains("end")) e->as_object()["last_hash"] = prev;
  }
  std::string forged;
  for (const auto& row : rows) forged += json::serialize(row) + "\n";
  auto self = verify(forged);
  EXPECT_TRUE(self.ok()) << "the forgery agrees with itself: " << failures(self);
  const auto anchor = anchor_lines();
  auto kept = verify(forged, &anchor);
  EXPECT_FALSE(kept.ok());
  EXPECT_NE(failures(kept).find("differs from its anchored hash"), std::string::npos) << failures(kept);
}

}  // namespace
}  // namespace deltran::engine
