// optim::Optimizer — the interface every optimizer shares, as torch.optim.Optimizer has it:
// parameters in groups, each group with its own options (its own lr), zero_grad(), step(),
// lr() / set_lr(), and state_dict() / load_state_dict() so a checkpoint can keep an optimizer and a
// resumed run take the very same steps.
//
// P is the parameter handle (Scalar or Tensor): anything with grad(), has_grad(), zero_grad(),
// data() and set_data(). A state_dict holds
//   param_groups  each group's options under torch's names ("lr", "momentum", "betas" as "beta1"
//                 and "beta2", ...), in group order;
//   state         "<i>.<field>" entries ("0.momentum_buffer", "3.exp_avg", "3.step"), i a
//                 parameter's index counted across all groups in order, as torch numbers them; a
//                 field not yet created (before the first step) is absent.
// load_state_dict checks every entry (names, indices, shapes, dtypes, group count, option values)
// before it changes anything, and throws minitorch::Error naming the first problem.
//
// OptimizerBase<P, Options, State> holds the groups and the per-parameter state; a subclass
// supplies the update of one parameter and the translation of its state to named entries.
#pragma once

#include <cmath>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::optim {

// The group's parameters and, when set, options that replace the optimizer's defaults.
template <class P, class Options>
struct ParamGroup {
  std::vector<P> params;
  std::optional<Options> options;
};

template <class Value>
struct OptimizerStateDict {
  std::vector<std::map<std::string, double>> param_groups;
  std::vector<std::pair<std::string, Value>> state;
};

template <class P>
class Optimizer {
 public:
  using Gradient = decltype(std::declval<const P&>().grad());
  using StateDict = OptimizerStateDict<Gradient>;

  virtual ~Optimizer() = default;

  virtual void zero_grad() = 0;
  virtual void step() = 0;
  virtual std::size_t num_param_groups() const = 0;
  // Every group's parameters, in order.
  virtual std::vector<P> parameters() const = 0;
  // Requires group < num_param_groups() (Error otherwise).
  virtual double lr(std::size_t group = 0) const = 0;
  // Requires a finite lr >= 0 (Error otherwise); the one-argument form sets every group's.
  virtual void set_lr(std::size_t group, double lr) = 0;
  void set_lr(double lr) {
    for (std::size_t g = 0; g < num_param_groups(); ++g) set_lr(g, lr);
  }
  virtual StateDict state_dict() const = 0;
  virtual void load_state_dict(const StateDict& state) = 0;
};

namespace detail {

inline double step_entry(long count, double) {
  return double(count);
}
inline Tensor step_entry(long count, const Tensor&) {
  return full({}, double(count), {.dtype = kFloat64});
}
inline double entry_count(double value) {
  return value;
}
inline double entry_count(const Tensor& value) {
  return value.numel() == 1 ? value.item() : -1.0;
}
inline double copy_of(double value) {
  return value;
}
inline Tensor copy_of(const Tensor& value) {
  return value.clone();
}
// Why a saved entry cannot be the state of a parameter with value `like`; empty when it can.
inline std::string mismatch(double, double) {
  return {};
}
inline std::string mismatch(const Tensor& saved, const Tensor& like) {
  if (saved.shape() == like.shape() && saved.dtype() == like.dtype()) return {};
  return "has shape " + shape_to_string(saved.shape()) + " " + dtype_name(saved.dtype()) +
         "; expected " + shape_to_string(like.shape()) + " " + dtype_name(like.dtype());
}

inline void check_lr(const std::string& name, double lr) {
  if (!std::isfinite(lr) || lr < 0.0) {
    throw Error(name + ": learning rate must be a finite number >= 0, got " + std::to_string(lr));
  }
}

}  // namespace detail

// What a subclass provides:
//   update(p, options, state)       one parameter's step; p has a gradient
//   save(state, prefix, out)        the state's named entries, prefixed "<i>."
//   load(entries, like, index)      the state from entries keyed by field name; throws Error
// and, found by argument-dependent lookup next to Options (they run in the constructor, where
// virtual calls would not reach the subclass):
//   validate_options(options, name)           throws Error for an invalid value
//   options_to_map(options)                   torch's names and values
//   set_option(options, key, value, name)     one named value; an unknown key is an Error
template <class P, class Options, class State>
class OptimizerBase : public Optimizer<P> {
 public:
  using typename Optimizer<P>::Gradient;
  using typename Optimizer<P>::StateDict;
  using Group = ParamGroup<P, Options>;
  using Entries = std::map<std::string, Gradient>;
  using Optimizer<P>::set_lr;

  void zero_grad() override {
    for (auto& group : groups_) {
      for (auto& p : group.params) p.zero_grad();
    }
  }

  void step() override {
    autodiff::NoGradGuard no_grad;
    std::size_t index = 0;
    for (auto& group : groups_) {
      for (auto& p : group.params) {
        State& state = state_[index++];
        if (p.has_grad()) update(p, *group.options, state);
      }
    }
  }

  std::size_t num_param_groups() const override { return groups_.size(); }
  std::vector<P> parameters() const override {
    std::vector<P> all;
    for (const auto& group : groups_)
      all.insert(all.end(), group.params.begin(), group.params.end());
    return all;
  }
  double lr(std::size_t group = 0) const override { return options(group).lr; }
  void set_lr(std::size_t group, double lr) override {
    Options changed = options(group);
    changed.lr = lr;
    validate(changed);
    groups_[group].options = changed;
    if (group == 0) defaults_.lr = lr;
  }

  // The options of a group (the defaults' copy when it gave none).
  const Options& options(std::size_t group = 0) const {
    if (group >= groups_.size()) {
      throw Error(name_ + ": no parameter group " + std::to_string(group) + " (it has " +
                  std::to_string(groups_.size()) + ")");
    }
    return *groups_[group].options;
  }
  const std::vector<Group>& param_groups() const { return groups_; }
  void add_param_group(Group group) {
    if (!group.options) group.options = defaults_;
    validate(*group.options);
    state_.resize(state_.size() + group.params.size());
    groups_.push_back(std::move(group));
  }

  StateDict state_dict() const override {
    StateDict out;
    for (const auto& group : groups_) out.param_groups.push_back(options_to_map(*group.options));
    for (std::size_t i = 0; i < state_.size(); ++i) {
      save(state_[i], std::to_string(i) + ".", out.state);
    }
    return out;
  }

  void load_state_dict(const StateDict& saved) override {
    std::vector<Options> options = loaded_options(saved);
    const std::vector<P> params = parameters();
    std::vector<Entries> by_parameter(params.size());
    for (const auto& [name, value] : saved.state) {
      const auto [index, field] = split_name(name, params.size());
      if (!is_field(field)) {
        throw Error("optimizer state has an unexpected entry '" + name + "'");
      }
      // A step count is a number; every other entry has its parameter's shape.
      const std::string problem =
          field == "step" ? std::string() : detail::mismatch(value, params[index].data());
      if (!problem.empty()) throw Error("optimizer state '" + name + "' " + problem);
      by_parameter[index].emplace(field, detail::copy_of(value));
    }
    std::vector<State> state(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) state[i] = load(by_parameter[i], i);
    for (std::size_t g = 0; g < groups_.size(); ++g) groups_[g].options = options[g];
    if (!groups_.empty()) defaults_.lr = options[0].lr;
    state_ = std::move(state);
  }

 protected:
  OptimizerBase(std::string name, std::vector<Group> groups, Options defaults)
      : name_(std::move(name)), defaults_(defaults) {
    validate(defaults_);
    for (auto& group : groups) add_param_group(std::move(group));
  }
  static std::vector<Group> one_group(std::vector<P> params) {
    std::vector<Group> groups;
    groups.push_back({std::move(params), std::nullopt});
    return groups;
  }

  virtual void update(P& p, const Options& options, State& state) = 0;
  virtual void save(const State& state, const std::string& prefix,
                    std::vector<std::pair<std::string, Gradient>>& out) const = 0;
  virtual bool is_field(const std::string& field) const = 0;
  // Requires entries to hold only known fields, each matching its parameter.
  virtual State load(const Entries& entries, std::size_t index) const = 0;

  const std::string& name() const { return name_; }

 private:
  void validate(const Options& options) const { validate_options(options, name_); }

  std::pair<std::size_t, std::string> split_name(const std::string& name,
                                                 std::size_t parameters) const {
    const auto dot = name.find('.');
    if (dot != std::string::npos && dot > 0 && dot <= 9) {
      const std::string index = name.substr(0, dot);
      if (index.find_first_not_of("0123456789") == std::string::npos) {
        const std::size_t i = std::stoul(index);
        if (i < parameters) return {i, name.substr(dot + 1)};
      }
    }
    throw Error("optimizer state has an unexpected entry '" + name + "'");
  }

  std::vector<Options> loaded_options(const StateDict& saved) const {
    std::vector<Options> options;
    for (const auto& group : groups_) options.push_back(*group.options);
    // A state without groups (an older checkpoint) keeps the current options.
    if (saved.param_groups.empty()) return options;
    if (saved.param_groups.size() != groups_.size()) {
      throw Error(name_ + ": state_dict has " + std::to_string(saved.param_groups.size()) +
                  " parameter groups; this optimizer has " + std::to_string(groups_.size()));
    }
    for (std::size_t g = 0; g < groups_.size(); ++g) {
      for (const auto& [key, value] : saved.param_groups[g])
        set_option(options[g], key, value, name_);
      validate(options[g]);
    }
    return options;
  }

  std::string name_;
  Options defaults_;
  std::vector<Group> groups_;
  std::vector<State> state_;  // by parameter index across groups
};

}  // namespace minitorch::optim
