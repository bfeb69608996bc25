// optim::SGD — stochastic gradient descent with momentum, dampening, weight decay and Nesterov
// momentum, following torch.optim.SGD's update exactly:
//   g = grad + weight_decay · p
//   b = g on the first step, else momentum · b + (1 - dampening) · g      (when momentum > 0)
//   g = g + momentum · b if nesterov else b                                (when momentum > 0)
//   p = p - lr · g
// It is generic over the parameter handle: anything with grad(), has_grad(), zero_grad(), data()
// and set_data() (Scalar now). Updates happen in place under NoGradGuard, so they never enter a
// graph. Parameters without a gradient are skipped, as PyTorch skips params whose grad is None. The
// constructor throws minitorch::Error for a learning rate that is negative or not finite, a
// negative momentum or weight decay, and Nesterov without momentum or with dampening.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"

namespace minitorch::optim {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

template <class P>
class SGD {
 public:
  using Gradient = decltype(std::declval<const P&>().grad());

  SGD(std::vector<P> parameters, SGDOptions options)
      : parameters_(std::move(parameters)), options_(options), momentum_(parameters_.size()) {
    validate(options_);
  }

  void zero_grad() {
    for (auto& p : parameters_) p.zero_grad();
  }

  void step() {
    autodiff::NoGradGuard no_grad;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      P& p = parameters_[i];
      if (!p.has_grad()) continue;
      Gradient g = p.grad();
      if (options_.weight_decay != 0.0) g = g + options_.weight_decay * p.data();
      if (options_.momentum != 0.0) g = apply_momentum(momentum_[i], g);
      p.set_data(p.data() - options_.lr * g);
    }
  }

  const SGDOptions& options() const { return options_; }
  // Learning-rate schedules change the rate between steps.
  void set_lr(double lr) {
    SGDOptions changed = options_;
    changed.lr = lr;
    validate(changed);
    options_ = changed;
  }
  const std::vector<P>& parameters() const { return parameters_; }

  // Momentum buffers by parameter index (torch's "momentum_buffer"; empty before the first step):
  // what a checkpoint must keep for a resumed run to take the very same steps.
  const std::vector<std::optional<Gradient>>& momentum_buffers() const { return momentum_; }
  // Requires one entry per parameter (Error otherwise); shapes are the caller's to check.
  void set_momentum_buffers(std::vector<std::optional<Gradient>> buffers) {
    if (buffers.size() != parameters_.size()) {
      throw Error("SGD: momentum buffers for " + std::to_string(buffers.size()) +
                  " parameters; expected " + std::to_string(parameters_.size()));
    }
    momentum_ = std::move(buffers);
  }

 private:
  Gradient apply_momentum(std::optional<Gradient>& buffer, const Gradient& g) const {
    if (!buffer) {
      buffer = g;
    } else {
      *buffer = options_.momentum * *buffer + (1.0 - options_.dampening) * g;
    }
    return options_.nesterov ? g + options_.momentum * *buffer : *buffer;
  }

  static void validate(const SGDOptions& o) {
    if (!std::isfinite(o.lr) || o.lr < 0.0) {
      throw Error("SGD: learning rate must be a finite number >= 0, got " + std::to_string(o.lr));
    }
    if (!(o.momentum >= 0.0)) {
      throw Error("SGD: momentum must be >= 0, got " + std::to_string(o.momentum));
    }
    if (!(o.weight_decay >= 0.0)) {
      throw Error("SGD: weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
    }
    if (o.nesterov && (o.momentum <= 0.0 || o.dampening != 0.0)) {
      throw Error("SGD: nesterov momentum requires momentum > 0 and dampening = 0");
    }
  }

  std::vector<P> parameters_;
  SGDOptions options_;
  std::vector<std::optional<Gradient>> momentum_;
};

template <class P>
SGD(std::vector<P>, SGDOptions) -> SGD<P>;

}  // namespace minitorch::optim
