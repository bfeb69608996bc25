#include "app/checkpoint.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "json_number.h"
#include "minitorch/core/error.h"
#include "minitorch/io/safetensors.h"
#include "minitorch/io/state_dict.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;

std::string exact(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

const std::string& field(const std::map<std::string, std::string>& metadata,
                         const std::string& name, const std::string& file) {
  const auto it = metadata.find(name);
  if (it == metadata.end()) {
    throw Error(file + ": metadata has no '" + name +
                "'; expected a minitorch training checkpoint");
  }
  return it->second;
}

template <class T>
T number(const std::map<std::string, std::string>& metadata, const std::string& name,
         const std::string& file) {
  const std::string& text = field(metadata, name, file);
  T value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw Error(file + ": metadata '" + name + "' is '" + text + "'; expected a number");
  }
  return value;
}

// A metadata number that must also satisfy `accept`, described by `expected` in the message.
template <class T, class Accept>
T number_where(const std::map<std::string, std::string>& metadata, const std::string& name,
               const std::string& file, Accept accept, const std::string& expected) {
  const T value = number<T>(metadata, name, file);
  if (!accept(value)) {
    throw Error(file + ": metadata '" + name + "' is '" + field(metadata, name, file) +
                "'; expected " + expected);
  }
  return value;
}

// The sizes of metadata 'input_shape', a JSON array of integers that fit in int64 (a float there
// would be cast to an integer, undefined when it does not fit).
std::vector<std::int64_t> input_shape(const std::string& text, const std::string& file) {
  const nlohmann::json json = nlohmann::json::parse(text);
  if (!json.is_array()) {
    throw Error(file + ": metadata 'input_shape' is '" + text + "'; expected an array of integers");
  }
  std::vector<std::int64_t> shape;
  for (const nlohmann::json& size : json) {
    const std::optional<std::int64_t> value = json_integer<std::int64_t>(size);
    if (!value) {
      throw Error(file + ": metadata 'input_shape' is '" + text + "'; its size " + size.dump() +
                  " is not an integer that fits in 64 bits");
    }
    shape.push_back(*value);
  }
  return shape;
}

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

// The optimizer's parameter groups (options by name) from metadata 'optimizer_param_groups'; none
// in a checkpoint written before it was saved, which keeps the run's options.
std::vector<std::map<std::string, double>> param_groups(
    const std::map<std::string, std::string>& metadata, const std::string& file) {
  const auto it = metadata.find("optimizer_param_groups");
  if (it == metadata.end()) return {};
  try {
    return nlohmann::json::parse(it->second).get<std::vector<std::map<std::string, double>>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": metadata 'optimizer_param_groups' is not a list of options (" + e.what() +
                ")");
  }
}

// The schedule's position from metadata 'lr_schedule' or, in a checkpoint without it, by stepping
// it once per finished epoch (its position is the epoch count).
void restore_schedule(const std::map<std::string, std::string>& metadata,
                      TrainingOptimizer& optimizer, int epoch, const std::string& file) {
  auto* schedule = optimizer.schedule();
  if (schedule == nullptr) return;
  const auto it = metadata.find("lr_schedule");
  if (it == metadata.end()) {
    for (int e = 0; e < epoch; ++e) schedule->step();
    return;
  }
  optim::SchedulerStateDict state;
  try {
    const nlohmann::json json = nlohmann::json::parse(it->second);
    const auto last_epoch = json_integer<long>(json.at("last_epoch"));
    if (!last_epoch) throw Error(file + ": metadata 'lr_schedule' has no integer last_epoch");
    state.last_epoch = *last_epoch;
    state.base_lrs = json.at("base_lrs").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": metadata 'lr_schedule' is not a schedule state (" + e.what() + ")");
  }
  schedule->load_state_dict(state);
}

// Weights or optimizer state with a NaN or an infinity come from a run that diverged; loading
// them would only give NaN predictions or a resumed run that diverges again.
void check_finite(const NamedTensors& tensors, const std::string& file) {
  if (const auto bad = first_non_finite(tensors)) {
    throw Error(file + ": holds a non-finite value (" + bad->to_string() +
                "); expected finite weights. The run that wrote it diverged: train again with a "
                "smaller learning rate or weight decay");
  }
}

// Resuming a run with the checkpoint of another run fails on its first tensor name otherwise,
// which hides the real mistake.
void check_same_run(const std::map<std::string, std::string>& metadata, const ModelCard& expected,
                    const std::string& file) {
  const std::string& task = field(metadata, "task", file);
  const std::string& model = field(metadata, "model", file);
  if (task != expected.task || model != expected.model) {
    throw Error(file + ": this checkpoint is for task " + task + " (model " + model +
                "); the run directory trains task " + expected.task + " (model " + expected.model +
                ")");
  }
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

// The tensors under `prefix` in the file, with the prefix taken off their names.
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

std::map<std::string, std::string> ModelCard::to_metadata() const {
  return {{"task", task},
          {"model", model},
          {"epoch", std::to_string(epoch)},
          {"classes", nlohmann::json(class_names).dump()},
          {"input", input == models::InputKind::Image ? "image" : "tokens"},
          {"input_shape", nlohmann::json(input == models::InputKind::Image
                                             ? std::vector<std::int64_t>{channels, height, width}
                                             : std::vector<std::int64_t>{max_length})
                              .dump()},
          {"vocab_size", std::to_string(vocab_size)},
          {"embedding_dim", std::to_string(embedding_dim)},
          {"normalize_mean", exact(mean)},
          {"normalize_std", exact(std)}};
}

ModelCard ModelCard::from_metadata(const std::map<std::string, std::string>& m,
                                   const std::string& file) {
  ModelCard card;
  card.task = field(m, "task", file);
  card.model = field(m, "model", file);
  card.epoch = number_where<int>(
      m, "epoch", file, [](int e) { return e >= 0; }, "an integer >= 0");
  const std::string& input = field(m, "input", file);
  if (input != "image" && input != "tokens") {
    throw Error(file + ": metadata 'input' is '" + input + "'; expected image or tokens");
  }
  card.input = input == "image" ? models::InputKind::Image : models::InputKind::Tokens;
  try {
    card.class_names =
        nlohmann::json::parse(field(m, "classes", file)).get<std::vector<std::string>>();
    const std::vector<std::int64_t> shape = input_shape(field(m, "input_shape", file), file);
    if (card.input == models::InputKind::Image && shape.size() == 3) {
      card.channels = shape[0];
      card.height = shape[1];
      card.width = shape[2];
    } else if (card.input == models::InputKind::Tokens && shape.size() == 1) {
      card.max_length = shape[0];
    } else {
      throw Error(file + ": metadata 'input_shape' does not fit an input of kind " + input);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": metadata 'classes' or 'input_shape' is not valid JSON (" + e.what() +
                ")");
  }
  if (card.class_names.empty()) throw Error(file + ": metadata 'classes' lists no class");
  card.vocab_size = number<std::int64_t>(m, "vocab_size", file);
  card.embedding_dim = number<std::int64_t>(m, "embedding_dim", file);
  card.mean = number_where<double>(
      m, "normalize_mean", file, [](double x) { return std::isfinite(x); }, "a finite number");
  card.std = number_where<double>(
      m, "normalize_std", file, [](double x) { return std::isfinite(x) && x > 0; },
      "a finite number > 0 (inputs are divided by it)");
  return card;
}

models::ModelConfig ModelCard::model_config() const {
  models::ModelConfig config;
  config.in_channels = channels;
  config.height = height;
  config.width = width;
  config.vocab_size = vocab_size;
  config.embedding_dim = embedding_dim;
  config.num_classes = static_cast<std::int64_t>(class_names.size());
  return config;
}

void save_model(const fs::path& run_dir, const nn::Module& model, const ModelCard& card) {
  io::save_safetensors(run_dir / kModelFile, weights_of(model), card.to_metadata());
}

void save_training_checkpoint(const fs::path& run_dir, const nn::Module& model,
                              const TrainingOptimizer& optimizer, const ResumePoint& point,
                              const ModelCard& card) {
  NamedTensors everything;
  for (const auto& [name, value] : weights_of(model)) {
    everything.emplace_back("model." + name, value);
  }
  const auto optimizer_state = optimizer.optimizer().state_dict();
  for (const auto& [name, value] : optimizer_state.state) {
    everything.emplace_back("optimizer." + name, value);
  }
  auto metadata = card.to_metadata();
  metadata["optimizer_param_groups"] = nlohmann::json(optimizer_state.param_groups).dump();
  if (const auto* schedule = optimizer.schedule()) {
    const optim::SchedulerStateDict state = schedule->state_dict();
    metadata["lr_schedule"] =
        nlohmann::json{{"last_epoch", state.last_epoch}, {"base_lrs", state.base_lrs}}.dump();
  }
  metadata["epoch"] = std::to_string(point.epoch);
  metadata["run_generator"] = generator_text(point.run_generator);
  metadata["loader_generator"] = generator_text(point.loader_generator);
  io::save_safetensors(run_dir / kCheckpointFile, everything, metadata);
}

bool has_training_checkpoint(const fs::path& run_dir) {
  return fs::exists(run_dir / kCheckpointFile);
}

ResumePoint load_training_checkpoint(const fs::path& run_dir, nn::Module& model,
                                     TrainingOptimizer& optimizer, const ModelCard& expected) {
  const fs::path path = run_dir / kCheckpointFile;
  if (!fs::exists(path)) {
    throw Error("cannot resume: " + path.string() +
                " does not exist (the run finished no epoch, or is not a network training run)");
  }
  const io::SafetensorsFile file = io::load_safetensors(path);
  const std::string name = path.string();
  ResumePoint point;
  check_same_run(file.metadata, expected, name);
  point.epoch = number_where<int>(
      file.metadata, "epoch", name, [](int e) { return e >= 1; },
      "an integer >= 1 (the epochs the checkpoint has finished)");
  point.run_generator =
      parse_generator(field(file.metadata, "run_generator", name), "run_generator", name);
  point.loader_generator =
      parse_generator(field(file.metadata, "loader_generator", name), "loader_generator", name);
  for (const auto& [tensor_name, value] : file.tensors) {
    if (tensor_name.rfind("model.", 0) != 0 && tensor_name.rfind("optimizer.", 0) != 0) {
      throw Error(name + ": unexpected tensor '" + tensor_name +
                  "'; expected names starting with model. or optimizer.");
    }
  }
  check_finite(file.tensors, name);
  // Each load checks everything before it changes anything; a failure fails the run.
  io::load_state_dict(model, with_prefix(file, "model."));
  optim::Optimizer<Tensor>::StateDict optimizer_state;
  optimizer_state.state = with_prefix(file, "optimizer.").tensors;
  optimizer_state.param_groups = param_groups(file.metadata, name);
  optimizer.optimizer().load_state_dict(optimizer_state);
  restore_schedule(file.metadata, optimizer, point.epoch, name);
  return point;
}

SavedModel load_saved_model(const fs::path& run_dir) {
  const fs::path path = run_dir / kModelFile;
  if (!fs::exists(path)) {
    throw Error(path.string() +
                " does not exist; expected the run directory of a finished "
                "`minitorch train` of a network (--run)");
  }
  const io::SafetensorsFile file = io::load_safetensors(path);
  SavedModel saved{ModelCard::from_metadata(file.metadata, path.string()), nullptr};
  check_finite(file.tensors, path.string());
  saved.model = models::make_model(saved.card.model, saved.card.model_config());
  io::load_state_dict(*saved.model, file);
  saved.model->eval();
  return saved;
}

}  // namespace minitorch::app
