#include "minitorch/models/mlp.h"

#include "minitorch/core/error.h"
#include "size_checks.h"

namespace minitorch::models {

MLP::MLP(const std::vector<std::int64_t>& sizes, ModelInit init) {
  if (sizes.size() < 2) throw Error("MLP: needs at least an input and an output size");
  detail::ParameterBudget budget("MLP", init.dtype);
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    budget.add("layer" + std::to_string(i + 1), {sizes[i + 1], sizes[i]}, sizes[i + 1]);
  }
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i) {
    layers_.push_back(
        register_module("layer" + std::to_string(i + 1),
                        std::make_shared<nn::Linear>(nn::LinearOptions(sizes[i], sizes[i + 1])
                                                         .dtype(init.dtype)
                                                         .generator(init.generator))));
  }
}

Tensor MLP::forward(const Tensor& x) {
  // Images and other [B, ...] inputs enter as rows of features, as after torch.nn.Flatten.
  Tensor y = x.dim() > 2 ? x.reshape({x.size(0), -1}) : x;
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    y = layers_[i]->forward(y);
    if (i + 1 < layers_.size()) y = y.relu();
  }
  return y;
}

}  // namespace minitorch::models
