// The reverse-mode engine: one topological sort and one backpropagation for every kind of
// Variable (Scalar in module 1, Tensor from module 2 on).
//
// topological_sort(root)
//   Ensures: every non-constant node reachable from root appears exactly once, each before all of
//            its parents (root first). Iterative, so graphs deeper than the call stack are fine.
// backpropagate(root, d, retain_graph)
//   Requires: root is not constant.
//   Ensures:  every leaf reachable from root has d · ∂root/∂leaf added to its derivative, with the
//             contributions of shared subexpressions summed before they flow further back; each
//             interior node's chain rule runs exactly once per call. Unless retain_graph, a node
//             that can free what it saved for backward (release_saved()) does so once used, and a
//             second backward through it reports that (the Tensor contract); nodes without
//             release_saved() keep their graph (Scalar).
//             Each leaf that has gradient_ready() gets that call right after its derivative was
//             added: its gradient for this pass is final (data-parallel training starts
//             reducing it then, while the rest of the pass goes on).
//             The functions given to queue_callback() during the pass run after its last node,
//             in the order given (PyTorch's final callbacks: e.g. wait for those reductions).
//             When a chain rule throws, the pass stops and its queued callbacks are dropped.
// queue_callback(fn)
//   Requires: a backward pass is running on this thread (Error otherwise).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "minitorch/autodiff/id_index.h"
#include "minitorch/autodiff/variable.h"
#include "minitorch/core/error.h"

namespace minitorch::autodiff {

namespace detail {
// The final callbacks of the backward passes running on this thread, innermost last.
inline thread_local std::vector<std::vector<std::function<void()>>> final_callbacks;

// Opens a pass's list of final callbacks; closes it (dropping what is left) however the pass ends.
class CallbackScope {
 public:
  CallbackScope() { final_callbacks.emplace_back(); }
  ~CallbackScope() { final_callbacks.pop_back(); }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;
  // Runs the queued callbacks, including any that they queue themselves.
  void run() {
    for (std::size_t i = 0; i < final_callbacks.back().size(); ++i) {
      std::function<void()> callback = std::move(final_callbacks.back()[i]);
      callback();
    }
    final_callbacks.back().clear();
  }
};
}  // namespace detail

inline void queue_callback(std::function<void()> callback) {
  if (detail::final_callbacks.empty()) {
    throw Error(
        "queue_callback: no backward pass is running; expected a call from a hook that runs "
        "during backward");
  }
  detail::final_callbacks.back().push_back(std::move(callback));
}

template <Variable V>
std::vector<V> topological_sort(const V& root) {
  std::vector<V> post_order;
  if (root.is_constant()) return post_order;

  struct Frame {
    V node;
    decltype(root.parents()) parents;
    std::size_t next = 0;
  };
  IdIndex visited;
  visited.insert(root.unique_id(), 0);
  std::vector<Frame> stack;
  stack.push_back({root, root.parents()});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.parents.size()) {
      post_order.push_back(std::move(top.node));
      stack.pop_back();
      continue;
    }
    const V& parent = top.parents[top.next++];
    if (parent.is_constant() || !visited.insert(parent.unique_id(), 0)) continue;
    stack.push_back({parent, parent.parents()});
  }
  return {post_order.rbegin(), post_order.rend()};
}

template <class V, class D>
requires Differentiable<V, D>
void backpropagate(const V& root, D d_root, bool retain_graph = true) {
  if (root.is_constant()) {
    throw Error(
        "backward: the value does not require grad and has no graph; expected a value "
        "computed from inputs that require grad");
  }
  detail::CallbackScope callbacks;
  const std::vector<V> order = topological_sort(root);
  IdIndex position(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    position.insert(order[i].unique_id(), static_cast<std::int64_t>(i));
  }
  // pending[i]: the derivative accumulated so far for order[i] (empty until one arrives).
  std::vector<std::optional<D>> pending(order.size());
  pending[0] = std::move(d_root);
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!pending[i]) continue;  // no path carried a derivative here
    const V& node = order[i];
    D d = std::move(*pending[i]);
    pending[i].reset();
    if (node.is_leaf()) {
      node.accumulate_derivative(d);
      if constexpr (requires { node.gradient_ready(); }) node.gradient_ready();
      continue;
    }
    auto contributions = node.chain_rule(d);
    if constexpr (requires { node.release_saved(); }) {
      if (!retain_graph) node.release_saved();
    }
    for (auto&& [parent, d_parent] : contributions) {
      if (parent.is_constant()) continue;
      const std::int64_t at = position.find(parent.unique_id());
      if (at < 0) {
        throw Error(
            "backward: chain_rule gave a derivative for a value that is not among the node's "
            "parents; expected one derivative per input listed by parents()");
      }
      auto& slot = pending[static_cast<std::size_t>(at)];
      if (slot) {
        *slot = *slot + d_parent;
      } else {
        slot = d_parent;
      }
    }
  }
  callbacks.run();
}

}  // namespace minitorch::autodiff
