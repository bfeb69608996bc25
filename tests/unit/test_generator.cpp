#include "minitorch/core/generator.h"

#include <gtest/gtest.h>

#include <cmath>

using minitorch::Generator;

TEST(Generator, SameSeedSameSequence) {
  Generator a(42);
  Generator b(42);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(a.next_u64(), b.next_u64());
}

TEST(Generator, DifferentSeedsDiffer) {
  Generator a(1);
  Generator b(2);
  int same = 0;
  for (int i = 0; i < 100; ++i) same += a.next_u64() == b.next_u64();
  EXPECT_EQ(same, 0);
}

TEST(Generator, UniformIsInRangeWithTheRightMean) {
  Generator g(7);
  double sum = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = g.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / n, 0.5, 0.01);
  const double x = g.uniform(-1.0, 1.0);
  EXPECT_GE(x, -1.0);
  EXPECT_LT(x, 1.0);
}

TEST(Generator, NormalHasUnitVariance) {
  Generator g(3);
  double sum = 0;
  double sum_sq = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double z = g.normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum_sq += z * z;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.02);
  EXPECT_NEAR(sum_sq / n, 1.0, 0.02);
}

TEST(Generator, StateRestoresThePosition) {
  Generator g(5);
  g.next_u64();
  const auto saved = g.state();
  const double first = g.uniform();
  g.uniform();
  g.set_state(saved);
  EXPECT_EQ(g.uniform(), first);
  g.manual_seed(5);
  Generator fresh(5);
  EXPECT_EQ(g.next_u64(), fresh.next_u64());
}
