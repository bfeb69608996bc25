// nn::Dropout — functional::dropout as a layer: active in training mode, the identity in eval mode
// (module.eval()), as torch.nn.Dropout.
//   Dropout(0.25) or Dropout(DropoutOptions(0.25).generator(&g)), as LibTorch; p defaults to 0.5.
//   Requires: 0 <= p <= 1 (Error at construction otherwise).
#pragma once

#include <string>

#include "minitorch/core/error.h"
#include "minitorch/core/generator.h"
#include "minitorch/nn/expanding_array.h"
#include "minitorch/nn/functional.h"
#include "minitorch/nn/module.h"

namespace minitorch::nn {

class DropoutOptions {
 public:
  DropoutOptions(double p = 0.5) : p_(p) {}  // NOLINT: implicit, as LibTorch's

  MINITORCH_ARG(double, p);
  MINITORCH_ARG(Generator*, generator) = nullptr;  // null: default_generator()
};

class Dropout : public Layer {
 public:
  explicit Dropout(DropoutOptions dropout_options = {}) : options(dropout_options) {
    if (!(options.p() >= 0.0 && options.p() <= 1.0)) {
      throw Error("Dropout: p = " + std::to_string(options.p()) + "; expected a value in [0, 1]");
    }
  }
  Tensor forward(const Tensor& x) override {
    return functional::dropout(x, options.p(), is_training(), options.generator());
  }
  std::string extra_repr() const override { return "p=" + std::to_string(options.p()); }

  DropoutOptions options;
};

}  // namespace minitorch::nn
