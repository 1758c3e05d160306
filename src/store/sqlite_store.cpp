// SQLite adapter of the Store: one writer connection (the engine's thread) and a small pool
// of reader connections. WAL mode lets readers run beside the writer; every commit is one
// transaction with one WAL fsync (synchronous=FULL), which is what group commit amortises.
#include <sqlite3.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <utility>

#include <deltran/core/assert.hpp>
#include <deltran/store/store.hpp>

namespace deltran::store {
namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS participants(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, country TEXT NOT NULL,
  api_key_hash TEXT NOT NULL, currencies TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS net_debit_caps(
  participant TEXT NOT NULL, currency TEXT NOT NULL, cap_minor INTEGER NOT NULL,
  PRIMARY KEY(participant, currency)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS accounts(
  owner TEXT NOT NULL, currency TEXT NOT NULL, balance_minor INTEGER NOT NULL,
  floor_minor INTEGER NOT NULL, PRIMARY KEY(owner, currency)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS journal(
  seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, currency TEXT NOT NULL,
  from_owner TEXT NOT NULL, to_owner TEXT NOT NULL, amount_minor INTEGER NOT NULL,
  reference TEXT NOT NULL, window_id INTEGER NOT NULL, created_us INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS payments(
  seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, uetr TEXT NOT NULL,
  end_to_end_id TEXT NOT NULL, idempotency_key TEXT NOT NULL, request_hash TEXT NOT NULL,
  debtor_agent TEXT NOT NULL, creditor_agent TEXT NOT NULL, currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL, debtor_name TEXT NOT NULL, debtor_account TEXT NOT NULL,
  creditor_name TEXT NOT NULL, creditor_account TEXT NOT NULL, remittance_info TEXT NOT NULL,
  channel TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, reason_text TEXT NOT NULL, window_id INTEGER NOT NULL,
  created_us INTEGER NOT NULL, updated_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS payments_window ON payments(window_id, status);
CREATE INDEX IF NOT EXISTS payments_debtor ON payments(debtor_agent, seq);
CREATE INDEX IF NOT EXISTS payments_creditor ON payments(creditor_agent, seq);
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
  daily_volume_max_minor INTEGER, PRIMARY KEY(participant, currency)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS payments_created ON payments(created_us);
CREATE TABLE IF NOT EXISTS aml_reports(
  id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payment_id TEXT NOT NULL, debtor_agent TEXT NOT NULL,
  creditor_agent TEXT NOT NULL, debtor TEXT NOT NULL, creditor TEXT NOT NULL, currency TEXT NOT NULL,
  amount_minor INTEGER NOT NULL, amount_usd_minor INTEGER NOT NULL, score INTEGER NOT NULL,
  rules TEXT NOT NULL, narrative TEXT NOT NULL, created_us INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS aml_reports_kind ON aml_reports(kind, id);
CREATE TABLE IF NOT EXISTS audit_log(
  seq INTEGER PRIMARY KEY, created_us INTEGER NOT NULL, actor TEXT NOT NULL,
  action TEXT NOT NULL, entity TEXT NOT NULL, detail TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
)sql";

constexpr const char* kPaymentColumns =
    "seq, id, uetr, end_to_end_id, idempotency_key, request_hash, debtor_agent, creditor_agent, "
    "currency, amount_minor, debtor_name, debtor_account, creditor_name, creditor_account, "
    "remittance_info, channel, status, reason, reason_text, window_id, created_us, updated_us";

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
  Stmt& bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& bind(int i, const char* v) {
    sqlite3_bind_text(s_, i, v, -1, SQLITE_STATIC);
    return *this;
  }
  int step() { return sqlite3_step(s_); }
  int64_t i64(int col) const { return sqlite3_column_int64(s_, col); }
  bool is_null(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }
  Stmt& bind_optional(int i, const std::optional<int64_t>& v) {
    if (v) return bind(i, *v);
    sqlite3_bind_null(s_, i);
    return *this;
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
      // Fewer, larger checkpoints: each one runs inside a commit on the engine's thread.
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

PaymentRow read_payment(const Stmt& st) {
  PaymentRow p;
  p.seq = st.i64(0);
  p.id = st.text(1);
  p.uetr = st.text(2);
  p.end_to_end_id = st.text(3);
  p.idempotency_key = st.text(4);
  p.request_hash = st.text(5);
  p.debtor_agent = st.text(6);
  p.creditor_agent = st.text(7);
  p.currency = st.text(8);
  p.amount_minor = st.i64(9);
  p.debtor_name = st.text(10);
  p.debtor_account = st.text(11);
  p.creditor_name = st.text(12);
  p.creditor_account = st.text(13);
  p.remittance_info = st.text(14);
  p.channel = st.text(15);
  p.status = parse_payment_status(st.text(16)).value_or(PaymentStatus::kQueued);
  p.reason = st.text(17);
  p.reason_text = st.text(18);
  p.window_id = st.i64(19);
  p.created_us = st.i64(20);
  p.updated_us = st.i64(21);
  return p;
}

WindowRow read_window(const Stmt& st) {
  WindowRow w;
  w.id = st.i64(0);
  w.currency = st.text(1);
  w.status = st.text(2) == "SETTLED" ? WindowStatus::kSettled : WindowStatus::kOpen;
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

CaseRow read_case(const Stmt& st) {
  CaseRow c;
  c.id = st.i64(0);
  c.payment_id = st.text(1);
  c.debtor_agent = st.text(2);
  c.creditor_agent = st.text(3);
  c.status = parse_case_status(st.text(4)).value_or(CaseStatus::kOpen);
  c.score = st.i64(5);
  c.reasons = st.text(6);
  c.decided_by = st.text(7);
  c.note = st.text(8);
  c.created_us = st.i64(9);
  c.decided_us = st.i64(10);
  return c;
}

AmlReportRow read_aml_report(const Stmt& st) {
  AmlReportRow r;
  r.id = st.i64(0);
  r.kind = st.text(1);
  r.payment_id = st.text(2);
  r.debtor_agent = st.text(3);
  r.creditor_agent = st.text(4);
  r.debtor = st.text(5);
  r.creditor = st.text(6);
  r.currency = st.text(7);
  r.amount_minor = st.i64(8);
  r.amount_usd_minor = st.i64(9);
  r.score = st.i64(10);
  r.rules = st.text(11);
  r.narrative = st.text(12);
  r.created_us = st.i64(13);
  return r;
}

constexpr const char* kWindowColumns =
    "id, currency, status, opened_us, closed_us, payment_count, gross_minor, net_minor, "
    "bilateral_minor, efficiency_ppm, bilateral_efficiency_ppm";

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// Statement texts of the writes.
constexpr const char* kInsertParticipant =
    "INSERT INTO participants(id, name, country, api_key_hash, currencies, created_us) VALUES(?,?,?,?,?,?)";
constexpr const char* kUpsertCap =
    "INSERT INTO net_debit_caps(participant, currency, cap_minor) VALUES(?,?,?) "
    "ON CONFLICT(participant, currency) DO UPDATE SET cap_minor=excluded.cap_minor";
constexpr const char* kInsertPayment =
    "INSERT INTO payments(id, uetr, end_to_end_id, idempotency_key, request_hash, debtor_agent, "
    "creditor_agent, currency, amount_minor, debtor_name, debtor_account, creditor_name, "
    "creditor_account, remittance_info, channel, status, reason, reason_text, window_id, created_us, "
    "updated_us) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kUpsertAccount =
    "INSERT INTO accounts(owner, currency, balance_minor, floor_minor) VALUES(?,?,?,?) "
    "ON CONFLICT(owner, currency) DO UPDATE SET balance_minor=excluded.balance_minor, "
    "floor_minor=excluded.floor_minor";
constexpr const char* kInsertJournal =
    "INSERT INTO journal(kind, currency, from_owner, to_owner, amount_minor, reference, window_id, "
    "created_us) VALUES(?,?,?,?,?,?,?,?)";
constexpr const char* kUpsertWindow =
    "INSERT INTO windows(id, currency, status, opened_us, closed_us, payment_count, gross_minor, "
    "net_minor, bilateral_minor, efficiency_ppm, bilateral_efficiency_ppm) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(id) DO UPDATE SET status=excluded.status, closed_us=excluded.closed_us, "
    "payment_count=excluded.payment_count, gross_minor=excluded.gross_minor, "
    "net_minor=excluded.net_minor, bilateral_minor=excluded.bilateral_minor, "
    "efficiency_ppm=excluded.efficiency_ppm, bilateral_efficiency_ppm=excluded.bilateral_efficiency_ppm";
constexpr const char* kInsertPosition =
    "INSERT OR REPLACE INTO window_positions(window_id, bank, net_minor) VALUES(?,?,?)";
constexpr const char* kSettleWindow =
    "UPDATE payments SET status='SETTLED', updated_us=? WHERE window_id=? AND status='QUEUED'";
constexpr const char* kUpsertCase =
    "INSERT INTO compliance_cases(id, payment_id, debtor_agent, creditor_agent, status, score, reasons, "
    "decided_by, note, created_us, decided_us) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT(id) DO UPDATE SET status=excluded.status, decided_by=excluded.decided_by, "
    "note=excluded.note, decided_us=excluded.decided_us";
constexpr const char* kUpdatePayment =
    "UPDATE payments SET status=?, reason=?, reason_text=?, window_id=?, updated_us=? WHERE id=?";
constexpr const char* kCaseColumns =
    "id, payment_id, debtor_agent, creditor_agent, status, score, reasons, decided_by, note, created_us, decided_us";
constexpr const char* kUpsertLimit =
    "INSERT OR REPLACE INTO participant_limits(participant, currency, single_payment_max_minor, "
    "daily_volume_max_minor) VALUES(?,?,?,?)";
constexpr const char* kAmlReportColumns =
    "id, kind, payment_id, debtor_agent, creditor_agent, debtor, creditor, currency, amount_minor, "
    "amount_usd_minor, score, rules, narrative, created_us";
constexpr const char* kInsertAmlReport =
    "INSERT INTO aml_reports(id, kind, payment_id, debtor_agent, creditor_agent, debtor, creditor, currency, "
    "amount_minor, amount_usd_minor, score, rules, narrative, created_us) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?)";
constexpr const char* kInsertAudit =
    "INSERT INTO audit_log(seq, created_us, actor, action, entity, detail, prev_hash, hash) "
    "VALUES(?,?,?,?,?,?,?,?)";

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SqliteSettings s) : settings_(std::move(s)) {}

  Status init() {
    if (auto st = writer_.open(settings_, true); !st) return st;
    if (auto st = writer_.exec(std::string("BEGIN;") + kSchema); !st) return st;
    auto v = writer_.prepare("SELECT version FROM schema_version");
    if (!v) return tl::unexpected(v.error());
    int rc = v->step();
    int64_t version = rc == SQLITE_ROW ? v->i64(0) : 0;
    if (rc != SQLITE_ROW) {
      if (auto st = writer_.exec("INSERT INTO schema_version VALUES(" + std::to_string(kSchemaVersion) + ")");
          !st) return st;
    } else if (version != kSchemaVersion) {
      (void)writer_.exec("ROLLBACK");
      return make_error(ErrorCode::kFailedPrecondition,
                        "database schema version " + std::to_string(version) + ", this build needs " +
                            std::to_string(kSchemaVersion));
    }
    if (auto st = writer_.exec("COMMIT"); !st) return st;
    for (int i = 0; i < settings_.reader_connections; ++i) {
      auto c = std::make_unique<Connection>();
      if (auto st = c->open(settings_, false); !st) return st;
      readers_.push_back(std::move(c));
    }
    return {};
  }

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

  Result<Snapshot> load(const LoadRange& range) override;

  Result<std::vector<AmlReportRow>> list_aml_reports(const std::string& kind, int64_t before_id, int limit) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kAmlReportColumns +
                                   " FROM aml_reports WHERE (?1 = '' OR kind = ?1) AND id < ?2 ORDER BY id DESC LIMIT ?3";
    auto st = conn->prepare(sql);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, kind).bind(2, before_id > 0 ? before_id : INT64_MAX).bind(3, int64_t{limit});
    std::vector<AmlReportRow> out;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) out.push_back(read_aml_report(*st));
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "list AML reports"));
    return out;
  }

  Result<std::optional<PaymentRow>> get_payment(const std::string& id) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kPaymentColumns + " FROM payments WHERE id=?";
    auto st = conn->prepare(sql);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, id);
    int rc = st->step();
    if (rc == SQLITE_ROW) return std::optional<PaymentRow>(read_payment(*st));
    if (rc == SQLITE_DONE) return std::optional<PaymentRow>();
    return tl::unexpected(sqlite_error(conn->db(), "get payment"));
  }

  Result<std::vector<PaymentRow>> list_payments(const PaymentFilter& f) override;

  Result<std::optional<WindowRow>> get_window(int64_t id) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kWindowColumns + " FROM windows WHERE id=?";
    auto st = conn->prepare(sql);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, id);
    int rc = st->step();
    if (rc == SQLITE_DONE) return std::optional<WindowRow>();
    if (rc != SQLITE_ROW) return tl::unexpected(sqlite_error(conn->db(), "get window"));
    WindowRow w = read_window(*st);
    auto pos = read_positions(*conn, w.id);
    if (!pos) return tl::unexpected(pos.error());
    w.positions = std::move(*pos);
    return std::optional<WindowRow>(std::move(w));
  }

  Result<std::vector<WindowRow>> list_windows(const std::string& currency, int64_t before_id,
                                              int limit) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kWindowColumns +
                                   " FROM windows WHERE (?1 = '' OR currency = ?1) AND id < ?2 "
                                   "ORDER BY id DESC LIMIT ?3";
    std::vector<WindowRow> out;
    {
      auto st = conn->prepare(sql);
      if (!st) return tl::unexpected(st.error());
      st->bind(1, currency).bind(2, before_id > 0 ? before_id : INT64_MAX).bind(3, int64_t{limit});
      int rc;
      while ((rc = st->step()) == SQLITE_ROW) out.push_back(read_window(*st));
      if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "list windows"));
    }
    for (auto& w : out) {
      auto pos = read_positions(*conn, w.id);
      if (!pos) return tl::unexpected(pos.error());
      w.positions = std::move(*pos);
    }
    return out;
  }

  Result<std::vector<AuditRow>> read_audit(int64_t after_seq, int limit) override {
    auto conn = acquire();
    auto st = conn->prepare(
        "SELECT seq, created_us, actor, action, entity, detail, prev_hash, hash FROM audit_log "
        "WHERE seq > ? ORDER BY seq LIMIT ?");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, after_seq).bind(2, int64_t{limit});
    std::vector<AuditRow> out;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      out.push_back(AuditRow{st->i64(0), st->i64(1), st->text(2), st->text(3), st->text(4),
                             st->text(5), st->text(6), st->text(7)});
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "read audit"));
    return out;
  }

  Result<std::vector<AccountRow>> list_accounts() override {
    auto conn = acquire();
    return read_accounts(*conn);
  }

  Result<std::vector<JournalRow>> list_journal() override {
    auto conn = acquire();
    auto st = conn->prepare(
        "SELECT kind, currency, from_owner, to_owner, amount_minor, reference, window_id, created_us "
        "FROM journal ORDER BY seq");
    if (!st) return tl::unexpected(st.error());
    std::vector<JournalRow> out;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      out.push_back(JournalRow{st->text(0), st->text(1), st->text(2), st->text(3), st->i64(4),
                               st->text(5), st->i64(6), st->i64(7)});
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "read journal"));
    return out;
  }

  Result<std::vector<FlowRow>> aggregate_flows() override {
    auto conn = acquire();
    auto st = conn->prepare(
        "SELECT window_id, status, debtor_agent, creditor_agent, SUM(amount_minor), COUNT(*) "
        "FROM payments GROUP BY window_id, status, debtor_agent, creditor_agent "
        "ORDER BY window_id, status, debtor_agent, creditor_agent");
    if (!st) return tl::unexpected(st.error());
    std::vector<FlowRow> out;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      FlowRow f;
      f.window_id = st->i64(0);
      f.status = parse_payment_status(st->text(1)).value_or(PaymentStatus::kQueued);
      f.debtor_agent = st->text(2);
      f.creditor_agent = st->text(3);
      f.amount_minor = st->i64(4);
      f.count = st->i64(5);
      out.push_back(std::move(f));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "aggregate flows"));
    return out;
  }

  Result<std::vector<JournalRow>> list_postings(const std::string& owner, int64_t from_us, int64_t to_us) override {
    auto conn = acquire();
    auto st = conn->prepare(
        "SELECT kind, currency, from_owner, to_owner, amount_minor, reference, window_id, created_us FROM journal "
        "WHERE (from_owner = ?1 OR to_owner = ?1) AND created_us >= ?2 AND created_us < ?3 ORDER BY seq");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, owner).bind(2, from_us).bind(3, to_us);
    std::vector<JournalRow> out;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      out.push_back(JournalRow{st->text(0), st->text(1), st->text(2), st->text(3), st->i64(4), st->text(5),
                               st->i64(6), st->i64(7)});
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "list postings"));
    return out;
  }

  Result<std::map<std::string, int64_t>> balances_before(const std::string& owner, int64_t at_us) override {
    auto conn = acquire();
    auto st = conn->prepare(
        "SELECT currency, SUM(CASE WHEN to_owner = ?1 THEN amount_minor ELSE -amount_minor END) FROM journal "
        "WHERE (from_owner = ?1 OR to_owner = ?1) AND created_us < ?2 GROUP BY currency");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, owner).bind(2, at_us);
    std::map<std::string, int64_t> out;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) out[st->text(0)] = st->i64(1);
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "balances before"));
    return out;
  }

  Result<std::vector<CaseRow>> list_cases(std::optional<CaseStatus> status, int64_t before_id, int limit) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kCaseColumns +
                                   " FROM compliance_cases WHERE (?1 = '' OR status = ?1) AND id < ?2 "
                                   "ORDER BY id DESC LIMIT ?3";
    auto st = conn->prepare(sql);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, status ? to_string(*status) : "").bind(2, before_id > 0 ? before_id : INT64_MAX).bind(3, int64_t{limit});
    std::vector<CaseRow> out;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) out.push_back(read_case(*st));
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "list cases"));
    return out;
  }

  Result<std::optional<CaseRow>> get_case(int64_t id) override {
    auto conn = acquire();
    static const std::string sql = std::string("SELECT ") + kCaseColumns + " FROM compliance_cases WHERE id = ?";
    auto st = conn->prepare(sql);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, id);
    int rc = st->step();
    if (rc == SQLITE_ROW) return std::optional<CaseRow>(read_case(*st));
    if (rc == SQLITE_DONE) return std::optional<CaseRow>();
    return tl::unexpected(sqlite_error(conn->db(), "get case"));
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

  Status write_batch(const Batch& b);
  Result<std::vector<PositionRow>> read_positions(Connection& c, int64_t window_id);
  Result<std::vector<AccountRow>> read_accounts(Connection& c);

  SqliteSettings settings_;
  Connection writer_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<Connection>> readers_;
};

#define DELTRAN_TRY(expr)                       \
  do {                                          \
    auto deltran_try_ = (expr);                 \
    if (!deltran_try_) return tl::unexpected(deltran_try_.error()); \
  } while (false)

Status SqliteStore::write_batch(const Batch& b) {
  Connection& w = writer_;
  for (const auto& p : b.participants) {
    auto st = w.prepare(kInsertParticipant);
    if (!st) return tl::unexpected(st.error());
    std::string currencies = join(p.currencies);
    st->bind(1, p.id).bind(2, p.name).bind(3, p.country).bind(4, p.api_key_hash).bind(5, currencies).bind(6, p.created_us);
    DELTRAN_TRY(w.done(*st, "insert participant"));
    for (const auto& [currency, cap] : p.net_debit_cap_minor) {
      auto cs = w.prepare(kUpsertCap);
      if (!cs) return tl::unexpected(cs.error());
      cs->bind(1, p.id).bind(2, currency).bind(3, cap);
      DELTRAN_TRY(w.done(*cs, "insert net debit cap"));
    }
  }
  for (const auto& p : b.payments) {
    auto st = w.prepare(kInsertPayment);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, p.id).bind(2, p.uetr).bind(3, p.end_to_end_id).bind(4, p.idempotency_key)
        .bind(5, p.request_hash).bind(6, p.debtor_agent).bind(7, p.creditor_agent).bind(8, p.currency)
        .bind(9, p.amount_minor).bind(10, p.debtor_name).bind(11, p.debtor_account)
        .bind(12, p.creditor_name).bind(13, p.creditor_account).bind(14, p.remittance_info)
        .bind(15, p.channel).bind(16, to_string(p.status)).bind(17, p.reason).bind(18, p.reason_text)
        .bind(19, p.window_id).bind(20, p.created_us).bind(21, p.updated_us);
    DELTRAN_TRY(w.done(*st, "insert payment"));
  }
  for (const auto& a : b.accounts) {
    auto st = w.prepare(kUpsertAccount);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, a.owner).bind(2, a.currency).bind(3, a.balance_minor).bind(4, a.floor_minor);
    DELTRAN_TRY(w.done(*st, "upsert account"));
  }
  for (const auto& j : b.journal) {
    auto st = w.prepare(kInsertJournal);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, j.kind).bind(2, j.currency).bind(3, j.from).bind(4, j.to).bind(5, j.amount_minor)
        .bind(6, j.reference).bind(7, j.window_id).bind(8, j.created_us);
    DELTRAN_TRY(w.done(*st, "insert journal"));
  }
  for (const auto& win : b.windows) {
    auto st = w.prepare(kUpsertWindow);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, win.id).bind(2, win.currency).bind(3, to_string(win.status)).bind(4, win.opened_us)
        .bind(5, win.closed_us).bind(6, win.payment_count).bind(7, win.gross_minor)
        .bind(8, win.net_minor).bind(9, win.bilateral_minor).bind(10, win.efficiency_ppm)
        .bind(11, win.bilateral_efficiency_ppm);
    DELTRAN_TRY(w.done(*st, "upsert window"));
    for (const auto& pos : win.positions) {
      auto ps = w.prepare(kInsertPosition);
      if (!ps) return tl::unexpected(ps.error());
      ps->bind(1, win.id).bind(2, pos.bank).bind(3, pos.net_minor);
      DELTRAN_TRY(w.done(*ps, "insert position"));
    }
  }
  for (const auto& [window_id, when] : b.settled_windows) {
    auto st = w.prepare(kSettleWindow);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, when).bind(2, window_id);
    DELTRAN_TRY(w.done(*st, "settle payments"));
  }
  for (const auto& c : b.cases) {
    auto st = w.prepare(kUpsertCase);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, c.id).bind(2, c.payment_id).bind(3, c.debtor_agent).bind(4, c.creditor_agent)
        .bind(5, to_string(c.status)).bind(6, c.score).bind(7, c.reasons).bind(8, c.decided_by).bind(9, c.note)
        .bind(10, c.created_us).bind(11, c.decided_us);
    DELTRAN_TRY(w.done(*st, "upsert case"));
  }
  for (const auto& r : b.aml_reports) {
    auto st = w.prepare(kInsertAmlReport);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, r.id).bind(2, r.kind).bind(3, r.payment_id).bind(4, r.debtor_agent).bind(5, r.creditor_agent)
        .bind(6, r.debtor).bind(7, r.creditor).bind(8, r.currency).bind(9, r.amount_minor).bind(10, r.amount_usd_minor)
        .bind(11, r.score).bind(12, r.rules).bind(13, r.narrative).bind(14, r.created_us);
    DELTRAN_TRY(w.done(*st, "insert AML report"));
  }
  for (const auto& u : b.payment_updates) {
    auto st = w.prepare(kUpdatePayment);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, to_string(u.status)).bind(2, u.reason).bind(3, u.reason_text).bind(4, u.window_id)
        .bind(5, u.updated_us).bind(6, u.id);
    DELTRAN_TRY(w.done(*st, "update payment"));
  }
  for (const auto& [participant, currency, cap] : b.caps) {
    auto st = w.prepare(kUpsertCap);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, participant).bind(2, currency).bind(3, cap);
    DELTRAN_TRY(w.done(*st, "upsert net debit cap"));
  }
  for (const auto& l : b.limits) {
    auto st = w.prepare(kUpsertLimit);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, l.participant).bind(2, l.currency).bind_optional(3, l.single_payment_max_minor)
        .bind_optional(4, l.daily_volume_max_minor);
    DELTRAN_TRY(w.done(*st, "upsert limits"));
  }
  for (const auto& a : b.audit) {
    auto st = w.prepare(kInsertAudit);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, a.seq).bind(2, a.created_us).bind(3, a.actor).bind(4, a.action).bind(5, a.entity)
        .bind(6, a.detail).bind(7, a.prev_hash).bind(8, a.hash);
    DELTRAN_TRY(w.done(*st, "insert audit"));
  }
  return {};
}

Result<std::vector<PositionRow>> SqliteStore::read_positions(Connection& c, int64_t window_id) {
  auto st = c.prepare("SELECT bank, net_minor FROM window_positions WHERE window_id=? ORDER BY bank");
  if (!st) return tl::unexpected(st.error());
  st->bind(1, window_id);
  std::vector<PositionRow> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) out.push_back(PositionRow{st->text(0), st->i64(1)});
  if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "read positions"));
  return out;
}

Result<std::vector<AccountRow>> SqliteStore::read_accounts(Connection& c) {
  auto st = c.prepare("SELECT owner, currency, balance_minor, floor_minor FROM accounts ORDER BY owner, currency");
  if (!st) return tl::unexpected(st.error());
  std::vector<AccountRow> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) out.push_back(AccountRow{st->text(0), st->text(1), st->i64(2), st->i64(3)});
  if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "read accounts"));
  return out;
}

Result<Snapshot> SqliteStore::load(const LoadRange& range) {
  const int64_t since_us = range.day_start_us;
  // Read through the writer connection: the engine calls this from its own thread, before
  // or between batches, so it sees exactly what was committed.
  Connection& c = writer_;
  Snapshot snap;
  {
    auto st = c.prepare("SELECT id, name, country, api_key_hash, currencies, created_us FROM participants ORDER BY id");
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      ParticipantRow p;
      p.id = st->text(0);
      p.name = st->text(1);
      p.country = st->text(2);
      p.api_key_hash = st->text(3);
      p.currencies = split(st->text(4));
      p.created_us = st->i64(5);
      snap.participants.push_back(std::move(p));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load participants"));
  }
  {
    auto st = c.prepare("SELECT participant, currency, cap_minor FROM net_debit_caps");
    if (!st) return tl::unexpected(st.error());
    std::map<std::string, ParticipantRow*> by_id;
    for (auto& p : snap.participants) by_id[p.id] = &p;
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      auto it = by_id.find(st->text(0));
      if (it != by_id.end()) it->second->net_debit_cap_minor[st->text(1)] = st->i64(2);
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load caps"));
  }
  auto accounts = read_accounts(c);
  if (!accounts) return tl::unexpected(accounts.error());
  snap.accounts = std::move(*accounts);
  {
    static const std::string sql = std::string("SELECT ") + kWindowColumns + " FROM windows ORDER BY id";
    auto st = c.prepare(sql);
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) snap.windows.push_back(read_window(*st));
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load windows"));
  }
  for (auto& w : snap.windows) {
    auto pos = read_positions(c, w.id);
    if (!pos) return tl::unexpected(pos.error());
    w.positions = std::move(*pos);
  }
  {
    auto st = c.prepare(
        "SELECT kind, currency, from_owner, to_owner, amount_minor, reference, window_id, created_us "
        "FROM journal WHERE kind IN ('MINT', 'BURN') ORDER BY seq");
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      snap.token_operations.push_back(JournalRow{st->text(0), st->text(1), st->text(2), st->text(3),
                                                 st->i64(4), st->text(5), st->i64(6), st->i64(7)});
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load token operations"));
  }
  {
    auto st = c.prepare(
        "SELECT p.window_id, p.debtor_agent, p.creditor_agent, SUM(p.amount_minor), COUNT(*) "
        "FROM payments p JOIN windows w ON w.id = p.window_id "
        "WHERE w.status='OPEN' AND p.status='QUEUED' "
        "GROUP BY p.window_id, p.debtor_agent, p.creditor_agent "
        "ORDER BY p.window_id, p.debtor_agent, p.creditor_agent");
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      FlowRow f;
      f.window_id = st->i64(0);
      f.debtor_agent = st->text(1);
      f.creditor_agent = st->text(2);
      f.amount_minor = st->i64(3);
      f.count = st->i64(4);
      snap.open_flows.push_back(std::move(f));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load open flows"));
  }
  {
    auto st = c.prepare(
        "SELECT debtor_agent, idempotency_key, request_hash, id, uetr, status, reason, window_id, "
        "reason_text FROM payments WHERE idempotency_key <> ''");
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      IdempotencyRow r;
      r.debtor_agent = st->text(0);
      r.idempotency_key = st->text(1);
      r.request_hash = st->text(2);
      r.payment_id = st->text(3);
      r.uetr = st->text(4);
      r.first_status = parse_payment_status(st->text(5)).value_or(PaymentStatus::kQueued);
      if (r.first_status == PaymentStatus::kSettled) r.first_status = PaymentStatus::kQueued;
      r.reason = st->text(6);
      r.window_id = st->i64(7);
      r.reason_text = st->text(8);
      snap.idempotency.push_back(std::move(r));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load idempotency keys"));
  }
  {
    auto st = c.prepare("SELECT seq, created_us, actor, action, entity, detail, prev_hash, hash FROM audit_log ORDER BY seq DESC LIMIT 1");
    if (!st) return tl::unexpected(st.error());
    int rc = st->step();
    if (rc == SQLITE_ROW) {
      snap.audit_tip = AuditRow{st->i64(0), st->i64(1), st->text(2), st->text(3), st->text(4),
                                st->text(5), st->text(6), st->text(7)};
    } else if (rc != SQLITE_DONE) {
      return tl::unexpected(sqlite_error(c.db(), "load audit tip"));
    }
  }
  {
    static const std::string sql = std::string("SELECT ") + kPaymentColumns + " FROM payments WHERE status = 'HELD'";
    auto st = c.prepare(sql);
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) snap.held_payments.push_back(read_payment(*st));
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load held payments"));
  }
  {
    static const std::string sql = std::string("SELECT ") + kCaseColumns + " FROM compliance_cases WHERE status = 'OPEN'";
    auto st = c.prepare(sql);
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) snap.open_cases.push_back(read_case(*st));
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load open cases"));
    auto mx = c.prepare("SELECT COALESCE(MAX(id), 0) FROM compliance_cases");
    if (!mx) return tl::unexpected(mx.error());
    if (mx->step() == SQLITE_ROW) snap.max_case_id = mx->i64(0);
  }
  {
    auto st = c.prepare("SELECT participant, currency, single_payment_max_minor, daily_volume_max_minor FROM participant_limits");
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      LimitRow l;
      l.participant = st->text(0);
      l.currency = st->text(1);
      if (!st->is_null(2)) l.single_payment_max_minor = st->i64(2);
      if (!st->is_null(3)) l.daily_volume_max_minor = st->i64(3);
      snap.limits.push_back(std::move(l));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load limits"));
  }
  {
    auto st = c.prepare(
        "SELECT debtor_agent, currency, SUM(amount_minor), COUNT(*) FROM payments "
        "WHERE created_us >= ? AND status IN ('QUEUED', 'SETTLED') GROUP BY debtor_agent, currency");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, since_us);
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      snap.volumes_since.push_back(VolumeRow{st->text(0), st->text(1), st->i64(2), st->i64(3)});
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load daily volumes"));
  }
  {
    auto st = c.prepare("SELECT status, COUNT(*) FROM payments GROUP BY status");
    if (!st) return tl::unexpected(st.error());
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) snap.processed_by_status[st->text(0)] = st->i64(1);
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "count payments"));
  }
  // The controls' memory: aggregated in SQL so start-up memory follows distinct parties,
  // not the number of payments.
  constexpr const char* kAccepted = "status IN ('QUEUED', 'SETTLED', 'HELD')";
  constexpr const char* kFailed = "(status = 'REJECTED' AND reason IN ('AM04', 'AM02', 'AM14', 'MS03'))";
  auto read_history = [&](const std::string& sql, int64_t bound, std::vector<HistoryRow>& out,
                          const char* what) -> Status {
    auto st = c.prepare(sql);
    if (!st) return tl::unexpected(st.error());
    st->bind(1, bound);
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      HistoryRow h;
      h.debtor_agent = st->text(0);
      h.creditor_agent = st->text(1);
      h.debtor_name = st->text(2);
      h.debtor_account = st->text(3);
      h.creditor_name = st->text(4);
      h.creditor_account = st->text(5);
      h.currency = st->text(6);
      h.amount_minor = st->i64(7);
      h.status = parse_payment_status(st->text(8)).value_or(PaymentStatus::kQueued);
      h.reason = st->text(9);
      h.created_us = st->i64(10);
      out.push_back(std::move(h));
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), what));
    return {};
  };
  constexpr const char* kHistoryColumns =
      "debtor_agent, creditor_agent, debtor_name, debtor_account, creditor_name, creditor_account, currency, "
      "amount_minor, status, reason, created_us";
  DELTRAN_TRY(read_history(std::string("SELECT ") + kHistoryColumns + " FROM payments WHERE created_us >= ? AND " +
                               kAccepted + " ORDER BY created_us, seq",
                           range.recent_since_us, snap.recent, "load recent payments"));
  DELTRAN_TRY(read_history(std::string("SELECT debtor_agent, creditor_agent, debtor_name, debtor_account, creditor_name, "
                                       "creditor_account, '', 0, 'QUEUED', '', MAX(created_us) FROM payments "
                                       "WHERE created_us >= ? AND ") + kAccepted +
                               " GROUP BY debtor_agent, creditor_agent, debtor_name, debtor_account, creditor_name, "
                               "creditor_account",
                           range.history_since_us, snap.pairs, "load counterparty pairs"));
  DELTRAN_TRY(read_history(std::string("SELECT ") + kHistoryColumns + " FROM payments WHERE created_us >= ? AND " +
                               kFailed + " ORDER BY created_us, seq",
                           range.history_since_us, snap.failures, "load failed payments"));
  {
    auto st = c.prepare((std::string("SELECT debtor_agent, created_us / 86400000000, COUNT(*), SUM(") + kFailed +
                         ") FROM payments WHERE created_us >= ? AND (" + kAccepted + " OR " + kFailed +
                         ") GROUP BY 1, 2").c_str());
    if (!st) return tl::unexpected(st.error());
    st->bind(1, range.history_since_us);
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) {
      snap.participant_days.push_back(ParticipantDayRow{st->text(0), st->i64(1), st->i64(2), st->i64(3)});
    }
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load participant days"));
  }
  {
    auto st = c.prepare("SELECT id, kind, payment_id, debtor_agent, creditor_agent, debtor, creditor, currency, "
                        "amount_minor, amount_usd_minor, score, rules, '', created_us FROM aml_reports "
                        "WHERE kind = 'SAR' AND created_us >= ? ORDER BY id");
    if (!st) return tl::unexpected(st.error());
    st->bind(1, range.recent_since_us);
    int rc;
    while ((rc = st->step()) == SQLITE_ROW) snap.recent_sars.push_back(read_aml_report(*st));
    if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(c.db(), "load recent SARs"));
    auto mx = c.prepare("SELECT COALESCE(MAX(id), 0) FROM aml_reports");
    if (!mx) return tl::unexpected(mx.error());
    if (mx->step() == SQLITE_ROW) snap.max_report_id = mx->i64(0);
  }
  return snap;
}

Result<std::vector<PaymentRow>> SqliteStore::list_payments(const PaymentFilter& f) {
  auto conn = acquire();
  // The participant filter is a UNION of the debtor and creditor indexes so each side is
  // an index range scan in seq order, not a table scan.
  static const std::string where =
      " WHERE seq < ?1 AND (?2 = '' OR status = ?2) AND (?3 = '' OR currency = ?3) "
      "AND (?4 = 0 OR window_id = ?4)";
  static const std::string all_sql =
      std::string("SELECT ") + kPaymentColumns + " FROM payments" + where + " ORDER BY seq DESC LIMIT ?5";
  static const std::string party_sql =
      std::string("SELECT * FROM (SELECT ") + kPaymentColumns + " FROM payments" + where +
      " AND debtor_agent = ?6 UNION SELECT " + kPaymentColumns + " FROM payments" + where +
      " AND creditor_agent = ?6) ORDER BY seq DESC LIMIT ?5";
  auto st = conn->prepare(f.participant.empty() ? all_sql : party_sql);
  if (!st) return tl::unexpected(st.error());
  std::string status = f.status ? to_string(*f.status) : "";
  st->bind(1, f.before_seq > 0 ? f.before_seq : INT64_MAX).bind(2, status).bind(3, f.currency)
      .bind(4, f.window_id).bind(5, int64_t{f.limit});
  if (!f.participant.empty()) st->bind(6, f.participant);
  std::vector<PaymentRow> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) out.push_back(read_payment(*st));
  if (rc != SQLITE_DONE) return tl::unexpected(sqlite_error(conn->db(), "list payments"));
  return out;
}

}  // namespace

Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteSettings& settings) {
  if (sqlite3_threadsafe() == 0) {
    return make_error(ErrorCode::kInternal, "SQLite was built without thread support");
  }
  auto store = std::make_unique<SqliteStore>(settings);
  if (auto st = store->init(); !st) return tl::unexpected(st.error());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace deltran::store
