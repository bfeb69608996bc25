// Tensor semantics: creation, printing, autograd contract, dtypes and the errors users see.
#include "error_helpers.h"
#include "minitorch/tensor/tensor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/grad_check.h"

namespace mt = minitorch;
using mt::Tensor;

using minitorch::testing::error_of;

namespace {

void expect_values(const Tensor& t, const std::vector<double>& expected, double tol = 1e-6) {
  const auto values = t.to_vector();
  ASSERT_EQ(values.size(), expected.size());
  for (std::size_t i = 0; i < values.size(); ++i) EXPECT_NEAR(values[i], expected[i], tol) << i;
}

}  // namespace

TEST(TensorCreation, NestedListsAndFactories) {
  const Tensor t = mt::tensor({{1, 2, 3}, {4, 5, 6}});
  EXPECT_EQ(t.shape(), (mt::Shape{2, 3}));
  EXPECT_EQ(t.dtype(), mt::kFloat32);
  EXPECT_EQ(t.get({1, 2}), 6.0);
  EXPECT_EQ(mt::tensor(2.5).dim(), 0);
  EXPECT_EQ(mt::tensor(2.5).item(), 2.5);
  EXPECT_EQ(mt::tensor({}).shape(), (mt::Shape{0}));
  expect_values(mt::zeros({2}), {0, 0});
  expect_values(mt::ones({2}, {.dtype = mt::kFloat64}), {1, 1});
  expect_values(mt::full({3}, 7), {7, 7, 7});
  expect_values(mt::arange(4), {0, 1, 2, 3});
  expect_values(mt::arange(1, 2, 0.25), {1, 1.25, 1.5, 1.75});
  expect_values(mt::from_vector({1, 2, 3, 4}, {2, 2}).select(0, 1), {3, 4});
  EXPECT_EQ(mt::zeros_like(t).shape(), t.shape());
  EXPECT_TRUE(mt::zeros({1}, {.requires_grad = true}).requires_grad());
}

TEST(TensorCreation, RaggedListsAndBadSizesAreRejected) {
  EXPECT_NE(error_of([] { mt::tensor({{1, 2}, {3}}); }).find("rectangular"), std::string::npos);
  EXPECT_THROW(mt::tensor({{1, 2}, 3}), mt::Error);
  EXPECT_NE(error_of([] {
              mt::from_vector({1, 2, 3}, {2, 2});
            }).find("3 values for shape [2, 2]"),
            std::string::npos);
  EXPECT_THROW(mt::zeros({2, -1}), mt::Error);
  EXPECT_THROW(mt::arange(0, 1, 0), mt::Error);
}

TEST(TensorCreation, RandomTensorsFollowTheSeed) {
  mt::manual_seed(3);
  const auto a = mt::rand({4}).to_vector();
  mt::manual_seed(3);
  const auto b = mt::rand({4}).to_vector();
  EXPECT_EQ(a, b);
  mt::Generator g(3);
  EXPECT_EQ(mt::rand({4}, {}, &g).to_vector(), a);
  for (double v : a) {
    EXPECT_GE(v, 0.0);
    EXPECT_LT(v, 1.0);
  }
  EXPECT_EQ(mt::randn({1000}).shape(), (mt::Shape{1000}));
}

TEST(TensorPrinting, LikePyTorch) {
  EXPECT_EQ(mt::tensor({{1, 2}, {3, 4}}).to_string(),
            "tensor([[1., 2.],\n"
            "        [3., 4.]])");
  EXPECT_EQ(mt::tensor({1.5, -2}).to_string(), "tensor([ 1.5000, -2.0000])");
  EXPECT_EQ(mt::tensor(3.25).to_string(), "tensor(3.2500)");
  EXPECT_EQ(mt::tensor({1.0}, {.dtype = mt::kFloat64}).to_string(),
            "tensor([1.], dtype=torch.float64)");
  EXPECT_EQ(mt::tensor({1.0}, {.requires_grad = true}).to_string(),
            "tensor([1.], requires_grad=True)");
  const Tensor x = mt::tensor({1.0}, {.requires_grad = true});
  EXPECT_EQ((x * 2.0).to_string(), "tensor([2.], grad_fn=<MulBackward0>)");
  EXPECT_EQ(mt::arange(8).view({2, 2, 2}).to_string(),
            "tensor([[[0., 1.],\n"
            "         [2., 3.]],\n"
            "\n"
            "        [[4., 5.],\n"
            "         [6., 7.]]])");
  EXPECT_EQ(mt::tensor({1e-5, 1.0}).to_string(), "tensor([1.0000e-05, 1.0000e+00])");
  EXPECT_NE(mt::arange(2000).to_string().find("2., ..., 1997."), std::string::npos);
  std::ostringstream os;
  os << mt::tensor({0.5});
  EXPECT_EQ(os.str(), "tensor([0.5000])");
}

TEST(TensorAutograd, GradientsAccumulateUntilZeroed) {
  const Tensor x = mt::tensor({1, 2, 3}, {.requires_grad = true});
  (x * x).sum().backward();
  expect_values(x.grad(), {2, 4, 6});
  (x * 3.0).sum().backward();
  expect_values(x.grad(), {5, 7, 9});
  x.zero_grad();
  EXPECT_FALSE(x.has_grad());
  EXPECT_FALSE(x.grad().defined());
}

TEST(TensorAutograd, BroadcastGradientsAreReducedToTheOperandShape) {
  const Tensor a = mt::ones({2, 3}, {.requires_grad = true});
  const Tensor b = mt::tensor({1, 2, 3}, {.requires_grad = true});
  const Tensor c = mt::tensor({{1}, {2}}, {.requires_grad = true});
  (a * b + c).sum().backward();
  EXPECT_EQ(b.grad().shape(), (mt::Shape{3}));
  expect_values(b.grad(), {2, 2, 2});
  EXPECT_EQ(c.grad().shape(), (mt::Shape{2, 1}));
  expect_values(c.grad(), {3, 3});
  expect_values(a.grad(), {1, 2, 3, 1, 2, 3});
}

TEST(TensorAutograd, BackwardTwiceNeedsRetainGraph) {
  const Tensor x = mt::tensor({1, 2}, {.requires_grad = true});
  const Tensor y = (x * x).sum();
  y.backward(Tensor(), /*retain_graph=*/true);
  y.backward();
  expect_values(x.grad(), {4, 8});
  EXPECT_NE(error_of([&] { y.backward(); }).find("second time"), std::string::npos);
}

TEST(TensorAutograd, NonScalarBackwardNeedsAGradient) {
  const Tensor x = mt::tensor({1, 2}, {.requires_grad = true});
  const Tensor y = x * 2.0;
  EXPECT_NE(error_of([&] { y.backward(); }).find("shape [2]"), std::string::npos);
  EXPECT_THROW(y.backward(mt::ones({3})), mt::Error);
  y.backward(mt::tensor({1, 10}));
  expect_values(x.grad(), {2, 20});
}

TEST(TensorAutograd, DetachNoGradAndConstants) {
  const Tensor x = mt::tensor({1, 2}, {.requires_grad = true});
  EXPECT_FALSE(x.detach().requires_grad());
  EXPECT_EQ(x.detach().tensor_data().storage(), x.tensor_data().storage());
  {
    mt::NoGradGuard no_grad;
    EXPECT_FALSE((x * 2.0).requires_grad());
  }
  EXPECT_TRUE((x * 2.0).requires_grad());
  EXPECT_FALSE((x < 1.0).requires_grad());  // comparisons have no gradient
  EXPECT_FALSE((mt::ones({2}) * 2.0).requires_grad());
  EXPECT_THROW(mt::ones({2}).sum().backward(), mt::Error);
  EXPECT_THROW((x * 2.0).requires_grad_(false), mt::Error);
}

TEST(TensorAutograd, SharedSubexpressionsAndViews) {
  const Tensor x = mt::tensor({{1, 2}, {3, 4}}, {.dtype = mt::kFloat64, .requires_grad = true});
  const Tensor t = x.transpose(0, 1);
  const Tensor y = (t * x + t.exp()).sum();  // d/dx: xᵀ + xᵀ (from both factors) + exp(x)
  y.backward();
  const auto g = x.grad().to_vector();
  const std::vector<double> xs{1, 2, 3, 4};
  const std::vector<double> xt{1, 3, 2, 4};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(g[i], 2 * xt[i] + std::exp(xs[i]), 1e-12) << i;
}

TEST(TensorAutograd, SetDataUpdatesInPlaceWithoutHistory) {
  const Tensor w = mt::tensor({1, 2}, {.requires_grad = true});
  const Tensor view = w.detach();
  w.set_data(mt::tensor({5, 6}));
  expect_values(view, {5, 6});
  EXPECT_TRUE(w.is_leaf());
  w.set_data(w.data() * 2.0);  // reading and writing the same storage
  expect_values(w, {10, 12});
}

TEST(TensorDtypes, BothDtypesAndConversion) {
  const Tensor a = mt::tensor({1.5, 2.5}, {.dtype = mt::kFloat64});
  const Tensor b = a.to(mt::kFloat32);
  EXPECT_EQ(b.dtype(), mt::kFloat32);
  expect_values(b, {1.5, 2.5});
  EXPECT_NEAR(mt::tensor({0.1}, {.dtype = mt::kFloat64}).item(), 0.1, 1e-17);
  EXPECT_NE(mt::tensor({0.1}).item(), 0.1);  // float32 storage rounds
  const Tensor x = mt::tensor({1.0}, {.dtype = mt::kFloat64, .requires_grad = true});
  (x.to(mt::kFloat32) * 3.0).sum().backward();
  EXPECT_EQ(x.grad().dtype(), mt::kFloat64);
  expect_values(x.grad(), {3});
  const std::string message = error_of([&] { a + b; });
  EXPECT_NE(message.find("float64 and float32 differ"), std::string::npos) << message;
}

TEST(TensorErrors, NameShapesAndExpectations) {
  const Tensor a = mt::zeros({2, 3});
  EXPECT_EQ(error_of([&] { a + mt::zeros({4}); }),
            "shapes [2, 3] and [4] do not broadcast: dimension 1 has sizes 3 and 4; expected equal "
            "sizes or one of them 1");
  EXPECT_NE(error_of([&] { a.matmul(mt::zeros({2, 3})); }).find("3 != 2"), std::string::npos);
  EXPECT_NE(error_of([&] { a.permute({0, 0}); }).find("not a permutation"), std::string::npos);
  EXPECT_NE(error_of([&] { a.sum(2); }).find("dimension 2 is out of range"), std::string::npos);
  EXPECT_NE(error_of([&] { a.transpose(0, 1).view({6}); }).find("contiguous()"), std::string::npos);
  EXPECT_NE(error_of([&] { a.view({4, 2}); }).find("invalid for 6 elements"), std::string::npos);
  EXPECT_NE(error_of([&] { a.expand({3, 3}); }).find("cannot be expanded"), std::string::npos);
  EXPECT_NE(error_of([&] { a.item(); }).find("expected exactly one"), std::string::npos);
  EXPECT_THROW(a.narrow(1, 2, 2), mt::Error);
  EXPECT_THROW(a.select(0, 2), mt::Error);
  EXPECT_THROW(a.get({0, 3}), mt::Error);
  EXPECT_THROW(mt::zeros({}).matmul(a), mt::Error);
}

TEST(TensorViews, ShareStorageAndReshapeCopiesOnlyWhenItMust) {
  const Tensor a = mt::arange(6).view({2, 3});
  const Tensor t = a.transpose(0, 1);
  EXPECT_EQ(t.tensor_data().storage(), a.tensor_data().storage());
  EXPECT_FALSE(t.is_contiguous());
  const Tensor r = t.reshape({6});
  EXPECT_NE(r.tensor_data().storage(), a.tensor_data().storage());
  expect_values(r, {0, 3, 1, 4, 2, 5});
  EXPECT_EQ(a.reshape({3, 2}).tensor_data().storage(), a.tensor_data().storage());
  EXPECT_EQ(t.contiguous().strides(), (mt::Strides{2, 1}));
  a.set({0, 1}, 9);
  EXPECT_EQ(t.get({1, 0}), 9);
  expect_values(a.expand({2, 2, 3}).sum(0), {0, 18, 4, 6, 8, 10});
}

TEST(TensorReductions, SumMeanMax) {
  const Tensor a = mt::tensor({{1, 5, 3}, {4, 2, 6}});
  expect_values(a.sum(0), {5, 7, 9});
  EXPECT_EQ(a.sum(1, true).shape(), (mt::Shape{2, 1}));
  EXPECT_EQ(a.sum().dim(), 0);
  EXPECT_EQ(a.sum().item(), 21);
  EXPECT_EQ(a.mean().item(), 3.5);
  expect_values(a.mean(-1), {3, 4});
  const auto [values, indices] = a.max(1);
  expect_values(values, {5, 6});
  expect_values(indices, {1, 2});
  expect_values(a.argmax(0), {1, 0, 1});
  EXPECT_EQ(a.max().item(), 6);
}

TEST(TensorGradCheck, PassesOnCorrectGradientsAndNamesMismatches) {
  const Tensor x = mt::rand({2, 3}, {.dtype = mt::kFloat64});
  const auto ok = mt::grad_check([](const auto& v) { return (v[0] * v[0]).sigmoid().sum(1); }, {x});
  EXPECT_TRUE(ok.ok) << ok.message;
  // lt has no gradient but jumps at 0.5: a central difference across the jump must disagree.
  const Tensor at_jump = mt::full({1}, 0.5, {.dtype = mt::kFloat64});
  const auto bad = mt::grad_check(
      [](const auto& v) { return v[0].lt(mt::full({1}, 0.5, {.dtype = mt::kFloat64})); }, {at_jump},
      /*eps=*/1e-3);
  EXPECT_FALSE(bad.ok);
  EXPECT_NE(bad.message.find("input 0 at [0]"), std::string::npos) << bad.message;
}

// A leaf adopts a fresh gradient without copying, but never one that something else can see.
TEST(TensorAutograd, GradientsNeverAliasOtherTensors) {
  const Tensor x = mt::tensor({1, 2}, {.requires_grad = true});
  const Tensor seed = mt::tensor({5, 6});
  x.backward(seed);  // backward on the leaf itself: the seed would be the gradient
  seed.set({0}, 100);
  expect_values(x.grad(), {5, 6});
  const Tensor y = mt::tensor({1, 2}, {.requires_grad = true});
  const Tensor z = y.expand({3, 2});  // gradient arrives as a sum: a fresh tensor
  z.sum().backward();
  expect_values(y.grad(), {3, 3});
  EXPECT_NE(y.grad().tensor_data().storage(), x.grad().tensor_data().storage());
}

TEST(TensorMatmul, FollowsPyTorchForEveryRank) {
  // 1-D · 1-D is the dot product, a 0-D tensor (both temporary dimensions are removed).
  const Tensor u = mt::tensor({1.0, 2.0}, {.dtype = mt::kFloat64, .requires_grad = true});
  const Tensor v = mt::tensor({3.0, 4.0}, {.dtype = mt::kFloat64, .requires_grad = true});
  const Tensor dot = u.matmul(v);
  EXPECT_EQ(dot.dim(), 0);
  EXPECT_EQ(dot.item(), 11.0);
  dot.backward();
  expect_values(u.grad(), {3, 4});
  expect_values(v.grad(), {1, 2});
  EXPECT_THROW(u.matmul(mt::tensor({1.0, 2.0, 3.0}, {.dtype = mt::kFloat64})), mt::Error);
  // A vector on either side of a batch of matrices, and batch dimensions that broadcast.
  const Tensor batch = mt::ones({4, 2, 2, 3}, {.dtype = mt::kFloat64});
  EXPECT_EQ(u.matmul(batch).shape(), (mt::Shape{4, 2, 3}));
  EXPECT_EQ(batch.matmul(mt::ones({3}, {.dtype = mt::kFloat64})).shape(), (mt::Shape{4, 2, 2}));
  EXPECT_EQ(batch.matmul(mt::ones({3, 5}, {.dtype = mt::kFloat64})).shape(),
            (mt::Shape{4, 2, 2, 5}));
  EXPECT_EQ(mt::ones({2, 1, 2, 3}, {.dtype = mt::kFloat64})
                .matmul(mt::ones({5, 3, 1}, {.dtype = mt::kFloat64}))
                .shape(),
            (mt::Shape{2, 5, 2, 1}));
  // 0-D operands are rejected, as by torch.matmul.
  EXPECT_THROW(mt::tensor(1.0).matmul(u), mt::Error);
  const auto check = mt::grad_check(
      [](const std::vector<Tensor>& x) { return x[0].matmul(x[1]); },
      {mt::randn({3}, {.dtype = mt::kFloat64}), mt::randn({2, 1, 3, 2}, {.dtype = mt::kFloat64})});
  EXPECT_TRUE(check.ok) << check.message;
}

TEST(TensorReductions, MaxOfAllElementsSplitsItsGradientAmongTies) {
  // As torch.max(x): the gradient is shared evenly by every element equal to the maximum, while
  // max(dim) and argmax pick the first maximum.
  const Tensor x = mt::tensor({{3.0, 1.0}, {3.0, 3.0}}, {.requires_grad = true});
  const Tensor m = x.max();
  EXPECT_EQ(m.item(), 3.0);
  m.backward(mt::tensor(6.0));
  expect_values(x.grad(), {2, 0, 2, 2});
  const Tensor y = mt::tensor({3.0, 1.0, 3.0}, {.requires_grad = true});
  y.max(0).first.backward();
  expect_values(y.grad(), {1, 0, 0});
  expect_values(y.argmax(0), {0});
}
