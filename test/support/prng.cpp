#include <deltran/testsupport/prng.hpp>

#include <bit>
#include <cmath>

#include <deltran/core/assert.hpp>

namespace deltran::testsupport {

namespace {

uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
  return z ^ (z >> 31);
}


}  // namespace

Prng::Prng(uint64_t seed) {
  // SplitMix64 is a bijection of its counter, so four outputs are never all zero (the one
  // state xoshiro cannot leave).
  uint64_t state = seed;
  for (uint64_t& word : s_) word = splitmix64(state);
}

uint64_t Prng::next() {
  const uint64_t result = std::rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = std::rotl(s_[3], 45);
  return result;
}

double Prng::uniform01() {
  return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

// Lemire's multiply-shift: the high word of x * bound is uniform once the few low words
// below 2^64 mod bound are rejected; the modulo runs only when a rejection is possible.
uint64_t Prng::below(uint64_t bound) {
  DELTRAN_ASSERT(bound > 0, "below() needs a positive bound");
  unsigned __int128 product = static_cast<unsigned __int128>(next()) * bound;
  auto low = static_cast<uint64_t>(product);
  if (low < bound) {
    const uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(next()) * bound;
      low = static_cast<uint64_t>(product);
    }
  }
  return static_cast<uint64_t>(product >> 64);
}

// Marsaglia's polar method: needs only log and sqrt (sqrt is correctly rounded under
// IEEE 754), so fewer libm differences than Box-Muller's cos. The second variate is
// dropped because the class keeps no cache beyond the generator state.
double Prng::normal() {
  for (;;) {
    const double u = 2.0 * uniform01() - 1.0;
    const double v = 2.0 * uniform01() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

size_t Prng::zipf(size_t n, double s) {
  DELTRAN_ASSERT(n > 0, "zipf() needs a non-empty range");
  // Inverse-CDF over the harmonic weights; n is small (name pools), so a linear scan is fine.
  double total = 0;
  for (size_t r = 0; r < n; ++r) total += 1.0 / std::pow(static_cast<double>(r + 1), s);
  double x = uniform01() * total;
  for (size_t r = 0; r < n; ++r) {
    x -= 1.0 / std::pow(static_cast<double>(r + 1), s);
    if (x < 0) return r;
  }
  return n - 1;
}

}  // namespace deltran::testsupport
