// The cross-backend op harness: every Tensor operation, from one table of cases, on random shapes
// (1–4 dims, sizes 1–5), permuted non-contiguous inputs and broadcast pairs, in float32 and
// float64. The CUDA backend runs every case against the reference in its own suite (CudaOpHarness),
// each case reported skipped where there is no CUDA device. For each trial it checks
//   - each backend under test against the reference backend (forward values);
//   - float32 against float64 on the same values;
//   - non-contiguous inputs against contiguous copies of them;
//   - elementwise operations against their operator functor applied element by element;
//   - gradients against central differences in float64 (grad_check).
// A name of kTensorOps or a backend primitive without a case fails the harness.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <numeric>
#include <set>
#include <stdexcept>

#include "expect_close.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/backend/cpu_features.h"
#include "minitorch/backend/op_table.h"
#include "minitorch/cuda/cuda_backend.h"
#include "minitorch/nn/functional.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/grad_check.h"
#include "minitorch/tensor/tensor_ops.h"
#include "pool_primitive.h"

namespace mt = minitorch;
namespace F = minitorch::nn::functional;
using mt::Generator;
using mt::Shape;
using mt::Tensor;
using mt::testing::expect_close;

namespace {

constexpr int kTrialsPerOp = 25;

// Backends checked against the reference; later backends add themselves here.
std::vector<const mt::Backend*> backends_under_test() {
  return {&mt::reference_backend(), &mt::fast_backend()};
}

// Every instruction set this processor supports: each has its own compiled kernels.
std::vector<mt::CpuIsa> isas_under_test() {
  std::vector<mt::CpuIsa> out;
  for (auto isa : {mt::CpuIsa::Generic, mt::CpuIsa::Avx2, mt::CpuIsa::Avx512}) {
    if (isa <= mt::best_supported_isa()) out.push_back(isa);
  }
  return out;
}

enum class Domain { Any, Positive, AwayFromZero };

std::int64_t pick(Generator& g, std::int64_t low, std::int64_t high) {  // inclusive
  return low + static_cast<std::int64_t>(g.next_u64() % static_cast<std::uint64_t>(high - low + 1));
}

Shape random_shape(Generator& g, int min_dims = 1, int max_dims = 4) {
  Shape shape(pick(g, min_dims, max_dims));
  for (auto& size : shape) size = pick(g, 1, 5);
  return shape;
}

double random_value(Generator& g, Domain domain) {
  switch (domain) {
    case Domain::Positive:
      return g.uniform(0.5, 2.0);
    case Domain::AwayFromZero:
      return (g.uniform() < 0.5 ? -1.0 : 1.0) * g.uniform(0.5, 2.0);
    case Domain::Any:
      break;
  }
  return g.uniform(-2.0, 2.0);
}

std::vector<std::int64_t> random_permutation(Generator& g, std::size_t n) {
  std::vector<std::int64_t> p(n);
  std::iota(p.begin(), p.end(), 0);
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[g.next_u64() % i]);
  return p;
}

// A float64 tensor of `shape`; half the time a permuted (non-contiguous) view of other storage.
Tensor random_tensor(Generator& g, const Shape& shape, Domain domain) {
  const auto perm = random_permutation(g, shape.size());
  Shape stored(shape.size());
  for (std::size_t k = 0; k < shape.size(); ++k) stored[k] = shape[perm[k]];
  std::vector<double> values(mt::numel(shape));
  for (auto& v : values) v = random_value(g, domain);
  const Tensor base =
      mt::from_vector(values, g.uniform() < 0.5 ? shape : stored, {.dtype = mt::kFloat64});
  if (base.shape() == shape) return base;
  std::vector<std::int64_t> inverse(perm.size());
  for (std::size_t k = 0; k < perm.size(); ++k) inverse[perm[k]] = static_cast<std::int64_t>(k);
  return base.permute(inverse);
}

// A shape that broadcasts with `shape`: some leading dims dropped, some sizes replaced by 1.
Shape broadcast_partner(Generator& g, const Shape& shape) {
  Shape out(shape.begin() + pick(g, 0, static_cast<std::int64_t>(shape.size()) - 1), shape.end());
  for (auto& size : out) {
    if (g.uniform() < 0.3) size = 1;
  }
  return out;
}

struct Trial {
  Trial(std::vector<Tensor> inputs_, mt::TensorFunction fn_, bool differentiable_ = true)
      : inputs(std::move(inputs_)), fn(std::move(fn_)), differentiable(differentiable_) {}

  std::vector<Tensor> inputs;  // float64, possibly non-contiguous
  mt::TensorFunction fn;
  bool differentiable;
  // For elementwise cases: the functor's value at one element's inputs.
  std::function<double(const std::vector<double>&)> elementwise;
};

using CaseMaker = std::function<Trial(Generator&)>;

template <class Op>
Trial unary_trial(Generator& g, Domain domain, mt::TensorFunction fn) {
  Trial t{{random_tensor(g, random_shape(g), domain)}, std::move(fn)};
  t.elementwise = [](const std::vector<double>& v) { return Op{}(v[0]); };
  return t;
}

template <class Op>
Trial binary_trial(Generator& g, Domain a_domain, Domain b_domain, mt::TensorFunction fn,
                   bool differentiable = true) {
  Shape a = random_shape(g);
  Shape b = broadcast_partner(g, a);
  if (g.uniform() < 0.5) std::swap(a, b);
  Trial t{{random_tensor(g, a, a_domain), random_tensor(g, b, b_domain)},
          std::move(fn),
          differentiable};
  t.elementwise = [](const std::vector<double>& v) { return Op{}(v[0], v[1]); };
  return t;
}

Trial shape_trial(Generator& g, mt::TensorFunction fn, int min_dims = 1) {
  return {{random_tensor(g, random_shape(g, min_dims), Domain::Any)}, std::move(fn)};
}

// Distinct values (a shuffled even spacing) in a tensor of `shape`, half the time a strided view:
// max-pooling inputs, so that a central difference never crosses a tie.
Tensor distinct_tensor(Generator& g, const Shape& shape) {
  std::vector<double> values(mt::numel(shape));
  for (std::size_t n = 0; n < values.size(); ++n) values[n] = 0.1 * double(n) - 2.0;
  for (std::size_t n = values.size(); n > 1; --n)
    std::swap(values[n - 1], values[g.next_u64() % n]);
  if (g.uniform() < 0.5) return mt::from_vector(values, shape, {.dtype = mt::kFloat64});
  const Shape swapped{shape[0], shape[2], shape[1], shape[3]};
  return mt::from_vector(values, swapped, {.dtype = mt::kFloat64}).permute({0, 2, 1, 3});
}

// PyTorch-style pooling arguments: kernel 1-3, stride 1-3 or the default (the kernel), padding
// up to half the kernel.
struct PoolArgs {
  std::array<std::int64_t, 2> kernel, stride, padding;
};

PoolArgs pool_args(Generator& g) {
  PoolArgs a{{pick(g, 1, 3), pick(g, 1, 3)}, {0, 0}, {0, 0}};
  if (g.uniform() < 0.7) a.stride = {pick(g, 1, 3), pick(g, 1, 3)};
  a.padding = {pick(g, 0, a.kernel[0] / 2), pick(g, 0, a.kernel[1] / 2)};
  return a;
}

// An input with at least one window for those arguments.
Shape pool_shape(Generator& g, const PoolArgs& a) {
  return {pick(g, 1, 2), pick(g, 1, 3), a.kernel[0] + pick(g, 0, 4), a.kernel[1] + pick(g, 0, 4)};
}

// Random convolution geometry that leaves at least one output position.
mt::Window2d random_window(Generator& g, std::int64_t h, std::int64_t w) {
  mt::Window2d k{pick(g, 1, 3), pick(g, 1, 3), pick(g, 1, 2), pick(g, 1, 2),
                 pick(g, 0, 1), pick(g, 0, 1), pick(g, 1, 2), pick(g, 1, 2)};
  while (k.dh * (k.kh - 1) + 1 > h + 2 * k.ph) k.kh = 1;
  while (k.dw * (k.kw - 1) + 1 > w + 2 * k.pw) k.kw = 1;
  return k;
}

// The case of each operation. A switch without `default`: an operation added to its list
// (tensor/tensor_ops.h, nn/functional.h) without a case here is a -Wswitch error.
CaseMaker case_for(mt::TensorOp op) {
  namespace ops = mt::operators;
  using V = const std::vector<Tensor>&;
  using Op = mt::TensorOp;
  switch (op) {
    case Op::neg:
      return [](Generator& g) {
        return unary_trial<ops::Neg>(g, Domain::Any, [](V v) { return -v[0]; });
      };
    case Op::inv:
      return [](Generator& g) {
        return unary_trial<ops::Inv>(g, Domain::AwayFromZero, [](V v) { return v[0].inv(); });
      };
    case Op::log:
      return [](Generator& g) {
        return unary_trial<ops::Log>(g, Domain::Positive, [](V v) { return v[0].log(); });
      };
    case Op::exp:
      return [](Generator& g) {
        return unary_trial<ops::Exp>(g, Domain::Any, [](V v) { return v[0].exp(); });
      };
    case Op::sigmoid:
      return [](Generator& g) {
        return unary_trial<ops::Sigmoid>(g, Domain::Any, [](V v) { return v[0].sigmoid(); });
      };
    case Op::relu:
      return [](Generator& g) {
        return unary_trial<ops::Relu>(g, Domain::AwayFromZero, [](V v) { return v[0].relu(); });
      };
    case Op::tanh:
      return [](Generator& g) {
        return unary_trial<ops::Tanh>(g, Domain::Any, [](V v) { return v[0].tanh(); });
      };
    case Op::sqrt:
      return [](Generator& g) {
        return unary_trial<ops::Sqrt>(g, Domain::Positive, [](V v) { return v[0].sqrt(); });
      };
    case Op::pow:
      return [](Generator& g) {
        const double exponent = std::array{2.0, 3.0, 0.5, -1.5}[pick(g, 0, 3)];
        Trial t = unary_trial<ops::Id>(g, Domain::Positive,
                                       [exponent](V v) { return v[0].pow(exponent); });
        t.elementwise = [exponent](const std::vector<double>& v) {
          return std::pow(v[0], exponent);
        };
        return t;
      };
    case Op::add:
      return [](Generator& g) {
        return binary_trial<ops::Add>(g, Domain::Any, Domain::Any, [](V v) { return v[0] + v[1]; });
      };
    case Op::sub:
      return [](Generator& g) {
        return binary_trial<ops::Sub>(g, Domain::Any, Domain::Any, [](V v) { return v[0] - v[1]; });
      };
    case Op::mul:
      return [](Generator& g) {
        return binary_trial<ops::Mul>(g, Domain::Any, Domain::Any, [](V v) { return v[0] * v[1]; });
      };
    case Op::div:
      return [](Generator& g) {
        return binary_trial<ops::Div>(g, Domain::Any, Domain::AwayFromZero,
                                      [](V v) { return v[0] / v[1]; });
      };
    case Op::maximum:
      return [](Generator& g) {
        return binary_trial<ops::Max>(g, Domain::Any, Domain::Any,
                                      [](V v) { return v[0].maximum(v[1]); });
      };
    case Op::lt:
      return [](Generator& g) {
        return binary_trial<ops::Lt>(
            g, Domain::Any, Domain::Any, [](V v) { return v[0] < v[1]; }, false);
      };
    case Op::gt:
      return [](Generator& g) {
        return binary_trial<ops::Gt>(
            g, Domain::Any, Domain::Any, [](V v) { return v[0] > v[1]; }, false);
      };
    case Op::eq:
      return [](Generator& g) {
        // relu(4a) == 4a exactly when a >= 0: both outcomes, exact in either dtype.
        Trial t = binary_trial<ops::Eq>(
            g, Domain::Any, Domain::Any,
            [](V v) { return (v[0] * 4.0).relu().eq(v[0] * 4.0 + v[1] * 0.0); }, false);
        t.elementwise = [](const std::vector<double>& v) {
          return ops::Eq{}(ops::Relu{}(v[0] * 4), v[0] * 4 + v[1] * 0);
        };
        return t;
      };
    case Op::is_close:
      return [](Generator& g) {
        // a + 0.008 b is within 1e-2 of a exactly when |b| < 1.25: both outcomes.
        Trial t = binary_trial<ops::IsClose>(
            g, Domain::Any, Domain::Any, [](V v) { return (v[0] + v[1] * 0.008).is_close(v[0]); },
            false);
        t.elementwise = [](const std::vector<double>& v) {
          return ops::IsClose{}(v[0] + v[1] * 0.008, v[0]);
        };
        return t;
      };
    case Op::where:
      return [](Generator& g) {
        const Shape shape = random_shape(g);
        return Trial{{random_tensor(g, shape, Domain::Any),
                      random_tensor(g, broadcast_partner(g, shape), Domain::Any),
                      random_tensor(g, broadcast_partner(g, shape), Domain::Any)},
                     [](V v) { return mt::where(v[0] > 0.0, v[1] * v[0], v[2].exp()); }};
      };
    case Op::sum:
      return [](Generator& g) {
        const int dim_choice = static_cast<int>(pick(g, 0, 3));
        const bool keepdim = g.uniform() < 0.5;
        return shape_trial(
            g, [dim_choice, keepdim](V v) { return v[0].sum(dim_choice % v[0].dim(), keepdim); });
      };
    case Op::sum_all:
      return [](Generator& g) { return shape_trial(g, [](V v) { return v[0].sum(); }); };
    case Op::mean:
      return [](Generator& g) {
        const int dim_choice = static_cast<int>(pick(g, 0, 3));
        return shape_trial(
            g, [dim_choice](V v) { return v[0].mean(-1 - dim_choice % v[0].dim(), true); });
      };
    case Op::mean_all:
      return [](Generator& g) { return shape_trial(g, [](V v) { return v[0].mean(); }); };
    case Op::max:
      return [](Generator& g) {
        const int dim_choice = static_cast<int>(pick(g, 0, 3));
        const bool keepdim = g.uniform() < 0.5;
        return shape_trial(g, [dim_choice, keepdim](V v) {
          return v[0].max(dim_choice % v[0].dim(), keepdim).first;
        });
      };
    case Op::max_all:
      return [](Generator& g) { return shape_trial(g, [](V v) { return v[0].max(); }); };
    case Op::argmax:
      return [](Generator& g) {
        Trial t = shape_trial(g, [](V v) { return v[0].argmax(-1); });
        t.differentiable = false;
        return t;
      };
    case Op::permute:
      return [](Generator& g) {
        const auto seed = g.next_u64();
        return shape_trial(g, [seed](V v) {
          Generator local(seed);
          return v[0].permute(random_permutation(local, v[0].dim())) * 1.5;
        });
      };
    case Op::transpose:
      return [](Generator& g) {
        const auto a = pick(g, 0, 3);
        const auto b = pick(g, 0, 3);
        return shape_trial(
            g, [a, b](V v) { return v[0].transpose(a % v[0].dim(), b % v[0].dim()).exp(); });
      };
    case Op::view:
      return [](Generator& g) {
        return shape_trial(g, [](V v) { return v[0].contiguous().view({-1, 1}) * 2.0; });
      };
    case Op::reshape:
      return [](Generator& g) {
        return shape_trial(g, [](V v) { return v[0].reshape({v[0].size(-1), -1}).tanh(); });
      };
    case Op::flatten:
      return
          [](Generator& g) { return shape_trial(g, [](V v) { return v[0].flatten().sigmoid(); }); };
    case Op::contiguous:
      return
          [](Generator& g) { return shape_trial(g, [](V v) { return v[0].contiguous() * v[0]; }); };
    case Op::expand:
      return [](Generator& g) {
        const auto extra = pick(g, 1, 3);
        return shape_trial(g, [extra](V v) {
          Shape target = v[0].shape();
          for (auto& size : target) {
            if (size == 1) size = 3;
          }
          target.insert(target.begin(), extra);
          return v[0].expand(target) * 1.0;
        });
      };
    case Op::narrow:
      return [](Generator& g) {
        const auto choice = g.next_u64();
        return shape_trial(g, [choice](V v) {
          const auto d = static_cast<std::int64_t>(choice % v[0].dim());
          const auto size = v[0].size(d);
          const auto start = static_cast<std::int64_t>((choice / 7) % size);
          return v[0].narrow(d, start, size - start).exp();
        });
      };
    case Op::select:
      return [](Generator& g) {
        const auto choice = g.next_u64();
        return shape_trial(g, [choice](V v) {
          const auto d = static_cast<std::int64_t>(choice % v[0].dim());
          return v[0].select(d, static_cast<std::int64_t>((choice / 5) % v[0].size(d))) * 3.0;
        });
      };
    case Op::unsqueeze:
      return [](Generator& g) {
        const auto choice = pick(g, 0, 4);
        return shape_trial(
            g, [choice](V v) { return v[0].unsqueeze(choice % (v[0].dim() + 1)).exp(); });
      };
    case Op::squeeze:
      return [](Generator& g) {
        const auto choice = pick(g, 0, 3);
        return shape_trial(g, [choice](V v) { return v[0].squeeze(choice % v[0].dim()).exp(); });
      };
    case Op::matmul:
      return [](Generator& g) {
        const auto n = pick(g, 1, 5), k = pick(g, 1, 5), m = pick(g, 1, 5);
        Shape batch = random_shape(g, 0, 2);
        Shape a{n, k}, b{k, m};
        Shape a_batch = broadcast_partner(g, batch.empty() ? Shape{1} : batch);
        a.insert(a.begin(), a_batch.begin(), a_batch.end());
        b.insert(b.begin(), batch.begin(), batch.end());
        // 0: left vector, 1: right vector, 2: two vectors (the 0-D dot product), else matrices.
        const auto vector_case = pick(g, 0, 4);
        if (vector_case == 0 || vector_case == 2) a = {k};
        if (vector_case == 1 || vector_case == 2) b = {k};
        return Trial{{random_tensor(g, a, Domain::Any), random_tensor(g, b, Domain::Any)},
                     [](V v) { return v[0].matmul(v[1]); }};
      };
    case Op::to:
      return [](Generator& g) {
        // A round trip through the other dtype. Rounding to float32 is a step function at the scale
        // of central differences, so its gradient is checked in test_tensor.cpp instead.
        Trial t = shape_trial(g, [](V v) {
          const auto other = v[0].dtype() == mt::kFloat64 ? mt::kFloat32 : mt::kFloat64;
          return v[0].to(other).to(v[0].dtype()) * 2.0;
        });
        t.differentiable = false;
        return t;
      };
    case Op::clone:
      return [](Generator& g) { return shape_trial(g, [](V v) { return v[0].clone() * v[0]; }); };
    case Op::im2col:
      return [](Generator& g) {
        const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
        const mt::Window2d k = random_window(g, shape[2], shape[3]);
        return Trial({random_tensor(g, shape, Domain::Any)},
                     [k](V v) { return mt::im2col(v[0], k); });
      };
    case Op::unfold:
      return [](Generator& g) {
        const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
        const mt::Window2d k = random_window(g, shape[2], shape[3]);
        return Trial({random_tensor(g, shape, Domain::Any)},
                     [k](V v) { return mt::unfold(v[0], k); });
      };
    case Op::fold:
      return [](Generator& g) {
        const std::int64_t h = pick(g, 1, 5), w = pick(g, 1, 5);
        const mt::Window2d k = random_window(g, h, w);
        const Shape cols{pick(g, 1, 2), pick(g, 1, 3) * k.kh * k.kw, k.out_h(h) * k.out_w(w)};
        return Trial({random_tensor(g, cols, Domain::Any)}, [k, h, w](V v) {
          return mt::fold(v[0], {h, w}, k);
        });
      };
    case Op::pool2d:
      return [](Generator& g) {
        // The backend's general window: stride, dilation and padding up to half the kernel, through
        // the public entry points. PyTorch's avg_pool2d has no dilation, so average pooling with
        // dilation calls the primitive (no autograd node: its backward is checked by
        // PoolPrimitive.AverageWithDilationBackwardIsTheAdjointOnEveryBackend).
        const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
        mt::Window2d k = random_window(g, shape[2], shape[3]);
        k.ph = std::min(k.ph, k.kh / 2);
        k.pw = std::min(k.pw, k.kw / 2);
        const auto op = g.uniform() < 0.5 ? mt::PoolOp::Max : mt::PoolOp::Avg;
        const Tensor x = op == mt::PoolOp::Max ? distinct_tensor(g, shape)
                                               : random_tensor(g, shape, Domain::Any);
        if (op == mt::PoolOp::Max) {
          return Trial({x}, [k](V v) {
            return F::max_pool2d(v[0], {k.kh, k.kw}, {k.sh, k.sw}, {k.ph, k.pw}, {k.dh, k.dw}) *
                   1.5;
          });
        }
        if (k.dh == 1 && k.dw == 1) {
          return Trial({x}, [k](V v) {
            return F::avg_pool2d(v[0], {k.kh, k.kw}, {k.sh, k.sw}, {k.ph, k.pw}) * 1.5;
          });
        }
        return Trial(
            {x}, [k](V v) { return mt::testing::pool_primitive(v[0], mt::PoolOp::Avg, k) * 1.5; },
            /*differentiable_=*/false);
      };
    case Op::conv2d:
      return [](Generator& g) {
        const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
        const mt::Window2d k = random_window(g, shape[2], shape[3]);
        const Shape weight{pick(g, 1, 4), shape[1], k.kh, k.kw};
        return Trial(
            {random_tensor(g, shape, Domain::Any), random_tensor(g, weight, Domain::Any),
             random_tensor(g, {weight[0]}, Domain::Any)},
            [k](V v) {
              return F::conv2d(
                  v[0], v[1], v[2],
                  {.stride = {k.sh, k.sw}, .padding = {k.ph, k.pw}, .dilation = {k.dh, k.dw}});
            });
      };
    case Op::embedding:
      return [](Generator& g) {
        const auto rows = pick(g, 1, 6);
        const Shape index_shape = random_shape(g, 1, 2);
        std::vector<double> picks(mt::numel(index_shape));
        for (auto& p : picks) p = double(pick(g, 0, rows - 1));  // repeats exercise the scatter-add
        const Tensor indices = mt::from_vector(picks, index_shape, {.dtype = mt::kFloat64});
        Trial t({random_tensor(g, {rows, pick(g, 1, 4)}, Domain::Any)}, [indices](V v) {
          return mt::embedding(v[0], indices.to(v[0].dtype()).to(v[0].backend())) * 2.0;
        });
        return t;
      };
    case Op::cat:
      return [](Generator& g) {
        const Shape base = random_shape(g, 1, 3);
        const auto d = pick(g, 0, std::int64_t(base.size()) - 1);
        std::vector<Tensor> parts;
        for (auto n = pick(g, 1, 3); n > 0; --n) {
          Shape shape = base;
          shape[d] = pick(g, 1, 3);
          parts.push_back(random_tensor(g, shape, Domain::Any));
        }
        return Trial(parts, [d](V v) { return mt::cat(v, d); });
      };
    case Op::Count:
      break;
  }
  throw std::logic_error("no harness case");
}

CaseMaker case_for(mt::nn::functional::FunctionalOp op) {
  namespace ops = mt::operators;
  using V = const std::vector<Tensor>&;
  using Op = mt::nn::functional::FunctionalOp;
  switch (op) {
    case Op::softmax:
      return [](Generator& g) {
        const auto choice = pick(g, 0, 3);
        return shape_trial(g,
                           [choice](V v) { return F::softmax(v[0] * 3.0, choice % v[0].dim()); });
      };
    case Op::log_softmax:
      return [](Generator& g) {
        const auto choice = pick(g, 0, 3);
        return shape_trial(
            g, [choice](V v) { return F::log_softmax(v[0] * 3.0, -1 - choice % v[0].dim()); });
      };
    case Op::dropout:
      return [](Generator& g) {
        const double p = std::array{0.0, 0.25, 0.5, 1.0}[pick(g, 0, 3)];
        const auto seed = g.next_u64();
        return shape_trial(g, [p, seed](V v) {
          Generator local(seed);  // the same mask for every dtype and backend of a trial
          return F::dropout(v[0], p, /*training=*/true, &local);
        });
      };
    case Op::dropout_with_mask:
      return [](Generator& g) {
        const double p = std::array{0.0, 0.25, 0.5, 1.0}[pick(g, 0, 3)];
        const Tensor x = random_tensor(g, random_shape(g), Domain::Any);
        std::vector<double> keep(x.numel());
        for (auto& k : keep) k = g.uniform() < 0.6 ? 1.0 : 0.0;
        const Tensor mask = mt::from_vector(keep, x.shape(), {.dtype = mt::kFloat64});
        return Trial({x}, [p, mask](V v) {
          const Tensor m = mask.to(v[0].dtype()).to(v[0].backend());
          return F::dropout_with_mask(v[0], m, p);
        });
      };
    case Op::tile:
      return [](Generator& g) {
        const auto kh = pick(g, 1, 3), kw = pick(g, 1, 3);
        const Shape shape{pick(g, 1, 2), pick(g, 1, 3), kh * pick(g, 1, 3), kw * pick(g, 1, 3)};
        return Trial({random_tensor(g, shape, Domain::Any)},
                     [kh, kw](V v) { return F::tile(v[0], kh, kw) * 2.0; });
      };
    case Op::avg_pool2d:
      return [](Generator& g) {
        const PoolArgs a = pool_args(g);
        return Trial({random_tensor(g, pool_shape(g, a), Domain::Any)},
                     [a](V v) { return F::avg_pool2d(v[0], a.kernel, a.stride, a.padding); });
      };
    case Op::max_pool2d:
      return [](Generator& g) {
        const PoolArgs a = pool_args(g);
        // Half the trials with a dilation of 1 or 2 per dimension (max pooling only, as PyTorch).
        std::array<std::int64_t, 2> dilation{1, 1};
        if (g.uniform() < 0.5) dilation = {pick(g, 1, 2), pick(g, 1, 2)};
        Shape shape = pool_shape(g, a);
        for (int d : {0, 1}) shape[2 + d] += (dilation[d] - 1) * (a.kernel[d] - 1);
        return Trial({distinct_tensor(g, shape)}, [a, dilation](V v) {
          return F::max_pool2d(v[0], a.kernel, a.stride, a.padding, dilation);
        });
      };
    case Op::conv1d:
      return [](Generator& g) {
        const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5)};
        const mt::Window2d k = random_window(g, 1, shape[2]);
        const Shape weight{pick(g, 1, 4), shape[1], k.kw};
        return Trial({random_tensor(g, shape, Domain::Any), random_tensor(g, weight, Domain::Any)},
                     [k](V v) {
                       return F::conv1d(v[0], v[1], Tensor(),
                                        {.stride = k.sw, .padding = k.pw, .dilation = k.dw});
                     });
      };
    case Op::conv2d:  // F::conv2d is the entry point the tensor case already exercises
      return case_for(mt::TensorOp::conv2d);
    case Op::Count:
      break;
  }
  throw std::logic_error("no harness case");
}

std::map<std::string, CaseMaker> make_cases() {
  std::map<std::string, CaseMaker> c;
  for (std::size_t i = 0; i < std::size_t(mt::TensorOp::Count); ++i) {
    c.emplace(mt::kTensorOps[i], case_for(mt::TensorOp(i)));
  }
  for (std::size_t i = 0; i < std::size_t(mt::nn::functional::FunctionalOp::Count); ++i) {
    c.emplace(mt::nn::functional::kFunctionalOps[i], case_for(mt::nn::functional::FunctionalOp(i)));
  }
  return c;
}

const std::map<std::string, CaseMaker>& cases() {
  static const auto table = make_cases();
  return table;
}

std::vector<Tensor> converted(const std::vector<Tensor>& inputs, mt::Dtype dtype,
                              const mt::Backend& backend, bool contiguous) {
  std::vector<Tensor> out;
  for (const auto& x : inputs) {
    Tensor y = x.to(dtype);
    if (contiguous) y = y.contiguous();
    out.push_back(y.to(backend));  // a permuted view stays one, on any device
  }
  return out;
}

// The elementwise oracle: the functor applied to each output element's (broadcast) inputs.
void expect_elementwise(const Trial& trial, const Tensor& out) {
  mt::Index index(out.dim());
  const auto values = out.to_vector();
  for (std::int64_t n = 0; n < out.numel(); ++n) {
    mt::to_index(n, out.shape(), index);
    std::vector<double> args;
    for (const auto& input : trial.inputs) {
      mt::Index local(input.dim());
      mt::broadcast_index(index, out.shape(), input.shape(), local);
      args.push_back(input.get(local));
    }
    ASSERT_NEAR(values[n], trial.elementwise(args), 1e-12 * (1 + std::abs(values[n])))
        << "element " << n;
  }
}

std::string describe(const Trial& trial) {
  std::string text;
  for (const auto& x : trial.inputs) {
    text += mt::shape_to_string(x.shape()) + (x.is_contiguous() ? " " : " (strided) ");
  }
  return text;
}

class OpHarness : public ::testing::TestWithParam<std::string> {};

TEST_P(OpHarness, MatchesReferenceDtypesLayoutsOracleAndGradients) {
  const CaseMaker& make = cases().at(GetParam());
  Generator g(std::hash<std::string>{}(GetParam()));
  for (int trial_number = 0; trial_number < kTrialsPerOp; ++trial_number) {
    const Trial trial = make(g);
    SCOPED_TRACE("trial " + std::to_string(trial_number) + ", inputs " + describe(trial));
    const auto& reference = mt::reference_backend();
    const Tensor expected = trial.fn(converted(trial.inputs, mt::kFloat64, reference, false));

    const Tensor contiguous = trial.fn(converted(trial.inputs, mt::kFloat64, reference, true));
    expect_close(contiguous, expected, 0.0, "contiguous inputs");
    for (const mt::Backend* backend : backends_under_test()) {
      for (const mt::CpuIsa isa : isas_under_test()) {
        mt::set_cpu_isa(isa);
        for (const int threads : {1, 2}) {
          mt::set_num_threads(threads);
          for (const mt::Dtype dtype : {mt::kFloat64, mt::kFloat32}) {
            const Tensor got = trial.fn(converted(trial.inputs, dtype, *backend, false));
            EXPECT_EQ(got.dtype(), dtype);
            const double tolerance = dtype == mt::kFloat64 ? 1e-12 : 1e-4;
            expect_close(got.to(mt::kFloat64), expected, tolerance,
                         backend->name() + " " + mt::isa_name(isa) + " " + std::to_string(threads) +
                             " threads " + mt::dtype_name(dtype));
          }
        }
      }
      mt::set_cpu_isa(mt::best_supported_isa());
    }
    if (trial.elementwise) expect_elementwise(trial, expected);
    if (trial.differentiable) {
      const auto check = mt::grad_check(trial.fn, trial.inputs);
      ASSERT_TRUE(check.ok) << check.message;
    }
  }
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& [name, maker] : cases()) names.push_back(name);
  return names;
}

INSTANTIATE_TEST_SUITE_P(EveryOp, OpHarness, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// Every case on the GPU against the reference, in both dtypes, with the trial's strided inputs
// and their contiguous copies; gradients too (the backward of each op runs on the GPU), compared
// with the reference's.
class CudaOpHarness : public ::testing::TestWithParam<std::string> {};

TEST_P(CudaOpHarness, MatchesReference) {
  if (!mt::cuda_available()) GTEST_SKIP() << "skipped: no CUDA device";
  const CaseMaker& make = cases().at(GetParam());
  Generator g(std::hash<std::string>{}(GetParam()));
  const mt::Backend& cuda = mt::cuda_backend(0);
  const auto& reference = mt::reference_backend();
  for (int trial_number = 0; trial_number < kTrialsPerOp; ++trial_number) {
    const Trial trial = make(g);
    SCOPED_TRACE("trial " + std::to_string(trial_number) + ", inputs " + describe(trial));
    for (const mt::Dtype dtype : {mt::kFloat64, mt::kFloat32}) {
      const double tolerance = dtype == mt::kFloat64 ? 1e-10 : 1e-4;
      for (const bool contiguous : {false, true}) {
        const auto ref_inputs = converted(trial.inputs, dtype, reference, contiguous);
        const auto gpu_inputs = converted(trial.inputs, dtype, cuda, contiguous);
        for (std::size_t k = 0; trial.differentiable && k < gpu_inputs.size(); ++k) {
          ref_inputs[k].requires_grad_();
          gpu_inputs[k].requires_grad_();
        }
        const Tensor expected = trial.fn(ref_inputs);
        const Tensor got = trial.fn(gpu_inputs);
        const std::string what = std::string("cuda ") + mt::dtype_name(dtype) +
                                 (contiguous ? " contiguous" : " strided");
        EXPECT_EQ(got.device(), mt::Device::cuda(0)) << what;
        expect_close(got.to(mt::kFloat64), expected.to(mt::kFloat64), tolerance, what);
        if (!trial.differentiable || !expected.requires_grad()) continue;
        // The same seed gradient on both, through every op's backward.
        const Tensor seed = mt::ones_like(expected) * 0.5;
        expected.backward(seed);
        got.backward(seed.to(cuda));
        for (std::size_t k = 0; k < gpu_inputs.size(); ++k) {
          if (!ref_inputs[k].has_grad()) continue;
          expect_close(gpu_inputs[k].grad().to(mt::kFloat64), ref_inputs[k].grad().to(mt::kFloat64),
                       tolerance, what + " gradient of input " + std::to_string(k));
        }
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(EveryOp, CudaOpHarness, ::testing::ValuesIn(case_names()),
                         [](const auto& info) { return info.param; });

// Average pooling is linear, so its backward is right exactly when it is the forward's adjoint:
// <pool(x), g> = <x, pool_backward(g)>. Checked on windows with dilation, which no public entry
// point takes (the harness case pool2d compares their forward across backends), on every backend
// and the GPU where there is one, each backward also against the reference's.
TEST(PoolPrimitive, AverageWithDilationBackwardIsTheAdjointOnEveryBackend) {
  Generator g(17);
  std::vector<const mt::Backend*> backends = backends_under_test();
  if (mt::cuda_available()) backends.push_back(&mt::cuda_backend(0));
  for (int trial = 0; trial < kTrialsPerOp; ++trial) {
    const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 2, 6), pick(g, 2, 6)};
    mt::Window2d k = random_window(g, shape[2], shape[3]);
    k.dh = pick(g, 2, 3);
    k.dw = pick(g, 2, 3);
    while (k.dh * (k.kh - 1) + 1 > shape[2] + 2 * k.ph) --k.kh;
    while (k.dw * (k.kw - 1) + 1 > shape[3] + 2 * k.pw) --k.kw;
    k.ph = std::min(k.ph, k.kh / 2);
    k.pw = std::min(k.pw, k.kw / 2);
    SCOPED_TRACE("trial " + std::to_string(trial) + ", input " + mt::shape_to_string(shape) +
                 ", kernel " + std::to_string(k.kh) + "x" + std::to_string(k.kw) + ", dilation " +
                 std::to_string(k.dh) + "x" + std::to_string(k.dw));
    const Tensor x = random_tensor(g, shape, Domain::Any);
    const Tensor d =
        random_tensor(g, {shape[0], shape[1], k.out_h(shape[2]), k.out_w(shape[3])}, Domain::Any);
    const auto& reference = mt::reference_backend();
    const Tensor want =
        mt::testing::pool_primitive_backward(x.to(reference), mt::PoolOp::Avg, k, d.to(reference));
    for (const mt::Backend* backend : backends) {
      const Tensor xb = x.to(*backend), db = d.to(*backend);
      const Tensor y = mt::testing::pool_primitive(xb, mt::PoolOp::Avg, k);
      const Tensor dx = mt::testing::pool_primitive_backward(xb, mt::PoolOp::Avg, k, db);
      const double forward_side = (y * db).sum().item();
      const double backward_side = (xb * dx).sum().item();
      EXPECT_NEAR(forward_side, backward_side, 1e-12 * (1 + std::abs(forward_side)))
          << backend->name();
      expect_close(dx.to(mt::kFloat64).to(reference), want, 1e-12, backend->name() + " backward");
    }
  }
}

// The harness case that exercises each backend primitive: switches without `default`, so a
// primitive added to its list in backend/op_table.h without a case here fails the build.
using T = mt::TensorOp;
using Fn = F::FunctionalOp;

std::string_view covering_case(mt::UnaryOp op) {
  using Op = mt::UnaryOp;
  switch (op) {
    case Op::Neg:
      return mt::op_name(T::neg);
    case Op::Inv:
      return mt::op_name(T::inv);
    case Op::Log:
      return mt::op_name(T::log);
    case Op::Exp:
      return mt::op_name(T::exp);
    case Op::Sigmoid:
      return mt::op_name(T::sigmoid);
    case Op::Relu:
      return mt::op_name(T::relu);
    case Op::Tanh:
      return mt::op_name(T::tanh);
    case Op::Sqrt:
      return mt::op_name(T::sqrt);
    case Op::Count:
      break;
  }
  throw std::logic_error("no harness case");
}

std::string_view covering_case(mt::BinaryOp op) {
  using Op = mt::BinaryOp;
  switch (op) {
    case Op::Add:
      return mt::op_name(T::add);
    case Op::Sub:
      return mt::op_name(T::sub);
    case Op::Mul:
      return mt::op_name(T::mul);
    case Op::Div:
      return mt::op_name(T::div);
    case Op::Pow:
      return mt::op_name(T::pow);
    case Op::Max:
      return mt::op_name(T::maximum);
    case Op::Lt:
      return mt::op_name(T::lt);
    case Op::Gt:
      return mt::op_name(T::gt);
    case Op::Eq:
      return mt::op_name(T::eq);
    case Op::IsClose:
      return mt::op_name(T::is_close);
    case Op::Count:
      break;
  }
  throw std::logic_error("no harness case");
}

std::string_view covering_case(mt::ReduceOp op) {
  using Op = mt::ReduceOp;
  switch (op) {
    case Op::Sum:
      return mt::op_name(T::sum);
    case Op::Max:
      return mt::op_name(T::max);
    case Op::Count:
      break;
  }
  throw std::logic_error("no harness case");
}

std::string_view covering_case(mt::PoolOp op) {
  using Op = mt::PoolOp;
  switch (op) {
    case Op::Max:
      return F::kFunctionalOps[std::size_t(Fn::max_pool2d)];
    case Op::Avg:
      return F::kFunctionalOps[std::size_t(Fn::avg_pool2d)];
    case Op::Count:
      break;
  }
  throw std::logic_error("no harness case");
}

std::string_view covering_case(mt::WindowPrimitive op) {
  using Op = mt::WindowPrimitive;
  switch (op) {
    case Op::unfold:
      return mt::op_name(T::unfold);
    case Op::fold:
      return mt::op_name(T::fold);
    case Op::pool2d:
      return mt::op_name(T::pool2d);
    case Op::pool2d_backward:
      return mt::op_name(T::pool2d);
    case Op::conv2d:
      return mt::op_name(T::conv2d);
    case Op::conv2d_backward_input:
      return mt::op_name(T::conv2d);
    case Op::conv2d_backward_weight:
      return mt::op_name(T::conv2d);
    case Op::Count:
      break;
  }
  throw std::logic_error("no harness case");
}

template <class Op, std::size_t N>
void expect_covered(const std::array<Op, N>& primitives) {
  for (const Op op : primitives) {
    EXPECT_TRUE(cases().count(std::string(covering_case(op))))
        << "backend primitive " << mt::op_name(op) << " has no harness case";
  }
}

TEST(OpHarnessTable, EveryOperationHasACase) {
  std::set<std::string> required(mt::kTensorOps.begin(), mt::kTensorOps.end());
  required.insert(F::kFunctionalOps.begin(), F::kFunctionalOps.end());
  for (const auto& name : required)
    EXPECT_TRUE(cases().count(name)) << "no harness case for " << name;
  for (const auto& [name, maker] : cases()) {
    EXPECT_TRUE(required.count(name))
        << "case " << name << " is not in kTensorOps / kFunctionalOps";
  }
  expect_covered(mt::kUnaryOps);
  expect_covered(mt::kBinaryOps);
  expect_covered(mt::kReduceOps);
  expect_covered(mt::kPoolOps);
  expect_covered(mt::kWindowPrimitives);
}

// Elementwise primitives are exercised by the case of the same name (maximum: BinaryOp::Max).
TEST(OpHarnessTable, ElementwisePrimitivesShareTheirCaseName) {
  for (const auto op : mt::kUnaryOps) EXPECT_EQ(covering_case(op), mt::op_name(op));
  for (const auto op : mt::kBinaryOps) {
    if (op != mt::BinaryOp::Max) {
      EXPECT_EQ(covering_case(op), mt::op_name(op));
    }
  }
}

}  // namespace
