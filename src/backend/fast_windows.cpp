// The fast backend's unfold, fold and pooling kernels (see fast_windows.h), one [H, W] plane at a
// time (window_kernels.h).
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

#include "fast_windows.h"
#include "window_kernels.h"

namespace minitorch::detail {
namespace {

using namespace windows;

// out[l] = element Select(l) of the 2·Lanes values of a then b, for each of out's Lanes lanes. The
// selectors are compile-time constants, which __builtin_shufflevector (g++ 12 and clang alike)
// requires; out is written through a reference because a 32-byte vector returned by value outside
// an AVX function changes the ABI (-Wpsabi).
template <int (*Select)(int), class Vector, std::size_t... Lane>
MT_ALWAYS_INLINE void shuffle(const Vector& a, const Vector& b, std::index_sequence<Lane...>,
                              Vector& out) {
  out = __builtin_shufflevector(a, b, Select(static_cast<int>(Lane))...);
}

// out, where [out_h, out_w] (contiguous) = each window's maximum and its position, or its mean.
// Each output row is one accumulator row: the window offsets (i, j) are folded in the reference's
// order (i, then j), so ties and sums come out exactly as there.
template <class T, PoolOp Op>
struct PoolPlane {
  static MT_ALWAYS_INLINE void run(const T* in, Plane p, T* out, T* where) {
    for (std::int64_t oh = 0; oh < p.out_h; ++oh) {
      T* __restrict acc = out + oh * p.out_w;
      T* __restrict at = Op == PoolOp::Max ? where + oh * p.out_w : nullptr;
      const Range i_in = p.ranges->i_of_oh[oh];
      start_row(p, i_in, acc, at);
      for (std::int64_t i = i_in.first; i < i_in.last; ++i) {
        const std::int64_t ih = p.input_row(oh, i);
        for (std::int64_t j = 0; j < p.k.kw; ++j) {
          const Range ow_in = p.cols_inside(j);
          if (ow_in.size() <= 0) continue;
          const T* __restrict src = in + ih * p.hs + p.input_col(ow_in.first, j) * p.ws;
          const std::int64_t step = p.k.sw * p.ws;
          T* __restrict a = acc + ow_in.first;
          if constexpr (Op == PoolOp::Avg) {
            for (std::int64_t t = 0; t < ow_in.size(); ++t) a[t] += src[t * step];
          } else {
            // The winner is first recorded as its kernel offset i·kw + j, the same for the whole
            // run, so the loop is compares and selects only and vectorises (masks, no branches);
            // finish_row turns offsets into positions.
            T* __restrict w = at + ow_in.first;
            const T offset = static_cast<T>(i * p.k.kw + j);
            for (std::int64_t t = 0; t < ow_in.size(); ++t) {
              const T v = src[t * step];
              const T old = a[t];
              const bool take = (v > old) | (v != v);  // NaN wins, as in PyTorch
              a[t] = take ? v : old;
              w[t] = take ? offset : w[t];
            }
          }
        }
      }
      if constexpr (Op == PoolOp::Avg) {
        const T count = static_cast<T>(p.k.kh * p.k.kw);
        for (std::int64_t ow = 0; ow < p.out_w; ++ow) acc[ow] /= count;
      } else {
        finish_row(p, oh, at);
      }
    }
  }

  // Sums start at 0; maxima at -inf on the window's first element inside the input (none: -1),
  // as the reference scans.
  static MT_ALWAYS_INLINE void start_row(const Plane& p, Range i_in, T* acc, T* at) {
    if constexpr (Op == PoolOp::Avg) {
      std::fill(acc, acc + p.out_w, T(0));
    } else {
      std::fill(acc, acc + p.out_w, -std::numeric_limits<T>::infinity());
      for (std::int64_t ow = 0; ow < p.out_w; ++ow) {
        const Range j_in = p.ranges->j_of_ow[ow];
        const bool any = i_in.size() > 0 && j_in.size() > 0;
        at[ow] = any ? static_cast<T>(i_in.first * p.k.kw + j_in.first) : T(-1);
      }
    }
  }

  // Kernel offsets -> positions h·W + w in the plane.
  static MT_ALWAYS_INLINE void finish_row(const Plane& p, std::int64_t oh, T* at) {
    const std::int64_t row = p.input_row(oh, 0) * p.width;
    for (std::int64_t ow = 0; ow < p.out_w; ++ow) {
      const auto offset = static_cast<std::int64_t>(at[ow]);
      if (offset < 0) continue;
      at[ow] = static_cast<T>(row + p.input_col(ow, 0) + p.ranges->offset_delta[offset]);
    }
  }
};

// 2×2 windows with stride 2 (no padding or dilation) over rows with unit column stride: the
// pooling of nearly every CNN, whose output rows (14, 5 in LeNet) are too short for a vectorised
// loop's scalar tail. Outputs come Lanes at a time: each row's even and odd columns are two loads
// and a shuffle, the window's maximum (ties and NaN as in PoolPlane) or sum is selects or adds on
// whole vectors, and a row's last chunk overlaps the one before it (recomputing a few outputs)
// instead of a tail. Requires out_w >= Lanes.
template <class T, PoolOp Op, int Lanes>
struct Pool2x2Plane {
  using Int = std::conditional_t<sizeof(T) == 4, std::int32_t, std::int64_t>;
  typedef T Vector __attribute__((vector_size(Lanes * sizeof(T))));
  typedef Int Mask __attribute__((vector_size(Lanes * sizeof(T))));
  static constexpr std::make_index_sequence<Lanes> lanes{};

  static MT_ALWAYS_INLINE void run(const T* in, Plane p, T* out, T* where) {
    Mask lane;  // a constant: each lane's number
    for (int l = 0; l < Lanes; ++l) lane[l] = static_cast<Int>(l);
    for (std::int64_t oh = 0; oh < p.out_h; ++oh) {
      const T* r0 = in + 2 * oh * p.hs;
      const T* r1 = r0 + p.hs;
      for (std::int64_t o = 0; o < p.out_w; o += Lanes) {
        const std::int64_t o0 = std::min<std::int64_t>(o, p.out_w - Lanes);
        Vector v[4];  // the window's elements in scan order: (0, 0), (0, 1), (1, 0), (1, 1)
        split(r0 + 2 * o0, v[0], v[1]);
        split(r1 + 2 * o0, v[2], v[3]);
        T* dst = out + oh * p.out_w + o0;
        if constexpr (Op == PoolOp::Avg) {
          Vector sum = ((v[0] + v[1]) + v[2]) + v[3];  // the reference's order
          sum /= T(4);
          std::memcpy(dst, &sum, sizeof(Vector));
        } else {
          Vector best = v[0];
          Mask offset = Mask{} + Int(0);
          const Int offsets[4] = {0, 1, static_cast<Int>(p.width), static_cast<Int>(p.width + 1)};
          for (int e = 1; e < 4; ++e) {
            const Mask take = (v[e] > best) | (v[e] != v[e]);  // NaN wins, as in PyTorch
            best = take ? v[e] : best;
            offset = take ? Mask{} + offsets[e] : offset;
          }
          const Mask position = static_cast<Int>(2 * oh * p.width + 2 * o0) + 2 * lane + offset;
          const Vector as_values = __builtin_convertvector(position, Vector);
          std::memcpy(dst, &best, sizeof(Vector));
          std::memcpy(where + oh * p.out_w + o0, &as_values, sizeof(Vector));
        }
      }
    }
  }

  // The even and odd elements of the 2·Lanes values at x.
  static MT_ALWAYS_INLINE void split(const T* x, Vector& evens, Vector& odds) {
    Vector lo, hi;
    std::memcpy(&lo, x, sizeof(Vector));
    std::memcpy(&hi, x + Lanes, sizeof(Vector));
    shuffle<even>(lo, hi, lanes, evens);
    shuffle<odd>(lo, hi, lanes, odds);
  }
  static constexpr int even(int l) { return 2 * l; }
  static constexpr int odd(int l) { return 2 * l + 1; }
};

// dx [H, W] (contiguous) = the gradient of one pooled plane d [out_h, out_w] (contiguous).
template <class T, PoolOp Op>
struct PoolBackwardPlane {
  static MT_ALWAYS_INLINE void run(const T* d, const T* where, Plane p, T* dx) {
    std::fill(dx, dx + p.height * p.width, T(0));
    if constexpr (Op == PoolOp::Max) {
      for (std::int64_t o = 0; o < p.positions(); ++o) {
        const auto position = static_cast<std::int64_t>(where[o]);
        if (position >= 0) dx[position] += d[o];
      }
    } else {
      const T count = static_cast<T>(p.k.kh * p.k.kw);
      for (std::int64_t i = 0; i < p.k.kh; ++i) {
        const Range oh_in = p.rows_inside(i);
        for (std::int64_t j = 0; j < p.k.kw; ++j) {
          const Range ow_in = p.cols_inside(j);
          if (ow_in.size() <= 0) continue;
          for (std::int64_t oh = oh_in.first; oh < oh_in.last; ++oh) {
            T* __restrict dst = dx + p.input_row(oh, i) * p.width + p.input_col(ow_in.first, j);
            const T* __restrict src = d + oh * p.out_w + ow_in.first;
            for (std::int64_t t = 0; t < ow_in.size(); ++t) dst[t * p.k.sw] += src[t] / count;
          }
        }
      }
    }
  }
};

// The gradient of Pool2x2Plane, as vectors too: each output chunk's gradient goes to the element
// its window chose (max: the offset decoded from the recorded position; average: all four, a
// quarter each), the four candidates interleaved back into the two input rows and stored whole,
// so the plane needs no zeroing pass and no scattered adds. Windows tile the plane, so every
// element is written once; rows and columns that no window covers (odd sizes) are zeroed.
// Requires out_w >= Lanes and a contiguous plane.
template <class T, PoolOp Op, int Lanes>
struct Pool2x2BackwardPlane {
  using Int = typename Pool2x2Plane<T, Op, Lanes>::Int;
  using Vector = typename Pool2x2Plane<T, Op, Lanes>::Vector;
  using Mask = typename Pool2x2Plane<T, Op, Lanes>::Mask;
  static constexpr std::make_index_sequence<Lanes> lanes{};

  static MT_ALWAYS_INLINE void run(const T* d, const T* where, Plane p, T* dx) {
    Mask lane;  // a constant: each lane's number
    for (int l = 0; l < Lanes; ++l) lane[l] = static_cast<Int>(l);
    const Int width = static_cast<Int>(p.width);
    for (std::int64_t oh = 0; oh < p.out_h; ++oh) {
      T* r0 = dx + 2 * oh * p.width;
      T* r1 = r0 + p.width;
      for (std::int64_t o = 0; o < p.out_w; o += Lanes) {
        const std::int64_t o0 = std::min<std::int64_t>(o, p.out_w - Lanes);
        Vector g;
        std::memcpy(&g, d + oh * p.out_w + o0, sizeof(Vector));
        Vector e[4];  // the gradients of the window's elements (0, 0), (0, 1), (1, 0), (1, 1)
        if constexpr (Op == PoolOp::Avg) {
          for (auto& v : e) v = g / T(4);
        } else {
          Vector recorded;
          std::memcpy(&recorded, where + oh * p.out_w + o0, sizeof(Vector));
          const Mask offset = __builtin_convertvector(recorded, Mask) -
                              (static_cast<Int>(2 * oh * p.width + 2 * o0) + 2 * lane);
          const Vector zero = Vector{} + T(0);
          e[0] = offset == 0 ? g : zero;
          e[1] = offset == 1 ? g : zero;
          e[2] = offset == width ? g : zero;
          e[3] = offset == width + 1 ? g : zero;
        }
        store_pair(r0 + 2 * o0, e[0], e[1]);
        store_pair(r1 + 2 * o0, e[2], e[3]);
      }
      for (T* row : {r0, r1}) zero_run(row + 2 * p.out_w, p.width - 2 * p.out_w);
    }
    zero_run(dx + 2 * p.out_h * p.width, (p.height - 2 * p.out_h) * p.width);
  }

  // x[0..2·Lanes) = evens interleaved with odds.
  static MT_ALWAYS_INLINE void store_pair(T* x, const Vector& evens, const Vector& odds) {
    Vector first, second;
    shuffle<low_half>(evens, odds, lanes, first);
    shuffle<high_half>(evens, odds, lanes, second);
    std::memcpy(x, &first, sizeof(Vector));
    std::memcpy(x + Lanes, &second, sizeof(Vector));
  }
  // Lane l of the interleaving takes evens[l / 2] (l even) or odds[l / 2] (l odd), from the first
  // or the second half of each.
  static constexpr int low_half(int l) { return l / 2 + (l % 2) * Lanes; }
  static constexpr int high_half(int l) { return Lanes / 2 + low_half(l); }
};

// 2×2 windows with stride 2, no padding or dilation: Pool2x2Plane's windows.
bool two_by_two(const Window2d& k) {
  return k.kh == 2 && k.kw == 2 && k.sh == 2 && k.sw == 2 && k.ph == 0 && k.pw == 0 && k.dh == 1 &&
         k.dw == 1;
}

}  // namespace

void fast_unfold(const TensorData& in, const Window2d& k, const TensorData& out) {
  if (!out.is_contiguous()) return composed::unfold(fast_backend(), in, k, out);
  const std::int64_t channels = in.shape()[1];
  dispatch_dtype(out.dtype(), [&]<class T>() {
    const Unfolder<T> unfolder(in, k);
    T* y = out.data<T>() + out.offset();
    const std::int64_t rows = unfolder.rows();  // per plane
    for_each_plane(in.shape()[0], channels, rows, [&](std::int64_t b, std::int64_t c) {
      unfolder.plane(b, c, y + (b * channels + c) * rows);
    });
  });
}

void fast_fold(const TensorData& in, const Window2d& k, const TensorData& out) {
  if (!in.is_contiguous() || !out.is_contiguous())
    return composed::fold(fast_backend(), in, k, out);
  const RangeTables ranges = range_tables(out.shape()[2], out.shape()[3], k);
  const Plane p = plane_of(out, k, ranges);
  const std::int64_t channels = out.shape()[1];
  dispatch_dtype(out.dtype(), [&]<class T>() {
    const T* x = in.data<T>() + in.offset();
    T* y = out.data<T>() + out.offset();
    const std::int64_t rows = k.kh * k.kw * p.positions();
    const std::int64_t area = p.height * p.width;
    for_each_plane(out.shape()[0], channels, rows, [&](std::int64_t b, std::int64_t c) {
      const std::int64_t n = b * channels + c;
      run_on_cpu<FoldPlane<T>>(x + n * rows, p, y + n * area);
    });
  });
}

void fast_pool2d(PoolOp op, const TensorData& in, const Window2d& k, const TensorData& out,
                 const TensorData& indices) {
  if (!out.is_contiguous() || (op == PoolOp::Max && !indices.is_contiguous())) {
    return composed::pool2d(fast_backend(), op, in, k, out, indices);
  }
  const RangeTables ranges = range_tables(in.shape()[2], in.shape()[3], k);
  const Plane p = plane_of(in, k, ranges);
  const std::int64_t channels = in.shape()[1];
  dispatch_dtype(out.dtype(), [&]<class T>() {
    T* y = out.data<T>() + out.offset();
    T* where = op == PoolOp::Max ? indices.data<T>() + indices.offset() : nullptr;
    const std::int64_t area = p.positions();
    // The 2×2 / stride-2 fast path, in 32-byte or (short rows) 16-byte vectors.
    constexpr int wide = 32 / sizeof(T), narrow = 16 / sizeof(T);
    const int lanes = !two_by_two(k) || p.ws != 1 ? 0
                      : p.out_w >= wide           ? wide
                      : p.out_w >= narrow         ? narrow
                                                  : 0;
    for_each_plane(in.shape()[0], channels, area * k.kh * k.kw,
                   [&](std::int64_t b, std::int64_t c) {
                     const std::int64_t n = (b * channels + c) * area;
                     const T* x = plane_start<T>(in, b, c);
                     if (op == PoolOp::Max) {
                       T* at = where + n;
                       if (lanes == wide)
                         return run_on_cpu<Pool2x2Plane<T, PoolOp::Max, wide>>(x, p, y + n, at);
                       if (lanes == narrow) {
                         return run_on_cpu<Pool2x2Plane<T, PoolOp::Max, narrow>>(x, p, y + n, at);
                       }
                       run_on_cpu<PoolPlane<T, PoolOp::Max>>(x, p, y + n, at);
                     } else {
                       T* none = nullptr;
                       if (lanes == wide)
                         return run_on_cpu<Pool2x2Plane<T, PoolOp::Avg, wide>>(x, p, y + n, none);
                       if (lanes == narrow) {
                         return run_on_cpu<Pool2x2Plane<T, PoolOp::Avg, narrow>>(x, p, y + n, none);
                       }
                       run_on_cpu<PoolPlane<T, PoolOp::Avg>>(x, p, y + n, none);
                     }
                   });
  });
}

void fast_pool2d_backward(PoolOp op, const TensorData& d, const TensorData& indices,
                          const Window2d& k, const TensorData& dx) {
  if (!dx.is_contiguous() || !d.is_contiguous() ||
      (op == PoolOp::Max && !indices.is_contiguous())) {
    return composed::pool2d_backward(fast_backend(), op, d, indices, k, dx);
  }
  const RangeTables ranges = range_tables(dx.shape()[2], dx.shape()[3], k);
  const Plane p = plane_of(dx, k, ranges);
  const std::int64_t channels = dx.shape()[1];
  dispatch_dtype(dx.dtype(), [&]<class T>() {
    const T* g = d.data<T>() + d.offset();
    const T* where = op == PoolOp::Max ? indices.data<T>() + indices.offset() : nullptr;
    T* y = dx.data<T>() + dx.offset();
    const std::int64_t area = p.positions();
    const std::int64_t input_area = p.height * p.width;
    constexpr int wide = 32 / sizeof(T), narrow = 16 / sizeof(T);
    const int lanes = !two_by_two(k) ? 0 : p.out_w >= wide ? wide : p.out_w >= narrow ? narrow : 0;
    for_each_plane(dx.shape()[0], channels, input_area, [&](std::int64_t b, std::int64_t c) {
      const std::int64_t n = b * channels + c;
      const T* gn = g + n * area;
      T* yn = y + n * input_area;
      if (op == PoolOp::Max) {
        const T* at = where + n * area;
        if (lanes == wide)
          return run_on_cpu<Pool2x2BackwardPlane<T, PoolOp::Max, wide>>(gn, at, p, yn);
        if (lanes == narrow) {
          return run_on_cpu<Pool2x2BackwardPlane<T, PoolOp::Max, narrow>>(gn, at, p, yn);
        }
        run_on_cpu<PoolBackwardPlane<T, PoolOp::Max>>(gn, at, p, yn);
      } else {
        if (lanes == wide)
          return run_on_cpu<Pool2x2BackwardPlane<T, PoolOp::Avg, wide>>(gn, where, p, yn);
        if (lanes == narrow) {
          return run_on_cpu<Pool2x2BackwardPlane<T, PoolOp::Avg, narrow>>(gn, where, p, yn);
        }
        run_on_cpu<PoolBackwardPlane<T, PoolOp::Avg>>(gn, where, p, yn);
      }
    });
  });
}

}  // namespace minitorch::detail
