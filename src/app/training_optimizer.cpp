#include "minitorch/app/training_optimizer.h"

#include <cmath>
#include <optional>

#include "minitorch/core/error.h"
#include "minitorch/optim/adam.h"
#include "minitorch/optim/schedulers.h"
#include "minitorch/optim/sgd.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::app {
namespace {

using Named = std::vector<std::pair<std::string, Tensor>>;
using Lookup = std::map<std::string, Tensor>;

// A saved moment must match its parameter exactly: same shape and dtype.
std::optional<Tensor> saved_like(const Lookup& state, const std::string& name,
                                 const Tensor& parameter) {
  const auto it = state.find(name);
  if (it == state.end()) return std::nullopt;
  if (it->second.shape() != parameter.shape() || it->second.dtype() != parameter.dtype()) {
    throw Error("optimizer state '" + name + "' has shape " + shape_to_string(it->second.shape()) +
                " " + dtype_name(it->second.dtype()) + "; expected " +
                shape_to_string(parameter.shape()) + " " + dtype_name(parameter.dtype()));
  }
  return it->second.clone();
}

void check_known_names(const Lookup& state, const std::vector<std::string>& fields,
                       std::size_t parameters) {
  for (const auto& [name, value] : state) {
    const auto dot = name.find('.');
    bool known = false;
    if (dot != std::string::npos) {
      const std::string index = name.substr(0, dot), field = name.substr(dot + 1);
      const bool numeric =
          !index.empty() && index.find_first_not_of("0123456789") == std::string::npos;
      for (const auto& f : fields) known = known || f == field;
      known = known && numeric && std::stoul(index) < parameters;
    }
    if (!known) throw Error("optimizer state has an unexpected entry '" + name + "'");
  }
}

// The schedule and the optimizer it steers, with the schedule's position counted in epochs.
template <class Optimizer>
class Scheduled : public TrainingOptimizer {
 public:
  Scheduled(Optimizer optimizer, const OptimizerSettings& s) : optimizer_(std::move(optimizer)) {
    if (s.schedule == "step") {
      step_lr_.emplace(optimizer_, s.step_size, s.gamma);
    } else if (s.schedule == "cosine") {
      cosine_.emplace(optimizer_, s.epochs);
    } else if (s.schedule != "none") {
      throw Error("unknown schedule '" + s.schedule + "'; expected one of none, step, cosine");
    }
  }
  void zero_grad() override { optimizer_.zero_grad(); }
  void step() override { optimizer_.step(); }
  void end_epoch() override {
    if (step_lr_) step_lr_->step();
    if (cosine_) cosine_->step();
  }
  double lr() const override { return optimizer_.options().lr; }

 protected:
  Optimizer optimizer_;

 private:
  std::optional<optim::StepLR<Optimizer>> step_lr_;
  std::optional<optim::CosineAnnealingLR<Optimizer>> cosine_;
};

template <class Optimizer>
class AdamFamily : public Scheduled<Optimizer> {
 public:
  using Scheduled<Optimizer>::Scheduled;

  Named state_tensors() const override {
    Named out;
    const auto& state = this->optimizer_.state();
    for (std::size_t i = 0; i < state.size(); ++i) {
      if (state[i].step == 0) continue;
      const std::string prefix = std::to_string(i) + ".";
      out.emplace_back(prefix + "step", full({}, double(state[i].step), {.dtype = kFloat64}));
      if (state[i].m) out.emplace_back(prefix + "exp_avg", *state[i].m);
      if (state[i].v) out.emplace_back(prefix + "exp_avg_sq", *state[i].v);
    }
    return out;
  }

  void load_state_tensors(const Lookup& saved) override {
    const auto& parameters = this->optimizer_.parameters();
    check_known_names(saved, {"step", "exp_avg", "exp_avg_sq"}, parameters.size());
    std::vector<typename Optimizer::State> state(parameters.size());
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      const std::string prefix = std::to_string(i) + ".";
      const auto step = saved.find(prefix + "step");
      state[i].m = saved_like(saved, prefix + "exp_avg", parameters[i]);
      state[i].v = saved_like(saved, prefix + "exp_avg_sq", parameters[i]);
      if (step == saved.end()) {
        if (state[i].m || state[i].v)
          throw Error("optimizer state: moments of parameter " + std::to_string(i) +
                      " without its step count");
        continue;
      }
      const double count = step->second.numel() == 1 ? step->second.item() : -1.0;
      if (!(count >= 1) || count != std::floor(count) || !state[i].m || !state[i].v) {
        throw Error("optimizer state: parameter " + std::to_string(i) +
                    " needs a positive integer step and both moments");
      }
      state[i].step = static_cast<long>(count);
    }
    this->optimizer_.set_state(std::move(state));
  }
};

class Sgd : public Scheduled<optim::SGD<Tensor>> {
 public:
  using Scheduled::Scheduled;

  Named state_tensors() const override {
    Named out;
    const auto& buffers = optimizer_.momentum_buffers();
    for (std::size_t i = 0; i < buffers.size(); ++i) {
      if (buffers[i]) out.emplace_back(std::to_string(i) + ".momentum_buffer", *buffers[i]);
    }
    return out;
  }

  void load_state_tensors(const Lookup& saved) override {
    const auto& parameters = optimizer_.parameters();
    check_known_names(saved, {"momentum_buffer"}, parameters.size());
    std::vector<std::optional<Tensor>> buffers(parameters.size());
    for (std::size_t i = 0; i < parameters.size(); ++i) {
      buffers[i] = saved_like(saved, std::to_string(i) + ".momentum_buffer", parameters[i]);
    }
    optimizer_.set_momentum_buffers(std::move(buffers));
  }
};

}  // namespace

std::unique_ptr<TrainingOptimizer> make_training_optimizer(std::vector<Tensor> parameters,
                                                           const OptimizerSettings& s) {
  if (s.name == "sgd") {
    return std::make_unique<Sgd>(
        optim::SGD<Tensor>(std::move(parameters),
                           {.lr = s.lr, .momentum = s.momentum, .weight_decay = s.weight_decay}),
        s);
  }
  const optim::AdamOptions adam{.lr = s.lr, .weight_decay = s.weight_decay};
  if (s.name == "adam") {
    return std::make_unique<AdamFamily<optim::Adam<Tensor>>>(
        optim::Adam<Tensor>(std::move(parameters), adam), s);
  }
  if (s.name == "adamw") {
    return std::make_unique<AdamFamily<optim::AdamW<Tensor>>>(
        optim::AdamW<Tensor>(std::move(parameters), adam), s);
  }
  throw Error("unknown optimizer '" + s.name + "'; expected one of sgd, adam, adamw");
}

}  // namespace minitorch::app
