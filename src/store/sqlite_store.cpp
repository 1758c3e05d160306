// SQLite adapter of the commit log and the read model: one writer connection (the core's
// thread), a pool of reader connections, WAL mode so readers run beside the writer, one
// transaction per group commit (synchronous=FULL: one WAL fsync per batch, which is what
// group commit amortises). Snapshots of the core's state are files beside the database:
// writing one never takes SQLite's write lock away from the core's commits.
#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <deltran/core/assert.hpp>
#include <deltran/core/crypto.hpp>
#include <deltran/store/sqlite.hpp>

namespace deltran::store {
namespace {

namespace fs = std::filesystem;
using model::PaymentStatus;

constexpr int kSchemaVersion = 3;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS participants(
  bic TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL, currencies TEXT NOT NULL,
  created_us INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts(
  owner TEXT NOT NULL, currency TEXT NOT NULL, balance_minor INTEGER NOT NULL,
  floor_minor INTEGER NOT NULL, PRIMARY KEY(owner, currency)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal(
  seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, currency TEXT NOT NULL,
  from_owner TEXT NOT NULL, to_owner TEXT NOT NULL, amount_minor INTEGER NOT NULL,
  reference TEXT NOT NULL, window_id INTEGER NOT NULL, created_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS journal_from ON journal(from_owner, created_us);
CREATE INDEX IF NOT EXISTS journal_to ON journal(to_owner, created_us);
CREATE TABLE IF NOT EXISTS payments(
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, uetr TEXT NOT NULL,
  end_to_end_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
  debtor_agent TEXT NOT NULL, creditor_agent TEXT NOT NULL, currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL, debtor_name TEXT NOT NULL, debtor_account TEXT NOT NULL,
  debtor_country TEXT NOT NULL, creditor_name TEXT NOT NULL, creditor_account TEXT NOT NULL,
  creditor_country TEXT NOT NULL, remittance_info TEXT NOT NULL, channel TEXT NOT NULL,
  status TEXT NOT NULL, rc INTEGER NOT NULL, reason_text TEXT NOT NULL, window_id INTEGER NOT NULL,
  case_id INTEGER NOT NULL, created_us INTEGER NOT NULL, updated_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS payments_window ON payments(window_id, seq);
CREATE INDEX IF NOT EXISTS payments_debtor ON payments(debtor_agent, seq);
CREATE INDEX IF NOT EXISTS payments_creditor ON payments(creditor_agent, seq);
CREATE TABLE IF NOT EXISTS payment_legs(
  payment_seq INTEGER NOT NULL, leg INTEGER NOT NULL, quote_id TEXT NOT NULL,
  debtor_agent TEXT NOT NULL, creditor_agent TEXT NOT NULL, currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL, window_id INTEGER NOT NULL,
  PRIMARY KEY(payment_seq, leg)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS windows(
  id INTEGER PRIMARY KEY, currency TEXT NOT NULL, status TEXT NOT NULL,
  opened_us INTEGER NOT NULL, closed_us INTEGER NOT NULL, payment_count INTEGER NOT NULL,
  gross_minor INTEGER NOT NULL, net_minor INTEGER NOT NULL, bilateral_minor INTEGER NOT NULL,
  efficiency_ppm INTEGER NOT NULL, bilateral_efficiency_ppm INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS window_positions(
  window_id INTEGER NOT NULL, bank TEXT NOT NULL, net_minor INTEGER NOT NULL,
  PRIMARY KEY(window_id, bank)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS compliance_cases(
  id INTEGER PRIMARY KEY, payment_id TEXT NOT NULL, debtor_agent TEXT NOT NULL,
  creditor_agent TEXT NOT NULL, status TEXT NOT NULL, score INTEGER NOT NULL, reasons TEXT NOT NULL,
  decided_by TEXT NOT NULL, note TEXT NOT NULL, created_us INTEGER NOT NULL, decided_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS compliance_cases_status ON compliance_cases(status, id);
CREATE TABLE IF NOT EXISTS participant_limits(
  participant TEXT NOT NULL, currency TEXT NOT NULL, single_payment_max_minor INTEGER,
  daily_volume_max_minor INTEGER, net_debit_cap_minor INTEGER NOT NULL,
  PRIMARY KEY(participant, currency)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS aml_reports(
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payment_id TEXT NOT NULL, debtor_agent TEXT NOT NULL,
  creditor_agent TEXT NOT NULL, debtor TEXT NOT NULL, creditor TEXT NOT NULL, currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL, amount_usd_minor INTEGER NOT NULL, score INTEGER NOT NULL,
  rules TEXT NOT NULL, narrative TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS aml_reports_kind ON aml_reports(kind, id);
CREATE TABLE IF NOT EXISTS events(
  seq INTEGER PRIMARY KEY, batch INTEGER NOT NULL, type INTEGER NOT NULL, created_us INTEGER NOT NULL,
  actor TEXT NOT NULL, entity TEXT NOT NULL, party_a TEXT NOT NULL, party_b TEXT NOT NULL,
  scope INTEGER NOT NULL, payload TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS events_party_a ON events(party_a, seq) WHERE party_a <> '';
CREATE INDEX IF NOT EXISTS events_party_b ON events(party_b, seq) WHERE party_b <> '';
CREATE INDEX IF NOT EXISTS events_public ON events(seq) WHERE scope = 0;
CREATE TABLE IF NOT EXISTS event_batches(
  batch INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL, last_seq INTEGER NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, created_us INTEGER NOT NULL);
)sql";

Error sqlite_error(sqlite3* db, std::string_view what) {
  int code = db != nullptr ? sqlite3_errcode(db) : SQLITE_ERROR;
  std::string msg = std::string(what) + ": " + (db != nullptr ? sqlite3_errmsg(db) : "no database");
  // Disk full, I/O errors, locks and a read-only file are conditions of the environment
  // that can pass; anything else is a bug of ours.
  bool transient = code == SQLITE_IOERR || code == SQLITE_FULL || code == SQLITE_BUSY ||
                   code == SQLITE_LOCKED || code == SQLITE_READONLY || code == SQLITE_CANTOPEN ||
                   code == SQLITE_PROTOCOL;
  return Error{transient ? ErrorCode::kUnavailable : ErrorCode::kInternal, std::move(msg)};
}

// A prepared statement bound and stepped by position; reset on destruction.
class Stmt {
 public:
  explicit Stmt(sqlite3_stmt* s) : s_(s) {}
  Stmt(Stmt&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  ~Stmt() {
    if (s_ == nullptr) return;
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Stmt& bind_optional(int i, const std::optional<int64_t>& v) {
    if (v) return bind(i, *v);
    sqlite3_bind_null(s_, i);
    return *this;
  }
  int step() { return sqlite3_step(s_); }
  int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  std::optional<int64_t> optional_i64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<int64_t>(i64(col));
  }
  std::string text(int col) const {
    const unsigned char* t = sqlite3_column_text(s_, col);
    return t == nullptr ? std::string() : std::string(reinterpret_cast<const char*>(t),
                                                       static_cast<size_t>(sqlite3_column_bytes(s_, col)));
  }

 private:
  sqlite3_stmt* s_;
};

class Connection {
 public:
  Connection() = default;
  ~Connection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    if (db_ != nullptr) sqlite3_close_v2(db_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  Status open(const SqliteSettings& s, bool writer) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (writer ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(s.path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      return tl::unexpected(sqlite_error(db_, "cannot open " + s.path));
    }
    sqlite3_busy_timeout(db_, s.busy_timeout_ms);
    std::string pragmas = "PRAGMA foreign_keys=OFF; PRAGMA temp_store=MEMORY;";
    if (writer) {
      pragmas += "PRAGMA journal_mode=WAL;";
      pragmas += s.synchronous_full ? "PRAGMA synchronous=FULL;" : "PRAGMA synchronous=NORMAL;";
      pragmas += "PRAGMA cache_size=-65536;";
      // Fewer, larger checkpoints: each one runs inside a commit on the core's thread.
      pragmas += "PRAGMA wal_autocheckpoint=8192;";
    }
    return exec(pragmas);
  }

  Status exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      Error e = sqlite_error(db_, "sql failed");
      if (err != nullptr) {
        e.message += std::string(" (") + err + ")";
        sqlite3_free(err);
      }
      return tl::unexpected(std::move(e));
    }
    return {};
  }

  Result<Stmt> prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* stmt = nullptr;
      if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                             nullptr) != SQLITE_OK) {
        return tl::unexpected(sqlite_error(db_, "prepare " + std::string(sql)));
      }
      it = cache_.emplace(std::string(sql), stmt).first;
    }
    return Stmt(it->second);
  }

  // Runs a statement that returns no rows; SQLITE_DONE is success.
  Status done(Stmt& st, const char* what) {
    int rc = st.step();
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(db_, what));
    return {};
  }

  // Steps a query to its end, calling `row` for each row.
  template <typename Fn>
  Status rows(Stmt& st, const char* what, Fn&& row) {
    int rc;
    while ((rc = st.step()) == SQLITE_ROW) row(st);
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(db_, what));
    return {};
  }

  sqlite3* db() { return db_; }

 private:
  sqlite3* db_ = nullptr;
  // Keyed by the SQL text itself: a statement built at run time in a temporary string must
  // never be confused with another that later lives at the same address.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

#define DELTRAN_TRY(expr)                                           \
  do {                                                              \
    auto deltran_try_ = (expr);                                     \
    if (!deltran_try_) return tl::unexpected(deltran_try_.error()); \
  } while (false)

#define DELTRAN_PREPARE(var, conn, sql)                      \
  auto var##_result = (conn).prepare(sql);                   \
  if (!var##_result) return tl::unexpected(var##_result.error()); \
  Stmt& var = *var##_result

// --- mapping rows to the domain ----------------------------------------------------

std::string code_text(money::CurrencyId c) {
  const money::Currency* cur = money::find_currency(c);
  return cur != nullptr ? std::string(cur->code) : std::string();
}

std::string join_currencies(const std::vector<money::CurrencyId>& v) {
  std::string out;
  for (auto c : v) {
    if (!out.empty()) out += ',';
    out += code_text(c);
  }
  return out;
}

Rc rc_of(int64_t n) { return rc_from_number(static_cast<uint32_t>(n)).value_or(Rc::kInternal); }

// The payment columns, with the payment's window's status joined in (a stored QUEUED
// payment whose window settled reads as SETTLED).
constexpr const char* kPaymentColumns =
    "p.seq, p.id, p.uetr, p.end_to_end_id, p.idempotency_key, p.request_hash, p.debtor_agent, p.creditor_agent, "
    "p.currency, p.amount_minor, p.debtor_name, p.debtor_account, p.debtor_country, p.creditor_name, "
    "p.creditor_account, p.creditor_country, p.remittance_info, p.channel, p.status, p.rc, p.reason_text, "
    "p.window_id, p.case_id, p.created_us, p.updated_us, COALESCE(w.status, '')";
constexpr const char* kPaymentFrom = " FROM payments p LEFT JOIN windows w ON w.id = p.window_id";

model::Payment read_payment(const Stmt& st) {
  model::Payment p;
  p.seq = st.i64(0);
  p.id = st.text(1);
  p.uetr = st.text(2);
  p.end_to_end_id = st.text(3);
  p.idempotency_key = st.text(4);
  p.request_hash = st.text(5);
  p.debtor_agent = st.text(6);
  p.creditor_agent = st.text(7);
  p.amount.currency = money::currency_id(st.text(8));
  p.amount.minor = st.i64(9);
  p.debtor = {st.text(10), st.text(11), st.text(12)};
  p.creditor = {st.text(13), st.text(14), st.text(15)};
  p.remittance_info = st.text(16);
  p.channel = st.text(17);
  PaymentStatus stored = model::parse_payment_status(st.text(18)).value_or(PaymentStatus::kQueued);
  p.status = model::effective_status(stored, st.text(25) == "SETTLED");
  p.rc = rc_of(st.i64(19));
  p.reason_text = st.text(20);
  p.window_id = st.i64(21);
  p.case_id = st.i64(22);
  p.created_us = st.i64(23);
  p.updated_us = st.i64(24);
  return p;
}

constexpr const char* kWindowColumns =
    "id, currency, status, opened_us, closed_us, payment_count, gross_minor, net_minor, "
    "bilateral_minor, efficiency_ppm, bilateral_efficiency_ppm";

model::Window read_window(const Stmt& st) {
  model::Window w;
  w.id = st.i64(0);
  w.currency = money::currency_id(st.text(1));
  w.status = st.text(2) == "SETTLED" ? model::WindowStatus::kSettled : model::WindowStatus::kOpen;
  w.opened_us = st.i64(3);
  w.closed_us = st.i64(4);
  w.payment_count = st.i64(5);
  w.gross_minor = st.i64(6);
  w.net_minor = st.i64(7);
  w.bilateral_minor = st.i64(8);
  w.efficiency_ppm = st.i64(9);
  w.bilateral_efficiency_ppm = st.i64(10);
  return w;
}

constexpr const char* kCaseColumns =
    "id, payment_id, debtor_agent, creditor_agent, status, score, reasons, decided_by, note, created_us, decided_us";

model::Case read_case(const Stmt& st) {
  model::Case c;
  c.id = st.i64(0);
  c.payment_id = st.text(1);
  c.debtor_agent = st.text(2);
  c.creditor_agent = st.text(3);
  c.status = model::parse_case_status(st.text(4)).value_or(model::CaseStatus::kOpen);
  c.score = st.i64(5);
  c.reasons = st.text(6);
  c.decided_by = st.text(7);
  c.note = st.text(8);
  c.created_us = st.i64(9);
  c.decided_us = st.i64(10);
  return c;
}

constexpr const char* kAmlReportColumns =
    "id, kind, payment_id, debtor_agent, creditor_agent, debtor, creditor, currency, amount_minor, "
    "amount_usd_minor, score, rules, narrative, created_us";

model::AmlReport read_aml_report(const Stmt& st) {
  model::AmlReport r;
  r.id = st.i64(0);
  r.kind = st.text(1);
  r.payment_id = st.text(2);
  r.debtor_agent = st.text(3);
  r.creditor_agent = st.text(4);
  r.debtor = st.text(5);
  r.creditor = st.text(6);
  r.amount.currency = money::currency_id(st.text(7));
  r.amount.minor = st.i64(8);
  r.amount_usd_minor = st.i64(9);
  r.score = st.i64(10);
  r.rules = st.text(11);
  r.narrative = st.text(12);
  r.created_us = st.i64(13);
  return r;
}

constexpr const char* kEventColumns = "seq, batch, type, created_us, actor, entity, party_a, party_b, scope, payload";

model::Event read_event(const Stmt& st) {
  model::Event e;
  e.seq = st.i64(0);
  e.batch = st.i64(1);
  // An unknown number (a newer build's event) keeps its number's slot out of the way.
  e.type = model::event_type_from_number(static_cast<uint32_t>(st.i64(2))).value_or(model::EventType::kComplianceAlert);
  e.time_us = st.i64(3);
  e.actor = st.text(4);
  e.entity = st.text(5);
  e.party_a = st.text(6);
  e.party_b = st.text(7);
  e.scope = static_cast<model::EventScope>(std::clamp<int64_t>(st.i64(8), 0, 2));
  e.payload = st.text(9);
  return e;
}

model::JournalEntry read_journal(const Stmt& st) {
  return model::JournalEntry{st.text(0), money::currency_id(st.text(1)), st.text(2), st.text(3), st.i64(4),
                             st.text(5), st.i64(6), st.i64(7)};
}
constexpr const char* kJournalColumns =
    "kind, currency, from_owner, to_owner, amount_minor, reference, window_id, created_us";

IdempotencyRecord read_idempotency(const Stmt& st) {
  IdempotencyRecord r;
  r.debtor_agent = st.text(0);
  r.key = st.text(1);
  r.request_hash = st.text(2);
  r.payment_id = st.text(3);
  r.uetr = st.text(4);
  // The payment as it stands now (a retry after settlement learns it settled).
  r.status = model::parse_payment_status(st.text(5)).value_or(PaymentStatus::kQueued);
  r.rc = rc_of(st.i64(6));
  r.reason_text = st.text(7);
  r.window_id = st.i64(8);
  r.case_id = st.i64(9);
  r.created_us = st.i64(10);
  return r;
}

model::ChainLink read_link(const Stmt& st) {
  return model::ChainLink{st.i64(0), st.i64(1), st.i64(2), st.text(3), st.text(4), st.i64(5)};
}
constexpr const char* kLinkColumns = "batch, first_seq, last_seq, prev_hash, hash, created_us";

// --- snapshots: files beside the database ---------------------------------------------

constexpr std::string_view kSnapshotMagic = "DELTRAN-SNAPSHOT-1\n";

Status fsync_path(const fs::path& p, bool directory) {
  int fd = ::open(p.c_str(), directory ? O_RDONLY | O_DIRECTORY : O_RDONLY);
  if (fd < 0) return make_error(ErrorCode::kUnavailable, "cannot open " + p.string() + ": " + std::strerror(errno));
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return make_error(ErrorCode::kUnavailable, "fsync " + p.string() + ": " + std::strerror(errno));
  return {};
}

std::string snapshot_name(int64_t seq) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%020lld.snap", static_cast<long long>(seq));
  return buf;
}

// The file: magic, the sequence, the bytes' length, the bytes, their SHA-256.
Status write_snapshot_file(const fs::path& dir, const Snapshot& s) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "cannot create " + dir.string() + ": " + ec.message());
  fs::path final_path = dir / snapshot_name(s.seq);
  fs::path tmp = dir / (snapshot_name(s.seq) + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return make_error(ErrorCode::kUnavailable, "cannot write " + tmp.string() + ": " + std::strerror(errno));
  std::string head(kSnapshotMagic);
  head += std::to_string(s.seq) + "\n" + std::to_string(s.bytes.size()) + "\n";
  std::string tail = sha256_hex(s.bytes) + "\n";
  bool ok = true;
  for (std::string_view part : {std::string_view(head), std::string_view(s.bytes), std::string_view(tail)}) {
    size_t off = 0;
    while (ok && off < part.size()) {
      ssize_t n = ::write(fd, part.data() + off, part.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ok = false; else off += static_cast<size_t>(n);
    }
  }
  ok = ok && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    fs::remove(tmp, ec);
    return make_error(ErrorCode::kUnavailable, "cannot write " + tmp.string() + ": " + std::strerror(errno));
  }
  fs::rename(tmp, final_path, ec);
  if (ec) return make_error(ErrorCode::kUnavailable, "cannot rename " + tmp.string() + ": " + ec.message());
  return fsync_path(dir, true);
}

// Reads and verifies one snapshot file; nullopt if it is damaged.
std::optional<Snapshot> read_snapshot_file(const fs::path& p) {
  FILE* f = std::fopen(p.c_str(), "rb");
  if (f == nullptr) return std::nullopt;
  std::string data;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  std::fclose(f);
  if (data.compare(0, kSnapshotMagic.size(), kSnapshotMagic) != 0) return std::nullopt;
  size_t pos = kSnapshotMagic.size();
  auto line = [&](int64_t& out) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string::npos || nl == pos || nl - pos > 19) return false;
    out = 0;
    for (size_t i = pos; i < nl; ++i) {
      if (data[i] < '0' || data[i] > '9') return false;
      out = out * 10 + (data[i] - '0');
    }
    pos = nl + 1;
    return true;
  };
  int64_t seq = 0, size = 0;
  if (!line(seq) || !line(size)) return std::nullopt;
  if (static_cast<size_t>(size) > data.size() - pos || data.size() - pos - static_cast<size_t>(size) != 65) {
    return std::nullopt;
  }
  Snapshot s;
  s.seq = seq;
  s.bytes = data.substr(pos, static_cast<size_t>(size));
  if (sha256_hex(s.bytes) != std::string_view(data).substr(pos + static_cast<size_t>(size), 64)) return std::nullopt;
  return s;
}

// --- the adapter -----------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SqliteSettings s) : settings_(std::move(s)) {
    snapshot_dir_ = fs::path(settings_.path).parent_path() / "snapshots";
  }

  Status init() {
    if (auto st = writer_.open(settings_, true); !st) return st;
    if (auto st = writer_.exec("BEGIN IMMEDIATE"); !st) return st;
    Status st = create_schema();
    if (st) st = writer_.exec("COMMIT");
    if (!st) {
      (void)writer_.exec("ROLLBACK");
      return st;
    }
    // The core reads (events, chain links, a key's payment, a window's payments) while its
    // previous batch is being committed on the writer: on a connection of their own, which
    // sees committed data only.
    if (auto cst = core_reader_.open(settings_, false); !cst) return cst;
    for (int i = 0; i < settings_.reader_connections; ++i) {
      auto c = std::make_unique<Connection>();
      if (auto rst = c->open(settings_, false); !rst) return rst;
      readers_.push_back(std::move(c));
    }
    return {};
  }

  // --- commit log ---

  Status commit(const Batch& b) override {
    if (auto st = writer_.exec("BEGIN IMMEDIATE"); !st) return st;
    Status st = write_batch(b);
    if (st) st = writer_.exec("COMMIT");
    if (!st) {
      (void)writer_.exec("ROLLBACK");
      return st;
    }
    return {};
  }

  Result<std::vector<model::Event>> read_events(int64_t after_seq, int limit) override {
    return query_events(core_reader_, after_seq, limit);
  }

  Result<std::optional<model::ChainLink>> chain_link(int64_t batch) override {
    Connection& c = core_reader_;
    std::string sql = std::string("SELECT ") + kLinkColumns + " FROM event_batches " +
                      (batch == 0 ? "ORDER BY batch DESC LIMIT 1" : "WHERE batch = ?1");
    DELTRAN_PREPARE(st, c, sql);
    if (batch != 0) st.bind(1, batch);
    int rc = st.step();
    if (rc == SQLITE_ROW) return std::optional<model::ChainLink>(read_link(st));
    if (rc == SQLITE_DONE) return std::optional<model::ChainLink>();
    return tl::unexpected(sqlite_error(c.db(), "read chain link"));
  }

  Result<std::optional<IdempotencyRecord>> payment_answer(int64_t seq) override {
    Connection& c = core_reader_;
    DELTRAN_PREPARE(st, c,
                    "SELECT debtor_agent, idempotency_key, request_hash, id, uetr, status, rc, reason_text, window_id, "
                    "case_id, created_us FROM payments WHERE seq = ?1");
    st.bind(1, seq);
    int rc = st.step();
    if (rc == SQLITE_ROW) return std::optional<IdempotencyRecord>(read_idempotency(st));
    if (rc == SQLITE_DONE) return std::optional<IdempotencyRecord>();
    return tl::unexpected(sqlite_error(c.db(), "read payment answer"));
  }

  Result<std::vector<WindowPayment>> window_payments(int64_t window_id, int64_t after_seq, int limit) override {
    Connection& c = core_reader_;
    DELTRAN_PREPARE(st, c,
                    "SELECT seq, id, debtor_agent, creditor_agent, currency, amount_minor FROM payments "
                    "WHERE window_id = ?1 AND seq > ?2 AND status = 'QUEUED' ORDER BY seq LIMIT ?3");
    st.bind(1, window_id).bind(2, after_seq).bind(3, int64_t{limit});
    std::vector<WindowPayment> out;
    DELTRAN_TRY(c.rows(st, "read window payments", [&](const Stmt& s) {
      out.push_back(WindowPayment{s.i64(0), s.text(1), s.text(2), s.text(3),
                                  money::Amount{s.i64(5), money::currency_id(s.text(4))}});
    }));
    return out;
  }

  Result<std::optional<Snapshot>> latest_snapshot() override {
    std::error_code ec;
    if (!fs::is_directory(snapshot_dir_, ec)) return std::optional<Snapshot>();
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(snapshot_dir_, ec)) {
      if (entry.path().extension() == ".snap") files.push_back(entry.path());
    }
    std::sort(files.rbegin(), files.rend());  // zero-padded names: newest first
    for (const auto& f : files) {
      if (auto s = read_snapshot_file(f)) return std::optional<Snapshot>(std::move(*s));
      // A damaged newest file (a crash while it was renamed, a bad disk): an older one and
      // a longer tail of events give the same state.
    }
    return std::optional<Snapshot>();
  }

  Status save_snapshot(const Snapshot& s) override {
    std::lock_guard lock(snapshot_mutex_);
    DELTRAN_TRY(write_snapshot_file(snapshot_dir_, s));
    std::error_code ec;
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(snapshot_dir_, ec)) {
      if (entry.path().extension() == ".snap") files.push_back(entry.path());
    }
    std::sort(files.rbegin(), files.rend());
    for (size_t i = static_cast<size_t>(std::max(1, settings_.snapshots_kept)); i < files.size(); ++i) {
      fs::remove(files[i], ec);
    }
    return {};
  }

  // --- read model ---

  Result<std::optional<model::Payment>> get_payment(const std::string& id) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kPaymentColumns + kPaymentFrom + " WHERE p.id = ?1";
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, id);
    int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<model::Payment>();
    if (rc != SQLITE_ROW) return tl::unexpected(sqlite_error(conn->db(), "get payment"));
    model::Payment p = read_payment(st);
    // A cross-currency payment's quote and legs.
    DELTRAN_PREPARE(legs, *conn,
                    "SELECT quote_id, debtor_agent, creditor_agent, currency, amount_minor, window_id FROM payment_legs "
                    "WHERE payment_seq = ?1 ORDER BY leg");
    legs.bind(1, p.seq);
    DELTRAN_TRY(conn->rows(legs, "get payment legs", [&](const Stmt& l) {
      p.quote_id = l.text(0);
      p.legs.push_back(model::PaymentLeg{l.text(1), l.text(2), money::Amount{l.i64(4), money::currency_id(l.text(3))}, l.i64(5)});
    }));
    return std::optional<model::Payment>(std::move(p));
  }

  Result<std::vector<model::Payment>> list_payments(const PaymentFilter& f) override;

  Result<std::optional<model::Window>> get_window(int64_t id) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kWindowColumns + " FROM windows WHERE id = ?1";
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, id);
    int rc = st.step();
    if (rc == SQLITE_DONE) return std::optional<model::Window>();
    if (rc != SQLITE_ROW) return tl::unexpected(sqlite_error(conn->db(), "get window"));
    model::Window w = read_window(st);
    DELTRAN_TRY(read_positions(*conn, w));
    return std::optional<model::Window>(std::move(w));
  }

  Result<std::vector<model::Window>> list_windows(money::CurrencyId currency, int64_t before_id, int limit) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kWindowColumns +
                                   " FROM windows WHERE (?1 = '' OR currency = ?1) AND id < ?2 ORDER BY id DESC LIMIT ?3";
    std::vector<model::Window> out;
    {
      DELTRAN_PREPARE(st, *conn, sql);
      std::string code = currency.valid() ? code_text(currency) : "";
      st.bind(1, code).bind(2, before_id > 0 ? before_id : INT64_MAX).bind(3, int64_t{limit});
      DELTRAN_TRY(conn->rows(st, "list windows", [&](const Stmt& s) { out.push_back(read_window(s)); }));
    }
    for (auto& w : out) DELTRAN_TRY(read_positions(*conn, w));
    return out;
  }

  Result<std::vector<model::Case>> list_cases(std::optional<model::CaseStatus> status, int64_t before_id,
                                              int limit) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kCaseColumns +
                                   " FROM compliance_cases WHERE (?1 = '' OR status = ?1) AND id < ?2 "
                                   "ORDER BY id DESC LIMIT ?3";
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, status ? to_string(*status) : std::string_view())
        .bind(2, before_id > 0 ? before_id : INT64_MAX)
        .bind(3, int64_t{limit});
    std::vector<model::Case> out;
    DELTRAN_TRY(conn->rows(st, "list cases", [&](const Stmt& s) { out.push_back(read_case(s)); }));
    return out;
  }

  Result<std::optional<model::Case>> get_case(int64_t id) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kCaseColumns + " FROM compliance_cases WHERE id = ?1";
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, id);
    int rc = st.step();
    if (rc == SQLITE_ROW) return std::optional<model::Case>(read_case(st));
    if (rc == SQLITE_DONE) return std::optional<model::Case>();
    return tl::unexpected(sqlite_error(conn->db(), "get case"));
  }

  Result<std::vector<model::AmlReport>> list_aml_reports(const std::string& kind, int64_t before_id,
                                                         int limit) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kAmlReportColumns +
                                   " FROM aml_reports WHERE (?1 = '' OR kind = ?1) AND id < ?2 ORDER BY id DESC LIMIT ?3";
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, kind).bind(2, before_id > 0 ? before_id : INT64_MAX).bind(3, int64_t{limit});
    std::vector<model::AmlReport> out;
    DELTRAN_TRY(conn->rows(st, "list AML reports", [&](const Stmt& s) { out.push_back(read_aml_report(s)); }));
    return out;
  }

  Result<std::vector<model::Event>> list_events(const EventFilter& f) override {
    auto conn = acquire();
    if (f.participant.empty()) return query_events(*conn, f.after_seq, f.limit);
    // The public events and those naming the participant on either side: three index
    // ranges in sequence order, merged.
    static const std::string sql = [] {
      std::string cols = kEventColumns;
      return "SELECT * FROM (SELECT * FROM (SELECT " + cols +
             " FROM events WHERE party_a = ?1 AND party_a <> '' AND seq > ?2 ORDER BY seq LIMIT ?3)"
             " UNION SELECT * FROM (SELECT " + cols +
             " FROM events WHERE party_b = ?1 AND party_b <> '' AND seq > ?2 ORDER BY seq LIMIT ?3)"
             " UNION SELECT * FROM (SELECT " + cols +
             " FROM events WHERE scope = 0 AND seq > ?2 ORDER BY seq LIMIT ?3)) ORDER BY seq LIMIT ?3";
    }();
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, f.participant).bind(2, f.after_seq).bind(3, int64_t{f.limit});
    std::vector<model::Event> out;
    DELTRAN_TRY(conn->rows(st, "list events", [&](const Stmt& s) {
      model::Event e = read_event(s);
      // A participant never sees operator-only events, even ones that name it.
      if (e.scope != model::EventScope::kOperators) out.push_back(std::move(e));
    }));
    return out;
  }

  Result<std::vector<model::JournalEntry>> list_postings(const std::string& owner, int64_t from_us,
                                                         int64_t to_us) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kJournalColumns +
                                   " FROM journal WHERE (from_owner = ?1 OR to_owner = ?1) AND created_us >= ?2 AND "
                                   "created_us < ?3 ORDER BY seq";
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, owner).bind(2, from_us).bind(3, to_us);
    std::vector<model::JournalEntry> out;
    DELTRAN_TRY(conn->rows(st, "list postings", [&](const Stmt& s) { out.push_back(read_journal(s)); }));
    return out;
  }

  Result<std::map<money::CurrencyId, int64_t>> balances_before(const std::string& owner, int64_t at_us) override {
    // Summed here in 128 bits, not by SQL SUM: a column of int64 amounts can overflow it.
    auto conn = acquire();
    static const std::string sql =
        "SELECT currency, to_owner = ?1, amount_minor FROM journal WHERE (from_owner = ?1 OR to_owner = ?1) AND "
        "created_us < ?2";
    DELTRAN_PREPARE(st, *conn, sql);
    st.bind(1, owner).bind(2, at_us);
    std::map<money::CurrencyId, __int128> sums;
    DELTRAN_TRY(conn->rows(st, "balances before", [&](const Stmt& s) {
      sums[money::currency_id(s.text(0))] += s.i64(1) != 0 ? s.i64(2) : -s.i64(2);
    }));
    std::map<money::CurrencyId, int64_t> out;
    for (const auto& [c, v] : sums) {
      if (v > INT64_MAX || v < INT64_MIN) return make_error(ErrorCode::kInternal, "a balance outside int64 in the journal");
      out[c] = static_cast<int64_t>(v);
    }
    return out;
  }

  Result<std::vector<model::AccountBalance>> list_accounts() override {
    auto conn = acquire();
    DELTRAN_PREPARE(st, *conn, "SELECT owner, currency, balance_minor, floor_minor FROM accounts ORDER BY owner, currency");
    std::vector<model::AccountBalance> out;
    DELTRAN_TRY(conn->rows(st, "list accounts", [&](const Stmt& s) {
      out.push_back(model::AccountBalance{s.text(0), money::currency_id(s.text(1)), s.i64(2), s.i64(3)});
    }));
    return out;
  }

  Status for_each_journal_entry(const std::function<void(const model::JournalEntry&)>& fn) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kJournalColumns + " FROM journal ORDER BY seq";
    DELTRAN_PREPARE(st, *conn, sql);
    return conn->rows(st, "read journal", [&](const Stmt& s) { fn(read_journal(s)); });
  }

  Status for_each_payment_flow(const std::function<void(const PaymentFlow&)>& fn) override {
    auto conn = acquire();
    // A cross-currency payment's flows are its legs, each in its own window.
    DELTRAN_PREPARE(st, *conn,
                    "SELECT window_id, status, debtor_agent, creditor_agent, amount_minor FROM payments p "
                    "WHERE NOT EXISTS (SELECT 1 FROM payment_legs l WHERE l.payment_seq = p.seq) "
                    "UNION ALL SELECT l.window_id, p.status, l.debtor_agent, l.creditor_agent, l.amount_minor "
                    "FROM payment_legs l JOIN payments p ON p.seq = l.payment_seq");
    return conn->rows(st, "read payment flows", [&](const Stmt& s) {
      fn(PaymentFlow{s.i64(0), model::parse_payment_status(s.text(1)).value_or(PaymentStatus::kQueued), s.text(2),
                     s.text(3), s.i64(4)});
    });
  }

  Status for_each_chain_link(const std::function<void(const model::ChainLink&)>& fn) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kLinkColumns + " FROM event_batches ORDER BY batch";
    DELTRAN_PREPARE(st, *conn, sql);
    return conn->rows(st, "read chain", [&](const Stmt& s) { fn(read_link(s)); });
  }

  Status for_each_event(const std::function<void(const model::Event&)>& fn) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kEventColumns + " FROM events ORDER BY seq";
    DELTRAN_PREPARE(st, *conn, sql);
    return conn->rows(st, "read events", [&](const Stmt& s) { fn(read_event(s)); });
  }

  bool healthy() override {
    auto conn = acquire();
    auto st = conn->prepare("SELECT 1");
    return st && st->step() == SQLITE_ROW;
  }

 private:
  // A reader connection borrowed from the pool for one call.
  class Lease {
   public:
    Lease(SqliteStore& s, std::unique_ptr<Connection> c) : store_(s), conn_(std::move(c)) {}
    ~Lease() { store_.release(std::move(conn_)); }
    Lease(Lease&&) = delete;
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    SqliteStore& store_;
    std::unique_ptr<Connection> conn_;
  };

  Lease acquire() {
    std::unique_lock lock(pool_mutex_);
    pool_cv_.wait(lock, [&] { return !readers_.empty(); });
    auto c = std::move(readers_.back());
    readers_.pop_back();
    return Lease(*this, std::move(c));
  }
  void release(std::unique_ptr<Connection> c) {
    {
      std::lock_guard lock(pool_mutex_);
      readers_.push_back(std::move(c));
    }
    pool_cv_.notify_one();
  }

  Status create_schema() {
    DELTRAN_PREPARE(probe, writer_, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'");
    const bool has_version_table = probe.step() == SQLITE_ROW;
    if (has_version_table) {
      DELTRAN_PREPARE(v, writer_, "SELECT version FROM schema_version");
      if (v.step() == SQLITE_ROW && v.i64(0) != kSchemaVersion) {
        return make_error(ErrorCode::kFailedPrecondition,
                          "database " + settings_.path + " has schema version " + std::to_string(v.i64(0)) +
                              "; this build needs version " + std::to_string(kSchemaVersion) +
                              " (an event log and snapshots replaced version 1's tables: start from an empty "
                              "data folder)");
      }
    }
    DELTRAN_TRY(writer_.exec(kSchema));
    DELTRAN_PREPARE(v, writer_, "SELECT COUNT(*) FROM schema_version");
    if (v.step() == SQLITE_ROW && v.i64(0) == 0) {
      DELTRAN_TRY(writer_.exec("INSERT INTO schema_version VALUES(" + std::to_string(kSchemaVersion) + ")"));
    }
    return {};
  }

  Result<std::vector<model::Event>> query_events(Connection& c, int64_t after_seq, int limit) {
    static const std::string sql =
        std::string("SELECT ") + kEventColumns + " FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2";
    DELTRAN_PREPARE(st, c, sql);
    st.bind(1, after_seq).bind(2, int64_t{limit});
    std::vector<model::Event> out;
    DELTRAN_TRY(c.rows(st, "read events", [&](const Stmt& s) { out.push_back(read_event(s)); }));
    return out;
  }

  Status read_positions(Connection& c, model::Window& w) {
    DELTRAN_PREPARE(st, c, "SELECT bank, net_minor FROM window_positions WHERE window_id = ?1 ORDER BY bank");
    st.bind(1, w.id);
    w.positions.clear();
    return c.rows(st, "read positions", [&](const Stmt& s) { w.positions.push_back({s.text(0), s.i64(1)}); });
  }

  Status write_batch(const Batch& b);
  Status write_events(const Batch& b);
  Status write_payments(const Batch& b);
  Status write_ledger(const Batch& b);
  Status write_windows(const Batch& b);
  Status write_compliance(const Batch& b);

  SqliteSettings settings_;
  fs::path snapshot_dir_;
  Connection writer_;       // the commit thread's
  Connection core_reader_;  // the core thread's reads
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::mutex snapshot_mutex_;
};

Status SqliteStore::write_batch(const Batch& b) {
  DELTRAN_TRY(write_events(b));
  for (const auto& p : b.participants) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO participants(bic, name, country, currencies, created_us) VALUES(?1,?2,?3,?4,?5)");
    std::string currencies = join_currencies(p.currencies);
    st.bind(1, p.bic).bind(2, p.name).bind(3, p.country).bind(4, currencies).bind(5, p.created_us);
    DELTRAN_TRY(writer_.done(st, "insert participant"));
  }
  DELTRAN_TRY(write_payments(b));
  DELTRAN_TRY(write_ledger(b));
  DELTRAN_TRY(write_windows(b));
  DELTRAN_TRY(write_compliance(b));
  for (const auto& l : b.limits) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT OR REPLACE INTO participant_limits(participant, currency, single_payment_max_minor, "
                    "daily_volume_max_minor, net_debit_cap_minor) VALUES(?1,?2,?3,?4,?5)");
    std::string code = code_text(l.currency);
    st.bind(1, l.bank).bind(2, code).bind_optional(3, l.single_payment_max_minor)
        .bind_optional(4, l.daily_volume_max_minor).bind(5, l.net_debit_cap_minor);
    DELTRAN_TRY(writer_.done(st, "upsert limits"));
  }
  return {};
}

Status SqliteStore::write_events(const Batch& b) {
  for (const auto& e : b.events) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO events(seq, batch, type, created_us, actor, entity, party_a, party_b, scope, payload) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    st.bind(1, e.seq).bind(2, e.batch).bind(3, int64_t{static_cast<uint16_t>(e.type)}).bind(4, e.time_us)
        .bind(5, e.actor).bind(6, e.entity).bind(7, e.party_a).bind(8, e.party_b)
        .bind(9, int64_t{static_cast<int>(e.scope)}).bind(10, e.payload);
    DELTRAN_TRY(writer_.done(st, "insert event"));
  }
  if (b.link) {
    const auto& l = *b.link;
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO event_batches(batch, first_seq, last_seq, prev_hash, hash, created_us) "
                    "VALUES(?1,?2,?3,?4,?5,?6)");
    st.bind(1, l.batch).bind(2, l.first_seq).bind(3, l.last_seq).bind(4, l.prev_hash).bind(5, l.hash)
        .bind(6, l.created_us);
    DELTRAN_TRY(writer_.done(st, "insert chain link"));
  }
  return {};
}

Status SqliteStore::write_payments(const Batch& b) {
  for (const auto& p : b.payments) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO payments(id, uetr, end_to_end_id, idempotency_key, request_hash, debtor_agent, "
                    "creditor_agent, currency, amount_minor, debtor_name, debtor_account, debtor_country, "
                    "creditor_name, creditor_account, creditor_country, remittance_info, channel, status, rc, "
                    "reason_text, window_id, case_id, created_us, updated_us, seq) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25)");
    std::string code = code_text(p.amount.currency);
    st.bind(1, p.id).bind(2, p.uetr).bind(3, p.end_to_end_id).bind(4, p.idempotency_key).bind(5, p.request_hash)
        .bind(6, p.debtor_agent).bind(7, p.creditor_agent).bind(8, code).bind(9, p.amount.minor)
        .bind(10, p.debtor.name).bind(11, p.debtor.account).bind(12, p.debtor.country).bind(13, p.creditor.name)
        .bind(14, p.creditor.account).bind(15, p.creditor.country).bind(16, p.remittance_info).bind(17, p.channel)
        .bind(18, to_string(p.status)).bind(19, int64_t{static_cast<uint16_t>(p.rc)}).bind(20, p.reason_text)
        .bind(21, p.window_id).bind(22, p.case_id).bind(23, p.created_us).bind(24, p.updated_us);
    // The engine names the row (the seq of the payment's first event); 0 leaves it to SQLite.
    st.bind_optional(25, p.seq > 0 ? std::optional<int64_t>(p.seq) : std::nullopt);
    DELTRAN_TRY(writer_.done(st, "insert payment"));
    const int64_t seq = p.seq > 0 ? p.seq : sqlite3_last_insert_rowid(writer_.db());
    for (size_t i = 0; i < p.legs.size(); ++i) {
      const model::PaymentLeg& l = p.legs[i];
      DELTRAN_PREPARE(leg, writer_,
                      "INSERT INTO payment_legs(payment_seq, leg, quote_id, debtor_agent, creditor_agent, currency, "
                      "amount_minor, window_id) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
      std::string leg_code = code_text(l.amount.currency);
      leg.bind(1, seq).bind(2, static_cast<int64_t>(i)).bind(3, p.quote_id).bind(4, l.debtor_agent)
          .bind(5, l.creditor_agent).bind(6, leg_code).bind(7, l.amount.minor).bind(8, l.window_id);
      DELTRAN_TRY(writer_.done(leg, "insert payment leg"));
    }
  }
  for (const auto& u : b.payment_changes) {
    DELTRAN_PREPARE(st, writer_,
                    "UPDATE payments SET status = ?1, rc = ?2, reason_text = ?3, window_id = ?4, updated_us = ?5 "
                    "WHERE id = ?6");
    st.bind(1, to_string(u.status)).bind(2, int64_t{static_cast<uint16_t>(u.rc)}).bind(3, u.reason_text)
        .bind(4, u.window_id).bind(5, u.updated_us).bind(6, u.id);
    DELTRAN_TRY(writer_.done(st, "update payment"));
    for (size_t i = 0; i < u.leg_windows.size(); ++i) {
      DELTRAN_PREPARE(leg, writer_,
                      "UPDATE payment_legs SET window_id = ?1 WHERE leg = ?2 AND "
                      "payment_seq = (SELECT seq FROM payments WHERE id = ?3)");
      leg.bind(1, u.leg_windows[i]).bind(2, static_cast<int64_t>(i)).bind(3, u.id);
      DELTRAN_TRY(writer_.done(leg, "update payment leg"));
    }
  }
  return {};
}

Status SqliteStore::write_ledger(const Batch& b) {
  for (const auto& a : b.accounts) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO accounts(owner, currency, balance_minor, floor_minor) VALUES(?1,?2,?3,?4) "
                    "ON CONFLICT(owner, currency) DO UPDATE SET balance_minor = excluded.balance_minor, "
                    "floor_minor = excluded.floor_minor");
    std::string code = code_text(a.currency);
    st.bind(1, a.owner).bind(2, code).bind(3, a.balance_minor).bind(4, a.floor_minor);
    DELTRAN_TRY(writer_.done(st, "upsert account"));
  }
  for (const auto& j : b.journal) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO journal(kind, currency, from_owner, to_owner, amount_minor, reference, window_id, "
                    "created_us) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
    std::string code = code_text(j.currency);
    st.bind(1, j.kind).bind(2, code).bind(3, j.from).bind(4, j.to).bind(5, j.amount_minor).bind(6, j.reference)
        .bind(7, j.window_id).bind(8, j.created_us);
    DELTRAN_TRY(writer_.done(st, "insert journal"));
  }
  return {};
}

Status SqliteStore::write_windows(const Batch& b) {
  for (const auto& win : b.windows) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO windows(id, currency, status, opened_us, closed_us, payment_count, gross_minor, "
                    "net_minor, bilateral_minor, efficiency_ppm, bilateral_efficiency_ppm) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) "
                    "ON CONFLICT(id) DO UPDATE SET status = excluded.status, closed_us = excluded.closed_us, "
                    "payment_count = excluded.payment_count, gross_minor = excluded.gross_minor, "
                    "net_minor = excluded.net_minor, bilateral_minor = excluded.bilateral_minor, "
                    "efficiency_ppm = excluded.efficiency_ppm, bilateral_efficiency_ppm = excluded.bilateral_efficiency_ppm");
    std::string code = code_text(win.currency);
    st.bind(1, win.id).bind(2, code).bind(3, to_string(win.status)).bind(4, win.opened_us).bind(5, win.closed_us)
        .bind(6, win.payment_count).bind(7, win.gross_minor).bind(8, win.net_minor).bind(9, win.bilateral_minor)
        .bind(10, win.efficiency_ppm).bind(11, win.bilateral_efficiency_ppm);
    DELTRAN_TRY(writer_.done(st, "upsert window"));
    for (const auto& pos : win.positions) {
      DELTRAN_PREPARE(ps, writer_, "INSERT OR REPLACE INTO window_positions(window_id, bank, net_minor) VALUES(?1,?2,?3)");
      ps.bind(1, win.id).bind(2, pos.bank).bind(3, pos.net_minor);
      DELTRAN_TRY(writer_.done(ps, "insert position"));
    }
  }
  return {};
}

Status SqliteStore::write_compliance(const Batch& b) {
  for (const auto& c : b.cases) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO compliance_cases(id, payment_id, debtor_agent, creditor_agent, status, score, reasons, "
                    "decided_by, note, created_us, decided_us) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11) "
                    "ON CONFLICT(id) DO UPDATE SET status = excluded.status, decided_by = excluded.decided_by, "
                    "note = excluded.note, decided_us = excluded.decided_us");
    st.bind(1, c.id).bind(2, c.payment_id).bind(3, c.debtor_agent).bind(4, c.creditor_agent)
        .bind(5, to_string(c.status)).bind(6, c.score).bind(7, c.reasons).bind(8, c.decided_by).bind(9, c.note)
        .bind(10, c.created_us).bind(11, c.decided_us);
    DELTRAN_TRY(writer_.done(st, "upsert case"));
  }
  for (const auto& r : b.aml_reports) {
    DELTRAN_PREPARE(st, writer_,
                    "INSERT INTO aml_reports(id, kind, payment_id, debtor_agent, creditor_agent, debtor, creditor, "
                    "currency, amount_minor, amount_usd_minor, score, rules, narrative, created_us) "
                    "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)");
    std::string code = code_text(r.amount.currency);
    st.bind(1, r.id).bind(2, r.kind).bind(3, r.payment_id).bind(4, r.debtor_agent).bind(5, r.creditor_agent)
        .bind(6, r.debtor).bind(7, r.creditor).bind(8, code).bind(9, r.amount.minor).bind(10, r.amount_usd_minor)
        .bind(11, r.score).bind(12, r.rules).bind(13, r.narrative).bind(14, r.created_us);
    DELTRAN_TRY(writer_.done(st, "insert AML report"));
  }
  return {};
}

Result<std::vector<model::Payment>> SqliteStore::list_payments(const PaymentFilter& f) {
  auto conn = acquire();
  // The status a reader asks for is the effective one: QUEUED and SETTLED are both stored
  // QUEUED and told apart by the window's status.
  std::string status_clause;
  if (f.status == PaymentStatus::kSettled) {
    status_clause = " AND p.status = 'QUEUED' AND w.status = 'SETTLED'";
  } else if (f.status == PaymentStatus::kQueued) {
    status_clause = " AND p.status = 'QUEUED' AND (w.status IS NULL OR w.status <> 'SETTLED')";
  } else if (f.status) {
    status_clause = std::string(" AND p.status = '") + std::string(to_string(*f.status)) + "'";
  }
  const std::string where = std::string(" WHERE p.seq < ?1 AND (?2 = '' OR p.currency = ?2) AND (?3 = 0 OR p.window_id = ?3)") +
                            status_clause;
  const std::string select = std::string("SELECT ") + kPaymentColumns + kPaymentFrom;
  // The participant filter is a UNION of the debtor and creditor indexes, so each side is
  // an index range in seq order, not a table scan.
  std::string sql = f.participant.empty()
                        ? select + where + " ORDER BY p.seq DESC LIMIT ?4"
                        : "SELECT * FROM (" + select + where + " AND p.debtor_agent = ?5 UNION " + select + where +
                              " AND p.creditor_agent = ?5) ORDER BY 1 DESC LIMIT ?4";
  DELTRAN_PREPARE(st, *conn, sql);
  std::string code = f.currency.valid() ? code_text(f.currency) : "";
  st.bind(1, f.before_seq > 0 ? f.before_seq : INT64_MAX).bind(2, code).bind(3, f.window_id).bind(4, int64_t{f.limit});
  if (!f.participant.empty()) st.bind(5, f.participant);
  std::vector<model::Payment> out;
  DELTRAN_TRY(conn->rows(st, "list payments", [&](const Stmt& s) { out.push_back(read_payment(s)); }));
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteSettings& settings) {
  if (sqlite3_threadsafe() == 0) {
    return make_error(ErrorCode::kInternal, "SQLite was built without thread support");
  }
  // SQLite counts every allocation under a global mutex unless told not to; we never read
  // those counts, and the commit thread spent a few per cent of its time on that mutex.
  // Only possible before SQLite initialises; later calls fail harmlessly (SQLITE_MISUSE).
  static std::once_flag configured;
  std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  auto store = std::make_unique<SqliteStore>(settings);
  if (auto st = store->init(); !st) return tl::unexpected(st.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace deltran::store
