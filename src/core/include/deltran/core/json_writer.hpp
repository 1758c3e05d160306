#pragma once
// Appends JSON text directly: responses are built on the hot path, and writing them
// without an intermediate DOM keeps a 202 reply to a few hundred nanoseconds and lets
// ratios such as efficiency print as plain decimals.
#include <cstdint>
#include <string>
#include <string_view>

#include <deltran/core/text.hpp>

namespace deltran {

class JsonWriter {
 public:
  JsonWriter& begin_object() { sep(); out_ += '{'; first_ = true; return *this; }
  JsonWriter& end_object() { out_ += '}'; first_ = false; return *this; }
  JsonWriter& begin_array() { sep(); out_ += '['; first_ = true; return *this; }
  JsonWriter& end_array() { out_ += ']'; first_ = false; return *this; }
  JsonWriter& key(std::string_view k) {
    sep();
    append_json_string(out_, k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonWriter& string(std::string_view v) { sep(); append_json_string(out_, v); return *this; }
  JsonWriter& number(int64_t v) { sep(); out_ += std::to_string(v); return *this; }
  JsonWriter& boolean(bool v) { sep(); out_ += v ? "true" : "false"; return *this; }
  JsonWriter& null() { sep(); out_ += "null"; return *this; }
  // A number already formatted as JSON (e.g. "0.754385").
  JsonWriter& raw_number(std::string_view v) { sep(); out_ += v; return *this; }

  JsonWriter& field(std::string_view k, std::string_view v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, const char* v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, const std::string& v) { return key(k).string(v); }
  JsonWriter& field(std::string_view k, int64_t v) { return key(k).number(v); }

  std::string take() { return std::move(out_); }
  const std::string& str() const { return out_; }

 private:
  void sep() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string out_;
  bool first_ = true;
  bool after_key_ = false;
};

}  // namespace deltran
