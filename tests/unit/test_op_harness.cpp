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

#include "expect_close.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/backend/cpu_features.h"
#include "minitorch/backend/cuda_backend.h"
#include "minitorch/backend/op_table.h"
#include "minitorch/nn/functional.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/grad_check.h"
#include "minitorch/tensor/tensor_ops.h"

namespace mt = minitorch;
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

std::map<std::string, CaseMaker> make_cases() {
  namespace ops = mt::operators;
  using V = const std::vector<Tensor>&;
  std::map<std::string, CaseMaker> c;
  // ---- elementwise ----
  c["neg"] = [](Generator& g) {
    return unary_trial<ops::Neg>(g, Domain::Any, [](V v) { return -v[0]; });
  };
  c["inv"] = [](Generator& g) {
    return unary_trial<ops::Inv>(g, Domain::AwayFromZero, [](V v) { return v[0].inv(); });
  };
  c["log"] = [](Generator& g) {
    return unary_trial<ops::Log>(g, Domain::Positive, [](V v) { return v[0].log(); });
  };
  c["exp"] = [](Generator& g) {
    return unary_trial<ops::Exp>(g, Domain::Any, [](V v) { return v[0].exp(); });
  };
  c["sigmoid"] = [](Generator& g) {
    return unary_trial<ops::Sigmoid>(g, Domain::Any, [](V v) { return v[0].sigmoid(); });
  };
  c["relu"] = [](Generator& g) {
    return unary_trial<ops::Relu>(g, Domain::AwayFromZero, [](V v) { return v[0].relu(); });
  };
  c["tanh"] = [](Generator& g) {
    return unary_trial<ops::Tanh>(g, Domain::Any, [](V v) { return v[0].tanh(); });
  };
  c["sqrt"] = [](Generator& g) {
    return unary_trial<ops::Sqrt>(g, Domain::Positive, [](V v) { return v[0].sqrt(); });
  };
  c["pow"] = [](Generator& g) {
    const double exponent = std::array{2.0, 3.0, 0.5, -1.5}[pick(g, 0, 3)];
    Trial t =
        unary_trial<ops::Id>(g, Domain::Positive, [exponent](V v) { return v[0].pow(exponent); });
    t.elementwise = [exponent](const std::vector<double>& v) { return std::pow(v[0], exponent); };
    return t;
  };
  c["add"] = [](Generator& g) {
    return binary_trial<ops::Add>(g, Domain::Any, Domain::Any, [](V v) { return v[0] + v[1]; });
  };
  c["sub"] = [](Generator& g) {
    return binary_trial<ops::Sub>(g, Domain::Any, Domain::Any, [](V v) { return v[0] - v[1]; });
  };
  c["mul"] = [](Generator& g) {
    return binary_trial<ops::Mul>(g, Domain::Any, Domain::Any, [](V v) { return v[0] * v[1]; });
  };
  c["div"] = [](Generator& g) {
    return binary_trial<ops::Div>(g, Domain::Any, Domain::AwayFromZero,
                                  [](V v) { return v[0] / v[1]; });
  };
  c["maximum"] = [](Generator& g) {
    return binary_trial<ops::Max>(g, Domain::Any, Domain::Any,
                                  [](V v) { return v[0].maximum(v[1]); });
  };
  c["lt"] = [](Generator& g) {
    return binary_trial<ops::Lt>(
        g, Domain::Any, Domain::Any, [](V v) { return v[0] < v[1]; }, false);
  };
  c["gt"] = [](Generator& g) {
    return binary_trial<ops::Gt>(
        g, Domain::Any, Domain::Any, [](V v) { return v[0] > v[1]; }, false);
  };
  c["eq"] = [](Generator& g) {
    // relu(4a) == 4a exactly when a >= 0: both outcomes, exact in either dtype.
    Trial t = binary_trial<ops::Eq>(
        g, Domain::Any, Domain::Any,
        [](V v) { return (v[0] * 4.0).relu().eq(v[0] * 4.0 + v[1] * 0.0); }, false);
    t.elementwise = [](const std::vector<double>& v) {
      return ops::Eq{}(ops::Relu{}(v[0] * 4), v[0] * 4 + v[1] * 0);
    };
    return t;
  };
  c["is_close"] = [](Generator& g) {
    // a + 0.008 b is within 1e-2 of a exactly when |b| < 1.25: both outcomes.
    Trial t = binary_trial<ops::IsClose>(
        g, Domain::Any, Domain::Any, [](V v) { return (v[0] + v[1] * 0.008).is_close(v[0]); },
        false);
    t.elementwise = [](const std::vector<double>& v) {
      return ops::IsClose{}(v[0] + v[1] * 0.008, v[0]);
    };
    return t;
  };
  c["where"] = [](Generator& g) {
    const Shape shape = random_shape(g);
    return Trial{{random_tensor(g, shape, Domain::Any),
                  random_tensor(g, broadcast_partner(g, shape), Domain::Any),
                  random_tensor(g, broadcast_partner(g, shape), Domain::Any)},
                 [](V v) { return mt::where(v[0] > 0.0, v[1] * v[0], v[2].exp()); }};
  };
  // ---- reductions ----
  c["sum"] = [](Generator& g) {
    const int dim_choice = static_cast<int>(pick(g, 0, 3));
    const bool keepdim = g.uniform() < 0.5;
    return shape_trial(
        g, [dim_choice, keepdim](V v) { return v[0].sum(dim_choice % v[0].dim(), keepdim); });
  };
  c["sum_all"] = [](Generator& g) { return shape_trial(g, [](V v) { return v[0].sum(); }); };
  c["mean"] = [](Generator& g) {
    const int dim_choice = static_cast<int>(pick(g, 0, 3));
    return shape_trial(g,
                       [dim_choice](V v) { return v[0].mean(-1 - dim_choice % v[0].dim(), true); });
  };
  c["mean_all"] = [](Generator& g) { return shape_trial(g, [](V v) { return v[0].mean(); }); };
  c["max"] = [](Generator& g) {
    const int dim_choice = static_cast<int>(pick(g, 0, 3));
    const bool keepdim = g.uniform() < 0.5;
    return shape_trial(
        g, [dim_choice, keepdim](V v) { return v[0].max(dim_choice % v[0].dim(), keepdim).first; });
  };
  c["max_all"] = [](Generator& g) { return shape_trial(g, [](V v) { return v[0].max(); }); };
  c["argmax"] = [](Generator& g) {
    Trial t = shape_trial(g, [](V v) { return v[0].argmax(-1); });
    t.differentiable = false;
    return t;
  };
  // ---- shape ----
  c["permute"] = [](Generator& g) {
    const auto seed = g.next_u64();
    return shape_trial(g, [seed](V v) {
      Generator local(seed);
      return v[0].permute(random_permutation(local, v[0].dim())) * 1.5;
    });
  };
  c["transpose"] = [](Generator& g) {
    const auto a = pick(g, 0, 3);
    const auto b = pick(g, 0, 3);
    return shape_trial(
        g, [a, b](V v) { return v[0].transpose(a % v[0].dim(), b % v[0].dim()).exp(); });
  };
  c["view"] = [](Generator& g) {
    return shape_trial(g, [](V v) { return v[0].contiguous().view({-1, 1}) * 2.0; });
  };
  c["reshape"] = [](Generator& g) {
    return shape_trial(g, [](V v) { return v[0].reshape({v[0].size(-1), -1}).tanh(); });
  };
  c["flatten"] = [](Generator& g) {
    return shape_trial(g, [](V v) { return v[0].flatten().sigmoid(); });
  };
  c["contiguous"] = [](Generator& g) {
    return shape_trial(g, [](V v) { return v[0].contiguous() * v[0]; });
  };
  c["expand"] = [](Generator& g) {
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
  c["narrow"] = [](Generator& g) {
    const auto choice = g.next_u64();
    return shape_trial(g, [choice](V v) {
      const auto d = static_cast<std::int64_t>(choice % v[0].dim());
      const auto size = v[0].size(d);
      const auto start = static_cast<std::int64_t>((choice / 7) % size);
      return v[0].narrow(d, start, size - start).exp();
    });
  };
  c["select"] = [](Generator& g) {
    const auto choice = g.next_u64();
    return shape_trial(g, [choice](V v) {
      const auto d = static_cast<std::int64_t>(choice % v[0].dim());
      return v[0].select(d, static_cast<std::int64_t>((choice / 5) % v[0].size(d))) * 3.0;
    });
  };
  c["unsqueeze"] = [](Generator& g) {
    const auto choice = pick(g, 0, 4);
    return shape_trial(g,
                       [choice](V v) { return v[0].unsqueeze(choice % (v[0].dim() + 1)).exp(); });
  };
  c["squeeze"] = [](Generator& g) {
    const auto choice = pick(g, 0, 3);
    return shape_trial(g, [choice](V v) { return v[0].squeeze(choice % v[0].dim()).exp(); });
  };
  // ---- products and conversions ----
  c["matmul"] = [](Generator& g) {
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
  c["to"] = [](Generator& g) {
    // A round trip through the other dtype. Rounding to float32 is a step function at the scale
    // of central differences, so its gradient is checked in test_tensor.cpp instead.
    Trial t = shape_trial(g, [](V v) {
      const auto other = v[0].dtype() == mt::kFloat64 ? mt::kFloat32 : mt::kFloat64;
      return v[0].to(other).to(v[0].dtype()) * 2.0;
    });
    t.differentiable = false;
    return t;
  };
  c["clone"] = [](Generator& g) { return shape_trial(g, [](V v) { return v[0].clone() * v[0]; }); };
  // ---- nn::functional ----
  namespace F = mt::nn::functional;
  c["softmax"] = [](Generator& g) {
    const auto choice = pick(g, 0, 3);
    return shape_trial(g, [choice](V v) { return F::softmax(v[0] * 3.0, choice % v[0].dim()); });
  };
  c["log_softmax"] = [](Generator& g) {
    const auto choice = pick(g, 0, 3);
    return shape_trial(
        g, [choice](V v) { return F::log_softmax(v[0] * 3.0, -1 - choice % v[0].dim()); });
  };
  c["dropout"] = [](Generator& g) {
    const double p = std::array{0.0, 0.25, 0.5, 1.0}[pick(g, 0, 3)];
    const auto seed = g.next_u64();
    return shape_trial(g, [p, seed](V v) {
      Generator local(seed);  // the same mask for every dtype and backend of a trial
      return F::dropout(v[0], p, /*training=*/true, &local);
    });
  };
  c["dropout_with_mask"] = [](Generator& g) {
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
  c["tile"] = [](Generator& g) {
    const auto kh = pick(g, 1, 3), kw = pick(g, 1, 3);
    const Shape shape{pick(g, 1, 2), pick(g, 1, 3), kh * pick(g, 1, 3), kw * pick(g, 1, 3)};
    return Trial({random_tensor(g, shape, Domain::Any)},
                 [kh, kw](V v) { return F::tile(v[0], kh, kw) * 2.0; });
  };
  c["avg_pool2d"] = [](Generator& g) {
    const PoolArgs a = pool_args(g);
    return Trial({random_tensor(g, pool_shape(g, a), Domain::Any)},
                 [a](V v) { return F::avg_pool2d(v[0], a.kernel, a.stride, a.padding); });
  };
  c["max_pool2d"] = [](Generator& g) {
    const PoolArgs a = pool_args(g);
    return Trial({distinct_tensor(g, pool_shape(g, a))},
                 [a](V v) { return F::max_pool2d(v[0], a.kernel, a.stride, a.padding); });
  };
  // Random convolution geometry that leaves at least one output position.
  auto random_window = [](Generator& g, std::int64_t h, std::int64_t w) {
    mt::Window2d k{pick(g, 1, 3), pick(g, 1, 3), pick(g, 1, 2), pick(g, 1, 2),
                   pick(g, 0, 1), pick(g, 0, 1), pick(g, 1, 2), pick(g, 1, 2)};
    while (k.dh * (k.kh - 1) + 1 > h + 2 * k.ph) k.kh = 1;
    while (k.dw * (k.kw - 1) + 1 > w + 2 * k.pw) k.kw = 1;
    return k;
  };
  c["im2col"] = [random_window](Generator& g) {
    const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
    const mt::Window2d k = random_window(g, shape[2], shape[3]);
    return Trial({random_tensor(g, shape, Domain::Any)}, [k](V v) { return mt::im2col(v[0], k); });
  };
  c["unfold"] = [random_window](Generator& g) {
    const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
    const mt::Window2d k = random_window(g, shape[2], shape[3]);
    return Trial({random_tensor(g, shape, Domain::Any)}, [k](V v) { return mt::unfold(v[0], k); });
  };
  c["fold"] = [random_window](Generator& g) {
    const std::int64_t h = pick(g, 1, 5), w = pick(g, 1, 5);
    const mt::Window2d k = random_window(g, h, w);
    const Shape cols{pick(g, 1, 2), pick(g, 1, 3) * k.kh * k.kw, k.out_h(h) * k.out_w(w)};
    return Trial({random_tensor(g, cols, Domain::Any)}, [k, h, w](V v) {
      return mt::fold(v[0], {h, w}, k);
    });
  };
  c["pool2d"] = [random_window](Generator& g) {
    // The backend's general window: stride, dilation and padding up to half the kernel.
    const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
    mt::Window2d k = random_window(g, shape[2], shape[3]);
    k.ph = std::min(k.ph, k.kh / 2);
    k.pw = std::min(k.pw, k.kw / 2);
    const auto op = g.uniform() < 0.5 ? mt::PoolOp::Max : mt::PoolOp::Avg;
    const Tensor x =
        op == mt::PoolOp::Max ? distinct_tensor(g, shape) : random_tensor(g, shape, Domain::Any);
    return Trial({x}, [k, op](V v) { return mt::pool2d(v[0], op, k) * 1.5; });
  };
  c["conv2d"] = [random_window](Generator& g) {
    const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5), pick(g, 1, 5)};
    const mt::Window2d k = random_window(g, shape[2], shape[3]);
    const Shape weight{pick(g, 1, 4), shape[1], k.kh, k.kw};
    return Trial({random_tensor(g, shape, Domain::Any), random_tensor(g, weight, Domain::Any),
                  random_tensor(g, {weight[0]}, Domain::Any)},
                 [k](V v) {
                   return F::conv2d(
                       v[0], v[1], v[2],
                       {.stride = {k.sh, k.sw}, .padding = {k.ph, k.pw}, .dilation = {k.dh, k.dw}});
                 });
  };
  c["conv1d"] = [random_window](Generator& g) {
    const Shape shape{pick(g, 1, 2), pick(g, 1, 3), pick(g, 1, 5)};
    const mt::Window2d k = random_window(g, 1, shape[2]);
    const Shape weight{pick(g, 1, 4), shape[1], k.kw};
    return Trial({random_tensor(g, shape, Domain::Any), random_tensor(g, weight, Domain::Any)},
                 [k](V v) {
                   return F::conv1d(v[0], v[1], Tensor(),
                                    {.stride = k.sw, .padding = k.pw, .dilation = k.dw});
                 });
  };
  c["embedding"] = [](Generator& g) {
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
  c["cat"] = [](Generator& g) {
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

TEST(OpHarnessTable, EveryOperationHasACase) {
  std::set<std::string> required(mt::kTensorOps.begin(), mt::kTensorOps.end());
  required.insert(mt::nn::functional::kFunctionalOps.begin(),
                  mt::nn::functional::kFunctionalOps.end());
  for (auto op : mt::kUnaryOps) required.insert(mt::op_name(op));
  for (auto op : mt::kBinaryOps) {
    required.insert(op == mt::BinaryOp::Max ? "maximum" : mt::op_name(op));
  }
  for (auto op : mt::kReduceOps) required.insert(mt::op_name(op));
  for (auto op : mt::kPoolOps) required.insert(mt::op_name(op));
  for (const auto& [primitive, harness_case] : mt::kWindowPrimitives) {
    EXPECT_TRUE(cases().count(std::string(harness_case)))
        << "backend primitive " << primitive << " has no harness case " << harness_case;
  }
  for (const auto& name : required)
    EXPECT_TRUE(cases().count(name)) << "no harness case for " << name;
  for (const auto& [name, maker] : cases()) {
    EXPECT_TRUE(required.count(name))
        << "case " << name << " is not in kTensorOps / kFunctionalOps";
  }
}

}  // namespace
