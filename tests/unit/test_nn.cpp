// Tensor layers, losses and SGD on tensor parameters.
#include <gtest/gtest.h>

#include <cmath>

#include "error_helpers.h"

#include "minitorch/core/error.h"
#include "minitorch/models/mlp.h"
#include "minitorch/nn/activation.h"
#include "minitorch/nn/clip_grad.h"
#include "minitorch/nn/conv.h"
#include "minitorch/nn/dropout.h"
#include "minitorch/nn/embedding.h"
#include "minitorch/nn/linear.h"
#include "minitorch/nn/losses.h"
#include "minitorch/nn/pooling.h"
#include "minitorch/nn/sequential.h"
#include "minitorch/optim/sgd.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/tensor/grad_check.h"

namespace mt = minitorch;
namespace F = minitorch::nn::functional;
using mt::Tensor;

TEST(Linear, ShapesNamesAndPyTorchInitialisation) {
  mt::Generator g(0);
  mt::nn::Linear layer(mt::nn::LinearOptions(100, 4).generator(&g));
  EXPECT_EQ(layer.weight.shape(), (mt::Shape{4, 100}));
  EXPECT_EQ(layer.bias.shape(), (mt::Shape{4}));
  const double bound = 1.0 / std::sqrt(100.0);
  double max_abs = 0;
  for (double w : layer.weight.to_vector()) max_abs = std::max(max_abs, std::abs(w));
  EXPECT_LE(max_abs, bound);
  EXPECT_GT(max_abs, 0.8 * bound);  // 400 draws reach near the bound
  const auto named = layer.named_parameters();
  ASSERT_EQ(named.size(), 2u);
  EXPECT_EQ(named[0].name, "weight");
  EXPECT_EQ(named[1].name, "bias");
  EXPECT_TRUE(layer.weight.requires_grad());
  EXPECT_EQ(layer.to_string(), "Linear(in_features=100, out_features=4, bias=True)");
  EXPECT_EQ(layer.forward(mt::zeros({7, 3, 100})).shape(), (mt::Shape{7, 3, 4}));
  EXPECT_THROW(layer.forward(mt::zeros({2, 99})), mt::Error);
  mt::nn::Linear no_bias(mt::nn::LinearOptions(3, 2).bias(false));
  EXPECT_EQ(no_bias.parameters().size(), 1u);
}

TEST(Linear, ComputesXWTransposePlusB) {
  mt::nn::Linear layer(2, 2);
  layer.weight.set_data(mt::tensor({{1, 2}, {3, 4}}));
  layer.bias.set_data(mt::tensor({10, 20}));
  const auto y = layer.forward(mt::tensor({{1, 1}, {0, 1}})).to_vector();
  EXPECT_EQ(y, (std::vector<double>{13, 27, 12, 24}));
}

TEST(Linear, GradientsMatchCentralDifferences) {
  mt::nn::Linear layer(mt::nn::LinearOptions(3, 2).dtype(mt::kFloat64));
  const Tensor x = mt::rand({4, 3}, {.dtype = mt::kFloat64});
  const auto result = mt::grad_check(
      [&](const std::vector<Tensor>& v) { return v[0].matmul(v[1].transpose(0, 1)) + v[2]; },
      {x, layer.weight, layer.bias});
  EXPECT_TRUE(result.ok) << result.message;
}

TEST(Sequential, NamesChildrenByPositionAndChainsThem) {
  auto net = mt::nn::Sequential{
      std::make_shared<mt::nn::Linear>(2, 3), std::make_shared<mt::nn::ReLU>(),
      std::make_shared<mt::nn::Linear>(3, 1), std::make_shared<mt::nn::Sigmoid>()};
  const auto state = net.state_dict();
  ASSERT_EQ(state.size(), 4u);
  EXPECT_EQ(state[0].name, "0.weight");
  EXPECT_EQ(state[3].name, "2.bias");
  EXPECT_FALSE(state[0].value.requires_grad());  // state_dict values are detached
  const Tensor y = net.forward(mt::rand({5, 2}));
  EXPECT_EQ(y.shape(), (mt::Shape{5, 1}));
  for (double p : y.to_vector()) {
    EXPECT_GT(p, 0.0);
    EXPECT_LT(p, 1.0);
  }
  EXPECT_EQ(net.to_string(),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
            "  (1): ReLU()\n"
            "  (2): Linear(in_features=3, out_features=1, bias=True)\n"
            "  (3): Sigmoid()\n"
            ")");
  EXPECT_THROW(net.push_back(nullptr), mt::Error);
}

TEST(MLP, LayersAndShapes) {
  mt::models::MLP mlp({2, 10, 10, 1});
  const auto named = mlp.named_parameters();
  ASSERT_EQ(named.size(), 6u);
  EXPECT_EQ(named[0].name, "layer1.weight");
  EXPECT_EQ(named[5].name, "layer3.bias");
  EXPECT_EQ(mlp.forward(mt::zeros({8, 2})).shape(), (mt::Shape{8, 1}));
  EXPECT_THROW(mt::models::MLP({2}), mt::Error);
}

TEST(Losses, MatchTheirFormulas) {
  const Tensor p = mt::tensor({0.9, 0.2, 0.5}, {.dtype = mt::kFloat64});
  const Tensor y = mt::tensor({1, 0, 1}, {.dtype = mt::kFloat64});
  const double bce = -(std::log(0.9) + std::log(0.8) + std::log(0.5)) / 3;
  EXPECT_NEAR(F::binary_cross_entropy(p, y).item(), bce, 1e-12);
  EXPECT_NEAR(F::mse_loss(p, y).item(), (0.01 + 0.04 + 0.25) / 3, 1e-12);
  EXPECT_THROW(F::mse_loss(p, mt::zeros({3, 1}, {.dtype = mt::kFloat64})), mt::Error);
}

TEST(Losses, SaturatedBinaryCrossEntropyStaysFinite) {
  const Tensor p = mt::tensor({0.0, 1.0}, {.requires_grad = true});
  const Tensor y = mt::tensor({1.0, 1.0});
  const Tensor loss = F::binary_cross_entropy(p, y);
  EXPECT_NEAR(loss.item(), 50.0, 1e-3);  // (100 + 0) / 2: the log is clamped at -100
  loss.backward();
  for (double g : p.grad().to_vector()) EXPECT_TRUE(std::isfinite(g));
}

TEST(Losses, GradientsMatchCentralDifferences) {
  const Tensor logits = mt::randn({6}, {.dtype = mt::kFloat64});
  const Tensor targets = mt::rand({6}, {.dtype = mt::kFloat64});
  const auto bce = mt::grad_check(
      [&](const std::vector<Tensor>& v) { return F::binary_cross_entropy(v[0].sigmoid(), v[1]); },
      {logits, targets});
  EXPECT_TRUE(bce.ok) << bce.message;
  const auto mse = mt::grad_check(
      [](const std::vector<Tensor>& v) { return F::mse_loss(v[0], v[1]); }, {logits, targets});
  EXPECT_TRUE(mse.ok) << mse.message;
}

TEST(SGDOnTensors, MomentumAndWeightDecayFollowTorchsRule) {
  // Minimise Σ (w - t)² with w = [0, 0]: gradient 2(w - t), compared with the rule written out.
  const Tensor w = mt::zeros({2}, {.dtype = mt::kFloat64, .requires_grad = true});
  const Tensor t = mt::tensor({1.0, -2.0}, {.dtype = mt::kFloat64});
  const mt::optim::SGDOptions o{
      .lr = 0.05, .momentum = 0.9, .weight_decay = 0.01, .nesterov = true};
  mt::optim::SGD opt(std::vector<Tensor>{w}, o);
  std::vector<double> ref{0, 0}, buf{0, 0};
  const std::vector<double> target{1.0, -2.0};
  for (int step = 0; step < 10; ++step) {
    opt.zero_grad();
    ((w - t) * (w - t)).sum().backward();
    opt.step();
    for (int i = 0; i < 2; ++i) {
      double g = 2 * (ref[i] - target[i]) + o.weight_decay * ref[i];
      buf[i] = step == 0 ? g : o.momentum * buf[i] + g;
      g = g + o.momentum * buf[i];
      ref[i] -= o.lr * g;
    }
  }
  const auto got = w.to_vector();
  EXPECT_NEAR(got[0], ref[0], 1e-12);
  EXPECT_NEAR(got[1], ref[1], 1e-12);
  EXPECT_TRUE(w.is_leaf());
  EXPECT_TRUE(w.requires_grad());
}

TEST(SGDOnTensors, ZeroGradClearsAndStepUpdatesTheModelInPlace) {
  mt::models::MLP mlp({2, 3, 1});
  // The output bias: its gradient is the batch size whatever the random weights (an earlier
  // layer's may be 0 when every hidden unit happens to be inactive).
  const Tensor before = mlp.named_parameters().back().value.clone().detach();
  mt::optim::SGD opt(mlp.parameters(), {.lr = 0.1});
  mlp.forward(mt::ones({4, 2})).sum().backward();
  opt.step();
  const Tensor after = mlp.named_parameters().back().value;
  EXPECT_NEAR(after.item(), before.item() - 0.1 * 4, 1e-6);
  opt.zero_grad();
  for (const auto& p : mlp.parameters()) EXPECT_FALSE(p.has_grad());
}

TEST(Losses, ClassificationLossesValidateTargets) {
  const Tensor logits = mt::randn({3, 4});
  EXPECT_THROW(F::nll_loss(logits, mt::tensor({0, 1})), mt::Error);                  // N mismatch
  EXPECT_THROW(F::nll_loss(logits, mt::tensor({0, 1, 4})), mt::Error);               // out of range
  EXPECT_THROW(F::nll_loss(logits, mt::tensor({0, 1, 1.5})), mt::Error);             // not an index
  EXPECT_THROW(F::cross_entropy(mt::randn({3}), mt::tensor({0, 1, 2})), mt::Error);  // not 2-D
  try {
    F::nll_loss(logits, mt::tensor({0, -1, 2}));
  } catch (const mt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("target[1]"), std::string::npos) << e.what();
  }
  // Saturated logits stay finite with logits-based losses.
  const Tensor big = mt::tensor({{1000.0, -1000.0}});
  EXPECT_TRUE(std::isfinite(F::cross_entropy(big, mt::tensor({1})).item()));
  EXPECT_NEAR(F::binary_cross_entropy_with_logits(mt::tensor({-1000.0}), mt::tensor({1.0})).item(),
              1000.0, 1e-3);
}

TEST(Losses, ClassificationLossesAcceptTargetsOfAnyLayout) {
  const Tensor logits = mt::tensor({{1.0, 2.0, 0.5}, {0.1, -1.0, 3.0}}, {.dtype = mt::kFloat64});
  const double expected =
      F::cross_entropy(logits, mt::tensor({1, 2}, {.dtype = mt::kFloat64})).item();
  const Tensor table = mt::tensor({{0, 1}, {2, 2}, {1, 0}}, {.dtype = mt::kFloat64});
  const std::vector<Tensor> targets{
      table.select(1, 1).narrow(0, 0, 2),                      // a column: [1, 2], stride 2
      table.transpose(0, 1).select(0, 0).narrow(0, 1, 2),      // [2, 1] through a transpose
      mt::tensor({1.0}, {.dtype = mt::kFloat64}).expand({2}),  // stride 0: [1, 1]
  };
  for (const Tensor& target : targets) {
    ASSERT_FALSE(target.is_contiguous());
    const Tensor contiguous = target.contiguous();
    EXPECT_DOUBLE_EQ(F::cross_entropy(logits, target).item(),
                     F::cross_entropy(logits, contiguous).item());
    EXPECT_DOUBLE_EQ(F::nll_loss(logits, target).item(), F::nll_loss(logits, contiguous).item());
  }
  EXPECT_DOUBLE_EQ(F::cross_entropy(logits, targets[0]).item(), expected);
}

TEST(Losses, LogitsCrossEntropyIsSmoothAtZero) {
  // The loss is softplus(x) - x·t, smooth everywhere: at x = 0 its gradient is (σ(0) - t) / N.
  const Tensor logits = mt::tensor({0.0, 0.0}, {.dtype = mt::kFloat64, .requires_grad = true});
  F::binary_cross_entropy_with_logits(logits, mt::tensor({1.0, 0.0}, {.dtype = mt::kFloat64}))
      .backward();
  const auto grad = logits.grad().to_vector();
  EXPECT_NEAR(grad[0], -0.25, 1e-15);
  EXPECT_NEAR(grad[1], 0.25, 1e-15);
  const Tensor mixed = mt::tensor({-2.0, 0.0, 3.0}, {.dtype = mt::kFloat64});
  const auto check = mt::grad_check(
      [](const std::vector<Tensor>& v) { return F::binary_cross_entropy_with_logits(v[0], v[1]); },
      {mixed, mt::tensor({0.3, 0.9, 0.0}, {.dtype = mt::kFloat64})});
  EXPECT_TRUE(check.ok) << check.message;
}

TEST(ClipGradNorm, ScalesTheJointNormDown) {
  const Tensor a = mt::tensor({3.0, 0.0}, {.dtype = mt::kFloat64, .requires_grad = true});
  const Tensor b = mt::tensor({4.0}, {.dtype = mt::kFloat64, .requires_grad = true});
  const Tensor unused = mt::zeros({1}, {.requires_grad = true});
  ((a * a).sum() / 2.0 + (b * b).sum() / 2.0).backward();  // grads (3, 0) and (4): norm 5
  EXPECT_NEAR(mt::nn::clip_grad_norm_({a, b, unused}, 1.0), 5.0, 1e-12);
  EXPECT_NEAR(a.grad().get({0}), 3.0 / 5.0, 1e-6);
  EXPECT_NEAR(b.grad().get({0}), 4.0 / 5.0, 1e-6);
  EXPECT_NEAR(mt::nn::clip_grad_norm_({a, b}, 10.0), 1.0, 1e-5);  // below the limit: unchanged
  EXPECT_NEAR(a.grad().get({0}), 3.0 / 5.0, 1e-6);
  EXPECT_THROW(mt::nn::clip_grad_norm_({a}, 0.0), mt::Error);
}

// ---- layer options, as LibTorch's
// ----------------------------------------------------------------

TEST(LayerOptions, DefaultsAreTorchs) {
  const mt::nn::Conv2dOptions conv(3, 8, 5);
  EXPECT_EQ(*conv.kernel_size(), (std::array<std::int64_t, 2>{5, 5}));
  EXPECT_EQ(*conv.stride(), (std::array<std::int64_t, 2>{1, 1}));
  EXPECT_EQ(*conv.padding(), (std::array<std::int64_t, 2>{0, 0}));
  EXPECT_EQ(*conv.dilation(), (std::array<std::int64_t, 2>{1, 1}));
  EXPECT_TRUE(conv.bias());
  EXPECT_EQ(conv.dtype(), mt::kFloat32);
  EXPECT_EQ(conv.generator(), nullptr);
  const mt::nn::MaxPool2dOptions pool(3);
  EXPECT_EQ(*pool.stride(), (std::array<std::int64_t, 2>{3, 3}));  // the kernel size
  EXPECT_EQ(*pool.padding(), (std::array<std::int64_t, 2>{0, 0}));
  EXPECT_TRUE(mt::nn::LinearOptions(2, 3).bias());
  EXPECT_EQ(mt::nn::DropoutOptions().p(), 0.5);
  EXPECT_EQ(mt::nn::EmbeddingOptions(10, 4).dtype(), mt::kFloat32);
}

TEST(LayerOptions, SizesTakeOneNumberOrOnePerDimension) {
  const auto conv = mt::nn::Conv2dOptions(1, 1, {3, 5}).stride(2).padding({1, 2}).dilation(1);
  EXPECT_EQ(*conv.kernel_size(), (std::array<std::int64_t, 2>{3, 5}));
  EXPECT_EQ(*conv.stride(), (std::array<std::int64_t, 2>{2, 2}));
  EXPECT_EQ(*conv.padding(), (std::array<std::int64_t, 2>{1, 2}));
  mt::nn::Conv2d layer(conv);
  EXPECT_EQ(layer.weight.shape(), (mt::Shape{1, 1, 3, 5}));
  EXPECT_EQ(layer.forward(mt::rand({1, 1, 9, 9})).shape(), (mt::Shape{1, 1, 5, 5}));
  EXPECT_EQ(layer.to_string(), "Conv2d(1, 1, kernel_size=(3, 5), stride=(2, 2), padding=(1, 2))");
  EXPECT_EQ(mt::nn::Conv2d(1, 1, 3).options.kernel_size(), mt::nn::ExpandingArray<2>({3, 3}));
  EXPECT_EQ(mt::nn::Conv1d(4, 2, 3).forward(mt::rand({1, 4, 10})).shape(), (mt::Shape{1, 2, 8}));
  EXPECT_EQ(mt::nn::Conv1d(mt::nn::Conv1dOptions(4, 2, 3).padding(1)).to_string(),
            "Conv1d(4, 2, kernel_size=(3,), stride=(1,), padding=(1,))");
  EXPECT_EQ(mt::nn::MaxPool2d(mt::nn::MaxPool2dOptions({2, 3})).to_string(),
            "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)");
  EXPECT_CONTAINS(mt::testing::error_of([] {
                    mt::nn::ExpandingArray<2>({1, 2, 3});
                  }),
                  "got 3 values; expected 2");
}

TEST(LayerOptions, EachLayerKeepsItsOptionsAndUsesThem) {
  mt::Generator g1(7), g2(7);
  mt::nn::Linear a(mt::nn::LinearOptions(3, 2).bias(false).dtype(mt::kFloat64).generator(&g1));
  mt::nn::Linear b(mt::nn::LinearOptions(3, 2).bias(false).dtype(mt::kFloat64).generator(&g2));
  EXPECT_FALSE(a.options.bias());
  EXPECT_FALSE(a.bias.defined());
  EXPECT_EQ(a.weight.dtype(), mt::kFloat64);
  EXPECT_EQ(a.weight.to_vector(), b.weight.to_vector());  // drawn from equal generators
  mt::nn::Embedding table(mt::nn::EmbeddingOptions(5, 2).dtype(mt::kFloat64));
  EXPECT_EQ(table.weight.shape(), (mt::Shape{5, 2}));
  EXPECT_EQ(table.weight.dtype(), mt::kFloat64);
  EXPECT_EQ(mt::nn::Embedding(5, 2).to_string(), "Embedding(5, 2)");
  mt::nn::Dropout dropout(mt::nn::DropoutOptions(1.0));
  EXPECT_EQ(dropout.options.p(), 1.0);
  EXPECT_EQ(dropout.forward(mt::ones({4})).to_vector(), (std::vector<double>{0, 0, 0, 0}));
  EXPECT_EQ(mt::nn::Dropout(0.25).options.p(), 0.25);
  mt::nn::AvgPool2d pool(mt::nn::AvgPool2dOptions(2).stride(1));
  EXPECT_EQ(pool.forward(mt::rand({1, 1, 4, 4})).shape(), (mt::Shape{1, 1, 3, 3}));
  EXPECT_EQ(pool.options.stride(), mt::nn::ExpandingArray<2>(1));
}

TEST(LayerOptions, InvalidValuesAreErrorsNamingTheOption) {
  using mt::testing::error_of;
  namespace nn = mt::nn;
  EXPECT_CONTAINS(error_of([] { nn::Conv2d(nn::Conv2dOptions(0, 4, 3)); }),
                  "Conv2d: in_channels = 0; expected a positive number");
  EXPECT_CONTAINS(error_of([] {
                    nn::Conv2d(nn::Conv2dOptions(1, 4, {3, 0}));
                  }),
                  "Conv2d: kernel_size = (3, 0); expected positive values");
  EXPECT_CONTAINS(error_of([] { nn::Conv2d(nn::Conv2dOptions(1, 4, 3).stride(0)); }),
                  "Conv2d: stride = (0, 0); expected positive values");
  EXPECT_CONTAINS(error_of([] {
                    nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding({0, -1}));
                  }),
                  "Conv2d: padding = (0, -1); expected values >= 0");
  EXPECT_CONTAINS(error_of([] { nn::Conv1d(nn::Conv1dOptions(1, 4, 3).dilation(0)); }),
                  "Conv1d: dilation = (0,); expected positive values");
  EXPECT_CONTAINS(error_of([] { nn::Linear(nn::LinearOptions(0, 2)); }),
                  "Linear: in_features and out_features must be positive, got 0 and 2");
  EXPECT_CONTAINS(error_of([] {
                    nn::MaxPool2d(nn::MaxPool2dOptions(2).stride({1, 0}));
                  }),
                  "MaxPool2d: stride = (1, 0); expected positive values");
  EXPECT_CONTAINS(error_of([] { nn::AvgPool2d(nn::AvgPool2dOptions(2).padding(2)); }), "AvgPool2d");
  EXPECT_CONTAINS(error_of([] { nn::Dropout(nn::DropoutOptions(-0.1)); }),
                  "Dropout: p = -0.100000; expected a value in [0, 1]");
  EXPECT_CONTAINS(
      error_of([] { nn::Embedding(nn::EmbeddingOptions(3, 0)); }),
      "Embedding: sizes must be positive, got num_embeddings = 3 and embedding_dim = 0");
}
