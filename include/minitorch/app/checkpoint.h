// Checkpoints of a network's training run, in its run directory, both safetensors files written
// atomically:
//   model.safetensors       the model's state_dict under PyTorch's names ("conv1.weight"), loadable
//                           by torch after a NumPy conversion, with metadata describing the model
//                           (ModelCard) so eval and predict need nothing else but config.json.
//   checkpoint.safetensors  everything a resumed run needs to take the very same steps: the model
//                           ("model.<name>"), the optimizer state ("optimizer.<i>.exp_avg", ...),
//                           and in the metadata the finished epoch and the states of the run's
//                           generator and of the data loader's shuffle.
// save_training_checkpoint writes checkpoint.safetensors before model.safetensors, so a run killed
// between the two resumes from the newer state. Loading validates everything first (names,
// shapes, dtypes, metadata) and throws Error naming the file and the problem, leaving the model
// and optimizer unchanged.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "minitorch/app/training_optimizer.h"
#include "minitorch/core/generator.h"
#include "minitorch/models/registry.h"
#include "minitorch/nn/module.h"

namespace minitorch::app {

// What a saved model is: enough to rebuild it and feed it inputs like those it was trained on.
struct ModelCard {
  std::string task;
  std::string model;
  int epoch = 0;
  std::vector<std::string> class_names;
  models::InputKind input = models::InputKind::Image;
  std::int64_t channels = 1, height = 28, width = 28;              // images
  std::int64_t vocab_size = 0, embedding_dim = 0, max_length = 0;  // tokens
  double mean = 0.0, std = 1.0;                                    // input normalisation

  std::map<std::string, std::string> to_metadata() const;
  static ModelCard from_metadata(const std::map<std::string, std::string>& metadata,
                                 const std::string& file);
  models::ModelConfig model_config() const;
};

struct ResumePoint {
  int epoch = 0;  // epochs finished
  Generator::State run_generator{};
  Generator::State loader_generator{};
};

void save_training_checkpoint(const std::filesystem::path& run_dir, const nn::Module& model,
                              const TrainingOptimizer& optimizer, const ResumePoint& point,
                              const ModelCard& card);
ResumePoint load_training_checkpoint(const std::filesystem::path& run_dir, nn::Module& model,
                                     TrainingOptimizer& optimizer);

// The model saved in run_dir/model.safetensors, rebuilt from its card and loaded.
struct SavedModel {
  ModelCard card;
  std::shared_ptr<nn::Layer> model;
};
SavedModel load_saved_model(const std::filesystem::path& run_dir);

}  // namespace minitorch::app
