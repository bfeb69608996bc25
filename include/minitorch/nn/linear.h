// nn::Linear — y = x Wᵀ + b over the last dimension, as torch.nn.Linear.
//
// weight has shape [out_features, in_features], bias [out_features] (named "weight" and "bias").
// Initialisation is PyTorch's default: every weight and bias uniform in [-1/√in, 1/√in), drawn
// from the options' generator or the default one (see manual_seed).
//   Linear(in, out) or Linear(LinearOptions(in, out).bias(false).dtype(kFloat64)), as LibTorch.
//   Requires: in_features, out_features > 0 (Error at construction); x's last dimension is
//             in_features (else Error).
#pragma once

#include <cstdint>
#include <string>

#include "minitorch/core/generator.h"
#include "minitorch/nn/expanding_array.h"
#include "minitorch/nn/module.h"
#include "minitorch/storage/dtype.h"

namespace minitorch::nn {

class LinearOptions {
 public:
  LinearOptions(std::int64_t in_features, std::int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}

  MINITORCH_ARG(std::int64_t, in_features);
  MINITORCH_ARG(std::int64_t, out_features);
  MINITORCH_ARG(bool, bias) = true;
  MINITORCH_ARG(Dtype, dtype) = kFloat32;
  MINITORCH_ARG(Generator*, generator) = nullptr;  // null: default_generator()
};

class Linear : public Layer {
 public:
  explicit Linear(LinearOptions options);
  Linear(std::int64_t in_features, std::int64_t out_features)
      : Linear(LinearOptions(in_features, out_features)) {}

  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;  // undefined without bias
};

}  // namespace minitorch::nn
