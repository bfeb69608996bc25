#include "app/sweep.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <ostream>

#include "app/fault_injection.h"
#include "app/run_directory.h"
#include "minitorch/core/error.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kSweepFile = "sweep.json";
constexpr int kDefaultRandomTrials = 10;
using Clock = std::chrono::steady_clock;
constexpr auto kProgressInterval = std::chrono::milliseconds(500);

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// What a sweep is, apart from its trials: what --resume compares with the flags.
json sweep_header(const SweepSettings& s, const std::string& metric, Direction direction,
                  int trials) {
  json params = json::array();
  for (const ParamSpec& p : s.params) params.push_back({{"name", p.param.field}, {"spec", p.spec}});
  json header{{"version", 1},
              {"command", "sweep"},
              {"task", s.base.task},
              {"model", s.base.task == "2d" ? std::string("mlp") : s.base.model},
              {"metric", metric},
              {"direction", direction_name(direction)},
              {"sampler", s.sampler},
              {"seed", s.base.seed},
              {"trials_requested", trials},
              {"params", params},
              {"pruner",
               {{"kind", s.pruner},
                {"warmup_epochs", s.pruning.warmup_epochs},
                {"warmup_trials", s.pruning.warmup_trials}}},
              {"base_config", to_json(s.base)}};
  if (s.sampler == "grid") header["grid_points"] = s.grid_points;
  return header;
}

json normalised_config(const json& config) {
  try {
    return to_json(train_config_from_json(config));
  } catch (const std::exception&) {
    return config;  // compared as it is: the difference names the odd field
  }
}

// The first difference between the sweep in sweep.json and the one the flags describe, as
// "FIELD: sweep.json has X, the flags give Y"; empty when they agree. The thread count may
// differ, as for `train --resume`.
std::string difference(const json& saved, const json& given) {
  for (const auto& [key, value] : given.items()) {
    if (key == "trials_requested") continue;
    const json old = saved.contains(key) ? saved.at(key) : json();
    if (old == value) continue;
    if (key == "base_config" && old.is_object()) {
      // Read as a run reads config.json: a field a sweep of an older version did not record
      // takes its default (e.g. world_size 1).
      const json saved_config = normalised_config(old);
      json keys = value;
      keys.update(saved_config);
      for (const auto& [field, unused] : keys.items()) {
        const json a = saved_config.contains(field) ? saved_config.at(field) : json();
        const json b = value.contains(field) ? value.at(field) : json();
        if (a != b && field != "threads") {
          return "the trials' setting " + field + ": sweep.json has " + a.dump() +
                 ", the flags give " + b.dump();
        }
      }
      continue;  // only the thread count differs, which a resumed sweep may change
    }
    return key + ": sweep.json has " + old.dump() + ", the flags give " + value.dump();
  }
  return "";
}

json read_sweep_file(const fs::path& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot resume: " + path.string() + " is missing; expected a sweep there");
  try {
    return json::parse(in);
  } catch (const json::exception& e) {
    throw Error(path.string() + " is not valid JSON (" + e.what() + ")");
  }
}

bool holds_only_lock(const fs::path& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename() != RunLock::kFileName) return false;
  }
  return true;
}

std::string value_text(const json& value) {
  if (!value.is_number()) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value.get<double>());
  return text;
}

// A --metric the epoch records lack fails every trial alike: the sweep stops at the first.
struct MissingMetric : Error {
  using Error::Error;
};

bool is_finished(const json& trial) {
  const std::string state = trial.value("state", "");
  return state == "complete" || state == "pruned" || state == "failed";
}

class Sweep {
 public:
  Sweep(const SweepSettings& settings, const TrialTrainer& train, std::ostream& out)
      : s_(settings), train_(train), out_(out) {}

  int run() {
    fs::create_directories(s_.sweep_dir);
    const auto lock = RunLock::acquire(s_.sweep_dir);
    const std::string metric = s_.metric.empty() ? default_metric(s_.base.task) : s_.metric;
    const std::optional<Direction> inferred =
        s_.direction ? s_.direction : inferred_direction(metric);
    if (!inferred) {
      throw Error("sweep: cannot tell whether metric '" + metric +
                  "' is to be maximized or minimized; expected a direction");
    }
    const Direction direction = *inferred;
    pruner_.emplace(s_.pruning, direction);
    direction_ = direction;
    metric_ = metric;
    state_ = sweep_header(s_, metric, direction, planned_trials());
    if (s_.resume) {
      take_over_saved_trials();
    } else {
      if (!holds_only_lock(s_.sweep_dir)) {
        throw Error("sweep directory " + s_.sweep_dir.string() + " is not empty" +
                    (fs::exists(s_.sweep_dir / kSweepFile)
                         ? "; it holds a sweep: continue it with --resume"
                         : "; expected a new or empty directory"));
      }
      state_["trials"] = json::array();
    }
    update_best();
    save();
    const int trials = state_["trials_requested"].get<int>();
    for (int number = 0; number < trials; ++number) {
      if (number < int(state_["trials"].size()) && is_finished(state_["trials"][number])) continue;
      run_trial(number, trials);
      if (stopped_) break;
    }
    return report();
  }

 private:
  int planned_trials() const {
    if (s_.sampler == "grid") {
      const int size = grid_size(s_.params, s_.grid_points);
      return s_.trials ? std::min(*s_.trials, size) : size;
    }
    return s_.trials.value_or(kDefaultRandomTrials);
  }

  void take_over_saved_trials() {
    const json saved = read_sweep_file(s_.sweep_dir / kSweepFile);
    const std::string why = difference(saved, state_);
    if (!why.empty()) {
      throw Error("cannot resume the sweep in " + s_.sweep_dir.string() +
                  ": the flags describe another sweep (" + why +
                  "); give the flags it was started with");
    }
    const int saved_trials = saved.value("trials_requested", 0);
    if (!s_.trials) {
      state_["trials_requested"] = saved_trials;
    } else if (planned_trials() < saved_trials) {
      throw Error("cannot resume the sweep in " + s_.sweep_dir.string() + " with --trials " +
                  std::to_string(*s_.trials) + ": it already asked for " +
                  std::to_string(saved_trials) + " trials (--trials may only grow)");
    }
    state_["trials"] = saved.value("trials", json::array());
  }

  json params_of(int number) const {
    if (s_.sampler == "grid") return grid_params(s_.params, s_.grid_points, number);
    return random_params(s_.params, s_.base.seed, number);
  }

  json& trial(int number) { return state_["trials"][std::size_t(number)]; }

  void run_trial(int number, int trials) {
    const std::string dir_name = trial_dir_name(number);
    const json params = params_of(number);
    json record{{"number", number},        {"run_dir", dir_name},        {"params", params},
                {"state", "running"},      {"epochs_done", 0},           {"value", nullptr},
                {"values", json::array()}, {"pruned_at_epoch", nullptr}, {"error", nullptr}};
    if (number < int(state_["trials"].size())) {
      trial(number) = record;
    } else {
      state_["trials"].push_back(record);
    }
    // A trial left running by an interrupted sweep starts over in a clean directory.
    const fs::path dir = s_.sweep_dir / dir_name;
    fs::remove_all(dir);
    save();
    TrainConfig config = with_params(s_.base, params);
    config.run_dir = dir.string();
    try {
      if (s_.finish_trial) {
        s_.finish_trial(config);
        config = with_params(config, params);
      }
      train_(config, [&](const json& epoch_record) { return after_epoch(number, epoch_record); });
      // "pruned" is recorded only now: until train_ returns, the directory may lack the
      // model and summary a finished trial has, and a resumed sweep must train it again.
      trial(number)["state"] = trial(number)["pruned_at_epoch"].is_null() ? "complete" : "pruned";
    } catch (const MissingMetric& e) {
      trial(number)["state"] = "failed";
      trial(number)["error"] = e.what();
      stopped_ = true;
    } catch (const std::exception& e) {
      trial(number)["state"] = "failed";
      trial(number)["error"] = e.what();
    }
    update_best();
    save();
    print_trial(number, trials);
  }

  double metric_of(const json& epoch_record) const {
    const auto found = epoch_record.find(metric_);
    if (found == epoch_record.end() || !found->is_number()) {
      std::string fields;
      for (const auto& [key, value] : epoch_record.items()) {
        if (value.is_number() && key != "epoch" && key != "step") {
          fields += (fields.empty() ? "" : ", ") + key;
        }
      }
      throw MissingMetric("the epoch records have no metric '" + metric_ +
                          "'; expected --metric to name one of: " + fields);
    }
    return found->get<double>();
  }

  bool after_epoch(int number, const json& epoch_record) {
    const double value = metric_of(epoch_record);
    const int epoch = epoch_record.at("epoch").get<int>();
    json& t = trial(number);
    t["values"].push_back(std::isnan(value) ? json() : json(value));
    t["value"] = t["values"].back();
    t["epochs_done"] = epoch;
    const bool prune =
        s_.pruner == "median" && pruner_->should_prune(epoch, value, finished_curves(number));
    if (prune) {
      t["pruned_at_epoch"] = epoch;
      save();
    } else {
      save_progress();
    }
    // Tests kill the sweep here (MINITORCH_FAULT_AT=trial-N:E) to leave a trial half trained.
    fault_point("trial-" + std::to_string(number), epoch);
    return !prune;
  }

  std::vector<std::vector<double>> finished_curves(int except) const {
    std::vector<std::vector<double>> curves;
    for (const json& t : state_["trials"]) {
      const std::string state = t.value("state", "");
      if (t.value("number", -1) == except || (state != "complete" && state != "pruned")) continue;
      std::vector<double> curve;
      for (const json& v : t["values"]) {
        curve.push_back(v.is_number() ? v.get<double>() : std::numeric_limits<double>::quiet_NaN());
      }
      curves.push_back(std::move(curve));
    }
    return curves;
  }

  void update_best() {
    state_["best_trial"] = nullptr;
    state_["best_value"] = nullptr;
    state_["best_params"] = nullptr;
    for (const json& t : state_["trials"]) {
      if (t.value("state", "") != "complete" || !t["value"].is_number()) continue;
      const double value = t["value"].get<double>();
      const bool better =
          !state_["best_value"].is_number() ||
          (direction_ == Direction::Maximize ? value > state_["best_value"].get<double>()
                                             : value < state_["best_value"].get<double>());
      if (!better) continue;
      state_["best_trial"] = t["number"];
      state_["best_value"] = value;
      state_["best_params"] = t["params"];
    }
  }

  void save() {
    write_file_atomically(s_.sweep_dir / kSweepFile, state_.dump(2) + "\n");
    last_save_ = Clock::now();
  }

  // A trial's epochs are saved at most every kProgressInterval (each save is an fsync'ed file):
  // a sweep of short epochs would spend more time writing sweep.json than training.
  void save_progress() {
    if (Clock::now() - last_save_ >= kProgressInterval) save();
  }

  void print_trial(int number, int trials) {
    const json& t = trial(number);
    const std::string state = t["state"].get<std::string>();
    out_ << "Trial " << number << "/" << trials << " " << params_text(t["params"]) << ": " << state;
    if (state == "failed") {
      out_ << " (" << t["error"].get<std::string>() << ")";
    } else {
      out_ << ", " << metric_ << " " << value_text(t["value"]) << " after "
           << t["epochs_done"].get<int>() << " epoch(s)";
    }
    out_ << "\n" << std::flush;
  }

  int report() {
    int failed = 0;
    for (const json& t : state_["trials"]) failed += t["state"] == "failed";
    out_ << "Sweep " << s_.sweep_dir.string() << ": " << state_["trials"].size() << " trial(s), "
         << failed << " failed" << (stopped_ ? "; stopped: the metric is missing" : "") << "\n";
    if (state_["best_trial"].is_number()) {
      const int best = state_["best_trial"].get<int>();
      out_ << "Best trial " << best << ": " << metric_ << " " << value_text(state_["best_value"])
           << " with " << params_text(state_["best_params"]) << "\n"
           << "Run directory: " << (s_.sweep_dir / trial_dir_name(best)).string() << "\n";
    } else {
      out_ << "No trial completed\n";
    }
    out_ << "Sweep record: " << (s_.sweep_dir / kSweepFile).string() << "\n" << std::flush;
    const bool all_failed = failed > 0 && failed == int(state_["trials"].size());
    return all_failed ? 1 : 0;
  }

  const SweepSettings& s_;
  const TrialTrainer& train_;
  std::ostream& out_;
  std::optional<MedianPruner> pruner_;
  Direction direction_ = Direction::Maximize;
  std::string metric_;
  json state_;
  Clock::time_point last_save_;
  bool stopped_ = false;  // by a MissingMetric: the other trials would fail alike
};

}  // namespace

std::string default_metric(const std::string& task) {
  if (task == "2d") return "train_accuracy";
  if (task == "spam") return "val_accuracy";
  return "test_accuracy";
}

std::optional<Direction> inferred_direction(const std::string& metric) {
  if (metric.find("loss") != std::string::npos || ends_with(metric, "seconds")) {
    return Direction::Minimize;
  }
  if (ends_with(metric, "accuracy") || metric == "samples_per_second") return Direction::Maximize;
  return std::nullopt;
}

std::string trial_dir_name(int number) {
  char name[32];
  std::snprintf(name, sizeof name, "trial-%03d", number);
  return name;
}

int run_sweep(const SweepSettings& settings, const TrialTrainer& train, std::ostream& out) {
  return Sweep(settings, train, out).run();
}

}  // namespace minitorch::app
