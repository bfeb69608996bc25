// Reductions along one dimension, argmax, and the row gather / scatter-add of embeddings.
//
// reduce: out = in's shape with 1 at dim. Short rows (<= kSerialLength) are folded by one thread
// each, in the reference backend's order. Longer rows are split into chunks of kChunk elements;
// each block folds one (output, chunk) pair with a shared-memory tree, and a row of more than one
// chunk is finished by a second pass over the chunks' partial results: any length, any number of
// outputs, and the GPU stays busy when there are few long rows (a full sum) or many short ones.
#include "cuda/cuda_kernels.h"
#include "minitorch/storage/storage.h"

namespace minitorch::cuda {
namespace {

constexpr std::int64_t kSerialLength = 32;
constexpr std::int64_t kChunk = kThreads * 16;

template <class T, class F>
__global__ void reduce_serial_kernel(Walk<2> w, const T* x, T* y, std::int64_t length,
                                     std::int64_t stride, T identity, F f) {
  for (std::int64_t o = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; o < w.count;
       o += std::int64_t(gridDim.x) * blockDim.x) {
    std::int64_t p[2];
    w.positions(o, p);
    T acc = identity;
    for (std::int64_t j = 0; j < length; ++j) acc = f(acc, x[p[1] + j * stride]);
    y[p[0]] = acc;
  }
}

// Folds the values of one block's threads; thread 0 returns the result.
template <class T, class F>
__device__ T block_fold(T value, F f) {
  __shared__ T partial[kThreads];
  partial[threadIdx.x] = value;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half)
      partial[threadIdx.x] = f(partial[threadIdx.x], partial[threadIdx.x + half]);
    __syncthreads();
  }
  const T result = partial[0];
  __syncthreads();  // partial is reused by the block's next item
  return result;
}

// Item b = (output o = b / chunks, chunk c = b % chunks) folds elements [c·kChunk, (c+1)·kChunk)
// of row o, whose first element the walk's operand 1 gives. It writes to the walk's operand 0 when
// the row is one chunk, else to partial[o · chunks + c].
template <class T, class F>
__global__ void reduce_chunks_kernel(Walk<2> w, const T* x, std::int64_t length,
                                     std::int64_t stride, std::int64_t chunks, T* y, T* partial,
                                     T identity, F f) {
  const std::int64_t items = w.count * chunks;
  for (std::int64_t b = blockIdx.x; b < items; b += gridDim.x) {
    const std::int64_t o = b / chunks;
    const std::int64_t c = b % chunks;
    std::int64_t p[2];
    w.positions(o, p);
    const std::int64_t begin = c * kChunk;
    const std::int64_t end = begin + kChunk < length ? begin + kChunk : length;
    T acc = identity;
    for (std::int64_t j = begin + threadIdx.x; j < end; j += kThreads) {
      acc = f(acc, x[p[1] + j * stride]);
    }
    acc = block_fold(acc, f);
    if (threadIdx.x == 0) {
      if (chunks == 1) {
        y[p[0]] = acc;
      } else {
        partial[o * chunks + c] = acc;
      }
    }
  }
}

unsigned item_blocks(std::int64_t items) {
  return static_cast<unsigned>(std::min<std::int64_t>(std::max<std::int64_t>(items, 1), 1 << 20));
}

template <class T>
__global__ void argmax_kernel(Walk<2> w, const T* x, T* y, std::int64_t length,
                              std::int64_t stride) {
  for (std::int64_t o = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; o < w.count;
       o += std::int64_t(gridDim.x) * blockDim.x) {
    std::int64_t p[2];
    w.positions(o, p);
    std::int64_t best = 0;
    for (std::int64_t j = 1; j < length; ++j) {
      if (x[p[1] + j * stride] > x[p[1] + best * stride]) best = j;
    }
    y[p[0]] = static_cast<T>(best);
  }
}

// One thread per element (n, d) of the [rows, width] side; `gather` copies indexed -> plain,
// otherwise adds plain into indexed with atomics (repeated rows sum in no fixed order).
template <class T, bool kGather>
__global__ void indexed_rows_kernel(const T* index, std::int64_t index_offset,
                                    std::int64_t index_stride, std::int64_t rows,
                                    std::int64_t width, T* plain, Operand plain_at, T* indexed,
                                    Operand indexed_at) {
  const std::int64_t count = rows * width;
  for (std::int64_t e = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; e < count;
       e += std::int64_t(gridDim.x) * blockDim.x) {
    const std::int64_t n = e / width;
    const std::int64_t d = e % width;
    const auto row = static_cast<std::int64_t>(index[index_offset + n * index_stride]);
    T& from = plain[plain_at.offset + n * plain_at.stride[0] + d * plain_at.stride[1]];
    T& to = indexed[indexed_at.offset + row * indexed_at.stride[0] + d * indexed_at.stride[1]];
    if constexpr (kGather) {
      from = to;
    } else {
      atomicAdd(&to, from);
    }
  }
}

Operand rows_of(const TensorData& t) {
  Operand o{};
  o.offset = t.offset();
  o.stride[0] = t.strides()[0];
  o.stride[1] = t.strides()[1];
  return o;
}

template <bool kGather>
void indexed_rows(const Target& t, const TensorData& index, std::int64_t rows, std::int64_t width,
                  const TensorData& plain, const TensorData& indexed) {
  if (rows * width == 0) return;
  dispatch_dtype(plain.dtype(), [&]<class T>() {
    indexed_rows_kernel<T, kGather><<<blocks_for(rows * width), kThreads, 0, t.stream>>>(
        index.data<T>(), index.offset(), index.strides()[0], rows, width, plain.data<T>(),
        rows_of(plain), indexed.data<T>(), rows_of(indexed));
    MT_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace

void reduce(const Target& t, ReduceOp op, const TensorData& in, std::int64_t dim,
            const TensorData& out) {
  const auto w = make_walk<2>(out.shape(), {&out, &in});
  const std::int64_t length = in.shape()[dim];
  const std::int64_t stride = in.strides()[dim];
  if (w.count == 0) return;
  visit_reduce(op, [&](auto f, double identity_value) {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T identity = static_cast<T>(identity_value);
      const T* x = in.data<T>();
      T* y = out.data<T>();
      if (length <= kSerialLength) {
        reduce_serial_kernel<<<blocks_for(w.count), kThreads, 0, t.stream>>>(w, x, y, length,
                                                                             stride, identity, f);
        MT_CUDA_CHECK_LAUNCH();
        return;
      }
      const std::int64_t chunks = (length + kChunk - 1) / kChunk;
      if (chunks == 1) {
        reduce_chunks_kernel<<<item_blocks(w.count), kThreads, 0, t.stream>>>(
            w, x, length, stride, 1, y, static_cast<T*>(nullptr), identity, f);
        MT_CUDA_CHECK_LAUNCH();
        return;
      }
      // Partial results laid out as out's shape with `chunks` at dim (row-major over the outputs,
      // the chunk fastest), then reduced along dim again: each pass divides the length by kChunk.
      Shape shape = out.shape();
      shape[dim] = chunks;
      Strides strides = strides_from_shape(out.shape());
      for (auto& s : strides) s *= chunks;
      strides[dim] = 1;
      const TensorData partial(
          std::make_shared<Storage>(out.dtype(), w.count * chunks, Device::cuda(t.device)), shape,
          strides, 0);
      reduce_chunks_kernel<<<item_blocks(w.count * chunks), kThreads, 0, t.stream>>>(
          w, x, length, stride, chunks, static_cast<T*>(nullptr), partial.data<T>(), identity, f);
      MT_CUDA_CHECK_LAUNCH();
      reduce(t, op, partial, dim, out);
    });
  });
}

void argmax(const Target& t, const TensorData& in, std::int64_t dim, const TensorData& out) {
  const auto w = make_walk<2>(out.shape(), {&out, &in});
  if (w.count == 0) return;
  dispatch_dtype(out.dtype(), [&]<class T>() {
    argmax_kernel<<<blocks_for(w.count), kThreads, 0, t.stream>>>(
        w, in.data<T>(), out.data<T>(), in.shape()[dim], in.strides()[dim]);
    MT_CUDA_CHECK_LAUNCH();
  });
}

void gather_rows(const Target& t, const TensorData& table, const TensorData& index,
                 const TensorData& out) {
  indexed_rows<true>(t, index, out.shape()[0], out.shape()[1], out, table);
}

void scatter_add_rows(const Target& t, const TensorData& src, const TensorData& index,
                      const TensorData& out) {
  indexed_rows<false>(t, index, src.shape()[0], src.shape()[1], src, out);
}

}  // namespace minitorch::cuda
