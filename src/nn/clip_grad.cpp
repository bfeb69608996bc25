#include "minitorch/nn/clip_grad.h"

#include <cmath>
#include <string>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"

namespace minitorch::nn {

double clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm) {
  if (!(max_norm > 0.0)) {
    throw Error("clip_grad_norm_: max_norm must be positive, got " + std::to_string(max_norm));
  }
  NoGradGuard no_grad;
  double squares = 0.0;
  for (const auto& p : parameters) {
    if (p.has_grad()) squares += (p.grad() * p.grad()).sum().item();
  }
  const double norm = std::sqrt(squares);
  if (norm > max_norm) {
    const double scale = max_norm / (norm + 1e-6);
    for (const auto& p : parameters) {
      if (p.has_grad()) p.grad().set_data(p.grad() * scale);
    }
  }
  return norm;
}

}  // namespace minitorch::nn
