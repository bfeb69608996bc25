// rapidcheck generators shared by the property tests.
#pragma once

#include <rapidcheck.h>

#include <cstdint>

#include "minitorch/storage/shape.h"

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

// A uniform draw from [low, high). rapidcheck's inRange narrows the range while the test size is
// small (most of the first cases would sit at `low`); fixing the size keeps every case full-range.
template <class T>
rc::Gen<T> uniform(T low, T high) {
  return rc::gen::resize(rc::kNominalSize, rc::gen::inRange<T>(low, high));
}

// Random shapes with min_dims..max_dims dimensions of sizes min_size..max_size.
inline rc::Gen<Shape> shapes(int min_dims = 1, int max_dims = 4, std::int64_t min_size = 1,
                             std::int64_t max_size = 5) {
  return rc::gen::mapcat(uniform(min_dims, max_dims + 1), [=](int ndim) {
    return rc::gen::container<Shape>(static_cast<std::size_t>(ndim),
                                     uniform<std::int64_t>(min_size, max_size + 1));
  });
}

// A broadcast target of `shape` (use inside a property): up to 3 leading dims inserted, some
// size-1 dims replaced by other sizes.
inline Shape broadcast_target(const Shape& shape) {
  auto target = *rc::gen::container<Shape>(static_cast<std::size_t>(*uniform(0, 3)),
                                           uniform<std::int64_t>(1, 5));
  for (auto size : shape) {
    target.push_back(size == 1 && *rc::gen::arbitrary<bool>() ? *uniform<std::int64_t>(1, 5)
                                                              : size);
  }
  return target;
}

}  // namespace minitorch::testing
