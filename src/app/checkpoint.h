// Checkpoints of a network's training run, in its run directory, both safetensors files written
// atomically:
//   model.safetensors       the model's state_dict under PyTorch's names ("conv1.weight"), loadable
//                           by torch after a NumPy conversion, with metadata describing the model
//                           (ModelCard) so eval and predict need nothing else but config.json.
//   checkpoint.safetensors  everything a resumed run needs to take the very same steps: the model
//                           ("model.<name>"), the optimizer's state_dict ("optimizer.<i>.exp_avg",
//                           ...; its parameter groups' options in metadata
//                           'optimizer_param_groups'), and in the metadata the schedule's
//                           state_dict ('lr_schedule'), the finished epoch and the states of the
//                           run's generator and of the data loader's shuffle.
// checkpoint.safetensors is the library's full checkpoint (train/checkpoint.h) with the ModelCard
// in its metadata; save_training_checkpoint and load_training_checkpoint only name the run's two
// generators and check the card. save_model and save_training_checkpoint write one file each; the
// training loop writes the model first and the checkpoint last, so the checkpoint is the commit
// point of an epoch (a run killed in between resumes from the older checkpoint and rewrites the
// model from it). Loading validates everything first (the task and model it was saved for, names,
// shapes, dtypes, metadata values, finite weights and optimizer state) and throws Error naming the
// file and the problem, leaving the model and optimizer unchanged.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/training_optimizer.h"
#include "minitorch/core/generator.h"
#include "minitorch/models/registry.h"
#include "minitorch/nn/module.h"
#include "minitorch/train/checkpoint.h"

namespace minitorch::app {

// The two files in a run directory.
inline constexpr const char* kModelFile = "model.safetensors";
inline constexpr const char* kCheckpointFile = "checkpoint.safetensors";

// What a saved model is: enough to rebuild it and feed it inputs like those it was trained on.
// In the file's metadata: task, model, epoch, classes (JSON array), input ("image", "tokens" or
// "features"), input_shape (JSON array: [C, H, W], [max_length] or [features]), vocab_size,
// embedding_dim, normalize_mean, normalize_std, and for feature models hidden (the MLP's width).
// A 2-D run's card: task "2d", model "mlp2d", classes ["0", "1"], input features of shape [2].
struct ModelCard {
  std::string task;
  std::string model;
  int epoch = 0;
  std::vector<std::string> class_names;
  models::InputKind input = models::InputKind::Image;
  std::int64_t channels = 1, height = 28, width = 28;              // images
  std::int64_t vocab_size = 0, embedding_dim = 0, max_length = 0;  // tokens
  std::int64_t features = 0, hidden = 0;                           // features (mlp2d)
  double mean = 0.0, std = 1.0;                                    // input normalisation

  std::map<std::string, std::string> to_metadata() const;
  static ModelCard from_metadata(const std::map<std::string, std::string>& metadata,
                                 const std::string& file);
  models::ModelConfig model_config() const;
  // One input without the batch dimension: {channels, height, width}, {max_length} or {features}.
  std::vector<std::int64_t> input_shape() const;
};

struct ResumePoint {
  int epoch = 0;  // epochs finished
  Generator::State run_generator{};
  Generator::State loader_generator{};
};

void save_model(const std::filesystem::path& run_dir, const nn::Module& model,
                const ModelCard& card);
void save_training_checkpoint(const std::filesystem::path& run_dir, const nn::Module& model,
                              const TrainingOptimizer& optimizer, const ResumePoint& point,
                              const ModelCard& card);
bool has_training_checkpoint(const std::filesystem::path& run_dir);
// `expected` is the card of the run being resumed: a checkpoint of another task or model is
// refused by name. Requires has_training_checkpoint(run_dir).
ResumePoint load_training_checkpoint(const std::filesystem::path& run_dir, nn::Module& model,
                                     TrainingOptimizer& optimizer, const ModelCard& expected);

// The non-finite check of the library's checkpoints, for eval and predict too.
using train::first_non_finite;
using train::NonFiniteValue;

// The model saved in run_dir/model.safetensors, rebuilt from its card and loaded.
struct SavedModel {
  ModelCard card;
  std::shared_ptr<nn::Layer> model;
};
SavedModel load_saved_model(const std::filesystem::path& run_dir);

}  // namespace minitorch::app
