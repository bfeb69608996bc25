// models::MiniTorchCNN — the network of MiniTorch's run_mnist_multiclass:
//   conv1 Conv2d(C, 4, 3) → ReLU → conv2 Conv2d(4, 8, 3) → ReLU → AvgPool2d(4) → flatten →
//   linear1 Linear(8·(H/4)·(W/4), 64) → ReLU → Dropout(0.25) → linear2 Linear(64, classes)
// MiniTorch's convolution keeps the image size (it reads zeros past the border), so its flatten is
// 8·7·7 = 392 for 28×28 inputs; here the convolutions pad by one on each side, which keeps the
// size the same way with the window centred. Initialisation is PyTorch's default (MiniTorch draws
// 0.1·(rand − 0.5)), and dropout is off in eval mode (MiniTorch's never turns off, a known quirk).
// forward returns logits [B, classes] (MiniTorch returns their log_softmax; cross_entropy on
// logits is the same loss).
//   Requires: x of shape [B, C, H, W] with H and W multiples of 4, matching the constructor;
//             C, H, W and the parameters within the limits of minitorch/models/limits.h.
#pragma once

#include <memory>

#include "minitorch/models/model_init.h"
#include "minitorch/nn/conv.h"
#include "minitorch/nn/dropout.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/module.h"

namespace minitorch::models {

struct MiniTorchCNNOptions {
  std::int64_t in_channels = 1;
  std::int64_t height = 28, width = 28;
  std::int64_t num_classes = 10;
  double dropout = 0.25;
};

class MiniTorchCNN : public nn::Layer {
 public:
  explicit MiniTorchCNN(MiniTorchCNNOptions options = {}, ModelInit init = {});
  Tensor forward(const Tensor& x) override;

  std::shared_ptr<nn::Conv2d> conv1, conv2;
  std::shared_ptr<nn::Linear> linear1, linear2;
  std::shared_ptr<nn::Dropout> dropout;
};

}  // namespace minitorch::models
