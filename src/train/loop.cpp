#include "minitorch/train/loop.h"

#include <chrono>
#include <cmath>
#include <cstdio>

#include "minitorch/core/error.h"

namespace minitorch::train {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Sums of the steps since a record was last written.
struct Window {
  double loss_sum = 0.0;
  long samples = 0, correct = 0;
  Clock::time_point start = Clock::now();

  void add(const StepResult& r) {
    loss_sum += r.loss * double(r.samples);
    samples += r.samples;
    correct += r.correct;
  }
  MetricsRecord record(MetricsRecord::Kind kind, int epoch, long step) const {
    MetricsRecord out;
    out.kind = kind;
    out.epoch = epoch;
    out.step = step;
    out.loss = samples > 0 ? loss_sum / double(samples) : 0.0;
    out.correct = correct;
    out.total = samples;
    out.train_accuracy = samples > 0 ? double(correct) / double(samples) : 0.0;
    const double seconds = seconds_since(start);
    out.epoch_seconds = seconds;
    out.samples_per_second = seconds > 0 ? double(samples) / seconds : 0.0;
    return out;
  }
};

[[noreturn]] void diverge(const FitHooks& hooks, int epoch, const std::string& what) {
  if (hooks.diverged) hooks.diverged(epoch, what);
  throw Error("training diverged in epoch " + std::to_string(epoch) + ": " + what);
}

}  // namespace

std::string accuracy_tail(const MetricsRecord& record) {
  std::string tail;
  for (const auto& [name, value] : record.evaluation) {
    const std::string suffix = "_accuracy";
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    char text[64];
    std::snprintf(text, sizeof text, "  %s %.2f%%",
                  name.substr(0, name.size() - suffix.size()).c_str(), 100.0 * value);
    tail += text;
  }
  return tail;
}

void fit(Task& task, const FitOptions& options, Progress& progress, const FitHooks& hooks) {
  const long steps = task.steps_per_epoch();
  long step = (options.first_epoch - 1) * steps;
  for (int epoch = options.first_epoch; epoch <= options.epochs; ++epoch) {
    std::vector<MetricsRecord> records;
    // A step record covers steps of its own epoch only, so a resumed run writes the same records.
    Window whole, since_log;
    long epoch_step = 0;
    progress.start_epoch(epoch, task.samples_per_epoch());
    task.train_epoch([&](const StepResult& r) {
      ++step;
      ++epoch_step;
      if (!std::isfinite(r.loss)) {
        diverge(hooks, epoch,
                "at step " + std::to_string(epoch_step) + " of " + std::to_string(steps) +
                    " the loss is " + (std::isnan(r.loss) ? "nan" : "infinite"));
      }
      whole.add(r);
      since_log.add(r);
      progress.update(whole.samples, whole.loss_sum / double(whole.samples), whole.correct);
      if (options.log_every > 0 && step % options.log_every == 0) {
        records.push_back(since_log.record(MetricsRecord::Kind::Step, epoch, step));
        records.back().lr = task.lr();
        since_log = Window{};
      }
    });
    if (const auto bad = task.non_finite_weights()) {
      diverge(hooks, epoch,
              "after its last step (" + std::to_string(epoch_step) + " of " +
                  std::to_string(steps) + ") " + *bad);
    }
    MetricsRecord record = whole.record(MetricsRecord::Kind::Epoch, epoch, step);
    record.lr = task.lr();
    task.end_epoch();
    record.evaluation = task.evaluate();
    progress.finish_epoch(record.loss, record.correct, accuracy_tail(record));
    records.push_back(std::move(record));
    if (hooks.commit_epoch) hooks.commit_epoch(records);
    if (hooks.after_epoch && !hooks.after_epoch(records.back())) return;
  }
}

}  // namespace minitorch::train
