#include "minitorch/train/checkpoint.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "minitorch/core/error.h"
#include "minitorch/io/safetensors.h"
#include "minitorch/io/state_dict.h"

namespace minitorch::train {
namespace {

namespace fs = std::filesystem;
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

const std::string& field(const CheckpointMetadata& metadata, const std::string& name,
                         const std::string& file) {
  const auto it = metadata.find(name);
  if (it == metadata.end()) {
    throw Error(file + ": metadata has no '" + name +
                "'; expected a minitorch training checkpoint");
  }
  return it->second;
}

int finished_epochs(const CheckpointMetadata& metadata, const std::string& file) {
  const std::string& text = field(metadata, "epoch", file);
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < 1) {
    throw Error(file + ": metadata 'epoch' is '" + text +
                "'; expected an integer >= 1 (the epochs the checkpoint has finished)");
  }
  return value;
}

std::string generator_text(const Generator::State& state) {
  std::string out;
  for (std::uint64_t word : state) {
    char text[24];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(word));
    out += (out.empty() ? "" : ",") + std::string(text);
  }
  return out;
}

Generator::State parse_generator(const std::string& text, const std::string& what,
                                 const std::string& file) {
  Generator::State state{};
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (std::size_t i = 0; i < state.size(); ++i) {
    const auto [next, error] = std::from_chars(p, end, state[i], 16);
    const bool separator_ok = i + 1 < state.size() ? (next < end && *next == ',') : next == end;
    if (error != std::errc() || !separator_ok) {
      throw Error(file + ": metadata '" + what + "' is '" + text +
                  "'; expected four comma-separated 64-bit hexadecimal words");
    }
    p = next + 1;
  }
  return state;
}

std::vector<std::map<std::string, double>> param_groups(const CheckpointMetadata& metadata,
                                                        const std::string& file) {
  const auto it = metadata.find("optimizer_param_groups");
  if (it == metadata.end()) return {};
  try {
    return nlohmann::json::parse(it->second).get<std::vector<std::map<std::string, double>>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": metadata 'optimizer_param_groups' is not a list of options (" + e.what() +
                ")");
  }
}

std::optional<optim::SchedulerStateDict> schedule_state(const CheckpointMetadata& metadata,
                                                        const std::string& file) {
  const auto it = metadata.find("lr_schedule");
  if (it == metadata.end()) return std::nullopt;
  optim::SchedulerStateDict state;
  try {
    const nlohmann::json json = nlohmann::json::parse(it->second);
    const nlohmann::json& last_epoch = json.at("last_epoch");
    if (!last_epoch.is_number_integer()) {
      throw Error(file + ": metadata 'lr_schedule' has no integer last_epoch");
    }
    state.last_epoch = last_epoch.get<long>();
    state.base_lrs = json.at("base_lrs").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": metadata 'lr_schedule' is not a schedule state (" + e.what() + ")");
  }
  return state;
}

// Weights or optimizer state with a NaN or an infinity come from a run that diverged; loading
// them would only give a resumed run that diverges again.
void check_finite(const NamedTensors& tensors, const std::string& file) {
  if (const auto bad = first_non_finite(tensors)) {
    throw Error(file + ": holds a non-finite value (" + bad->to_string() +
                "); expected finite weights. The run that wrote it diverged: train again with a "
                "smaller learning rate or weight decay");
  }
}

io::SafetensorsFile with_prefix(const io::SafetensorsFile& file, const std::string& prefix) {
  io::SafetensorsFile out{file.path, {}, file.metadata};
  for (const auto& [name, value] : file.tensors) {
    if (name.rfind(prefix, 0) == 0) out.tensors.emplace_back(name.substr(prefix.size()), value);
  }
  return out;
}

NamedTensors weights_of(const nn::Module& model) {
  NamedTensors weights;
  for (const auto& p : model.state_dict()) weights.emplace_back(p.name, p.value);
  return weights;
}

}  // namespace

std::string NonFiniteValue::to_string() const {
  return std::string(std::isnan(value) ? "nan"
                     : value > 0       ? "inf"
                                       : "-inf") +
         " at index " + std::to_string(index) + " of '" + tensor + "'";
}

std::optional<NonFiniteValue> first_non_finite(const NamedTensors& tensors) {
  for (const auto& [name, value] : tensors) {
    const std::vector<double> values = value.to_vector();
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!std::isfinite(values[i])) return NonFiniteValue{name, std::int64_t(i), values[i]};
    }
  }
  return std::nullopt;
}

std::optional<NonFiniteValue> first_non_finite(const nn::Module& model) {
  return first_non_finite(weights_of(model));
}

void save_checkpoint(const fs::path& path, const TrainState& state,
                     const CheckpointMetadata& extra) {
  if (state.model == nullptr || state.optimizer == nullptr || state.epoch < 1) {
    throw Error("save_checkpoint: expected a model, an optimizer and a finished epoch (>= 1)");
  }
  NamedTensors everything;
  for (const auto& [name, value] : weights_of(*state.model)) {
    everything.emplace_back("model." + name, value);
  }
  const auto optimizer_state = state.optimizer->state_dict();
  for (const auto& [name, value] : optimizer_state.state) {
    everything.emplace_back("optimizer." + name, value);
  }
  CheckpointMetadata metadata = extra;
  metadata["optimizer_param_groups"] = nlohmann::json(optimizer_state.param_groups).dump();
  if (state.schedule != nullptr) {
    const optim::SchedulerStateDict schedule = state.schedule->state_dict();
    metadata["lr_schedule"] =
        nlohmann::json{{"last_epoch", schedule.last_epoch}, {"base_lrs", schedule.base_lrs}}.dump();
  }
  metadata["epoch"] = std::to_string(state.epoch);
  for (const auto& [name, generator] : state.generators) {
    metadata[name] = generator_text(generator);
  }
  io::save_safetensors(path, everything, metadata);
}

CheckpointMetadata load_checkpoint(const fs::path& path, TrainState& state,
                                   const std::function<void(const CheckpointMetadata&)>& check) {
  const io::SafetensorsFile file = io::load_safetensors(path);
  const std::string name = path.string();
  if (check) check(file.metadata);
  const int epoch = finished_epochs(file.metadata, name);
  std::map<std::string, Generator::State> generators;
  for (const auto& [key, ignored] : state.generators) {
    generators[key] = parse_generator(field(file.metadata, key, name), key, name);
  }
  for (const auto& [tensor_name, value] : file.tensors) {
    if (tensor_name.rfind("model.", 0) != 0 && tensor_name.rfind("optimizer.", 0) != 0) {
      throw Error(name + ": unexpected tensor '" + tensor_name +
                  "'; expected names starting with model. or optimizer.");
    }
  }
  check_finite(file.tensors, name);
  const auto schedule = schedule_state(file.metadata, name);
  optim::Optimizer<Tensor>::StateDict optimizer_state;
  optimizer_state.state = with_prefix(file, "optimizer.").tensors;
  optimizer_state.param_groups = param_groups(file.metadata, name);
  // Each load checks everything before it changes anything; a failure fails the run.
  io::load_state_dict(*state.model, with_prefix(file, "model."));
  state.optimizer->load_state_dict(optimizer_state);
  if (state.schedule != nullptr) {
    if (schedule) {
      state.schedule->load_state_dict(*schedule);
    } else {
      for (int e = 0; e < epoch; ++e) state.schedule->step();
    }
  }
  state.epoch = epoch;
  state.generators = std::move(generators);
  return file.metadata;
}

}  // namespace minitorch::train
