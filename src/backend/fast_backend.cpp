// The fast CPU backend: the reference backend's primitives with contiguous and broadcast fast
// paths vectorised for the processor at hand, a generic strided path that walks runs along the
// last dimension without per-element allocation or index arithmetic, our GEMM for matmul, and the
// thread pool for anything large enough to pay for it.
#include <algorithm>
#include <array>
#include <cstring>

#include "fast_windows.h"
#include "minitorch/backend/backend.h"
#include "minitorch/backend/detail/isa_dispatch.h"
#include "minitorch/backend/gemm.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/storage/strided_walk.h"

namespace minitorch {
namespace {

using detail::run_on_cpu;

// Elements per parallel chunk: ~10-40 µs of elementwise work, far above a region's cost.
constexpr std::int64_t kGrain = 1 << 15;

// ---- vectorisable loops over contiguous memory (scalar operands broadcast) ----------------------

template <class T>
MT_ALWAYS_INLINE T at(const T* p, std::int64_t i, bool scalar) {
  return scalar ? p[0] : p[i];
}

template <class F, class T, bool XScalar>
struct MapLoop {
  static MT_ALWAYS_INLINE void run(const T* __restrict x, T* __restrict y, std::int64_t n) {
    const F f{};
    for (std::int64_t i = 0; i < n; ++i) y[i] = f(at(x, i, XScalar));
  }
};

template <class F, class T, bool XScalar, bool DScalar>
struct MapBackwardLoop {
  static MT_ALWAYS_INLINE void run(const T* __restrict x, const T* __restrict d, T* __restrict y,
                                   std::int64_t n) {
    const F f{};
    for (std::int64_t i = 0; i < n; ++i) y[i] = f.backward(at(x, i, XScalar), at(d, i, DScalar));
  }
};

template <class F, class T, bool AScalar, bool BScalar>
struct ZipLoop {
  static MT_ALWAYS_INLINE void run(const T* __restrict a, const T* __restrict b, T* __restrict out,
                                   std::int64_t n) {
    const F f{};
    for (std::int64_t i = 0; i < n; ++i) out[i] = f(at(a, i, AScalar), at(b, i, BScalar));
  }
};

template <class F, class T, bool AScalar, bool BScalar>
struct ZipBackwardLoop {
  static MT_ALWAYS_INLINE void run(const T* __restrict a, const T* __restrict b,
                                   const T* __restrict d, T* __restrict da, T* __restrict db,
                                   std::int64_t n) {
    const F f{};
    for (std::int64_t i = 0; i < n; ++i) {
      const auto g = f.backward(at(a, i, AScalar), at(b, i, BScalar), d[i]);
      da[i] = g.a;
      db[i] = g.b;
    }
  }
};

// out[o, i] = fold over r of x[o, r, i] for a contiguous [outer, length, inner] input.
template <class F, class T>
struct ReduceOuterLoop {
  static MT_ALWAYS_INLINE void run(const T* __restrict x, T* __restrict out, std::int64_t length,
                                   std::int64_t inner, T identity) {
    const F f{};
    for (std::int64_t i = 0; i < inner; ++i) out[i] = identity;
    for (std::int64_t r = 0; r < length; ++r) {
      const T* row = x + r * inner;
      for (std::int64_t i = 0; i < inner; ++i) out[i] = f(out[i], row[i]);
    }
  }
};

// out[o] = fold of a contiguous run of `length` values, in 16 interleaved partial folds (a fixed
// order, so the result does not depend on the thread count) that the compiler can vectorise.
template <class F, class T>
struct ReduceInnerLoop {
  static MT_ALWAYS_INLINE void run(const T* __restrict x, T* __restrict out, std::int64_t outer,
                                   std::int64_t length, T identity) {
    const F f{};
    constexpr int kLanes = 16;
    for (std::int64_t o = 0; o < outer; ++o) {
      const T* row = x + o * length;
      T lanes[kLanes];
      for (int l = 0; l < kLanes; ++l) lanes[l] = identity;
      std::int64_t r = 0;
      for (; r + kLanes <= length; r += kLanes) {
        for (int l = 0; l < kLanes; ++l) lanes[l] = f(lanes[l], row[r + l]);
      }
      T acc = identity;
      for (int l = 0; l < kLanes; ++l) acc = f(acc, lanes[l]);
      for (; r < length; ++r) acc = f(acc, row[r]);
      out[o] = acc;
    }
  }
};

// ---- the generic strided path
// ---------------------------------------------------------------------

// The walk over `shape` of N tensors broadcast to it (tensor/strided_walk.h).
template <std::size_t N>
StridedWalk<N> walk_of(const Shape& shape, const std::array<const TensorData*, N>& tensors) {
  std::array<WalkOperand, N> operands;
  for (std::size_t k = 0; k < N; ++k) {
    operands[k] = {tensors[k]->shape(), tensors[k]->strides(), tensors[k]->offset()};
  }
  return make_strided_walk<N>(shape, operands);
}

// Splits the output's elements over the pool and walks each chunk's runs along the last merged
// dimension: run(positions, count, steps) as for_each_run calls it.
template <std::size_t N, class Run>
void parallel_runs(const Shape& shape, const std::array<const TensorData*, N>& tensors, Run&& run) {
  const StridedWalk<N> walk = walk_of<N>(shape, tensors);
  parallel_for(0, walk.count, kGrain,
               [&](std::int64_t begin, std::int64_t end) { for_each_run(walk, begin, end, run); });
}

// ---- classifying operands ----------------------------------------------------------------------

bool is_scalar(const TensorData& t) {
  return t.numel() == 1;
}

// Contiguous with exactly the output's shape (a flat loop can index it by the output ordinal).
bool is_flat(const TensorData& t, const Shape& shape) {
  return t.shape() == shape && t.is_contiguous();
}

bool flat_or_scalar(const TensorData& t, const Shape& shape) {
  return is_scalar(t) || is_flat(t, shape);
}

template <class T>
const T* first(const TensorData& t) {
  return t.data<T>() + t.offset();
}

template <class T>
T* first_mutable(const TensorData& t) {
  return t.data<T>() + t.offset();
}

// Runs body(begin, end) over [0, n) in parallel chunks.
template <class Body>
void parallel_flat(std::int64_t n, Body&& body) {
  parallel_for(0, n, kGrain, body);
}

// The index of the first maximum of x[0], x[stride], ..., x[(length − 1)·stride] (the reference
// scan: an element replaces the choice only when greater, so NaN never does).
template <class T>
T first_maximum(const T* x, std::int64_t length, std::int64_t stride) {
  std::int64_t best = 0;
  for (std::int64_t j = 1; j < length; ++j) {
    if (x[j * stride] > x[best * stride]) best = j;
  }
  return static_cast<T>(best);
}

// move(to[d · to_stride], from[d · from_stride]) for d in [0, width), with a unit-stride loop the
// compiler vectorises when both rows are contiguous.
template <class T, class Move>
void move_row(const T* from, std::int64_t from_stride, T* to, std::int64_t to_stride,
              std::int64_t width, Move move) {
  if (from_stride == 1 && to_stride == 1) {
    for (std::int64_t d = 0; d < width; ++d) move(to[d], from[d]);
    return;
  }
  for (std::int64_t d = 0; d < width; ++d) move(to[d * to_stride], from[d * from_stride]);
}

// ---- the backend
// ---------------------------------------------------------------------------------

class FastBackend final : public Backend {
 public:
  std::string name() const override { return "fast"; }

  void copy(const TensorData& in, const TensorData& out) const override {
    if (in.dtype() == out.dtype() && is_flat(in, out.shape()) && out.is_contiguous()) {
      const std::size_t bytes = dtype_size(in.dtype());
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const T* x = first<T>(in);
        T* y = first_mutable<T>(out);
        parallel_flat(out.numel(), [&](std::int64_t b, std::int64_t e) {
          std::memcpy(y + b, x + b, static_cast<std::size_t>(e - b) * bytes);
        });
      });
      return;
    }
    dispatch_dtype(out.dtype(), [&]<class Out>() {
      dispatch_dtype(in.dtype(), [&]<class In>() {
        const In* x = in.data<In>();
        Out* y = out.data<Out>();
        parallel_runs<2>(out.shape(), {&out, &in}, [&](auto p, std::int64_t n, auto s) {
          for (std::int64_t j = 0; j < n; ++j)
            y[p[0] + j * s[0]] = static_cast<Out>(x[p[1] + j * s[1]]);
        });
      });
    });
  }

  void map(UnaryOp op, const TensorData& in, const TensorData& out) const override {
    visit_unary(op, [&]<class F>(F f) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        if (out.is_contiguous() && flat_or_scalar(in, out.shape())) {
          const T* x = first<T>(in);
          T* y = first_mutable<T>(out);
          const bool scalar = !is_flat(in, out.shape());
          parallel_flat(out.numel(), [&](std::int64_t b, std::int64_t e) {
            if (scalar) {
              run_on_cpu<MapLoop<F, T, true>>(x, y + b, e - b);
            } else {
              run_on_cpu<MapLoop<F, T, false>>(x + b, y + b, e - b);
            }
          });
          return;
        }
        const T* x = in.data<T>();
        T* y = out.data<T>();
        parallel_runs<2>(out.shape(), {&out, &in}, [&](auto p, std::int64_t n, auto s) {
          for (std::int64_t j = 0; j < n; ++j) y[p[0] + j * s[0]] = f(x[p[1] + j * s[1]]);
        });
      });
    });
  }

  void map_backward(UnaryOp op, const TensorData& in, const TensorData& d,
                    const TensorData& out) const override {
    visit_unary(op, [&]<class F>(F f) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const Shape& shape = out.shape();
        if (out.is_contiguous() && flat_or_scalar(in, shape) && flat_or_scalar(d, shape)) {
          const bool xs = !is_flat(in, shape);
          const bool ds = !is_flat(d, shape);
          const T* x = first<T>(in);
          const T* g = first<T>(d);
          T* y = first_mutable<T>(out);
          parallel_flat(out.numel(), [&](std::int64_t b, std::int64_t e) {
            const T* xb = xs ? x : x + b;
            const T* gb = ds ? g : g + b;
            if (!xs && !ds)
              return run_on_cpu<MapBackwardLoop<F, T, false, false>>(xb, gb, y + b, e - b);
            if (xs && !ds)
              return run_on_cpu<MapBackwardLoop<F, T, true, false>>(xb, gb, y + b, e - b);
            if (!xs && ds)
              return run_on_cpu<MapBackwardLoop<F, T, false, true>>(xb, gb, y + b, e - b);
            run_on_cpu<MapBackwardLoop<F, T, true, true>>(xb, gb, y + b, e - b);
          });
          return;
        }
        const T* x = in.data<T>();
        const T* g = d.data<T>();
        T* y = out.data<T>();
        parallel_runs<3>(shape, {&out, &in, &d}, [&](auto p, std::int64_t n, auto s) {
          for (std::int64_t j = 0; j < n; ++j) {
            y[p[0] + j * s[0]] = f.backward(x[p[1] + j * s[1]], g[p[2] + j * s[2]]);
          }
        });
      });
    });
  }

  void zip(BinaryOp op, const TensorData& a, const TensorData& b,
           const TensorData& out) const override {
    visit_binary(op, [&]<class F>(F f) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const Shape& shape = out.shape();
        if (out.is_contiguous() && flat_or_scalar(a, shape) && flat_or_scalar(b, shape)) {
          const bool as = !is_flat(a, shape);
          const bool bs = !is_flat(b, shape);
          const T* x = first<T>(a);
          const T* y = first<T>(b);
          T* z = first_mutable<T>(out);
          parallel_flat(out.numel(), [&](std::int64_t lo, std::int64_t hi) {
            const T* xb = as ? x : x + lo;
            const T* yb = bs ? y : y + lo;
            if (!as && !bs) return run_on_cpu<ZipLoop<F, T, false, false>>(xb, yb, z + lo, hi - lo);
            if (as && !bs) return run_on_cpu<ZipLoop<F, T, true, false>>(xb, yb, z + lo, hi - lo);
            if (!as && bs) return run_on_cpu<ZipLoop<F, T, false, true>>(xb, yb, z + lo, hi - lo);
            run_on_cpu<ZipLoop<F, T, true, true>>(xb, yb, z + lo, hi - lo);
          });
          return;
        }
        if (out.is_contiguous() && zip_rows(f, a, b, out)) return;
        const T* x = a.data<T>();
        const T* y = b.data<T>();
        T* z = out.data<T>();
        parallel_runs<3>(shape, {&out, &a, &b}, [&](auto p, std::int64_t n, auto s) {
          for (std::int64_t j = 0; j < n; ++j) {
            z[p[0] + j * s[0]] = f(x[p[1] + j * s[1]], y[p[2] + j * s[2]]);
          }
        });
      });
    });
  }

  void zip_backward(BinaryOp op, const TensorData& a, const TensorData& b, const TensorData& d,
                    const TensorData& da, const TensorData& db) const override {
    visit_binary(op, [&]<class F>(F f) {
      dispatch_dtype(d.dtype(), [&]<class T>() {
        const Shape& shape = da.shape();
        if (da.is_contiguous() && db.is_contiguous() && is_flat(d, shape) &&
            flat_or_scalar(a, shape) && flat_or_scalar(b, shape)) {
          const bool as = !is_flat(a, shape);
          const bool bs = !is_flat(b, shape);
          const T* x = first<T>(a);
          const T* y = first<T>(b);
          const T* g = first<T>(d);
          T* gx = first_mutable<T>(da);
          T* gy = first_mutable<T>(db);
          parallel_flat(da.numel(), [&](std::int64_t lo, std::int64_t hi) {
            const T* xb = as ? x : x + lo;
            const T* yb = bs ? y : y + lo;
            const std::int64_t n = hi - lo;
            if (!as && !bs) {
              return run_on_cpu<ZipBackwardLoop<F, T, false, false>>(xb, yb, g + lo, gx + lo,
                                                                     gy + lo, n);
            }
            if (as && !bs) {
              return run_on_cpu<ZipBackwardLoop<F, T, true, false>>(xb, yb, g + lo, gx + lo,
                                                                    gy + lo, n);
            }
            if (!as && bs) {
              return run_on_cpu<ZipBackwardLoop<F, T, false, true>>(xb, yb, g + lo, gx + lo,
                                                                    gy + lo, n);
            }
            run_on_cpu<ZipBackwardLoop<F, T, true, true>>(xb, yb, g + lo, gx + lo, gy + lo, n);
          });
          return;
        }
        const T* x = a.data<T>();
        const T* y = b.data<T>();
        const T* g = d.data<T>();
        T* gx = da.data<T>();
        T* gy = db.data<T>();
        parallel_runs<5>(shape, {&da, &db, &a, &b, &d}, [&](auto p, std::int64_t n, auto s) {
          for (std::int64_t j = 0; j < n; ++j) {
            const auto grads =
                f.backward(x[p[2] + j * s[2]], y[p[3] + j * s[3]], g[p[4] + j * s[4]]);
            gx[p[0] + j * s[0]] = grads.a;
            gy[p[1] + j * s[1]] = grads.b;
          }
        });
      });
    });
  }

  void where(const TensorData& cond, const TensorData& a, const TensorData& b,
             const TensorData& out) const override {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* c = cond.data<T>();
      const T* x = a.data<T>();
      const T* y = b.data<T>();
      T* z = out.data<T>();
      parallel_runs<4>(out.shape(), {&out, &cond, &a, &b}, [&](auto p, std::int64_t n, auto s) {
        for (std::int64_t j = 0; j < n; ++j) {
          z[p[0] + j * s[0]] =
              operators::where(c[p[1] + j * s[1]], x[p[2] + j * s[2]], y[p[3] + j * s[3]]);
        }
      });
    });
  }

  void reduce(ReduceOp op, const TensorData& in, std::int64_t dim,
              const TensorData& out) const override {
    visit_reduce(op, [&]<class F>(F f, double identity_value) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const T identity = static_cast<T>(identity_value);
        const Shape& shape = in.shape();
        const std::int64_t length = shape[dim];
        if (in.is_contiguous() && out.is_contiguous()) {
          const std::int64_t outer = numel(std::span(shape).first(dim));
          const std::int64_t inner = numel(std::span(shape).subspan(dim + 1));
          const T* x = first<T>(in);
          T* y = first_mutable<T>(out);
          if (inner == 1) {
            const std::int64_t grain =
                std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(length, 1));
            parallel_for(0, outer, grain, [&](std::int64_t o0, std::int64_t o1) {
              run_on_cpu<ReduceInnerLoop<F, T>>(x + o0 * length, y + o0, o1 - o0, length, identity);
            });
          } else {
            const std::int64_t grain =
                std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(length * inner, 1));
            parallel_for(0, outer, grain, [&](std::int64_t o0, std::int64_t o1) {
              for (std::int64_t o = o0; o < o1; ++o) {
                run_on_cpu<ReduceOuterLoop<F, T>>(x + o * length * inner, y + o * inner, length,
                                                  inner, identity);
              }
            });
          }
          return;
        }
        const T* x = in.data<T>();
        T* y = out.data<T>();
        const std::int64_t stride = in.strides()[dim];
        // `in` seen at out's shape: positions of the first element of each reduced run.
        parallel_runs<2>(out.shape(), {&out, &in}, [&](auto p, std::int64_t n, auto s) {
          for (std::int64_t j = 0; j < n; ++j) {
            const T* run = x + p[1] + j * s[1];
            T acc = identity;
            for (std::int64_t r = 0; r < length; ++r) acc = f(acc, run[r * stride]);
            y[p[0] + j * s[0]] = acc;
          }
        });
      });
    });
  }

  void argmax(const TensorData& in, std::int64_t dim, const TensorData& out) const override {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const std::int64_t length = in.shape()[dim];
      // The common case (max-pooling windows, class scores): contiguous runs along the last
      // dimension, one row per output element.
      if (dim == in.dim() - 1 && in.is_contiguous() && out.is_contiguous()) {
        const T* x = first<T>(in);
        T* y = first_mutable<T>(out);
        const std::int64_t grain =
            std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(length, 1));
        parallel_for(0, out.numel(), grain, [&](std::int64_t r0, std::int64_t r1) {
          for (std::int64_t r = r0; r < r1; ++r) y[r] = first_maximum(x + r * length, length, 1);
        });
        return;
      }
      const T* x = in.data<T>();
      T* y = out.data<T>();
      const std::int64_t stride = in.strides()[dim];
      // `in` seen at out's shape: positions of the first element of each scanned run.
      parallel_runs<2>(out.shape(), {&out, &in}, [&](auto p, std::int64_t n, auto s) {
        for (std::int64_t j = 0; j < n; ++j) {
          y[p[0] + j * s[0]] = first_maximum(x + p[1] + j * s[1], length, stride);
        }
      });
    });
  }

  void gather_rows(const TensorData& table, const TensorData& index,
                   const TensorData& out) const override {
    // out row n = table row index[n]: rows are independent, so split them over the pool.
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const std::int64_t width = out.shape()[1];
      const T* idx = index.data<T>() + index.offset();
      const T* from = table.data<T>() + table.offset();
      T* to = first_mutable<T>(out);
      const std::int64_t grain =
          std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(width, 1));
      parallel_for(0, out.shape()[0], grain, [&](std::int64_t n0, std::int64_t n1) {
        for (std::int64_t n = n0; n < n1; ++n) {
          const auto row = static_cast<std::int64_t>(idx[n * index.strides()[0]]);
          move_row(from + row * table.strides()[0], table.strides()[1], to + n * out.strides()[0],
                   out.strides()[1], width, [](T& y, T x) { y = x; });
        }
      });
    });
  }

  void scatter_add_rows(const TensorData& src, const TensorData& index,
                        const TensorData& out) const override {
    // out row index[n] += src row n, in the order of n: repeated rows make rows dependent, so the
    // pool splits the columns instead, each thread adding every row's slice of them in order.
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const std::int64_t rows = src.shape()[0];
      const std::int64_t width = src.shape()[1];
      const T* idx = index.data<T>() + index.offset();
      const T* from = first<T>(src);
      T* to = out.data<T>() + out.offset();
      const std::int64_t grain =
          std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(rows, 1));
      parallel_for(0, width, grain, [&](std::int64_t d0, std::int64_t d1) {
        for (std::int64_t n = 0; n < rows; ++n) {
          const auto row = static_cast<std::int64_t>(idx[n * index.strides()[0]]);
          move_row(from + n * src.strides()[0] + d0 * src.strides()[1], src.strides()[1],
                   to + row * out.strides()[0] + d0 * out.strides()[1], out.strides()[1], d1 - d0,
                   [](T& y, T x) { y += x; });
        }
      });
    });
  }

  void unfold(const TensorData& in, const Window2d& window, const TensorData& out) const override {
    detail::fast_unfold(in, window, out);
  }

  void fold(const TensorData& in, const Window2d& window, const TensorData& out) const override {
    detail::fast_fold(in, window, out);
  }

  void pool2d(PoolOp op, const TensorData& in, const Window2d& window, const TensorData& out,
              const TensorData& indices) const override {
    detail::fast_pool2d(op, in, window, out, indices);
  }

  void pool2d_backward(PoolOp op, const TensorData& d, const TensorData& indices,
                       const Window2d& window, const TensorData& dx) const override {
    detail::fast_pool2d_backward(op, d, indices, window, dx);
  }

  void conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
              const Window2d& window, const TensorData& out) const override {
    detail::fast_conv2d(in, weight, bias, window, out);
  }

  void conv2d_backward_input(const TensorData& d, const TensorData& weight, const Window2d& window,
                             const TensorData& dx) const override {
    detail::fast_conv2d_backward_input(d, weight, window, dx);
  }

  void conv2d_backward_weight(const TensorData& in, const TensorData& d, const Window2d& window,
                              const TensorData& dweight, const TensorData& dbias) const override {
    detail::fast_conv2d_backward_weight(in, d, window, dweight, dbias);
  }

  void matmul(const TensorData& a, const TensorData& b, const TensorData& out) const override {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const std::int64_t rank = out.dim();
      const std::int64_t m = out.shape()[rank - 2];
      const std::int64_t n = out.shape()[rank - 1];
      const std::int64_t k = a.shape()[a.dim() - 1];
      const Shape batch(out.shape().begin(), out.shape().end() - 2);
      const Strides a_batch = batch_strides(a, batch);
      const Strides b_batch = batch_strides(b, batch);
      const Strides c_batch = batch_strides(out, batch);
      const MatrixRef<const T> a_matrix{a.data<T>(), a.strides()[a.dim() - 2],
                                        a.strides()[a.dim() - 1]};
      const MatrixRef<const T> b_matrix{b.data<T>(), b.strides()[b.dim() - 2],
                                        b.strides()[b.dim() - 1]};
      const MatrixRef<T> c_matrix{out.data<T>(), out.strides()[rank - 2], out.strides()[rank - 1]};
      const std::int64_t batches = numel(batch);
      // Many small products: one per thread; few large ones: each uses every thread.
      const std::int64_t grain = m * n * k >= (1 << 20) ? batches : 1;
      parallel_for(0, batches, grain, [&](std::int64_t first_batch, std::int64_t last_batch) {
        Index index(batch.size());
        for (std::int64_t i = first_batch; i < last_batch; ++i) {
          to_index(i, batch, index);
          gemm<T>(m, n, k,
                  {a_matrix.data + a.offset() + index_to_position(index, a_batch),
                   a_matrix.row_stride, a_matrix.col_stride},
                  {b_matrix.data + b.offset() + index_to_position(index, b_batch),
                   b_matrix.row_stride, b_matrix.col_stride},
                  {c_matrix.data + out.offset() + index_to_position(index, c_batch),
                   c_matrix.row_stride, c_matrix.col_stride});
        }
      });
    });
  }

 private:
  // Strides of t's leading (batch) dimensions as seen from the broadcast batch shape.
  static Strides batch_strides(const TensorData& t, const Shape& batch) {
    const Shape t_batch(t.shape().begin(), t.shape().end() - 2);
    const Strides t_strides(t.strides().begin(), t.strides().end() - 2);
    Strides out(batch.size(), 0);
    const std::size_t extra = batch.size() - t_batch.size();
    for (std::size_t k = 0; k < t_batch.size(); ++k) {
      out[k + extra] = t_batch[k] == 1 ? 0 : t_strides[k];
    }
    return out;
  }

  // out[r, :] = f(a[r, :], b[:]) or f(a[:], b[r, :]) for a row vector broadcast over a contiguous
  // matrix: the bias add of every linear layer. Returns false when the operands do not fit.
  template <class F>
  bool zip_rows(F, const TensorData& a, const TensorData& b, const TensorData& out) const {
    const Shape& shape = out.shape();
    if (shape.empty()) return false;
    const std::int64_t cols = shape.back();
    auto is_row = [&](const TensorData& t) {
      return t.is_contiguous() && t.numel() == cols && !t.shape().empty() &&
             t.shape().back() == cols;
    };
    const bool a_row = is_row(a) && is_flat(b, shape);
    const bool b_row = is_row(b) && is_flat(a, shape);
    if (!a_row && !b_row) return false;
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* x = first<T>(a);
      const T* y = first<T>(b);
      T* z = first_mutable<T>(out);
      const std::int64_t rows = out.numel() / std::max<std::int64_t>(cols, 1);
      const std::int64_t grain =
          std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(cols, 1));
      parallel_for(0, rows, grain, [&](std::int64_t r0, std::int64_t r1) {
        for (std::int64_t r = r0; r < r1; ++r) {
          if (a_row) {
            run_on_cpu<ZipLoop<F, T, false, false>>(x, y + r * cols, z + r * cols, cols);
          } else {
            run_on_cpu<ZipLoop<F, T, false, false>>(x + r * cols, y, z + r * cols, cols);
          }
        }
      });
    });
    return true;
  }
};

}  // namespace

const Backend& fast_backend() {
  static const FastBackend backend;
  return backend;
}

}  // namespace minitorch
