// Streaming means libxml2's memory does not grow with the number of transactions: this
// binary counts every libxml2 allocation (xmlMemSetup, process-wide, hence its own binary)
// and compares the peak while parsing 1,000 and 20,000 transactions.
#include <libxml/xmlmemory.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/schema_set.hpp>

#include "message_generator.hpp"

namespace deltran::iso20022 {
namespace {

std::atomic<int64_t> g_live{0};
std::atomic<int64_t> g_peak{0};
constexpr size_t kHeader = 16;  // keeps the block size; 16 keeps malloc's alignment

void note(int64_t delta) {
  int64_t now = g_live.fetch_add(delta) + delta;
  int64_t peak = g_peak.load();
  while (now > peak && !g_peak.compare_exchange_weak(peak, now)) {
  }
}

void* counting_malloc(size_t n) {
  auto* block = static_cast<char*>(std::malloc(n + kHeader));
  if (block == nullptr) return nullptr;
  std::memcpy(block, &n, sizeof(n));
  note(static_cast<int64_t>(n));
  return block + kHeader;
}

void counting_free(void* p) {
  if (p == nullptr) return;
  char* block = static_cast<char*>(p) - kHeader;
  size_t n = 0;
  std::memcpy(&n, block, sizeof(n));
  note(-static_cast<int64_t>(n));
  std::free(block);
}

void* counting_realloc(void* p, size_t n) {
  if (p == nullptr) return counting_malloc(n);
  char* block = static_cast<char*>(p) - kHeader;
  size_t old = 0;
  std::memcpy(&old, block, sizeof(old));
  auto* grown = static_cast<char*>(std::realloc(block, n + kHeader));
  if (grown == nullptr) return nullptr;
  std::memcpy(grown, &n, sizeof(n));
  note(static_cast<int64_t>(n) - static_cast<int64_t>(old));
  return grown + kHeader;
}

char* counting_strdup(const char* s) {
  size_t n = std::strlen(s) + 1;
  auto* copy = static_cast<char*>(counting_malloc(n));
  if (copy != nullptr) std::memcpy(copy, s, n);
  return copy;
}

// Before main(), so libxml2 never sees the system allocator.
const bool g_installed =
    xmlMemSetup(counting_free, counting_malloc, counting_realloc, counting_strdup) == 0;

// Peak libxml2 bytes above the current level while parsing `xml`.
int64_t peak_while_parsing(const std::string& xml, const ParseOptions& options, size_t expected) {
  int64_t base = g_live.load();
  g_peak.store(base);
  auto parsed = parse_message(xml, options);
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  if (parsed) {
    EXPECT_EQ(parsed->accepted_count(), expected);
  }
  return g_peak.load() - base;
}

TEST(Memory, LibxmlPeakDoesNotGrowWithTheNumberOfTransactions) {
  ASSERT_TRUE(g_installed);
  auto schemas = SchemaSet::load(DELTRAN_XSD_DIR);
  ASSERT_TRUE(schemas) << schemas.error().message;
  ParseOptions options;
  options.schemas = schemas->get();
  for (bool pacs : {false, true}) {
    std::string small = pacs ? testing::make_pacs008(1'000) : testing::make_pain001(1'000);
    std::string large = pacs ? testing::make_pacs008(20'000) : testing::make_pain001(20'000);
    int64_t small_peak = peak_while_parsing(small, options, 1'000);
    int64_t large_peak = peak_while_parsing(large, options, 20'000);
    RecordProperty(pacs ? "pacs008_peak_20000" : "pain001_peak_20000", std::to_string(large_peak));
    std::printf(
        "%s: libxml2 peak %lld bytes for 1,000 tx (%zu bytes of XML), %lld for 20,000 (%zu "
        "bytes)\n",
        pacs ? "pacs.008" : "pain.001", static_cast<long long>(small_peak), small.size(),
        static_cast<long long>(large_peak), large.size());
    EXPECT_LT(large_peak, small_peak + small_peak / 2)
        << "libxml2 memory grows with the transactions";
    EXPECT_LT(large_peak, static_cast<int64_t>(large.size() / 20));
  }
}

}  // namespace
}  // namespace deltran::iso20022
