// Grad mode — whether operations record the graph, per thread.
//
// NoGradGuard turns recording off for its scope (optimizer updates, evaluation) and restores the
// previous mode when it ends, so guards nest. Operations consult GradMode::is_enabled() when they
// decide whether their result gets a history.
#pragma once

namespace minitorch::autodiff {

class GradMode {
 public:
  static bool is_enabled() { return enabled_; }
  static void set_enabled(bool enabled) { enabled_ = enabled; }

 private:
  static inline thread_local bool enabled_ = true;
};

class NoGradGuard {
 public:
  NoGradGuard() : previous_(GradMode::is_enabled()) { GradMode::set_enabled(false); }
  ~NoGradGuard() { GradMode::set_enabled(previous_); }
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace minitorch::autodiff

namespace minitorch {
using autodiff::NoGradGuard;
}  // namespace minitorch
