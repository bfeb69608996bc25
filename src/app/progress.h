// ProgressReporter — the line a training run shows while it works.
//
// Each epoch yields: epoch/total, a bar, loss, correct/total, seconds per epoch, samples per
// second, and the ETA (mean epoch time so far × epochs left). On a terminal the line is redrawn in
// place at most ten times a second (the last epoch always); elsewhere (logs, CI) it prints a plain
// line for the first epoch, every tenth of the run, and the last, so logs stay short.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

namespace minitorch::app {

struct EpochReport {
  int epoch = 0;  // 1-based
  int epochs = 0;
  double loss = 0.0;
  long correct = 0;
  long total = 0;
  double epoch_seconds = 0.0;
  double samples_per_second = 0.0;
};

class ProgressReporter {
 public:
  ProgressReporter(std::ostream& out, bool interactive);

  void report(const EpochReport& report);
  // Ends the in-place line on a terminal.
  void finish();

  static std::string format_line(const EpochReport& report, double eta_seconds);
  static std::string format_duration(double seconds);

 private:
  bool should_print(const EpochReport& report);

  std::ostream& out_;
  bool interactive_;
  double elapsed_seconds_ = 0.0;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drew_ = false;
};

// EpochProgress — the bar of one epoch of a network's training, advanced batch by batch: samples
// done of the epoch's total, running mean loss and accuracy, samples per second and the epoch's
// ETA (time so far / samples done × samples left). On a terminal it is redrawn in place at most
// ten times a second; elsewhere only the epoch's final line is printed (finish), so logs keep one
// line per epoch.
class EpochProgress {
 public:
  EpochProgress(std::ostream& out, bool interactive, int epoch, int epochs, long samples);

  void update(long samples_done, double mean_loss, long correct);
  // Prints the epoch's last line, with `tail` (e.g. validation figures) appended.
  void finish(double mean_loss, long correct, const std::string& tail);

  static std::string format_line(int epoch, int epochs, long done, long total, double mean_loss,
                                 long correct, double seconds, bool finished);

 private:
  std::ostream& out_;
  bool interactive_;
  int epoch_, epochs_;
  long samples_;
  long done_ = 0;
  std::chrono::steady_clock::time_point start_, last_draw_{};
};

}  // namespace minitorch::app
