// grad_check — compares autograd gradients of a tensor function with central differences.
//
// grad_check(fn, inputs) copies the inputs to float64 leaves, computes L = Σ fn(x) ⊙ r for a fixed
// random r (so a gradient in the wrong place cannot cancel out), backpropagates, and compares every
// element of every input's gradient with (L(x + ε) − L(x − ε)) / 2ε. A value matches when
// |analytic − numeric| <= atol + rtol · |numeric|.
//   Requires: fn maps tensors shaped like `inputs` to one tensor that depends smoothly on them
//             near the given point (no ties in max, no kinks of relu at the inputs).
//   Ensures:  ok is true iff every element matches; message names the input, index and values of
//             each mismatch (up to ten).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "minitorch/tensor/tensor.h"

namespace minitorch {

struct GradCheckResult {
  bool ok = true;
  std::string message;
};

using TensorFunction = std::function<Tensor(const std::vector<Tensor>&)>;

GradCheckResult grad_check(const TensorFunction& fn, const std::vector<Tensor>& inputs,
                           double eps = 1e-6, double atol = 1e-5, double rtol = 1e-4);

}  // namespace minitorch
