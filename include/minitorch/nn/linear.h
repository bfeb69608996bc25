// nn::Linear — y = x Wᵀ + b over the last dimension, as torch.nn.Linear.
//
// weight has shape [out_features, in_features], bias [out_features] (named "weight" and "bias").
// Initialisation is PyTorch's default: every weight and bias uniform in [-1/√in, 1/√in), drawn
// from the given generator or the default one (see manual_seed).
//   Requires: in_features, out_features > 0; x's last dimension is in_features (else Error).
#pragma once

#include "minitorch/core/generator.h"
#include "minitorch/nn/module.h"
#include "minitorch/tensor/dtype.h"

namespace minitorch::nn {

struct LinearOptions {
  bool bias = true;
  Dtype dtype = kFloat32;
  Generator* generator = nullptr;  // null: default_generator()
};

class Linear : public Layer {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features, LinearOptions options = {});

  Tensor forward(const Tensor& x) override;
  std::string extra_repr() const override;

  Tensor weight;
  Tensor bias;  // undefined without bias

 private:
  std::int64_t in_features_;
  std::int64_t out_features_;
};

}  // namespace minitorch::nn
