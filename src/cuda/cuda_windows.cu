// Sliding-window kernels (tensor/window.h): unfold, fold, pooling and its gradient. Each thread
// computes one output element from the elements it depends on (fold and the pooling gradient
// gather from the windows covering an input element instead of scattering into it), so no kernel
// needs atomics and every result is deterministic.
#include "cuda/cuda_kernels.h"

namespace minitorch::cuda {
namespace {

// A 4-D (or 3-D, last stride unused) strided tensor.
struct At4 {
  std::int64_t offset, s0, s1, s2, s3;
  __device__ std::int64_t operator()(std::int64_t i0, std::int64_t i1, std::int64_t i2,
                                     std::int64_t i3 = 0) const {
    return offset + i0 * s0 + i1 * s1 + i2 * s2 + i3 * s3;
  }
};

At4 at_of(const TensorData& t) {
  const auto& s = t.strides();
  return {t.offset(), s[0], s[1], s[2], t.dim() > 3 ? s[3] : 0};
}

// The geometry every window kernel shares: input planes [B, C, H, W], output positions.
struct Geometry {
  std::int64_t batch, channels, height, width, out_h, out_w;
  std::int64_t kh, kw, sh, sw, ph, pw, dh, dw;
};

Geometry geometry_of(const Shape& input, const Window2d& k) {
  return {input[0],
          input[1],
          input[2],
          input[3],
          k.out_h(input[2]),
          k.out_w(input[3]),
          k.kh,
          k.kw,
          k.sh,
          k.sw,
          k.ph,
          k.pw,
          k.dh,
          k.dw};
}

#define MT_GRID_STRIDE(i, count)                                                          \
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < (count); \
       i += std::int64_t(gridDim.x) * blockDim.x)

// out [B, C·kh·kw, L]: one element each.
template <class T>
__global__ void unfold_kernel(Geometry g, const T* x, At4 in, T* y, At4 out) {
  const std::int64_t rows = g.channels * g.kh * g.kw, positions = g.out_h * g.out_w;
  MT_GRID_STRIDE(e, g.batch * rows * positions) {
    const std::int64_t l = e % positions, r = (e / positions) % rows, b = e / (positions * rows);
    const std::int64_t c = r / (g.kh * g.kw), i = (r / g.kw) % g.kh, j = r % g.kw;
    const std::int64_t ih = (l / g.out_w) * g.sh + i * g.dh - g.ph;
    const std::int64_t iw = (l % g.out_w) * g.sw + j * g.dw - g.pw;
    const bool inside = ih >= 0 && ih < g.height && iw >= 0 && iw < g.width;
    y[out(b, r, l)] = inside ? x[in(b, c, ih, iw)] : T(0);
  }
}

// The window position (oh, ow) whose kernel element (i, j) lands on input (h, w), if any.
__device__ bool window_at(const Geometry& g, std::int64_t h, std::int64_t w, std::int64_t i,
                          std::int64_t j, std::int64_t& oh, std::int64_t& ow) {
  const std::int64_t th = h + g.ph - i * g.dh, tw = w + g.pw - j * g.dw;
  if (th < 0 || tw < 0 || th % g.sh != 0 || tw % g.sw != 0) return false;
  oh = th / g.sh;
  ow = tw / g.sw;
  return oh < g.out_h && ow < g.out_w;
}

// out [B, C, H, W]: each element sums the column entries unfold would copy from it.
template <class T>
__global__ void fold_kernel(Geometry g, const T* x, At4 in, T* y, At4 out) {
  MT_GRID_STRIDE(e, g.batch * g.channels * g.height * g.width) {
    const std::int64_t w = e % g.width, h = (e / g.width) % g.height;
    const std::int64_t c = (e / (g.width * g.height)) % g.channels;
    const std::int64_t b = e / (g.width * g.height * g.channels);
    T acc = T(0);
    for (std::int64_t i = 0; i < g.kh; ++i) {
      for (std::int64_t j = 0; j < g.kw; ++j) {
        std::int64_t oh, ow;
        if (window_at(g, h, w, i, j, oh, ow)) {
          acc += x[in(b, (c * g.kh + i) * g.kw + j, oh * g.out_w + ow)];
        }
      }
    }
    y[out(b, c, h, w)] = acc;
  }
}

// out [B, C, out_h, out_w]: the reference backend's scan of each window, in its order.
template <class T, bool kMax>
__global__ void pool_kernel(Geometry g, const T* x, At4 in, T* y, At4 out, T* idx, At4 where_at) {
  MT_GRID_STRIDE(e, g.batch * g.channels * g.out_h * g.out_w) {
    const std::int64_t ow = e % g.out_w, oh = (e / g.out_w) % g.out_h;
    const std::int64_t c = (e / (g.out_w * g.out_h)) % g.channels;
    const std::int64_t b = e / (g.out_w * g.out_h * g.channels);
    T acc = kMax ? -INFINITY : T(0);
    std::int64_t where = -1;
    for (std::int64_t i = 0; i < g.kh; ++i) {
      for (std::int64_t j = 0; j < g.kw; ++j) {
        const std::int64_t ih = oh * g.sh + i * g.dh - g.ph;
        const std::int64_t iw = ow * g.sw + j * g.dw - g.pw;
        if (ih < 0 || ih >= g.height || iw < 0 || iw >= g.width) continue;
        const T v = x[in(b, c, ih, iw)];
        if constexpr (kMax) {
          if (where < 0 || v > acc || isnan(v)) {
            if (v > acc || isnan(v)) acc = v;
            where = ih * g.width + iw;
          }
        } else {
          acc += v;
        }
      }
    }
    if constexpr (kMax) {
      y[out(b, c, oh, ow)] = acc;
      idx[where_at(b, c, oh, ow)] = T(where);
    } else {
      y[out(b, c, oh, ow)] = acc / T(g.kh * g.kw);
    }
  }
}

// dx [B, C, H, W]: each element gathers the gradient of every window covering it (Max: only the
// windows whose recorded maximum is this element).
template <class T, bool kMax>
__global__ void pool_backward_kernel(Geometry g, const T* d, At4 d_at, const T* idx, At4 idx_at,
                                     T* dx, At4 dx_at) {
  MT_GRID_STRIDE(e, g.batch * g.channels * g.height * g.width) {
    const std::int64_t w = e % g.width, h = (e / g.width) % g.height;
    const std::int64_t c = (e / (g.width * g.height)) % g.channels;
    const std::int64_t b = e / (g.width * g.height * g.channels);
    const T count = T(g.kh * g.kw);
    T acc = T(0);
    for (std::int64_t i = 0; i < g.kh; ++i) {
      for (std::int64_t j = 0; j < g.kw; ++j) {
        std::int64_t oh, ow;
        if (!window_at(g, h, w, i, j, oh, ow)) continue;
        if constexpr (kMax) {
          if (static_cast<std::int64_t>(idx[idx_at(b, c, oh, ow)]) == h * g.width + w) {
            acc += d[d_at(b, c, oh, ow)];
          }
        } else {
          acc += d[d_at(b, c, oh, ow)] / count;
        }
      }
    }
    dx[dx_at(b, c, h, w)] = acc;
  }
}

}  // namespace

void unfold(const Target& t, const TensorData& in, const Window2d& k, const TensorData& out) {
  const Geometry g = geometry_of(in.shape(), k);
  if (out.numel() == 0) return;
  dispatch_dtype(out.dtype(), [&]<class T>() {
    unfold_kernel<<<blocks_for(out.numel()), kThreads, 0, t.stream>>>(g, in.data<T>(), at_of(in),
                                                                      out.data<T>(), at_of(out));
    MT_CUDA_CHECK_LAUNCH();
  });
}

void fold(const Target& t, const TensorData& in, const Window2d& k, const TensorData& out) {
  const Geometry g = geometry_of(out.shape(), k);
  if (out.numel() == 0) return;
  dispatch_dtype(out.dtype(), [&]<class T>() {
    fold_kernel<<<blocks_for(out.numel()), kThreads, 0, t.stream>>>(g, in.data<T>(), at_of(in),
                                                                    out.data<T>(), at_of(out));
    MT_CUDA_CHECK_LAUNCH();
  });
}

void pool2d(const Target& t, PoolOp op, const TensorData& in, const Window2d& k,
            const TensorData& out, const TensorData& indices) {
  const Geometry g = geometry_of(in.shape(), k);
  if (out.numel() == 0) return;
  dispatch_dtype(out.dtype(), [&]<class T>() {
    const unsigned blocks = blocks_for(out.numel());
    if (op == PoolOp::Max) {
      pool_kernel<T, true><<<blocks, kThreads, 0, t.stream>>>(
          g, in.data<T>(), at_of(in), out.data<T>(), at_of(out), indices.data<T>(), at_of(indices));
    } else {
      pool_kernel<T, false><<<blocks, kThreads, 0, t.stream>>>(
          g, in.data<T>(), at_of(in), out.data<T>(), at_of(out), static_cast<T*>(nullptr), At4{});
    }
    MT_CUDA_CHECK_LAUNCH();
  });
}

void pool2d_backward(const Target& t, PoolOp op, const TensorData& d, const TensorData& indices,
                     const Window2d& k, const TensorData& dx) {
  const Geometry g = geometry_of(dx.shape(), k);
  if (dx.numel() == 0) return;
  dispatch_dtype(dx.dtype(), [&]<class T>() {
    const unsigned blocks = blocks_for(dx.numel());
    if (op == PoolOp::Max) {
      pool_backward_kernel<T, true><<<blocks, kThreads, 0, t.stream>>>(
          g, d.data<T>(), at_of(d), indices.data<T>(), at_of(indices), dx.data<T>(), at_of(dx));
    } else {
      pool_backward_kernel<T, false><<<blocks, kThreads, 0, t.stream>>>(
          g, d.data<T>(), at_of(d), static_cast<const T*>(nullptr), At4{}, dx.data<T>(), at_of(dx));
    }
    MT_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace minitorch::cuda
