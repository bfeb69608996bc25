// TrainingOptimizer — the optimizer and learning-rate schedule of a `minitorch train` run, chosen
// by name ("sgd", "adam", "adamw"; schedules "none", "step", "cosine"): an optim::Optimizer and an
// optional optim::LRScheduler acting on it. Their state is theirs (state_dict / load_state_dict);
// this type only picks them by name and steps the schedule once per epoch (end_epoch()).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/optim/optimizer.h"
#include "minitorch/optim/schedulers.h"
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
  TrainingOptimizer(std::unique_ptr<optim::Optimizer<Tensor>> optimizer,
                    std::unique_ptr<optim::LRScheduler<Tensor>> schedule);

  void zero_grad() { optimizer_->zero_grad(); }
  void step() { optimizer_->step(); }
  void end_epoch() {
    if (schedule_) schedule_->step();
  }
  double lr() const { return optimizer_->lr(); }

  optim::Optimizer<Tensor>& optimizer() { return *optimizer_; }
  const optim::Optimizer<Tensor>& optimizer() const { return *optimizer_; }
  // Null when the run has no schedule.
  optim::LRScheduler<Tensor>* schedule() { return schedule_.get(); }
  const optim::LRScheduler<Tensor>* schedule() const { return schedule_.get(); }

 private:
  std::unique_ptr<optim::Optimizer<Tensor>> optimizer_;
  std::unique_ptr<optim::LRScheduler<Tensor>> schedule_;
};

// Requires a known optimizer and schedule name (Error listing them) and valid settings.
std::unique_ptr<TrainingOptimizer> make_training_optimizer(std::vector<Tensor> parameters,
                                                           const OptimizerSettings& settings);

}  // namespace minitorch::app
