// DistributedDataParallel against one process: W ranks with per-rank batch B take, step by step,
// the steps one process takes with batch W·B on the same samples (float64 to 1e-12 relative,
// float32 to 1e-5), for the MLP and LeNet, with one bucket, one bucket per parameter (the
// reductions overlap the backward pass) and no overlap; float32 runs repeat bit for bit. Under
// mpirun with two ranks this is the real check; alone it checks the wrapper is transparent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/distributed/data_parallel.h"
#include "minitorch/models/registry.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/losses.h"
#include "minitorch/optim/sgd.h"
#include "minitorch/tensor/creation.h"

namespace {

namespace mt = minitorch;
using mt::Tensor;
using mt::distributed::ProcessGroup;
using mt::nn::DistributedDataParallel;
using mt::nn::DistributedDataParallelOptions;

constexpr std::int64_t kPerRank = 4;
constexpr int kSteps = 4;

struct Data {
  Tensor x, y;
};

Data make_data(std::int64_t n, mt::Dtype dtype) {
  mt::Generator generator(123);
  Data d;
  d.x = mt::randn({n, 1, 28, 28}, {.dtype = dtype}, &generator);
  std::vector<double> labels;
  for (std::int64_t i = 0; i < n; ++i) labels.push_back(double((i * 7 + 3) % 10));
  d.y = mt::from_vector(labels, {n}, {.dtype = dtype});
  return d;
}

std::shared_ptr<mt::nn::Layer> make_model(const std::string& name, mt::Dtype dtype,
                                          std::uint64_t seed) {
  mt::Generator generator(seed);
  mt::models::ModelConfig config;
  config.init = {.dtype = dtype, .generator = &generator};
  return mt::models::make_model(name, config);
}

void sgd_step(mt::nn::Layer& model, mt::optim::SGD<Tensor>& sgd, const Tensor& x, const Tensor& y) {
  sgd.zero_grad();
  mt::nn::functional::cross_entropy(model.forward(x), y).backward();
  sgd.step();
}

// The largest |a - b| over the parameters, relative to the largest |b|.
double relative_difference(mt::nn::Layer& a, mt::nn::Layer& b) {
  const auto pa = a.parameters(), pb = b.parameters();
  double difference = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < pa.size(); ++i) {
    const auto va = pa[i].to_vector(), vb = pb[i].to_vector();
    for (std::size_t k = 0; k < va.size(); ++k) {
      difference = std::max(difference, std::abs(va[k] - vb[k]));
      scale = std::max(scale, std::abs(vb[k]));
    }
  }
  return difference / scale;
}

std::vector<double> weights_of(mt::nn::Layer& model) {
  std::vector<double> out;
  for (const Tensor& p : model.parameters()) {
    const auto v = p.to_vector();
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

// Trains the wrapped model for kSteps on this rank's share and, beside it, the single-process
// model on the whole global batch; checks them after every step. Returns the final weights.
std::vector<double> check_against_one_process(const std::string& name, mt::Dtype dtype,
                                              DistributedDataParallelOptions options,
                                              double tolerance) {
  ProcessGroup& world = ProcessGroup::world();
  const std::int64_t global = kPerRank * world.size();
  const Data data = make_data(global * kSteps, dtype);
  auto reference = make_model(name, dtype, 7);
  // Every rank but 0 starts elsewhere: the wrapper must give them rank 0's weights.
  DistributedDataParallel ddp(make_model(name, dtype, 7 + 1000 * std::uint64_t(world.rank())),
                              options);
  mt::optim::SGD<Tensor> reference_sgd(reference->parameters(), {.lr = 0.05, .momentum = 0.9});
  mt::optim::SGD<Tensor> ddp_sgd(ddp.parameters(), {.lr = 0.05, .momentum = 0.9});
  EXPECT_EQ(relative_difference(ddp.module(), *reference), 0.0) << "after the broadcast";
  for (int step = 0; step < kSteps; ++step) {
    sgd_step(*reference, reference_sgd, data.x.narrow(0, step * global, global),
             data.y.narrow(0, step * global, global));
    const std::int64_t mine = step * global + world.rank() * kPerRank;
    sgd_step(ddp, ddp_sgd, data.x.narrow(0, mine, kPerRank), data.y.narrow(0, mine, kPerRank));
    EXPECT_LE(relative_difference(ddp.module(), *reference), tolerance)
        << name << " step " << step << " of rank " << world.rank();
  }
  return weights_of(ddp.module());
}

const std::vector<DistributedDataParallelOptions>& bucketings() {
  static const std::vector<DistributedDataParallelOptions> all = {
      {.bucket_cap_mb = 25.0, .overlap = true},    // one bucket
      {.bucket_cap_mb = 1e-6, .overlap = true},    // a bucket per parameter, overlapping backward
      {.bucket_cap_mb = 0.01, .overlap = false}};  // a few buckets, reduced after backward
  return all;
}

TEST(DistributedDataParallel, Float64StepsEqualOneProcessWithTheGlobalBatch) {
  for (const std::string name : {"mlp", "lenet"}) {
    for (const auto& options : bucketings()) {
      check_against_one_process(name, mt::kFloat64, options, 1e-12);
    }
  }
}

TEST(DistributedDataParallel, Float32StepsEqualOneProcessWithTheGlobalBatch) {
  for (const std::string name : {"mlp", "lenet"}) {
    for (const auto& options : bucketings()) {
      check_against_one_process(name, mt::kFloat32, options, 1e-5);
    }
  }
}

TEST(DistributedDataParallel, Float32RunsRepeatBitForBitAndEveryRankHoldsTheSameWeights) {
  for (const auto& options : bucketings()) {
    const auto first = check_against_one_process("lenet", mt::kFloat32, options, 1e-5);
    const auto second = check_against_one_process("lenet", mt::kFloat32, options, 1e-5);
    ASSERT_EQ(first.size(), second.size());
    EXPECT_EQ(std::memcmp(first.data(), second.data(), first.size() * sizeof(double)), 0);
    const std::string bytes(reinterpret_cast<const char*>(first.data()),
                            first.size() * sizeof(double));
    for (const std::string& other : ProcessGroup::world().all_gather(bytes)) {
      EXPECT_TRUE(other == bytes) << "a rank's weights differ from rank "
                                  << ProcessGroup::world().rank() << "'s";
    }
  }
}

TEST(DistributedDataParallel, BucketsFollowReverseRegistrationOrderAndTheCap) {
  auto one = DistributedDataParallel(make_model("lenet", mt::kFloat32, 1)).bucket_names();
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one.front().front(), "fc3.bias");
  EXPECT_EQ(one.front().back(), "conv1.weight");
  const auto each =
      DistributedDataParallel(make_model("lenet", mt::kFloat32, 1), {.bucket_cap_mb = 1e-6})
          .bucket_names();
  EXPECT_EQ(each.size(), make_model("lenet", mt::kFloat32, 1)->parameters().size());
  // 0.1 MB holds fc1's weight (48,000 floats) with what precedes it in reverse, not more.
  const auto capped =
      DistributedDataParallel(make_model("lenet", mt::kFloat32, 1), {.bucket_cap_mb = 0.1})
          .bucket_names();
  EXPECT_GT(capped.size(), 1u);
  EXPECT_LT(capped.size(), each.size());
}

// A layer that uses its second weight only on rank 0: the others count it as zeros.
struct Branchy : mt::nn::Layer {
  std::shared_ptr<mt::nn::Linear> used, sometimes;
  Branchy()
      : used(register_module("used", std::make_shared<mt::nn::Linear>(3, 2))),
        sometimes(register_module("sometimes", std::make_shared<mt::nn::Linear>(3, 2))) {}
  Tensor forward(const Tensor& x) override {
    const Tensor y = used->forward(x);
    return ProcessGroup::world().rank() == 0 ? y + sometimes->forward(x) : y;
  }
};

TEST(DistributedDataParallel, AParameterAPassDidNotReachCountsAsZeros) {
  DistributedDataParallel ddp(std::make_shared<Branchy>(), {.bucket_cap_mb = 1e-6});
  const Tensor x = mt::from_vector({1.0, 2.0, 3.0}, {1, 3});
  ddp.forward(x).sum().backward();
  const auto& branch = static_cast<Branchy&>(ddp.module()).sometimes;
  ASSERT_TRUE(branch->weight.has_grad());
  // Rank 0's gradient is x for each output; averaged with zeros from the others.
  EXPECT_NEAR(branch->weight.grad().get({0, 2}), 3.0 / ProcessGroup::world().size(), 1e-6);
  // A second pass works the same (the counts were reset).
  ddp.zero_grad();
  ddp.forward(x).sum().backward();
  EXPECT_NEAR(branch->weight.grad().get({1, 1}), 2.0 / ProcessGroup::world().size(), 1e-6);
}

// a, then b; b is used only while use_b.
struct Two : mt::nn::Layer {
  std::shared_ptr<mt::nn::Linear> a, b;
  bool use_b = true;
  Two()
      : a(register_module("a", std::make_shared<mt::nn::Linear>(3, 2))),
        b(register_module("b", std::make_shared<mt::nn::Linear>(2, 1))) {}
  Tensor forward(const Tensor& x) override {
    const Tensor h = a->forward(x);
    return use_b ? b->forward(h) : h;
  }
};

Tensor rank_input() {
  const double r = ProcessGroup::world().rank();
  return mt::from_vector({1.0 + r, 2.0, 3.0 - r}, {1, 3});
}

TEST(DistributedDataParallel, AnAccumulatedGradientSurvivesAPassThatDidNotReachIt) {
  auto model = std::make_shared<Two>();
  DistributedDataParallel ddp(model, {.bucket_cap_mb = 1e-6});
  ddp.forward(rank_input()).sum().backward();
  const std::vector<double> first = model->b->weight.grad().to_vector();
  model->use_b = false;  // no zero_grad: the next pass accumulates, and never reaches b
  ddp.forward(rank_input()).sum().backward();
  EXPECT_EQ(model->b->weight.grad().to_vector(), first);
}

// The time blocked on the all-reduces grows with the passes that communicate, and only with them.
TEST(DistributedDataParallel, WaitedSecondsCountsTheEndOfEachCommunicatingPass) {
  auto model = std::make_shared<Two>();
  DistributedDataParallel ddp(model);
  EXPECT_EQ(ddp.waited_seconds(), 0.0);
  ddp.forward(rank_input()).sum().backward();
  const double after_one = ddp.waited_seconds();
  if (!ProcessGroup::world().is_distributed()) {
    EXPECT_EQ(after_one, 0.0) << "alone, nothing is awaited";
    return;
  }
  EXPECT_GT(after_one, 0.0);
  ddp.forward(rank_input()).sum().backward();
  EXPECT_GT(ddp.waited_seconds(), after_one);
}

TEST(DistributedDataParallel, FindUnusedParametersLeavesAParameterNoRankUsedWithoutGradient) {
  for (const bool find : {false, true}) {
    auto model = std::make_shared<Two>();
    model->use_b = false;
    DistributedDataParallel ddp(model, {.find_unused_parameters = find});
    ddp.forward(rank_input()).sum().backward();
    EXPECT_TRUE(model->a->weight.has_grad());
    // Without the count, b's gradient is the average of what the ranks hold: zeros. Alone, no
    // hook runs and b never gets one.
    EXPECT_EQ(model->b->weight.has_grad(), !find && ProcessGroup::world().is_distributed());
  }
}

TEST(DistributedDataParallel, APassCutShortByAnExceptionLeavesTheNextPassCorrect) {
  auto clean_model = std::make_shared<Two>();
  auto model = std::make_shared<Two>();
  model->a->weight.set_data(clean_model->a->weight);
  model->a->bias.set_data(clean_model->a->bias);
  model->b->weight.set_data(clean_model->b->weight);
  model->b->bias.set_data(clean_model->b->bias);
  DistributedDataParallel clean(clean_model, {.bucket_cap_mb = 1e-6});
  DistributedDataParallel ddp(model, {.bucket_cap_mb = 1e-6});
  bool thrown = false;
  // After the wrapper's own hook on a.weight: the buckets of b are on their way by then.
  model->a->weight.register_post_accumulate_grad_hook([&](const Tensor&) {
    if (!thrown) {
      thrown = true;
      throw mt::Error("a hook failed");
    }
  });
  EXPECT_THROW(ddp.forward(rank_input()).sum().backward(), mt::Error);
  ddp.zero_grad();
  ddp.forward(rank_input() * 2.0).sum().backward();
  clean.forward(rank_input() * 2.0).sum().backward();
  EXPECT_EQ(model->b->bias.grad().to_vector(), clean_model->b->bias.grad().to_vector());
  EXPECT_EQ(model->b->weight.grad().to_vector(), clean_model->b->weight.grad().to_vector());
  EXPECT_EQ(model->a->weight.grad().to_vector(), clean_model->a->weight.grad().to_vector());
}

TEST(DistributedDataParallel, ABadBucketSizeIsAnError) {
  EXPECT_THROW(DistributedDataParallel(make_model("mlp", mt::kFloat32, 1), {.bucket_cap_mb = 0}),
               mt::Error);
  EXPECT_THROW(DistributedDataParallel(nullptr), mt::Error);
}

}  // namespace
