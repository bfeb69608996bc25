// nn::Conv1d and nn::Conv2d — convolution layers as torch.nn's: weight [out, in, k] or
// [out, in, kh, kw] and bias [out] (named "weight" and "bias"), PyTorch's default initialisation
// (uniform in ±1/√fan_in, fan_in = in · kernel elements), stride / padding / dilation options.
//   Requires: positive channel counts and kernel sizes (Error otherwise); input shapes as
//             functional::conv1d / conv2d require.
#pragma once

#include <array>
#include <string>

#include "minitorch/core/generator.h"
#include "minitorch/nn/functional.h"
#include "minitorch/nn/module.h"
#include "minitorch/tensor/dtype.h"

namespace minitorch::nn {

struct ConvInit {
  bool bias = true;
  Dtype dtype = kFloat32;
  Generator* generator = nullptr;  // null: default_generator()
};

class Conv2d : public Layer {
 public:
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::array<std::int64_t, 2> kernel,
         functional::Conv2dOptions options = {}, ConvInit init = {});
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Tensor weight;
  Tensor bias;

 private:
  functional::Conv2dOptions options_;
};

class Conv1d : public Layer {
 public:
  Conv1d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
         functional::Conv1dOptions options = {}, ConvInit init = {});
  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Tensor weight;
  Tensor bias;

 private:
  functional::Conv1dOptions options_;
};

}  // namespace minitorch::nn
