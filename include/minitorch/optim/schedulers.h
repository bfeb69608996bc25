// Learning-rate schedules over any optimizer with options().lr and set_lr() (SGD, Adam, AdamW),
// as torch.optim.lr_scheduler's: call step() once per epoch, after the optimizer's steps.
//   StepLR(opt, step_size, gamma)            lr = base · gamma^⌊epoch / step_size⌋
//   CosineAnnealingLR(opt, t_max, eta_min)   lr = eta_min + (base − eta_min)(1 +
//   cos(π·epoch/t_max))/2
// Requires step_size > 0, t_max > 0 (Error otherwise); base is the lr when the schedule is made.
#pragma once

#include <cmath>
#include <numbers>
#include <string>

#include "minitorch/core/error.h"

namespace minitorch::optim {

template <class Optimizer>
class StepLR {
 public:
  StepLR(Optimizer& optimizer, long step_size, double gamma = 0.1)
      : optimizer_(optimizer), base_(optimizer.options().lr), step_size_(step_size), gamma_(gamma) {
    if (step_size <= 0)
      throw Error("StepLR: step_size must be positive, got " + std::to_string(step_size));
  }
  void step() {
    ++epoch_;
    optimizer_.set_lr(base_ * std::pow(gamma_, double(epoch_ / step_size_)));
  }
  long epoch() const { return epoch_; }

 private:
  Optimizer& optimizer_;
  double base_;
  long step_size_;
  double gamma_;
  long epoch_ = 0;
};

template <class Optimizer>
class CosineAnnealingLR {
 public:
  CosineAnnealingLR(Optimizer& optimizer, long t_max, double eta_min = 0.0)
      : optimizer_(optimizer), base_(optimizer.options().lr), t_max_(t_max), eta_min_(eta_min) {
    if (t_max <= 0)
      throw Error("CosineAnnealingLR: t_max must be positive, got " + std::to_string(t_max));
  }
  void step() {
    ++epoch_;
    const double phase = std::numbers::pi * double(epoch_) / double(t_max_);
    optimizer_.set_lr(eta_min_ + (base_ - eta_min_) * (1.0 + std::cos(phase)) / 2.0);
  }
  long epoch() const { return epoch_; }

 private:
  Optimizer& optimizer_;
  double base_;
  long t_max_;
  double eta_min_;
  long epoch_ = 0;
};

}  // namespace minitorch::optim
