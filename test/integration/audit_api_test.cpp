// The audit log for auditors over the real binary: GET /api/v1/audit for the auditor (and
// the admin) only, in pages that join; `deltran audit export` from a live rail's data
// folder; `deltran audit verify` confirming both against the rail's anchor and refusing a
// file in which one amount was changed.
#include <strings.h>

#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "server_process.hpp"

namespace deltran::testing {
namespace {

std::pair<int, std::string> sh(const std::string& cmd) {
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  std::string out;
  char buf[512];
  while (p != nullptr && fgets(buf, sizeof buf, p) != nullptr) out += buf;
  const int status = p != nullptr ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string header(const gateway::Response& r, const char* name) {
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name) == 0) return v;
  }
  return {};
}

std::string bank(ServerProcess& s, const std::string& bic) {
  auto c = s.client();
  auto r = c.request("POST", "/api/v1/banks",
                     "{\"id\":\"" + bic + "\",\"name\":\"" + bic + "\",\"country\":\"AE\",\"currencies\":[\"USD\"]}",
                     bearer(s.admin_key()));
  EXPECT_TRUE(r && r->status == 201) << (r ? r->body : r.error().message);
  auto mint = c.request("POST", "/api/v1/tokens/mint",
                        "{\"bank\":\"" + bic + "\",\"currency\":\"USD\",\"amount\":\"1000.00\",\"reference\":\"F-" + bic + "\"}",
                        bearer(s.admin_key()));
  EXPECT_TRUE(mint && mint->status == 200) << (mint ? mint->body : mint.error().message);
  auto v = boost::json::parse(r->body);
  return std::string(v.at("api_key").as_string());
}

void write(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::trunc) << text; }

TEST(AuditApi, AuditorsExportVerifiableRangesAndAChangedFileIsRefused) {
  const auto dir = temp_dir("audit");
  ServerProcess s(dir / "data");
  s.start();
  const std::string a = bank(s, "AUDTAEAA");
  bank(s, "AUDTAEBB");
  auto c = s.client();
  for (int i = 0; i < 5; ++i) {
    auto r = c.request("POST", "/api/v1/transfer",
                       "{\"amount\":\"12.3" + std::to_string(i) +
                           "\",\"currency\":\"USD\",\"debtor_agent\":\"AUDTAEAA\",\"creditor_agent\":\"AUDTAEBB\","
                           "\"debtor\":{\"name\":\"D\"},\"creditor\":{\"name\":\"C\"},\"end_to_end_id\":\"AUD-" +
                           std::to_string(i) + "\"}",
                       {{"Authorization", "Bearer " + a}, {"Idempotency-Key", "aud-" + std::to_string(i)}});
    ASSERT_TRUE(r && r->status == 202) << (r ? r->body : r.error().message);
  }

  // Who may: the auditor and the admin; not the operator, the compliance officer or a bank.
  auto whole = c.request("GET", "/api/v1/audit?from=2000-01-01", {}, bearer(s.auditor_key()));
  ASSERT_TRUE(whole && whole->status == 200) << (whole ? whole->body : whole.error().message);
  EXPECT_EQ(whole->content_type, "application/x-ndjson");
  EXPECT_NE(whole->body.find("\"type_name\":\"payment.accepted\""), std::string::npos);
  EXPECT_EQ(c.request("GET", "/api/v1/audit", {}, bearer(s.admin_key()))->status, 200);
  EXPECT_EQ(c.request("GET", "/api/v1/audit", {}, bearer(s.operator_key()))->status, 403);
  EXPECT_EQ(c.request("GET", "/api/v1/audit", {}, bearer(s.compliance_key()))->status, 403);
  EXPECT_EQ(c.request("GET", "/api/v1/audit", {}, bearer(a))->status, 403);
  EXPECT_EQ(c.request("GET", "/api/v1/audit")->status, 401);
  for (const char* bad : {"?from=yesterday", "?to=2026-02-30", "?from=2026-12-02&to=2026-12-01", "?after_batch=-1",
                          "?max_events=x", "?from=2026-01-01T00:00:00%2B25:00"}) {
    auto r = c.request("GET", std::string("/api/v1/audit") + bad, {}, bearer(s.auditor_key()));
    EXPECT_EQ(r->status, 400) << bad << " " << r->body;
  }

  // The answer verifies against the rail's own anchor file.
  const std::string anchor = (dir / "data" / "audit.anchor").string();
  write(dir / "all.jsonl", whole->body);
  auto ok = sh(std::string(DELTRAN_BINARY) + " audit verify '" + (dir / "all.jsonl").string() + "' --anchor '" + anchor + "'");
  EXPECT_EQ(ok.first, 0) << ok.second;
  EXPECT_NE(ok.second.find("intact"), std::string::npos) << ok.second;

  // Pages of at most 3 events, each verified and joined to the one before.
  std::string after = "0", follows;
  int pages = 0;
  for (; pages < 100; ++pages) {
    auto r = c.request("GET", "/api/v1/audit?max_events=3&after_batch=" + after, {}, bearer(s.auditor_key()));
    ASSERT_TRUE(r && r->status == 200);
    const fs::path page = dir / ("page" + std::to_string(pages) + ".jsonl");
    write(page, r->body);
    auto v = sh(std::string(DELTRAN_BINARY) + " audit verify '" + page.string() + "' --anchor '" + anchor + "'" +
                (follows.empty() ? "" : " --follows " + follows));
    ASSERT_EQ(v.first, 0) << "page " << pages << ": " << v.second;
    const auto at = v.second.find("last hash ");
    if (at != std::string::npos) follows = v.second.substr(at + 10, 64);
    after = header(*r, "Audit-Next-After-Batch");
    if (after.empty()) break;
  }
  EXPECT_GT(pages, 2);

  // The command line, on the live rail's data folder.
  const fs::path cli = dir / "cli.jsonl";
  auto exported = sh(std::string(DELTRAN_BINARY) + " audit export --data '" + (dir / "data").string() +
                     "' --from 2000-01-01 --out '" + cli.string() + "'");
  ASSERT_EQ(exported.first, 0) << exported.second;
  auto cli_ok = sh(std::string(DELTRAN_BINARY) + " audit verify '" + cli.string() + "' --anchor '" + anchor + "'");
  EXPECT_EQ(cli_ok.first, 0) << cli_ok.second;

  // One amount changed: not intact, with or without the kept anchor.
  std::string text = whole->body;
  const auto at = text.find("12.32");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 5, "92.32");
  write(dir / "changed.jsonl", text);
  auto bad = sh(std::string(DELTRAN_BINARY) + " audit verify '" + (dir / "changed.jsonl").string() + "'");
  EXPECT_EQ(bad.first, 1) << bad.second;
  EXPECT_NE(bad.second.find("NOT INTACT"), std::string::npos) << bad.second;
  EXPECT_NE(bad.second.find("does not hash to its link"), std::string::npos) << bad.second;
  EXPECT_NE(sh(std::string(DELTRAN_BINARY) + " audit verify '" + (dir / "changed.jsonl").string() + "' --anchor '" + anchor + "'").first, 0);
  EXPECT_NE(sh(std::string(DELTRAN_BINARY) + " audit export --data '" + (dir / "data").string() + "' --from soon").first, 0);
}

}  // namespace
}  // namespace deltran::testing
