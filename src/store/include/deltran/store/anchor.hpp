#pragma once
// The audit chain's anchor outside the database: after each commit, the batch number, its
// last event sequence and its chain hash are appended to a file beside the store (an
// operator may ship it to write-once storage). A store whose chain was edited, truncated
// or rewritten cannot match the anchor (`deltran check`, and the core on start).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <deltran/core/result.hpp>

namespace deltran::store {

struct AnchorLine {
  int64_t batch = 0;
  int64_t last_seq = 0;
  std::string hash;
};

class Anchor {
 public:
  virtual ~Anchor() = default;
  [[nodiscard]] virtual Status append(const AnchorLine& line) = 0;
  // Every line, oldest first (rotated files first, then the current one).
  [[nodiscard]] virtual Result<std::vector<AnchorLine>> read_all() = 0;
  // The newest line, if any, without reading the whole history.
  [[nodiscard]] virtual Result<std::optional<AnchorLine>> last() = 0;
};

// Appends to `path` (created when missing, 0600). When it passes `rotate_bytes` it is
// renamed to `path.<n>` (n = 1, 2 …) and a new file starts; rotated files are kept.
[[nodiscard]] Result<std::unique_ptr<Anchor>> open_file_anchor(const std::string& path,
                                                               int64_t rotate_bytes = 64LL << 20);

}  // namespace deltran::store
