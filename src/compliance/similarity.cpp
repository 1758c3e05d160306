#include <deltran/compliance/similarity.hpp>

#include <algorithm>
#include <array>
#include <cstdint>

namespace deltran::compliance {
namespace {

// Classic O(|a|·window) Jaro with fixed buffers: tokens are short (the normaliser caps
// them at 40 characters by default), so no allocation and no bit tricks are needed.
constexpr size_t kMaxLen = 256;

double jaro_impl(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  a = a.substr(0, kMaxLen);
  b = b.substr(0, kMaxLen);
  if (a.size() > b.size()) std::swap(a, b);
  const size_t window = b.size() / 2 >= 1 ? b.size() / 2 - 1 : 0;
  std::array<bool, kMaxLen> b_matched{};
  std::array<uint8_t, kMaxLen> a_chars{};
  size_t matches = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const size_t lo = i > window ? i - window : 0;
    const size_t hi = std::min(b.size(), i + window + 1);
    for (size_t j = lo; j < hi; ++j) {
      if (!b_matched[j] && a[i] == b[j]) {
        b_matched[j] = true;
        a_chars[matches++] = static_cast<uint8_t>(a[i]);
        break;
      }
    }
  }
  if (matches == 0) return 0.0;
  size_t k = 0, half_transpositions = 0;
  for (size_t j = 0; j < b.size(); ++j) {
    if (!b_matched[j]) continue;
    if (static_cast<uint8_t>(b[j]) != a_chars[k]) ++half_transpositions;
    ++k;
  }
  const double m = static_cast<double>(matches);
  const double t = static_cast<double>(half_transpositions / 2);
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) + (m - t) / m) / 3.0;
}

}  // namespace

double jaro(std::string_view a, std::string_view b) { return jaro_impl(a, b); }

double jaro_winkler(std::string_view a, std::string_view b) {
  const double j = jaro_impl(a, b);
  if (j <= 0.7) return j;
  size_t prefix = 0;
  const size_t limit = std::min<size_t>({4, a.size(), b.size()});
  while (prefix < limit && a[prefix] == b[prefix]) ++prefix;
  return j + 0.1 * static_cast<double>(prefix) * (1.0 - j);
}

bool one_edit_apart(std::string_view a, std::string_view b) {
  if (a == b) return true;
  if (a.size() > b.size()) std::swap(a, b);
  if (b.size() - a.size() > 1) return false;
  size_t i = 0;
  while (i < a.size() && a[i] == b[i]) ++i;
  if (a.size() == b.size()) {
    if (a.substr(i + 1) == b.substr(i + 1)) return true;  // substitution
    return i + 1 < a.size() && a[i] == b[i + 1] && a[i + 1] == b[i] && a.substr(i + 2) == b.substr(i + 2);
  }
  return a.substr(i) == b.substr(i + 1);  // one letter more in b
}

bool within_two_edits(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  if ((n > m ? n - m : m - n) > 2 || n > 40 || m > 40) return false;
  // The prefix extended by two letters is another name (Baganda / Bagandaru).
  const std::string_view shorter = n < m ? a : b, longer = n < m ? b : a;
  if (longer.size() == shorter.size() + 2 && longer.substr(0, shorter.size()) == shorter) return false;
  // Optimal string alignment, three rows (i - 2, i - 1, i); a row whose best cell is past
  // two ends it.
  std::array<std::array<uint8_t, 41>, 3> row{};
  for (size_t j = 0; j <= m; ++j) row[1][j] = static_cast<uint8_t>(j);
  for (size_t i = 1; i <= n; ++i) {
    auto& cur = row[(i + 1) % 3];
    const auto& prev = row[i % 3];
    const auto& prev2 = row[(i + 2) % 3];
    cur[0] = static_cast<uint8_t>(i);
    uint8_t best = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      const uint8_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      uint8_t v = std::min<uint8_t>({static_cast<uint8_t>(prev[j] + 1), static_cast<uint8_t>(cur[j - 1] + 1),
                                     static_cast<uint8_t>(prev[j - 1] + cost)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) v = std::min<uint8_t>(v, prev2[j - 2] + 1);
      cur[j] = v;
      best = std::min(best, v);
    }
    if (best > 2) return false;
  }
  return row[(n + 1) % 3][m] <= 2;
}

}  // namespace deltran::compliance
