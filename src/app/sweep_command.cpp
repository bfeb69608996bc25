#include "app/sweep_command.h"

#include <iostream>
#include <string>
#include <vector>

#include "app/classification_task.h"
#include "app/sweep.h"
#include "app/train_command.h"
#include "app/train_network.h"
#include "app/usage_error.h"

namespace minitorch::app {

struct SweepCommand {
  CLI::App* app = nullptr;
  SweepSettings settings;
  std::vector<std::string> params;
  int trials = 0;
  std::string direction;
};

namespace {

// What `--FLAG=VALUE` would be told by train's own check of the flag; empty when it passes.
std::string train_flag_refuses(const std::string& flag, const std::string& value) {
  CLI::App probe;
  TrainConfig scratch;
  add_train_flags(probe, scratch);
  try {
    probe.parse(std::vector<std::string>{"--" + flag + "=" + value});
  } catch (const CLI::ParseError& e) {
    return e.what();
  }
  return "";
}

ParamSpec checked_param(const std::string& text, const SweepCommand& command) {
  ParamSpec spec = parse_param(text);
  const std::string flag = "--" + spec.param.flag;
  for (const std::string& value : values_to_check(spec)) {
    const std::string why = train_flag_refuses(spec.param.flag, value);
    if (!why.empty()) throw UsageError("--param " + text + ": " + why);
  }
  if (command.app->count(flag) > 0) {
    throw UsageError("--param " + text + ": " + flag +
                     " is given too; a parameter is either fixed by its flag or swept");
  }
  const std::string why = why_not_applicable(flag, command.settings.base);
  if (!why.empty()) {
    throw UsageError("--param " + text + ": " + spec.param.flag + " does not apply to task " +
                     command.settings.base.task + ": " + why);
  }
  return spec;
}

void check_params(SweepCommand& command) {
  std::vector<std::string> seen;
  for (const std::string& text : command.params) {
    ParamSpec spec = checked_param(text, command);
    if (std::find(seen.begin(), seen.end(), spec.param.field) != seen.end()) {
      throw UsageError("--param " + text + ": " + spec.param.flag + " is swept twice");
    }
    seen.push_back(spec.param.field);
    command.settings.params.push_back(std::move(spec));
  }
}

void check_metric(SweepCommand& command) {
  SweepSettings& s = command.settings;
  if (!command.direction.empty()) {
    s.direction = command.direction == "maximize" ? Direction::Maximize : Direction::Minimize;
  }
  const std::string metric = s.metric.empty() ? default_metric(s.base.task) : s.metric;
  if (!s.direction && !inferred_direction(metric)) {
    throw UsageError("--metric " + metric +
                     ": cannot tell whether to maximize or minimize it; give --direction "
                     "maximize or minimize");
  }
}

void train_trial(const TrainConfig& config, const AfterEpoch& after_epoch) {
  if (is_network_task(config.task)) {
    train_network(config, {config.run_dir, false, after_epoch});
  } else {
    run_train(config, after_epoch);
  }
}

}  // namespace

std::shared_ptr<SweepCommand> add_sweep_command(CLI::App& app) {
  auto command = std::make_shared<SweepCommand>();
  SweepSettings& s = command->settings;
  auto* sweep = app.add_subcommand(
      "sweep",
      "Search hyperparameters: train trials with sampled parameters into <sweep-dir>/trial-NNN "
      "run directories, prune the trials that fall behind, record all in <sweep-dir>/sweep.json. "
      "Every train flag sets the trials' fixed settings; each trial trains with the same --seed, "
      "which also seeds the random sampler.");
  command->app = sweep;
  add_train_flags(*sweep, s.base);
  sweep->add_option("--sweep-dir", s.sweep_dir, "Directory of the sweep (new or empty)")
      ->required();
  sweep
      ->add_option("--param", command->params,
                   "NAME=SPEC, repeatable: NAME a train flag (lr, batch-size, weight-decay, "
                   "momentum, optimizer, schedule, step-size, gamma, hidden, embedding-dim, "
                   "max-length, vocab-size, min-frequency, points); SPEC log:LOW:HIGH "
                   "(log-uniform), uniform:LOW:HIGH, int:LOW:HIGH or choice:A,B,C")
      ->required();
  sweep
      ->add_option("--trials", command->trials,
                   "Trials to run (default: 10 for random; the whole grid for grid, which "
                   "--trials caps)")
      ->check(CLI::PositiveNumber);
  sweep
      ->add_option("--sampler", s.sampler,
                   "random: trial k's parameters drawn from --seed and k (reproducible); grid: "
                   "every combination in order, the last --param varying fastest")
      ->check(CLI::IsMember({"random", "grid"}))
      ->capture_default_str();
  sweep
      ->add_option("--grid-points", s.grid_points,
                   "grid: values of each numeric range, evenly spaced from LOW to HIGH "
                   "(log-spaced for log:, distinct integers for int:)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  sweep
      ->add_option("--prune", s.pruner,
                   "median: stop a trial after an epoch (past the warm-up epochs) whose metric is "
                   "worse than the median of the earlier finished trials at that epoch (once "
                   "there are --warmup-trials of them); none: train every trial fully")
      ->check(CLI::IsMember({"median", "none"}))
      ->capture_default_str();
  sweep
      ->add_option("--warmup-trials", s.pruning.warmup_trials,
                   "median: trials that must have reached an epoch before it prunes there")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sweep
      ->add_option("--warmup-epochs", s.pruning.warmup_epochs,
                   "median: epochs of each trial never pruned")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  sweep->add_option("--metric", s.metric,
                    "Field of the epoch records to optimise (default: val_accuracy when the "
                    "records have it (spam), else test_accuracy; train_accuracy for 2d). The image "
                    "tasks have no validation split: their default selects on the test set, so "
                    "the best trial's test_accuracy is optimistic");
  sweep
      ->add_option("--direction", command->direction,
                   "maximize or minimize the metric (default: inferred, minimize for "
                   "losses and seconds, maximize for accuracies)")
      ->check(CLI::IsMember({"maximize", "minimize"}));
  sweep->add_flag("--resume", s.resume,
                  "Continue the sweep in --sweep-dir (same flags; --trials may grow): trials "
                  "left running are trained again, the missing ones trained");
  return command;
}

int run_sweep_command(SweepCommand& command) {
  for (const char* flag : {"--run-dir", "--runs-dir"}) {
    if (command.app->count(flag) > 0) {
      throw UsageError(std::string(flag) +
                       " does not apply to sweep: each trial is written to "
                       "<sweep-dir>/trial-NNN");
    }
  }
  SweepSettings& s = command.settings;
  finish_train_flags(*command.app, s.base);
  check_params(command);
  check_metric(command);
  if (command.app->count("--trials") > 0) s.trials = command.trials;
  // The base got the defaults of its own optimizer; a trial that sweeps the optimizer needs its
  // own (sgd's lr, not adam's) and its flags checked against what it trains.
  const CLI::App& app = *command.app;
  s.finish_trial = [&app](TrainConfig& config) { finish_train_flags(app, config); };
  return run_sweep(s, train_trial, std::cout);
}

}  // namespace minitorch::app
