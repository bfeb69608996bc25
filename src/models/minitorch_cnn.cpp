#include "minitorch/models/minitorch_cnn.h"

#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"

namespace minitorch::models {

MiniTorchCNN::MiniTorchCNN(MiniTorchCNNOptions options, ModelInit init) {
  if (options.height < 4 || options.width < 4 || options.height % 4 != 0 ||
      options.width % 4 != 0) {
    throw Error("MiniTorchCNN: images of " + std::to_string(options.height) + "x" +
                std::to_string(options.width) +
                "; expected a height and width that are multiples of 4");
  }
  const nn::ConvInit conv_init{.dtype = init.dtype, .generator = init.generator};
  const nn::LinearOptions linear{.dtype = init.dtype, .generator = init.generator};
  const nn::functional::Conv2dOptions same{.padding = {1, 1}};
  conv1 = register_module(
      "conv1", std::make_shared<nn::Conv2d>(options.in_channels, 4,
                                            std::array<std::int64_t, 2>{3, 3}, same, conv_init));
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(
                                       4, 8, std::array<std::int64_t, 2>{3, 3}, same, conv_init));
  const std::int64_t flat = 8 * (options.height / 4) * (options.width / 4);
  linear1 = register_module("linear1", std::make_shared<nn::Linear>(flat, 64, linear));
  dropout =
      register_module("dropout", std::make_shared<nn::Dropout>(options.dropout, init.generator));
  linear2 =
      register_module("linear2", std::make_shared<nn::Linear>(64, options.num_classes, linear));
}

Tensor MiniTorchCNN::forward(const Tensor& x) {
  Tensor y = conv2->forward(conv1->forward(x).relu()).relu();
  y = nn::functional::avg_pool2d(y, {4, 4});
  y = y.reshape({y.size(0), -1});
  y = dropout->forward(linear1->forward(y).relu());
  return linear2->forward(y);
}

}  // namespace minitorch::models
