#include "app/training_optimizer.h"

#include "minitorch/core/error.h"
#include "minitorch/optim/adam.h"
#include "minitorch/optim/sgd.h"

namespace minitorch::app {
namespace {

std::unique_ptr<optim::Optimizer<Tensor>> make_optimizer(std::vector<Tensor> parameters,
                                                         const OptimizerSettings& s) {
  if (s.name == "sgd") {
    return std::make_unique<optim::SGD<Tensor>>(
        std::move(parameters),
        optim::SGDOptions{.lr = s.lr, .momentum = s.momentum, .weight_decay = s.weight_decay});
  }
  const optim::AdamOptions adam{.lr = s.lr, .weight_decay = s.weight_decay};
  if (s.name == "adam") return std::make_unique<optim::Adam<Tensor>>(std::move(parameters), adam);
  if (s.name == "adamw") return std::make_unique<optim::AdamW<Tensor>>(std::move(parameters), adam);
  throw Error("unknown optimizer '" + s.name + "'; expected one of sgd, adam, adamw");
}

std::unique_ptr<optim::LRScheduler<Tensor>> make_schedule(optim::Optimizer<Tensor>& optimizer,
                                                          const OptimizerSettings& s) {
  if (s.schedule == "step") {
    return std::make_unique<optim::StepLR<Tensor>>(optimizer, s.step_size, s.gamma);
  }
  if (s.schedule == "cosine")
    return std::make_unique<optim::CosineAnnealingLR<Tensor>>(optimizer, s.epochs);
  if (s.schedule == "none") return nullptr;
  throw Error("unknown schedule '" + s.schedule + "'; expected one of none, step, cosine");
}

}  // namespace

TrainingOptimizer::TrainingOptimizer(std::unique_ptr<optim::Optimizer<Tensor>> optimizer,
                                     std::unique_ptr<optim::LRScheduler<Tensor>> schedule)
    : optimizer_(std::move(optimizer)), schedule_(std::move(schedule)) {}

std::unique_ptr<TrainingOptimizer> make_training_optimizer(std::vector<Tensor> parameters,
                                                           const OptimizerSettings& s) {
  auto optimizer = make_optimizer(std::move(parameters), s);
  auto schedule = make_schedule(*optimizer, s);
  return std::make_unique<TrainingOptimizer>(std::move(optimizer), std::move(schedule));
}

}  // namespace minitorch::app
