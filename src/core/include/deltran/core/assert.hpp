#pragma once
// Programmer bugs only, never input: DELTRAN_ASSERT is always on (ledger and netting
// invariants), DELTRAN_DASSERT only in debug builds (expensive checks).
namespace deltran {
// __FILE__/__LINE__ rather than std::source_location: clang 14 (the fuzzing compiler on
// Debian 12) has no <source_location>.
[[noreturn]] void assert_fail(const char* expr, const char* message, const char* file, int line);
}

#define DELTRAN_ASSERT(expr, message)                                           \
  do {                                                                          \
    if (!(expr)) [[unlikely]]                                                   \
      ::deltran::assert_fail(#expr, message, __FILE__, __LINE__);               \
  } while (false)

#ifdef NDEBUG
#define DELTRAN_DASSERT(expr, message) \
  do {                                 \
  } while (false)
#else
#define DELTRAN_DASSERT(expr, message) DELTRAN_ASSERT(expr, message)
#endif
