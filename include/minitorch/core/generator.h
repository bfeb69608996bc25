// Generator — a small seeded pseudo-random number generator (xoshiro256**, seeded by splitmix64).
//
// Why our own: std::uniform_real_distribution is implementation-defined, so the same seed could
// give different data sets and initialisations with another standard library. This generator gives
// the same numbers for the same seed on every platform, which the determinism contract relies on.
//   Requires: nothing; any 64-bit seed is valid.
//   Ensures:  uniform() is in [0, 1) with 53 random bits; the sequence depends only on the seed and
//             the calls made; state() / set_state() save and restore the position exactly.
#pragma once

#include <array>
#include <cstdint>

namespace minitorch {

class Generator {
 public:
  using State = std::array<std::uint64_t, 4>;

  explicit Generator(std::uint64_t seed = 0) { manual_seed(seed); }

  void manual_seed(std::uint64_t seed);

  // Next raw 64-bit value.
  std::uint64_t next_u64();

  // Uniform double in [0, 1).
  double uniform();

  // Uniform double in [low, high).
  double uniform(double low, double high) { return low + (high - low) * uniform(); }

  // Standard normal sample (Box–Muller; one sample per call, no cached pair, so state stays
  // simple).
  double normal();

  const State& state() const { return state_; }
  void set_state(const State& state) { state_ = state; }

 private:
  State state_{};
};

}  // namespace minitorch
