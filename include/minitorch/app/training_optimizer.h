// TrainingOptimizer — the optimizer and learning-rate schedule of a `minitorch train` run, chosen
// by name ("sgd", "adam", "adamw"; schedules "none", "step", "cosine"), with its state as named
// tensors so a checkpoint can store it and a resumed run continue with the very same steps.
//
// state_tensors() names follow torch.optim's state_dict: "<i>.step", "<i>.exp_avg",
// "<i>.exp_avg_sq" (Adam, AdamW) and "<i>.momentum_buffer" (SGD with momentum), i the parameter's
// index; a moment not yet created is absent. load_state_tensors checks every name and shape
// against the parameters and throws Error naming the first problem, leaving the state unchanged.
// end_epoch() advances the schedule by one epoch; the schedule's position is the epoch count, so a
// resumed run calls end_epoch() once per finished epoch to reach the same learning rate.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/tensor/tensor.h"

namespace minitorch::app {

struct OptimizerSettings {
  std::string name = "adam";
  double lr = 1e-3;
  double momentum = 0.0;
  double weight_decay = 0.0;
  std::string schedule = "none";
  int epochs = 1;      // cosine: the schedule's length
  int step_size = 5;   // step: epochs between decays
  double gamma = 0.5;  // step: decay factor
};

class TrainingOptimizer {
 public:
  virtual ~TrainingOptimizer() = default;
  virtual void zero_grad() = 0;
  virtual void step() = 0;
  virtual void end_epoch() = 0;
  virtual double lr() const = 0;
  virtual std::vector<std::pair<std::string, Tensor>> state_tensors() const = 0;
  virtual void load_state_tensors(const std::map<std::string, Tensor>& state) = 0;
};

// Requires a known optimizer and schedule name (Error listing them) and valid settings.
std::unique_ptr<TrainingOptimizer> make_training_optimizer(std::vector<Tensor> parameters,
                                                           const OptimizerSettings& settings);

}  // namespace minitorch::app
