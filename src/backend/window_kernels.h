// Building blocks of the fast backend's window kernels (internal; fast_windows.cpp and
// fast_conv.cpp): which window positions see each kernel offset, one [H, W] plane's geometry, and
// loops over one plane — unfold, fold, padding — compiled per instruction set through run_on_cpu.
//
// Every loop runs over the window's kernel offsets (i, j) outside and over a row of window
// positions inside, so the innermost loop reads or writes a run of one row (contiguous when the
// stride is 1) that the compiler vectorises; the ranges of positions whose element lies inside
// the input are computed once per call, so the inner loops carry no bounds checks. Files that
// include this compile with -fno-tree-loop-distribute-patterns (CMakeLists.txt): g++ would turn
// the short copy loops into memcpy calls, which cost more than the copies.
#pragma once

#include <algorithm>
#include <cstring>
#include <vector>

#include "minitorch/backend/backend.h"
#include "minitorch/backend/detail/isa_dispatch.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/storage/tensor_data.h"
#include "minitorch/storage/window.h"

namespace minitorch::detail::windows {

// Elements per parallel chunk, as the other fast kernels use.
inline constexpr std::int64_t kGrain = 1 << 15;

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

inline RangeTables range_tables(std::int64_t height, std::int64_t width, const Window2d& k) {
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
inline Plane plane_of(const TensorData& image, const Window2d& k, const RangeTables& ranges) {
  const Shape& s = image.shape();
  return {s[2], s[3],   image.strides()[2], image.strides()[3], k.out_h(s[2]), k.out_w(s[3]),
          k,    &ranges};
}

// Runs of a window row are short (out_w elements: 28, 10, 5 in LeNet), where a vectorised loop
// spends its time in the scalar epilogue: these move whole 32-byte chunks instead, the copy's last
// chunk overlapping its previous one.
inline constexpr std::size_t kChunkBytes = 32;

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

// Calls body(b, c) for every plane of a [B, C, ...] tensor, planes split over the pool; `work` is
// the elements one plane touches.
template <class Body>
void for_each_plane(std::int64_t batch, std::int64_t channels, std::int64_t work, Body&& body) {
  const std::int64_t grain = std::max<std::int64_t>(1, kGrain / std::max<std::int64_t>(work, 1));
  parallel_for(0, batch * channels, grain, [&](std::int64_t first, std::int64_t last) {
    for (std::int64_t n = first; n < last; ++n) body(n / channels, n % channels);
  });
}

template <class T>
const T* plane_start(const TensorData& t, std::int64_t b, std::int64_t c) {
  return t.data<T>() + t.offset() + b * t.strides()[0] + c * t.strides()[1];
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

}  // namespace minitorch::detail::windows
