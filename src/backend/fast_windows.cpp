// The fast backend's window kernels: unfold, fold and pooling, one [H, W] plane at a time.
//
// Every kernel loops over the window's kernel offsets (i, j) outside and over a row of window
// positions inside, so the innermost loop reads or writes a run of one row (contiguous when the
// stride is 1) that the compiler vectorises; the ranges of positions whose element lies inside
// the input are computed once per row, so the inner loops carry no bounds checks.
#include "fast_windows.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include "minitorch/backend/backend.h"
#include "minitorch/backend/detail/isa_dispatch.h"
#include "minitorch/backend/gemm.h"
#include "minitorch/parallel/parallel.h"

namespace minitorch::detail {
namespace {

// Elements per parallel chunk, as the other fast kernels use.
constexpr std::int64_t kGrain = 1 << 15;

// The window positions o in [0, count) whose coordinate o·stride + offset lies in [0, size).
struct Range {
  std::int64_t first, last;
  std::int64_t size() const { return last - first; }
};

MT_ALWAYS_INLINE Range valid_range(std::int64_t count, std::int64_t size, std::int64_t stride,
                                   std::int64_t offset) {
  const std::int64_t first = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const std::int64_t last = size - offset <= 0 ? 0 : (size - offset + stride - 1) / stride;
  const std::int64_t clamped_first = std::min(first, count);
  return {clamped_first, std::clamp(last, clamped_first, count)};
}

// Which window positions see each kernel offset, and which kernel offsets each position sees: the
// same for every plane, so computed once per call (the divisions stay out of the kernels).
struct RangeTables {
  std::vector<Range> oh_of_i, ow_of_j;     // output rows / columns where kernel row i / column j
                                           // lies inside the input
  std::vector<Range> i_of_oh, j_of_ow;     // kernel rows / columns inside the input at oh / ow
  std::vector<std::int64_t> offset_delta;  // kernel offset i·kw + j -> i·dh·W + j·dw
};

// One plane's geometry: input [height, width] (row stride hs, column stride ws), output
// [out_h, out_w], and the range tables.
struct Plane {
  std::int64_t height, width, hs, ws, out_h, out_w;
  Window2d k;
  const RangeTables* ranges;

  std::int64_t positions() const { return out_h * out_w; }
  std::int64_t input_row(std::int64_t oh, std::int64_t i) const {
    return oh * k.sh + i * k.dh - k.ph;
  }
  std::int64_t input_col(std::int64_t ow, std::int64_t j) const {
    return ow * k.sw + j * k.dw - k.pw;
  }
  Range rows_inside(std::int64_t i) const { return ranges->oh_of_i[i]; }
  Range cols_inside(std::int64_t j) const { return ranges->ow_of_j[j]; }
};

RangeTables range_tables(std::int64_t height, std::int64_t width, const Window2d& k) {
  const std::int64_t out_h = k.out_h(height), out_w = k.out_w(width);
  RangeTables t;
  for (std::int64_t i = 0; i < k.kh; ++i) {
    t.oh_of_i.push_back(valid_range(out_h, height, k.sh, i * k.dh - k.ph));
  }
  for (std::int64_t j = 0; j < k.kw; ++j) {
    t.ow_of_j.push_back(valid_range(out_w, width, k.sw, j * k.dw - k.pw));
  }
  for (std::int64_t oh = 0; oh < out_h; ++oh) {
    t.i_of_oh.push_back(valid_range(k.kh, height, k.dh, oh * k.sh - k.ph));
  }
  for (std::int64_t ow = 0; ow < out_w; ++ow) {
    t.j_of_ow.push_back(valid_range(k.kw, width, k.dw, ow * k.sw - k.pw));
  }
  for (std::int64_t i = 0; i < k.kh; ++i) {
    for (std::int64_t j = 0; j < k.kw; ++j) t.offset_delta.push_back(i * k.dh * width + j * k.dw);
  }
  return t;
}

// The plane geometry of a [B, C, H, W] image tensor (its strides) under window k.
Plane plane_of(const TensorData& image, const Window2d& k, const RangeTables& ranges) {
  const Shape& s = image.shape();
  return {s[2], s[3],   image.strides()[2], image.strides()[3], k.out_h(s[2]), k.out_w(s[3]),
          k,    &ranges};
}

// Runs of a window row are short (out_w elements: 28, 10, 5 in LeNet), where a vectorised loop
// spends its time in the scalar epilogue: these move whole 32-byte chunks instead, the copy's last
// chunk overlapping its previous one.
constexpr std::size_t kChunkBytes = 32;

// Requires n >= Bytes / sizeof(T).
template <std::size_t Bytes, class T>
MT_ALWAYS_INLINE void copy_chunks(T* __restrict dst, const T* __restrict src, std::int64_t n) {
  constexpr std::int64_t chunk = Bytes / sizeof(T);
  typedef T Vector __attribute__((vector_size(Bytes)));
  Vector v;
  std::int64_t t = 0;
  for (; t + chunk <= n; t += chunk) {
    std::memcpy(&v, src + t, Bytes);
    std::memcpy(dst + t, &v, Bytes);
  }
  if (t < n) {
    std::memcpy(&v, src + n - chunk, Bytes);
    std::memcpy(dst + n - chunk, &v, Bytes);
  }
}

template <class T>
MT_ALWAYS_INLINE void copy_run(T* __restrict dst, const T* __restrict src, std::int64_t n) {
  if (n >= std::int64_t{64 / sizeof(T)}) return copy_chunks<64>(dst, src, n);
  if (n >= std::int64_t{kChunkBytes / sizeof(T)}) return copy_chunks<kChunkBytes>(dst, src, n);
  for (std::int64_t t = 0; t < n; ++t) dst[t] = src[t];
}

template <class T>
MT_ALWAYS_INLINE void zero_run(T* dst, std::int64_t n) {
  for (std::int64_t t = 0; t < n; ++t) dst[t] = T(0);
}

// dst[t] += src[t]: whole chunks through a vector type, the rest one by one.
template <class T>
MT_ALWAYS_INLINE void add_run(T* __restrict dst, const T* __restrict src, std::int64_t n) {
  constexpr std::int64_t chunk = kChunkBytes / sizeof(T);
  typedef T Vector __attribute__((vector_size(kChunkBytes)));
  std::int64_t t = 0;
  for (; t + chunk <= n; t += chunk) {
    Vector a, b;
    std::memcpy(&a, dst + t, kChunkBytes);
    std::memcpy(&b, src + t, kChunkBytes);
    a += b;
    std::memcpy(dst + t, &a, kChunkBytes);
  }
  for (; t < n; ++t) dst[t] += src[t];
}

// rows [kh·kw, out_h·out_w] (contiguous) = the windows of one input plane, 0 in the padding.
template <class T>
struct UnfoldPlane {
  static MT_ALWAYS_INLINE void run(const T* in, Plane p, T* rows) {
    const std::int64_t step = p.k.sw * p.ws;
    for (std::int64_t i = 0; i < p.k.kh; ++i) {
      const Range oh_in = p.rows_inside(i);
      for (std::int64_t j = 0; j < p.k.kw; ++j) {
        T* row = rows + (i * p.k.kw + j) * p.positions();
        const Range ow_in = p.cols_inside(j);
        zero_run(row, oh_in.first * p.out_w);
        zero_run(row + oh_in.last * p.out_w, p.positions() - oh_in.last * p.out_w);
        if (oh_in.size() <= 0) continue;
        if (step == 1 && ow_in.first == 0 && ow_in.last == p.out_w) {
          // No padding along the row (the common case): one straight copy per output row.
          const T* src = in + p.input_row(oh_in.first, i) * p.hs + p.input_col(0, j);
          for (std::int64_t oh = oh_in.first; oh < oh_in.last; ++oh, src += p.k.sh * p.hs) {
            copy_run(row + oh * p.out_w, src, p.out_w);
          }
          continue;
        }
        for (std::int64_t oh = oh_in.first; oh < oh_in.last; ++oh) {
          T* __restrict dst = row + oh * p.out_w;
          zero_run(dst, ow_in.first);
          zero_run(dst + ow_in.last, p.out_w - ow_in.last);
          if (ow_in.size() <= 0) continue;
          const T* __restrict src =
              in + p.input_row(oh, i) * p.hs + p.input_col(ow_in.first, j) * p.ws;
          dst += ow_in.first;
          if (step == 1) {
            copy_run(dst, src, ow_in.size());
          } else {
            for (std::int64_t t = 0; t < ow_in.size(); ++t) dst[t] = src[t * step];
          }
        }
      }
    }
  }
};

// plane [H, W] (contiguous) = the sum of the window rows [kh·kw, out_h·out_w] (contiguous) back
// where unfold read them from.
template <class T>
struct FoldPlane {
  static MT_ALWAYS_INLINE void run(const T* rows, Plane p, T* out) {
    std::fill(out, out + p.height * p.width, T(0));
    for (std::int64_t i = 0; i < p.k.kh; ++i) {
      const Range oh_in = p.rows_inside(i);
      for (std::int64_t j = 0; j < p.k.kw; ++j) {
        const Range ow_in = p.cols_inside(j);
        if (ow_in.size() <= 0) continue;
        const T* row = rows + (i * p.k.kw + j) * p.positions();
        for (std::int64_t oh = oh_in.first; oh < oh_in.last; ++oh) {
          T* __restrict dst = out + p.input_row(oh, i) * p.width + p.input_col(ow_in.first, j);
          const T* __restrict src = row + oh * p.out_w + ow_in.first;
          if (p.k.sw == 1) {
            add_run(dst, src, ow_in.size());
          } else {
            for (std::int64_t t = 0; t < ow_in.size(); ++t) dst[t * p.k.sw] += src[t];
          }
        }
      }
    }
  }
};

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

  static MT_ALWAYS_INLINE void run(const T* in, Plane p, T* out, T* where) {
    Mask even, odd, lane;  // constants: the shuffles' selectors and each lane's number
    for (int l = 0; l < Lanes; ++l) {
      even[l] = static_cast<Int>(2 * l);
      odd[l] = static_cast<Int>(2 * l + 1);
      lane[l] = static_cast<Int>(l);
    }
    for (std::int64_t oh = 0; oh < p.out_h; ++oh) {
      const T* r0 = in + 2 * oh * p.hs;
      const T* r1 = r0 + p.hs;
      for (std::int64_t o = 0; o < p.out_w; o += Lanes) {
        const std::int64_t o0 = std::min<std::int64_t>(o, p.out_w - Lanes);
        Vector v[4];  // the window's elements in scan order: (0, 0), (0, 1), (1, 0), (1, 1)
        split(r0 + 2 * o0, even, odd, v[0], v[1]);
        split(r1 + 2 * o0, even, odd, v[2], v[3]);
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
  static MT_ALWAYS_INLINE void split(const T* x, const Mask& even, const Mask& odd, Vector& evens,
                                     Vector& odds) {
    Vector lo, hi;
    std::memcpy(&lo, x, sizeof(Vector));
    std::memcpy(&hi, x + Lanes, sizeof(Vector));
    evens = __builtin_shuffle(lo, hi, even);
    odds = __builtin_shuffle(lo, hi, odd);
  }
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

  static MT_ALWAYS_INLINE void run(const T* d, const T* where, Plane p, T* dx) {
    Mask lane, low, high;  // constants: lane numbers and the interleaving selectors
    for (int l = 0; l < Lanes; ++l) {
      lane[l] = static_cast<Int>(l);
      low[l] = static_cast<Int>(l / 2 + (l % 2) * Lanes);
      high[l] = static_cast<Int>(Lanes / 2 + l / 2 + (l % 2) * Lanes);
    }
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
        store_pair(r0 + 2 * o0, e[0], e[1], low, high);
        store_pair(r1 + 2 * o0, e[2], e[3], low, high);
      }
      for (T* row : {r0, r1}) zero_run(row + 2 * p.out_w, p.width - 2 * p.out_w);
    }
    zero_run(dx + 2 * p.out_h * p.width, (p.height - 2 * p.out_h) * p.width);
  }

  // x[0..2·Lanes) = evens interleaved with odds.
  static MT_ALWAYS_INLINE void store_pair(T* x, const Vector& evens, const Vector& odds,
                                          const Mask& low, const Mask& high) {
    const Vector first = __builtin_shuffle(evens, odds, low);
    const Vector second = __builtin_shuffle(evens, odds, high);
    std::memcpy(x, &first, sizeof(Vector));
    std::memcpy(x + Lanes, &second, sizeof(Vector));
  }
};

// Calls body(b, c) for every plane of a [B, C, ...] tensor, planes split over the pool; `work` is
// the elements one plane touches.
template <class Body>
void for_each_plane(std::int64_t batch, std::int64_t channels, std::int64_t work, Body&& body) {
  const std::int64_t grain = std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(work, 1));
  parallel_for(0, batch * channels, grain, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t n = first; n < last; ++n) body(n / channels, n % channels);
  });
}

// 2×2 windows with stride 2, no padding or dilation: Pool2x2Plane's windows.
bool two_by_two(const Window2d& k) {
  return k.kh == 2 && k.kw == 2 && k.sh == 2 && k.sw == 2 && k.ph == 0 && k.pw == 0 && k.dh == 1 &&
         k.dw == 1;
}

template <class T>
const T* plane_start(const TensorData& t, std::int64_t b, std::int64_t c) {
  return t.data<T>() + t.offset() + b * t.strides()[0] + c * t.strides()[1];
}

// A per-thread buffer of at least `count` elements that only grows: one image's columns.
template <class T>
T* columns_scratch(std::int64_t count) {
  thread_local std::vector<T> buffer;
  if (static_cast<std::int64_t>(buffer.size()) < count) buffer.resize(count);
  return buffer.data();
}

// The sizes of a convolution: input [batch, channels, ...], output [batch, out_channels, ...],
// `depth` = channels·kh·kw rows of columns, `positions` = out_h·out_w.
struct ConvSizes {
  std::int64_t batch, channels, out_channels, depth, positions;
};

ConvSizes conv_sizes(const TensorData& image, const TensorData& result, const Plane& p) {
  const std::int64_t channels = image.shape()[1];
  return {image.shape()[0], channels, result.shape()[1], channels * p.k.kh * p.k.kw, p.positions()};
}

// [H, W] plane with strides (hs, ws) -> out [H + 2·ph, W + 2·pw] (contiguous) with a zero border.
template <class T>
struct PadPlane {
  static MT_ALWAYS_INLINE void run(const T* in, std::int64_t height, std::int64_t width,
                                   std::int64_t hs, std::int64_t ws, std::int64_t ph,
                                   std::int64_t pw, T* out) {
    const std::int64_t pitch = width + 2 * pw;
    zero_run(out, ph * pitch);
    for (std::int64_t h = 0; h < height; ++h) {
      T* row = out + (ph + h) * pitch;
      zero_run(row, pw);
      if (ws == 1) {
        copy_run(row + pw, in + h * hs, width);
      } else {
        for (std::int64_t w = 0; w < width; ++w) row[pw + w] = in[h * hs + w * ws];
      }
      zero_run(row + pw + width, pw);
    }
    zero_run(out + (ph + height) * pitch, ph * pitch);
  }
};

// Unfolds the planes of a [B, C, H, W] input. A window that pads, or a plane whose rows are
// strided, first gets a contiguous copy of the plane with a zero border (per thread): the unfold
// itself then has no padding and no strides, so every run is one straight copy.
template <class T>
class Unfolder {
 public:
  Unfolder(const TensorData& in, const Window2d& k)
      : in_(in),
        direct_ranges_(range_tables(in.shape()[2], in.shape()[3], k)),
        direct_(plane_of(in, k, direct_ranges_)),
        padded_(k.ph > 0 || k.pw > 0 || in.strides()[3] != 1) {
    const std::int64_t height = in.shape()[2] + 2 * k.ph, width = in.shape()[3] + 2 * k.pw;
    Window2d inner = k;
    inner.ph = inner.pw = 0;
    padded_ranges_ = range_tables(height, width, inner);
    padded_plane_ = {height, width, width, 1, direct_.out_h, direct_.out_w, inner, &padded_ranges_};
  }

  const Plane& plane() const { return direct_; }
  std::int64_t rows() const { return direct_.k.kh * direct_.k.kw * direct_.positions(); }

  // rows [kh·kw, out_h·out_w] (contiguous) = the windows of plane (b, c).
  void plane(std::int64_t b, std::int64_t c, T* rows) const {
    if (!padded_) return run_on_cpu<UnfoldPlane<T>>(plane_start<T>(in_, b, c), direct_, rows);
    thread_local std::vector<T> buffer;
    buffer.resize(static_cast<std::size_t>(padded_plane_.height * padded_plane_.width));
    run_on_cpu<PadPlane<T>>(plane_start<T>(in_, b, c), direct_.height, direct_.width, direct_.hs,
                            direct_.ws, direct_.k.ph, direct_.k.pw, buffer.data());
    run_on_cpu<UnfoldPlane<T>>(static_cast<const T*>(buffer.data()), padded_plane_, rows);
  }

  // cols [C·kh·kw, L] (contiguous) = unfold of image b.
  void image(std::int64_t b, T* cols) const {
    for (std::int64_t c = 0; c < in_.shape()[1]; ++c) plane(b, c, cols + c * rows());
  }

 private:
  const TensorData& in_;
  RangeTables direct_ranges_;
  Plane direct_;
  bool padded_;
  RangeTables padded_ranges_;
  Plane padded_plane_{};
};

// [O, depth] weight and [O] bias -> [O, depth + 1]: each row followed by its bias.
template <class T>
std::vector<T> weight_with_bias(const T* weight, const T* bias, std::int64_t rows,
                                std::int64_t depth) {
  std::vector<T> out(static_cast<std::size_t>(rows * (depth + 1)));
  for (std::int64_t o = 0; o < rows; ++o) {
    std::copy(weight + o * depth, weight + (o + 1) * depth, out.begin() + o * (depth + 1));
    out[static_cast<std::size_t>(o * (depth + 1) + depth)] = bias[o];
  }
  return out;
}

}  // namespace

void fast_unfold(const TensorData& in, const Window2d& k, const TensorData& out) {
  if (!out.is_contiguous()) return reference_backend().unfold(in, k, out);
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
  if (!in.is_contiguous() || !out.is_contiguous()) return reference_backend().fold(in, k, out);
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
    return reference_backend().pool2d(op, in, k, out, indices);
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
    return reference_backend().pool2d_backward(op, d, indices, k, dx);
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

// Convolutions, one image at a time: the image's columns [C·kh·kw, L] are unfolded into a
// per-thread buffer that stays in cache for the GEMM which consumes them, instead of a
// [B, C·kh·kw, L] tensor that would travel through memory.

void fast_conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
                 const Window2d& k, const TensorData& out) {
  if (!out.is_contiguous() || !weight.is_contiguous() ||
      (bias.defined() && !bias.is_contiguous())) {
    return reference_backend().conv2d(in, weight, bias, k, out);
  }
  const RangeTables ranges = range_tables(in.shape()[2], in.shape()[3], k);
  const Plane p = plane_of(in, k, ranges);
  const ConvSizes n = conv_sizes(in, out, p);
  dispatch_dtype(out.dtype(), [&]<class T>() {
    const Unfolder<T> unfolder(in, k);
    // The bias rides in the product: the weight gets a column holding it and the columns a row of
    // ones, so the GEMM writes each output once, bias included.
    const std::int64_t depth = n.depth + (bias.defined() ? 1 : 0);
    std::vector<T> with_bias;
    const T* w = weight.data<T>() + weight.offset();
    if (bias.defined()) {
      with_bias = weight_with_bias(w, bias.data<T>() + bias.offset(), n.out_channels, n.depth);
      w = with_bias.data();
    }
    T* y = out.data<T>() + out.offset();
    parallel_for(0, n.batch, 1, [&](std::int64_t first, std::int64_t last) {
      T* cols = columns_scratch<T>(depth * n.positions);
      if (bias.defined()) std::fill(cols + n.depth * n.positions, cols + depth * n.positions, T(1));
      for (std::int64_t b = first; b < last; ++b) {
        unfolder.image(b, cols);
        // [O, C·kh·kw (+1)] · [C·kh·kw (+1), L]: the image's output in NCHW.
        gemm<T>(n.out_channels, n.positions, depth, {w, depth, 1}, {cols, n.positions, 1},
                {y + b * n.out_channels * n.positions, n.positions, 1});
      }
    });
  });
}

void fast_conv2d_backward_input(const TensorData& d, const TensorData& weight, const Window2d& k,
                                const TensorData& dx) {
  if (!dx.is_contiguous() || !weight.is_contiguous() || !d.is_contiguous()) {
    return reference_backend().conv2d_backward_input(d, weight, k, dx);
  }
  const RangeTables ranges = range_tables(dx.shape()[2], dx.shape()[3], k);
  const Plane p = plane_of(dx, k, ranges);
  const ConvSizes n = conv_sizes(dx, d, p);
  dispatch_dtype(dx.dtype(), [&]<class T>() {
    const T* w = weight.data<T>() + weight.offset();
    const T* g = d.data<T>() + d.offset();
    T* y = dx.data<T>() + dx.offset();
    const std::int64_t rows = k.kh * k.kw * n.positions;
    const std::int64_t area = p.height * p.width;
    parallel_for(0, n.batch, 1, [&](std::int64_t first, std::int64_t last) {
      T* cols = columns_scratch<T>(n.depth * n.positions);
      for (std::int64_t b = first; b < last; ++b) {
        // [C·kh·kw, O] · [O, L]: the gradient of the image's columns, folded back onto it.
        gemm<T>(n.depth, n.positions, n.out_channels, {w, 1, n.depth},
                {g + b * n.out_channels * n.positions, n.positions, 1}, {cols, n.positions, 1});
        for (std::int64_t c = 0; c < n.channels; ++c) {
          run_on_cpu<FoldPlane<T>>(cols + c * rows, p, y + (b * n.channels + c) * area);
        }
      }
    });
  });
}

void fast_conv2d_backward_weight(const TensorData& in, const TensorData& d, const Window2d& k,
                                 const TensorData& dweight, const TensorData& dbias) {
  if (!dweight.is_contiguous() || !d.is_contiguous() ||
      (dbias.defined() && !dbias.is_contiguous())) {
    return reference_backend().conv2d_backward_weight(in, d, k, dweight, dbias);
  }
  const RangeTables ranges = range_tables(in.shape()[2], in.shape()[3], k);
  const Plane p = plane_of(in, k, ranges);
  const ConvSizes n = conv_sizes(in, d, p);
  dispatch_dtype(dweight.dtype(), [&]<class T>() {
    const Unfolder<T> unfolder(in, k);
    const T* g = d.data<T>() + d.offset();
    // With a bias, the columns get a row of ones: the product's extra column is then the bias's
    // gradient, the sum of d over every position.
    const std::int64_t depth = n.depth + (dbias.defined() ? 1 : 0);
    // Each piece of the batch sums its images into its own partial gradient [O, depth]; the
    // partials are added in piece order, so the result depends only on the thread count. A few
    // pieces per thread, so that a thread slowed by another process does not hold up the rest.
    const std::int64_t pieces = std::max<std::int64_t>(
        1, std::min<std::int64_t>(get_num_threads() == 1 ? 1 : 4 * get_num_threads(), n.batch));
    const std::int64_t size = n.out_channels * depth;
    std::vector<T> partial(static_cast<std::size_t>(pieces * size));
    parallel_for(0, pieces, 1, [&](std::int64_t first_piece, std::int64_t last_piece) {
      T* cols = columns_scratch<T>(depth * n.positions);
      std::fill(cols + n.depth * n.positions, cols + depth * n.positions, T(1));
      for (std::int64_t piece = first_piece; piece < last_piece; ++piece) {
        T* dw = partial.data() + piece * size;
        const std::int64_t first = n.batch * piece / pieces, last = n.batch * (piece + 1) / pieces;
        for (std::int64_t b = first; b < last; ++b) {
          unfolder.image(b, cols);
          // [O, L] · [L, C·kh·kw (+1)] (the columns transposed).
          gemm<T>(n.out_channels, depth, n.positions,
                  {g + b * n.out_channels * n.positions, n.positions, 1}, {cols, 1, n.positions},
                  {dw, depth, 1}, b != first);
        }
      }
    });
    T* dw = dweight.data<T>() + dweight.offset();
    T* db = dbias.defined() ? dbias.data<T>() + dbias.offset() : nullptr;
    for (std::int64_t piece = 0; piece < pieces; ++piece) {
      const T* part = partial.data() + piece * size;
      for (std::int64_t o = 0; o < n.out_channels; ++o) {
        for (std::int64_t e = 0; e < n.depth; ++e) {
          const T v = part[o * depth + e];
          dw[o * n.depth + e] = piece == 0 ? v : dw[o * n.depth + e] + v;
        }
        if (db != nullptr)
          db[o] = piece == 0 ? part[o * depth + n.depth] : db[o] + part[o * depth + n.depth];
      }
    }
  });
}

}  // namespace minitorch::detail
