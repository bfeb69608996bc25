// Elementwise CUDA kernels: copy, map, zip, their derivatives and where, each one grid-stride loop
// over the output's elements with the `operators` functor applied at every element.
#include <string>

#include "cuda/cuda_kernels.h"
#include "minitorch/storage/strided_walk.h"

namespace minitorch::cuda {

template <int N>
Walk<N> make_walk(const std::int64_t* shape, int dims, const std::array<View, N>& views) {
  // The merged dimensions come from the shape layer's walk; the kernel gets them in fixed arrays.
  std::array<WalkOperand, N> operands;
  for (int k = 0; k < N; ++k) {
    const auto dim = static_cast<std::size_t>(views[k].dim);
    operands[k] = {{views[k].shape, dim}, {views[k].strides, dim}, views[k].offset};
  }
  const StridedWalk<N> merged =
      make_strided_walk<N>(std::span(shape, static_cast<std::size_t>(dims)), operands);
  const auto rank = static_cast<int>(merged.shape.size());
  if (rank > kMaxDims) {
    throw Error("CUDA backend: a strided walk of " + std::to_string(rank) +
                " dimensions; expected at most " + std::to_string(kMaxDims) +
                " (call contiguous() first)");
  }
  Walk<N> w{};
  w.rank = rank;
  w.count = merged.count;
  for (int r = 0; r < rank; ++r) w.shape[r] = merged.shape[r];
  for (int k = 0; k < N; ++k) {
    w.op[k].offset = merged.offsets[k];
    for (int r = 0; r < rank; ++r) w.op[k].stride[r] = merged.strides[k][r];
  }
  return w;
}

template Walk<1> make_walk<1>(const std::int64_t*, int, const std::array<View, 1>&);
template Walk<2> make_walk<2>(const std::int64_t*, int, const std::array<View, 2>&);
template Walk<3> make_walk<3>(const std::int64_t*, int, const std::array<View, 3>&);
template Walk<4> make_walk<4>(const std::int64_t*, int, const std::array<View, 4>&);
template Walk<5> make_walk<5>(const std::int64_t*, int, const std::array<View, 5>&);

unsigned blocks_for(std::int64_t count) {
  constexpr std::int64_t kMaxBlocks = 65536;  // enough for several waves on any current GPU
  const std::int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<unsigned>(std::max<std::int64_t>(1, std::min(blocks, kMaxBlocks)));
}

namespace {

// Calls body(positions) for every element of the walk.
template <int N, class Body>
__global__ void for_each_kernel(Walk<N> w, Body body) {
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < w.count;
       i += std::int64_t(gridDim.x) * blockDim.x) {
    std::int64_t p[N];
    w.positions(i, p);
    body(p);
  }
}

template <int N, class Body>
void for_each(const Target& t, const Walk<N>& w, const Body& body) {
  if (w.count == 0) return;
  for_each_kernel<N, Body><<<blocks_for(w.count), kThreads, 0, t.stream>>>(w, body);
  MT_CUDA_CHECK_LAUNCH();
}

template <class In, class Out>
struct CopyBody {
  const In* x;
  Out* y;
  __device__ void operator()(const std::int64_t (&p)[2]) const {
    y[p[0]] = static_cast<Out>(x[p[1]]);
  }
};

template <class T, class F>
struct MapBody {
  F f;
  const T* x;
  T* y;
  __device__ void operator()(const std::int64_t (&p)[2]) const { y[p[0]] = f(x[p[1]]); }
};

template <class T, class F>
struct MapBackwardBody {
  F f;
  const T* x;
  const T* g;
  T* y;
  __device__ void operator()(const std::int64_t (&p)[3]) const {
    y[p[0]] = f.backward(x[p[1]], g[p[2]]);
  }
};

template <class T, class F>
struct ZipBody {
  F f;
  const T* a;
  const T* b;
  T* z;
  __device__ void operator()(const std::int64_t (&p)[3]) const { z[p[0]] = f(a[p[1]], b[p[2]]); }
};

template <class T, class F>
struct ZipBackwardBody {
  F f;
  const T* a;
  const T* b;
  const T* g;
  T* ga;
  T* gb;
  __device__ void operator()(const std::int64_t (&p)[5]) const {
    const auto grads = f.backward(a[p[2]], b[p[3]], g[p[4]]);
    ga[p[0]] = grads.a;
    gb[p[1]] = grads.b;
  }
};

template <class T>
struct WhereBody {
  const T* c;
  const T* a;
  const T* b;
  T* z;
  __device__ void operator()(const std::int64_t (&p)[4]) const {
    z[p[0]] = operators::Where{}(c[p[1]], a[p[2]], b[p[3]]);
  }
};

}  // namespace

void copy(const Target& t, const TensorData& in, const TensorData& out) {
  const auto w = make_walk<2>(out.shape(), {&out, &in});
  dispatch_dtype(out.dtype(), [&]<class Out>() {
    dispatch_dtype(in.dtype(), [&]<class In>() {
      for_each(t, w, CopyBody<In, Out>{in.data<In>(), out.data<Out>()});
    });
  });
}

void map(const Target& t, UnaryOp op, const TensorData& in, const TensorData& out) {
  const auto w = make_walk<2>(out.shape(), {&out, &in});
  visit_unary(op, [&](auto f) {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      for_each(t, w, MapBody<T, decltype(f)>{f, in.data<T>(), out.data<T>()});
    });
  });
}

void map_backward(const Target& t, UnaryOp op, const TensorData& in, const TensorData& d,
                  const TensorData& out) {
  const auto w = make_walk<3>(out.shape(), {&out, &in, &d});
  visit_unary(op, [&](auto f) {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      for_each(t, w, MapBackwardBody<T, decltype(f)>{f, in.data<T>(), d.data<T>(), out.data<T>()});
    });
  });
}

void zip(const Target& t, BinaryOp op, const TensorData& a, const TensorData& b,
         const TensorData& out) {
  const auto w = make_walk<3>(out.shape(), {&out, &a, &b});
  visit_binary(op, [&](auto f) {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      for_each(t, w, ZipBody<T, decltype(f)>{f, a.data<T>(), b.data<T>(), out.data<T>()});
    });
  });
}

void zip_backward(const Target& t, BinaryOp op, const TensorData& a, const TensorData& b,
                  const TensorData& d, const TensorData& da, const TensorData& db) {
  const auto w = make_walk<5>(da.shape(), {&da, &db, &a, &b, &d});
  visit_binary(op, [&](auto f) {
    dispatch_dtype(d.dtype(), [&]<class T>() {
      for_each(t, w,
               ZipBackwardBody<T, decltype(f)>{f, a.data<T>(), b.data<T>(), d.data<T>(),
                                               da.data<T>(), db.data<T>()});
    });
  });
}

void where(const Target& t, const TensorData& cond, const TensorData& a, const TensorData& b,
           const TensorData& out) {
  const auto w = make_walk<4>(out.shape(), {&out, &cond, &a, &b});
  dispatch_dtype(out.dtype(), [&]<class T>() {
    for_each(t, w, WhereBody<T>{cond.data<T>(), a.data<T>(), b.data<T>(), out.data<T>()});
  });
}

}  // namespace minitorch::cuda
