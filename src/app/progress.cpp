#include "minitorch/app/progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>

namespace minitorch::app {
namespace {

constexpr int kBarWidth = 20;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string bar(int done, int total) {
  const int filled = total > 0 ? done * kBarWidth / total : kBarWidth;
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

}  // namespace minitorch::app
