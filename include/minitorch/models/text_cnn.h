// models::TextCNN — Kim's convolutional network for sentence classification (2014):
//   embedding Embedding(vocab, E) → for each filter width k: Conv1d(E, F, k) → ReLU → max over
//   time → concatenate the widths → Dropout(p) → fc Linear(F · widths, classes)
// Defaults follow the paper: widths 3, 4, 5 with 100 filters each, dropout 0.5. The convolutions
// are children of a ModuleList, so the state_dict reads embedding.weight, convs.0.weight, ...,
// fc.weight as the usual PyTorch module does.
// forward takes token ids [B, L] (integral values, e.g. from data::Vocabulary) and returns logits
// [B, classes].
//   Requires: L >= the widest filter (Error otherwise); ids in [0, vocab_size).
// The constructor requires positive sizes, vocab_size at most models::kMaxVocabSize and
// parameters of at most models::kMaxParameterBytes in all (minitorch/models/limits.h).
#pragma once

#include <memory>
#include <vector>

#include "minitorch/models/model_init.h"
#include "minitorch/nn/conv.h"
#include "minitorch/nn/dropout.h"
#include "minitorch/nn/embedding.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/module.h"
#include "minitorch/nn/module_list.h"

namespace minitorch::models {

struct TextCNNOptions {
  std::int64_t vocab_size = 0;
  std::int64_t embedding_dim = 64;
  std::vector<std::int64_t> filter_widths{3, 4, 5};
  std::int64_t filters = 100;
  double dropout = 0.5;
  std::int64_t num_classes = 2;
};

class TextCNN : public nn::Layer {
 public:
  explicit TextCNN(TextCNNOptions options, ModelInit init = {});
  Tensor forward(const Tensor& tokens) override;

  std::shared_ptr<nn::Embedding> embedding;
  std::shared_ptr<nn::ModuleList<nn::Conv1d>> convs;
  std::shared_ptr<nn::Dropout> dropout;
  std::shared_ptr<nn::Linear> fc;

 private:
  std::int64_t widest_;
};

}  // namespace minitorch::models
