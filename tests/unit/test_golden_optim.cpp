// Optimizers and schedules against PyTorch's trajectories (tests/fixtures/golden_optim.json,
// written by scripts/make_golden_optim.py).
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>

#include "minitorch/optim/adam.h"
#include "minitorch/optim/schedulers.h"
#include "minitorch/optim/sgd.h"
#include "minitorch/scalar/scalar.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
using mt::Tensor;

namespace {

const nlohmann::json& fixture() {
  static const nlohmann::json data = [] {
    std::ifstream in(std::string(MINITORCH_FIXTURES_DIR) + "/golden_optim.json");
    return nlohmann::json::parse(in);
  }();
  return data;
}

Tensor vector_of(const nlohmann::json& values) {
  return mt::from_vector(values.get<std::vector<double>>(),
                         {static_cast<std::int64_t>(values.size())}, {.dtype = mt::kFloat64});
}

// Runs 10 steps of L(w) = sum(c (w - t)²) with `step` doing the optimizer and schedule steps.
template <class Optimizer, class Schedule>
std::vector<std::vector<double>> run(Optimizer& optimizer, const Tensor& w, Schedule&& schedule) {
  const Tensor target = vector_of(fixture()["target"]);
  const Tensor weights = vector_of(fixture()["weights"]);
  std::vector<std::vector<double>> steps;
  for (int i = 0; i < 10; ++i) {
    optimizer.zero_grad();
    (weights * (w - target) * (w - target)).sum().backward();
    optimizer.step();
    schedule();
    steps.push_back(w.to_vector());
  }
  return steps;
}

void expect_trajectory(const std::string& name, const std::vector<std::vector<double>>& got) {
  const auto& want = fixture()["cases"][name];
  ASSERT_EQ(got.size(), want.size()) << name;
  for (std::size_t s = 0; s < got.size(); ++s) {
    for (std::size_t i = 0; i < got[s].size(); ++i) {
      const double expected = want[s][i].get<double>();
      ASSERT_NEAR(got[s][i], expected, 1e-10 * (1 + std::abs(expected)))
          << name << " step " << s + 1 << " element " << i;
    }
  }
}

Tensor fresh_parameter() {
  return vector_of(fixture()["w0"]).requires_grad_(true);
}

}  // namespace

TEST(GoldenOptim, Adam) {
  const Tensor w = fresh_parameter();
  mt::optim::Adam opt(std::vector<Tensor>{w}, {.lr = 0.1});
  expect_trajectory("adam", run(opt, w, [] {}));
}

TEST(GoldenOptim, AdamWithBetasEpsAndL2) {
  const Tensor w = fresh_parameter();
  mt::optim::Adam opt(std::vector<Tensor>{w},
                      {.lr = 0.05, .beta1 = 0.8, .beta2 = 0.99, .eps = 1e-6, .weight_decay = 0.1});
  expect_trajectory("adam_betas_eps_l2", run(opt, w, [] {}));
}

TEST(GoldenOptim, AdamW) {
  const Tensor w = fresh_parameter();
  mt::optim::AdamW opt(std::vector<Tensor>{w}, {.lr = 0.1, .weight_decay = 0.05});
  expect_trajectory("adamw", run(opt, w, [] {}));
}

TEST(GoldenOptim, AdamWithStepLR) {
  const Tensor w = fresh_parameter();
  mt::optim::Adam opt(std::vector<Tensor>{w}, {.lr = 0.1});
  mt::optim::StepLR schedule(opt, 3, 0.5);
  expect_trajectory("adam_step_lr", run(opt, w, [&] { schedule.step(); }));
}

TEST(GoldenOptim, SgdNesterovWithCosineAnnealing) {
  const Tensor w = fresh_parameter();
  mt::optim::SGD opt(std::vector<Tensor>{w}, {.lr = 0.05, .momentum = 0.9, .nesterov = true});
  mt::optim::CosineAnnealingLR schedule(opt, 10, 0.001);
  expect_trajectory("sgd_nesterov_cosine", run(opt, w, [&] { schedule.step(); }));
}

TEST(GoldenOptim, AdamWorksOnScalarsAndValidates) {
  mt::Scalar x(0.0);
  mt::optim::Adam opt(std::vector<mt::Scalar>{x}, {.lr = 0.1});
  for (int i = 0; i < 200; ++i) {
    opt.zero_grad();
    ((x - 3.0) * (x - 3.0)).backward();
    opt.step();
  }
  EXPECT_NEAR(x.data(), 3.0, 1e-2);
  const std::vector<Tensor> p{mt::zeros({1})};
  EXPECT_THROW(mt::optim::Adam(p, {.lr = -1}), mt::Error);
  EXPECT_THROW(mt::optim::Adam(p, {.beta1 = 1.0}), mt::Error);
  EXPECT_THROW(mt::optim::AdamW(p, {.weight_decay = -0.1}), mt::Error);
  mt::optim::Adam ok(p, {});
  EXPECT_THROW(mt::optim::StepLR(ok, 0), mt::Error);
  EXPECT_THROW(mt::optim::CosineAnnealingLR(ok, 0), mt::Error);
}
