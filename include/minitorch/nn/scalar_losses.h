// Losses over Scalars.
//
// binary_cross_entropy(p, y) = -(y · log p + (1 - y) · log(1 - p)), with each log clamped below at
// -100 as PyTorch does, so a saturated prediction gives a large finite loss, never inf or NaN.
//   Requires: p in [0, 1] (a probability, e.g. a sigmoid output); y in [0, 1].
#pragma once

#include "minitorch/scalar/scalar.h"

namespace minitorch::nn {

Scalar binary_cross_entropy(const Scalar& p, double y);

}  // namespace minitorch::nn
