#include "minitorch/operators/operators.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <limits>

#include "generators.h"

namespace ops = minitorch::operators;
using minitorch::testing::away_from_zero;
using minitorch::testing::doubles_in;
using minitorch::testing::small_doubles;

TEST(Operators, BasicValues) {
  EXPECT_EQ(ops::mul(3.0, 4.0), 12.0);
  EXPECT_EQ(ops::id(2.5), 2.5);
  EXPECT_EQ(ops::add(1.5, 2.0), 3.5);
  EXPECT_EQ(ops::neg(2.0), -2.0);
  EXPECT_EQ(ops::lt(1.0, 2.0), 1.0);
  EXPECT_EQ(ops::lt(2.0, 1.0), 0.0);
  EXPECT_EQ(ops::eq(2.0, 2.0), 1.0);
  EXPECT_EQ(ops::eq(2.0, 2.5), 0.0);
  EXPECT_EQ(ops::max(2.0, 5.0), 5.0);
  EXPECT_EQ(ops::is_close(1.0, 1.009), 1.0);
  EXPECT_EQ(ops::is_close(1.0, 1.011), 0.0);
  EXPECT_DOUBLE_EQ(ops::sigmoid(0.0), 0.5);
  EXPECT_EQ(ops::relu(-3.0), 0.0);
  EXPECT_EQ(ops::relu(3.0), 3.0);
  EXPECT_DOUBLE_EQ(ops::log(std::exp(2.0)), 2.0);
  EXPECT_DOUBLE_EQ(ops::exp(1.0), std::exp(1.0));
  EXPECT_DOUBLE_EQ(ops::inv(4.0), 0.25);
  EXPECT_DOUBLE_EQ(ops::log_back(4.0, 2.0), 0.5);
  EXPECT_DOUBLE_EQ(ops::inv_back(2.0, 3.0), -0.75);
  EXPECT_EQ(ops::relu_back(1.0, 7.0), 7.0);
  EXPECT_EQ(ops::relu_back(-1.0, 7.0), 0.0);
  EXPECT_EQ(ops::relu_back(0.0, 7.0), 0.0);
  EXPECT_EQ(ops::where(1.0, 2.0, 3.0), 2.0);
  EXPECT_EQ(ops::where(0.0, 2.0, 3.0), 3.0);
  EXPECT_EQ(ops::where(-0.5, 2.0, 3.0), 2.0);
}

TEST(Operators, WorkInFloatToo) {
  static_assert(std::is_same_v<decltype(ops::mul(2.0f, 3.0f)), float>);
  EXPECT_FLOAT_EQ(ops::sigmoid(0.0f), 0.5f);
  EXPECT_FLOAT_EQ(ops::Tanh{}.backward(0.0f, 2.0f), 2.0f);
}

TEST(Operators, ConstexprWhereTheLanguageAllows) {
  static_assert(ops::mul(3, 4) == 12);
  static_assert(ops::relu(-1.0) == 0.0);
  static_assert(ops::Div{}.backward(1.0, 2.0, 4.0).b == -1.0);
}

TEST(Operators, SigmoidIsStableAtTheExtremes) {
  EXPECT_EQ(ops::sigmoid(1000.0), 1.0);
  EXPECT_EQ(ops::sigmoid(-1000.0), 0.0);
  EXPECT_GT(ops::sigmoid(-700.0), 0.0);  // the e^x / (1 + e^x) form keeps tiny values
  EXPECT_FALSE(std::isnan(ops::sigmoid(std::numeric_limits<double>::max())));
  EXPECT_FALSE(std::isnan(ops::sigmoid(-std::numeric_limits<double>::max())));
}

RC_GTEST_PROP(OperatorLaws, SigmoidIsAProbability, ()) {
  const double x = *doubles_in(-1000, 1000);
  const double s = ops::sigmoid(x);
  RC_ASSERT(s >= 0.0);
  RC_ASSERT(s <= 1.0);
}

RC_GTEST_PROP(OperatorLaws, SigmoidIsSymmetric, ()) {
  const double x = *doubles_in(-1000, 1000);
  RC_ASSERT(std::abs(ops::sigmoid(-x) - (1.0 - ops::sigmoid(x))) < 1e-12);
}

RC_GTEST_PROP(OperatorLaws, SigmoidIsStrictlyIncreasing, ()) {
  // Beyond |x| ≈ 36, σ rounds to exactly 1 in double, so strictness is checked where it can hold.
  const double a = *doubles_in(-30, 30);
  const double step = *doubles_in(0.001, 10);
  RC_ASSERT(ops::sigmoid(a + step) > ops::sigmoid(a));
  const double far = *doubles_in(-1000, 1000);
  RC_ASSERT(ops::sigmoid(far + step) >= ops::sigmoid(far));
}

RC_GTEST_PROP(OperatorLaws, ReluAndReluBack, ()) {
  const double x = *small_doubles();
  const double d = *small_doubles();
  RC_ASSERT(ops::relu(x) == (x > 0 ? x : 0.0));
  RC_ASSERT(ops::relu(x) >= 0.0);
  RC_ASSERT(ops::relu_back(x, d) == (x > 0 ? d : 0.0));
  RC_ASSERT(ops::Relu{}.backward(x, d) == ops::relu_back(x, d));
}

RC_GTEST_PROP(OperatorLaws, ComparisonsAreConsistent, ()) {
  const double a = *small_doubles();
  const double b = *small_doubles();
  RC_ASSERT(ops::lt(a, b) + ops::lt(b, a) + ops::eq(a, b) == 1.0);  // exactly one holds
  RC_ASSERT(ops::eq(a, b) == ops::eq(b, a));
  RC_ASSERT(ops::eq(a, a) == 1.0);
  RC_ASSERT(ops::max(a, b) == (ops::lt(a, b) == 1.0 ? b : a));
  RC_ASSERT(ops::max(a, b) == ops::max(b, a));
  RC_ASSERT(ops::gt(a, b) == ops::lt(b, a));
}

RC_GTEST_PROP(OperatorLaws, LessThanIsTransitive, ()) {
  const double a = *small_doubles();
  const double b = *small_doubles();
  const double c = *small_doubles();
  if (ops::lt(a, b) == 1.0 && ops::lt(b, c) == 1.0) RC_ASSERT(ops::lt(a, c) == 1.0);
}

RC_GTEST_PROP(OperatorLaws, MulIsSymmetricAndDistributes, ()) {
  const double x = *small_doubles();
  const double y = *small_doubles();
  const double z = *small_doubles();
  RC_ASSERT(ops::mul(x, y) == ops::mul(y, x));
  const double lhs = ops::mul(z, ops::add(x, y));
  const double rhs = ops::add(ops::mul(z, x), ops::mul(z, y));
  RC_ASSERT(std::abs(lhs - rhs) <= 1e-9 * (1.0 + std::abs(lhs)));
}

RC_GTEST_PROP(OperatorLaws, InvIsAnInvolution, ()) {
  const double x = *away_from_zero(1e-3, 1e3);
  RC_ASSERT(std::abs(ops::inv(ops::inv(x)) - x) <= 1e-12 * std::abs(x));
}

RC_GTEST_PROP(OperatorLaws, NegIsAnInvolutionAndIdIsIdentity, ()) {
  const double x = *small_doubles();
  RC_ASSERT(ops::neg(ops::neg(x)) == x);
  RC_ASSERT(ops::id(x) == x);
  RC_ASSERT(ops::add(x, ops::neg(x)) == 0.0);
}

RC_GTEST_PROP(OperatorLaws, IsCloseIsSymmetricAndReflexive, ()) {
  const double a = *small_doubles();
  const double b = *small_doubles();
  RC_ASSERT(ops::is_close(a, a) == 1.0);
  RC_ASSERT(ops::is_close(a, b) == ops::is_close(b, a));
  RC_ASSERT(ops::is_close(a, b) == (std::abs(a - b) < 1e-2 ? 1.0 : 0.0));
}

// Each unary functor's backward against a central difference of its own forward rule.
template <class Op>
void check_unary_derivative(double x) {
  const double eps = 1e-6;
  const double numeric = (Op{}(x + eps) - Op{}(x - eps)) / (2 * eps);
  const double analytic = Op{}.backward(x, 1.0);
  RC_ASSERT(std::abs(analytic - numeric) <= 1e-5 * (1.0 + std::abs(numeric)));
}

RC_GTEST_PROP(OperatorDerivatives, UnaryBackwardMatchesCentralDifference, ()) {
  check_unary_derivative<ops::Id>(*small_doubles());
  check_unary_derivative<ops::Neg>(*small_doubles());
  check_unary_derivative<ops::Exp>(*doubles_in(-20, 20));
  check_unary_derivative<ops::Sigmoid>(*doubles_in(-30, 30));
  check_unary_derivative<ops::Tanh>(*doubles_in(-10, 10));
  check_unary_derivative<ops::Log>(*doubles_in(0.1, 100));
  check_unary_derivative<ops::Inv>(*away_from_zero(0.1, 100));
  check_unary_derivative<ops::Relu>(*away_from_zero(0.01, 100));
}

template <class Op>
void check_binary_derivative(double a, double b) {
  const double eps = 1e-6;
  const auto grad = Op{}.backward(a, b, 1.0);
  const double da = (Op{}(a + eps, b) - Op{}(a - eps, b)) / (2 * eps);
  const double db = (Op{}(a, b + eps) - Op{}(a, b - eps)) / (2 * eps);
  RC_ASSERT(std::abs(grad.a - da) <= 1e-5 * (1.0 + std::abs(da)));
  RC_ASSERT(std::abs(grad.b - db) <= 1e-5 * (1.0 + std::abs(db)));
}

RC_GTEST_PROP(OperatorDerivatives, BinaryBackwardMatchesCentralDifference, ()) {
  const double a = *small_doubles();
  const double b = *small_doubles();
  check_binary_derivative<ops::Add>(a, b);
  check_binary_derivative<ops::Sub>(a, b);
  check_binary_derivative<ops::Mul>(a, b);
  check_binary_derivative<ops::Div>(a, *away_from_zero(0.1, 100));
  RC_PRE(std::abs(a - b) > 1e-3);  // max and the comparisons are smooth away from a == b
  check_binary_derivative<ops::Max>(a, b);
  check_binary_derivative<ops::Lt>(a, b);
  check_binary_derivative<ops::Gt>(a, b);
  check_binary_derivative<ops::Eq>(a, b);
}

TEST(OperatorDerivatives, MaxSplitsTiesLikeTorchMaximum) {
  const auto grad = ops::Max{}.backward(2.0, 2.0, 1.0);
  EXPECT_EQ(grad.a, 0.5);
  EXPECT_EQ(grad.b, 0.5);
}
