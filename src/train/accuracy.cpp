#include "minitorch/train/accuracy.h"

#include "minitorch/autodiff/grad_mode.h"

namespace minitorch::train {

long count_correct(const Tensor& logits, const Tensor& targets) {
  NoGradGuard no_grad;
  const std::vector<double> predicted = logits.detach().argmax(1).to_vector();
  const std::vector<double> truth = targets.to_vector();
  long correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return correct;
}

long count_correct_binary(const Tensor& probabilities, const Tensor& targets) {
  NoGradGuard no_grad;
  return static_cast<long>(((probabilities.detach() > 0.5) == targets).sum().item());
}

}  // namespace minitorch::train
