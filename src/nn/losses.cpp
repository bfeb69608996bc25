#include "minitorch/nn/losses.h"

#include <limits>

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn::functional {
namespace {

void require_same_shape(const Tensor& input, const Tensor& target, const char* loss) {
  if (input.shape() != target.shape()) {
    throw Error(std::string(loss) + ": input of shape " + shape_to_string(input.shape()) +
                " and target of shape " + shape_to_string(target.shape()) +
                " differ; expected equal shapes");
  }
}

// max(log x, -100) as PyTorch clamps it. The input is first raised to the smallest positive value
// of its dtype, so that x = 0 yields a finite log (still clamped to -100) and a zero gradient
// instead of 0 · (1/0) = NaN.
Tensor clamped_log(const Tensor& x) {
  const double smallest = x.dtype() == kFloat32 ? std::numeric_limits<float>::denorm_min()
                                                : std::numeric_limits<double>::denorm_min();
  const TensorOptions options = options_like(x);
  return x.maximum(full({}, smallest, options)).log().maximum(full({}, -100.0, options));
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target) {
  require_same_shape(input, target, "mse_loss");
  const Tensor diff = input - target;
  return (diff * diff).mean();
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target) {
  require_same_shape(input, target, "binary_cross_entropy");
  return -(target * clamped_log(input) + (1.0 - target) * clamped_log(1.0 - input)).mean();
}

}  // namespace minitorch::nn::functional
