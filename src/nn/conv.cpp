#include "minitorch/nn/conv.h"

#include <cmath>

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn {
namespace {

// PyTorch's default for convolutions: kaiming_uniform(a = √5), i.e. uniform in ±1/√fan_in, for
// the weight and the bias alike.
Tensor uniform(const Shape& shape, std::int64_t fan_in, const ConvInit& init) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  return rand(shape, {.dtype = init.dtype}, init.generator) * (2.0 * bound) - bound;
}

void require_positive(const std::string& layer, std::initializer_list<std::int64_t> sizes) {
  for (auto size : sizes) {
    if (size <= 0) throw Error(layer + ": channel counts and kernel sizes must be positive");
  }
}

}  // namespace

Conv2d::Conv2d(std::int64_t in_channels, std::int64_t out_channels,
               std::array<std::int64_t, 2> kernel, functional::Conv2dOptions options, ConvInit init)
    : options_(options) {
  require_positive("Conv2d", {in_channels, out_channels, kernel[0], kernel[1]});
  const std::int64_t fan_in = in_channels * kernel[0] * kernel[1];
  weight = register_parameter(
      "weight", uniform({out_channels, in_channels, kernel[0], kernel[1]}, fan_in, init));
  if (init.bias) bias = register_parameter("bias", uniform({out_channels}, fan_in, init));
}

Tensor Conv2d::forward(const Tensor& x) {
  return functional::conv2d(x, weight, bias, options_);
}

std::string Conv2d::extra_repr() const {
  auto pair = [](std::array<std::int64_t, 2> v) {
    return "(" + std::to_string(v[0]) + ", " + std::to_string(v[1]) + ")";
  };
  return std::to_string(weight.size(1)) + ", " + std::to_string(weight.size(0)) +
         ", kernel_size=" + pair({weight.size(2), weight.size(3)}) +
         ", stride=" + pair(options_.stride) + ", padding=" + pair(options_.padding);
}

Conv1d::Conv1d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
               functional::Conv1dOptions options, ConvInit init)
    : options_(options) {
  require_positive("Conv1d", {in_channels, out_channels, kernel});
  const std::int64_t fan_in = in_channels * kernel;
  weight = register_parameter("weight", uniform({out_channels, in_channels, kernel}, fan_in, init));
  if (init.bias) bias = register_parameter("bias", uniform({out_channels}, fan_in, init));
}

Tensor Conv1d::forward(const Tensor& x) {
  return functional::conv1d(x, weight, bias, options_);
}

std::string Conv1d::extra_repr() const {
  return std::to_string(weight.size(1)) + ", " + std::to_string(weight.size(0)) +
         ", kernel_size=(" + std::to_string(weight.size(2)) + ",), stride=(" +
         std::to_string(options_.stride) + ",), padding=(" + std::to_string(options_.padding) +
         ",)";
}

}  // namespace minitorch::nn
