// optim::SGD — stochastic gradient descent with momentum, dampening, weight decay and Nesterov
// momentum, following torch.optim.SGD's update exactly:
//   g = grad + weight_decay · p
//   b = g on the first step, else momentum · b + (1 - dampening) · g      (when momentum > 0)
//   g = g + momentum · b if nesterov else b                                (when momentum > 0)
//   p = p - lr · g
// An Optimizer (optimizer.h): parameter groups with their own options, state_dict with
// "<i>.momentum_buffer" entries. Updates happen in place under NoGradGuard, so they never enter a
// graph. Parameters without a gradient are skipped, as PyTorch skips params whose grad is None. The
// constructor and set_lr throw minitorch::Error for a learning rate that is negative or not finite,
// a negative momentum or weight decay, and Nesterov without momentum or with dampening.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/optim/optimizer.h"

namespace minitorch::optim {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

inline void validate_options(const SGDOptions& o, const std::string& name) {
  detail::check_lr(name, o.lr);
  if (!(o.momentum >= 0.0)) {
    throw Error(name + ": momentum must be >= 0, got " + std::to_string(o.momentum));
  }
  if (!(o.weight_decay >= 0.0)) {
    throw Error(name + ": weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
  }
  if (o.nesterov && (o.momentum <= 0.0 || o.dampening != 0.0)) {
    throw Error(name + ": nesterov momentum requires momentum > 0 and dampening = 0");
  }
}

inline std::map<std::string, double> options_to_map(const SGDOptions& o) {
  return {{"lr", o.lr},
          {"momentum", o.momentum},
          {"dampening", o.dampening},
          {"weight_decay", o.weight_decay},
          {"nesterov", o.nesterov ? 1.0 : 0.0}};
}

inline void set_option(SGDOptions& o, const std::string& key, double value,
                       const std::string& name) {
  if (key == "lr") {
    o.lr = value;
  } else if (key == "momentum") {
    o.momentum = value;
  } else if (key == "dampening") {
    o.dampening = value;
  } else if (key == "weight_decay") {
    o.weight_decay = value;
  } else if (key == "nesterov" && (value == 0.0 || value == 1.0)) {
    o.nesterov = value == 1.0;
  } else {
    throw Error(name + ": unexpected option '" + key + "' = " + std::to_string(value) +
                " in a parameter group");
  }
}

namespace detail {
template <class G>
struct SGDState {
  std::optional<G> momentum_buffer;  // empty before the first step with momentum
};
}  // namespace detail

template <class P>
class SGD : public OptimizerBase<P, SGDOptions,
                                 detail::SGDState<decltype(std::declval<const P&>().grad())>> {
  using Base =
      OptimizerBase<P, SGDOptions, detail::SGDState<decltype(std::declval<const P&>().grad())>>;

 public:
  using typename Base::Entries;
  using typename Base::Gradient;
  using typename Base::Group;
  using State = detail::SGDState<Gradient>;

  SGD(std::vector<P> parameters, SGDOptions defaults)
      : Base("SGD", Base::one_group(std::move(parameters)), defaults) {}
  SGD(std::vector<Group> groups, SGDOptions defaults) : Base("SGD", std::move(groups), defaults) {}

 protected:
  void update(P& p, const SGDOptions& o, State& state) override {
    Gradient g = p.grad();
    if (o.weight_decay != 0.0) g = g + o.weight_decay * p.data();
    if (o.momentum != 0.0) g = apply_momentum(o, state.momentum_buffer, g);
    p.set_data(p.data() - o.lr * g);
  }
  void save(const State& state, const std::string& prefix,
            std::vector<std::pair<std::string, Gradient>>& out) const override {
    if (state.momentum_buffer) out.emplace_back(prefix + "momentum_buffer", *state.momentum_buffer);
  }
  bool is_field(const std::string& field) const override { return field == "momentum_buffer"; }
  State load(const Entries& entries, std::size_t) const override {
    State state;
    if (const auto it = entries.find("momentum_buffer"); it != entries.end()) {
      state.momentum_buffer = it->second;
    }
    return state;
  }

 private:
  static Gradient apply_momentum(const SGDOptions& o, std::optional<Gradient>& buffer,
                                 const Gradient& g) {
    if (!buffer) {
      buffer = g;
    } else {
      *buffer = o.momentum * *buffer + (1.0 - o.dampening) * g;
    }
    return o.nesterov ? g + o.momentum * *buffer : *buffer;
  }
};

template <class P>
SGD(std::vector<P>, SGDOptions) -> SGD<P>;

}  // namespace minitorch::optim
