// The Variable concept — what the reverse-mode engine needs from a node of a computation graph.
//
// A Variable is a cheap handle to a node (Scalar now, Tensor later). With D its derivative type:
//   unique_id()              identifies the node (handles are compared by id, never by value);
//   is_constant()            true when no derivative flows into it (a literal, a detached value);
//   is_leaf()                true for a value created by the user that accumulates derivatives;
//   parents()                the inputs of the operation that produced it (empty for leaves);
//   chain_rule(d)            pairs (input, d · ∂self/∂input) for every input of its operation;
//   accumulate_derivative(d) adds d to the leaf's stored derivative.
// Optionally, gradient_ready() is called on a leaf once per backward pass, after its derivative
// was accumulated (engine.h).
#pragma once

#include <concepts>
#include <cstdint>
#include <ranges>

namespace minitorch::autodiff {

template <class V>
concept Variable = std::copy_constructible<V> && requires(const V& v) {
  { v.unique_id() } -> std::convertible_to<std::uint64_t>;
  { v.is_leaf() } -> std::convertible_to<bool>;
  { v.is_constant() } -> std::convertible_to<bool>;
  { v.parents() } -> std::ranges::range;
};

template <class V, class D>
concept Differentiable = Variable<V> && requires(const V& v, const D& d) {
  { v.chain_rule(d) } -> std::ranges::range;
  v.accumulate_derivative(d);
};

}  // namespace minitorch::autodiff
