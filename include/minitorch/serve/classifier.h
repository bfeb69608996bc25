// serve::Classifier — a trained classification model as a server runs it: what it takes (its
// input signature), how a raw input becomes its batch (image normalisation, tokenisation), and its
// class probabilities for a batch, computed without gradients in eval mode.
//
// Inputs by kind (models::InputKind):
//   Image     numbers [B, C, H, W], pixels in [0, 1] as the data set stores them (FP32 or FP64);
//             probabilities() normalises them with the training images' mean and std.
//   Tokens    texts (BYTES [B]) tokenised with the run's vocabulary to max_length ids, or the ids
//             themselves (INT64 [B, max_length], each in [0, vocabulary size)).
//   Features  numbers [B, F] (FP32 or FP64), fed as they are.
// Classifier(model, options) requires a model in eval mode whose forward maps such a batch to
// logits [B, classes], class names (one per logit), an item shape matching the kind and, for
// Tokens, a vocabulary (Error otherwise). probabilities(batch) is softmax(logits) as float32
// [B, classes]; it may be called from several threads at once (the model's forward must not
// mutate it, which holds for every layer of nn/ in eval mode).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "minitorch/data/image_file.h"
#include "minitorch/data/vocabulary.h"
#include "minitorch/models/registry.h"
#include "minitorch/nn/module.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::serve {

struct ClassifierOptions {
  models::InputKind input = models::InputKind::Image;
  std::vector<std::int64_t>
      item_shape;  // one input without the batch dimension: {C, H, W}, {L}, {F}
  std::vector<std::string> class_names;
  double mean = 0.0, std = 1.0;                // images: (x - mean) / std before the model
  std::optional<data::Vocabulary> vocabulary;  // tokens
  std::string description;  // for the model's metadata, e.g. "lenet on fashion-mnist"
};

class Classifier {
 public:
  Classifier(std::shared_ptr<nn::Layer> model, ClassifierOptions options);

  models::InputKind input_kind() const { return options_.input; }
  const std::vector<std::int64_t>& item_shape() const { return options_.item_shape; }
  const std::vector<std::string>& class_names() const { return options_.class_names; }
  const std::string& description() const { return options_.description; }
  std::int64_t vocabulary_size() const;  // 0 unless the input is tokens

  // Token ids [B, max_length] (float32, as nn::Embedding takes them) of each text, tokenised as
  // the training mails were. Requires input_kind() == Tokens and texts with a non-blank character.
  Tensor encode_texts(const std::vector<std::string>& texts) const;
  // An image as the model's input [1, C, H, W] in [0, 1]; an image of another size is an Error
  // unless `resize`. Requires input_kind() == Image and C == 1 (images are read as grayscale).
  Tensor encode_image(const data::GrayImage& image, bool resize, const std::string& name) const;

  // softmax of the logits of a batch [B, item_shape...], float32 [B, classes].
  Tensor probabilities(const Tensor& batch) const;

 private:
  std::shared_ptr<nn::Layer> model_;
  ClassifierOptions options_;
};

}  // namespace minitorch::serve
