// Higher-order functions over ranges (MiniTorch module 0): map, zip_with, reduce, and the list
// helpers built only from them.
//
//   map(xs, f)            -> [f(x) for x in xs]
//   zip_with(xs, ys, f)   -> [f(x, y) for x, y in zip(xs, ys)]; requires equal lengths (else Error)
//   reduce(xs, start, f)  -> f(...f(f(start, x0), x1)..., xn); start when xs is empty
// Each accepts any sized input range and any callable, including the operator functors, and returns
// a std::vector (or a single value for reduce).
#pragma once

#include <iterator>
#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/operators/operators.h"

namespace minitorch::functional {

template <std::ranges::input_range R, class F>
auto map(const R& xs, F&& fn) {
  using Out = std::decay_t<std::invoke_result_t<F&, std::ranges::range_reference_t<const R>>>;
  std::vector<Out> out;
  if constexpr (std::ranges::sized_range<R>) out.reserve(std::ranges::size(xs));
  for (auto&& x : xs) out.push_back(fn(x));
  return out;
}

template <std::ranges::sized_range R1, std::ranges::sized_range R2, class F>
auto zip_with(const R1& xs, const R2& ys, F&& fn) {
  using Out = std::decay_t<std::invoke_result_t<F&, std::ranges::range_reference_t<const R1>,
                                                std::ranges::range_reference_t<const R2>>>;
  const auto n = std::ranges::size(xs);
  if (n != std::ranges::size(ys)) {
    throw Error("zip_with: lengths " + std::to_string(n) + " and " +
                std::to_string(std::ranges::size(ys)) + " differ; expected equal lengths");
  }
  std::vector<Out> out;
  out.reserve(n);
  auto y = std::ranges::begin(ys);
  for (auto&& x : xs) out.push_back(fn(x, *y++));
  return out;
}

template <std::ranges::input_range R, class T, class F>
T reduce(const R& xs, T start, F&& fn) {
  T acc = std::move(start);
  for (auto&& x : xs) acc = fn(acc, x);
  return acc;
}

// ---- list helpers, built only from the three functions above ----------------------------------

template <std::ranges::input_range R>
auto neg_list(const R& xs) {
  return map(xs, operators::neg);
}

template <std::ranges::sized_range R1, std::ranges::sized_range R2>
auto add_lists(const R1& xs, const R2& ys) {
  return zip_with(xs, ys, operators::add);
}

template <std::ranges::input_range R>
auto sum(const R& xs) {
  using T = std::ranges::range_value_t<R>;
  return reduce(xs, T(0), operators::add);
}

template <std::ranges::input_range R>
auto prod(const R& xs) {
  using T = std::ranges::range_value_t<R>;
  return reduce(xs, T(1), operators::mul);
}

}  // namespace minitorch::functional
