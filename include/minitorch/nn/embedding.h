// nn::Embedding — a table of num_embeddings vectors of size embedding_dim ("weight"), looked up
// by index (tensor embedding()); initialised N(0, 1) as torch.nn.Embedding.
//   Requires: positive sizes (Error otherwise); indices as embedding() requires.
#pragma once

#include <string>

#include "minitorch/core/error.h"
#include "minitorch/nn/module.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn {

class Embedding : public Layer {
 public:
  Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim, Dtype dtype = kFloat32,
            Generator* generator = nullptr) {
    if (num_embeddings <= 0 || embedding_dim <= 0) {
      throw Error("Embedding: sizes must be positive, got " + std::to_string(num_embeddings) +
                  " and " + std::to_string(embedding_dim));
    }
    weight = register_parameter(
        "weight", randn({num_embeddings, embedding_dim}, {.dtype = dtype}, generator));
  }
  // indices: row numbers as values of the weight's dtype, any shape -> [indices..., dim]
  Tensor forward(const Tensor& indices) override { return embedding(weight, indices); }
  std::string extra_repr() const override {
    return std::to_string(weight.size(0)) + ", " + std::to_string(weight.size(1));
  }

  Tensor weight;
};

}  // namespace minitorch::nn
