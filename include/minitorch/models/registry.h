// The models by name, as the command line and C++ callers pick them: "mlp", "lenet",
// "minitorch-cnn" (image classifiers taking [B, C, H, W]), "textcnn" (token ids [B, L]) and
// "mlp2d" (the 2-D point classifier, features [B, in_features]: MLP in_features → hidden → hidden
// → 1 wrapped in BinaryLogits, so it answers two-class logits [0, z] like the others; its
// parameters are the MLP's, "layer1.weight" ... "layer3.bias").
//
// make_model(name, config) builds a freshly initialised model for the shapes in config.
//   Requires: a known name (Error listing the known ones); the sizes each model needs
//             (vocab_size > 0 for textcnn; the image size constraints of each image model;
//             num_classes == 2, in_features > 0 and hidden > 0 for mlp2d);
//             sizes within the limits of minitorch/models/limits.h: channels at most
//             kMaxInputChannels, height and width at most kMaxInputSide, vocab_size at most
//             kMaxVocabSize, parameters of at most kMaxParameterBytes in all. Each violation is
//             an Error naming the model, the size and the limit, raised before any allocation.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "minitorch/models/limits.h"
#include "minitorch/models/model_init.h"
#include "minitorch/nn/module.h"

namespace minitorch::models {

// What a model takes: images [B, C, H, W], token ids [B, L], or numeric features [B, F].
enum class InputKind { Image, Tokens, Features };
// "image", "tokens" or "features": how checkpoints and the model catalog name an input kind.
const char* input_kind_name(InputKind kind);

struct ModelInfo {
  std::string name;
  InputKind input;
  std::string description;
};

struct ModelConfig {
  std::int64_t in_channels = 1, height = 28, width = 28;  // image models
  std::int64_t vocab_size = 0, embedding_dim = 64;        // text models
  std::int64_t in_features = 2, hidden = 10;              // feature models (mlp2d)
  std::int64_t num_classes = 10;
  ModelInit init;
};

const std::vector<ModelInfo>& model_catalog();
const ModelInfo& model_info(const std::string& name);
std::shared_ptr<nn::Layer> make_model(const std::string& name, const ModelConfig& config);

}  // namespace minitorch::models
