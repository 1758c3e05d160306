// The audit anchor as an append-only text file: one line per commit batch,
// "<batch> <last event seq> <chain hash>". Lines are appended with O_APPEND and not synced
// one by one: a process crash keeps them (the page cache), a power loss may drop the last
// few, which leaves the database ahead of its anchor — allowed, the check reports it.
// The opposite, an anchor ahead of the database, means the database lost or dropped
// committed batches, and is refused.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

#include <deltran/store/anchor.hpp>

namespace deltran::store {
namespace {

namespace fs = std::filesystem;

// One line; false when it is not "<int> <int> <64 hex>".
bool parse_line(std::string_view line, AnchorLine& out) {
  size_t a = line.find(' ');
  size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  if (b == std::string_view::npos) return false;
  auto num = [](std::string_view s, int64_t& v) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    return ec == std::errc() && p == s.data() + s.size() && v > 0;
  };
  std::string_view hash = line.substr(b + 1);
  if (!num(line.substr(0, a), out.batch) || !num(line.substr(a + 1, b - a - 1), out.last_seq) || hash.size() != 64) {
    return false;
  }
  for (char c : hash) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  out.hash = std::string(hash);
  return true;
}

class FileAnchor final : public Anchor {
 public:
  FileAnchor(std::string path, int64_t rotate_bytes) : path_(std::move(path)), rotate_bytes_(rotate_bytes) {}
  ~FileAnchor() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status open() {
    if (auto st = drop_torn_tail(); !st) return st;
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd_ < 0) return make_error(ErrorCode::kUnavailable, "cannot open the audit anchor " + path_ + ": " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd_, &st) == 0) size_ = st.st_size;
    return {};
  }

  Status append(const AnchorLine& line) override {
    std::lock_guard lock(mutex_);
    if (size_ >= rotate_bytes_) {
      if (auto st = rotate(); !st) return st;
    }
    std::string text = std::to_string(line.batch) + ' ' + std::to_string(line.last_seq) + ' ' + line.hash + '\n';
    size_t off = 0;
    while (off < text.size()) {
      ssize_t n = ::write(fd_, text.data() + off, text.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return make_error(ErrorCode::kUnavailable, "cannot append to the audit anchor " + path_ + ": " + std::strerror(errno));
      off += static_cast<size_t>(n);
    }
    size_ += static_cast<int64_t>(text.size());
    return {};
  }

  Result<std::vector<AnchorLine>> read_all() override {
    std::lock_guard lock(mutex_);
    std::vector<AnchorLine> out;
    for (const auto& file : files()) {
      std::ifstream in(file);
      std::string line;
      size_t number = 0;
      while (std::getline(in, line)) {
        ++number;
        AnchorLine a;
        if (!parse_line(line, a)) {
          // Only a torn final line of the current file (a crash mid-write) is forgiven.
          if (file == path_ && in.peek() == std::char_traits<char>::eof()) break;
          return make_error(ErrorCode::kInternal, "audit anchor " + file + " line " + std::to_string(number) +
                                                      " is not '<batch> <seq> <hash>'");
        }
        out.push_back(std::move(a));
      }
    }
    return out;
  }

  Result<std::optional<AnchorLine>> last() override {
    std::lock_guard lock(mutex_);
    auto list = files();
    for (auto it = list.rbegin(); it != list.rend(); ++it) {
      if (auto line = last_line_of(*it)) return std::optional<AnchorLine>(std::move(*line));
    }
    return std::optional<AnchorLine>();
  }

 private:
  // Rotated files in order (path.1, path.2 …), then the current one.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (int n = 1;; ++n) {
      std::string rotated = path_ + "." + std::to_string(n);
      if (!fs::exists(rotated)) break;
      out.push_back(rotated);
    }
    out.push_back(path_);
    return out;
  }

  static std::optional<AnchorLine> last_line_of(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::nullopt;
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    const std::streamoff from = std::max<std::streamoff>(0, size - 4096);
    in.seekg(from);
    std::string tail(static_cast<size_t>(size - from), '\0');
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    // The last complete, well-formed line.
    while (!tail.empty()) {
      size_t end = tail.back() == '\n' ? tail.size() - 1 : tail.size();
      size_t start = tail.rfind('\n', end == 0 ? 0 : end - 1);
      start = start == std::string::npos ? 0 : start + 1;
      AnchorLine a;
      if (tail.back() == '\n' && parse_line(std::string_view(tail).substr(start, end - start), a)) return a;
      tail.resize(start == 0 ? 0 : start);  // drop a torn or empty last line
    }
    return std::nullopt;
  }

  // A crash mid-append leaves a last line without its newline: cut it off before appending
  // again, or the next line would be glued to it.
  Status drop_torn_tail() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) return {};
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    if (size <= 0) return {};
    const std::streamoff from = std::max<std::streamoff>(0, size - 4096);
    in.seekg(from);
    std::string tail(static_cast<size_t>(size - from), '\0');
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    if (tail.back() == '\n') return {};
    const size_t nl = tail.rfind('\n');
    const std::streamoff keep = nl == std::string::npos ? from : from + static_cast<std::streamoff>(nl) + 1;
    std::error_code ec;
    fs::resize_file(path_, static_cast<uintmax_t>(keep), ec);
    if (ec) return make_error(ErrorCode::kUnavailable, "cannot repair the audit anchor " + path_ + ": " + ec.message());
    return {};
  }

  Status rotate() {
    int n = 1;
    while (fs::exists(path_ + "." + std::to_string(n))) ++n;
    std::error_code ec;
    fs::rename(path_, path_ + "." + std::to_string(n), ec);
    if (ec) return make_error(ErrorCode::kUnavailable, "cannot rotate the audit anchor " + path_ + ": " + ec.message());
    ::close(fd_);
    fd_ = -1;
    size_ = 0;
    return open();
  }

  std::string path_;
  int64_t rotate_bytes_;
  int fd_ = -1;
  int64_t size_ = 0;
  std::mutex mutex_;
};

}  // namespace

Result<std::unique_ptr<Anchor>> open_file_anchor(const std::string& path, int64_t rotate_bytes) {
  auto anchor = std::make_unique<FileAnchor>(path, rotate_bytes);
  if (auto st = anchor->open(); !st) return tl::unexpected(st.error());
  return std::unique_ptr<Anchor>(std::move(anchor));
}

}  // namespace deltran::store
