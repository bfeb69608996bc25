#include "app/train_config.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "json_number.h"
#include "minitorch/core/error.h"

namespace minitorch::app {
namespace {

// Every field once, so writing and reading config.json cannot drift apart.
template <class Config, class Visit>
void for_each_field(Config& c, Visit&& visit) {
  visit("task", c.task);
  visit("backend", c.backend);
  visit("dataset", c.dataset);
  visit("model", c.model);
  visit("hidden", c.hidden);
  visit("lr", c.lr);
  visit("epochs", c.epochs);
  visit("points", c.points);
  visit("batch_size", c.batch_size);
  visit("seed", c.seed);
  visit("threads", c.threads);
  visit("optimizer", c.optimizer);
  visit("momentum", c.momentum);
  visit("weight_decay", c.weight_decay);
  visit("schedule", c.schedule);
  visit("step_size", c.step_size);
  visit("gamma", c.gamma);
  visit("data_dir", c.data_dir);
  visit("train_samples", c.train_samples);
  visit("max_length", c.max_length);
  visit("vocab_size", c.vocab_size);
  visit("min_frequency", c.min_frequency);
  visit("embedding_dim", c.embedding_dim);
  visit("log_every", c.log_every);
  visit("world_size", c.world_size);
}

// Whether a field's setting takes effect in the run `c` describes (task, optimizer and schedule
// come before the fields that depend on them). The command line refuses a flag that would not
// take effect, so config.json leaves such a field out rather than record a default that did not
// matter.
bool takes_effect(std::string_view field, const TrainConfig& c) {
  static constexpr std::array<std::string_view, 12> network_only{
      "optimizer", "momentum",      "weight_decay", "schedule",   "step_size",     "gamma",
      "data_dir",  "train_samples", "max_length",   "vocab_size", "min_frequency", "embedding_dim"};
  static constexpr std::array<std::string_view, 3> two_d_only{"hidden", "dataset", "points"};
  static constexpr std::array<std::string_view, 4> text_only{"max_length", "vocab_size",
                                                             "min_frequency", "embedding_dim"};
  const auto among = [&](const auto& names) {
    return std::find(names.begin(), names.end(), field) != names.end();
  };
  if (c.task == "2d") return !among(network_only);
  if (among(two_d_only)) return false;
  if (c.task != "spam" && among(text_only)) return false;
  if (field == "momentum") return c.optimizer == "sgd";
  if (field == "step_size" || field == "gamma") return c.schedule == "step";
  return true;
}

[[noreturn]] void wrong_type(const char* name, const nlohmann::json& value, const char* expected) {
  throw Error(std::string("config.json: field '") + name + "' is " + value.dump() + "; expected " +
              expected);
}

template <class T>
void read_field(const char* name, const nlohmann::json& json, T& out) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    const std::optional<T> value = json_integer<T>(json);
    if (!value) {
      wrong_type(name, json,
                 ("an integer from " + std::to_string(std::numeric_limits<T>::min()) + " to " +
                  std::to_string(std::numeric_limits<T>::max()))
                     .c_str());
    }
    out = *value;
  } else {
    try {
      json.get_to(out);
    } catch (const nlohmann::json::exception&) {
      wrong_type(name, json, std::is_same_v<T, std::string> ? "a string" : "a number");
    }
  }
}

}  // namespace

nlohmann::json to_json(const TrainConfig& c) {
  nlohmann::json out{{"command", "train"}};
  for_each_field(c, [&](const char* name, const auto& value) {
    if (takes_effect(name, c)) out[name] = value;
  });
  return out;
}

TrainConfig train_config_from_json(const nlohmann::json& json) {
  TrainConfig c;
  for_each_field(c, [&](const char* name, auto& value) {
    // A field that does not take effect keeps its default, whatever an older config.json says.
    if (!takes_effect(name, c)) return;
    // Runs written before step records existed logged epochs only; before data-parallel
    // training, every run was one process.
    if ((std::string_view(name) == "log_every" || std::string_view(name) == "world_size") &&
        !json.contains(name)) {
      return;
    }
    if (!json.contains(name)) throw Error(std::string("config.json: missing field '") + name + "'");
    read_field(name, json.at(name), value);
  });
  if (c.world_size < 1) {
    throw Error("config.json: field 'world_size' is " + std::to_string(c.world_size) +
                "; expected the number of processes that trained the run, at least 1");
  }
  return c;
}

}  // namespace minitorch::app
