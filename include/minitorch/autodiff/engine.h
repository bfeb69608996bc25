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
#pragma once

#include <cstdint>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "minitorch/autodiff/variable.h"
#include "minitorch/core/error.h"

namespace minitorch::autodiff {

template <Variable V>
std::vector<V> topological_sort(const V& root) {
  std::vector<V> post_order;
  if (root.is_constant()) return post_order;

  struct Frame {
    V node;
    std::vector<V> parents;
    std::size_t next = 0;
  };
  auto parents_of = [](const V& v) {
    std::vector<V> out;
    for (const auto& p : v.parents()) out.push_back(p);
    return out;
  };

  std::unordered_set<std::uint64_t> visited{root.unique_id()};
  std::vector<Frame> stack;
  stack.push_back({root, parents_of(root)});
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.next == top.parents.size()) {
      post_order.push_back(std::move(top.node));
      stack.pop_back();
      continue;
    }
    const V parent = top.parents[top.next++];
    if (parent.is_constant() || !visited.insert(parent.unique_id()).second) continue;
    auto grand_parents = parents_of(parent);
    stack.push_back({parent, std::move(grand_parents)});
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
  std::unordered_map<std::uint64_t, D> pending;
  pending.emplace(root.unique_id(), std::move(d_root));
  for (const V& node : topological_sort(root)) {
    auto found = pending.find(node.unique_id());
    if (found == pending.end()) continue;  // no path carried a derivative here
    D d = std::move(found->second);
    pending.erase(found);
    if (node.is_leaf()) {
      node.accumulate_derivative(d);
      continue;
    }
    auto contributions = node.chain_rule(d);
    if constexpr (requires { node.release_saved(); }) {
      if (!retain_graph) node.release_saved();
    }
    for (auto&& [parent, d_parent] : contributions) {
      if (parent.is_constant()) continue;
      auto [slot, inserted] = pending.try_emplace(parent.unique_id(), d_parent);
      if (!inserted) slot->second = slot->second + d_parent;
    }
  }
}

}  // namespace minitorch::autodiff
