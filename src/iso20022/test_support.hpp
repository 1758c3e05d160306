#pragma once
// Helpers shared by the iso20022 tests: the official XSDs (DELTRAN_XSD_DIR) loaded once, and
// the sample messages (DELTRAN_ISO20022_TESTDATA).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include <deltran/iso20022/schema_set.hpp>

namespace deltran::iso20022::testing {

inline const SchemaSet& schemas() {
  static const std::shared_ptr<const SchemaSet> loaded = [] {
    auto s = SchemaSet::load(DELTRAN_XSD_DIR);
    if (!s) {
      std::fprintf(stderr, "cannot load XSDs from %s: %s\n", DELTRAN_XSD_DIR,
                   s.error().message.c_str());
      std::abort();
    }
    return *s;
  }();
  return *loaded;
}

inline std::filesystem::path testdata_dir() { return DELTRAN_ISO20022_TESTDATA; }

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline std::string testdata(const std::string& name) { return read_file(testdata_dir() / name); }

inline ParseOptions with_schemas() {
  ParseOptions o;
  o.schemas = &schemas();
  return o;
}

}  // namespace deltran::iso20022::testing
