// Loss functions over tensors, mean-reduced as PyTorch's defaults.
//
// mse_loss(input, target)             mean((input - target)²)
// binary_cross_entropy(input, target) mean(-(t·log p + (1 - t)·log(1 - p))), each log clamped at
//                                     -100 as PyTorch does, so saturated predictions stay finite.
//   Requires: input and target of equal shape and dtype (else Error naming both shapes); for
//             binary_cross_entropy, input in [0, 1] (probabilities).
#pragma once

#include "minitorch/tensor/tensor.h"

namespace minitorch::nn::functional {

Tensor mse_loss(const Tensor& input, const Tensor& target);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target);

}  // namespace minitorch::nn::functional
