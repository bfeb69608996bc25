// optim::Adam and optim::AdamW — torch.optim.Adam / AdamW's update, step for step:
//   t += 1;  g = grad (+ weight_decay · p for Adam; AdamW instead first scales p by 1 − lr·wd)
//   m = β1·m + (1 − β1)·g;  v = β2·v + (1 − β2)·g²
//   p = p − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + eps)
// Optimizers (optimizer.h) with parameter groups and a state_dict of "<i>.step", "<i>.exp_avg" and
// "<i>.exp_avg_sq" entries (torch's names); parameters without a gradient are skipped (their step
// count does not advance), updates run under NoGradGuard. The constructor and set_lr throw
// minitorch::Error for lr < 0 or not finite, betas outside [0, 1), eps < 0 or weight_decay < 0.
#pragma once

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/optim/optimizer.h"

namespace minitorch::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
};

inline void validate_options(const AdamOptions& o, const std::string& name) {
  detail::check_lr(name, o.lr);
  if (!(o.beta1 >= 0.0 && o.beta1 < 1.0) || !(o.beta2 >= 0.0 && o.beta2 < 1.0)) {
    throw Error(name + ": betas must be in [0, 1), got " + std::to_string(o.beta1) + " and " +
                std::to_string(o.beta2));
  }
  if (!(o.eps >= 0.0)) throw Error(name + ": eps must be >= 0, got " + std::to_string(o.eps));
  if (!(o.weight_decay >= 0.0)) {
    throw Error(name + ": weight_decay must be >= 0, got " + std::to_string(o.weight_decay));
  }
}

inline std::map<std::string, double> options_to_map(const AdamOptions& o) {
  return {{"lr", o.lr},
          {"beta1", o.beta1},
          {"beta2", o.beta2},
          {"eps", o.eps},
          {"weight_decay", o.weight_decay}};
}

inline void set_option(AdamOptions& o, const std::string& key, double value,
                       const std::string& name) {
  if (key == "lr") {
    o.lr = value;
  } else if (key == "beta1") {
    o.beta1 = value;
  } else if (key == "beta2") {
    o.beta2 = value;
  } else if (key == "eps") {
    o.eps = value;
  } else if (key == "weight_decay") {
    o.weight_decay = value;
  } else {
    throw Error(name + ": unexpected option '" + key + "' in a parameter group");
  }
}

namespace detail {
inline double elementwise_sqrt(double x) {
  return std::sqrt(x);
}
template <class G>
G elementwise_sqrt(const G& x) {
  return x.sqrt();
}

// Per-parameter state (torch's "step", "exp_avg", "exp_avg_sq").
template <class G>
struct AdamState {
  long step = 0;
  std::optional<G> m;  // first moment; empty before the first step
  std::optional<G> v;  // second moment
};
}  // namespace detail

template <class P, bool Decoupled>
class BasicAdam
    : public OptimizerBase<P, AdamOptions,
                           detail::AdamState<decltype(std::declval<const P&>().grad())>> {
  using Base =
      OptimizerBase<P, AdamOptions, detail::AdamState<decltype(std::declval<const P&>().grad())>>;

 public:
  using typename Base::Entries;
  using typename Base::Gradient;
  using typename Base::Group;
  using State = detail::AdamState<Gradient>;

  BasicAdam(std::vector<P> parameters, AdamOptions defaults)
      : Base(kName, Base::one_group(std::move(parameters)), defaults) {}
  BasicAdam(std::vector<Group> groups, AdamOptions defaults)
      : Base(kName, std::move(groups), defaults) {}

 protected:
  void update(P& p, const AdamOptions& o, State& s) override {
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

  void save(const State& s, const std::string& prefix,
            std::vector<std::pair<std::string, Gradient>>& out) const override {
    if (s.step == 0) return;
    out.emplace_back(prefix + "step", detail::step_entry(s.step, *s.m));
    out.emplace_back(prefix + "exp_avg", *s.m);
    out.emplace_back(prefix + "exp_avg_sq", *s.v);
  }

  bool is_field(const std::string& field) const override {
    return field == "step" || field == "exp_avg" || field == "exp_avg_sq";
  }

  State load(const Entries& entries, std::size_t index) const override {
    State s;
    const auto find = [&](const char* field) -> std::optional<Gradient> {
      const auto it = entries.find(field);
      if (it == entries.end()) return std::nullopt;
      return it->second;
    };
    s.m = find("exp_avg");
    s.v = find("exp_avg_sq");
    const auto step = entries.find("step");
    if (step == entries.end()) {
      if (s.m || s.v) {
        throw Error("optimizer state: moments of parameter " + std::to_string(index) +
                    " without its step count");
      }
      return s;
    }
    const double count = detail::entry_count(step->second);
    if (!(count >= 1 && count <= 9.0e15) || count != std::floor(count) || !s.m || !s.v) {
      throw Error("optimizer state: parameter " + std::to_string(index) +
                  " needs a positive integer step and both moments");
    }
    s.step = static_cast<long>(count);
    return s;
  }

 private:
  static constexpr const char* kName = Decoupled ? "AdamW" : "Adam";
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
