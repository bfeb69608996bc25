// The compositions of composed.h, and Backend's defaults that call them.
#include "minitorch/backend/composed.h"

#include <array>
#include <limits>
#include <vector>

namespace minitorch {
namespace composed {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

TensorData temp(const Backend& backend, Shape shape, Dtype dtype) {
  return TensorData::uninitialized(std::move(shape), dtype, backend.device());
}

// A one-element tensor: every primitive broadcasts it to the shape it meets.
TensorData constant(const Backend& backend, double value, Dtype dtype) {
  TensorData c = TensorData::zeros({1}, dtype, backend.device());
  c.set(std::array<std::int64_t, 1>{0}, value);
  return c;
}

TensorData filled(const Backend& backend, Shape shape, Dtype dtype, double value) {
  TensorData t = temp(backend, std::move(shape), dtype);
  backend.copy(constant(backend, value, dtype), t);
  return t;
}

// 0, 1, ..., n - 1, made on the host and moved to the backend's device.
TensorData ramp(const Backend& backend, std::int64_t n, Dtype dtype) {
  const TensorData host = TensorData::uninitialized({n}, dtype);
  dispatch_dtype(dtype, [&]<class T>() {
    T* p = host.data<T>();
    for (std::int64_t i = 0; i < n; ++i) p[i] = static_cast<T>(i);
  });
  return host.moved_to(backend.device());
}

// t itself when contiguous, else a contiguous copy (so that it can be viewed in another shape).
TensorData dense(const Backend& backend, const TensorData& t) {
  if (t.is_contiguous()) return t;
  const TensorData out = temp(backend, t.shape(), t.dtype());
  backend.copy(t, out);
  return out;
}

// The sizes of a window walk over a [B, C, H, W] input.
struct Geometry {
  std::int64_t batch, channels, height, width, out_h, out_w, kernel;
  std::int64_t positions() const { return out_h * out_w; }
  Shape columns() const { return {batch, channels * kernel, positions()}; }
  Shape windows() const { return {batch, channels, kernel, out_h, out_w}; }
};

Geometry geometry(const Shape& input, const Window2d& w) {
  return {input[0],          input[1],          input[2],   input[3],
          w.out_h(input[2]), w.out_w(input[3]), w.kh * w.kw};
}

// The elements kernel element (i, j) meets at every window position, as a [B, C, out_h, out_w]
// view of `padded`, whose element (h, w) is the input's (h − ph, w − pw).
TensorData window_view(const TensorData& padded, const Geometry& g, const Window2d& w,
                       std::int64_t i, std::int64_t j) {
  const Strides& s = padded.strides();
  return TensorData(padded.storage(), {g.batch, g.channels, g.out_h, g.out_w},
                    {s[0], s[1], w.sh * s[2], w.sw * s[3]},
                    padded.offset() + i * w.dh * s[2] + j * w.dw * s[3]);
}

// Row (c·kh + i)·kw + j of the columns [B, C·kh·kw, L] for every channel c, as [B, C, out_h,
// out_w].
TensorData column_view(const TensorData& columns, const Geometry& g, const Window2d& w,
                       std::int64_t i, std::int64_t j) {
  const Strides& s = columns.strides();
  return TensorData(columns.storage(), {g.batch, g.channels, g.out_h, g.out_w},
                    {s[0], s[1] * g.kernel, s[2] * g.out_w, s[2]},
                    columns.offset() + (i * w.kw + j) * s[1]);
}

// `in` surrounded by ph rows and pw columns of `fill` (in itself when there is no padding).
TensorData padded(const Backend& backend, const TensorData& in, const Window2d& w, double fill) {
  if (w.ph == 0 && w.pw == 0) return in;
  const Shape& s = in.shape();
  const TensorData out =
      filled(backend, {s[0], s[1], s[2] + 2 * w.ph, s[3] + 2 * w.pw}, in.dtype(), fill);
  backend.copy(in, out.narrow(2, w.ph, s[2]).narrow(3, w.pw, s[3]));
  return out;
}

// unfold with `fill` in the padding: one strided copy per kernel element.
void unfold_filled(const Backend& backend, const TensorData& in, const Window2d& w, double fill,
                   const TensorData& out) {
  const Geometry g = geometry(in.shape(), w);
  const TensorData source = padded(backend, in, w, fill);
  for (std::int64_t i = 0; i < w.kh; ++i) {
    for (std::int64_t j = 0; j < w.kw; ++j) {
      backend.copy(window_view(source, g, w, i, j), column_view(out, g, w, i, j));
    }
  }
}

// [1, kh·kw, out_h, out_w]: the position h·W + w within its plane of each window element, −1 in
// the padding.
TensorData window_positions(const Backend& backend, const Shape& input, const Window2d& w,
                            Dtype dtype) {
  const Geometry g = geometry(input, w);
  const TensorData plane = ramp(backend, g.height * g.width, dtype).view({1, 1, g.height, g.width});
  const TensorData out = temp(backend, {1, g.kernel, g.out_h, g.out_w}, dtype);
  unfold_filled(backend, plane, w, -1, out.view({1, g.kernel, g.positions()}));
  return out;
}

// The storage of `index` [N] as row numbers on the host.
std::vector<std::int64_t> host_rows(const Backend& backend, const TensorData& index) {
  const TensorData packed = dense(backend, index).moved_to(kCPU);
  std::vector<std::int64_t> rows(static_cast<std::size_t>(index.numel()));
  dispatch_dtype(packed.dtype(), [&]<class T>() {
    const T* p = packed.data<T>() + packed.offset();
    for (std::size_t n = 0; n < rows.size(); ++n) rows[n] = static_cast<std::int64_t>(p[n]);
  });
  return rows;
}

}  // namespace

void unfold(const Backend& backend, const TensorData& in, const Window2d& window,
            const TensorData& out) {
  unfold_filled(backend, in, window, 0, out);
}

void fold(const Backend& backend, const TensorData& in, const Window2d& w, const TensorData& out) {
  const Geometry g = geometry(out.shape(), w);
  const TensorData sums =
      TensorData::zeros({g.batch, g.channels, g.height + 2 * w.ph, g.width + 2 * w.pw}, out.dtype(),
                        backend.device());
  const TensorData step = temp(backend, {g.batch, g.channels, g.out_h, g.out_w}, out.dtype());
  for (std::int64_t i = 0; i < w.kh; ++i) {
    for (std::int64_t j = 0; j < w.kw; ++j) {
      const TensorData target = window_view(sums, g, w, i, j);
      backend.zip(BinaryOp::Add, target, column_view(in, g, w, i, j), step);
      backend.copy(step, target);
    }
  }
  backend.copy(sums.narrow(2, w.ph, g.height).narrow(3, w.pw, g.width), out);
}

void pool2d(const Backend& backend, PoolOp op, const TensorData& in, const Window2d& w,
            const TensorData& out, const TensorData& indices) {
  const Geometry g = geometry(in.shape(), w);
  const Dtype dtype = in.dtype();
  const TensorData windows = temp(backend, g.windows(), dtype);
  const Shape reduced{g.batch, g.channels, 1, g.out_h, g.out_w};
  if (op == PoolOp::Avg) {
    unfold_filled(backend, in, w, 0, windows.view(g.columns()));
    const TensorData sums = temp(backend, reduced, dtype);
    backend.reduce(ReduceOp::Sum, windows, 2, sums);
    backend.zip(BinaryOp::Div, sums, constant(backend, double(g.kernel), dtype), out.unsqueeze(2));
    return;
  }
  // Max: padding is −inf, and never chosen (masked by its position −1); NaN is compared as −inf
  // to find the first maximum, and a window holding NaN yields NaN at the last NaN's position (the
  // reference scan replaces its choice with each NaN it meets).
  unfold_filled(backend, in, w, -kInf, windows.view(g.columns()));
  const TensorData minus_inf = constant(backend, -kInf, dtype);
  const TensorData minus_one = constant(backend, -1, dtype);
  const auto full = [&] { return temp(backend, g.windows(), dtype); };
  const auto small = [&] { return temp(backend, reduced, dtype); };
  const TensorData positions = window_positions(backend, in.shape(), w, dtype);

  const TensorData is_number = full();
  backend.zip(BinaryOp::Eq, windows, windows, is_number);
  const TensorData numbers = full();
  backend.where(is_number, windows, minus_inf, numbers);
  const TensorData maximum = small();
  backend.reduce(ReduceOp::Max, numbers, 2, maximum);

  // The first maximum inside the input: the largest −position among the hits.
  const TensorData hits = full();
  backend.zip(BinaryOp::Eq, numbers, maximum, hits);
  const TensorData inside = temp(backend, positions.shape(), dtype);
  backend.zip(BinaryOp::Gt, positions, minus_one, inside);
  const TensorData hits_inside = full();
  backend.zip(BinaryOp::Mul, hits, inside, hits_inside);
  const TensorData negated = temp(backend, positions.shape(), dtype);
  backend.map(UnaryOp::Neg, positions, negated);
  const TensorData keyed = full();
  backend.where(hits_inside, negated, minus_inf, keyed);
  const TensorData best = small();
  backend.reduce(ReduceOp::Max, keyed, 2, best);
  const TensorData found = small();
  backend.zip(BinaryOp::Gt, best, minus_inf, found);
  const TensorData first = small();
  backend.map(UnaryOp::Neg, best, first);
  const TensorData first_or_none = small();
  backend.where(found, first, minus_one, first_or_none);

  // The last NaN, if any: the largest position among the NaNs.
  backend.where(is_number, minus_one, positions, keyed);
  const TensorData last_nan = small();
  backend.reduce(ReduceOp::Max, keyed, 2, last_nan);
  const TensorData has_nan = small();
  backend.zip(BinaryOp::Gt, last_nan, minus_one, has_nan);

  backend.where(has_nan, last_nan, first_or_none, indices.unsqueeze(2));
  backend.where(has_nan, constant(backend, std::numeric_limits<double>::quiet_NaN(), dtype),
                maximum, out.unsqueeze(2));
}

void pool2d_backward(const Backend& backend, PoolOp op, const TensorData& d,
                     const TensorData& indices, const Window2d& w, const TensorData& dx) {
  const Geometry g = geometry(dx.shape(), w);
  const Dtype dtype = dx.dtype();
  const TensorData columns = temp(backend, g.windows(), dtype);
  const TensorData d_window = d.unsqueeze(2);
  if (op == PoolOp::Avg) {
    backend.zip(BinaryOp::Div, d_window, constant(backend, double(g.kernel), dtype), columns);
  } else {
    // d goes to the one window element whose position is the chosen one (padding, at −1, is
    // dropped by fold).
    const TensorData chosen = temp(backend, g.windows(), dtype);
    backend.zip(BinaryOp::Eq, window_positions(backend, dx.shape(), w, dtype), indices.unsqueeze(2),
                chosen);
    backend.where(chosen, d_window, constant(backend, 0, dtype), columns);
  }
  backend.fold(columns.view(g.columns()), w, dx);
}

void conv2d(const Backend& backend, const TensorData& in, const TensorData& weight,
            const TensorData& bias, const Window2d& w, const TensorData& out) {
  const Geometry g = geometry(in.shape(), w);
  const std::int64_t out_channels = weight.shape()[0];
  const TensorData columns = temp(backend, g.columns(), in.dtype());
  backend.unfold(in, w, columns);
  const TensorData matrix = dense(backend, weight).view({out_channels, g.channels * g.kernel});
  const Shape product_shape{g.batch, out_channels, g.positions()};
  if (!bias.defined() && out.is_contiguous()) {
    backend.matmul(matrix, columns, out.view(product_shape));
    return;
  }
  const TensorData product = temp(backend, product_shape, out.dtype());
  backend.matmul(matrix, columns, product);
  if (!bias.defined()) {
    backend.copy(product.view(out.shape()), out);
    return;
  }
  // bias [O] as [O, 1, 1], broadcast over images and positions.
  const TensorData bias_column(bias.storage(), {out_channels, 1, 1}, {bias.strides()[0], 0, 0},
                               bias.offset());
  backend.zip(BinaryOp::Add, product.view(out.shape()), bias_column, out);
}

void conv2d_backward_input(const Backend& backend, const TensorData& d, const TensorData& weight,
                           const Window2d& w, const TensorData& dx) {
  const Geometry g = geometry(dx.shape(), w);
  const std::int64_t out_channels = weight.shape()[0];
  const std::int64_t rows = g.channels * g.kernel;
  const TensorData columns = temp(backend, g.columns(), dx.dtype());
  backend.matmul(dense(backend, weight).view({out_channels, rows}).transpose(0, 1),
                 dense(backend, d).view({g.batch, out_channels, g.positions()}), columns);
  backend.fold(columns, w, dx);
}

void conv2d_backward_weight(const Backend& backend, const TensorData& in, const TensorData& d,
                            const Window2d& w, const TensorData& dweight, const TensorData& dbias) {
  const Geometry g = geometry(in.shape(), w);
  const std::int64_t out_channels = dweight.shape()[0];
  const std::int64_t rows = g.channels * g.kernel;
  const std::int64_t samples = g.batch * g.positions();
  // Columns stored [B, L, C·kh·kw] (unfold writes through the transposed view) and d as [O, B, L],
  // so that every image's positions form one inner dimension of B·L.
  const TensorData columns_t = temp(backend, {g.batch, g.positions(), rows}, in.dtype());
  backend.unfold(in, w, columns_t.transpose(1, 2));
  const TensorData d_t = temp(backend, {out_channels, g.batch, g.positions()}, d.dtype());
  backend.copy(dense(backend, d).view({g.batch, out_channels, g.positions()}).transpose(0, 1), d_t);
  const TensorData lhs = d_t.view({out_channels, samples});
  const TensorData product = dweight.is_contiguous()
                                 ? dweight.view({out_channels, rows})
                                 : temp(backend, {out_channels, rows}, dweight.dtype());
  backend.matmul(lhs, columns_t.view({samples, rows}), product);
  if (product.storage() != dweight.storage()) {
    backend.copy(product.view(dweight.shape()), dweight);
  }
  if (dbias.defined()) {
    const TensorData column(dbias.storage(), {out_channels, 1}, {dbias.strides()[0], 0},
                            dbias.offset());
    backend.reduce(ReduceOp::Sum, lhs, 1, column);
  }
}

void gather_rows(const Backend& backend, const TensorData& table, const TensorData& index,
                 const TensorData& out) {
  if (index.numel() == 0) return;
  const std::vector<std::int64_t> rows = host_rows(backend, index);
  for (std::size_t n = 0; n < rows.size(); ++n) {
    backend.copy(table.select(0, rows[n]), out.select(0, static_cast<std::int64_t>(n)));
  }
}

void scatter_add_rows(const Backend& backend, const TensorData& src, const TensorData& index,
                      const TensorData& out) {
  if (index.numel() == 0) return;
  const std::vector<std::int64_t> rows = host_rows(backend, index);
  const TensorData sum = temp(backend, {out.shape()[1]}, out.dtype());
  for (std::size_t n = 0; n < rows.size(); ++n) {
    const TensorData target = out.select(0, rows[n]);
    backend.zip(BinaryOp::Add, target, src.select(0, static_cast<std::int64_t>(n)), sum);
    backend.copy(sum, target);
  }
}

void argmax(const Backend& backend, const TensorData& in, std::int64_t dim, const TensorData& out) {
  // The reference scan keeps the first maximum and never moves to a NaN, so NaN compares as −inf,
  // except that a NaN in the first place stays chosen (nothing compares greater than it).
  const Dtype dtype = in.dtype();
  const TensorData minus_inf = constant(backend, -kInf, dtype);
  const auto full = [&] { return temp(backend, in.shape(), dtype); };
  const auto small = [&] { return temp(backend, out.shape(), dtype); };
  const TensorData is_number = full();
  backend.zip(BinaryOp::Eq, in, in, is_number);
  const TensorData numbers = full();
  backend.where(is_number, in, minus_inf, numbers);
  const TensorData maximum = small();
  backend.reduce(ReduceOp::Max, numbers, dim, maximum);
  const TensorData hits = full();
  backend.zip(BinaryOp::Eq, numbers, maximum, hits);
  // The ramp 0, −1, −2, ... along dim: its largest value among the hits is −(first hit).
  Shape along(in.shape().size(), 1);
  along[dim] = in.shape()[dim];
  const TensorData negated = temp(backend, along, dtype);
  backend.map(UnaryOp::Neg, ramp(backend, in.shape()[dim], dtype).view(along), negated);
  const TensorData keyed = full();
  backend.where(hits, negated, minus_inf, keyed);
  const TensorData best = small();
  backend.reduce(ReduceOp::Max, keyed, dim, best);
  const TensorData first = small();
  backend.map(UnaryOp::Neg, best, first);
  const TensorData head = in.narrow(dim, 0, 1);
  const TensorData head_is_number = small();
  backend.zip(BinaryOp::Eq, head, head, head_is_number);
  backend.where(head_is_number, first, constant(backend, 0, dtype), out);
}

}  // namespace composed

void Backend::argmax(const TensorData& in, std::int64_t dim, const TensorData& out) const {
  composed::argmax(*this, in, dim, out);
}
void Backend::gather_rows(const TensorData& table, const TensorData& index,
                          const TensorData& out) const {
  composed::gather_rows(*this, table, index, out);
}
void Backend::scatter_add_rows(const TensorData& src, const TensorData& index,
                               const TensorData& out) const {
  composed::scatter_add_rows(*this, src, index, out);
}
void Backend::unfold(const TensorData& in, const Window2d& window, const TensorData& out) const {
  composed::unfold(*this, in, window, out);
}
void Backend::fold(const TensorData& in, const Window2d& window, const TensorData& out) const {
  composed::fold(*this, in, window, out);
}
void Backend::pool2d(PoolOp op, const TensorData& in, const Window2d& window, const TensorData& out,
                     const TensorData& indices) const {
  composed::pool2d(*this, op, in, window, out, indices);
}
void Backend::pool2d_backward(PoolOp op, const TensorData& d, const TensorData& indices,
                              const Window2d& window, const TensorData& dx) const {
  composed::pool2d_backward(*this, op, d, indices, window, dx);
}
void Backend::conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
                     const Window2d& window, const TensorData& out) const {
  composed::conv2d(*this, in, weight, bias, window, out);
}
void Backend::conv2d_backward_input(const TensorData& d, const TensorData& weight,
                                    const Window2d& window, const TensorData& dx) const {
  composed::conv2d_backward_input(*this, d, weight, window, dx);
}
void Backend::conv2d_backward_weight(const TensorData& in, const TensorData& d,
                                     const Window2d& window, const TensorData& dweight,
                                     const TensorData& dbias) const {
  composed::conv2d_backward_weight(*this, in, d, window, dweight, dbias);
}

}  // namespace minitorch
