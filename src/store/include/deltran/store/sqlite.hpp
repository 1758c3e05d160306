#pragma once
// The embedded store: SQLite in WAL mode, one writer connection (the core's thread), a
// pool of reader connections for the read model, snapshots as files beside the database.
#include <memory>
#include <string>

#include <deltran/core/result.hpp>
#include <deltran/store/commit_log.hpp>
#include <deltran/store/read_model.hpp>

namespace deltran::store {

// One adapter object implements both halves.
class Store : public CommitLog, public ReadModel {};

struct SqliteSettings {
  std::string path;               // database file; created with its schema when missing
  bool synchronous_full = true;   // fsync the WAL on every commit (power-loss durable)
  int reader_connections = 4;
  int busy_timeout_ms = 5000;
  int snapshots_kept = 2;         // <path>.snapshots/<seq>.snap, newest kept
};

[[nodiscard]] Result<std::unique_ptr<Store>> open_sqlite_store(const SqliteSettings& settings);

}  // namespace deltran::store
