// Learning-rate schedulers as torch.optim.lr_scheduler has them: objects acting on an
// Optimizer& (every parameter group, each from its own base lr, the group's lr when the schedule
// is made), stepped once per epoch after the optimizer's steps. Each computes its closed form:
//   StepLR(opt, step_size, gamma)            lr = base · gamma^⌊epoch / step_size⌋
//   CosineAnnealingLR(opt, t_max, eta_min)   lr = eta_min + (base − eta_min)(1 +
//   cos(π·epoch/t_max))/2 LinearLR(opt, start, end, total_iters)   lr = base · (start + (end −
//   start)·min(epoch, total)/total)
// LinearLR (the linear warm-up) sets the epoch-0 rate when it is made, as torch's does; the others
// leave the rate as it is. state_dict() / load_state_dict() keep the position (last_epoch) and the
// base rates, so a resumed run continues the very same curve; loading sets the optimizer's rates.
// Constructors throw Error for step_size ≤ 0, t_max ≤ 0, total_iters ≤ 0 or factors outside
// (0, 1] for start and [0, 1] for end; load_state_dict for a base count that differs from the
// optimizer's group count or a negative epoch.
#pragma once

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/optim/optimizer.h"

namespace minitorch::optim {

struct SchedulerStateDict {
  long last_epoch = 0;
  std::vector<double> base_lrs;
};

template <class P>
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;

  void step() {
    ++last_epoch_;
    apply();
  }
  long last_epoch() const { return last_epoch_; }
  long epoch() const { return last_epoch_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  // The rate of each group at the current position.
  std::vector<double> get_last_lr() const {
    std::vector<double> lrs;
    for (std::size_t g = 0; g < optimizer_.num_param_groups(); ++g) lrs.push_back(optimizer_.lr(g));
    return lrs;
  }

  SchedulerStateDict state_dict() const { return {last_epoch_, base_lrs_}; }
  void load_state_dict(const SchedulerStateDict& state) {
    if (state.base_lrs.size() != optimizer_.num_param_groups() || state.last_epoch < 0) {
      throw Error("learning-rate schedule state: " + std::to_string(state.base_lrs.size()) +
                  " base rates at epoch " + std::to_string(state.last_epoch) + "; expected " +
                  std::to_string(optimizer_.num_param_groups()) + " at an epoch >= 0");
    }
    for (const double lr : state.base_lrs) detail::check_lr("learning-rate schedule", lr);
    base_lrs_ = state.base_lrs;
    last_epoch_ = state.last_epoch;
    apply();
  }

 protected:
  explicit LRScheduler(Optimizer<P>& optimizer) : optimizer_(optimizer) {
    for (std::size_t g = 0; g < optimizer.num_param_groups(); ++g) {
      base_lrs_.push_back(optimizer.lr(g));
    }
  }
  virtual double lr_at(double base, long epoch) const = 0;
  void apply() {
    for (std::size_t g = 0; g < base_lrs_.size(); ++g) {
      optimizer_.set_lr(g, lr_at(base_lrs_[g], last_epoch_));
    }
  }

 private:
  Optimizer<P>& optimizer_;
  std::vector<double> base_lrs_;
  long last_epoch_ = 0;
};

template <class P>
class StepLR : public LRScheduler<P> {
 public:
  StepLR(Optimizer<P>& optimizer, long step_size, double gamma = 0.1)
      : LRScheduler<P>(optimizer), step_size_(step_size), gamma_(gamma) {
    if (step_size <= 0)
      throw Error("StepLR: step_size must be positive, got " + std::to_string(step_size));
  }

 protected:
  double lr_at(double base, long epoch) const override {
    return base * std::pow(gamma_, double(epoch / step_size_));
  }

 private:
  long step_size_;
  double gamma_;
};
template <class P>
StepLR(Optimizer<P>&, long, double) -> StepLR<P>;
template <class P>
StepLR(Optimizer<P>&, long) -> StepLR<P>;

template <class P>
class CosineAnnealingLR : public LRScheduler<P> {
 public:
  CosineAnnealingLR(Optimizer<P>& optimizer, long t_max, double eta_min = 0.0)
      : LRScheduler<P>(optimizer), t_max_(t_max), eta_min_(eta_min) {
    if (t_max <= 0)
      throw Error("CosineAnnealingLR: t_max must be positive, got " + std::to_string(t_max));
  }

 protected:
  double lr_at(double base, long epoch) const override {
    const double phase = std::numbers::pi * double(epoch) / double(t_max_);
    return eta_min_ + (base - eta_min_) * (1.0 + std::cos(phase)) / 2.0;
  }

 private:
  long t_max_;
  double eta_min_;
};
template <class P>
CosineAnnealingLR(Optimizer<P>&, long, double) -> CosineAnnealingLR<P>;
template <class P>
CosineAnnealingLR(Optimizer<P>&, long) -> CosineAnnealingLR<P>;

template <class P>
class LinearLR : public LRScheduler<P> {
 public:
  LinearLR(Optimizer<P>& optimizer, double start_factor = 1.0 / 3.0, double end_factor = 1.0,
           long total_iters = 5)
      : LRScheduler<P>(optimizer), start_(start_factor), end_(end_factor), total_(total_iters) {
    if (!(start_factor > 0.0 && start_factor <= 1.0) || !(end_factor >= 0.0 && end_factor <= 1.0)) {
      throw Error("LinearLR: start_factor must be in (0, 1] and end_factor in [0, 1], got " +
                  std::to_string(start_factor) + " and " + std::to_string(end_factor));
    }
    if (total_iters <= 0)
      throw Error("LinearLR: total_iters must be positive, got " + std::to_string(total_iters));
    this->apply();
  }

 protected:
  double lr_at(double base, long epoch) const override {
    const double progress = double(std::min(epoch, total_)) / double(total_);
    return base * (start_ + (end_ - start_) * progress);
  }

 private:
  double start_;
  double end_;
  long total_;
};
template <class P>
LinearLR(Optimizer<P>&, double, double, long) -> LinearLR<P>;
template <class P>
LinearLR(Optimizer<P>&) -> LinearLR<P>;

}  // namespace minitorch::optim
