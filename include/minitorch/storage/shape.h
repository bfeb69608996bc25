// Shapes, strides and indices of strided tensors (MiniTorch module 2, tensor_data).
//
// A tensor of shape [d0, d1, ..., dn-1] stores element (i0, ..., in-1) at storage position
// offset + Σ ik · strides[k]. Row-major contiguous strides are the suffix products of the shape.
//   index_to_position(index, strides)    Σ index[k] · strides[k]
//   to_index(ordinal, shape, out)        the row-major index of the ordinal-th element
//   broadcast_index(big, big_shape, shape, out)
//                                        the index into `shape` that `big` (an index of the
//                                        broadcast shape) reads: right-aligned, size-1 dims map to
//                                        0
//   broadcast_shapes(a, b)               NumPy's rule: right-align, each pair equal or one of them
//   1;
//                                        throws Error "shapes [2, 3] and [4] do not broadcast"
//   normalize_dim(dim, ndim, op)         dim in [-ndim, ndim) -> [0, ndim); Error otherwise
// Indices and ordinals are not checked in the index functions (they sit in hot loops); callers
// validate once at their boundary.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace minitorch {

using Shape = std::vector<std::int64_t>;
using Strides = std::vector<std::int64_t>;
using Index = std::vector<std::int64_t>;

// Shapes may come from files, so their sizes are bounded where they are multiplied. A shape is
// representable when the product of its sizes, each 0 counted as 1, is at most INT64_MAX: then
// its element count and every contiguous stride fit in int64. A 0 anywhere makes numel 0 but
// leaves the other sizes' strides to compute, so [0, 2^32, 2^32] is no more representable than
// [2^32, 2^32, 0].

// Number of elements: the product of the sizes (1 for the 0-dim shape []).
//   Requires: a representable shape; Error naming the shape and the limit INT64_MAX otherwise.
std::int64_t numel(std::span<const std::int64_t> shape);

// a * b, or nullopt when the product does not fit in int64.
std::optional<std::int64_t> checked_mul(std::int64_t a, std::int64_t b);
// numel(shape), or nullopt where numel throws (the shape is not representable).
std::optional<std::int64_t> checked_numel(std::span<const std::int64_t> shape);

// Row-major contiguous strides; a size-0 dimension counts as 1 in the others' strides (PyTorch).
//   Requires: a representable shape; Error naming the shape and the limit INT64_MAX otherwise.
Strides strides_from_shape(std::span<const std::int64_t> shape);

inline std::int64_t index_to_position(std::span<const std::int64_t> index,
                                      std::span<const std::int64_t> strides) {
  std::int64_t position = 0;
  for (std::size_t k = 0; k < index.size(); ++k) position += index[k] * strides[k];
  return position;
}

inline void to_index(std::int64_t ordinal, std::span<const std::int64_t> shape,
                     std::span<std::int64_t> out_index) {
  for (std::size_t k = shape.size(); k-- > 0;) {
    out_index[k] = ordinal % shape[k];
    ordinal /= shape[k];
  }
}

inline void broadcast_index(std::span<const std::int64_t> big_index,
                            std::span<const std::int64_t> big_shape,
                            std::span<const std::int64_t> shape,
                            std::span<std::int64_t> out_index) {
  const std::size_t extra = big_shape.size() - shape.size();
  for (std::size_t k = 0; k < shape.size(); ++k) {
    out_index[k] = shape[k] == 1 ? 0 : big_index[k + extra];
  }
}

Shape broadcast_shapes(std::span<const std::int64_t> a, std::span<const std::int64_t> b);

// True when `shape` can be broadcast to exactly `target` (expand's rule).
bool broadcasts_to(std::span<const std::int64_t> shape, std::span<const std::int64_t> target);

std::int64_t normalize_dim(std::int64_t dim, std::int64_t ndim, const std::string& op);

// "[2, 3]"
std::string shape_to_string(std::span<const std::int64_t> shape);

}  // namespace minitorch
