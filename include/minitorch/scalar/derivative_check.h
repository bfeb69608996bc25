// derivative_check — compares backpropagated derivatives of a Scalar function with central
// differences.
//
// derivative_check(f, xs) builds leaf Scalars from xs, runs f(leaves).backward(), and compares each
// leaf's grad() with central_difference of f at xs (f evaluated on constants). A derivative
// matches when |analytic - numeric| <= atol + rtol · |numeric| (MiniTorch's 1e-2 / 1e-2 by
// default).
//   Requires: f maps std::vector<Scalar> of xs.size() values to a Scalar that depends on them.
//   Ensures:  ok is true iff every derivative matches; message lists every mismatch otherwise.
#pragma once

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "minitorch/autodiff/central_difference.h"
#include "minitorch/scalar/scalar.h"

namespace minitorch {

struct DerivativeCheckResult {
  bool ok = true;
  std::string message;
};

template <class F>
DerivativeCheckResult derivative_check(F&& f, const std::vector<double>& xs, double rtol = 1e-2,
                                       double atol = 1e-2, double eps = 1e-6) {
  std::vector<Scalar> leaves;
  for (double x : xs) leaves.emplace_back(x);
  f(leaves).backward();

  auto on_constants = [&](const std::vector<double>& values) {
    std::vector<Scalar> constants;
    for (double v : values) constants.push_back(Scalar::constant(v));
    return f(constants).data();
  };

  DerivativeCheckResult result;
  std::ostringstream mismatches;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const double numeric = central_difference(on_constants, xs, i, eps);
    const double analytic = leaves[i].grad();
    if (!(std::abs(analytic - numeric) <= atol + rtol * std::abs(numeric))) {
      result.ok = false;
      mismatches << "argument " << i << " at x = " << xs[i] << ": backward gave " << analytic
                 << ", central difference gave " << numeric << "\n";
    }
  }
  result.message = mismatches.str();
  return result;
}

}  // namespace minitorch
