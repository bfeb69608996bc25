// Central differences — the numerical derivative every analytic gradient is checked against.
//
// central_difference(f, args, arg, eps) = (f(.., args[arg] + eps, ..) - f(.., args[arg] - eps, ..))
//                                         / (2 eps)
//   Requires: arg < args.size(); f callable with std::vector<double> returning a double or a value
//             with .data() (a Scalar).
//   Ensures:  f is called exactly twice; args is not modified.
#pragma once

#include <string>
#include <vector>

#include "minitorch/core/error.h"

namespace minitorch::autodiff {

template <class R>
double value_of(const R& r) {
  if constexpr (requires { r.data(); }) {
    return static_cast<double>(r.data());
  } else {
    return static_cast<double>(r);
  }
}

template <class F>
double central_difference(F&& f, const std::vector<double>& args, std::size_t arg,
                          double eps = 1e-6) {
  if (arg >= args.size()) {
    throw Error("central_difference: arg " + std::to_string(arg) + " is out of range for " +
                std::to_string(args.size()) + " arguments");
  }
  std::vector<double> up = args;
  std::vector<double> down = args;
  up[arg] += eps;
  down[arg] -= eps;
  return (value_of(f(up)) - value_of(f(down))) / (2.0 * eps);
}

}  // namespace minitorch::autodiff

namespace minitorch {
using autodiff::central_difference;
}  // namespace minitorch
