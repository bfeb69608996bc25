#include "app/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace minitorch::app {
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

ProgressReporter::ProgressReporter(std::ostream& out, bool interactive)
    : out_(out), interactive_(interactive) {}

std::string ProgressReporter::format_duration(double seconds) {
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

std::string ProgressReporter::format_line(const EpochReport& r, double eta_seconds) {
  const int width = static_cast<int>(std::to_string(r.epochs).size());
  char text[256];
  std::snprintf(text, sizeof text,
                "epoch %*d/%d %s loss %.4f  correct %ld/%ld  %.3f s/epoch  %.0f samples/s  ETA %s",
                width, r.epoch, r.epochs, bar(r.epoch, r.epochs).c_str(), r.loss, r.correct,
                r.total, r.epoch_seconds, r.samples_per_second,
                format_duration(eta_seconds).c_str());
  return text;
}

bool ProgressReporter::should_print(const EpochReport& r) {
  const bool last = r.epoch == r.epochs;
  if (interactive_) {
    const auto now = std::chrono::steady_clock::now();
    if (!last && drew_ && now - last_draw_ < kRedrawInterval) return false;
    last_draw_ = now;
    return true;
  }
  const int every = std::max(1, r.epochs / 10);
  return r.epoch == 1 || last || r.epoch % every == 0;
}

void ProgressReporter::report(const EpochReport& r) {
  elapsed_seconds_ += r.epoch_seconds;
  if (!should_print(r)) return;
  const double eta = r.epoch > 0 ? elapsed_seconds_ / r.epoch * (r.epochs - r.epoch) : 0.0;
  const std::string line = format_line(r, eta);
  if (interactive_) {
    out_ << "\r\033[K" << line << std::flush;
  } else {
    out_ << line << '\n' << std::flush;
  }
  drew_ = true;
}

void ProgressReporter::finish() {
  if (interactive_ && drew_) out_ << '\n' << std::flush;
}

EpochProgress::EpochProgress(std::ostream& out, bool interactive, int epoch, int epochs,
                             long samples)
    : out_(out),
      interactive_(interactive),
      epoch_(epoch),
      epochs_(epochs),
      samples_(samples),
      start_(std::chrono::steady_clock::now()) {}

std::string EpochProgress::format_line(int epoch, int epochs, long done, long total,
                                       double mean_loss, long correct, double seconds,
                                       bool finished) {
  const int width = static_cast<int>(std::to_string(epochs).size());
  const int count_width = static_cast<int>(std::to_string(total).size());
  const double rate = seconds > 0 ? double(done) / seconds : 0.0;
  const double accuracy = done > 0 ? 100.0 * double(correct) / double(done) : 0.0;
  const std::string timing =
      finished
          ? ProgressReporter::format_duration(seconds)
          : "ETA " + ProgressReporter::format_duration(rate > 0 ? double(total - done) / rate : -1);
  char text[256];
  std::snprintf(text, sizeof text,
                "epoch %*d/%d %s %*ld/%ld  loss %.4f  acc %5.2f%%  %.0f samples/s  %s", width,
                epoch, epochs, bar(done, total).c_str(), count_width, done, total, mean_loss,
                accuracy, rate, timing.c_str());
  return text;
}

void EpochProgress::update(long samples_done, double mean_loss, long correct) {
  done_ = samples_done;
  if (!interactive_) return;
  const auto now = std::chrono::steady_clock::now();
  if (last_draw_ != std::chrono::steady_clock::time_point{} && now - last_draw_ < kRedrawInterval) {
    return;
  }
  last_draw_ = now;
  const double seconds = std::chrono::duration<double>(now - start_).count();
  out_ << "\r\033[K"
       << format_line(epoch_, epochs_, done_, samples_, mean_loss, correct, seconds, false)
       << std::flush;
}

void EpochProgress::finish(double mean_loss, long correct, const std::string& tail) {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (interactive_) out_ << "\r\033[K";
  out_ << format_line(epoch_, epochs_, done_, samples_, mean_loss, correct, seconds, true) << tail
       << '\n'
       << std::flush;
}

}  // namespace minitorch::app
