// The optimizer interface: parameter groups, set_lr, state_dict round trips that resume the very
// same steps, and the schedulers' curves against torch.optim.lr_scheduler's values and formulas.
#include "minitorch/optim/optimizer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <numbers>

#include "minitorch/optim/adam.h"
#include "minitorch/optim/schedulers.h"
#include "minitorch/optim/sgd.h"
#include "minitorch/scalar/scalar.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
using mt::Tensor;
namespace optim = mt::optim;

namespace {

Tensor parameter(std::vector<double> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return mt::from_vector(values, {n}, {.dtype = mt::kFloat64}).requires_grad_(true);
}

// One step of L = sum((p - 1)²) over every parameter.
void take_step(optim::Optimizer<Tensor>& opt) {
  opt.zero_grad();
  Tensor loss;
  for (const Tensor& p : opt.parameters()) {
    const Tensor term = ((p - 1.0) * (p - 1.0)).sum();
    loss = loss.defined() ? loss + term : term;
  }
  loss.backward();
  opt.step();
}

}  // namespace

TEST(Optimizer, EachParameterGroupStepsWithItsOwnLearningRate) {
  const Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::SGD<Tensor> opt({{{a}, std::nullopt}, {{b}, optim::SGDOptions{.lr = 0.25}}}, {.lr = 0.1});
  ASSERT_EQ(opt.num_param_groups(), 2u);
  EXPECT_EQ(opt.lr(0), 0.1);
  EXPECT_EQ(opt.lr(1), 0.25);
  take_step(opt);  // gradient −2 at 0
  EXPECT_DOUBLE_EQ(a.to_vector()[0], 0.2);
  EXPECT_DOUBLE_EQ(b.to_vector()[0], 0.5);
  EXPECT_THROW(opt.lr(2), mt::Error);
}

TEST(Optimizer, SetLrChangesOneGroupOrAllAndValidates) {
  const Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::Adam<Tensor> opt({{{a}, std::nullopt}, {{b}, std::nullopt}}, {.lr = 0.1});
  opt.set_lr(1, 0.5);
  EXPECT_EQ(opt.lr(0), 0.1);
  EXPECT_EQ(opt.lr(1), 0.5);
  opt.set_lr(0.01);
  EXPECT_EQ(opt.lr(0), 0.01);
  EXPECT_EQ(opt.lr(1), 0.01);
  EXPECT_THROW(opt.set_lr(-1.0), mt::Error);
  EXPECT_THROW(opt.set_lr(0, std::nan("")), mt::Error);
  EXPECT_EQ(opt.lr(0), 0.01);
}

TEST(Optimizer, ZeroGradClearsEveryGroup) {
  const Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::SGD<Tensor> opt({{{a}, std::nullopt}, {{b}, std::nullopt}}, {.lr = 0.1});
  ((a + b) * 2.0).sum().backward();
  ASSERT_TRUE(a.has_grad() && b.has_grad());
  opt.zero_grad();
  EXPECT_TRUE(!a.has_grad() || a.grad().to_vector()[0] == 0.0);
  EXPECT_TRUE(!b.has_grad() || b.grad().to_vector()[0] == 0.0);
}

namespace {

// Runs 4 steps on `a`, saves, loads into a fresh optimizer `b` over a copy of the parameters, and
// checks that 4 more steps of each give bit-identical parameters.
template <class Make>
void expect_round_trip_resumes_identically(Make make) {
  const Tensor pa = parameter({0.5, -2.0, 3.0}), qa = parameter({1.5});
  std::unique_ptr<optim::Optimizer<Tensor>> a = make(pa, qa);
  for (int i = 0; i < 4; ++i) take_step(*a);
  const auto saved = a->state_dict();
  const Tensor pb = parameter(pa.to_vector()), qb = parameter(qa.to_vector());
  std::unique_ptr<optim::Optimizer<Tensor>> b = make(pb, qb);
  b->set_lr(123.0);  // the saved groups' options must replace it
  b->load_state_dict(saved);
  EXPECT_EQ(b->lr(0), a->lr(0));
  EXPECT_EQ(b->lr(1), a->lr(1));
  for (int i = 0; i < 4; ++i) {
    take_step(*a);
    take_step(*b);
  }
  EXPECT_EQ(pa.to_vector(), pb.to_vector());
  EXPECT_EQ(qa.to_vector(), qb.to_vector());
}

}  // namespace

TEST(Optimizer, StateDictRoundTripResumesBitIdentically) {
  expect_round_trip_resumes_identically([](const Tensor& p, const Tensor& q) {
    return std::make_unique<optim::SGD<Tensor>>(
        std::vector<optim::ParamGroup<Tensor, optim::SGDOptions>>{
            {{p}, std::nullopt}, {{q}, optim::SGDOptions{.lr = 0.02, .momentum = 0.5}}},
        optim::SGDOptions{.lr = 0.05, .momentum = 0.9, .nesterov = true});
  });
  expect_round_trip_resumes_identically([](const Tensor& p, const Tensor& q) {
    return std::make_unique<optim::Adam<Tensor>>(
        std::vector<optim::ParamGroup<Tensor, optim::AdamOptions>>{
            {{p}, std::nullopt}, {{q}, optim::AdamOptions{.lr = 0.3}}},
        optim::AdamOptions{.lr = 0.1, .weight_decay = 0.01});
  });
  expect_round_trip_resumes_identically([](const Tensor& p, const Tensor& q) {
    return std::make_unique<optim::AdamW<Tensor>>(
        std::vector<optim::ParamGroup<Tensor, optim::AdamOptions>>{{{p}, std::nullopt},
                                                                   {{q}, std::nullopt}},
        optim::AdamOptions{.lr = 0.1, .weight_decay = 0.05});
  });
}

TEST(Optimizer, StateDictNamesFollowTorchAcrossGroups) {
  const Tensor p = parameter({0.0, 0.0}), q = parameter({0.0});
  optim::Adam<Tensor> opt({{{p}, std::nullopt}, {{q}, std::nullopt}}, {.lr = 0.1});
  take_step(opt);
  const auto state = opt.state_dict();
  std::vector<std::string> names;
  for (const auto& [name, value] : state.state) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.step", "0.exp_avg", "0.exp_avg_sq", "1.step",
                                             "1.exp_avg", "1.exp_avg_sq"}));
  ASSERT_EQ(state.param_groups.size(), 2u);
  EXPECT_EQ(state.param_groups[0].at("lr"), 0.1);
  EXPECT_EQ(state.param_groups[1].at("beta2"), 0.999);
}

TEST(Optimizer, LoadStateDictRejectsBadStateAndChangesNothing) {
  const Tensor p = parameter({0.0, 0.0});
  optim::SGD<Tensor> opt(std::vector<Tensor>{p}, {.lr = 0.1, .momentum = 0.9});
  take_step(opt);
  const auto good = opt.state_dict();
  auto two_groups = good;
  two_groups.param_groups.push_back(good.param_groups[0]);
  EXPECT_THROW(opt.load_state_dict(two_groups), mt::Error);
  auto bad_option = good;
  bad_option.param_groups[0]["betas"] = 0.5;
  EXPECT_THROW(opt.load_state_dict(bad_option), mt::Error);
  auto bad_lr = good;
  bad_lr.param_groups[0]["lr"] = -1.0;
  EXPECT_THROW(opt.load_state_dict(bad_lr), mt::Error);
  auto bad_index = good;
  bad_index.state[0].first = "1.momentum_buffer";
  EXPECT_THROW(opt.load_state_dict(bad_index), mt::Error);
  EXPECT_EQ(opt.lr(), 0.1);
}

TEST(Optimizer, ScalarOptimizersKeepTheirStateToo) {
  mt::Scalar a(0.0), b(0.0);
  optim::Adam<mt::Scalar> first(std::vector<mt::Scalar>{a}, {.lr = 0.1});
  optim::Adam<mt::Scalar> second(std::vector<mt::Scalar>{b}, {.lr = 0.1});
  const auto step = [](optim::Optimizer<mt::Scalar>& opt, mt::Scalar& x) {
    opt.zero_grad();
    ((x - 3.0) * (x - 3.0)).backward();
    opt.step();
  };
  for (int i = 0; i < 3; ++i) step(first, a);
  b.set_data(a.data());
  second.load_state_dict(first.state_dict());
  for (int i = 0; i < 3; ++i) {
    step(first, a);
    step(second, b);
  }
  EXPECT_EQ(a.data(), b.data());
}

TEST(LRScheduler, StepLRFollowsTorchsFormulaInEveryGroup) {
  const Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::SGD<Tensor> opt({{{a}, std::nullopt}, {{b}, optim::SGDOptions{.lr = 1.0}}}, {.lr = 0.1});
  optim::StepLR schedule(opt, 3, 0.5);
  for (long epoch = 1; epoch <= 10; ++epoch) {
    schedule.step();
    EXPECT_DOUBLE_EQ(opt.lr(0), 0.1 * std::pow(0.5, double(epoch / 3))) << epoch;
    EXPECT_DOUBLE_EQ(opt.lr(1), 1.0 * std::pow(0.5, double(epoch / 3))) << epoch;
  }
  EXPECT_EQ(schedule.last_epoch(), 10);
}

TEST(LRScheduler, CosineAnnealingMatchesTorchsValues) {
  const Tensor a = parameter({0.0});
  optim::SGD<Tensor> opt(std::vector<Tensor>{a}, {.lr = 0.1});
  optim::CosineAnnealingLR schedule(opt, 5, 0.01);
  // torch.optim.lr_scheduler.CosineAnnealingLR(SGD(lr=0.1), T_max=5, eta_min=0.01), epochs 0..7
  const std::vector<double> torch{
      0.1,  0.09140576474687263,  0.06890576474687263, 0.04109423525312736, 0.018594235253127367,
      0.01, 0.018594235253127367, 0.04109423525312739};
  for (std::size_t epoch = 0; epoch < torch.size(); ++epoch) {
    EXPECT_NEAR(opt.lr(), torch[epoch], 1e-15) << epoch;
    schedule.step();
  }
}

TEST(LRScheduler, LinearWarmUpMatchesTorchsValues) {
  const Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::SGD<Tensor> opt({{{a}, std::nullopt}, {{b}, optim::SGDOptions{.lr = 0.5}}}, {.lr = 0.1});
  optim::LinearLR schedule(opt, 0.25, 1.0, 4);
  // torch.optim.lr_scheduler.LinearLR(start_factor=0.25, end_factor=1, total_iters=4), epochs 0..6
  const std::vector<double> group0{0.025, 0.04375, 0.0625, 0.08125, 0.1, 0.1, 0.1};
  const std::vector<double> group1{0.125, 0.21875, 0.3125, 0.40625, 0.5, 0.5, 0.5};
  for (std::size_t epoch = 0; epoch < group0.size(); ++epoch) {
    EXPECT_NEAR(opt.lr(0), group0[epoch], 1e-15) << epoch;
    EXPECT_NEAR(opt.lr(1), group1[epoch], 1e-15) << epoch;
    schedule.step();
  }
  EXPECT_THROW(optim::LinearLR(opt, 0.0, 1.0, 4), mt::Error);
  EXPECT_THROW(optim::LinearLR(opt, 0.5, 1.0, 0), mt::Error);
}

TEST(LRScheduler, StateDictResumesTheSameCurve) {
  const Tensor a = parameter({0.0}), b = parameter({0.0});
  optim::Adam<Tensor> first(std::vector<Tensor>{a}, {.lr = 0.2});
  optim::CosineAnnealingLR one(first, 8);
  for (int i = 0; i < 3; ++i) one.step();
  optim::Adam<Tensor> second(std::vector<Tensor>{b}, {.lr = 7.0});
  optim::CosineAnnealingLR two(second, 8);
  two.load_state_dict(one.state_dict());
  EXPECT_EQ(second.lr(), first.lr());
  for (int i = 0; i < 4; ++i) {
    one.step();
    two.step();
    EXPECT_EQ(second.lr(), first.lr());
  }
  EXPECT_THROW(two.load_state_dict({.last_epoch = 1, .base_lrs = {0.1, 0.2}}), mt::Error);
  EXPECT_THROW(two.load_state_dict({.last_epoch = -1, .base_lrs = {0.1}}), mt::Error);
}
