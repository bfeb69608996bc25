// nn::Conv1d and nn::Conv2d — convolution layers as torch.nn's: weight [out, in, k] or
// [out, in, kh, kw] and bias [out] (named "weight" and "bias"), PyTorch's default initialisation
// (uniform in ±1/√fan_in, fan_in = in · kernel elements).
//   Conv2d(in, out, 5) or Conv2d(Conv2dOptions(in, out, 5).stride(1).padding(2)), as LibTorch;
//   kernel_size, stride, padding and dilation take one number or one per dimension ({3, 5}).
//   Requires: positive channel counts, kernel sizes, strides and dilations, paddings >= 0 (Error
//             at construction naming the option); input shapes as functional::conv1d / conv2d
//             require.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "minitorch/core/generator.h"
#include "minitorch/nn/expanding_array.h"
#include "minitorch/nn/module.h"
#include "minitorch/storage/dtype.h"

namespace minitorch::nn {

template <std::size_t D>
class ConvOptions {
 public:
  ConvOptions(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}

  MINITORCH_ARG(std::int64_t, in_channels);
  MINITORCH_ARG(std::int64_t, out_channels);
  MINITORCH_ARG(ExpandingArray<D>, kernel_size);
  MINITORCH_ARG(ExpandingArray<D>, stride) = 1;
  MINITORCH_ARG(ExpandingArray<D>, padding) = 0;
  MINITORCH_ARG(ExpandingArray<D>, dilation) = 1;
  MINITORCH_ARG(bool, bias) = true;
  MINITORCH_ARG(Dtype, dtype) = kFloat32;
  MINITORCH_ARG(Generator*, generator) = nullptr;  // null: default_generator()
};

using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

class Conv2d : public Layer {
 public:
  explicit Conv2d(Conv2dOptions options);
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2d(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Conv2dOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};

class Conv1d : public Layer {
 public:
  explicit Conv1d(Conv1dOptions options);
  Conv1d(std::int64_t in_channels, std::int64_t out_channels, ExpandingArray<1> kernel_size)
      : Conv1d(Conv1dOptions(in_channels, out_channels, kernel_size)) {}
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Conv1dOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};

}  // namespace minitorch::nn
