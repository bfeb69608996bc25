// models::MLP — a multi-layer perceptron over tensors: Linear layers with ReLU between them.
//
// MLP({2, 10, 10, 1}) is Linear(2, 10) → ReLU → Linear(10, 10) → ReLU → Linear(10, 1), its layers
// named layer1, layer2, ... (parameters "layer1.weight", ...). forward returns the last layer's
// output (logits); callers apply sigmoid or softmax as their loss requires.
// Inputs with more than two dimensions ([B, C, H, W] images) are flattened to [B, rest] first.
//   Requires: at least two sizes, all positive (else Error); parameters of at most
//             models::kMaxParameterBytes (minitorch/models/limits.h) in all.
#pragma once

#include <memory>
#include <vector>

#include "minitorch/models/model_init.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/module.h"

namespace minitorch::models {

class MLP : public nn::Layer {
 public:
  explicit MLP(const std::vector<std::int64_t>& sizes, ModelInit init = {});
  Tensor forward(const Tensor& x) override;

 private:
  std::vector<std::shared_ptr<nn::Linear>> layers_;
};

}  // namespace minitorch::models
