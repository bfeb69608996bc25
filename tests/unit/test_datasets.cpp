#include "minitorch/data/datasets.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "minitorch/core/error.h"

namespace data = minitorch::data;

namespace {

void expect_labels_follow(const data::Dataset2D& set,
                          const std::function<bool(double, double)>& rule) {
  int positives = 0;
  for (std::size_t i = 0; i < set.size(); ++i) {
    const auto [x1, x2] = set.x[i];
    EXPECT_GE(x1, 0.0);
    EXPECT_LT(x1, 1.0);
    EXPECT_GE(x2, 0.0);
    EXPECT_LT(x2, 1.0);
    EXPECT_EQ(set.y[i], rule(x1, x2) ? 1 : 0) << set.name << " point " << i;
    positives += set.y[i];
  }
  EXPECT_GT(positives, 0) << set.name << " has no positive point";
  EXPECT_LT(positives, static_cast<int>(set.size())) << set.name << " has no negative point";
}

}  // namespace

TEST(Datasets, LabelsFollowMiniTorchsRules) {
  const int n = 200;
  expect_labels_follow(data::simple_dataset(n, 1), [](double a, double) { return a < 0.5; });
  expect_labels_follow(data::diag_dataset(n, 1), [](double a, double b) { return a + b < 0.5; });
  expect_labels_follow(data::split_dataset(n, 1),
                       [](double a, double) { return a < 0.2 || a > 0.8; });
  expect_labels_follow(data::xor_dataset(n, 1), [](double a, double b) {
    return (a < 0.5 && b > 0.5) || (a > 0.5 && b < 0.5);
  });
  expect_labels_follow(data::circle_dataset(n, 1), [](double a, double b) {
    return (a - 0.5) * (a - 0.5) + (b - 0.5) * (b - 0.5) > 0.1;
  });
}

TEST(Datasets, SameSeedSameDataOtherSeedOtherData) {
  for (const auto& name : data::dataset_names()) {
    const auto a = data::make_dataset(name, 50, 7);
    const auto b = data::make_dataset(name, 50, 7);
    EXPECT_EQ(a.x, b.x) << name;
    EXPECT_EQ(a.y, b.y) << name;
    EXPECT_EQ(a.size(), 50u) << name;
    EXPECT_EQ(a.name, name);
    if (name != "spiral") {
      EXPECT_NE(a.x, data::make_dataset(name, 50, 8).x) << name;
    }
  }
}

TEST(Datasets, SpiralHasTwoDeterministicArms) {
  const auto s = data::spiral_dataset(100);
  ASSERT_EQ(s.size(), 100u);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(s.y[i], 0);
  for (int i = 50; i < 100; ++i) EXPECT_EQ(s.y[i], 1);
  // First point of arm 0: t = 10·5/50 = 1.
  EXPECT_DOUBLE_EQ(s.x[0][0], std::cos(1.0) / 20 + 0.5);
  EXPECT_DOUBLE_EQ(s.x[0][1], std::sin(1.0) / 20 + 0.5);
  // Arm 1 mirrors arm 0 through t -> -t with the coordinates swapped.
  EXPECT_DOUBLE_EQ(s.x[50][0], -1.0 * std::sin(-1.0) / 20 + 0.5);
  EXPECT_DOUBLE_EQ(s.x[50][1], -1.0 * std::cos(-1.0) / 20 + 0.5);
  EXPECT_EQ(data::spiral_dataset(7).size(), 6u);  // points / 2 per arm
}

TEST(Datasets, BadArgumentsAreExplained) {
  try {
    data::make_dataset("moons", 10);
    FAIL();
  } catch (const minitorch::Error& e) {
    EXPECT_STREQ(e.what(),
                 "unknown dataset 'moons'; expected one of: simple, diag, split, xor, circle, "
                 "spiral");
  }
  EXPECT_THROW(data::simple_dataset(0), minitorch::Error);
  EXPECT_THROW(data::xor_dataset(-3), minitorch::Error);
  EXPECT_THROW(data::spiral_dataset(1), minitorch::Error);
}

TEST(Datasets, CsvRoundTripsExactly) {
  const auto set = data::circle_dataset(3, 2);
  const std::string csv = data::to_csv(set);
  EXPECT_EQ(csv.rfind("x1,x2,y\n", 0), 0u);
  double x1 = 0, x2 = 0;
  int y = 0;
  const auto first_line = csv.find('\n') + 1;
  ASSERT_EQ(std::sscanf(csv.c_str() + first_line, "%lf,%lf,%d", &x1, &x2, &y), 3);
  EXPECT_EQ(x1, set.x[0][0]);
  EXPECT_EQ(x2, set.x[0][1]);
  EXPECT_EQ(y, set.y[0]);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
}
