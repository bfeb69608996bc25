#include "minitorch/nn/linear.h"

#include <cmath>

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn {
namespace {

Tensor uniform(const Shape& shape, double bound, const LinearOptions& options) {
  return rand(shape, {.dtype = options.dtype}, options.generator) * (2.0 * bound) - bound;
}

}  // namespace

Linear::Linear(std::int64_t in_features, std::int64_t out_features, LinearOptions options)
    : in_features_(in_features), out_features_(out_features) {
  if (in_features <= 0 || out_features <= 0) {
    throw Error("Linear: in_features and out_features must be positive, got " +
                std::to_string(in_features) + " and " + std::to_string(out_features));
  }
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  weight = register_parameter("weight", uniform({out_features, in_features}, bound, options));
  if (options.bias) bias = register_parameter("bias", uniform({out_features}, bound, options));
}

Tensor Linear::forward(const Tensor& x) {
  if (x.dim() == 0 || x.size(-1) != in_features_) {
    throw Error(
        "Linear: input of shape " + shape_to_string(x.shape()) +
        "; expected the last dimension to be in_features = " + std::to_string(in_features_));
  }
  const Tensor y = x.matmul(weight.transpose(0, 1));
  return bias.defined() ? y + bias : y;
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_) +
         ", bias=" + (bias.defined() ? "True" : "False");
}

}  // namespace minitorch::nn
