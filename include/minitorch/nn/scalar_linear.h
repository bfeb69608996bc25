// nn::ScalarLinear — a fully connected layer whose every weight is a Scalar (MiniTorch module 1).
//
// forward(x) = [Σ_i x_i · w_ij + b_j for j in 0..out) with one Scalar parameter per weight and
// bias, registered as "weight_i_j" and "bias_j" (MiniTorch's names). Initialisation follows
// MiniTorch: every weight and bias uniform in [-1, 1) from the given Generator.
//   Requires: in_features, out_features > 0; forward's input has in_features values (else Error).
#pragma once

#include <string>
#include <vector>

#include "minitorch/core/generator.h"
#include "minitorch/module/basic_module.h"
#include "minitorch/scalar/scalar.h"

namespace minitorch::nn {

class ScalarLinear : public BasicModule<Scalar> {
 public:
  ScalarLinear(int in_features, int out_features, Generator& generator);

  std::vector<Scalar> forward(const std::vector<Scalar>& x) const;

  int in_features() const { return in_features_; }
  int out_features() const { return out_features_; }
  std::string extra_repr() const override;

 private:
  int in_features_;
  int out_features_;
  std::vector<std::vector<Scalar>> weight_;  // [in][out]
  std::vector<Scalar> bias_;                 // [out]
};

}  // namespace minitorch::nn
