#include "minitorch/optim/sgd.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "minitorch/scalar/scalar.h"

using minitorch::Scalar;
using minitorch::optim::SGD;
using minitorch::optim::SGDOptions;

namespace {

// Minimises f(w) = (w - 3)² from w = 0 for `steps` steps; gradient 2(w - 3).
double run(const SGDOptions& options, int steps) {
  Scalar w(0.0);
  SGD opt(std::vector<Scalar>{w}, options);
  for (int i = 0; i < steps; ++i) {
    opt.zero_grad();
    ((w - 3.0) * (w - 3.0)).backward();
    opt.step();
  }
  return w.data();
}

// The same trajectory written out from torch.optim.SGD's documented update.
double reference(const SGDOptions& o, int steps) {
  double w = 0.0;
  double buffer = 0.0;
  for (int i = 0; i < steps; ++i) {
    double g = 2.0 * (w - 3.0) + o.weight_decay * w;
    if (o.momentum != 0.0) {
      buffer = i == 0 ? g : o.momentum * buffer + (1.0 - o.dampening) * g;
      g = o.nesterov ? g + o.momentum * buffer : buffer;
    }
    w -= o.lr * g;
  }
  return w;
}

}  // namespace

TEST(SGD, MatchesTheTorchUpdateRule) {
  const std::vector<SGDOptions> cases{
      {.lr = 0.1},
      {.lr = 0.05, .momentum = 0.9},
      {.lr = 0.05, .momentum = 0.9, .dampening = 0.5},
      {.lr = 0.05, .momentum = 0.9, .nesterov = true},
      {.lr = 0.1, .weight_decay = 0.01},
      {.lr = 0.02, .momentum = 0.5, .weight_decay = 0.1, .nesterov = true},
  };
  for (const auto& o : cases) {
    EXPECT_NEAR(run(o, 25), reference(o, 25), 1e-12)
        << "lr " << o.lr << " momentum " << o.momentum << " nesterov " << o.nesterov;
  }
  EXPECT_NEAR(run({.lr = 0.1}, 200), 3.0, 1e-9);  // and it converges
}

TEST(SGD, SkipsParametersWithoutGradient) {
  Scalar used(1.0);
  Scalar unused(1.0);
  SGD opt(std::vector<Scalar>{used, unused}, {.lr = 0.5});
  (used * 2.0).backward();
  opt.step();
  EXPECT_EQ(used.data(), 0.0);
  EXPECT_EQ(unused.data(), 1.0);
}

TEST(SGD, StepRecordsNoGraph) {
  Scalar w(1.0);
  SGD opt(std::vector<Scalar>{w}, {.lr = 0.1});
  (w * w).backward();
  opt.step();
  EXPECT_TRUE(w.is_leaf());
}

TEST(SGD, RejectsInvalidOptions) {
  const std::vector<Scalar> p{Scalar(1.0)};
  EXPECT_THROW(SGD(p, {.lr = -1.0}), minitorch::Error);
  EXPECT_THROW(SGD(p, {.lr = std::numeric_limits<double>::infinity()}), minitorch::Error);
  EXPECT_THROW(SGD(p, {.lr = std::nan("")}), minitorch::Error);
  EXPECT_THROW(SGD(p, {.lr = 0.1, .momentum = -0.5}), minitorch::Error);
  EXPECT_THROW(SGD(p, {.lr = 0.1, .weight_decay = -1}), minitorch::Error);
  EXPECT_THROW(SGD(p, {.lr = 0.1, .nesterov = true}), minitorch::Error);
  SGD ok(p, {.lr = 0.1});
  EXPECT_THROW(ok.set_lr(-0.1), minitorch::Error);
  ok.set_lr(0.2);
  EXPECT_EQ(ok.options().lr, 0.2);
}
