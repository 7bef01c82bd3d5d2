// sim/internal/split_mix64.h: the sim's own PRNG (not a public API), shared by tracks.cc and
// flight.cc so that a seed gives the same output with any standard library.
#pragma once

#include <cstdint>

namespace deconflict::sim::internal {

// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fully specified, so output is the same
// on every platform. Value type; not thread-safe.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) {
    double unit = static_cast<double>(Next() >> 11) * 0x1.0p-53;
    return lo + (hi - lo) * unit;
  }
  // Uniform integer in [0, n). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t state_;
};

}  // namespace deconflict::sim::internal
