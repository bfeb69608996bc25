// Progress — the one progress bar of a training run, whatever the task.
//
// Within an epoch the bar advances batch by batch: samples done of the epoch's total, running mean
// loss and accuracy, samples per second and the epoch's ETA. When an epoch ends its line shows the
// epoch's figures, its duration and the run's ETA (mean epoch time of this session × epochs left),
// followed by a task's own tail (e.g. test accuracy). The lines kept are those of the first epoch
// of the session, of every tenth of the run and of the last, so a run of thousands of short epochs
// leaves a short log. On a terminal the line is redrawn in place at most ten times a second and a
// kept line stays on screen; elsewhere (logs, CI) only the kept lines are printed.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

namespace minitorch::train {

// What one progress line shows.
struct ProgressLine {
  int epoch = 0, epochs = 0;
  long done = 0, total = 0;  // samples of the epoch
  double mean_loss = 0.0;
  long correct = 0;
  double seconds = 0.0;  // since the epoch began
  bool finished = false;
  double run_eta_seconds = 0.0;  // finished lines only
};

class Progress {
 public:
  Progress(std::ostream& out, bool interactive, int epochs);

  void start_epoch(int epoch, long samples);
  void update(long samples_done, double mean_loss, long correct);
  // Ends the epoch's line, with `tail` appended.
  void finish_epoch(double mean_loss, long correct, const std::string& tail = "");

  static std::string format_line(const ProgressLine& line);
  static std::string format_duration(double seconds);
  // Whether the line of `epoch` stays in the log.
  static bool keeps(int epoch, int first_epoch, int epochs);

 private:
  using Clock = std::chrono::steady_clock;
  bool due(Clock::time_point now) const;
  void draw(const std::string& line, bool keep);

  std::ostream& out_;
  bool interactive_;
  int epochs_;
  int first_epoch_ = 0, epoch_ = 0, epochs_done_ = 0;
  long samples_ = 0, done_ = 0;
  double session_seconds_ = 0.0;
  Clock::time_point epoch_start_{}, last_draw_{};
};

}  // namespace minitorch::train
