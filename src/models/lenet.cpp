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

  const auto conv = [&](std::int64_t in, std::int64_t out) {
    return nn::Conv2dOptions(in, out, 5).dtype(init.dtype).generator(init.generator);
  };
  const auto linear = [&](std::int64_t in, std::int64_t out) {
    return nn::LinearOptions(in, out).dtype(init.dtype).generator(init.generator);
  };
  conv1 = register_module("conv1",
                          std::make_shared<nn::Conv2d>(conv(options.in_channels, 6).padding(2)));
  conv2 = register_module("conv2", std::make_shared<nn::Conv2d>(conv(6, 16)));
  fc1 = register_module("fc1", std::make_shared<nn::Linear>(linear(flat, 120)));
  fc2 = register_module("fc2", std::make_shared<nn::Linear>(linear(120, 84)));
  fc3 = register_module("fc3", std::make_shared<nn::Linear>(linear(84, options.num_classes)));
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
