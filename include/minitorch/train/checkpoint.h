// A full training checkpoint: everything a resumed run needs to take the very same steps, in one
// safetensors file written atomically.
//
//   tensors   "model.<name>" (the model's state_dict) and "optimizer.<name>" (the optimizer's
//             state_dict tensors, e.g. "optimizer.0.exp_avg")
//   metadata  "epoch" (epochs finished), "optimizer_param_groups" (the groups' options, JSON),
//             "lr_schedule" (the schedule's state_dict, JSON; only with a schedule), one entry per
//             named generator state (four hexadecimal words), and the caller's own entries.
//
// save_checkpoint requires epoch >= 1. load_checkpoint checks everything before it changes
// anything: the metadata (first by the caller's `check`, e.g. that the file belongs to this run),
// the tensor names, finite values, and that the model and optimizer accept their state; then it
// loads model, optimizer, schedule and fills state.generators and state.epoch. It throws
// minitorch::Error naming the file and the problem. A checkpoint without 'lr_schedule' (written
// before it was saved) steps the schedule once per finished epoch; one without
// 'optimizer_param_groups' keeps the optimizer's options.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/core/generator.h"
#include "minitorch/nn/module.h"
#include "minitorch/optim/optimizer.h"
#include "minitorch/optim/schedulers.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::train {

struct TrainState {
  nn::Module* model = nullptr;
  optim::Optimizer<Tensor>* optimizer = nullptr;
  optim::LRScheduler<Tensor>* schedule = nullptr;  // null: the run has none
  int epoch = 0;                                   // epochs finished
  // The run's generators by name ("run_generator"); load requires every name given here.
  std::map<std::string, Generator::State> generators;
};

using CheckpointMetadata = std::map<std::string, std::string>;

void save_checkpoint(const std::filesystem::path& path, const TrainState& state,
                     const CheckpointMetadata& metadata = {});
// Returns the file's metadata.
CheckpointMetadata load_checkpoint(
    const std::filesystem::path& path, TrainState& state,
    const std::function<void(const CheckpointMetadata&)>& check = {});

// The first NaN or infinity among named tensors, if any: the sign that a run diverged.
struct NonFiniteValue {
  std::string tensor;
  std::int64_t index = 0;  // in row-major order
  double value = 0.0;
  std::string to_string() const;  // "nan at index 3 of 'conv1.weight'"
};
std::optional<NonFiniteValue> first_non_finite(
    const std::vector<std::pair<std::string, Tensor>>& tensors);
std::optional<NonFiniteValue> first_non_finite(const nn::Module& model);  // its state_dict

}  // namespace minitorch::train
