// Context — the values a function's forward saves for its backward.
//
// A function calls save_for_backward during forward; backward reads saved_values() in the same
// order. A context created while gradients are not recorded saves nothing (nothing will ask).
// release() drops the saved values once a graph is freed, so a second backward through it can be
// detected by the owner (it has no values left).
#pragma once

#include <utility>
#include <vector>

namespace minitorch::autodiff {

template <class T>
class Context {
 public:
  explicit Context(bool no_grad = false) : no_grad_(no_grad) {}

  template <class... Ts>
  void save_for_backward(Ts&&... values) {
    if (no_grad_) return;
    (saved_.emplace_back(std::forward<Ts>(values)), ...);
  }

  const std::vector<T>& saved_values() const { return saved_; }
  bool no_grad() const { return no_grad_; }
  void release() { std::vector<T>().swap(saved_); }

 private:
  bool no_grad_;
  std::vector<T> saved_;
};

}  // namespace minitorch::autodiff
