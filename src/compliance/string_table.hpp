#pragma once
// Private: an immutable open-addressing map from short strings to uint32 values, built
// once and probed on the screening hot path (a probe is one hash and usually one compare,
// with no allocation; std::unordered_map costs a node hop per lookup).
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace deltran::compliance::detail {

inline uint64_t hash_bytes(std::string_view s) {
  uint64_t h = 1469598103934665603ull ^ (s.size() * 0x9E3779B97F4A7C15ull);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0x100000001B3ull;
    h ^= h >> 29;
  }
  for (; i < s.size(); ++i) h = (h ^ static_cast<unsigned char>(s[i])) * 0x100000001B3ull;
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

class StringTable {
 public:
  static constexpr uint32_t kMissing = 0xFFFFFFFFu;

  // Keys must be distinct.
  void build(const std::vector<std::string>& keys, const std::vector<uint32_t>& values) {
    arena_.clear();
    offsets_.clear();
    lengths_.clear();
    vals_.clear();
    size_t cap = 16;
    while (cap < keys.size() * 2) cap *= 2;
    mask_ = cap - 1;
    slots_.assign(cap, kMissing);
    for (size_t k = 0; k < keys.size(); ++k) {
      offsets_.push_back(static_cast<uint32_t>(arena_.size()));
      lengths_.push_back(static_cast<uint32_t>(keys[k].size()));
      arena_.append(keys[k]);
      vals_.push_back(values[k]);
      size_t pos = hash_bytes(keys[k]) & mask_;
      while (slots_[pos] != kMissing) pos = (pos + 1) & mask_;
      slots_[pos] = static_cast<uint32_t>(k);
    }
  }

  uint32_t find(std::string_view key) const {
    if (slots_.empty()) return kMissing;
    size_t pos = hash_bytes(key) & mask_;
    while (true) {
      const uint32_t k = slots_[pos];
      if (k == kMissing) return kMissing;
      if (lengths_[k] == key.size() &&
          std::memcmp(arena_.data() + offsets_[k], key.data(), key.size()) == 0)
        return vals_[k];
      pos = (pos + 1) & mask_;
    }
  }

  size_t size() const { return vals_.size(); }

 private:
  std::string arena_;
  std::vector<uint32_t> offsets_;
  std::vector<uint32_t> lengths_;
  std::vector<uint32_t> vals_;
  std::vector<uint32_t> slots_;
  size_t mask_ = 0;
};

}  // namespace deltran::compliance::detail
