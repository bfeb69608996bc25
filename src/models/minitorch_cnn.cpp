#include "minitorch/models/minitorch_cnn.h"

#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"
#include "size_checks.h"

namespace minitorch::models {

MiniTorchCNN::MiniTorchCNN(MiniTorchCNNOptions options, ModelInit init) {
  detail::check_image_input("MiniTorchCNN", options.in_channels, options.height, options.width);
  if (options.height < 4 || options.width < 4 || options.height % 4 != 0 ||
      options.width % 4 != 0) {
    throw Error("MiniTorchCNN: images of " + std::to_string(options.height) + "x" +
                std::to_string(options.width) +
                "; expected a height and width that are multiples of 4");
  }
  // Bounded by the checks above: at most 8 · 4096 · 4096.
  const std::int64_t flat = 8 * (options.height / 4) * (options.width / 4);
  detail::ParameterBudget budget("MiniTorchCNN", init.dtype);
  budget.add("conv1", {4, options.in_channels, 3, 3}, 4);
  budget.add("conv2", {8, 4, 3, 3}, 8);
  budget.add("linear1", {64, flat}, 64);
  budget.add("linear2", {options.num_classes, 64}, options.num_classes);

  // 3x3 windows padded by 1: the "same" size.
  const auto conv = [&](std::int64_t in, std::int64_t out) {
    return nn::Conv2dOptions(in, out, 3).padding(1).dtype(init.dtype).generator(init.generator);
  };
  const auto linear = [&](std::int64_t in, std::int64_t out) {
    return nn::LinearOptions(in, out).dtype(init.dtype).generator(init.generator);
  };
  conv1 = register_module("conv1", std::make_shared<nn::Conv2d>(conv(options.in_channels, 4)));
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(conv(4, 8)));
  linear1 = register_module("linear1", std::make_shared<nn::Linear>(linear(flat, 64)));
  dropout = register_module(
      "dropout",
      std::make_shared<nn::Dropout>(nn::DropoutOptions(options.dropout).generator(init.generator)));
  linear2 =
      register_module("linear2", std::make_shared<nn::Linear>(linear(64, options.num_classes)));
}

Tensor MiniTorchCNN::forward(const Tensor& x) {
  Tensor y = conv2->forward(conv1->forward(x).relu()).relu();
  y = nn::functional::avg_pool2d(y, {4, 4});
  y = y.reshape({y.size(0), -1});
  y = dropout->forward(linear1->forward(y).relu());
  return linear2->forward(y);
}

}  // namespace minitorch::models
