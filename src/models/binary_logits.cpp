#include "minitorch/models/binary_logits.h"

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::models {

BinaryLogits::BinaryLogits(std::shared_ptr<nn::Layer> inner) : inner_(std::move(inner)) {
  if (!inner_) throw Error("BinaryLogits: the wrapped model is null");
  for (const auto& p : inner_->local_parameters()) register_parameter(p.name, p.value);
  for (const auto& [name, child] : inner_->named_children()) register_module(name, child);
}

Tensor BinaryLogits::forward(const Tensor& x) {
  // The adopted children follow this module's mode; the wrapped module's own flag must too.
  if (inner_->is_training() != is_training()) inner_->train(is_training());
  const Tensor z = inner_->forward(x);
  if (z.dim() != 2 || z.size(1) != 1) {
    throw Error("BinaryLogits: the wrapped model returned shape " + shape_to_string(z.shape()) +
                "; expected [B, 1], one logit per input");
  }
  return cat({zeros_like(z), z}, 1);
}

}  // namespace minitorch::models
