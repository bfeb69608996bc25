#include "minitorch/models/lenet.h"

#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"
#include "size_checks.h"

namespace minitorch::models {
namespace {

// The side of the feature map after conv(5, pad 2) → pool 2 → conv(5) → pool 2.
std::int64_t feature_side(std::int64_t side) {
  return (side / 2 - 4) / 2;
}

}  // namespace

LeNet::LeNet(LeNetOptions options, ModelInit init) {
  detail::check_image_input("LeNet", options.in_channels, options.height, options.width);
  if (feature_side(options.height) < 1 || feature_side(options.width) < 1) {
    throw Error("LeNet: images of " + std::to_string(options.height) + "x" +
                std::to_string(options.width) + " are too small; expected at least 12x12");
  }
  // Bounded by the checks above: at most 16 · 4094 · 4094.
  const std::int64_t flat = 16 * feature_side(options.height) * feature_side(options.width);
  detail::ParameterBudget budget("LeNet", init.dtype);
  budget.add("conv1", {6, options.in_channels, 5, 5}, 6);
  budget.add("conv2", {16, 6, 5, 5}, 16);
  budget.add("fc1", {120, flat}, 120);
  budget.add("fc2", {84, 120}, 84);
  budget.add("fc3", {options.num_classes, 84}, options.num_classes);

  const nn::ConvInit conv_init{.dtype = init.dtype, .generator = init.generator};
  const nn::LinearOptions linear{.dtype = init.dtype, .generator = init.generator};
  conv1 = register_module(
      "conv1",
      std::make_shared<nn::Conv2d>(options.in_channels, 6, std::array<std::int64_t, 2>{5, 5},
                                   nn::functional::Conv2dOptions{.padding = {2, 2}}, conv_init));
  conv2 = register_module("conv2",
                          std::make_shared<nn::Conv2d>(6, 16, std::array<std::int64_t, 2>{5, 5},
                                                       nn::functional::Conv2dOptions{}, conv_init));
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(flat, 120, linear));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(120, 84, linear));
  fc3 = register_module("fc3", std::make_shared<nn::Linear>(84, options.num_classes, linear));
}

Tensor LeNet::forward(const Tensor& x) {
  namespace F = nn::functional;
  Tensor y = F::max_pool2d(conv1->forward(x).relu(), {2, 2});
  y = F::max_pool2d(conv2->forward(y).relu(), {2, 2});
  y = y.reshape({y.size(0), -1});
  y = fc2->forward(fc1->forward(y).relu()).relu();
  return fc3->forward(y);
}

}  // namespace minitorch::models
