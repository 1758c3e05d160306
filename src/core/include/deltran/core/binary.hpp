#pragma once
// A compact binary encoding for snapshots of the core's state: LEB128 varints, zigzag for
// signed values, length-prefixed bytes. Written here rather than taken from a library
// because a snapshot is a private, versioned dump of our own structs read back by the same
// build family: a schema compiler (protobuf, flatbuffers) would add generated code and a
// build step for what is a few dozen lines. The reader never trusts its input: every read
// is bounds-checked, and a short or malformed buffer turns the reader bad instead of
// reading past the end.
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace deltran {

class BinaryWriter {
 public:
  explicit BinaryWriter(std::string& out) : out_(out) {}

  void u64(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void i64(int64_t v) { u64((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63)); }
  void u32(uint32_t v) { u64(v); }
  void boolean(bool v) { out_.push_back(v ? 1 : 0); }
  void fixed64(uint64_t v) {
    char b[8];
    std::memcpy(b, &v, 8);
    out_.append(b, 8);
  }
  void bytes(std::string_view s) {
    u64(s.size());
    out_.append(s.data(), s.size());
  }
  size_t size() const { return out_.size(); }

 private:
  std::string& out_;
};

class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}

  uint64_t u64() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (pos_ >= in_.size()) return fail();
      uint8_t b = static_cast<uint8_t>(in_[pos_++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return v;
    }
    return fail();
  }
  int64_t i64() {
    uint64_t z = u64();
    return static_cast<int64_t>((z >> 1) ^ (~(z & 1) + 1));
  }
  uint32_t u32() {
    uint64_t v = u64();
    if (v > UINT32_MAX) return static_cast<uint32_t>(fail());
    return static_cast<uint32_t>(v);
  }
  bool boolean() {
    if (pos_ >= in_.size()) return fail() != 0;
    return in_[pos_++] != 0;
  }
  uint64_t fixed64() {
    if (in_.size() - pos_ < 8 || pos_ > in_.size()) return fail();
    uint64_t v;
    std::memcpy(&v, in_.data() + pos_, 8);
    pos_ += 8;
    return v;
  }
  std::string_view bytes() {
    uint64_t n = u64();
    if (!ok_ || n > in_.size() - pos_) {
      fail();
      return {};
    }
    std::string_view s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string str() { return std::string(bytes()); }
  // A count of items about to be read, each taking at least `min_bytes`: larger than what
  // is left means a corrupt buffer, not a reason to allocate.
  size_t count(size_t min_bytes = 1) {
    uint64_t n = u64();
    if (!ok_ || n > (in_.size() - pos_) / (min_bytes == 0 ? 1 : min_bytes)) {
      fail();
      return 0;
    }
    return static_cast<size_t>(n);
  }

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  size_t position() const { return pos_; }

 private:
  uint64_t fail() {
    ok_ = false;
    pos_ = in_.size();
    return 0;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace deltran
