#include "minitorch/nn/scalar_linear.h"

#include "minitorch/core/error.h"

namespace minitorch::nn {

ScalarLinear::ScalarLinear(int in_features, int out_features, Generator& generator)
    : in_features_(in_features), out_features_(out_features) {
  if (in_features <= 0 || out_features <= 0) {
    throw Error("ScalarLinear: in_features and out_features must be positive, got " +
                std::to_string(in_features) + " and " + std::to_string(out_features));
  }
  auto uniform_parameter = [&](const std::string& name) {
    return register_parameter(name, Scalar(generator.uniform(-1.0, 1.0)));
  };
  weight_.resize(in_features);
  for (int i = 0; i < in_features; ++i) {
    for (int j = 0; j < out_features; ++j) {
      weight_[i].push_back(
          uniform_parameter("weight_" + std::to_string(i) + "_" + std::to_string(j)));
    }
  }
  for (int j = 0; j < out_features; ++j) {
    bias_.push_back(uniform_parameter("bias_" + std::to_string(j)));
  }
}

std::vector<Scalar> ScalarLinear::forward(const std::vector<Scalar>& x) const {
  if (static_cast<int>(x.size()) != in_features_) {
    throw Error("ScalarLinear: input has " + std::to_string(x.size()) + " values; expected " +
                std::to_string(in_features_));
  }
  std::vector<Scalar> out;
  out.reserve(out_features_);
  for (int j = 0; j < out_features_; ++j) {
    Scalar sum = bias_[j];
    for (int i = 0; i < in_features_; ++i) sum = sum + x[i] * weight_[i][j];
    out.push_back(sum);
  }
  return out;
}

std::string ScalarLinear::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_);
}

}  // namespace minitorch::nn
