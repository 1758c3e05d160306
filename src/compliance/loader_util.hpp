#pragma once
// Private: small helpers the list loaders share.
#include <cctype>
#include <string>
#include <string_view>

#include <deltran/compliance/watchlist.hpp>
#include <deltran/core/result.hpp>

namespace deltran::compliance::detail {

inline constexpr size_t kMaxWarnings = 5;

// At most kMaxWarnings messages are kept: the counts say how many there were.
inline void warn(LoadStats& stats, std::string message) {
  if (stats.warnings.size() < kMaxWarnings) stats.warnings.push_back(std::move(message));
}

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Key for "is this the same name": ASCII case folded, runs of whitespace collapsed.
inline std::string name_key(std::string_view s) {
  std::string out;
  bool space = false;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

// Reads a list file whole, refusing files above kMaxListFileBytes (list_loader.cpp).
[[nodiscard]] Result<std::string> read_file(const std::string& path);

// Reads `path`, parses it with `parse`, names the file in an error and records the source
// as "<format>:<path>".
template <typename Parse>
[[nodiscard]] Result<Watchlist> load_with(const std::string& path, std::string_view format, Parse&& parse) {
  auto data = read_file(path);
  if (!data) return tl::unexpected(data.error());
  Result<Watchlist> list = parse(std::string_view(*data));
  if (!list) return make_error(list.error().code, path + ": " + list.error().message);
  list->source = std::string(format) + ":" + path;
  return list;
}

}  // namespace deltran::compliance::detail
