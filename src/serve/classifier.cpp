#include "minitorch/serve/classifier.h"

#include <algorithm>
#include <cctype>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/data/spam_corpus.h"
#include "minitorch/nn/functional.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::serve {
namespace {

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string out = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    out += (i ? ", " : "") + std::to_string(shape[i]);
  }
  return out + "]";
}

void check_options(const nn::Layer* model, const ClassifierOptions& options) {
  if (!model) throw Error("serve::Classifier: no model; expected a trained nn::Layer");
  if (options.class_names.empty()) {
    throw Error("serve::Classifier: no class names; expected one per logit of the model");
  }
  const bool sizes_positive = !options.item_shape.empty() &&
                              std::all_of(options.item_shape.begin(), options.item_shape.end(),
                                          [](std::int64_t size) { return size > 0; });
  const std::size_t rank = options.input == models::InputKind::Image ? 3 : 1;
  if (!sizes_positive || options.item_shape.size() != rank) {
    throw Error("serve::Classifier: item shape " + shape_text(options.item_shape) +
                " does not fit the input kind; expected [C, H, W] for images, [length] for tokens "
                "and [features] otherwise, every size positive");
  }
  if (options.input == models::InputKind::Tokens && !options.vocabulary) {
    throw Error("serve::Classifier: a text model needs the vocabulary it was trained with");
  }
  if (!(options.std > 0.0)) {
    throw Error("serve::Classifier: normalisation std " + std::to_string(options.std) +
                "; expected a positive number");
  }
}

bool blank(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isspace(c); });
}

}  // namespace

Classifier::Classifier(std::shared_ptr<nn::Layer> model, ClassifierOptions options)
    : model_(std::move(model)), options_(std::move(options)) {
  check_options(model_.get(), options_);
  model_->eval();
}

std::int64_t Classifier::vocabulary_size() const {
  return options_.vocabulary ? options_.vocabulary->size() : 0;
}

Tensor Classifier::encode_texts(const std::vector<std::string>& texts) const {
  if (options_.input != models::InputKind::Tokens) {
    throw Error("this model classifies " +
                std::string(options_.input == models::InputKind::Image ? "images" : "numbers") +
                ", not texts");
  }
  std::vector<data::SpamMail> mails;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    if (blank(texts[i])) {
      throw Error("text " + std::to_string(i) + " is empty; expected a message to classify");
    }
    mails.push_back({"text " + std::to_string(i), 0, texts[i]});
  }
  return data::to_text_dataset(mails, *options_.vocabulary, options_.item_shape[0]).x;
}

Tensor Classifier::encode_image(const data::GrayImage& image, bool resize,
                                const std::string& name) const {
  if (options_.input != models::InputKind::Image) {
    throw Error("this model classifies " +
                std::string(options_.input == models::InputKind::Tokens ? "texts" : "numbers") +
                ", not images");
  }
  const std::int64_t channels = options_.item_shape[0];
  const std::int64_t height = options_.item_shape[1];
  const std::int64_t width = options_.item_shape[2];
  if (channels != 1) {
    throw Error("the model takes " + std::to_string(channels) +
                "-channel images; image files are read as grayscale");
  }
  if (image.width == width && image.height == height) return data::image_to_tensor(image);
  if (!resize) {
    throw Error(name + ": image of " + std::to_string(image.width) + "x" +
                std::to_string(image.height) + " pixels; the model takes " + std::to_string(width) +
                "x" + std::to_string(height) + " (ask for resize=1 to scale it)");
  }
  return data::image_to_tensor(data::resize(image, width, height));
}

Tensor Classifier::probabilities(const Tensor& batch) const {
  NoGradGuard no_grad;
  Tensor x = batch.to(kFloat32);
  // As `minitorch predict` and `eval` normalise (app's predict_logits), so that the server answers
  // exactly what the command line does.
  if (options_.input == models::InputKind::Image && (options_.mean != 0.0 || options_.std != 1.0)) {
    x = (x - options_.mean) * (1.0 / options_.std);
  }
  const Tensor logits = model_->forward(x);
  const auto classes = static_cast<std::int64_t>(options_.class_names.size());
  if (logits.dim() != 2 || logits.size(0) != batch.size(0) || logits.size(1) != classes) {
    throw Error("the model returned logits of shape " + shape_text(logits.shape()) +
                "; expected [" + std::to_string(batch.size(0)) + ", " + std::to_string(classes) +
                "]");
  }
  return nn::functional::softmax(logits, 1).contiguous();
}

}  // namespace minitorch::serve
