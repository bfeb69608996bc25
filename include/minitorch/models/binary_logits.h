// models::BinaryLogits — a binary classifier with one output seen as a two-class classifier.
//
// A binary classifier trained with sigmoid and binary cross-entropy outputs one logit z per input,
// p = sigmoid(z) = P(class 1). BinaryLogits(inner) answers the two-class logits [0, z] instead:
// their softmax is [1 − p, p], so code written for class logits (cross-entropy, softmax, argmax,
// top-k, serving) takes a binary model unchanged.
// It adds no level to the names: the wrapped model's children and parameters are adopted under
// their own names, so its state_dict holds "layer1.weight", not "inner.layer1.weight", and a
// state_dict saved from the wrapped model loads into the wrapper.
//   Requires: a non-null inner model whose forward returns [B, 1] (else Error naming the shape).
//   Ensures:  forward(x) is [B, 2] of inner's dtype, row i = [0, inner(x)[i, 0]].
#pragma once

#include <memory>

#include "minitorch/nn/module.h"

namespace minitorch::models {

class BinaryLogits : public nn::Layer {
 public:
  explicit BinaryLogits(std::shared_ptr<nn::Layer> inner);
  Tensor forward(const Tensor& x) override;

  const std::shared_ptr<nn::Layer>& inner() const { return inner_; }

 private:
  std::shared_ptr<nn::Layer> inner_;
};

}  // namespace minitorch::models
