#include "minitorch/nn/losses.h"

#include <cmath>
#include <limits>

#include "minitorch/core/error.h"
#include "minitorch/nn/functional.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn::functional {
namespace {

void require_same_shape(const Tensor& input, const Tensor& target, const char* loss) {
  if (input.shape() != target.shape()) {
    throw Error(std::string(loss) + ": input of shape " + shape_to_string(input.shape()) +
                " and target of shape " + shape_to_string(target.shape()) +
                " differ; expected equal shapes");
  }
}

// max(log x, -100) as PyTorch clamps it. The input is first raised to the smallest positive value
// of its dtype, so that x = 0 yields a finite log (still clamped to -100) and a zero gradient
// instead of 0 · (1/0) = NaN.
Tensor clamped_log(const Tensor& x) {
  const double smallest = x.dtype() == kFloat32 ? std::numeric_limits<float>::denorm_min()
                                                : std::numeric_limits<double>::denorm_min();
  const TensorOptions options = options_like(x);
  return x.maximum(full({}, smallest, options)).log().maximum(full({}, -100.0, options));
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target) {
  require_same_shape(input, target, "mse_loss");
  const Tensor diff = input - target;
  return (diff * diff).mean();
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target) {
  require_same_shape(input, target, "binary_cross_entropy");
  return -(target * clamped_log(input) + (1.0 - target) * clamped_log(1.0 - input)).mean();
}

Tensor binary_cross_entropy_with_logits(const Tensor& logits, const Tensor& target) {
  require_same_shape(logits, target, "binary_cross_entropy_with_logits");
  // max(x, 0) and |x| both take their x >= 0 branch at x = 0, so that their one-sided derivatives
  // there add up to the smooth loss's σ(0) - t (1 - t - ½); relu(x) + relu(-x) as |x| had
  // derivative 0 at 0 and lost the kink's contribution.
  const Tensor negative = logits.detach() < 0.0;
  const Tensor positive_part = where(negative, zeros({}, options_like(logits)), logits);
  const Tensor magnitude = where(negative, -logits, logits);
  return (positive_part - logits * target + ((-magnitude).exp() + 1.0).log()).mean();
}

Tensor nll_loss(const Tensor& log_probs, const Tensor& target) {
  if (log_probs.dim() != 2 || target.dim() != 1 || target.size(0) != log_probs.size(0)) {
    throw Error("nll_loss: input of shape " + shape_to_string(log_probs.shape()) +
                " and target of shape " + shape_to_string(target.shape()) +
                "; expected [N, C] and [N]");
  }
  const std::int64_t classes = log_probs.size(1);
  const auto labels = target.to_vector();
  for (std::size_t n = 0; n < labels.size(); ++n) {
    const double label = labels[n];
    if (label != std::floor(label) || label < 0 || label >= double(classes)) {
      throw Error("nll_loss: target[" + std::to_string(n) + "] = " + std::to_string(label) +
                  "; expected a class index in [0, " + std::to_string(classes) + ")");
    }
  }
  // The target's one-hot mask picks each row's log-probability.
  const Tensor positions = arange(double(classes), options_like(log_probs)).view({1, classes});
  // reshape, not view: a target of any layout (a column, an expanded label) is accepted.
  const Tensor mask = positions.eq(target.detach().reshape({-1, 1}).to(log_probs.dtype()));
  return -(log_probs * mask).sum() / double(std::max<std::int64_t>(log_probs.size(0), 1));
}

Tensor cross_entropy(const Tensor& logits, const Tensor& target) {
  return nll_loss(log_softmax(logits, 1), target);
}

}  // namespace minitorch::nn::functional
