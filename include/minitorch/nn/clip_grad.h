// clip_grad_norm_ — scales the gradients of `parameters` in place so that their joint L2 norm is
// at most max_norm, as torch.nn.utils.clip_grad_norm_ (scale max_norm / (norm + 1e-6) when the
// norm exceeds max_norm). Returns the norm before clipping. Parameters without a gradient are
// ignored. Requires max_norm > 0 (Error otherwise).
#pragma once

#include <vector>

#include "minitorch/tensor/tensor.h"

namespace minitorch::nn {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm);

}  // namespace minitorch::nn
