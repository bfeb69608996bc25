// A hyperparameter sweep (`minitorch sweep`): trials of one training setup with parameters drawn
// from a search space (sweep_space.h), each trained into an ordinary run directory
// <sweep_dir>/trial-NNN, stopped early by median pruning (median_pruner.h), recorded in
// <sweep_dir>/sweep.json.
//
// Every trial starts from `base` (its seed too: trials differ only by their parameters), with
// the trial's parameters set. Trial k's parameters depend only on the sampler, the specs and
// the seed, so a resumed sweep trains the trials it had not finished with the same parameters.
// After each epoch the trial's metric (the epoch record's field `metric`) is recorded; when the
// pruner says so, the trial stops there (its directory is that of a shorter run) and is
// "pruned" once its training has returned (until then it is "running", so a sweep killed before
// the directory is complete trains it again). A trial that throws is "failed" with the error and
// the sweep goes on, except when the epoch records lack the metric: every trial would fail alike,
// so the sweep stops there.
//
// sweep.json is rewritten atomically at every change of a trial's state, and while a trial
// trains after its epochs (at most every half second), so a sweep killed at any point leaves it
// valid; the trial it was training stays "running" (its epochs there may lag its directory).
// With resume, the sweep continues: the flags must describe the same sweep (anything but a
// larger trial count or another thread count is refused, naming the difference), "running" trials
// are cleared and trained again, missing ones trained. The sweep directory holds a lock (.lock)
// while the sweep runs. The best trial is the complete trial with the best final value.
//
// run_sweep returns 0, or 1 when every trial failed; Error when the sweep directory cannot be
// used (not empty for a new sweep, no sweep.json to resume, held by another process) or the
// resumed flags disagree with it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/after_epoch.h"
#include "app/median_pruner.h"
#include "app/sweep_space.h"
#include "app/train_config.h"

namespace minitorch::app {

struct SweepSettings {
  TrainConfig base;  // its seed seeds the random sampler too
  std::vector<ParamSpec> params;
  std::string sampler = "random";  // random | grid
  int grid_points = 3;             // grid: values of each numeric range
  std::optional<int> trials;       // random: 10 when unset; grid: caps the grid size
  std::string pruner = "median";   // median | none
  MedianPrunerOptions pruning;
  std::string metric;                  // empty: default_metric(base.task)
  std::optional<Direction> direction;  // unset: inferred_direction(metric)
  std::filesystem::path sweep_dir;
  bool resume = false;
  // Completes each trial's config once its parameters are set (the defaults that depend on them,
  // such as the optimizer's lr, and the check that every given flag applies); its throw fails the
  // trial. The parameters are set again after it, so it cannot change them.
  std::function<void(TrainConfig&)> finish_trial;
};

// Trains one trial: config.run_dir is the trial's directory (absent or empty).
using TrialTrainer = std::function<void(const TrainConfig& config, const AfterEpoch& after_epoch)>;

int run_sweep(const SweepSettings& settings, const TrialTrainer& train, std::ostream& out);

// The metric a sweep optimises by default: val_accuracy for the tasks with a validation split
// (spam), test_accuracy for the image tasks, train_accuracy for 2d (whose runs evaluate nothing
// else).
std::string default_metric(const std::string& task);
// minimize for losses and times (…loss…, …seconds…), maximize for accuracies and throughput
// (…accuracy…, samples_per_second); nullopt for other names.
std::optional<Direction> inferred_direction(const std::string& metric);

// The trials' directory names: trial-000, trial-001, ...
std::string trial_dir_name(int number);

}  // namespace minitorch::app
