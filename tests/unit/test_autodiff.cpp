#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "minitorch/autodiff/central_difference.h"
#include "minitorch/autodiff/context.h"
#include "minitorch/autodiff/engine.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/scalar/scalar.h"

namespace ad = minitorch::autodiff;
using minitorch::Scalar;

TEST(TopologicalSort, EveryNodeComesBeforeItsParentsOnce) {
  Scalar x(2.0, "x");
  Scalar y(3.0, "y");
  const Scalar shared = x * y;
  const Scalar out = (shared + x) * shared;  // a diamond through `shared`
  const auto order = ad::topological_sort(out);
  ASSERT_FALSE(order.empty());
  EXPECT_EQ(order.front().unique_id(), out.unique_id());
  std::unordered_map<std::uint64_t, std::size_t> position;
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_TRUE(position.emplace(order[i].unique_id(), i).second) << "duplicate node";
  }
  for (const auto& node : order) {
    for (const auto& parent : node.parents()) {
      EXPECT_LT(position.at(node.unique_id()), position.at(parent.unique_id()));
    }
  }
  EXPECT_EQ(order.size(), 5u);  // out, shared + x, shared, x, y
}

TEST(TopologicalSort, SkipsConstants) {
  Scalar x(1.0);
  const Scalar out = x * 2.0 + 3.0;
  for (const auto& node : ad::topological_sort(out)) EXPECT_FALSE(node.is_constant());
  EXPECT_TRUE(ad::topological_sort(Scalar::constant(1.0)).empty());
}

TEST(Backpropagate, SharedSubexpressionsAccumulate) {
  Scalar x(3.0);
  const Scalar a = x * x;        // 2x
  const Scalar out = a + a * x;  // x² + x³ -> 2x + 3x² = 6 + 27
  out.backward();
  EXPECT_DOUBLE_EQ(x.grad(), 33.0);
}

TEST(Backpropagate, DeepChainsNeedNoDeepRecursion) {
  Scalar x(0.5);
  Scalar y = x;
  for (int i = 0; i < 200000; ++i) y = y * 1.0 + 0.0;
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad(), 1.0);
}

TEST(Backpropagate, RequiresAGraph) {
  EXPECT_THROW(Scalar::constant(1.0).backward(), minitorch::Error);
}

TEST(Context, SavesInOrderUnlessNoGrad) {
  ad::Context<double> ctx;
  ctx.save_for_backward(1.0, 2.0);
  EXPECT_EQ(ctx.saved_values(), (std::vector<double>{1.0, 2.0}));
  ctx.release();
  EXPECT_TRUE(ctx.saved_values().empty());
  ad::Context<double> no_grad(/*no_grad=*/true);
  no_grad.save_for_backward(1.0);
  EXPECT_TRUE(no_grad.saved_values().empty());
}

TEST(GradMode, NoGradGuardNestsAndRestores) {
  EXPECT_TRUE(ad::GradMode::is_enabled());
  {
    minitorch::NoGradGuard outer;
    EXPECT_FALSE(ad::GradMode::is_enabled());
    {
      minitorch::NoGradGuard inner;
      EXPECT_FALSE(ad::GradMode::is_enabled());
    }
    EXPECT_FALSE(ad::GradMode::is_enabled());
    Scalar x(1.0);
    EXPECT_TRUE((x * x).is_constant());
  }
  EXPECT_TRUE(ad::GradMode::is_enabled());
}

TEST(CentralDifference, OnPlainFunctions) {
  auto square_first = [](const std::vector<double>& v) { return v[0] * v[0] * v[1]; };
  EXPECT_NEAR(ad::central_difference(square_first, {3.0, 2.0}, 0), 12.0, 1e-5);
  EXPECT_NEAR(ad::central_difference(square_first, {3.0, 2.0}, 1), 9.0, 1e-5);
  EXPECT_THROW(ad::central_difference(square_first, {3.0, 2.0}, 2), minitorch::Error);
}

TEST(CentralDifference, OnScalarFunctions) {
  auto f = [](const std::vector<double>& v) { return Scalar::constant(v[0]).exp(); };
  EXPECT_NEAR(ad::central_difference(f, {1.0}, 0), std::exp(1.0), 1e-5);
}
