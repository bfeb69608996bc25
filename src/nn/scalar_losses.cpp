#include "minitorch/nn/scalar_losses.h"

#include <limits>

namespace minitorch::nn {
namespace {

// max(log x, -100) as PyTorch clamps it. The input is first raised to the smallest positive
// double, so that x = 0 yields a finite log (still clamped to -100) and a zero gradient instead of
// 0 · (1/0) = NaN.
Scalar clamped_log(const Scalar& x) {
  const Scalar smallest = Scalar::constant(std::numeric_limits<double>::denorm_min());
  return max(max(x, smallest).log(), Scalar::constant(-100.0));
}

}  // namespace

Scalar binary_cross_entropy(const Scalar& p, double y) {
  // Skipping a term whose weight is 0 keeps the graph small for hard labels.
  if (y == 1.0) return -clamped_log(p);
  if (y == 0.0) return -clamped_log(1.0 - p);
  return -(y * clamped_log(p) + (1.0 - y) * clamped_log(1.0 - p));
}

}  // namespace minitorch::nn
