// Every defaulted Backend operation: each backend's override (the reference's direct loops, the
// fast backend's kernels, CUDA's where a GPU is present) and the composition over the fast
// backend's primitives, against the composition over the reference backend's primitives
// (composed.h), on random shapes, windows, strided inputs and outputs. Max pooling and argmax also
// get coarse values (ties, NaN, −inf) so that the first-maximum and NaN rules are compared exactly.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "generators.h"
#include "minitorch/backend/composed.h"
#include "minitorch/cuda/cuda_backend.h"
#include "minitorch/storage/storage.h"

namespace mt = minitorch;
using mt::Backend;
using mt::Shape;
using mt::TensorData;
using mt::testing::uniform;

namespace {

using Tensors = std::vector<TensorData>;
// Runs one operation on `backend`: inputs and outputs live on its device.
using Call = std::function<void(const Backend&, const Tensors& in, const Tensors& out)>;

// A backend's operation against the same operation composed over another backend's primitives.
struct Subject {
  std::string name;
  const Backend* backend;
  bool composed;  // run the composition over backend's primitives instead of its override
};

std::vector<Subject> subjects() {
  std::vector<Subject> out{{"reference", &mt::reference_backend(), false},
                           {"fast", &mt::fast_backend(), false},
                           {"composed over fast", &mt::fast_backend(), true}};
  if (mt::cuda_available()) out.push_back({"cuda", &mt::cuda_backend(0), false});
  return out;
}

// A [shape] tensor of random values on the host; strided: a narrowed view of a wider buffer.
TensorData random_tensor(const Shape& shape, bool strided, bool coarse) {
  Shape wide = shape;
  if (strided) wide.back() += 2;
  const TensorData buffer = TensorData::zeros(wide, mt::kFloat64);
  auto* p = buffer.data<double>();
  constexpr double kCoarse[] = {-1,
                                0,
                                1,
                                2,
                                std::numeric_limits<double>::quiet_NaN(),
                                -std::numeric_limits<double>::infinity()};
  for (std::int64_t i = 0; i < buffer.numel(); ++i) {
    p[i] = coarse ? kCoarse[*uniform(0, 6)] : *uniform(-1000, 1001) / 250.0;
  }
  return strided ? buffer.narrow(static_cast<std::int64_t>(shape.size()) - 1, 1, shape.back())
                 : buffer;
}

// A zero [shape] output on device, strided like random_tensor when asked.
TensorData output(const Shape& shape, bool strided, mt::Device device) {
  Shape wide = shape;
  if (strided) wide.back() += 1;
  const TensorData buffer = TensorData::zeros(wide, mt::kFloat64, device);
  return strided ? buffer.narrow(static_cast<std::int64_t>(shape.size()) - 1, 0, shape.back())
                 : buffer;
}

// `t` on device: t itself when already there, else a copy (dense, when t is a view with gaps).
TensorData on(const TensorData& t, mt::Device device) {
  if (t.device() == device || t.is_dense()) return t.moved_to(device);
  const TensorData packed = TensorData::uninitialized(t.shape(), t.dtype());
  mt::reference_backend().copy(t, packed);
  return packed.moved_to(device);
}

void expect_same(const TensorData& got_anywhere, const TensorData& want, double tolerance,
                 const std::string& what) {
  const TensorData got = on(got_anywhere, mt::kCPU);
  RC_ASSERT(got.shape() == want.shape());
  mt::Index index(want.shape().size());
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    mt::to_index(i, want.shape(), index);
    const double a = got.get(index), b = want.get(index);
    const bool same = (std::isnan(a) && std::isnan(b)) || a == b ||
                      std::abs(a - b) <= tolerance * (1 + std::abs(b));
    if (!same) {
      RC_FAIL(what + ": element " + std::to_string(i) + " is " + std::to_string(a) + ", expected " +
              std::to_string(b));
    }
  }
}

// Runs `override_call` on every subject (or `composition` for a composed subject) and expects
// what `composition` gives over the reference backend's primitives.
void compare(const Call& override_call, const Call& composition, const Tensors& inputs,
             const std::vector<Shape>& outputs, bool strided_out, double tolerance) {
  Tensors want;
  for (const auto& shape : outputs) want.push_back(output(shape, strided_out, mt::kCPU));
  composition(mt::reference_backend(), inputs, want);
  for (const Subject& s : subjects()) {
    const mt::Device device = s.backend->device();
    Tensors in, got;
    for (const auto& t : inputs) in.push_back(t.defined() ? on(t, device) : t);
    for (const auto& shape : outputs) got.push_back(output(shape, strided_out, device));
    (s.composed ? composition : override_call)(*s.backend, in, got);
    for (std::size_t k = 0; k < got.size(); ++k) {
      expect_same(got[k], want[k], tolerance, s.name + " output " + std::to_string(k));
    }
  }
}

// A random window over [H, W] planes with at least one window position; pool: padding at most
// half the kernel, as PyTorch's pooling requires.
struct Geometry {
  Shape input;
  mt::Window2d window;
};

Geometry random_geometry(bool pool) {
  mt::Window2d w{*uniform<std::int64_t>(1, 4), *uniform<std::int64_t>(1, 4)};
  w.sh = *uniform<std::int64_t>(1, 3);
  w.sw = *uniform<std::int64_t>(1, 3);
  w.dh = *uniform<std::int64_t>(1, 3);
  w.dw = *uniform<std::int64_t>(1, 3);
  w.ph = *uniform<std::int64_t>(0, pool ? w.kh / 2 + 1 : 3);
  w.pw = *uniform<std::int64_t>(0, pool ? w.kw / 2 + 1 : 3);
  const std::int64_t min_h = std::max<std::int64_t>(1, w.dh * (w.kh - 1) + 1 - 2 * w.ph);
  const std::int64_t min_w = std::max<std::int64_t>(1, w.dw * (w.kw - 1) + 1 - 2 * w.pw);
  return {{*uniform<std::int64_t>(1, 3), *uniform<std::int64_t>(1, 4),
           *uniform<std::int64_t>(min_h, min_h + 5), *uniform<std::int64_t>(min_w, min_w + 5)},
          w};
}

Shape pooled(const Geometry& g) {
  return {g.input[0], g.input[1], g.window.out_h(g.input[2]), g.window.out_w(g.input[3])};
}

Shape columns(const Geometry& g) {
  const Shape p = pooled(g);
  return {g.input[0], g.input[1] * g.window.kh * g.window.kw, p[2] * p[3]};
}

constexpr double kExact = 0;
constexpr double kSums = 1e-9;  // sums in another order

}  // namespace

RC_GTEST_PROP(Composed, Unfold, ()) {
  const Geometry g = random_geometry(false);
  const auto w = g.window;
  compare([w](const Backend& b, const Tensors& i, const Tensors& o) { b.unfold(i[0], w, o[0]); },
          [w](const Backend& b, const Tensors& i, const Tensors& o) {
            mt::composed::unfold(b, i[0], w, o[0]);
          },
          {random_tensor(g.input, *rc::gen::arbitrary<bool>(), false)}, {columns(g)},
          *rc::gen::arbitrary<bool>(), kExact);
}

RC_GTEST_PROP(Composed, Fold, ()) {
  const Geometry g = random_geometry(false);
  const auto w = g.window;
  compare([w](const Backend& b, const Tensors& i, const Tensors& o) { b.fold(i[0], w, o[0]); },
          [w](const Backend& b, const Tensors& i, const Tensors& o) {
            mt::composed::fold(b, i[0], w, o[0]);
          },
          {random_tensor(columns(g), *rc::gen::arbitrary<bool>(), false)}, {g.input},
          *rc::gen::arbitrary<bool>(), kSums);
}

RC_GTEST_PROP(Composed, Pool2d, ()) {
  const Geometry g = random_geometry(true);
  const auto w = g.window;
  const auto op = *rc::gen::element(mt::PoolOp::Max, mt::PoolOp::Avg);
  compare([w, op](const Backend& b, const Tensors& i,
                  const Tensors& o) { b.pool2d(op, i[0], w, o[0], o[1]); },
          [w, op](const Backend& b, const Tensors& i, const Tensors& o) {
            mt::composed::pool2d(b, op, i[0], w, o[0], o[1]);
          },
          {random_tensor(g.input, *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>())},
          {pooled(g), pooled(g)}, *rc::gen::arbitrary<bool>(), kSums);
}

RC_GTEST_PROP(Composed, Pool2dBackward, ()) {
  const Geometry g = random_geometry(true);
  const auto w = g.window;
  const auto op = *rc::gen::element(mt::PoolOp::Max, mt::PoolOp::Avg);
  // Indices from a forward pass over values with ties and NaN.
  const TensorData x = random_tensor(g.input, false, true);
  const TensorData values = TensorData::zeros(pooled(g), mt::kFloat64);
  const TensorData indices = TensorData::zeros(pooled(g), mt::kFloat64);
  mt::reference_backend().pool2d(mt::PoolOp::Max, x, w, values, indices);
  compare([w, op](const Backend& b, const Tensors& i,
                  const Tensors& o) { b.pool2d_backward(op, i[0], i[1], w, o[0]); },
          [w, op](const Backend& b, const Tensors& i, const Tensors& o) {
            mt::composed::pool2d_backward(b, op, i[0], i[1], w, o[0]);
          },
          {random_tensor(pooled(g), *rc::gen::arbitrary<bool>(), false), indices}, {g.input},
          *rc::gen::arbitrary<bool>(), kSums);
}

RC_GTEST_PROP(Composed, Conv2d, ()) {
  const Geometry g = random_geometry(false);
  const auto w = g.window;
  const std::int64_t out_channels = *uniform<std::int64_t>(1, 4);
  const bool with_bias = *rc::gen::arbitrary<bool>();
  compare(
      [w](const Backend& b, const Tensors& i, const Tensors& o) {
        b.conv2d(i[0], i[1], i[2], w, o[0]);
      },
      [w](const Backend& b, const Tensors& i, const Tensors& o) {
        mt::composed::conv2d(b, i[0], i[1], i[2], w, o[0]);
      },
      {random_tensor(g.input, *rc::gen::arbitrary<bool>(), false),
       random_tensor({out_channels, g.input[1], w.kh, w.kw}, *rc::gen::arbitrary<bool>(), false),
       with_bias ? random_tensor({out_channels}, false, false) : TensorData()},
      {{g.input[0], out_channels, pooled(g)[2], pooled(g)[3]}}, *rc::gen::arbitrary<bool>(), kSums);
}

RC_GTEST_PROP(Composed, Conv2dBackwardInput, ()) {
  const Geometry g = random_geometry(false);
  const auto w = g.window;
  const std::int64_t out_channels = *uniform<std::int64_t>(1, 4);
  compare(
      [w](const Backend& b, const Tensors& i, const Tensors& o) {
        b.conv2d_backward_input(i[0], i[1], w, o[0]);
      },
      [w](const Backend& b, const Tensors& i, const Tensors& o) {
        mt::composed::conv2d_backward_input(b, i[0], i[1], w, o[0]);
      },
      {random_tensor({g.input[0], out_channels, pooled(g)[2], pooled(g)[3]},
                     *rc::gen::arbitrary<bool>(), false),
       random_tensor({out_channels, g.input[1], w.kh, w.kw}, *rc::gen::arbitrary<bool>(), false)},
      {g.input}, *rc::gen::arbitrary<bool>(), kSums);
}

RC_GTEST_PROP(Composed, Conv2dBackwardWeight, ()) {
  const Geometry g = random_geometry(false);
  const auto w = g.window;
  const std::int64_t out_channels = *uniform<std::int64_t>(1, 4);
  const Shape weight{out_channels, g.input[1], w.kh, w.kw};
  const auto d = random_tensor({g.input[0], out_channels, pooled(g)[2], pooled(g)[3]},
                               *rc::gen::arbitrary<bool>(), false);
  const auto x = random_tensor(g.input, *rc::gen::arbitrary<bool>(), false);
  const bool strided_out = *rc::gen::arbitrary<bool>();
  if (*rc::gen::arbitrary<bool>()) {
    compare([w](const Backend& b, const Tensors& i,
                const Tensors& o) { b.conv2d_backward_weight(i[0], i[1], w, o[0], o[1]); },
            [w](const Backend& b, const Tensors& i, const Tensors& o) {
              mt::composed::conv2d_backward_weight(b, i[0], i[1], w, o[0], o[1]);
            },
            {x, d}, {weight, {out_channels}}, strided_out, kSums);
  } else {
    compare([w](const Backend& b, const Tensors& i,
                const Tensors& o) { b.conv2d_backward_weight(i[0], i[1], w, o[0], TensorData()); },
            [w](const Backend& b, const Tensors& i, const Tensors& o) {
              mt::composed::conv2d_backward_weight(b, i[0], i[1], w, o[0], TensorData());
            },
            {x, d}, {weight}, strided_out, kSums);
  }
}

// index [N] of row numbers in [0, V), strided when asked.
TensorData random_index(std::int64_t rows, std::int64_t count, bool strided) {
  const TensorData index = random_tensor({count}, strided, false);
  mt::Index at(1);
  for (std::int64_t n = 0; n < count; ++n) {
    at[0] = n;
    index.set(at, double(*uniform<std::int64_t>(0, rows)));
  }
  return index;
}

RC_GTEST_PROP(Composed, GatherRows, ()) {
  const std::int64_t rows = *uniform<std::int64_t>(1, 6), width = *uniform<std::int64_t>(1, 6);
  const std::int64_t count = *uniform<std::int64_t>(0, 8);
  compare(
      [](const Backend& b, const Tensors& i, const Tensors& o) { b.gather_rows(i[0], i[1], o[0]); },
      [](const Backend& b, const Tensors& i, const Tensors& o) {
        mt::composed::gather_rows(b, i[0], i[1], o[0]);
      },
      {random_tensor({rows, width}, *rc::gen::arbitrary<bool>(), *rc::gen::arbitrary<bool>()),
       random_index(rows, count, *rc::gen::arbitrary<bool>())},
      {{count, width}}, *rc::gen::arbitrary<bool>(), kExact);
}

RC_GTEST_PROP(Composed, ScatterAddRows, ()) {
  const std::int64_t rows = *uniform<std::int64_t>(1, 6), width = *uniform<std::int64_t>(1, 6);
  const std::int64_t count = *uniform<std::int64_t>(0, 8);
  // The CPU backends add the rows in index order, as the contract says, and so give equal sums;
  // CUDA adds repeated rows with atomics, in no fixed order: hence a sum's tolerance.
  compare([](const Backend& b, const Tensors& i,
             const Tensors& o) { b.scatter_add_rows(i[0], i[1], o[0]); },
          [](const Backend& b, const Tensors& i, const Tensors& o) {
            mt::composed::scatter_add_rows(b, i[0], i[1], o[0]);
          },
          {random_tensor({count, width}, *rc::gen::arbitrary<bool>(), false),
           random_index(rows, count, *rc::gen::arbitrary<bool>())},
          {{rows, width}}, *rc::gen::arbitrary<bool>(), kSums);
}

RC_GTEST_PROP(Composed, Argmax, ()) {
  const Shape shape = *mt::testing::shapes(1, 4, 1, 5);
  const auto dim = *uniform<std::int64_t>(0, static_cast<std::int64_t>(shape.size()));
  Shape reduced = shape;
  reduced[dim] = 1;
  const bool coarse = *rc::gen::arbitrary<bool>();
  TensorData x = random_tensor(shape, *rc::gen::arbitrary<bool>(), coarse);
  if (shape.size() == 2 && *rc::gen::arbitrary<bool>()) {
    // A transposed view: the innermost dimension in memory is no longer the last.
    x = random_tensor({shape[1], shape[0]}, false, coarse).transpose(0, 1);
  }
  compare(
      [dim](const Backend& b, const Tensors& i, const Tensors& o) { b.argmax(i[0], dim, o[0]); },
      [dim](const Backend& b, const Tensors& i, const Tensors& o) {
        mt::composed::argmax(b, i[0], dim, o[0]);
      },
      {x}, {reduced}, *rc::gen::arbitrary<bool>(), kExact);
}
