#include "minitorch/tensor/grad_check.h"

#include <cmath>
#include <sstream>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/tensor/creation.h"

namespace minitorch {
namespace {

std::vector<Tensor> float64_leaves(const std::vector<Tensor>& inputs) {
  std::vector<Tensor> out;
  for (const auto& input : inputs) {
    out.push_back(input.detach().to(kFloat64).clone().detach());
    out.back().requires_grad_(true);
  }
  return out;
}

double weighted_sum(const TensorFunction& fn, const std::vector<Tensor>& xs, const Tensor& r) {
  NoGradGuard no_grad;
  return (fn(xs) * r).sum().item();
}

}  // namespace

GradCheckResult grad_check(const TensorFunction& fn, const std::vector<Tensor>& inputs, double eps,
                           double atol, double rtol) {
  std::vector<Tensor> xs = float64_leaves(inputs);
  const Tensor out = fn(xs);
  Generator generator(12345);
  const Tensor r = rand_like(out.detach().to(kFloat64), &generator) + 0.5;
  // An output without history (a comparison, say) has zero gradient everywhere.
  if (out.requires_grad()) (out * r).sum().backward();

  GradCheckResult result;
  std::ostringstream mismatches;
  int reported = 0;
  Index index;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    const Tensor analytic = xs[i].has_grad() ? xs[i].grad() : zeros_like(xs[i]);
    const Shape& shape = xs[i].shape();
    index.assign(shape.size(), 0);
    for (std::int64_t n = 0; n < xs[i].numel(); ++n) {
      to_index(n, shape, index);
      const double original = xs[i].get(index);
      xs[i].set(index, original + eps);
      const double up = weighted_sum(fn, xs, r);
      xs[i].set(index, original - eps);
      const double down = weighted_sum(fn, xs, r);
      xs[i].set(index, original);
      const double numeric = (up - down) / (2 * eps);
      const double got = analytic.get(index);
      if (!(std::abs(got - numeric) <= atol + rtol * std::abs(numeric))) {
        result.ok = false;
        if (reported++ < 10) {
          mismatches << "input " << i << " at " << shape_to_string(index) << ": backward gave "
                     << got << ", central difference gave " << numeric << "\n";
        }
      }
    }
  }
  result.message = mismatches.str();
  return result;
}

}  // namespace minitorch
