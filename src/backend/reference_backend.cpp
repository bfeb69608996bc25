// The reference backend: every primitive as a plain loop over output indices, for clarity.
//
// It keeps its own direct loops for the defaulted operations (windows, convolution, gather,
// argmax) instead of taking the compositions of composed.h: the tests compare every override and
// every composition with these loops, and an oracle written independently of the compositions
// catches a mistake in a composition that the composition over its own primitives would repeat.
#include <array>
#include <atomic>
#include <cmath>
#include <limits>

#include "minitorch/backend/backend.h"
#include "minitorch/storage/strided_walk.h"

namespace minitorch {

namespace {

// Calls f(positions) for every element of `shape` in row-major order, where positions[k] is the
// storage position of that element in tensors[k] (each broadcast to `shape`).
template <std::size_t N, class F>
void for_each_position(const Shape& shape, const std::array<const TensorData*, N>& tensors, F&& f) {
  std::array<WalkOperand, N> operands;
  for (std::size_t k = 0; k < N; ++k) {
    operands[k] = {tensors[k]->shape(), tensors[k]->strides(), tensors[k]->offset()};
  }
  const StridedWalk<N> walk = make_strided_walk<N>(shape, operands);
  for_each_run(walk, 0, walk.count, [&](auto first, std::int64_t length, const auto& steps) {
    for (std::int64_t j = 0; j < length; ++j) {
      std::array<std::int64_t, N> positions;
      for (std::size_t k = 0; k < N; ++k) positions[k] = first[k] + j * steps[k];
      f(positions);
    }
  });
}

// For n in [0, rows): calls move(plain[n, d], indexed[index[n], d]) for d in [0, width), where
// index holds row numbers as values: the one walk behind gather_rows and scatter_add_rows.
template <class Move>
void for_each_indexed_row(const TensorData& index, std::int64_t rows, std::int64_t width,
                          const TensorData& plain, const TensorData& indexed, Move&& move) {
  dispatch_dtype(plain.dtype(), [&]<class T>() {
    const T* idx = index.data<T>();
    T* p = plain.data<T>();
    T* q = indexed.data<T>();
    for (std::int64_t n = 0; n < rows; ++n) {
      const auto row = static_cast<std::int64_t>(idx[index.offset() + n * index.strides()[0]]);
      T* plain_row = p + plain.offset() + n * plain.strides()[0];
      T* indexed_row = q + indexed.offset() + row * indexed.strides()[0];
      for (std::int64_t d = 0; d < width; ++d) {
        move(plain_row[d * plain.strides()[1]], indexed_row[d * indexed.strides()[1]]);
      }
    }
  });
}

// Storage position of element (i0, i1, ...) of t.
template <class... I>
std::int64_t at(const TensorData& t, I... index) {
  const std::array<std::int64_t, sizeof...(I)> i{index...};
  return t.offset() + index_to_position(i, t.strides());
}

struct Planes {
  std::int64_t batch, channels, height, width;
};

Planes planes_of(const TensorData& t) {
  return {t.shape()[0], t.shape()[1], t.shape()[2], t.shape()[3]};
}

// Calls f(b, c, i, j, oh, ow, ih, iw) for every window position whose kernel element (i, j) lies
// inside the input (ih in [0, H), iw in [0, W)): the one walk behind unfold, fold and pooling.
template <class F>
void for_each_window_element(const Planes& p, const Window2d& k, F&& f) {
  const std::int64_t out_h = k.out_h(p.height), out_w = k.out_w(p.width);
  for (std::int64_t b = 0; b < p.batch; ++b) {
    for (std::int64_t c = 0; c < p.channels; ++c) {
      for (std::int64_t oh = 0; oh < out_h; ++oh) {
        for (std::int64_t ow = 0; ow < out_w; ++ow) {
          for (std::int64_t i = 0; i < k.kh; ++i) {
            for (std::int64_t j = 0; j < k.kw; ++j) {
              const std::int64_t ih = oh * k.sh + i * k.dh - k.ph;
              const std::int64_t iw = ow * k.sw + j * k.dw - k.pw;
              if (ih < 0 || ih >= p.height || iw < 0 || iw >= p.width) continue;
              f(b, c, i, j, oh, ow, ih, iw);
            }
          }
        }
      }
    }
  }
}

// Sets every element of a 4-D tensor to zero.
template <class T>
void zero_4d(const TensorData& t) {
  const Planes p = planes_of(t);
  T* y = t.data<T>();
  for (std::int64_t b = 0; b < p.batch; ++b) {
    for (std::int64_t c = 0; c < p.channels; ++c) {
      for (std::int64_t h = 0; h < p.height; ++h) {
        for (std::int64_t w = 0; w < p.width; ++w) y[at(t, b, c, h, w)] = T(0);
      }
    }
  }
}

class ReferenceBackend final : public Backend {
 public:
  std::string name() const override { return "reference"; }

  void copy(const TensorData& in, const TensorData& out) const override {
    dispatch_dtype(out.dtype(), [&]<class Out>() {
      dispatch_dtype(in.dtype(), [&]<class In>() {
        const In* src = in.data<In>();
        Out* dst = out.data<Out>();
        for_each_position<2>(out.shape(), {&out, &in},
                             [&](auto p) { dst[p[0]] = static_cast<Out>(src[p[1]]); });
      });
    });
  }

  void map(UnaryOp op, const TensorData& in, const TensorData& out) const override {
    visit_unary(op, [&](auto f) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const T* x = in.data<T>();
        T* y = out.data<T>();
        for_each_position<2>(out.shape(), {&out, &in}, [&](auto p) { y[p[0]] = f(x[p[1]]); });
      });
    });
  }

  void map_backward(UnaryOp op, const TensorData& in, const TensorData& d,
                    const TensorData& out) const override {
    visit_unary(op, [&](auto f) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const T* x = in.data<T>();
        const T* g = d.data<T>();
        T* y = out.data<T>();
        for_each_position<3>(out.shape(), {&out, &in, &d},
                             [&](auto p) { y[p[0]] = f.backward(x[p[1]], g[p[2]]); });
      });
    });
  }

  void zip(BinaryOp op, const TensorData& a, const TensorData& b,
           const TensorData& out) const override {
    visit_binary(op, [&](auto f) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const T* x = a.data<T>();
        const T* y = b.data<T>();
        T* z = out.data<T>();
        for_each_position<3>(out.shape(), {&out, &a, &b},
                             [&](auto p) { z[p[0]] = f(x[p[1]], y[p[2]]); });
      });
    });
  }

  void zip_backward(BinaryOp op, const TensorData& a, const TensorData& b, const TensorData& d,
                    const TensorData& da, const TensorData& db) const override {
    visit_binary(op, [&](auto f) {
      dispatch_dtype(d.dtype(), [&]<class T>() {
        const T* x = a.data<T>();
        const T* y = b.data<T>();
        const T* g = d.data<T>();
        T* gx = da.data<T>();
        T* gy = db.data<T>();
        for_each_position<5>(da.shape(), {&da, &db, &a, &b, &d}, [&](auto p) {
          const auto grads = f.backward(x[p[2]], y[p[3]], g[p[4]]);
          gx[p[0]] = grads.a;
          gy[p[1]] = grads.b;
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
      for_each_position<4>(out.shape(), {&out, &cond, &a, &b},
                           [&](auto p) { z[p[0]] = operators::where(c[p[1]], x[p[2]], y[p[3]]); });
    });
  }

  void reduce(ReduceOp op, const TensorData& in, std::int64_t dim,
              const TensorData& out) const override {
    visit_reduce(op, [&](auto f, double identity) {
      dispatch_dtype(out.dtype(), [&]<class T>() {
        const T* x = in.data<T>();
        T* y = out.data<T>();
        const std::int64_t stride = in.strides()[dim];
        const std::int64_t length = in.shape()[dim];
        // Positions in `in` of the first element along dim, one per output element.
        for_each_position<2>(out.shape(), {&out, &in}, [&](auto p) {
          T acc = static_cast<T>(identity);
          for (std::int64_t j = 0; j < length; ++j) acc = f(acc, x[p[1] + j * stride]);
          y[p[0]] = acc;
        });
      });
    });
  }

  void argmax(const TensorData& in, std::int64_t dim, const TensorData& out) const override {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* x = in.data<T>();
      T* y = out.data<T>();
      const std::int64_t stride = in.strides()[dim];
      const std::int64_t length = in.shape()[dim];
      for_each_position<2>(out.shape(), {&out, &in}, [&](auto p) {
        std::int64_t best = 0;
        for (std::int64_t j = 1; j < length; ++j) {
          if (x[p[1] + j * stride] > x[p[1] + best * stride]) best = j;
        }
        y[p[0]] = static_cast<T>(best);
      });
    });
  }

  void gather_rows(const TensorData& table, const TensorData& index,
                   const TensorData& out) const override {
    // out row n = table row index[n]
    for_each_indexed_row(index, out.shape()[0], out.shape()[1], out, table,
                         [](auto& to, const auto& from) { to = from; });
  }

  void scatter_add_rows(const TensorData& src, const TensorData& index,
                        const TensorData& out) const override {
    // out row index[n] += src row n
    for_each_indexed_row(index, src.shape()[0], src.shape()[1], src, out,
                         [](const auto& from, auto& to) { to += from; });
  }

  void unfold(const TensorData& in, const Window2d& k, const TensorData& out) const override {
    const Planes p = planes_of(in);
    const std::int64_t out_w = k.out_w(p.width);
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* x = in.data<T>();
      T* y = out.data<T>();
      // Zeros first, so the padding needs no case of its own.
      for (std::int64_t b = 0; b < out.shape()[0]; ++b) {
        for (std::int64_t r = 0; r < out.shape()[1]; ++r) {
          for (std::int64_t l = 0; l < out.shape()[2]; ++l) y[at(out, b, r, l)] = T(0);
        }
      }
      for_each_window_element(
          p, k, [&](auto b, auto c, auto i, auto j, auto oh, auto ow, auto ih, auto iw) {
            y[at(out, b, (c * k.kh + i) * k.kw + j, oh * out_w + ow)] = x[at(in, b, c, ih, iw)];
          });
    });
  }

  void fold(const TensorData& in, const Window2d& k, const TensorData& out) const override {
    const Planes p = planes_of(out);
    const std::int64_t out_w = k.out_w(p.width);
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* x = in.data<T>();
      T* y = out.data<T>();
      zero_4d<T>(out);
      for_each_window_element(
          p, k, [&](auto b, auto c, auto i, auto j, auto oh, auto ow, auto ih, auto iw) {
            y[at(out, b, c, ih, iw)] += x[at(in, b, (c * k.kh + i) * k.kw + j, oh * out_w + ow)];
          });
    });
  }

  void pool2d(PoolOp op, const TensorData& in, const Window2d& k, const TensorData& out,
              const TensorData& indices) const override {
    const Planes p = planes_of(in);
    const Planes o = planes_of(out);
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* x = in.data<T>();
      T* y = out.data<T>();
      for (std::int64_t b = 0; b < o.batch; ++b) {
        for (std::int64_t c = 0; c < o.channels; ++c) {
          for (std::int64_t oh = 0; oh < o.height; ++oh) {
            for (std::int64_t ow = 0; ow < o.width; ++ow) {
              // PyTorch's scan: the maximum starts at -inf on the window's first element inside
              // the input (so an all -inf window still names a position); a sum starts at 0.
              T acc = op == PoolOp::Max ? -std::numeric_limits<T>::infinity() : T(0);
              std::int64_t where = -1;
              for (std::int64_t i = 0; i < k.kh; ++i) {
                for (std::int64_t j = 0; j < k.kw; ++j) {
                  const std::int64_t ih = oh * k.sh + i * k.dh - k.ph;
                  const std::int64_t iw = ow * k.sw + j * k.dw - k.pw;
                  if (ih < 0 || ih >= p.height || iw < 0 || iw >= p.width) continue;
                  const T v = x[at(in, b, c, ih, iw)];
                  if (op == PoolOp::Avg) {
                    acc += v;
                  } else if (where < 0 || v > acc || std::isnan(v)) {
                    if (v > acc || std::isnan(v)) acc = v;
                    where = ih * p.width + iw;
                  }
                }
              }
              y[at(out, b, c, oh, ow)] = op == PoolOp::Max ? acc : acc / T(k.kh * k.kw);
              if (op == PoolOp::Max) indices.data<T>()[at(indices, b, c, oh, ow)] = T(where);
            }
          }
        }
      }
    });
  }

  void pool2d_backward(PoolOp op, const TensorData& d, const TensorData& indices, const Window2d& k,
                       const TensorData& dx) const override {
    const Planes p = planes_of(dx);
    dispatch_dtype(dx.dtype(), [&]<class T>() {
      const T* g = d.data<T>();
      T* y = dx.data<T>();
      zero_4d<T>(dx);
      const T count = static_cast<T>(k.kh * k.kw);
      if (op == PoolOp::Avg) {
        for_each_window_element(
            p, k, [&](auto b, auto c, auto, auto, auto oh, auto ow, auto ih, auto iw) {
              y[at(dx, b, c, ih, iw)] += g[at(d, b, c, oh, ow)] / count;
            });
        return;
      }
      const T* where = indices.data<T>();
      const Planes o = planes_of(d);
      for (std::int64_t b = 0; b < o.batch; ++b) {
        for (std::int64_t c = 0; c < o.channels; ++c) {
          for (std::int64_t oh = 0; oh < o.height; ++oh) {
            for (std::int64_t ow = 0; ow < o.width; ++ow) {
              const auto position = static_cast<std::int64_t>(where[at(indices, b, c, oh, ow)]);
              if (position < 0) continue;  // a window entirely in the padding
              y[at(dx, b, c, position / p.width, position % p.width)] += g[at(d, b, c, oh, ow)];
            }
          }
        }
      }
    });
  }

  // The three convolution primitives as one walk: every (output element, kernel element) pair
  // whose input element lies inside the input, in the order b, o, oh, ow, c, i, j.
  template <class F>
  static void for_each_conv_term(const Planes& input, const Planes& output, const Window2d& k,
                                 F&& f) {
    for (std::int64_t b = 0; b < output.batch; ++b) {
      for (std::int64_t o = 0; o < output.channels; ++o) {
        for (std::int64_t oh = 0; oh < output.height; ++oh) {
          for (std::int64_t ow = 0; ow < output.width; ++ow) {
            for (std::int64_t c = 0; c < input.channels; ++c) {
              for (std::int64_t i = 0; i < k.kh; ++i) {
                for (std::int64_t j = 0; j < k.kw; ++j) {
                  const std::int64_t ih = oh * k.sh + i * k.dh - k.ph;
                  const std::int64_t iw = ow * k.sw + j * k.dw - k.pw;
                  if (ih < 0 || ih >= input.height || iw < 0 || iw >= input.width) continue;
                  f(b, o, oh, ow, c, i, j, ih, iw);
                }
              }
            }
          }
        }
      }
    }
  }

  void conv2d(const TensorData& in, const TensorData& weight, const TensorData& bias,
              const Window2d& k, const TensorData& out) const override {
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* x = in.data<T>();
      const T* w = weight.data<T>();
      T* y = out.data<T>();
      const Planes o = planes_of(out);
      for (std::int64_t b = 0; b < o.batch; ++b) {
        for (std::int64_t c = 0; c < o.channels; ++c) {
          const T start = bias.defined() ? bias.data<T>()[at(bias, c)] : T(0);
          for (std::int64_t h = 0; h < o.height; ++h) {
            for (std::int64_t v = 0; v < o.width; ++v) y[at(out, b, c, h, v)] = start;
          }
        }
      }
      for_each_conv_term(
          planes_of(in), o, k,
          [&](auto b, auto oc, auto oh, auto ow, auto c, auto i, auto j, auto ih, auto iw) {
            y[at(out, b, oc, oh, ow)] += w[at(weight, oc, c, i, j)] * x[at(in, b, c, ih, iw)];
          });
    });
  }

  void conv2d_backward_input(const TensorData& d, const TensorData& weight, const Window2d& k,
                             const TensorData& dx) const override {
    dispatch_dtype(dx.dtype(), [&]<class T>() {
      const T* g = d.data<T>();
      const T* w = weight.data<T>();
      T* y = dx.data<T>();
      zero_4d<T>(dx);
      for_each_conv_term(
          planes_of(dx), planes_of(d), k,
          [&](auto b, auto oc, auto oh, auto ow, auto c, auto i, auto j, auto ih, auto iw) {
            y[at(dx, b, c, ih, iw)] += w[at(weight, oc, c, i, j)] * g[at(d, b, oc, oh, ow)];
          });
    });
  }

  void conv2d_backward_weight(const TensorData& in, const TensorData& d, const Window2d& k,
                              const TensorData& dweight, const TensorData& dbias) const override {
    dispatch_dtype(dweight.dtype(), [&]<class T>() {
      const T* x = in.data<T>();
      const T* g = d.data<T>();
      T* dw = dweight.data<T>();
      zero_4d<T>(dweight);
      for_each_conv_term(
          planes_of(in), planes_of(d), k,
          [&](auto b, auto oc, auto oh, auto ow, auto c, auto i, auto j, auto ih, auto iw) {
            dw[at(dweight, oc, c, i, j)] += g[at(d, b, oc, oh, ow)] * x[at(in, b, c, ih, iw)];
          });
      if (!dbias.defined()) return;
      T* db = dbias.data<T>();
      const Planes o = planes_of(d);
      for (std::int64_t c = 0; c < o.channels; ++c) db[at(dbias, c)] = T(0);
      for (std::int64_t b = 0; b < o.batch; ++b) {
        for (std::int64_t c = 0; c < o.channels; ++c) {
          for (std::int64_t h = 0; h < o.height; ++h) {
            for (std::int64_t v = 0; v < o.width; ++v) db[at(dbias, c)] += g[at(d, b, c, h, v)];
          }
        }
      }
    });
  }

  void matmul(const TensorData& a, const TensorData& b, const TensorData& out) const override {
    const std::int64_t rank = out.dim();
    const std::int64_t k_size = a.shape()[a.dim() - 1];
    const std::int64_t a_k_stride = a.strides()[a.dim() - 1];
    const std::int64_t b_k_stride = b.strides()[b.dim() - 2];
    dispatch_dtype(out.dtype(), [&]<class T>() {
      const T* x = a.data<T>();
      const T* y = b.data<T>();
      T* z = out.data<T>();
      // For out[..., i, j], a's row i and b's column j: broadcast out's index into a's shape with
      // the column replaced by 0, and into b's shape with the row replaced by 0.
      Index index(rank);
      Index a_index(a.dim());
      Index b_index(b.dim());
      for (std::int64_t n = 0; n < out.numel(); ++n) {
        to_index(n, out.shape(), index);
        broadcast_index(index, out.shape(), a.shape(), a_index);
        broadcast_index(index, out.shape(), b.shape(), b_index);
        a_index[a.dim() - 1] = 0;
        a_index[a.dim() - 2] = index[rank - 2];
        b_index[b.dim() - 2] = 0;
        b_index[b.dim() - 1] = index[rank - 1];
        const std::int64_t a_row = a.offset() + index_to_position(a_index, a.strides());
        const std::int64_t b_col = b.offset() + index_to_position(b_index, b.strides());
        T acc = 0;
        for (std::int64_t k = 0; k < k_size; ++k) {
          acc += x[a_row + k * a_k_stride] * y[b_col + k * b_k_stride];
        }
        z[out.offset() + index_to_position(index, out.strides())] = acc;
      }
    });
  }
};

std::atomic<const Backend*>& default_backend_slot() {
  static std::atomic<const Backend*> slot{&fast_backend()};
  return slot;
}

}  // namespace

const Backend& reference_backend() {
  static const ReferenceBackend backend;
  return backend;
}

const Backend& default_backend() {
  return *default_backend_slot().load();
}

void set_default_backend(const Backend& backend) {
  default_backend_slot().store(&backend);
}

}  // namespace minitorch
