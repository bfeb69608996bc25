#include "minitorch/models/text_cnn.h"

#include <algorithm>

#include "minitorch/core/error.h"
#include "size_checks.h"

namespace minitorch::models {

TextCNN::TextCNN(TextCNNOptions options, ModelInit init) {
  const auto& widths = options.filter_widths;
  if (options.vocab_size <= 0 || options.embedding_dim <= 0 || options.filters <= 0 ||
      options.num_classes <= 0 || widths.empty() ||
      std::any_of(widths.begin(), widths.end(), [](std::int64_t w) { return w <= 0; })) {
    throw Error(
        "TextCNN: vocab_size, embedding_dim, filters, num_classes and the filter widths must be "
        "positive and there must be at least one filter width");
  }
  detail::check_size("TextCNN", "vocab_size", options.vocab_size, kMaxVocabSize,
                     "models::kMaxVocabSize");
  detail::ParameterBudget budget("TextCNN", init.dtype);
  budget.add("embedding", {options.vocab_size, options.embedding_dim}, 0);
  for (std::size_t i = 0; i < options.filter_widths.size(); ++i) {
    budget.add("convs." + std::to_string(i),
               {options.filters, options.embedding_dim, options.filter_widths[i]}, options.filters);
  }
  // Both factors are bounded by the convolutions' parameters counted above.
  const auto features = options.filters * static_cast<std::int64_t>(options.filter_widths.size());
  budget.add("fc", {options.num_classes, features}, options.num_classes);
  embedding = register_module("embedding",
                              std::make_shared<nn::Embedding>(
                                  nn::EmbeddingOptions(options.vocab_size, options.embedding_dim)
                                      .dtype(init.dtype)
                                      .generator(init.generator)));
  convs = register_module("convs", std::make_shared<nn::ModuleList<nn::Conv1d>>());
  for (const std::int64_t width : options.filter_widths) {
    convs->push_back(std::make_shared<nn::Conv1d>(
        nn::Conv1dOptions(options.embedding_dim, options.filters, width)
            .dtype(init.dtype)
            .generator(init.generator)));
  }
  widest_ = *std::max_element(options.filter_widths.begin(), options.filter_widths.end());
  dropout = register_module(
      "dropout",
      std::make_shared<nn::Dropout>(nn::DropoutOptions(options.dropout).generator(init.generator)));
  fc = register_module("fc",
                       std::make_shared<nn::Linear>(nn::LinearOptions(features, options.num_classes)
                                                        .dtype(init.dtype)
                                                        .generator(init.generator)));
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
