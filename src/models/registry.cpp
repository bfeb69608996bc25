#include "minitorch/models/registry.h"

#include "minitorch/core/error.h"
#include "minitorch/models/binary_logits.h"
#include "minitorch/models/lenet.h"
#include "minitorch/models/minitorch_cnn.h"
#include "minitorch/models/mlp.h"
#include "minitorch/models/text_cnn.h"
#include "size_checks.h"

namespace minitorch::models {

const std::vector<ModelInfo>& model_catalog() {
  static const std::vector<ModelInfo> catalog{
      {"mlp", InputKind::Image, "flatten → Linear 256 → ReLU → Linear 128 → ReLU → Linear"},
      {"lenet", InputKind::Image, "LeNet-5 with ReLU and 2x2 max-pooling"},
      {"minitorch-cnn", InputKind::Image, "MiniTorch's run_mnist_multiclass network"},
      {"textcnn", InputKind::Tokens, "Kim's CNN: embedding, conv1d 3/4/5 x 100, max over time"},
      {"mlp2d", InputKind::Features,
       "2-D classifier: Linear 2 → H → ReLU → Linear H → ReLU → Linear 1, as logits [0, z]"},
  };
  return catalog;
}

const ModelInfo& model_info(const std::string& name) {
  std::string known;
  for (const ModelInfo& info : model_catalog()) {
    if (info.name == name) return info;
    known += (known.empty() ? "" : ", ") + info.name;
  }
  throw Error("unknown model '" + name + "'; expected one of " + known);
}

std::shared_ptr<nn::Layer> make_model(const std::string& name, const ModelConfig& config) {
  model_info(name);
  if (name == "mlp") {
    // Bounded by the check: at most 1024 · 16384 · 16384 features.
    detail::check_image_input("mlp", config.in_channels, config.height, config.width);
    return std::make_shared<MLP>(
        std::vector<std::int64_t>{config.in_channels * config.height * config.width, 256, 128,
                                  config.num_classes},
        config.init);
  }
  if (name == "mlp2d") {
    if (config.num_classes != 2) {
      throw Error("mlp2d: num_classes " + std::to_string(config.num_classes) +
                  "; expected 2 (one sigmoid output, read as two classes)");
    }
    return std::make_shared<BinaryLogits>(std::make_shared<MLP>(
        std::vector<std::int64_t>{config.in_features, config.hidden, config.hidden, 1},
        config.init));
  }
  if (name == "lenet") {
    return std::make_shared<LeNet>(
        LeNetOptions{config.in_channels, config.height, config.width, config.num_classes},
        config.init);
  }
  if (name == "minitorch-cnn") {
    return std::make_shared<MiniTorchCNN>(MiniTorchCNNOptions{.in_channels = config.in_channels,
                                                              .height = config.height,
                                                              .width = config.width,
                                                              .num_classes = config.num_classes},
                                          config.init);
  }
  return std::make_shared<TextCNN>(TextCNNOptions{.vocab_size = config.vocab_size,
                                                  .embedding_dim = config.embedding_dim,
                                                  .num_classes = config.num_classes},
                                   config.init);
}

const char* input_kind_name(InputKind kind) {
  switch (kind) {
    case InputKind::Image:
      return "image";
    case InputKind::Tokens:
      return "tokens";
    case InputKind::Features:
      return "features";
  }
  throw Error("input_kind_name: unknown input kind");
}

}  // namespace minitorch::models
