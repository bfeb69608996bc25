#include "minitorch/models/text_cnn.h"

#include <algorithm>

#include "minitorch/core/error.h"

namespace minitorch::models {

TextCNN::TextCNN(TextCNNOptions options, ModelInit init) {
  if (options.vocab_size <= 0 || options.embedding_dim <= 0 || options.filters <= 0 ||
      options.num_classes <= 0 || options.filter_widths.empty()) {
    throw Error(
        "TextCNN: vocab_size, embedding_dim, filters and num_classes must be positive and "
        "there must be at least one filter width");
  }
  embedding = register_module(
      "embedding", std::make_shared<nn::Embedding>(options.vocab_size, options.embedding_dim,
                                                   init.dtype, init.generator));
  convs = register_module("convs", std::make_shared<nn::ModuleList<nn::Conv1d>>());
  for (const std::int64_t width : options.filter_widths) {
    convs->push_back(std::make_shared<nn::Conv1d>(
        options.embedding_dim, options.filters, width, nn::functional::Conv1dOptions{},
        nn::ConvInit{.dtype = init.dtype, .generator = init.generator}));
  }
  widest_ = *std::max_element(options.filter_widths.begin(), options.filter_widths.end());
  dropout =
      register_module("dropout", std::make_shared<nn::Dropout>(options.dropout, init.generator));
  const auto features = options.filters * static_cast<std::int64_t>(options.filter_widths.size());
  fc = register_module("fc",
                       std::make_shared<nn::Linear>(
                           features, options.num_classes,
                           nn::LinearOptions{.dtype = init.dtype, .generator = init.generator}));
}

Tensor TextCNN::forward(const Tensor& tokens) {
  if (tokens.dim() != 2 || tokens.size(1) < widest_) {
    throw Error("TextCNN: tokens of shape " + shape_to_string(tokens.shape()) +
                "; expected [batch, length] with length >= " + std::to_string(widest_));
  }
  const Tensor x = embedding->forward(tokens).permute({0, 2, 1});  // [B, E, L]
  std::vector<Tensor> pooled;
  for (const auto& conv : *convs) pooled.push_back(conv->forward(x).relu().max(2).first);
  return fc->forward(dropout->forward(cat(pooled, 1)));
}

}  // namespace minitorch::models
