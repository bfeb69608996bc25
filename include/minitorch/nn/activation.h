// Activation layers without parameters: ReLU, Sigmoid, Tanh (elementwise, as torch.nn).
#pragma once

#include "minitorch/nn/module.h"

namespace minitorch::nn {

class ReLU : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return x.relu(); }
};

class Sigmoid : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return x.sigmoid(); }
};

class Tanh : public Layer {
 public:
  Tensor forward(const Tensor& x) override { return x.tanh(); }
};

}  // namespace minitorch::nn
