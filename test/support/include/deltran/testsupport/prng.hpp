#pragma once
// The one pseudo-random generator of the test data: xoshiro256** seeded by SplitMix64,
// with our own samplers, because std:: distributions differ across standard libraries and
// a seed must give the same data on every platform. Test support only: nothing in the
// product draws from it.
#include <cstddef>
#include <cstdint>

namespace deltran::testsupport {

class Prng {
 public:
  explicit Prng(uint64_t seed);  // state filled by SplitMix64 from the seed
  uint64_t next();
  double uniform01();              // [0, 1), 53 random bits
  uint64_t below(uint64_t bound);  // uniform in [0, bound), bound > 0, unbiased (Lemire)
  bool chance(double p) { return uniform01() < p; }
  double normal();                 // standard normal (polar method)
  // Zipf-like rank in [0, n): P(rank r) proportional to 1 / (r + 1)^s.
  size_t zipf(size_t n, double s = 1.0);

 private:
  uint64_t s_[4];
};

}  // namespace deltran::testsupport
