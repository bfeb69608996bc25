// models::ScalarMLP — MiniTorch's module-1 network for 2-D binary classification:
//   Linear(2, H) → ReLU → Linear(H, H) → ReLU → Linear(H, 1) → sigmoid
// over Scalars, parameters named layer1.*, layer2.*, layer3.*. forward returns P(class 1 | x).
#pragma once

#include <array>
#include <memory>

#include "minitorch/core/generator.h"
#include "minitorch/module/basic_module.h"
#include "minitorch/nn/scalar_linear.h"
#include "minitorch/scalar/scalar.h"

namespace minitorch::models {

class ScalarMLP : public nn::BasicModule<Scalar> {
 public:
  ScalarMLP(int hidden, Generator& generator);

  Scalar forward(const std::array<Scalar, 2>& x) const;
  // Probability for plain coordinates, computed without recording a graph.
  double predict(double x1, double x2) const;

 private:
  std::shared_ptr<nn::ScalarLinear> layer1_, layer2_, layer3_;
};

}  // namespace minitorch::models
