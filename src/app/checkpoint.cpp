#include "minitorch/app/checkpoint.h"

#include <charconv>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "minitorch/core/error.h"
#include "minitorch/io/safetensors.h"
#include "minitorch/io/state_dict.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;
constexpr const char* kModelFile = "model.safetensors";
constexpr const char* kCheckpointFile = "checkpoint.safetensors";

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

}  // namespace

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
  card.epoch = number<int>(m, "epoch", file);
  const std::string& input = field(m, "input", file);
  if (input != "image" && input != "tokens") {
    throw Error(file + ": metadata 'input' is '" + input + "'; expected image or tokens");
  }
  card.input = input == "image" ? models::InputKind::Image : models::InputKind::Tokens;
  try {
    card.class_names =
        nlohmann::json::parse(field(m, "classes", file)).get<std::vector<std::string>>();
    const auto shape =
        nlohmann::json::parse(field(m, "input_shape", file)).get<std::vector<std::int64_t>>();
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
  card.mean = number<double>(m, "normalize_mean", file);
  card.std = number<double>(m, "normalize_std", file);
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

void save_training_checkpoint(const fs::path& run_dir, const nn::Module& model,
                              const TrainingOptimizer& optimizer, const ResumePoint& point,
                              const ModelCard& card) {
  std::vector<std::pair<std::string, Tensor>> weights;
  for (const auto& p : model.state_dict()) weights.emplace_back(p.name, p.value);

  std::vector<std::pair<std::string, Tensor>> everything;
  for (const auto& [name, value] : weights) everything.emplace_back("model." + name, value);
  for (const auto& [name, value] : optimizer.state_tensors()) {
    everything.emplace_back("optimizer." + name, value);
  }
  auto metadata = card.to_metadata();
  metadata["epoch"] = std::to_string(point.epoch);
  metadata["run_generator"] = generator_text(point.run_generator);
  metadata["loader_generator"] = generator_text(point.loader_generator);
  io::save_safetensors(run_dir / kCheckpointFile, everything, metadata);
  io::save_safetensors(run_dir / kModelFile, weights, card.to_metadata());
}

ResumePoint load_training_checkpoint(const fs::path& run_dir, nn::Module& model,
                                     TrainingOptimizer& optimizer) {
  const fs::path path = run_dir / kCheckpointFile;
  if (!fs::exists(path)) {
    throw Error("cannot resume: " + path.string() +
                " does not exist (the run finished no epoch, or is not a network training run)");
  }
  const io::SafetensorsFile file = io::load_safetensors(path);
  const std::string name = path.string();
  ResumePoint point;
  point.epoch = number<int>(file.metadata, "epoch", name);
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
  // Each load checks everything before it changes anything; a failure fails the run.
  io::load_state_dict(model, with_prefix(file, "model."));
  const auto optimizer_state = with_prefix(file, "optimizer.").tensors;
  optimizer.load_state_tensors({optimizer_state.begin(), optimizer_state.end()});
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
  saved.model = models::make_model(saved.card.model, saved.card.model_config());
  io::load_state_dict(*saved.model, file);
  saved.model->eval();
  return saved;
}

}  // namespace minitorch::app
