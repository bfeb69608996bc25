// nn::Embedding — a table of num_embeddings vectors of size embedding_dim ("weight"), looked up
// by index (tensor embedding()); initialised N(0, 1) as torch.nn.Embedding.
//   Embedding(n, d) or Embedding(EmbeddingOptions(n, d).dtype(kFloat64)), as LibTorch.
//   Requires: positive sizes (Error at construction otherwise); indices as embedding() requires.
#pragma once

#include <cstdint>
#include <string>

#include "minitorch/core/error.h"
#include "minitorch/core/generator.h"
#include "minitorch/nn/expanding_array.h"
#include "minitorch/nn/module.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn {

class EmbeddingOptions {
 public:
  EmbeddingOptions(std::int64_t num_embeddings, std::int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}

  MINITORCH_ARG(std::int64_t, num_embeddings);
  MINITORCH_ARG(std::int64_t, embedding_dim);
  MINITORCH_ARG(Dtype, dtype) = kFloat32;
  MINITORCH_ARG(Generator*, generator) = nullptr;  // null: default_generator()
};

class Embedding : public Layer {
 public:
  explicit Embedding(EmbeddingOptions embedding_options) : options(embedding_options) {
    const std::int64_t n = options.num_embeddings();
    const std::int64_t d = options.embedding_dim();
    if (n <= 0 || d <= 0) {
      throw Error("Embedding: sizes must be positive, got num_embeddings = " + std::to_string(n) +
                  " and embedding_dim = " + std::to_string(d));
    }
    weight = register_parameter("weight",
                                randn({n, d}, {.dtype = options.dtype()}, options.generator()));
  }
  Embedding(std::int64_t num_embeddings, std::int64_t embedding_dim)
      : Embedding(EmbeddingOptions(num_embeddings, embedding_dim)) {}

  // indices: row numbers as values of the weight's dtype, any shape -> [indices..., dim]
  Tensor forward(const Tensor& indices) override { return embedding(weight, indices); }
  std::string extra_repr() const override {
    return std::to_string(options.num_embeddings()) + ", " +
           std::to_string(options.embedding_dim());
  }

  EmbeddingOptions options;
  Tensor weight;
};

}  // namespace minitorch::nn
