#include "minitorch/models/scalar_mlp.h"

#include "minitorch/autodiff/grad_mode.h"

namespace minitorch::models {
namespace {

std::vector<Scalar> relu_all(std::vector<Scalar> xs) {
  for (auto& x : xs) x = x.relu();
  return xs;
}

}  // namespace

ScalarMLP::ScalarMLP(int hidden, Generator& generator)
    : layer1_(register_module("layer1", std::make_shared<nn::ScalarLinear>(2, hidden, generator))),
      layer2_(
          register_module("layer2", std::make_shared<nn::ScalarLinear>(hidden, hidden, generator))),
      layer3_(register_module("layer3", std::make_shared<nn::ScalarLinear>(hidden, 1, generator))) {
}

Scalar ScalarMLP::forward(const std::array<Scalar, 2>& x) const {
  auto h1 = relu_all(layer1_->forward({x[0], x[1]}));
  auto h2 = relu_all(layer2_->forward(h1));
  return layer3_->forward(h2)[0].sigmoid();
}

double ScalarMLP::predict(double x1, double x2) const {
  NoGradGuard no_grad;
  return forward({Scalar::constant(x1), Scalar::constant(x2)}).data();
}

}  // namespace minitorch::models
