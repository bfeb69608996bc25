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

}  // namespace minitorch::app
