// deltran: the one binary. Subcommands: serve, demo, check, audit, user, tls, routes, version.
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <deltran/engine/audit_export.hpp>
#include <deltran/engine/check.hpp>
#include <deltran/gateway/api.hpp>
#include <deltran/gateway/auth.hpp>
#include <deltran/store/anchor.hpp>
#include <deltran/store/sqlite.hpp>

#include "config.hpp"
#include "demo.hpp"
#include "node.hpp"
#include "tls_certs.hpp"

namespace fs = std::filesystem;
using namespace deltran;

namespace {

struct Flags {
  std::string config_file;
  std::string listen;
  std::string data;
  std::string ready_file;
  int http_threads = 0;
  std::string xsd_dir;
  std::vector<std::string> sanctions_lists;
  std::vector<std::string> pep_lists;
  int64_t window_seconds = -1;
  bool allow_no_lists = false;
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
};

Result<app::Config> build_config(const Flags& f) {
  app::Config c;
  if (!f.config_file.empty()) {
    if (auto st = app::apply_toml_file(c, f.config_file); !st) return tl::unexpected(st.error());
  }
  if (auto st = app::apply_environment(c); !st) return tl::unexpected(st.error());
  if (!f.listen.empty()) c.listen = f.listen;
  if (!f.data.empty()) c.data = f.data;
  if (f.http_threads > 0) c.http_threads = f.http_threads;
  if (!f.xsd_dir.empty()) c.xsd_dir = f.xsd_dir;
  if (!f.sanctions_lists.empty()) c.sanctions_lists = f.sanctions_lists;
  if (!f.pep_lists.empty()) c.pep_lists = f.pep_lists;
  if (f.allow_no_lists) c.allow_no_lists = true;
  if (f.window_seconds >= 0) c.window_seconds = f.window_seconds;
  if (!f.tls_cert.empty()) c.tls_cert_file = f.tls_cert;
  if (!f.tls_key.empty()) c.tls_key_file = f.tls_key;
  if (!f.tls_client_ca.empty()) c.tls_client_ca_file = f.tls_client_ca;
  if (auto st = app::validate(c); !st) return tl::unexpected(st.error());
  return c;
}

// Blocks SIGINT and SIGTERM in every thread; the main thread then waits for them.
sigset_t block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

int wait_for_signal(const sigset_t& set) {
  int sig = 0;
  sigwait(&set, &sig);
  spdlog::info("received signal {}, stopping: finishing accepted commands", sig);
  return 0;
}

int fail(const std::string& what) {
  std::fprintf(stderr, "deltran: %s\n", what.c_str());
  return 1;
}

void print_report(const std::string& db, const engine::CheckReport& r) {
  std::printf("checked %s: %lld payments, %lld settled windows, %lld journal entries, %lld events in %lld batches "
              "(%lld anchored)\n",
              db.c_str(), static_cast<long long>(r.payments), static_cast<long long>(r.windows_settled),
              static_cast<long long>(r.journal_entries), static_cast<long long>(r.events),
              static_cast<long long>(r.batches), static_cast<long long>(r.anchored_batches));
  for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
  for (const auto& f : r.failures) std::printf("FAIL: %s\n", f.c_str());
  if (r.ok()) {
    std::printf("all invariants hold: every currency sums to zero; tokens equal fiat backing; no balance below its\n"
                "floor; the journal replays to every balance; each settled window nets to zero and matches its\n"
                "payments; no rejected or held payment sits in a window; the event log is dense and every batch\n"
                "matches its chain hash; the chain matches its anchor\n");
  }
}

int run_serve(const Flags& flags) {
  auto config = build_config(flags);
  if (!config) return fail(config.error().message);
  app::setup_logging(config->log_level);
  spdlog::info("configuration: {}", app::describe(*config));
  sigset_t set = block_signals();
  app::Node node(*config);
  if (auto st = node.start(); !st) return fail(st.error().message);
  if (!flags.ready_file.empty()) {
    std::ofstream(flags.ready_file) << node.port() << "\n";
  }
  wait_for_signal(set);
  node.stop();
  return 0;
}

int run_check(const Flags& flags) {
  auto config = build_config(flags);
  if (!config) return fail(config.error().message);
  fs::path db = fs::path(config->data) / "deltran.db";
  if (!fs::exists(db)) return fail("no database at " + db.string());
  store::SqliteSettings ss;
  ss.path = db.string();
  auto store = store::open_sqlite_store(ss);
  if (!store) return fail(store.error().message);
  // The anchor is read, never created, by the check: a missing one is a finding.
  fs::path anchor_path = fs::path(config->data) / "audit.anchor";
  std::unique_ptr<store::Anchor> anchor;
  if (fs::exists(anchor_path)) {
    auto opened = store::open_file_anchor(anchor_path.string());
    if (!opened) return fail(opened.error().message);
    anchor = std::move(*opened);
  }
  auto report = engine::check_store(**store, anchor.get());
  if (!report) return fail(report.error().message);
  print_report(db.string(), *report);
  return report->ok() ? 0 : 1;
}

// The demo's staff admin: user demo-admin with a fresh random password, saved in the users
// file and in <data>/demo-admin.password (0600) for trying the login by hand.
Result<std::pair<std::string, std::string>> demo_admin(const app::Config& config) {
  const std::string name = "demo-admin";
  const std::string path = config.users_file.empty() ? (fs::path(config.data) / "users").string() : config.users_file;
  auto users = gateway::read_users_file(path);
  if (!users) return tl::unexpected(users.error());
  std::random_device rd;
  static constexpr char kAlphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string password;
  for (int i = 0; i < 20; ++i) password += kAlphabet[rd() % (sizeof kAlphabet - 1)];
  auto hash = gateway::hash_password(password);
  if (!hash) return tl::unexpected(hash.error());
  std::erase_if(*users, [&](const auto& u) { return u.name == name; });
  users->push_back(gateway::StaffUser{name, "admin", *hash});
  if (auto st = gateway::write_users_file(path, *users); !st) return tl::unexpected(st.error());
  const fs::path pw = fs::path(config.data) / (name + ".password");
  {
    std::ofstream out(pw, std::ios::trunc);
    out << password << "\n";
    if (!out) return make_error(ErrorCode::kUnavailable, "cannot write " + pw.string());
  }
  fs::permissions(pw, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
  return std::pair{name, password};
}

// deltran tls dev-certs: a development CA, server and client certificates for trying TLS/mTLS.
int run_dev_certs(const std::string& out, std::vector<std::string> names, const std::vector<std::string>& clients,
                  int days) {
  if (names.empty()) names = {"localhost", "127.0.0.1", "::1"};
  auto certs = app::make_dev_certificates(out, names, clients, days);
  if (!certs) return fail(certs.error().message);
  std::printf("CA          %s (clients trust it; pass it as --tls-client-ca for mTLS)\n", certs->ca_cert.c_str());
  std::printf("server      %s, key %s\n", certs->server_cert.c_str(), certs->server_key.c_str());
  for (const auto& c : certs->client_certs) {
    std::printf("client      %s, key %s\n", c.c_str(), fs::path(c).replace_extension(".key").c_str());
  }
  std::printf("For development only: the CA's key is in %s/ca.key.\n"
              "  deltran serve --tls-cert %s --tls-key %s%s\n",
              out.c_str(), certs->server_cert.c_str(), certs->server_key.c_str(),
              clients.empty() ? "" : (" --tls-client-ca " + certs->ca_cert.string()).c_str());
  return 0;
}

int run_demo(const Flags& flags, app::DemoSettings demo, bool exit_after, bool keep_data) {
  Flags f = flags;
  if (f.data.empty()) f.data = "./var/demo";
  auto config = build_config(f);
  if (!config) return fail(config.error().message);
  if (!keep_data && fs::exists(fs::path(config->data) / "deltran.db")) {
    std::printf("demo: starting from an empty data folder %s\n", config->data.c_str());
    for (const char* file : {"deltran.db", "deltran.db-wal", "deltran.db-shm", "audit.anchor"}) {
      fs::remove(fs::path(config->data) / file);
    }
    fs::remove_all(fs::path(config->data) / "snapshots");
  }
  if (config->sanctions_lists.empty() && config->pep_lists.empty()) {
    // Small fictitious lists, in the published formats' plain-CSV form, so the demo can show
    // a sanctions block and a PEP review.
    fs::path lists = fs::path(config->data) / "lists";
    fs::create_directories(lists);
    std::ofstream(lists / "sanctions.csv") << "id,name,type,program,aliases\n"
                                              "DEMO-0001,Volkov Maritime Holdings Ltd,entity,DEMO-SANCTIONS,Volkov Maritime;VMH Shipping\n"
                                              "DEMO-0002,Ivan Sergeyevich Morozov,individual,DEMO-SANCTIONS,Ivan Morozov\n";
    std::ofstream(lists / "pep.csv") << "id,name,type,program,aliases\n"
                                        "PEP-0001,Karim Nasser Haddad,individual,PEP,K. N. Haddad\n";
    config->sanctions_lists = {"csv:" + (lists / "sanctions.csv").string()};
    config->pep_lists = {"csv:" + (lists / "pep.csv").string()};
  }
  // The demo serves HTTPS (TLS 1.3) with development certificates made for it, unless given
  // --tls-cert, and its admin logs in by name and password as staff would.
  std::error_code ec;
  fs::create_directories(config->data, ec);
  if (config->tls_cert_file.empty()) {
    auto certs = app::make_dev_certificates(fs::path(config->data) / "tls", {"localhost", "127.0.0.1", "::1"}, {}, 30);
    if (!certs) return fail("demo certificates: " + certs.error().message);
    config->tls_cert_file = certs->server_cert.string();
    config->tls_key_file = certs->server_key.string();
    demo.tls.ca_file = certs->ca_cert.string();
  }
  demo.tls.enabled = true;
  auto admin = demo_admin(*config);
  if (!admin) return fail(admin.error().message);
  demo.admin_user = admin->first;
  demo.admin_password = admin->second;
  app::setup_logging("warn");
  sigset_t set = block_signals();
  app::Node node(*config);
  if (auto st = node.start(); !st) return fail(st.error().message);
  std::printf("DelTran demo: the rail is serving on https://%s:%u, TLS 1.3 (SQLite in %s)\n", node.host().c_str(),
              node.port(), config->data.c_str());
  demo.host = node.host();
  demo.port = node.port();
  demo.admin_key = node.admin_key();
  demo.compliance_key = node.compliance_key();
  demo.screening = true;
  if (auto st = app::run_demo(demo); !st) {
    node.stop();
    return fail("demo failed: " + st.error().message);
  }
  std::printf("\n== Invariants (deltran check) ==\n");
  auto report = engine::check_store(node.store(), node.anchor());
  if (!report) return fail(report.error().message);
  for (const auto& failure : report->failures) std::printf("  FAIL: %s\n", failure.c_str());
  if (!report->ok()) return 1;
  std::printf("  all hold over %lld payments, %lld settled windows, %lld journal entries and %lld events:\n"
              "  each currency sums to zero, tokens equal fiat backing, no balance below its floor, every settled\n"
              "  window nets to zero and matches its payments, the audit chain matches its events and its anchor.\n",
              static_cast<long long>(report->payments), static_cast<long long>(report->windows_settled),
              static_cast<long long>(report->journal_entries), static_cast<long long>(report->events));
  if (exit_after) {
    node.stop();
    return 0;
  }
  const std::string base = "https://" + node.host() + ":" + std::to_string(node.port());
  const std::string cacert = demo.tls.ca_file.empty() ? std::string() : " --cacert " + demo.tls.ca_file;
  std::printf("\nStill serving on %s — try:\n"
              "  curl -s%s %s/api/v1/windows -H 'Authorization: Bearer %s'\n"
              "  curl -s%s %s/api/v1/auth/login -d '{\"user\":\"%s\",\"password\":\"'$(cat %s/%s.password)'\"}'\n"
              "  curl -s%s %s/metrics\n"
              "The admin key is in %s/admin.key, %s's password in %s/%s.password. Ctrl-C stops.\n",
              base.c_str(), cacert.c_str(), base.c_str(), node.admin_key().c_str(), cacert.c_str(), base.c_str(),
              demo.admin_user.c_str(), config->data.c_str(), demo.admin_user.c_str(), cacert.c_str(), base.c_str(),
              config->data.c_str(), demo.admin_user.c_str(), config->data.c_str(), demo.admin_user.c_str());
  std::fflush(stdout);
  wait_for_signal(set);
  node.stop();
  return 0;
}

// deltran audit export: the batches committed in [from, to) with their events, chain links
// and anchor lines, to a file (or stdout) that `deltran audit verify` checks offline.
int run_audit_export(const Flags& flags, const std::string& from, const std::string& to, const std::string& out_path) {
  auto config = build_config(flags);
  if (!config) return fail(config.error().message);
  engine::AuditRange range;
  if (!from.empty()) {
    auto t = engine::parse_time_us(from);
    if (!t) return fail("--from must be a date (2026-12-01) or an RFC 3339 time (2026-12-01T10:00:00Z)");
    range.from_us = *t;
  }
  if (!to.empty()) {
    auto t = engine::parse_time_us(to);
    if (!t) return fail("--to must be a date (2026-12-01) or an RFC 3339 time (2026-12-01T10:00:00Z)");
    range.to_us = *t;
  }
  if (range.to_us <= range.from_us) return fail("--to must be after --from");
  range.rail = config->rail_bic;
  range.exported_at_us = SystemClock().now_us();
  fs::path db = fs::path(config->data) / "deltran.db";
  if (!fs::exists(db)) return fail("no database at " + db.string());
  store::SqliteSettings ss;
  ss.path = db.string();
  auto store = store::open_sqlite_store(ss);
  if (!store) return fail(store.error().message);
  fs::path anchor_path = fs::path(config->data) / "audit.anchor";
  std::unique_ptr<store::Anchor> anchor;
  if (fs::exists(anchor_path)) {
    auto opened = store::open_file_anchor(anchor_path.string());
    if (!opened) return fail(opened.error().message);
    anchor = std::move(*opened);
  } else {
    std::fprintf(stderr, "deltran: no audit anchor in %s: the export carries no anchor lines\n", config->data.c_str());
  }
  std::ofstream file;
  if (!out_path.empty() && out_path != "-") {
    file.open(out_path, std::ios::trunc);
    if (!file) return fail("cannot write " + out_path);
  }
  std::ostream& out = file.is_open() ? static_cast<std::ostream&>(file) : std::cout;
  auto summary = engine::export_audit(**store, anchor.get(), range, out);
  if (!summary) return fail(summary.error().message);
  out.flush();
  if (!out) return fail("cannot write " + (out_path.empty() ? std::string("stdout") : out_path));
  std::fprintf(stderr, "exported %lld batches, %lld events, %lld anchor lines%s\n",
               static_cast<long long>(summary->batches), static_cast<long long>(summary->events),
               static_cast<long long>(summary->anchored), out_path.empty() ? "" : (" to " + out_path).c_str());
  return 0;
}

// deltran audit verify FILE: every batch hashes to its link, links chain, the anchor agrees.
int run_audit_verify(const std::string& path, const std::string& anchor_path, const std::string& follows) {
  std::ifstream in(path);
  if (!in) return fail("cannot read " + path);
  std::vector<store::AnchorLine> kept;
  if (!anchor_path.empty()) {
    if (!fs::exists(anchor_path)) return fail("no anchor at " + anchor_path);
    auto opened = store::open_file_anchor(anchor_path);
    if (!opened) return fail(opened.error().message);
    auto lines = (*opened)->read_all();
    if (!lines) return fail(lines.error().message);
    kept = std::move(*lines);
  }
  auto r = engine::verify_audit_export(in, anchor_path.empty() ? nullptr : &kept, follows);
  for (const auto& f : r.failures) std::printf("FAIL: %s\n", f.c_str());
  for (const auto& n : r.notes) std::printf("note: %s\n", n.c_str());
  std::printf("%s: %s — %lld batches, events %lld-%lld (%lld), %lld confirmed by the %s\n", path.c_str(),
              r.ok() ? "intact" : "NOT INTACT", static_cast<long long>(r.batches), static_cast<long long>(r.first_seq),
              static_cast<long long>(r.last_seq), static_cast<long long>(r.events), static_cast<long long>(r.anchored),
              anchor_path.empty() ? "anchor lines it carries" : ("anchor " + anchor_path).c_str());
  if (r.batches > 0) {
    std::printf("joins the chain after %s\nlast hash %s\n", r.first_prev_hash.empty() ? "(its start)" : r.first_prev_hash.c_str(),
                r.last_hash.c_str());
  }
  return r.ok() ? 0 : 1;
}

// A password from the terminal without echo (asked twice), or the first line of stdin.
std::optional<std::string> read_password() {
  if (!isatty(STDIN_FILENO)) {
    std::string line;
    if (!std::getline(std::cin, line)) return std::nullopt;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
  }
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::string first, second;
  std::fprintf(stderr, "password: ");
  std::getline(std::cin, first);
  std::fprintf(stderr, "\nagain: ");
  std::getline(std::cin, second);
  std::fprintf(stderr, "\n");
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  if (first != second) {
    std::fprintf(stderr, "deltran: the passwords differ\n");
    return std::nullopt;
  }
  return first;
}

// deltran user add|remove|list: the staff users who log in by name (auth.users_file).
int run_user(const Flags& flags, const std::string& action, const std::string& name, const std::string& role) {
  auto config = build_config(flags);
  if (!config) return fail(config.error().message);
  const std::string path = config->users_file.empty() ? (fs::path(config->data) / "users").string() : config->users_file;
  auto users = gateway::read_users_file(path);
  if (!users) return fail(users.error().message);
  if (action == "list") {
    for (const auto& u : *users) std::printf("%s %s\n", u.name.c_str(), u.role.c_str());
    return 0;
  }
  if (auto st = gateway::check_user_name(name); !st) return fail(st.error().message);
  auto at = std::find_if(users->begin(), users->end(), [&](const auto& u) { return u.name == name; });
  if (action == "remove") {
    if (at == users->end()) return fail("no user " + name + " in " + path);
    users->erase(at);
  } else {
    if (std::find(gateway::kUserRoles.begin(), gateway::kUserRoles.end(), role) == gateway::kUserRoles.end()) {
      return fail("--role must be admin, operator, compliance or auditor");
    }
    auto password = read_password();
    if (!password) return fail("no password given (on the terminal, or the first line of stdin)");
    auto hash = gateway::hash_password(*password);
    if (!hash) return fail(hash.error().message);
    if (at != users->end()) {
      at->role = role;
      at->password_hash = *hash;
    } else {
      users->push_back(gateway::StaffUser{name, role, *hash});
    }
  }
  std::error_code ec;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (auto st = gateway::write_users_file(path, *users); !st) return fail(st.error().message);
  std::printf("%s %s in %s (a running server reads it at its next start)\n", action == "remove" ? "removed" : "saved",
              name.c_str(), path.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"DelTran: cross-border payment clearing and settlement rail"};
  cli.require_subcommand(1);
  Flags flags;
  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--config", flags.config_file, "TOML configuration file")->check(CLI::ExistingFile);
    sub->add_option("--data", flags.data, "data folder (SQLite database, admin key); default ./var");
    sub->add_option("--listen", flags.listen, "HTTP address host:port; default 127.0.0.1:8080");
    sub->add_option("--http-threads", flags.http_threads, "HTTP I/O threads; default 1");
    sub->add_option("--sanctions-list", flags.sanctions_lists,
                    "sanctions list, repeatable: ofac-csv:PATH/sdn.csv | un-xml:PATH | eu-xml:PATH | "
                    "opensanctions-csv:PATH | csv:PATH, each optionally ?name=N&threshold=T&block=B");
    sub->add_flag("--allow-no-lists", flags.allow_no_lists,
                  "start without a sanctions list (names unscreened; country rules still apply)");
    sub->add_option("--pep-list", flags.pep_lists, "PEP list, repeatable: csv:PATH (id,name,type,program,aliases)");
    sub->add_option("--xsd-dir", flags.xsd_dir, "folder of the official ISO 20022 XSDs; default: the ones shipped with the binary");
    sub->add_option("--window-seconds", flags.window_seconds,
                    "close windows every N seconds (aligned to UTC midnight); 0 = on demand only; default 21600");
    sub->add_option("--tls-cert", flags.tls_cert, "PEM certificate (chain) of the API: serve HTTPS only, TLS 1.3")
        ->check(CLI::ExistingFile);
    sub->add_option("--tls-key", flags.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
    sub->add_option("--tls-client-ca", flags.tls_client_ca,
                    "PEM CAs for client certificates (mTLS): a verified certificate whose CN is a participant's id "
                    "authenticates it")
        ->check(CLI::ExistingFile);
  };
  auto* serve = cli.add_subcommand("serve", "run the rail on the embedded store until SIGINT/SIGTERM");
  add_common(serve);
  serve->add_option("--ready-file", flags.ready_file, "write the bound port to this file once listening");

  app::DemoSettings demo;
  bool exit_after = false;
  bool keep_data = false;
  auto* demo_cmd = cli.add_subcommand("demo", "start the rail, drive a scenario over HTTP, print results, keep serving");
  add_common(demo_cmd);
  demo_cmd->add_flag("--exit", exit_after, "stop after the scenario instead of serving");
  demo_cmd->add_flag("--keep-data", keep_data, "do not empty the demo's data folder first");
  demo_cmd->add_option("--payments", demo.payments_per_round, "payments per round; default 3000");
  demo_cmd->add_option("--rounds", demo.rounds, "rounds of payments then window closes; default 2");
  demo_cmd->add_option("--clients", demo.clients, "concurrent HTTP clients; default 8");

  auto* check = cli.add_subcommand("check", "verify every invariant of a data folder offline");
  add_common(check);
  auto* user = cli.add_subcommand("user", "manage the staff users who log in by name and password (argon2id)");
  user->require_subcommand(1);
  std::string user_name, user_role;
  auto* user_add = user->add_subcommand("add", "add a user, or set its role and password (read without echo, or from stdin)");
  add_common(user_add);
  user_add->add_option("name", user_name, "user name: a-z, 0-9, '.', '_', '-'")->required();
  user_add->add_option("--role", user_role, "admin | operator | compliance | auditor")->required();
  auto* user_remove = user->add_subcommand("remove", "remove a user");
  add_common(user_remove);
  user_remove->add_option("name", user_name, "user name")->required();
  auto* user_list = user->add_subcommand("list", "list the users and their roles");
  add_common(user_list);
  auto* audit = cli.add_subcommand("audit", "the audit log for auditors: export a time range, verify an export offline");
  audit->require_subcommand(1);
  std::string audit_from, audit_to, audit_out, audit_file, audit_anchor, audit_follows;
  auto* audit_export = audit->add_subcommand("export", "write the events committed in [--from, --to) with their chain and anchor");
  add_common(audit_export);
  audit_export->add_option("--from", audit_from, "start: a date (2026-12-01, 00:00 UTC) or an RFC 3339 time; default the beginning");
  audit_export->add_option("--to", audit_to, "end (excluded), as --from; default now");
  audit_export->add_option("--out", audit_out, "file to write; default stdout");
  auto* audit_verify = audit->add_subcommand("verify", "check an export: hashes, chain, trailer and anchor; exit 1 if not intact");
  audit_verify->add_option("file", audit_file, "the export")->required()->check(CLI::ExistingFile);
  audit_verify->add_option("--anchor", audit_anchor,
                           "the anchor kept outside the rail (audit.anchor from write-once storage) to check against, "
                           "instead of the lines the export carries");
  audit_verify->add_option("--follows", audit_follows, "the last hash of the export before this one: they must join");
  auto* tls = cli.add_subcommand("tls", "TLS helpers");
  tls->require_subcommand(1);
  std::string certs_out;
  std::vector<std::string> cert_names, cert_clients;
  int cert_days = 30;
  auto* dev_certs = tls->add_subcommand(
      "dev-certs", "make a development CA, a server certificate and client certificates (CN = participant id)");
  dev_certs->add_option("--out", certs_out, "folder to write them into")->required();
  dev_certs->add_option("--name", cert_names, "host name or IP of the server, repeatable; default localhost, 127.0.0.1, ::1");
  dev_certs->add_option("--client", cert_clients, "a participant id to make a client certificate for, repeatable");
  dev_certs->add_option("--days", cert_days, "validity in days; default 30")->check(CLI::Range(1, 3650));
  auto* routes = cli.add_subcommand("routes", "print the API's routes: method, path and the roles each admits");
  auto* version = cli.add_subcommand("version", "print the version");

  CLI11_PARSE(cli, argc, argv);
  if (serve->parsed()) return run_serve(flags);
  if (demo_cmd->parsed()) return run_demo(flags, demo, exit_after, keep_data);
  if (check->parsed()) return run_check(flags);
  if (user_add->parsed()) return run_user(flags, "add", user_name, user_role);
  if (user_remove->parsed()) return run_user(flags, "remove", user_name, {});
  if (user_list->parsed()) return run_user(flags, "list", {}, {});
  if (audit_export->parsed()) return run_audit_export(flags, audit_from, audit_to, audit_out);
  if (audit_verify->parsed()) return run_audit_verify(audit_file, audit_anchor, audit_follows);
  if (dev_certs->parsed()) return run_dev_certs(certs_out, cert_names, cert_clients, cert_days);
  if (routes->parsed()) {
    for (const auto& r : gateway::Api::routes()) std::printf("%s\n", r.c_str());
    return 0;
  }
  if (version->parsed()) {
    std::printf("deltran 0.1.0\n");
    return 0;
  }
  return 1;
}
