// libFuzzer target for the ISO 20022 parser (and, through it, the status report emitters).
// Built only with -DDELTRAN_FUZZ=ON and clang:
//   ./iso20022_fuzz -max_total_time=60 /tmp/new_inputs src/iso20022/iso20022_corpus
// iso20022_schema_fuzz is the same target with the official XSDs loaded (DELTRAN_XSD_DIR),
// so the streaming schema validation is fuzzed too.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <deltran/iso20022/parser.hpp>
#include <deltran/iso20022/schema_set.hpp>
#include <deltran/iso20022/status_report.hpp>
#include <deltran/money/currency.hpp>

namespace {

using namespace deltran::iso20022;

const SchemaSet* schemas() {
#ifdef DELTRAN_FUZZ_WITH_SCHEMAS
  static std::shared_ptr<const SchemaSet> loaded = [] {
    auto s = SchemaSet::load(DELTRAN_XSD_DIR);
    if (!s) std::abort();
    return *s;
  }();
  return loaded.get();
#else
  return nullptr;
#endif
}

// What the rail relies on for an accepted transaction.
void check_invariants(const ParsedMessage& m) {
  bool all_accepted = true;
  for (const auto& tx : m.transactions) {
    if (!tx.accepted()) {
      all_accepted = false;
      if (tx.rejection->reason_code.size() != 4) __builtin_trap();
      continue;
    }
    const Payment& p = tx.payment;
    if (p.amount_minor <= 0 || deltran::money::find_currency(p.currency) == nullptr)
      __builtin_trap();
    if (p.end_to_end_id.empty() || p.msg_id != m.header.msg_id) __builtin_trap();
  }
  StatusReport report = status_report_for(m, "FUZZ-1", "2026-11-28T12:00:00Z");
  auto xml = m.header.type == MessageType::kPain001 ? emit_pain002(report) : emit_pacs002(report);
  // Everything in an accepted message was checked on the way in, so the report must emit.
  if (all_accepted && !xml) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  ParseOptions options;
  options.schemas = schemas();
  options.limits.max_bytes = 1u << 20;
  auto parsed = parse_message(xml, options);
  if (parsed) check_invariants(*parsed);
#ifdef DELTRAN_FUZZ_WITH_SCHEMAS
  auto valid = schemas()->validate(xml, options.limits);
  if (!valid && valid.error().message.empty()) __builtin_trap();
#endif
  auto header = read_header(xml, options.limits);
  if (!header) {
    Rejection r = rejection_of(header.error());
    if (r.reason_code.empty()) __builtin_trap();
  }
  return 0;
}
