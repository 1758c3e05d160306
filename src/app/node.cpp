#include "node.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <charconv>
#include <fstream>
#include <sstream>
#include <set>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <deltran/core/ids.hpp>
#include <deltran/core/text.hpp>
#include <deltran/compliance/screener.hpp>
#include <deltran/iso20022/identifiers.hpp>
#include <deltran/iso20022/schema_set.hpp>
#include <deltran/money/currency.hpp>

namespace deltran::app {

namespace fs = std::filesystem;

namespace {

std::string trimmed(const std::string& s) {
  size_t a = s.find_first_not_of(" \t");
  size_t b = s.find_last_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

// Formats each record as one JSON object per line, with the message escaped.
class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(msg.time.time_since_epoch()).count();
    std::string line = "{\"ts\":\"" + format_rfc3339(us) + "\",\"level\":\"";
    line += spdlog::level::to_string_view(msg.level).data();
    line += "\",\"msg\":";
    append_json_string(line, std::string_view(msg.payload.data(), msg.payload.size()));
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

// The official XSDs shipped with the binary: beside it in a build tree (build/src/app/
// schemas/iso20022, copied there by the build) or under its install prefix
// (<prefix>/bin/deltran -> <prefix>/share/deltran/schemas/iso20022). Never relative to the
// working directory. Empty when neither exists.
std::string shipped_schema_dir() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (const fs::path& candidate : {exe.parent_path() / "schemas/iso20022",
                                    exe.parent_path() / "../share/deltran/schemas/iso20022"}) {
    if (fs::is_directory(candidate, ec)) return fs::weakly_canonical(candidate, ec).string();
  }
  return {};
}

// Schema validation fails closed: a configured or shipped folder that is missing, empty or
// does not compile stops the server; structural checks only when explicitly configured.
Result<std::shared_ptr<const iso20022::SchemaSet>> load_schemas(const Config& config) {
  if (!config.schema_validation) {
    spdlog::warn("ISO 20022: schema validation is off (iso20022.schema_validation = false); "
                 "messages are checked structurally only");
    return std::shared_ptr<const iso20022::SchemaSet>();
  }
  std::string dir = config.xsd_dir.empty() ? shipped_schema_dir() : config.xsd_dir;
  if (dir.empty()) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "ISO 20022: no schemas beside the binary (schemas/iso20022 or ../share/deltran/schemas/iso20022); "
                      "set iso20022.xsd_dir (DELTRAN_XSD_DIR, --xsd-dir) to the folder of the official XSDs, or "
                      "iso20022.schema_validation = false to check messages structurally only");
  }
  if (!fs::is_directory(dir)) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "ISO 20022: the schema folder " + dir + " does not exist or is not a folder (iso20022.xsd_dir)");
  }
  auto schemas = iso20022::SchemaSet::load(dir);
  if (!schemas) {
    return make_error(ErrorCode::kFailedPrecondition, "ISO 20022: the schemas in " + dir +
                                                          " cannot be loaded: " + schemas.error().message);
  }
  if ((*schemas)->message_ids().empty()) {
    return make_error(ErrorCode::kFailedPrecondition, "ISO 20022: the schema folder " + dir + " holds no .xsd file");
  }
  spdlog::info("ISO 20022: {} schemas from {}", (*schemas)->message_ids().size(), dir);
  return std::shared_ptr<const iso20022::SchemaSet>(*schemas);
}

}  // namespace

void setup_logging(const std::string& level) {
  auto logger = spdlog::stderr_logger_mt("deltran");
  logger->set_formatter(std::make_unique<JsonFormatter>());
  logger->set_level(spdlog::level::from_str(level));
  spdlog::set_default_logger(logger);
}

Node::Node(Config config) : config_(std::move(config)) {}

Node::~Node() { stop(); }

// A role's key: as configured, else read from <data>/<file>, else created there (0600).
Result<std::string> Node::load_or_create_key(const std::string& configured, const std::string& file,
                                             const std::string& prefix, const std::string& variable) {
  if (!configured.empty()) return configured;
  fs::path path = fs::path(config_.data) / file;
  if (fs::exists(path)) {
    std::ifstream in(path);
    std::string key;
    std::getline(in, key);
    if (key.empty()) return make_error(ErrorCode::kFailedPrecondition, path.string() + " is empty");
    return key;
  }
  std::string key = new_api_key(prefix);
  {
    // Created owner-only: the key is never readable by others, not even for a moment.
    const mode_t old_mask = ::umask(077);
    std::ofstream out(path, std::ios::trunc);
    out << key << "\n";
    ::umask(old_mask);
    if (!out) return make_error(ErrorCode::kUnavailable, "cannot write " + path.string());
  }
  ::chmod(path.c_str(), 0600);
  spdlog::info("generated a key in {} (set {} to choose one)", path.string(), variable);
  return key;
}

// Amount-based AML rules and the risk amount factor compare USD equivalents; a currency a
// participant holds without a reference rate would pass them unseen.
// fx.rates_file: each row becomes a provider's standing rate, posted through the core like
// PUT /fx/rates (same checks, same events). A file that cannot be read or a malformed row
// stops the start, naming the line; a row the core refuses (an unknown provider, a cycle)
// is logged and the others stand.
Status Node::post_rates_file() {
  if (config_.fx_rates_file.empty()) return {};
  std::ifstream in(config_.fx_rates_file);
  if (!in) return make_error(ErrorCode::kInvalidArgument, "fx.rates_file: cannot read " + config_.fx_rates_file);
  auto fail = [&](int line, const std::string& why) {
    return make_error(ErrorCode::kInvalidArgument, "fx.rates_file " + config_.fx_rates_file + " line " + std::to_string(line) + ": " + why);
  };
  std::vector<std::pair<int, fx::Rate>> rows;
  std::string text;
  int line = 0;
  bool header = false;
  while (std::getline(in, text)) {
    ++line;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (text.empty() || text[0] == '#') continue;
    std::vector<std::string> cells;
    std::stringstream ss(text);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(trimmed(cell));
    if (!header) {
      if (cells != std::vector<std::string>{"provider", "pair", "bid", "ask", "valid_seconds"}) {
        return fail(line, "the header must be provider,pair,bid,ask,valid_seconds");
      }
      header = true;
      continue;
    }
    if (cells.size() != 5) return fail(line, "has " + std::to_string(cells.size()) + " fields, not 5");
    fx::Rate r;
    r.provider = cells[0];
    for (char& ch : r.provider) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (r.provider.size() == 11 && r.provider.compare(8, 3, "XXX") == 0) r.provider.resize(8);
    if (!iso20022::is_bic(r.provider)) return fail(line, "'" + cells[0] + "' is not a BIC");
    auto pair = fx::parse_pair(cells[1]);
    if (!pair) return fail(line, "'" + cells[1] + "' is not a pair such as USD-INR");
    r.base = pair->first;
    r.quote = pair->second;
    auto bid = fx::parse_rate(cells[2]);
    auto ask = fx::parse_rate(cells[3]);
    if (!bid) return fail(line, bid.error().message);
    if (!ask) return fail(line, ask.error().message);
    if (*bid > *ask) return fail(line, "the bid is above the ask");
    int64_t seconds = 0;
    auto [end, ec] = std::from_chars(cells[4].data(), cells[4].data() + cells[4].size(), seconds);
    if (ec != std::errc{} || end != cells[4].data() + cells[4].size() || seconds < 1 || seconds > 7 * 86'400) {
      return fail(line, "valid_seconds must be 1 to 604800");
    }
    r.bid = *bid;
    r.ask = *ask;
    r.valid_until_us = clock_.now_us() + seconds * 1'000'000;
    rows.emplace_back(line, r);
  }
  if (!header) return fail(line, "is empty (a header provider,pair,bid,ask,valid_seconds is needed)");
  int posted = 0;
  for (const auto& [at, rate] : rows) {
    engine::Reply reply = engine_->execute(engine::PostRateCommand{rate}, "rates-file");
    if (is_success(reply.rc)) {
      ++posted;
    } else {
      spdlog::warn("fx.rates_file line {}: {} {} refused: {}", at, rate.provider,
                   std::string(money::code_of(rate.base)) + "-" + std::string(money::code_of(rate.quote)), reply.message);
    }
  }
  spdlog::info("fx.rates_file: {} of {} rates posted from {}", posted, rows.size(), config_.fx_rates_file);
  return {};
}

void Node::warn_missing_rates() {
  std::set<std::string> missing;
  const auto view = engine_->view();
  for (const auto& p : view->participants) {
    for (auto c : p->info.currencies) {
      const std::string code(money::code_of(c));
      if (!config_.controls.usd_rates.has(code)) missing.insert(code);
    }
  }
  for (const auto& c : missing) {
    spdlog::warn("no USD reference rate for {}: the CTR threshold and amount bands do not apply to it "
                 "(set fx.usd_per_unit.{} in the config)", c, c);
  }
}

void Node::render_core_metrics(std::string& out) const {
  const auto& em = engine_->metrics();
  auto counter = [&](const char* name, const char* help, const metrics::Counter& c) {
    metrics::render_header(out, name, "counter", help);
    metrics::render_sample(out, name, "", static_cast<double>(c.value()));
  };
  metrics::render_header(out, "transactions_processed_total", "counter", "Payments processed by final status of the step.");
  metrics::render_sample(out, "transactions_processed_total", "status=\"QUEUED\"", static_cast<double>(em.payments_queued.value()));
  metrics::render_sample(out, "transactions_processed_total", "status=\"REJECTED\"", static_cast<double>(em.payments_rejected.value()));
  metrics::render_sample(out, "transactions_processed_total", "status=\"HELD\"", static_cast<double>(em.payments_held.value()));
  metrics::render_sample(out, "transactions_processed_total", "status=\"SETTLED\"", static_cast<double>(em.payments_settled.value()));
  metrics::render_header(out, "compliance_reports_total", "counter", "CTR and SAR records filed by the AML rules.");
  metrics::render_sample(out, "compliance_reports_total", "kind=\"CTR\"", static_cast<double>(em.ctr_filed.value()));
  metrics::render_sample(out, "compliance_reports_total", "kind=\"SAR\"", static_cast<double>(em.sar_filed.value()));
  counter("risk_circuit_refusals_total", "Payments refused because a circuit breaker was open.", em.circuit_refusals);
  counter("risk_circuit_breakers_opened_total", "Circuit breakers that opened.", em.breakers_opened);
  metrics::render_header(out, "netting_efficiency_ratio", "gauge", "1 - net/gross of the last settled window per currency.");
  const auto view = engine_->view();
  for (const auto& [currency, ppm] : view->efficiency_ppm) {
    metrics::render_sample(out, "netting_efficiency_ratio", "currency=\"" + std::string(money::code_of(currency)) + "\"",
                           static_cast<double>(ppm) / 1e6);
  }
  counter("clearing_windows_settled_total", "Clearing windows netted and settled.", em.windows_settled);
  metrics::render_header(out, "core_batch_size", "histogram", "Commands per group commit.");
  em.batch_size.render(out, "core_batch_size");
  metrics::render_header(out, "core_commit_latency_seconds", "histogram", "Store transaction time per group commit.");
  em.commit_latency_us.render(out, "core_commit_latency_seconds");
  metrics::render_header(out, "core_snapshot_pause_seconds", "histogram", "Time the core spends serialising a snapshot.");
  em.snapshot_pause_us.render(out, "core_snapshot_pause_seconds");
  counter("core_commits_total", "Group commits written.", em.commits);
  counter("core_commit_failures_total", "Group commits the store refused.", em.commit_failures);
  counter("core_events_total", "Events written to the event log.", em.events);
  counter("core_snapshots_total", "Snapshots of the core's state saved.", em.snapshots);
  counter("core_snapshot_failures_total", "Snapshots that could not be saved.", em.snapshot_failures);
  counter("core_idempotency_store_lookups_total", "Retries answered from the store, their answer having left memory.",
          em.idempotency_store_lookups);
  metrics::render_header(out, "core_event_seq", "gauge", "Sequence number of the last event written.");
  metrics::render_sample(out, "core_event_seq", "", static_cast<double>(em.last_seq.value()));
  metrics::render_header(out, "core_queue_depth", "gauge", "Commands waiting for the core.");
  metrics::render_sample(out, "core_queue_depth", "", static_cast<double>(em.queue_depth.value()));
  metrics::render_header(out, "core_ready", "gauge", "1 when the core has its state and accepts commands.");
  metrics::render_sample(out, "core_ready", "", engine_->ready() ? 1.0 : 0.0);
}

Status Node::start() {
  std::error_code ec;
  fs::create_directories(config_.data, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "cannot create data folder " + config_.data + ": " + ec.message());
  auto key = load_or_create_key(config_.admin_key, "admin.key", "dta_", "DELTRAN_ADMIN_KEY");
  if (!key) return tl::unexpected(key.error());
  admin_key_ = *key;
  auto officer = load_or_create_key(config_.compliance_key, "compliance.key", "dtc_", "DELTRAN_COMPLIANCE_KEY");
  if (!officer) return tl::unexpected(officer.error());
  compliance_key_ = *officer;
  for (auto [configured, file, prefix, variable, out] :
       {std::tuple{&config_.operator_key, "operator.key", "dto_", "DELTRAN_OPERATOR_KEY", &operator_key_},
        std::tuple{&config_.auditor_key, "auditor.key", "dtu_", "DELTRAN_AUDITOR_KEY", &auditor_key_},
        std::tuple{&config_.settlement_bank_key, "settlement_bank.key", "dts_", "DELTRAN_SETTLEMENT_BANK_KEY",
                   &settlement_bank_key_}}) {
    // "disabled": the role has no key, and no one holds it.
    if (*configured == "disabled") {
      out->clear();
      continue;
    }
    auto k = load_or_create_key(*configured, file, prefix, variable);
    if (!k) return tl::unexpected(k.error());
    *out = *k;
  }
  // Each role its own key, long enough not to be guessed: a key shared by two roles would
  // give the first matching role to both.
  {
    const std::vector<std::pair<const char*, const std::string*>> staff = {
        {"admin_key", &admin_key_},       {"compliance_key", &compliance_key_},
        {"operator_key", &operator_key_}, {"auditor_key", &auditor_key_},
        {"settlement_bank_key", &settlement_bank_key_}};
    for (size_t i = 0; i < staff.size(); ++i) {
      if (staff[i].second->empty()) continue;
      if (staff[i].second->size() < 16) {
        return make_error(ErrorCode::kInvalidArgument, std::string(staff[i].first) + " must have at least 16 characters");
      }
      for (size_t j = 0; j < i; ++j) {
        if (*staff[i].second == *staff[j].second) {
          return make_error(ErrorCode::kInvalidArgument,
                            std::string(staff[i].first) + " is the same as " + staff[j].first + ": each role needs its own key");
        }
      }
    }
  }

  store::SqliteSettings ss;
  ss.path = (fs::path(config_.data) / "deltran.db").string();
  ss.synchronous_full = config_.synchronous == "full";
  auto st = store::open_sqlite_store(ss);
  if (!st) return tl::unexpected(st.error());
  store_ = std::move(*st);
  auto anchor = store::open_file_anchor((fs::path(config_.data) / "audit.anchor").string());
  if (!anchor) return tl::unexpected(anchor.error());
  anchor_ = std::move(*anchor);

  engine::Settings es;
  es.queue_max = static_cast<size_t>(config_.queue_max);
  es.batch_max = static_cast<size_t>(config_.batch_max);
  es.snapshot_every_events = config_.snapshot_every_events;
  es.idempotency_retention_us = config_.idempotency_retention_days * 86'400'000'000;
  es.controls = config_.controls;
  es.fx_max_rate_age_us = config_.fx_max_rate_age_seconds * 1'000'000;
  es.fx_max_hops = static_cast<int>(config_.fx_max_hops);
  engine_ = std::make_unique<engine::Engine>(es, *store_, clock_, anchor_.get());
  if (auto started = engine_->start(); !started) return started;
  const auto restored = engine_->last_restore();
  spdlog::info("core: state from the snapshot of event {} and {} events after it, in {} ms", restored.snapshot_seq,
               restored.events_replayed, restored.load_ms);
  warn_missing_rates();
  if (auto seeded = post_rates_file(); !seeded) return seeded;

  gateway::ApiSettings as;
  if (auto schemas = load_schemas(config_); !schemas) {
    return tl::unexpected(schemas.error());
  } else {
    as.schemas = *schemas;
  }
  as.rail_bic = config_.rail_bic;
  as.fx_max_rate_age_us = config_.fx_max_rate_age_seconds * 1'000'000;
  as.fx_max_hops = static_cast<int>(config_.fx_max_hops);
  as.fx_quote_ttl_us = config_.fx_quote_ttl_seconds * 1'000'000;
  as.instant_probability_permille = config_.controls.risk.counterflow_probability_permille;
  as.instant_confidence_permille = config_.controls.risk.counterflow_confidence_permille;
  as.rail_name = config_.rail_name;
  as.admin_key = admin_key_;
  as.compliance_key = compliance_key_;
  as.operator_key = operator_key_;
  as.auditor_key = auditor_key_;
  as.settlement_bank_key = settlement_bank_key_;
  {
    const std::string users_path =
        config_.users_file.empty() ? (fs::path(config_.data) / "users").string() : config_.users_file;
    auto users = gateway::read_users_file(users_path);
    if (!users) return tl::unexpected(users.error());
    as.users = std::move(*users);
    auto keys = gateway::Keyring::open((fs::path(config_.data) / "signing.keys").string(),
                                       clock_.now_us() / 1'000'000);
    if (!keys) return tl::unexpected(keys.error());
    as.signing_keys = std::shared_ptr<gateway::Keyring>(std::move(*keys));
    as.sessions.access_ttl_s = config_.access_token_seconds;
    as.sessions.session_ttl_s = config_.session_seconds;
    as.sessions.skew_s = config_.clock_skew_seconds;
    as.login_rate_tier = config_.login_rate_tier;
    spdlog::info("auth: {} staff users from {}; access tokens signed with {}", as.users.size(), users_path,
                 as.signing_keys->kids().front());
  }
  as.rate_tiers = config_.rate_tiers;
  as.default_rate_tier = config_.default_rate_tier;
  // Screening always runs: country rules need no list. Names are screened against the
  // configured lists, and a rail without a sanctions list starts only when told to.
  compliance::ScreenerSettings screener_settings;
  screener_settings.max_bad_row_share = config_.max_bad_row_share;
  as.screener = std::make_shared<compliance::Screener>(screener_settings);
  as.list_specs = config_.list_specs();
  if (config_.sanctions_lists.empty() && !config_.allow_no_lists) {
    return make_error(ErrorCode::kFailedPrecondition,
                      "no sanctions list is configured (--sanctions-list, compliance.sanctions_lists); payments would "
                      "go unscreened. Start with compliance.allow_no_lists = true (--allow-no-lists, "
                      "DELTRAN_ALLOW_NO_LISTS=true) to run on country rules alone.");
  }
  if (!as.list_specs.empty()) {
    auto loaded = as.screener->reload(as.list_specs);
    if (!loaded) return make_error(ErrorCode::kFailedPrecondition, "screening lists: " + loaded.error().message);
    for (const std::string& line : compliance::report_lines(*loaded)) spdlog::info("screening: {}", line);
    spdlog::info("screening: {} lists, {} entries, {} names indexed in {} ms", loaded->lists.size(), loaded->entries,
                 loaded->names, loaded->load_ms);
  }
  if (config_.sanctions_lists.empty()) {
    spdlog::warn("screening: no sanctions list configured (compliance.allow_no_lists = true): names are not screened "
                 "against sanctions; sanctioned-country rules still apply");
  }
  as.body_limit_bytes = static_cast<size_t>(config_.body_limit_bytes);
  as.more_metrics = [this, screener = as.screener](std::string& out) {
    render_core_metrics(out);
    screener->render_metrics(out);
    if (server_) server_->render_metrics(out);
  };
  as.anchor = anchor_.get();
  api_ = std::make_unique<gateway::Api>(as, *engine_, *store_, clock_);

  auto listen = split_listen(config_.listen);
  if (!listen) return tl::unexpected(listen.error());
  gateway::ServerSettings hs;
  hs.address = listen->first;
  hs.port = listen->second;
  hs.threads = config_.http_threads;
  hs.body_limit_bytes = std::max(as.iso_body_limit_bytes, static_cast<size_t>(config_.body_limit_bytes));
  hs.max_connections = static_cast<int>(config_.max_connections);
  hs.max_connections_per_address = static_cast<int>(config_.max_connections_per_address);
  hs.max_header_count = static_cast<size_t>(config_.max_header_count);
  hs.read_timeout_s = static_cast<int>(config_.read_timeout_s);
  hs.tls.cert_file = config_.tls_cert_file;
  hs.tls.key_file = config_.tls_key_file;
  hs.tls.client_ca_file = config_.tls_client_ca_file;
  hs.tls.require_client_cert = config_.tls_require_client_cert;
  hs.tls.allow_tls12 = config_.tls_allow_tls12;
  server_ = std::make_unique<gateway::HttpServer>(hs, *api_);
  // Set before the first request can arrive (the core may answer on its own before).
  engine_->set_dispatcher([server = server_.get()](std::vector<std::function<void()>>&& calls) {
    server->post([calls = std::move(calls)]() mutable {
      for (auto& call : calls) call();
    });
  });
  auto port = server_->start();
  if (!port) return tl::unexpected(port.error());
  host_ = listen->first;
  port_ = *port;

  if (config_.window_seconds > 0) scheduler_ = std::thread([this] { run_scheduler(); });
  spdlog::info("deltran listening on {}://{}:{} (data {}{})", tls() ? "https" : "http", host_, port_, config_.data,
               config_.tls_client_ca_file.empty() ? "" : "; client certificates verified against " + config_.tls_client_ca_file);
  return {};
}

void Node::stop() {
  {
    std::lock_guard lock(scheduler_mutex_);
    stopping_ = true;
  }
  scheduler_cv_.notify_all();
  if (scheduler_.joinable()) scheduler_.join();
  if (server_) server_->stop();   // no new requests
  if (engine_) engine_->stop();   // finish what was accepted, leave a snapshot
  server_.reset();
  api_.reset();
  engine_.reset();
  anchor_.reset();
  store_.reset();
}

// Closes every non-empty open window at each multiple of window_seconds since the epoch
// (with the default 21,600 s: 00:00, 06:00, 12:00 and 18:00 UTC). The close goes through
// the engine's queue like any command, so it includes exactly what was accepted before it.
void Node::run_scheduler() {
  const int64_t period_us = config_.window_seconds * 1'000'000;
  for (;;) {
    int64_t now = clock_.now_us();
    int64_t next = (now / period_us + 1) * period_us;
    {
      std::unique_lock lock(scheduler_mutex_);
      if (scheduler_cv_.wait_for(lock, std::chrono::microseconds(next - now), [&] { return stopping_; })) return;
    }
    const auto view = engine_->view();  // held: a close replaces the published view
    for (const auto& [id, w] : view->open_windows) {
      if (w->payment_count == 0) continue;
      engine::Reply r = engine_->execute(engine::CloseWindowCommand{id, {}, true}, "scheduler");
      if (is_success(r.rc)) {
        spdlog::info("scheduled close settled window {} ({}, {} payments)", id, money::code_of(w->currency), w->payment_count);
      } else {
        spdlog::warn("scheduled close of window {} failed: {}", id, r.message);
      }
    }
  }
}

}  // namespace deltran::app
