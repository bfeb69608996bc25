// fit — the one training loop: epochs of steps over a Task, with the progress bar, the checks that
// stop a diverged run, the metrics records (train/metrics.h) and a hook that commits each epoch.
//
// A Task is what the loop trains: data, model, loss and optimizer behind one call per epoch. Per
// epoch fit does, in this order: the task's steps (each reporting its batch's mean loss, samples
// and correct predictions, counted before the step); a check of the loss after every step and of
// the weights after the last; the learning rate the epoch ran with; the task's end_epoch (e.g. the
// schedule's step); its evaluation on other splits; the progress line; and hooks.commit_epoch with
// the epoch's records. Every log_every steps (0: never) a step record joins them. Then
// hooks.after_epoch, when set, sees the committed epoch record; false stops the run there, as if
// its last epoch had been that one (a tuner's pruning).
//
// A non-finite loss or weights call hooks.diverged, which must throw: nothing of the epoch is
// committed. Steps are numbered from the run's start, so a run resumed at first_epoch continues
// the numbering (every epoch has steps_per_epoch() steps).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "minitorch/train/metrics.h"
#include "minitorch/train/progress.h"

namespace minitorch::train {

struct StepResult {
  double loss = 0.0;  // the batch's mean loss
  long samples = 0;
  long correct = 0;
};
using StepCallback = std::function<void(const StepResult&)>;

class Task {
 public:
  virtual ~Task() = default;
  virtual long samples_per_epoch() const = 0;
  virtual long steps_per_epoch() const = 0;
  // One pass over the training data, calling step_done after each optimizer step.
  virtual void train_epoch(const StepCallback& step_done) = 0;
  // After an epoch's last step: what is not finite in the weights, if anything ("the parameters
  // hold nan at index 3 of 'fc.weight'").
  virtual std::optional<std::string> non_finite_weights() const { return std::nullopt; }
  virtual std::optional<double> lr() const { return std::nullopt; }
  virtual void end_epoch() {}
  // Metrics after the epoch, named as metrics.jsonl names them ("test_accuracy").
  virtual std::vector<std::pair<std::string, double>> evaluate() { return {}; }
};

struct FitOptions {
  int first_epoch = 1;
  int epochs = 1;      // the last epoch
  long log_every = 0;  // steps between step records; 0: epoch records only
};

struct FitHooks {
  // Where the run diverged ("at step 3 of 4 the loss is nan"); must throw.
  std::function<void(int epoch, const std::string& what)> diverged;
  // The epoch's records: its step records, then its epoch record.
  std::function<void(const std::vector<MetricsRecord>& records)> commit_epoch;
  // The committed epoch's record; returns whether to go on to the next epoch.
  std::function<bool(const MetricsRecord& epoch_record)> after_epoch;
};

void fit(Task& task, const FitOptions& options, Progress& progress, const FitHooks& hooks);

// "  val 91.00%  test 90.50%": the accuracies of an epoch record, for its progress line.
std::string accuracy_tail(const MetricsRecord& record);

}  // namespace minitorch::train
