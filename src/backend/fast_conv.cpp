// The fast backend's convolutions (see fast_windows.h): the columns of a few images at a time are
// unfolded into a per-thread buffer that stays in cache for the GEMM which consumes them, instead
// of a [B, C·kh·kw, L] tensor that would travel through memory.
#include <vector>

#include "fast_windows.h"
#include "minitorch/backend/gemm.h"
#include "window_kernels.h"

namespace minitorch::detail {
namespace {

using namespace windows;

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
