// nn::functional and its layers: softmax, log_softmax, dropout, tile, pooling, unfold / fold.
#include <gtest/gtest.h>

#include <cmath>

#include "error_helpers.h"
#include "minitorch/core/error.h"
#include "minitorch/nn/conv.h"
#include "minitorch/nn/dropout.h"
#include "minitorch/nn/embedding.h"
#include "minitorch/nn/functional.h"
#include "minitorch/nn/pooling.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
namespace F = minitorch::nn::functional;
using mt::Tensor;

TEST(Softmax, SumsToOneAndIsStable) {
  const Tensor x = mt::tensor({{1000.0, 1001.0, 1002.0}, {-1000.0, 0.0, 1000.0}});
  const auto p = F::softmax(x, 1).to_vector();
  for (double v : p) EXPECT_TRUE(std::isfinite(v));
  EXPECT_NEAR(p[0] + p[1] + p[2], 1.0, 1e-6);
  EXPECT_NEAR(p[2], 1.0 / (1.0 + std::exp(-1.0) + std::exp(-2.0)), 1e-6);
  EXPECT_NEAR(p[5], 1.0, 1e-6);
  const auto logp = F::log_softmax(x, -1).to_vector();
  for (std::size_t i = 0; i < logp.size(); ++i) {
    EXPECT_TRUE(std::isfinite(logp[i])) << i;
    if (p[i] > 1e-30) {
      EXPECT_NEAR(logp[i], std::log(p[i]), 1e-4) << i;
    }
  }
  EXPECT_NEAR(logp[3], -2000.0, 1e-2);  // finite where softmax underflows to 0
  const auto columns = F::softmax(x, 0).sum(0).to_vector();
  for (double v : columns) EXPECT_NEAR(v, 1.0, 1e-6);
  EXPECT_THROW(F::softmax(x, 2), mt::Error);
}

TEST(Dropout, InvertedScalingAndExactEdges) {
  const Tensor x = mt::ones({100000});
  EXPECT_EQ(F::dropout(x, 0.3, /*training=*/false).tensor_data().storage(),
            x.tensor_data().storage());  // eval: the identity itself
  EXPECT_EQ(F::dropout(x, 0.0, true).tensor_data().storage(), x.tensor_data().storage());
  for (double v : F::dropout(x, 1.0, true).to_vector()) ASSERT_EQ(v, 0.0);
  mt::Generator g(1);
  const auto y = F::dropout(x, 0.3, true, &g).to_vector();
  int zeros = 0;
  double sum = 0;
  for (double v : y) {
    ASSERT_TRUE(v == 0.0 || std::abs(v - 1.0 / 0.7) < 1e-6) << v;
    zeros += v == 0.0;
    sum += v;
  }
  EXPECT_NEAR(zeros / 100000.0, 0.3, 0.01);
  EXPECT_NEAR(sum / 100000.0, 1.0, 0.02);  // the expectation is preserved
  EXPECT_THROW(F::dropout(x, 1.5, true), mt::Error);
  EXPECT_THROW(F::dropout(x, -0.1, true), mt::Error);
}

TEST(Dropout, LayerFollowsTrainAndEval) {
  mt::Generator g(2);
  mt::nn::Dropout layer(mt::nn::DropoutOptions(0.5).generator(&g));
  const Tensor x = mt::ones({1000});
  EXPECT_NE(layer.forward(x).to_vector(), x.to_vector());
  layer.eval();
  EXPECT_EQ(layer.forward(x).to_vector(), x.to_vector());
  EXPECT_THROW(mt::nn::Dropout(2.0), mt::Error);
}

TEST(Pooling, TileGroupsEachWindowAlongTheLastDimension) {
  const Tensor x = mt::arange(16).view({1, 1, 4, 4});
  const Tensor t = F::tile(x, 2, 2);
  EXPECT_EQ(t.shape(), (mt::Shape{1, 1, 2, 2, 4}));
  EXPECT_EQ(t.select(2, 0).select(2, 1).view({4}).to_vector(), (std::vector<double>{2, 3, 6, 7}));
  EXPECT_EQ(F::max_pool2d(x, {2, 2}).view({4}).to_vector(), (std::vector<double>{5, 7, 13, 15}));
  EXPECT_EQ(F::avg_pool2d(x, {2, 2}).view({4}).to_vector(),
            (std::vector<double>{2.5, 4.5, 10.5, 12.5}));
  EXPECT_EQ(F::max_pool2d(x, {1, 4}).view({4}).to_vector(), (std::vector<double>{3, 7, 11, 15}));
  EXPECT_THROW(F::tile(x, 3, 2), mt::Error);
  EXPECT_THROW(F::tile(mt::zeros({4, 4}), 2, 2), mt::Error);
}

TEST(Pooling, LayersAndFlatten) {
  const Tensor x = mt::rand({2, 3, 8, 8});
  EXPECT_EQ(mt::nn::MaxPool2d(2).forward(x).shape(), (mt::Shape{2, 3, 4, 4}));
  EXPECT_EQ(mt::nn::AvgPool2d(4).forward(x).shape(), (mt::Shape{2, 3, 2, 2}));
  EXPECT_EQ(mt::nn::Flatten().forward(x).shape(), (mt::Shape{2, 192}));
  EXPECT_EQ(mt::nn::MaxPool2d(2).to_string(),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
}

TEST(Pooling, StridePaddingAndDefaultsAsPyTorch) {
  const Tensor x = mt::rand({2, 3, 7, 9});
  EXPECT_EQ(F::max_pool2d(x, {3, 3}).shape(), (mt::Shape{2, 3, 2, 3}));  // stride = kernel
  EXPECT_EQ(F::max_pool2d(x, {3, 3}, {2, 2}).shape(), (mt::Shape{2, 3, 3, 4}));
  EXPECT_EQ(F::avg_pool2d(x, {3, 3}, {1, 1}, {1, 1}).shape(), (mt::Shape{2, 3, 7, 9}));
  EXPECT_EQ(F::avg_pool2d(x, {2, 2}, {2, 2}, {1, 1}).shape(), (mt::Shape{2, 3, 4, 5}));
  // Average pooling counts the padding as zeros; max pooling never selects it.
  const Tensor ones = mt::ones({1, 1, 2, 2});
  EXPECT_EQ(F::avg_pool2d(ones, {2, 2}, {2, 2}, {1, 1}).to_vector(),
            (std::vector<double>{0.25, 0.25, 0.25, 0.25}));
  EXPECT_EQ(F::max_pool2d(-ones, {2, 2}, {2, 2}, {1, 1}).to_vector(),
            (std::vector<double>{-1, -1, -1, -1}));
  // The gradient of a tie goes to the window's first maximum only.
  const Tensor tied = mt::zeros({1, 1, 2, 2}, {.requires_grad = true});
  F::max_pool2d(tied, {2, 2}).sum().backward();
  EXPECT_EQ(tied.grad().to_vector(), (std::vector<double>{1, 0, 0, 0}));
}

TEST(Pooling, MaxPoolingWithDilationAsPyTorch) {
  // Kernel 2x2 with dilation (2, 1): each window takes rows i and i + 2, columns j and j + 1.
  const Tensor x = mt::arange(16).view({1, 1, 4, 4});
  EXPECT_EQ(F::max_pool2d(x, {2, 2}, {1, 1}, {0, 0}, {2, 1}).view({6}).to_vector(),
            (std::vector<double>{9, 10, 11, 13, 14, 15}));
  const Tensor y = (-x).detach().requires_grad_();
  F::max_pool2d(y, {2, 2}, {1, 1}, {0, 0}, {2, 1}).sum().backward();
  EXPECT_EQ(y.grad().to_vector(),
            (std::vector<double>{1, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_CONTAINS(mt::testing::error_of([&] {
                    F::max_pool2d(x, {2, 2}, {1, 1}, {0, 0}, {0, 1});
                  }),
                  "dilation (0, 1)");
}

TEST(Pooling, ErrorsNameWhatWasExpected) {
  using mt::testing::error_of;
  const Tensor x = mt::rand({1, 1, 4, 4});
  EXPECT_CONTAINS(error_of([&] {
                    F::max_pool2d(x, {2, 2}, {2, 2}, {2, 0});
                  }),
                  "at most half the kernel");
  EXPECT_CONTAINS(error_of([&] { F::avg_pool2d(x, {0, 2}); }), "positive");
  EXPECT_CONTAINS(error_of([&] { F::max_pool2d(x, {2, 2}, {-1, 2}); }), "positive");
  EXPECT_CONTAINS(error_of([&] { F::max_pool2d(mt::rand({4, 4}), {2, 2}); }), "4 dimensions");
  EXPECT_CONTAINS(error_of([&] { F::avg_pool2d(x, {5, 5}); }), "does not fit");
  EXPECT_THROW(mt::nn::MaxPool2d(mt::nn::MaxPool2dOptions(2).stride(1).padding(2)), mt::Error);
  EXPECT_THROW(mt::nn::AvgPool2d(0), mt::Error);
}

TEST(Pooling, LayersPrintLikePyTorch) {
  EXPECT_EQ(mt::nn::MaxPool2d(mt::nn::MaxPool2dOptions(3).stride(2).padding(1)).to_string(),
            "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False)");
  EXPECT_EQ(mt::nn::MaxPool2d(std::array<std::int64_t, 2>{2, 3}).to_string(),
            "MaxPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(mt::nn::AvgPool2d(2).to_string(), "AvgPool2d(kernel_size=2, stride=2, padding=0)");
  EXPECT_EQ(mt::nn::AvgPool2d(mt::nn::AvgPool2dOptions(3).stride(1).padding(1))
                .forward(mt::rand({1, 2, 5, 5}))
                .shape(),
            (mt::Shape{1, 2, 5, 5}));
}

TEST(Dropout, WithAMaskScalesTheKeptValues) {
  const Tensor x = mt::tensor({1.0, -2.0, 3.0, 4.0}, {.requires_grad = true});
  const Tensor mask = mt::tensor({1.0, 0.0, 1.0, 0.0});
  const Tensor y = F::dropout_with_mask(x, mask, 0.5);
  EXPECT_EQ(y.to_vector(), (std::vector<double>{2.0, 0.0, 6.0, 0.0}));
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector(), (std::vector<double>{2.0, 0.0, 2.0, 0.0}));
  EXPECT_FALSE(mask.has_grad());
  for (double v : F::dropout_with_mask(x, mask, 1.0).to_vector()) EXPECT_EQ(v, 0.0);
  EXPECT_CONTAINS(mt::testing::error_of([&] { F::dropout_with_mask(x, mt::ones({3}), 0.5); }),
                  "expected equal shapes");
  EXPECT_THROW(F::dropout_with_mask(x, mask, 1.5), mt::Error);
}

TEST(Unfold, FoldIsItsAdjointAndIm2colItsTranspose) {
  mt::Generator g(3);
  const Tensor x = mt::randn({2, 3, 6, 7}, {.dtype = mt::kFloat64}, &g);
  const mt::Window2d k{3, 2, 2, 1, 1, 0, 1, 2};
  const Tensor cols = mt::unfold(x, k);
  EXPECT_EQ(cols.shape(), (mt::Shape{2, 18, 3 * 5}));
  const Tensor c = mt::randn(cols.shape(), {.dtype = mt::kFloat64}, &g);
  // <unfold(x), c> = <x, fold(c)>
  EXPECT_NEAR((cols * c).sum().item(), (x * mt::fold(c, {6, 7}, k)).sum().item(), 1e-10);
  EXPECT_EQ(mt::im2col(x, k).to_vector(), cols.transpose(1, 2).to_vector());
  EXPECT_CONTAINS(mt::testing::error_of([&] { mt::fold(c, {6, 8}, k); }), "positions");
  EXPECT_CONTAINS(mt::testing::error_of([&] {
                    mt::fold(c.narrow(1, 0, 17), {6, 7}, k);
                  }),
                  "channels");
}

TEST(Conv, LayersShapesNamesAndInitialisation) {
  mt::Generator g(0);
  mt::nn::Conv2d conv(mt::nn::Conv2dOptions(3, 6, 5).padding(2).generator(&g));
  EXPECT_EQ(conv.forward(mt::rand({2, 3, 28, 28})).shape(), (mt::Shape{2, 6, 28, 28}));
  EXPECT_EQ(conv.named_parameters()[0].name, "weight");
  EXPECT_EQ(conv.weight.shape(), (mt::Shape{6, 3, 5, 5}));
  double max_abs = 0;
  for (double w : conv.weight.to_vector()) max_abs = std::max(max_abs, std::abs(w));
  EXPECT_LE(max_abs, 1.0 / std::sqrt(75.0));
  EXPECT_EQ(conv.to_string(), "Conv2d(3, 6, kernel_size=(5, 5), stride=(1, 1), padding=(2, 2))");
  mt::nn::Conv1d conv1(50, 100, 3);
  EXPECT_EQ(conv1.forward(mt::rand({4, 50, 20})).shape(), (mt::Shape{4, 100, 18}));
  EXPECT_THROW(mt::nn::Conv2d(0, 1, {3, 3}), mt::Error);
}

TEST(Conv, ErrorsNameTheShapes) {
  const Tensor x = mt::rand({1, 3, 4, 4});
  try {
    F::conv2d(x, mt::rand({2, 4, 3, 3}));
    FAIL();
  } catch (const mt::Error& e) {
    EXPECT_NE(std::string(e.what()).find("[2, 4, 3, 3]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(F::conv2d(x, mt::rand({2, 3, 5, 5})), mt::Error);  // window larger than input
  EXPECT_THROW(F::conv2d(x, mt::rand({2, 3, 3, 3}), mt::rand({3})), mt::Error);  // bias size
  EXPECT_THROW(F::conv2d(x, mt::rand({2, 3, 3, 3}), Tensor(), {.stride = {0, 1}}), mt::Error);
  EXPECT_THROW(F::conv1d(mt::rand({3, 4}), mt::rand({2, 3, 1})), mt::Error);
}

TEST(Embedding, LooksUpRowsAndAddsGradientsBack) {
  mt::nn::Embedding table(mt::nn::EmbeddingOptions(4, 3).dtype(mt::kFloat64));
  table.weight.set_data(mt::arange(12, {.dtype = mt::kFloat64}).view({4, 3}));
  const Tensor idx = mt::tensor({{3, 0}, {3, 1}}, {.dtype = mt::kFloat64});
  const Tensor y = table.forward(idx);
  EXPECT_EQ(y.shape(), (mt::Shape{2, 2, 3}));
  EXPECT_EQ(y.select(0, 0).select(0, 0).to_vector(), (std::vector<double>{9, 10, 11}));
  y.sum().backward();
  EXPECT_EQ(table.weight.grad().to_vector(),
            (std::vector<double>{1, 1, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2}));  // row 3 used twice
  EXPECT_THROW(table.forward(mt::tensor({4.0}, {.dtype = mt::kFloat64})), mt::Error);
  EXPECT_THROW(table.forward(mt::tensor({0.5}, {.dtype = mt::kFloat64})), mt::Error);
  EXPECT_THROW(mt::nn::Embedding(0, 3), mt::Error);
}
