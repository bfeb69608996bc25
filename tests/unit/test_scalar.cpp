#include "minitorch/scalar/scalar.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <functional>
#include <sstream>

#include "generators.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/nn/scalar_losses.h"
#include "minitorch/scalar/derivative_check.h"

using minitorch::Scalar;
using minitorch::testing::away_from_zero;
using minitorch::testing::doubles_in;
using minitorch::testing::small_doubles;
using Args = std::vector<Scalar>;

TEST(Scalar, ArithmeticValues) {
  Scalar a(6.0);
  Scalar b(3.0);
  EXPECT_EQ((a + b).data(), 9.0);
  EXPECT_EQ((a - b).data(), 3.0);
  EXPECT_EQ((a * b).data(), 18.0);
  EXPECT_EQ((a / b).data(), 2.0);
  EXPECT_EQ((-a).data(), -6.0);
  EXPECT_EQ((a < b).data(), 0.0);
  EXPECT_EQ((a > b).data(), 1.0);
  EXPECT_EQ((a == b).data(), 0.0);
  EXPECT_EQ(max(a, b).data(), 6.0);
  EXPECT_EQ((2.0 * a + 1.0).data(), 13.0);
  EXPECT_EQ((1.0 - a).data(), -5.0);
  EXPECT_EQ((12.0 / a).data(), 2.0);
  EXPECT_DOUBLE_EQ(b.inv().data(), 1.0 / 3.0);
  EXPECT_DOUBLE_EQ(b.log().data(), std::log(3.0));
  EXPECT_DOUBLE_EQ(b.exp().data(), std::exp(3.0));
  EXPECT_DOUBLE_EQ(b.tanh().data(), std::tanh(3.0));
  EXPECT_DOUBLE_EQ(Scalar(0.0).sigmoid().data(), 0.5);
  EXPECT_EQ(Scalar(-1.0).relu().data(), 0.0);
}

TEST(Scalar, GradientsAccumulateUntilZeroed) {
  Scalar x(2.0);
  const Scalar y = x * x;
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad(), 4.0);
  y.backward();  // the graph is kept: a second call adds again
  EXPECT_DOUBLE_EQ(x.grad(), 8.0);
  (x * 3.0).backward(2.0);
  EXPECT_DOUBLE_EQ(x.grad(), 14.0);
  x.zero_grad();
  EXPECT_FALSE(x.has_grad());
  EXPECT_EQ(x.grad(), 0.0);
}

TEST(Scalar, DiamondGraph) {
  Scalar x(1.5);
  const Scalar left = x.exp();
  const Scalar right = x * 2.0;
  const Scalar out = left * right;  // d/dx 2x e^x = 2e^x + 2x e^x
  out.backward();
  EXPECT_NEAR(x.grad(), 2 * std::exp(1.5) * (1 + 1.5), 1e-12);
}

TEST(Scalar, ConstantsGetNoGradient) {
  Scalar x(2.0);
  const Scalar c = Scalar::constant(5.0);
  (x * c).backward();
  EXPECT_DOUBLE_EQ(x.grad(), 5.0);
  EXPECT_FALSE(c.has_grad());
  EXPECT_TRUE(c.is_constant());
  EXPECT_TRUE((c * 2.0).is_constant());  // no input requires grad: no history
  EXPECT_THROW((c * 2.0).backward(), minitorch::Error);
  x.requires_grad_(false);
  EXPECT_TRUE(x.is_constant());
}

TEST(Scalar, ValuesWithHistoryCannotBeChangedInPlace) {
  Scalar x(2.0);
  const Scalar y = x * x;
  EXPECT_THROW(y.set_data(1.0), minitorch::Error);
  EXPECT_THROW(y.requires_grad_(false), minitorch::Error);
  EXPECT_THROW(y.accumulate_derivative(1.0), minitorch::Error);
  x.set_data(3.0);
  EXPECT_EQ(x.data(), 3.0);
}

TEST(Scalar, ChainRuleGivesOnePairPerInput) {
  Scalar x(2.0);
  const Scalar y = x * 10.0;
  const auto pairs = y.chain_rule(1.0);
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[0].second, 10.0);
  EXPECT_EQ(pairs[1].second, 2.0);
  EXPECT_EQ(y.op_name(), "mul");
  EXPECT_TRUE(x.op_name().empty());
}

TEST(Scalar, PrintsItsValue) {
  std::ostringstream os;
  os << Scalar(1.5);
  EXPECT_EQ(os.str(), "Scalar(1.5)");
  EXPECT_EQ(Scalar(1.0, "w").name(), "w");
}

TEST(Scalar, BinaryCrossEntropyIsFiniteWhenSaturated) {
  Scalar p(0.0);
  const Scalar loss = minitorch::nn::binary_cross_entropy(p, 1.0);
  EXPECT_DOUBLE_EQ(loss.data(), 100.0);  // log clamped at -100, as PyTorch
  loss.backward();
  EXPECT_TRUE(std::isfinite(p.grad()));  // and no 0 · (1/0) in the gradient
  Scalar q(0.25);
  const Scalar soft = minitorch::nn::binary_cross_entropy(q, 0.5);
  EXPECT_NEAR(soft.data(), -(0.5 * std::log(0.25) + 0.5 * std::log(0.75)), 1e-12);
}

// ---- derivative checks of every operation on random inputs
// ----------------------------------------

namespace {

void expect_derivatives_match(const std::function<Scalar(const Args&)>& f,
                              const std::vector<double>& xs) {
  const auto result = minitorch::derivative_check(f, xs);
  RC_ASSERT(result.ok);
}

}  // namespace

RC_GTEST_PROP(ScalarDerivatives, UnaryOperations, ()) {
  const double x = *small_doubles();
  expect_derivatives_match([](const Args& a) { return -a[0]; }, {x});
  expect_derivatives_match([](const Args& a) { return a[0].sigmoid(); }, {x});
  expect_derivatives_match([](const Args& a) { return a[0].tanh(); }, {x / 10});
  expect_derivatives_match([](const Args& a) { return (a[0] - 200.0).exp(); }, {x});
  expect_derivatives_match([](const Args& a) { return (a[0] + 100000.0).log(); }, {x});
  expect_derivatives_match([](const Args& a) { return a[0].log(); }, {*doubles_in(0.1, 100)});
  expect_derivatives_match([](const Args& a) { return a[0].inv(); }, {*away_from_zero(0.5, 100)});
  expect_derivatives_match([](const Args& a) { return a[0].relu(); }, {*away_from_zero(0.01, 100)});
  expect_derivatives_match([](const Args& a) { return a[0] * a[0] * a[0]; }, {x / 10});
  expect_derivatives_match([](const Args& a) { return a[0] / 5.0; }, {x});
  expect_derivatives_match([](const Args& a) { return 5.0 * a[0] + 5.0 - a[0] / 2.0; }, {x});
}

RC_GTEST_PROP(ScalarDerivatives, BinaryOperations, ()) {
  const double a = *small_doubles();
  const double b = *small_doubles();
  expect_derivatives_match([](const Args& v) { return v[0] + v[1]; }, {a, b});
  expect_derivatives_match([](const Args& v) { return v[0] - v[1]; }, {a, b});
  expect_derivatives_match([](const Args& v) { return v[0] * v[1]; }, {a, b});
  expect_derivatives_match([](const Args& v) { return v[0] / (v[1] + 200.5); }, {a, b});
  RC_PRE(std::abs(a - b) > 1e-3);
  expect_derivatives_match([](const Args& v) { return max(v[0], v[1]); }, {a, b});
  expect_derivatives_match([](const Args& v) { return v[0] < v[1]; }, {a, b});
  expect_derivatives_match([](const Args& v) { return v[0] > v[1]; }, {a, b});
  expect_derivatives_match([](const Args& v) { return v[0] == v[1]; }, {a, b});
}

RC_GTEST_PROP(ScalarDerivatives, CompositeExpressions, ()) {
  const double a = *small_doubles();
  const double b = *small_doubles();
  // MiniTorch's "complex" test function: log(σ(relu(relu(10a + 7) · 6 + 5) · 10)) / 50.
  expect_derivatives_match(
      [](const Args& v) {
        return ((((v[0] * 10.0 + 7.0).relu() * 6.0 + 5.0).relu() * 10.0).sigmoid()).log() / 50.0;
      },
      {a / 100});
  expect_derivatives_match([](const Args& v) { return (v[0] * v[1]).sigmoid() * v[0] + v[1]; },
                           {a / 10, b / 10});
  expect_derivatives_match(
      [](const Args& v) { return minitorch::nn::binary_cross_entropy(v[0].sigmoid(), 1.0); },
      {a / 10});
  expect_derivatives_match(
      [](const Args& v) { return minitorch::nn::binary_cross_entropy(v[0].sigmoid(), 0.3); },
      {a / 10});
}

TEST(ScalarDerivatives, CheckReportsAWrongDerivative) {
  // lt has zero derivative but jumps at 0: a central difference across the jump must disagree.
  const auto result = minitorch::derivative_check([](const Args& v) { return v[0] < 0.0; }, {0.0},
                                                  1e-2, 1e-2, /*eps=*/0.02);
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.message.find("argument 0"), std::string::npos) << result.message;
}
