#include "minitorch/nn/linear.h"

#include <cmath>

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn {
namespace {

Tensor uniform(const Shape& shape, double bound, const LinearOptions& options) {
  return rand(shape, {.dtype = options.dtype()}, options.generator()) * (2.0 * bound) - bound;
}

}  // namespace

Linear::Linear(LinearOptions linear_options) : options(std::move(linear_options)) {
  const std::int64_t in = options.in_features();
  const std::int64_t out = options.out_features();
  if (in <= 0 || out <= 0) {
    throw Error("Linear: in_features and out_features must be positive, got " + std::to_string(in) +
                " and " + std::to_string(out));
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(in));
  weight = register_parameter("weight", uniform({out, in}, bound, options));
  if (options.bias()) bias = register_parameter("bias", uniform({out}, bound, options));
}

Tensor Linear::forward(const Tensor& x) {
  if (x.dim() == 0 || x.size(-1) != options.in_features()) {
    throw Error("Linear: input of shape " + shape_to_string(x.shape()) +
                "; expected the last dimension to be in_features = " +
                std::to_string(options.in_features()));
  }
  const Tensor y = x.matmul(weight.transpose(0, 1));
  return bias.defined() ? y + bias : y;
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(options.in_features()) +
         ", out_features=" + std::to_string(options.out_features()) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

}  // namespace minitorch::nn
