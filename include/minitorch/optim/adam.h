// optim::Adam and optim::AdamW — torch.optim.Adam / AdamW's update, step for step:
//   t += 1;  g = grad (+ weight_decay · p for Adam; AdamW instead first scales p by 1 − lr·wd)
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
//   p = p − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + eps)
// Generic over the parameter handle like SGD (Scalar or Tensor); parameters without a gradient
// are skipped (their step count does not advance), updates run under NoGradGuard. The
// constructor throws minitorch::Error for lr < 0 or not finite, betas outside [0, 1), eps < 0 or
// weight_decay < 0.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"

namespace minitorch::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

namespace detail {
inline double elementwise_sqrt(double x) {
  return std::sqrt(x);
}
template <class G>
G elementwise_sqrt(const G& x) {
  return x.sqrt();
}
}  // namespace detail

template <class P, bool Decoupled>
class BasicAdam {
 public:
  using Gradient = decltype(std::declval<const P&>().grad());

  BasicAdam(std::vector<P> parameters, AdamOptions options)
      : parameters_(std::move(parameters)), options_(options), state_(parameters_.size()) {
    validate(options_);
  }

  void zero_grad() {
    for (auto& p : parameters_) p.zero_grad();
  }

  void step() {
    autodiff::NoGradGuard no_grad;
    const AdamOptions& o = options_;
    for (std::size_t i = 0; i < parameters_.size(); ++i) {
      P& p = parameters_[i];
      if (!p.has_grad()) continue;
      State& s = state_[i];
      ++s.step;
      Gradient g = p.grad();
      if (o.weight_decay != 0.0) {
        if constexpr (Decoupled) {
          p.set_data(p.data() * (1.0 - o.lr * o.weight_decay));
        } else {
          g = g + o.weight_decay * p.data();
        }
      }
      s.m = s.m ? o.beta1 * *s.m + (1.0 - o.beta1) * g : (1.0 - o.beta1) * g;
      s.v = s.v ? o.beta2 * *s.v + (1.0 - o.beta2) * (g * g) : (1.0 - o.beta2) * (g * g);
      const double m_scale = 1.0 / (1.0 - std::pow(o.beta1, double(s.step)));
      const double v_scale = 1.0 / (1.0 - std::pow(o.beta2, double(s.step)));
      const Gradient denominator = detail::elementwise_sqrt(*s.v * v_scale) + o.eps;
      p.set_data(p.data() - (o.lr * m_scale) * *s.m / denominator);
    }
  }

  const AdamOptions& options() const { return options_; }
  void set_lr(double lr) {
    AdamOptions changed = options_;
    changed.lr = lr;
    validate(changed);
    options_ = changed;
  }
  const std::vector<P>& parameters() const { return parameters_; }

  // Per-parameter state, by parameter index (torch's "step", "exp_avg", "exp_avg_sq"): what a
  // checkpoint must keep for a resumed run to take the very same steps.
  struct State {
    long step = 0;
    std::optional<Gradient> m;  // first moment; empty before the first step
    std::optional<Gradient> v;  // second moment
  };
  const std::vector<State>& state() const { return state_; }
  // Requires one entry per parameter (Error otherwise); shapes are the caller's to check.
  void set_state(std::vector<State> state) {
    if (state.size() != parameters_.size()) {
      throw Error(std::string(Decoupled ? "AdamW" : "Adam") + ": state for " +
                  std::to_string(state.size()) + " parameters; expected " +
                  std::to_string(parameters_.size()));
    }
    state_ = std::move(state);
  }

 private:
  static void validate(const AdamOptions& o) {
    const std::string name = Decoupled ? "AdamW" : "Adam";
    if (!std::isfinite(o.lr) || o.lr < 0.0) {
      throw Error(name + ": learning rate must be a finite number >= 0, got " +
                  std::to_string(o.lr));
    }
    if (!(o.beta1 >= 0.0 && o.beta1 < 1.0) || !(o.beta2 >= 0.0 && o.beta2 < 1.0)) {
      throw Error(name + ": betas must be in [0, 1), got " + std::to_string(o.beta1) + " and " +
                  std::to_string(o.beta2));
    }
    if (!(o.eps >= 0.0)) throw Error(name + ": eps must be >= 0, got " + std::to_string(o.eps));
    if (!(o.weight_decay >= 0.0)) {
      throw Error(name + ": weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
    }
  }

  std::vector<P> parameters_;
  AdamOptions options_;
  std::vector<State> state_;
};

template <class P>
class Adam : public BasicAdam<P, false> {
  using BasicAdam<P, false>::BasicAdam;
};
template <class P>
Adam(std::vector<P>, AdamOptions) -> Adam<P>;

template <class P>
class AdamW : public BasicAdam<P, true> {
  using BasicAdam<P, true>::BasicAdam;
};
template <class P>
AdamW(std::vector<P>, AdamOptions) -> AdamW<P>;

}  // namespace minitorch::optim
