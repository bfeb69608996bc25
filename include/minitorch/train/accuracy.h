// Correct predictions of a batch, counted one way for every task the training loop runs.
#pragma once

#include "minitorch/tensor/tensor.h"

namespace minitorch::train {

// Rows of class scores logits [N, classes] whose argmax is the label in targets [N].
long count_correct(const Tensor& logits, const Tensor& targets);
// Probabilities of class 1, p [N], on the side of 0.5 that the 0/1 label in targets [N] is.
long count_correct_binary(const Tensor& probabilities, const Tensor& targets);

}  // namespace minitorch::train
