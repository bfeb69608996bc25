// models::LeNet — LeNet-5 with ReLU and 2×2 max-pooling, as PyTorch tutorials write it:
//   conv1 Conv2d(C, 6, 5, padding 2) → ReLU → MaxPool2d(2) → conv2 Conv2d(6, 16, 5) → ReLU →
//   MaxPool2d(2) → flatten → fc1 Linear(16·5·5, 120) → ReLU → fc2 Linear(120, 84) → ReLU →
//   fc3 Linear(84, classes)
// for 28×28 inputs (other sizes change fc1's input: 16 · ((H/2 − 4)/2) · ((W/2 − 4)/2)).
// Parameters are named as that PyTorch module's state_dict: conv1.weight, ..., fc3.bias.
// forward returns logits [B, classes]; inputs are expected normalised by the training set's mean
// and standard deviation (the data loader does it).
//   Requires: x of shape [B, C, H, W] matching the constructor (Error from the layers otherwise);
//             images large enough for both convolutions (H, W >= 12); C, H, W and the
//             parameters within the limits of minitorch/models/limits.h (Error naming them).
#pragma once

#include <memory>

#include "minitorch/models/model_init.h"
#include "minitorch/nn/conv.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/module.h"

namespace minitorch::models {

struct LeNetOptions {
  std::int64_t in_channels = 1;
  std::int64_t height = 28, width = 28;
  std::int64_t num_classes = 10;
};

class LeNet : public nn::Layer {
 public:
  explicit LeNet(LeNetOptions options = {}, ModelInit init = {});
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<nn::Conv2d> conv1, conv2;
  std::shared_ptr<nn::Linear> fc1, fc2, fc3;
};

}  // namespace minitorch::models
