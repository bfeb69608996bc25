// StridedWalk — N strided operands broadcast to one shape, walked in row-major order: the loop
// every elementwise kernel (reference, fast, and the CUDA backend's host side) is built on.
//
// Operand k's element at row-major ordinal i of `shape` lives at storage position
//   offset_k + index_to_position(broadcast_index(to_index(i, shape), shape, shape_k), strides_k).
// make_strided_walk(shape, operands) describes the same positions with fewer dimensions: size-1
// dimensions are dropped (they move no operand), broadcast dimensions get stride 0, and a
// dimension is merged into the one before it when every operand steps through the pair as
// through one dimension (stride_before == stride · size), so a contiguous operation walks a single
// dimension and a [64, 28, 28, 1] view walks runs of 784.
//   Requires: each operand's shape broadcasts to `shape` (right-aligned, NumPy's rule).
//   Ensures: walk.shape has no size-1 dimension (it is empty for a one-element shape; count is
//            numel(shape), 0 included); row-major ordinals of walk.shape are those of `shape`.
// for_each_run(walk, begin, end, run) calls run(positions, length, steps) for each run of
// consecutive ordinals in [begin, end) along the walk's last dimension, in order: positions[k] is
// operand k's storage position at the run's first element, and its j-th element is at
// positions[k] + j · steps[k]. One index vector per call, nothing allocated per element.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>

#include "minitorch/storage/shape.h"

namespace minitorch {

// One operand: its shape and strides (right-aligned with the walk's shape) and its offset.
struct WalkOperand {
  std::span<const std::int64_t> shape;
  std::span<const std::int64_t> strides;
  std::int64_t offset = 0;
};

template <std::size_t N>
struct StridedWalk {
  Shape shape;                          // the merged dimensions
  std::array<Strides, N> strides;       // per operand, per merged dimension (0 where broadcast)
  std::array<std::int64_t, N> offsets;  // per operand
  std::int64_t count = 0;               // elements walked: numel of the original shape
};

template <std::size_t N>
StridedWalk<N> make_strided_walk(std::span<const std::int64_t> shape,
                                 const std::array<WalkOperand, N>& operands) {
  StridedWalk<N> walk;
  walk.count = numel(shape);
  for (std::size_t k = 0; k < N; ++k) walk.offsets[k] = operands[k].offset;
  for (std::size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    std::array<std::int64_t, N> step;
    for (std::size_t k = 0; k < N; ++k) {
      const auto& op = operands[k];
      const std::ptrdiff_t j = static_cast<std::ptrdiff_t>(d) -
                               static_cast<std::ptrdiff_t>(shape.size() - op.shape.size());
      step[k] = j >= 0 && op.shape[static_cast<std::size_t>(j)] != 1
                    ? op.strides[static_cast<std::size_t>(j)]
                    : 0;
    }
    bool merge = !walk.shape.empty();
    for (std::size_t k = 0; merge && k < N; ++k) {
      merge = walk.strides[k].back() == step[k] * shape[d];
    }
    if (merge) {
      walk.shape.back() *= shape[d];
      for (std::size_t k = 0; k < N; ++k) walk.strides[k].back() = step[k];
    } else {
      walk.shape.push_back(shape[d]);
      for (std::size_t k = 0; k < N; ++k) walk.strides[k].push_back(step[k]);
    }
  }
  return walk;
}

template <std::size_t N, class Run>
void for_each_run(const StridedWalk<N>& walk, std::int64_t begin, std::int64_t end, Run&& run) {
  if (begin >= end) return;
  std::array<std::int64_t, N> steps{};
  if (walk.shape.empty()) {  // one element
    run(walk.offsets, std::int64_t{1}, steps);
    return;
  }
  const std::size_t last = walk.shape.size() - 1;
  for (std::size_t k = 0; k < N; ++k) steps[k] = walk.strides[k][last];
  Index index(walk.shape.size());
  to_index(begin, walk.shape, index);
  for (std::int64_t ordinal = begin; ordinal < end;) {
    std::array<std::int64_t, N> positions;
    for (std::size_t k = 0; k < N; ++k) {
      positions[k] = walk.offsets[k] + index_to_position(index, walk.strides[k]);
    }
    const std::int64_t length = std::min(walk.shape[last] - index[last], end - ordinal);
    run(positions, length, steps);
    ordinal += length;
    index[last] += length;
    for (std::size_t d = last; d > 0 && index[d] == walk.shape[d]; --d) {
      index[d] = 0;
      ++index[d - 1];
    }
  }
}

}  // namespace minitorch
