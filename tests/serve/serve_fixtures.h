// Small classifiers and inputs for the serving tests: a LeNet-5 over 28x28 images (so the
// convolution and pooling kernels are batched as a served LeNet is), a TextCNN over a vocabulary
// of a few words, with weights drawn from a seeded generator.
#pragma once

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "minitorch/core/generator.h"
#include "minitorch/data/vocabulary.h"
#include "minitorch/models/mlp.h"
#include "minitorch/models/registry.h"
#include "minitorch/serve/classifier.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::testing {

inline std::vector<std::string> digit_names() {
  std::vector<std::string> names;
  for (int i = 0; i < 10; ++i) names.push_back("class " + std::to_string(i));
  return names;
}

inline std::shared_ptr<const serve::Classifier> image_classifier(std::uint64_t seed = 1) {
  Generator generator(seed);
  models::ModelConfig config;
  config.init.generator = &generator;
  serve::ClassifierOptions options;
  options.input = models::InputKind::Image;
  options.item_shape = {1, 28, 28};
  options.class_names = digit_names();
  options.mean = 0.25;
  options.std = 0.5;
  options.description = "lenet for tests";
  return std::make_shared<const serve::Classifier>(models::make_model("lenet", config),
                                                   std::move(options));
}

inline data::Vocabulary small_vocabulary() {
  return data::Vocabulary({"<pad>", "<unk>", "free", "money", "meeting", "today", "win", "now"});
}

inline std::shared_ptr<const serve::Classifier> text_classifier(std::uint64_t seed = 2) {
  Generator generator(seed);
  models::ModelConfig config;
  config.init.generator = &generator;
  config.vocab_size = small_vocabulary().size();
  config.embedding_dim = 8;
  config.num_classes = 2;
  serve::ClassifierOptions options;
  options.input = models::InputKind::Tokens;
  options.item_shape = {8};
  options.class_names = {"ham", "spam"};
  options.vocabulary = small_vocabulary();
  return std::make_shared<const serve::Classifier>(models::make_model("textcnn", config),
                                                   std::move(options));
}

// A classifier of 4 numbers into 3 classes whose products are small enough for every batch size up
// to 64 to take the same kernel path: its answers for a row do not depend on the batch at all.
inline std::shared_ptr<const serve::Classifier> small_classifier(std::uint64_t seed = 3) {
  Generator generator(seed);
  serve::ClassifierOptions options;
  options.input = models::InputKind::Image;
  options.item_shape = {1, 2, 2};
  options.class_names = {"a", "b", "c"};
  return std::make_shared<const serve::Classifier>(
      std::make_shared<models::MLP>(std::vector<std::int64_t>{4, 8, 3},
                                    models::ModelInit{.generator = &generator}),
      std::move(options));
}

// Probabilities of the same rows computed in different batches: the same class for every row and
// values equal to float32 rounding. Not always bit for bit: the matrix product picks its kernel by
// the product's size, and kernels sum a dot product in different orders.
inline bool same_answers(const std::vector<double>& a, const std::vector<double>& b,
                         std::size_t classes) {
  if (a.size() != b.size() || a.size() % classes != 0) return false;
  for (std::size_t row = 0; row < a.size(); row += classes) {
    const auto best_a = std::max_element(a.begin() + row, a.begin() + row + classes) - a.begin();
    const auto best_b = std::max_element(b.begin() + row, b.begin() + row + classes) - b.begin();
    if (best_a != best_b) return false;
  }
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::abs(a[i] - b[i]) > 1e-6) return false;
  }
  return true;
}

inline std::vector<double> as_doubles(const std::vector<float>& values) {
  return {values.begin(), values.end()};
}

// `n` images [n, 1, 28, 28] with pixels in [0, 1).
inline Tensor random_images(std::int64_t n, std::uint64_t seed) {
  Generator generator(seed);
  return rand({n, 1, 28, 28}, {}, &generator);
}

}  // namespace minitorch::testing
