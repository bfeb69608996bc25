// nn::Dropout — functional::dropout as a layer: active in training mode, the identity in eval mode
// (module.eval()), as torch.nn.Dropout.
//   Requires: 0 <= p <= 1 (Error otherwise).
#pragma once

#include <string>

#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"
#include "minitorch/nn/module.h"

namespace minitorch::nn {

class Dropout : public Layer {
 public:
  explicit Dropout(double p = 0.5, Generator* generator = nullptr) : p_(p), generator_(generator) {
    if (!(p >= 0.0 && p <= 1.0))
      throw Error("Dropout: p = " + std::to_string(p) + " is not in [0, 1]");
  }
  Tensor forward(const Tensor& x) override {
    return functional::dropout(x, p_, is_training(), generator_);
  }
  std::string extra_repr() const override { return "p=" + std::to_string(p_); }

 private:
  double p_;
  Generator* generator_;
};

}  // namespace minitorch::nn
