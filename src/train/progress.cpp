#include "minitorch/train/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace minitorch::train {
namespace {

constexpr int kBarWidth = 20;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string bar(long done, long total) {
  const auto filled = total > 0 ? static_cast<int>(done * kBarWidth / total) : kBarWidth;
  std::string out = "[";
  for (int i = 0; i < kBarWidth; ++i) out += i < filled ? '=' : (i == filled ? '>' : ' ');
  return out + "]";
}

}  // namespace

Progress::Progress(std::ostream& out, bool interactive, int epochs)
    : out_(out), interactive_(interactive), epochs_(epochs) {}

std::string Progress::format_duration(double seconds) {
  char text[32];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  } else if (seconds < 3600) {
    std::snprintf(text, sizeof text, "%dm%02ds", static_cast<int>(seconds) / 60,
                  static_cast<int>(seconds) % 60);
  } else {
    std::snprintf(text, sizeof text, "%dh%02dm", static_cast<int>(seconds) / 3600,
                  static_cast<int>(seconds) % 3600 / 60);
  }
  return text;
}

std::string Progress::format_line(const ProgressLine& l) {
  const int width = static_cast<int>(std::to_string(l.epochs).size());
  const int count_width = static_cast<int>(std::to_string(l.total).size());
  const double rate = l.seconds > 0 ? double(l.done) / l.seconds : 0.0;
  const double accuracy = l.done > 0 ? 100.0 * double(l.correct) / double(l.done) : 0.0;
  const std::string timing =
      l.finished ? format_duration(l.seconds) + "  ETA " + format_duration(l.run_eta_seconds)
                 : "ETA " + format_duration(rate > 0 ? double(l.total - l.done) / rate : -1);
  char text[256];
  std::snprintf(text, sizeof text,
                "epoch %*d/%d %s %*ld/%ld  loss %.4f  acc %5.2f%%  %.0f samples/s  %s", width,
                l.epoch, l.epochs, bar(l.done, l.total).c_str(), count_width, l.done, l.total,
                l.mean_loss, accuracy, rate, timing.c_str());
  return text;
}

bool Progress::keeps(int epoch, int first_epoch, int epochs) {
  const int every = std::max(1, epochs / 10);
  return epoch == first_epoch || epoch == epochs || epoch % every == 0;
}

void Progress::start_epoch(int epoch, long samples) {
  if (first_epoch_ == 0) first_epoch_ = epoch;
  epoch_ = epoch;
  samples_ = samples;
  done_ = 0;
  epoch_start_ = Clock::now();
}

bool Progress::due(Clock::time_point now) const {
  return last_draw_ == Clock::time_point{} || now - last_draw_ >= kRedrawInterval;
}

void Progress::draw(const std::string& line, bool keep) {
  if (interactive_) out_ << "\r\033[K";
  out_ << line;
  if (keep) out_ << '\n';
  out_ << std::flush;
}

void Progress::update(long samples_done, double mean_loss, long correct) {
  done_ = samples_done;
  if (!interactive_) return;
  const auto now = Clock::now();
  if (!due(now)) return;
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - epoch_start_).count();
  draw(format_line({epoch_, epochs_, done_, samples_, mean_loss, correct, seconds, false, 0.0}),
       false);
}

void Progress::finish_epoch(double mean_loss, long correct, const std::string& tail) {
  const auto now = Clock::now();
  const double seconds = std::chrono::duration<double>(now - epoch_start_).count();
  session_seconds_ += seconds;
  ++epochs_done_;
  const bool keep = keeps(epoch_, first_epoch_, epochs_);
  if (!keep && (!interactive_ || !due(now))) return;
  last_draw_ = now;
  const double eta = session_seconds_ / epochs_done_ * (epochs_ - epoch_);
  draw(format_line({epoch_, epochs_, done_, samples_, mean_loss, correct, seconds, true, eta}) +
           tail,
       keep);
}

}  // namespace minitorch::train
