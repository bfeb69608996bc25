// Private: the CUDA backend's kernels, as host functions that launch them on a device's stream,
// and the strided walk every kernel indexes with. Included by the .cu files of this folder only.
//
// A Walk<N> describes N tensors broadcast to one shape: for element i of that shape (row-major),
// operand k lives at op[k].offset + Σ index[d] · op[k].stride[d]. make_walk takes its dimensions
// from the shape layer's StridedWalk (tensor/strided_walk.h: size-1 dimensions dropped, dimensions
// contiguous in every operand merged, broadcast dimensions at stride 0), so a contiguous
// elementwise op walks one dimension. Passed to kernels by value.
#pragma once

#include <cuda_runtime_api.h>

#include <array>
#include <cstdint>

#include "cuda/cuda_check.h"
#include "minitorch/backend/backend.h"

namespace minitorch::cuda {

constexpr int kMaxDims = 8;
constexpr int kThreads = 256;

struct Operand {
  std::int64_t offset;
  std::int64_t stride[kMaxDims];
};

template <int N>
struct Walk {
  int rank;
  std::int64_t count;
  std::int64_t shape[kMaxDims];
  Operand op[N];

  // Storage positions of element i in each operand.
  __device__ void positions(std::int64_t i, std::int64_t (&p)[N]) const {
#pragma unroll
    for (int k = 0; k < N; ++k) p[k] = op[k].offset;
    for (int d = rank - 1; d >= 0; --d) {
      const std::int64_t index = i % shape[d];
      i /= shape[d];
#pragma unroll
      for (int k = 0; k < N; ++k) p[k] += index * op[k].stride[d];
    }
  }
};

// One operand as the walk sees it: a shape and strides (aligned to the walk's shape on the right,
// as broadcasting aligns them) and an offset.
struct View {
  const std::int64_t* shape;
  const std::int64_t* strides;
  int dim;
  std::int64_t offset;
};

inline View view_of(const TensorData& t) {
  return {t.shape().data(), t.strides().data(), static_cast<int>(t.dim()), t.offset()};
}

// The walk over `shape` (of `dims` dimensions) of the N views; Error when more than kMaxDims
// dimensions remain after merging.
template <int N>
Walk<N> make_walk(const std::int64_t* shape, int dims, const std::array<View, N>& views);

template <int N>
Walk<N> make_walk(const Shape& shape, const std::array<const TensorData*, N>& tensors) {
  std::array<View, N> views;
  for (int k = 0; k < N; ++k) views[k] = view_of(*tensors[k]);
  return make_walk<N>(shape.data(), static_cast<int>(shape.size()), views);
}

// Blocks for a grid-stride loop over `count` items (at least 1, at most what fills the GPU
// several times over: the loop covers the rest).
unsigned blocks_for(std::int64_t count);

// Where to launch: the device (made current by the caller) and its stream.
struct Target {
  int device;
  cudaStream_t stream;
};

// ---- launchers (same contracts as the Backend primitives of the same names) -------------------
void copy(const Target& t, const TensorData& in, const TensorData& out);
void map(const Target& t, UnaryOp op, const TensorData& in, const TensorData& out);
void map_backward(const Target& t, UnaryOp op, const TensorData& in, const TensorData& d,
                  const TensorData& out);
void zip(const Target& t, BinaryOp op, const TensorData& a, const TensorData& b,
         const TensorData& out);
void zip_backward(const Target& t, BinaryOp op, const TensorData& a, const TensorData& b,
                  const TensorData& d, const TensorData& da, const TensorData& db);
void where(const Target& t, const TensorData& cond, const TensorData& a, const TensorData& b,
           const TensorData& out);
void reduce(const Target& t, ReduceOp op, const TensorData& in, std::int64_t dim,
            const TensorData& out);
void argmax(const Target& t, const TensorData& in, std::int64_t dim, const TensorData& out);
void matmul(const Target& t, const TensorData& a, const TensorData& b, const TensorData& out);
void gather_rows(const Target& t, const TensorData& table, const TensorData& index,
                 const TensorData& out);
void scatter_add_rows(const Target& t, const TensorData& src, const TensorData& index,
                      const TensorData& out);
void unfold(const Target& t, const TensorData& in, const Window2d& w, const TensorData& out);
void fold(const Target& t, const TensorData& in, const Window2d& w, const TensorData& out);
void pool2d(const Target& t, PoolOp op, const TensorData& in, const Window2d& w,
            const TensorData& out, const TensorData& indices);
void pool2d_backward(const Target& t, PoolOp op, const TensorData& d, const TensorData& indices,
                     const Window2d& w, const TensorData& dx);

}  // namespace minitorch::cuda
