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
#include "minitorch/train/checkpoint.h"

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
std::vector<std::int64_t> parsed_input_shape(const std::string& text, const std::string& file) {
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

NamedTensors weights_of(const nn::Module& model) {
  NamedTensors weights;
  for (const auto& p : model.state_dict()) weights.emplace_back(p.name, p.value);
  return weights;
}

models::InputKind input_kind(const std::string& name, const std::string& file) {
  for (const auto kind :
       {models::InputKind::Image, models::InputKind::Tokens, models::InputKind::Features}) {
    if (name == models::input_kind_name(kind)) return kind;
  }
  throw Error(file + ": metadata 'input' is '" + name + "'; expected image, tokens or features");
}

}  // namespace

std::map<std::string, std::string> ModelCard::to_metadata() const {
  std::map<std::string, std::string> metadata{{"task", task},
                                              {"model", model},
                                              {"epoch", std::to_string(epoch)},
                                              {"classes", nlohmann::json(class_names).dump()},
                                              {"input", models::input_kind_name(input)},
                                              {"input_shape", nlohmann::json(input_shape()).dump()},
                                              {"vocab_size", std::to_string(vocab_size)},
                                              {"embedding_dim", std::to_string(embedding_dim)},
                                              {"normalize_mean", exact(mean)},
                                              {"normalize_std", exact(std)}};
  if (input == models::InputKind::Features) metadata["hidden"] = std::to_string(hidden);
  return metadata;
}

ModelCard ModelCard::from_metadata(const std::map<std::string, std::string>& m,
                                   const std::string& file) {
  ModelCard card;
  card.task = field(m, "task", file);
  card.model = field(m, "model", file);
  card.epoch = number_where<int>(
      m, "epoch", file, [](int e) { return e >= 0; }, "an integer >= 0");
  const std::string& input = field(m, "input", file);
  card.input = input_kind(input, file);
  try {
    card.class_names =
        nlohmann::json::parse(field(m, "classes", file)).get<std::vector<std::string>>();
    const std::vector<std::int64_t> shape = parsed_input_shape(field(m, "input_shape", file), file);
    if (card.input == models::InputKind::Image && shape.size() == 3) {
      card.channels = shape[0];
      card.height = shape[1];
      card.width = shape[2];
    } else if (card.input == models::InputKind::Tokens && shape.size() == 1) {
      card.max_length = shape[0];
    } else if (card.input == models::InputKind::Features && shape.size() == 1) {
      card.features = shape[0];
    } else {
      throw Error(file + ": metadata 'input_shape' does not fit an input of kind " + input);
    }
  } catch (const nlohmann::json::exception& e) {
    throw Error(file + ": metadata 'classes' or 'input_shape' is not valid JSON (" + e.what() +
                ")");
  }
  if (card.class_names.empty()) throw Error(file + ": metadata 'classes' lists no class");
  if (card.input == models::InputKind::Features) {
    card.hidden = number_where<std::int64_t>(
        m, "hidden", file, [](std::int64_t h) { return h > 0; }, "an integer > 0");
  }
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
  config.in_features = features;
  config.hidden = hidden;
  config.num_classes = static_cast<std::int64_t>(class_names.size());
  return config;
}

std::vector<std::int64_t> ModelCard::input_shape() const {
  switch (input) {
    case models::InputKind::Image:
      return {channels, height, width};
    case models::InputKind::Tokens:
      return {max_length};
    case models::InputKind::Features:
      return {features};
  }
  return {};
}

void save_model(const fs::path& run_dir, const nn::Module& model, const ModelCard& card) {
  io::save_safetensors(run_dir / kModelFile, weights_of(model), card.to_metadata());
}

void save_training_checkpoint(const fs::path& run_dir, const nn::Module& model,
                              const TrainingOptimizer& optimizer, const ResumePoint& point,
                              const ModelCard& card) {
  // The library's TrainState points at what it saves; saving changes none of it.
  train::TrainState state{
      .model = const_cast<nn::Module*>(&model),
      .optimizer = const_cast<optim::Optimizer<Tensor>*>(&optimizer.optimizer()),
      .schedule = const_cast<optim::LRScheduler<Tensor>*>(optimizer.schedule()),
      .epoch = point.epoch,
      .generators = {{"run_generator", point.run_generator},
                     {"loader_generator", point.loader_generator}}};
  train::save_checkpoint(run_dir / kCheckpointFile, state, card.to_metadata());
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
  train::TrainState state{.model = &model,
                          .optimizer = &optimizer.optimizer(),
                          .schedule = optimizer.schedule(),
                          .epoch = 0,
                          .generators = {{"run_generator", {}}, {"loader_generator", {}}}};
  train::load_checkpoint(path, state, [&](const train::CheckpointMetadata& metadata) {
    check_same_run(metadata, expected, path.string());
  });
  return {state.epoch, state.generators.at("run_generator"),
          state.generators.at("loader_generator")};
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
