// The fast backend's convolutions (see fast_windows.h): the columns of a few images at a time are
// unfolded into a per-thread buffer that stays in cache for the GEMM which consumes them, instead
// of a [B, C·kh·kw, L] tensor that would travel through memory.
#include <initializer_list>
#include <vector>

#include "fast_windows.h"
#include "minitorch/backend/gemm.h"
#include "window_kernels.h"

namespace minitorch::detail {
namespace {

using namespace windows;

// Per-thread buffers that only grow, one per role.
template <class T, int Role>
T* scratch(std::int64_t count) {
  thread_local std::vector<T> buffer;
  if (static_cast<std::int64_t>(buffer.size()) < count) buffer.resize(count);
  return buffer.data();
}

enum Role { kColumns, kProduct, kPlane };

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

// ---- stride-1 convolutions on the input's grid ------------------------------------------------
//
// Numbering the window positions l = oh·P + ow on the row pitch P of the (padded) input, instead
// of oh·out_w + ow, the column row of kernel offset (c, i, j) is plane c read from i·P + j onward:
// one contiguous run of G = (out_h − 1)·P + out_w positions instead of out_h runs of out_w. The
// P − out_w grid positions past each output row ("spill") are computed and dropped, and their
// gradients are zero, so they add nothing. Several images share one product, side by side (image
// t of a chunk at grid columns [t·G, (t + 1)·G)), so GEMM packs its left operand once a chunk.
struct Grid {
  std::int64_t channels, height, width;  // the input planes
  std::int64_t rows, pitch;              // the padded planes (P = pitch)
  std::int64_t out_h, out_w, length;     // G = length
  Window2d k;

  std::int64_t plane() const { return rows * pitch; }
};

Grid grid_of(const Shape& input, const Window2d& k) {
  const std::int64_t rows = input[2] + 2 * k.ph, pitch = input[3] + 2 * k.pw;
  const std::int64_t out_h = k.out_h(input[2]), out_w = k.out_w(input[3]);
  return {input[1], input[2], input[3], rows, pitch, out_h, out_w, (out_h - 1) * pitch + out_w, k};
}

// Stride 1 and no dilation, with at most half again as many grid positions as window positions.
bool grid_applies(const Grid& g) {
  return g.k.sh == 1 && g.k.sw == 1 && g.k.dh == 1 && g.k.dw == 1 && 2 * g.pitch <= 3 * g.out_w;
}

// Images per chunk: the chunk's columns and products take about half of L2.
std::int64_t grid_chunk(const Grid& g, std::int64_t rows_per_image, std::size_t element) {
  constexpr std::int64_t kBytes = 512 << 10;
  const auto per_image = rows_per_image * g.length * static_cast<std::int64_t>(element);
  return std::max<std::int64_t>(1, kBytes / std::max<std::int64_t>(per_image, 1));
}

// The planes of image b with row pitch P, [C][rows][P]: the input itself when it has no padding
// and contiguous rows, else a zero-bordered copy in `buffer`. Sets `stride` to the plane stride.
template <class T>
const T* grid_planes(const TensorData& in, std::int64_t b, const Grid& g, std::vector<T>& buffer,
                     std::int64_t& stride) {
  const Strides& s = in.strides();
  if (g.k.ph == 0 && g.k.pw == 0 && s[3] == 1 && s[2] == g.width) {
    stride = s[1];
    return plane_start<T>(in, b, 0);
  }
  buffer.resize(static_cast<std::size_t>(g.channels * g.plane()));
  for (std::int64_t c = 0; c < g.channels; ++c) {
    run_on_cpu<PadPlane<T>>(plane_start<T>(in, b, c), g.height, g.width, s[2], s[3], g.k.ph, g.k.pw,
                            buffer.data() + c * g.plane());
  }
  stride = g.plane();
  return buffer.data();
}

// cols[(c·kh + i)·kw + j][0, G) (row pitch `columns`) = plane c from i·P + j: one run per row.
template <class T>
struct GridUnfold {
  static MT_ALWAYS_INLINE void run(const T* planes, std::int64_t stride, Grid g, T* cols,
                                   std::int64_t columns) {
    for (std::int64_t c = 0; c < g.channels; ++c) {
      for (std::int64_t i = 0; i < g.k.kh; ++i) {
        for (std::int64_t j = 0; j < g.k.kw; ++j) {
          const std::int64_t r = (c * g.k.kh + i) * g.k.kw + j;
          copy_run(cols + r * columns, planes + c * stride + i * g.pitch + j, g.length);
        }
      }
    }
  }
};

// plane [rows][P] (zeroed first) = Σ over (i, j) of row (c, i, j) of dcols added back from i·P + j.
template <class T>
struct GridFold {
  static MT_ALWAYS_INLINE void run(const T* dcols, std::int64_t c, std::int64_t columns, Grid g,
                                   T* plane) {
    zero_run(plane, g.plane());
    for (std::int64_t i = 0; i < g.k.kh; ++i) {
      for (std::int64_t j = 0; j < g.k.kw; ++j) {
        const std::int64_t r = (c * g.k.kh + i) * g.k.kw + j;
        add_run(plane + i * g.pitch + j, dcols + r * columns, g.length);
      }
    }
  }
};

// to[o, oh, :] = grid[o][oh·P, +out_w) for the O planes of one image (grid rows of pitch
// `columns`): the outputs, spill dropped.
template <class T>
struct GridCrop {
  static MT_ALWAYS_INLINE void run(const T* grid, std::int64_t columns, std::int64_t planes, Grid g,
                                   T* to) {
    for (std::int64_t o = 0; o < planes; ++o) {
      for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
        copy_run(to + (o * g.out_h + oh) * g.out_w, grid + o * columns + oh * g.pitch, g.out_w);
      }
    }
  }
};

// grid[o][0, G) = from[o] laid on the grid, zero at the spill positions: the gradients of the O
// planes of one image.
template <class T>
struct GridPlace {
  static MT_ALWAYS_INLINE void run(const T* from, std::int64_t planes, Grid g, T* grid,
                                   std::int64_t columns) {
    for (std::int64_t o = 0; o < planes; ++o) {
      for (std::int64_t oh = 0; oh < g.out_h; ++oh) {
        T* row = grid + o * columns + oh * g.pitch;
        copy_run(row, from + (o * g.out_h + oh) * g.out_w, g.out_w);
        if (oh + 1 < g.out_h) zero_run(row + g.out_w, g.pitch - g.out_w);
      }
    }
  }
};

// The images [first, last) in chunks of at most `chunk`: body(first image, images).
template <class Body>
void for_each_chunk(std::int64_t first, std::int64_t last, std::int64_t chunk, Body&& body) {
  for (std::int64_t b = first; b < last; b += chunk) body(b, std::min(chunk, last - b));
}

template <class T>
void grid_conv2d(const TensorData& in, const T* w, std::int64_t depth, const Grid& g,
                 std::int64_t out_channels, bool bias, T* y) {
  const std::int64_t chunk = grid_chunk(g, depth + out_channels, sizeof(T));
  const std::int64_t positions = g.out_h * g.out_w, batch = in.shape()[0];
  const std::int64_t chunks = (batch + chunk - 1) / chunk;
  parallel_for(0, chunks, 1, [&](std::int64_t c0, std::int64_t c1) {
    for_each_chunk(
        c0 * chunk, std::min(batch, c1 * chunk), chunk, [&](std::int64_t b0, std::int64_t images) {
          const std::int64_t columns = images * g.length;
          T* cols = scratch<T, kColumns>(depth * columns);
          T* product = scratch<T, kProduct>(out_channels * columns);
          thread_local std::vector<T> padded;
          for (std::int64_t t = 0; t < images; ++t) {
            std::int64_t stride = 0;
            const T* planes = grid_planes(in, b0 + t, g, padded, stride);
            run_on_cpu<GridUnfold<T>>(planes, stride, g, cols + t * g.length, columns);
          }
          if (bias) std::fill(cols + (depth - 1) * columns, cols + depth * columns, T(1));
          // [O, C·kh·kw (+1)] · [C·kh·kw (+1), images·G]
          gemm<T>(out_channels, columns, depth, {w, depth, 1}, {cols, columns, 1},
                  {product, columns, 1});
          for (std::int64_t t = 0; t < images; ++t) {
            run_on_cpu<GridCrop<T>>(static_cast<const T*>(product + t * g.length), columns,
                                    out_channels, g, y + (b0 + t) * out_channels * positions);
          }
        });
  });
}

// grid [O, images·G] (zero at the spill positions) = d of images [b0, b0 + images).
template <class T>
void place_gradients(const T* d, std::int64_t b0, std::int64_t images, std::int64_t out_channels,
                     const Grid& g, T* grid, std::int64_t columns) {
  const std::int64_t positions = g.out_h * g.out_w;
  for (std::int64_t t = 0; t < images; ++t) {
    run_on_cpu<GridPlace<T>>(d + (b0 + t) * out_channels * positions, out_channels, g,
                             grid + t * g.length, columns);
  }
}

template <class T>
void grid_conv2d_backward_input(const T* d, const T* w, std::int64_t out_channels, const Grid& g,
                                std::int64_t batch, T* dx) {
  const std::int64_t depth = g.channels * g.k.kh * g.k.kw;
  const std::int64_t chunk = grid_chunk(g, depth + out_channels, sizeof(T));
  const std::int64_t chunks = (batch + chunk - 1) / chunk;
  const bool padded = g.k.ph > 0 || g.k.pw > 0;
  parallel_for(0, chunks, 1, [&](std::int64_t c0, std::int64_t c1) {
    for_each_chunk(
        c0 * chunk, std::min(batch, c1 * chunk), chunk, [&](std::int64_t b0, std::int64_t images) {
          const std::int64_t columns = images * g.length;
          T* grads = scratch<T, kProduct>(out_channels * columns);
          T* dcols = scratch<T, kColumns>(depth * columns);
          place_gradients(d, b0, images, out_channels, g, grads, columns);
          // [C·kh·kw, O] · [O, images·G]: the gradient of the chunk's columns.
          gemm<T>(depth, columns, out_channels, {w, 1, depth}, {grads, columns, 1},
                  {dcols, columns, 1});
          T* plane = padded ? scratch<T, kPlane>(g.plane()) : nullptr;
          for (std::int64_t t = 0; t < images; ++t) {
            for (std::int64_t c = 0; c < g.channels; ++c) {
              T* target = dx + ((b0 + t) * g.channels + c) * g.height * g.width;
              run_on_cpu<GridFold<T>>(dcols + t * g.length, c, columns, g, padded ? plane : target);
              if (!padded) continue;
              for (std::int64_t h = 0; h < g.height; ++h) {
                copy_run(target + h * g.width, plane + (h + g.k.ph) * g.pitch + g.k.pw, g.width);
              }
            }
          }
        });
  });
}

// partial[piece] (O × depth) = Σ over the piece's images; pieces split the batch.
template <class T>
void grid_conv2d_backward_weight(const TensorData& in, const T* d, std::int64_t out_channels,
                                 const Grid& g, std::int64_t depth, bool bias, std::int64_t pieces,
                                 T* partial) {
  const std::int64_t batch = in.shape()[0];
  const std::int64_t chunk = grid_chunk(g, depth + out_channels, sizeof(T));
  parallel_for(0, pieces, 1, [&](std::int64_t p0, std::int64_t p1) {
    for (std::int64_t piece = p0; piece < p1; ++piece) {
      T* dw = partial + piece * out_channels * depth;
      const std::int64_t first = batch * piece / pieces, last = batch * (piece + 1) / pieces;
      for_each_chunk(first, last, chunk, [&](std::int64_t b0, std::int64_t images) {
        const std::int64_t columns = images * g.length;
        T* cols = scratch<T, kColumns>(depth * columns);
        T* grads = scratch<T, kProduct>(out_channels * columns);
        thread_local std::vector<T> padded;
        for (std::int64_t t = 0; t < images; ++t) {
          std::int64_t stride = 0;
          const T* planes = grid_planes(in, b0 + t, g, padded, stride);
          run_on_cpu<GridUnfold<T>>(planes, stride, g, cols + t * g.length, columns);
        }
        if (bias) std::fill(cols + (depth - 1) * columns, cols + depth * columns, T(1));
        place_gradients(d, b0, images, out_channels, g, grads, columns);
        // [O, images·G] · [images·G, C·kh·kw (+1)] (the columns transposed)
        gemm<T>(out_channels, depth, columns, {grads, columns, 1}, {cols, 1, columns},
                {dw, depth, 1}, b0 != first);
      });
    }
  });
}

// partial[piece] (O × depth) = Σ over the piece's images, one image at a time.
template <class T>
void per_image_weight_gradients(const Unfolder<T>& unfolder, const T* g, const ConvSizes& n,
                                std::int64_t depth, std::int64_t pieces, T* partial) {
  parallel_for(0, pieces, 1, [&](std::int64_t first_piece, std::int64_t last_piece) {
    T* cols = scratch<T, kColumns>(depth * n.positions);
    std::fill(cols + n.depth * n.positions, cols + depth * n.positions, T(1));
    for (std::int64_t piece = first_piece; piece < last_piece; ++piece) {
      T* dw = partial + piece * n.out_channels * depth;
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
}

// dweight [O, weights] (and dbias [O], the last of `depth` columns, when defined) = the partials
// [pieces][O][depth] added in piece order.
template <class T>
void add_partials(const T* partial, std::int64_t pieces, std::int64_t out_channels,
                  std::int64_t weights, std::int64_t depth, const TensorData& dweight,
                  const TensorData& dbias) {
  T* dw = dweight.data<T>() + dweight.offset();
  T* db = dbias.defined() ? dbias.data<T>() + dbias.offset() : nullptr;
  for (std::int64_t piece = 0; piece < pieces; ++piece) {
    const T* part = partial + piece * out_channels * depth;
    for (std::int64_t o = 0; o < out_channels; ++o) {
      for (std::int64_t e = 0; e < weights; ++e) {
        const T v = part[o * depth + e];
        dw[o * weights + e] = piece == 0 ? v : dw[o * weights + e] + v;
      }
      if (db != nullptr) {
        db[o] = piece == 0 ? part[o * depth + weights] : db[o] + part[o * depth + weights];
      }
    }
  }
}

// What the three convolution entry points share: the geometry of the image planes (`image` is
// the convolution's input, or its gradient), the sizes (`result` has the output channels in
// dimension 1) and whether the grid kernels apply. Holds the range tables its plane points into,
// so it is neither copied nor moved.
struct ConvSetup {
  ConvSetup(const TensorData& image, const TensorData& result, const Window2d& k)
      : ranges(range_tables(image.shape()[2], image.shape()[3], k)),
        plane(plane_of(image, k, ranges)),
        n(conv_sizes(image, result, plane)),
        grid(grid_of(image.shape(), k)),
        on_grid(grid_applies(grid)) {}
  ConvSetup(const ConvSetup&) = delete;
  ConvSetup& operator=(const ConvSetup&) = delete;

  const RangeTables ranges;
  const Plane plane;
  const ConvSizes n;
  const Grid grid;
  const bool on_grid;
};

// Whether the kernels take these tensors: each contiguous, or undefined (an absent bias).
bool kernels_take(std::initializer_list<const TensorData*> tensors) {
  for (const TensorData* t : tensors) {
    if (t->defined() && !t->is_contiguous()) return false;
  }
  return true;
}

}  // namespace

void fast_conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
                 const Window2d& k, const TensorData& out) {
  if (!kernels_take({&out, &weight, &bias})) {
    return composed::conv2d(fast_backend(), in, weight, bias, k, out);
  }
  const ConvSetup setup(in, out, k);
  const ConvSizes& n = setup.n;
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
    if (setup.on_grid) {
      return grid_conv2d(in, w, depth, setup.grid, n.out_channels, bias.defined(), y);
    }
    parallel_for(0, n.batch, 1, [&](std::int64_t first, std::int64_t last) {
      T* cols = scratch<T, kColumns>(depth * n.positions);
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
  if (!kernels_take({&dx, &weight, &d})) {
    return composed::conv2d_backward_input(fast_backend(), d, weight, k, dx);
  }
  const ConvSetup setup(dx, d, k);
  const ConvSizes& n = setup.n;
  const Plane& p = setup.plane;
  dispatch_dtype(dx.dtype(), [&]<class T>() {
    const T* w = weight.data<T>() + weight.offset();
    const T* g = d.data<T>() + d.offset();
    T* y = dx.data<T>() + dx.offset();
    if (setup.on_grid) {
      return grid_conv2d_backward_input(g, w, n.out_channels, setup.grid, n.batch, y);
    }
    const std::int64_t rows = k.kh * k.kw * n.positions;
    const std::int64_t area = p.height * p.width;
    parallel_for(0, n.batch, 1, [&](std::int64_t first, std::int64_t last) {
      T* cols = scratch<T, kColumns>(n.depth * n.positions);
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
  if (!kernels_take({&dweight, &d, &dbias})) {
    return composed::conv2d_backward_weight(fast_backend(), in, d, k, dweight, dbias);
  }
  const ConvSetup setup(in, d, k);
  const ConvSizes& n = setup.n;
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
    if (setup.on_grid) {
      grid_conv2d_backward_weight(in, g, n.out_channels, setup.grid, depth, dbias.defined(), pieces,
                                  partial.data());
    } else {
      per_image_weight_gradients(unfolder, g, n, depth, pieces, partial.data());
    }
    add_partials(partial.data(), pieces, n.out_channels, n.depth, depth, dweight, dbias);
  });
}

}  // namespace minitorch::detail
