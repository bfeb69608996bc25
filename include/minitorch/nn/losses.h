// Loss functions over tensors, mean-reduced as PyTorch's defaults.
//
// mse_loss(input, target)             mean((input - target)²)
// binary_cross_entropy(input, target) mean(-(t·log p + (1 - t)·log(1 - p))), each log clamped at
//                                     -100 as PyTorch does, so saturated predictions stay finite.
// binary_cross_entropy_with_logits(x, t)
//                                     the same on sigmoid(x), computed stably as
//                                     mean(max(x, 0) - x·t + log(1 + e^-|x|))
// nll_loss(log_probs, target)         -mean(log_probs[n, target[n]]) for log_probs [N, C] and
//                                     class indices target [N] (stored as values of the dtype,
//                                     in any layout: a column, a transposed row, an expanded one)
// cross_entropy(logits, target)       nll_loss(log_softmax(logits, 1), target)
//   Requires: input and target of equal shape and dtype for the first three (else Error naming
//             both shapes); for binary_cross_entropy, input in [0, 1]; for nll_loss and
//             cross_entropy, a 2-D input and integer targets in [0, C) (else Error naming the
//             offending target).
#pragma once

#include "minitorch/tensor/tensor.h"

namespace minitorch::nn::functional {

Tensor mse_loss(const Tensor& input, const Tensor& target);
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target);
Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target);
Tensor nll_loss(const Tensor& log_probs, const Tensor& target);
Tensor cross_entropy(const Tensor& logits, const Tensor& target);

}  // namespace minitorch::nn::functional
