#pragma once
// Private: an immutable open-addressing map from short strings to uint32 values, built
// once and probed on the screening hot path. Most probes are for absent keys (the
// deletion keys of an unseen token), so a bit filter (16 bits per key, one hash: ~6 %
// false positives) answers most of them from a table a tenth the size of the slots; a
// slot keeps 32 bits of the hash, so a probe rarely touches the key bytes.
// std::unordered_map would hop through a node per lookup.
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
    entries_.clear();
    size_t cap = 16;
    while (cap < keys.size() * 2) cap *= 2;
    mask_ = cap - 1;
    slots_.assign(cap, Slot{0, kMissing});
    size_t bits = 1024;
    while (bits < keys.size() * 16) bits *= 2;
    filter_mask_ = bits - 1;
    filter_.assign(bits / 64, 0);
    entries_.reserve(keys.size());
    for (size_t k = 0; k < keys.size(); ++k) {
      entries_.push_back({static_cast<uint32_t>(arena_.size()), static_cast<uint32_t>(keys[k].size()), values[k]});
      arena_.append(keys[k]);
      const uint64_t h = hash_bytes(keys[k]);
      const uint64_t bit = (h >> 20) & filter_mask_;
      filter_[bit / 64] |= 1ull << (bit % 64);
      size_t pos = h & mask_;
      while (slots_[pos].entry != kMissing) pos = (pos + 1) & mask_;
      slots_[pos] = Slot{static_cast<uint32_t>(h >> 32), static_cast<uint32_t>(k)};
    }
  }

  uint32_t find(std::string_view key) const {
    if (slots_.empty()) return kMissing;
    const uint64_t h = hash_bytes(key);
    const uint64_t bit = (h >> 20) & filter_mask_;
    if ((filter_[bit / 64] & (1ull << (bit % 64))) == 0) return kMissing;
    const auto tag = static_cast<uint32_t>(h >> 32);
    size_t pos = h & mask_;
    while (true) {
      const Slot& s = slots_[pos];
      if (s.entry == kMissing) return kMissing;
      if (s.tag == tag) {
        const Entry& e = entries_[s.entry];
        if (e.length == key.size() && std::memcmp(arena_.data() + e.offset, key.data(), key.size()) == 0)
          return e.value;
      }
      pos = (pos + 1) & mask_;
    }
  }

  size_t size() const { return entries_.size(); }

 private:
  struct Slot {
    uint32_t tag;
    uint32_t entry;
  };
  struct Entry {
    uint32_t offset;
    uint32_t length;
    uint32_t value;
  };
  std::string arena_;
  std::vector<Entry> entries_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
  std::vector<uint64_t> filter_;
  uint64_t filter_mask_ = 0;
};

}  // namespace deltran::compliance::detail
