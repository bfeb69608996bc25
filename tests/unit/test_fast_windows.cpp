// The fast backend's window kernels (unfold, fold, pooling, convolution) against the reference on
// shapes the op harness's small random ones never reach: LeNet's layers (stride-1 convolutions on
// the input's grid, several images a product; GEMMs on the deep dot-product and few-row paths),
// rows long enough for the vectorised 2×2 pooling in both vector widths, padding, stride and
// dilation, strided inputs, both dtypes, every instruction set, 1 and 2 threads; values and
// gradients.
#include <gtest/gtest.h>

#include <limits>

#include "minitorch/nn/functional.h"
#include "minitorch/tensor/creation.h"
#include "pool_primitive.h"
#include "reference_check.h"

namespace mt = minitorch;
namespace F = mt::nn::functional;
using mt::Tensor;
using mt::testing::check_against_reference;

namespace {

using V = const std::vector<Tensor>&;

// A leaf with v's values that requires grad, on v's backend.
Tensor leaf(const Tensor& v) {
  return Tensor(v.tensor_data(), &v.backend(), /*requires_grad=*/true);
}

// The gradient of Σ fn(x) · g with respect to input `which` of fn.
Tensor gradient(V v, std::size_t which, const Tensor& g,
                const std::function<Tensor(const std::vector<Tensor>&)>& fn) {
  std::vector<Tensor> leaves;
  for (const auto& x : v) leaves.push_back(leaf(x));
  (fn(leaves) * Tensor(g.to(v[0].dtype()).tensor_data(), &v[0].backend())).sum().backward();
  return leaves[which].grad();
}

// Every check in float64 (tight) and float32.
void check_both_dtypes(const std::vector<Tensor>& inputs,
                       const std::function<Tensor(const std::vector<Tensor>&)>& fn,
                       const std::string& what) {
  std::vector<Tensor> doubles, floats;
  for (const auto& x : inputs) {
    doubles.push_back(x.to(mt::kFloat64));
    floats.push_back(x.to(mt::kFloat32));
  }
  check_against_reference(doubles, fn, what + " float64", 1e-11);
  check_against_reference(floats, fn, what + " float32", 2e-4);
}

// conv2d's output and all three gradients for one geometry.
void check_conv(const mt::Shape& input, const mt::Shape& weight,
                const F::Conv2dFuncOptions& options, const std::string& what) {
  mt::Generator gen(7);  // local: other tests keep the default generator
  const Tensor x = mt::randn(input, {.dtype = mt::kFloat64}, &gen);
  const Tensor w = mt::randn(weight, {.dtype = mt::kFloat64}, &gen);
  const Tensor b = mt::randn({weight[0]}, {.dtype = mt::kFloat64}, &gen);
  const auto conv = [options](V v) { return F::conv2d(v[0], v[1], v[2], options); };
  const Tensor g = mt::randn(conv({x, w, b}).shape(), {.dtype = mt::kFloat64}, &gen);
  check_both_dtypes({x, w, b}, conv, what + " forward");
  for (std::size_t which : {0, 1, 2}) {
    check_both_dtypes(
        {x, w, b}, [&](V v) { return gradient(v, which, g, conv); },
        what + " gradient " + std::to_string(which));
  }
}

// Pooling over window k through its public entry point: max_pool2d takes any window, avg_pool2d
// one without dilation (as PyTorch's).
Tensor pooled(const Tensor& x, mt::PoolOp op, const mt::Window2d& k) {
  if (op == mt::PoolOp::Max) {
    return F::max_pool2d(x, {k.kh, k.kw}, {k.sh, k.sw}, {k.ph, k.pw}, {k.dh, k.dw});
  }
  return F::avg_pool2d(x, {k.kh, k.kw}, {k.sh, k.sw}, {k.ph, k.pw});
}

// Average pooling with dilation has no public entry point: its backend primitives are compared
// directly, forward and backward.
void check_dilated_average_primitives(const Tensor& x, const mt::Window2d& k, const Tensor& g,
                                      const std::string& what) {
  constexpr auto avg = mt::PoolOp::Avg;
  check_both_dtypes(
      {x}, [k](V v) { return mt::testing::pool_primitive(v[0], avg, k); }, what + " forward");
  check_both_dtypes(
      {x},
      [&](V v) {
        const Tensor d(g.to(v[0].dtype()).tensor_data(), &v[0].backend());
        return mt::testing::pool_primitive_backward(v[0], avg, k, d);
      },
      what + " gradient");
}

// pool2d's output and gradient; max pooling gets distinct values (no ties to break differently).
void check_pool(mt::PoolOp op, const mt::Shape& input, const mt::Window2d& k,
                const std::string& what) {
  mt::Generator gen(8);  // local: other tests keep the default generator
  Tensor x = mt::randn(input, {.dtype = mt::kFloat64}, &gen);
  if (op == mt::PoolOp::Max) {
    x = mt::arange(double(x.numel()), {.dtype = mt::kFloat64}).view(input) * 0.01 +
        x.detach() * 0.001;
  }
  const mt::Shape output{input[0], input[1], k.out_h(input[2]), k.out_w(input[3])};
  const Tensor g = mt::randn(output, {.dtype = mt::kFloat64}, &gen);
  if (op == mt::PoolOp::Avg && (k.dh != 1 || k.dw != 1)) {
    check_dilated_average_primitives(x, k, g, what);
    return;
  }
  const auto pool = [op, k](V v) { return pooled(v[0], op, k); };
  check_both_dtypes({x}, pool, what + " forward");
  check_both_dtypes(
      {x}, [&](V v) { return gradient(v, 0, g, pool); }, what + " gradient");
}

}  // namespace

TEST(FastWindows, LeNetConvolutions) {
  check_conv({4, 1, 28, 28}, {6, 1, 5, 5}, {.padding = {2, 2}}, "conv1");
  check_conv({4, 6, 14, 14}, {16, 6, 5, 5}, {}, "conv2");
  check_conv({13, 6, 14, 14}, {16, 6, 5, 5}, {}, "conv2, several chunks of images");
}

TEST(FastWindows, ConvolutionsWithStrideDilationAndPadding) {
  check_conv({3, 4, 17, 23}, {5, 4, 3, 3},
             {.stride = {2, 3}, .padding = {1, 2}, .dilation = {2, 1}}, "strided dilated");
  check_conv({2, 3, 9, 40}, {20, 3, 1, 7}, {.padding = {0, 3}}, "wide rows");
  check_conv({5, 2, 6, 6}, {3, 2, 6, 6}, {}, "one position");
}

TEST(FastWindows, ConvolutionOfAStridedInput) {
  mt::Generator gen(9);  // local: other tests keep the default generator
  const Tensor x = mt::randn({3, 12, 10, 4}, {.dtype = mt::kFloat64}, &gen).permute({0, 3, 1, 2});
  const Tensor w = mt::randn({7, 4, 3, 3}, {.dtype = mt::kFloat64}, &gen).transpose(2, 3);
  check_both_dtypes(
      {x, w},
      [](V v) {
        return F::conv2d(v[0], v[1], Tensor(), {.padding = {1, 1}});
      },
      "strided input and weight");
}

TEST(FastWindows, TwoByTwoPoolingInEveryVectorWidth) {
  const mt::Window2d two{2, 2, 2, 2};
  for (auto op : {mt::PoolOp::Max, mt::PoolOp::Avg}) {
    const std::string name = op == mt::PoolOp::Max ? "max" : "avg";
    check_pool(op, {3, 6, 28, 28}, two, name + " 28x28");   // 14 outputs a row: wide vectors
    check_pool(op, {2, 16, 10, 11}, two, name + " 10x11");  // 5: narrow vectors, odd width
    check_pool(op, {1, 2, 9, 17}, two, name + " 9x17");     // 8, odd height and width
    check_pool(op, {2, 3, 7, 6}, two, name + " 7x6");       // 3: the general kernel
  }
}

TEST(FastWindows, GeneralPooling) {
  for (auto op : {mt::PoolOp::Max, mt::PoolOp::Avg}) {
    const std::string name = op == mt::PoolOp::Max ? "max" : "avg";
    check_pool(op, {2, 3, 19, 21}, {3, 3, 2, 2, 1, 1}, name + " 3x3 stride 2 padding 1");
    check_pool(op, {2, 3, 12, 13}, {3, 2, 1, 1, 1, 1, 2, 1}, name + " dilated");
    check_pool(op, {1, 2, 9, 30}, {2, 2, 2, 2, 1, 1}, name + " 2x2 with padding");
  }
}

TEST(FastWindows, MaxPoolingTiesAndNaNAsPyTorch) {
  // Ties go to the first maximum of the window; NaN is the maximum.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> values(2 * 32, 1.0);
  values[5] = 3.0, values[32 + 4] = 3.0;  // a tie inside window 2
  values[20] = nan;
  const Tensor x = mt::from_vector(values, {1, 1, 2, 32}, {.dtype = mt::kFloat64});
  check_against_reference(
      {x},
      [](V v) {
        return F::max_pool2d(v[0], {2, 2});
      },
      "ties and NaN", 0.0);
  const Tensor leaf_x = leaf(x.to(mt::kFloat32));
  const Tensor y = F::max_pool2d(leaf_x, {2, 2});
  EXPECT_EQ(y.get({0, 0, 0, 2}), 3.0);
  EXPECT_TRUE(std::isnan(y.get({0, 0, 0, 10})));
  y.sum().backward();
  EXPECT_EQ(leaf_x.grad().get({0, 0, 0, 5}), 1.0);  // the first of the tied maxima
  EXPECT_EQ(leaf_x.grad().get({0, 0, 1, 4}), 0.0);
  EXPECT_EQ(leaf_x.grad().get({0, 0, 0, 20}), 1.0);
}

TEST(FastWindows, UnfoldAndFoldOnLargerShapes) {
  mt::Generator gen(10);  // local: other tests keep the default generator
  const Tensor x = mt::randn({3, 5, 21, 26}, {.dtype = mt::kFloat64}, &gen);
  const mt::Window2d k{4, 3, 2, 1, 2, 1, 1, 2};
  check_both_dtypes(
      {x}, [k](V v) { return mt::unfold(v[0], k); }, "unfold");
  const Tensor cols = mt::randn(mt::unfold(x, k).shape(), {.dtype = mt::kFloat64}, &gen);
  check_both_dtypes(
      {cols},
      [k](V v) {
        return mt::fold(v[0], {21, 26}, k);
      },
      "fold");
}

TEST(FastWindows, ConvolutionIsDeterministicForAFixedThreadCount) {
  mt::Generator gen(11);  // local: other tests keep the default generator
  const Tensor x = mt::randn({16, 6, 14, 14}, {}, &gen);
  const Tensor w = leaf(mt::randn({16, 6, 5, 5}, {}, &gen));
  mt::set_num_threads(2);
  auto weight_grad = [&] {
    w.zero_grad();
    F::conv2d(x, w).sum().backward();
    return w.grad().to_vector();
  };
  EXPECT_EQ(weight_grad(), weight_grad());
}
