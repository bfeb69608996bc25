// rapidcheck generators shared by the property tests.
#pragma once

#include <rapidcheck.h>

namespace minitorch::testing {

// Doubles in [low, high] on a grid of 1e-3, so shrinking finds short counterexamples.
inline rc::Gen<double> doubles_in(double low, double high) {
  const int lo = static_cast<int>(low * 1000);
  const int hi = static_cast<int>(high * 1000);
  return rc::gen::map(rc::gen::inRange(lo, hi + 1), [](int i) { return i / 1000.0; });
}

inline rc::Gen<double> small_doubles() {
  return doubles_in(-100.0, 100.0);
}

// Values of magnitude in [min_abs, max_abs], either sign.
inline rc::Gen<double> away_from_zero(double min_abs, double max_abs) {
  return rc::gen::map(
      rc::gen::pair(doubles_in(min_abs, max_abs), rc::gen::arbitrary<bool>()),
      [](const std::pair<double, double>& p) { return p.second ? p.first : -p.first; });
}

}  // namespace minitorch::testing
