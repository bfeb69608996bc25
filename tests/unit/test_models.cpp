// The models of models/: their state_dict names and shapes match their PyTorch twins, outputs have
// the promised shapes, every parameter receives a gradient, and bad inputs are named.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "error_helpers.h"
#include "minitorch/models/lenet.h"
#include "minitorch/models/limits.h"
#include "minitorch/models/minitorch_cnn.h"
#include "minitorch/models/mlp.h"
#include "minitorch/models/registry.h"
#include "minitorch/models/text_cnn.h"
#include "minitorch/nn/losses.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
using mt::Shape;
using mt::Tensor;
using mt::testing::error_of;

namespace {

std::map<std::string, Shape> state_shapes(const mt::nn::Module& model) {
  std::map<std::string, Shape> out;
  for (const auto& p : model.state_dict()) out[p.name] = p.value.shape();
  return out;
}

std::int64_t parameter_count(const mt::nn::Module& model) {
  std::int64_t n = 0;
  for (const auto& p : model.named_parameters()) n += p.value.numel();
  return n;
}

// One cross-entropy backward; every parameter must get a gradient that is not all zeros.
void expect_every_parameter_learns(mt::nn::Layer& model, const Tensor& x, std::int64_t classes) {
  mt::Generator g(3);
  std::vector<double> labels;
  for (std::int64_t i = 0; i < x.size(0); ++i) labels.push_back(double(g.next_u64() % classes));
  const Tensor y = mt::from_vector(labels, {x.size(0)});
  mt::nn::functional::cross_entropy(model.forward(x), y).backward();
  for (const auto& p : model.named_parameters()) {
    ASSERT_TRUE(p.value.has_grad()) << p.name;
    double sum = 0;
    for (double v : p.value.grad().to_vector()) sum += std::abs(v);
    EXPECT_GT(sum, 0.0) << p.name;
  }
}

}  // namespace

TEST(LeNet, StateDictMatchesPyTorchNamesAndShapes) {
  mt::models::LeNet net;
  const std::map<std::string, Shape> expected{{"conv1.weight", {6, 1, 5, 5}},  {"conv1.bias", {6}},
                                              {"conv2.weight", {16, 6, 5, 5}}, {"conv2.bias", {16}},
                                              {"fc1.weight", {120, 400}},      {"fc1.bias", {120}},
                                              {"fc2.weight", {84, 120}},       {"fc2.bias", {84}},
                                              {"fc3.weight", {10, 84}},        {"fc3.bias", {10}}};
  EXPECT_EQ(state_shapes(net), expected);
  EXPECT_EQ(parameter_count(net), 61706);  // torchvision-style LeNet-5 with 10 classes
}

TEST(LeNet, ForwardShapeAndGradients) {
  mt::Generator g(0);
  mt::models::LeNet net({}, {.generator = &g});
  const Tensor x = mt::randn({3, 1, 28, 28}, {}, &g);
  EXPECT_EQ(net.forward(x).shape(), (Shape{3, 10}));
  expect_every_parameter_learns(net, x, 10);
}

TEST(LeNet, OtherImageSizesAndErrors) {
  mt::models::LeNet wide({.in_channels = 3, .height = 32, .width = 36, .num_classes = 4});
  EXPECT_EQ(wide.fc1->weight.shape(), (Shape{120, 16 * 6 * 7}));
  EXPECT_EQ(wide.forward(mt::zeros({2, 3, 32, 36})).shape(), (Shape{2, 4}));
  EXPECT_CONTAINS(error_of([] { mt::models::LeNet({.height = 8}); }), "too small");
  mt::models::LeNet net;
  EXPECT_CONTAINS(error_of([&] { net.forward(mt::zeros({2, 3, 28, 28})); }), "conv2d");
}

TEST(MiniTorchCNN, StateDictShapesForwardAndEvalMode) {
  mt::Generator g(1);
  mt::models::MiniTorchCNN net({}, {.generator = &g});
  const std::map<std::string, Shape> expected{
      {"conv1.weight", {4, 1, 3, 3}}, {"conv1.bias", {4}},
      {"conv2.weight", {8, 4, 3, 3}}, {"conv2.bias", {8}},
      {"linear1.weight", {64, 392}},  {"linear1.bias", {64}},
      {"linear2.weight", {10, 64}},   {"linear2.bias", {10}}};
  EXPECT_EQ(state_shapes(net), expected);
  const Tensor x = mt::randn({2, 1, 28, 28}, {}, &g);
  expect_every_parameter_learns(net, x, 10);
  net.eval();  // dropout off: two passes agree exactly
  EXPECT_EQ(net.forward(x).to_vector(), net.forward(x).to_vector());
  EXPECT_CONTAINS(error_of([] { mt::models::MiniTorchCNN({.height = 30}); }), "multiples of 4");
}

TEST(TextCNN, StateDictShapesForwardAndErrors) {
  mt::Generator g(2);
  mt::models::TextCNN net({.vocab_size = 50, .embedding_dim = 8, .filters = 5}, {.generator = &g});
  const std::map<std::string, Shape> expected{
      {"embedding.weight", {50, 8}}, {"convs.0.weight", {5, 8, 3}}, {"convs.0.bias", {5}},
      {"convs.1.weight", {5, 8, 4}}, {"convs.1.bias", {5}},         {"convs.2.weight", {5, 8, 5}},
      {"convs.2.bias", {5}},         {"fc.weight", {2, 15}},        {"fc.bias", {2}}};
  EXPECT_EQ(state_shapes(net), expected);
  std::vector<double> ids;
  for (int i = 0; i < 4 * 12; ++i) ids.push_back(double(g.next_u64() % 50));
  const Tensor tokens = mt::from_vector(ids, {4, 12});
  EXPECT_EQ(net.forward(tokens).shape(), (Shape{4, 2}));
  expect_every_parameter_learns(net, tokens, 2);
  EXPECT_CONTAINS(error_of([&] { net.forward(mt::zeros({4, 4})); }), "length >= 5");
  EXPECT_CONTAINS(error_of([] { mt::models::TextCNN({.vocab_size = 0}); }), "positive");
}

TEST(ModelRegistry, BuildsEveryModelByNameAndNamesTheKnownOnes) {
  for (const auto& info : mt::models::model_catalog()) {
    mt::models::ModelConfig config;
    config.vocab_size = 20;
    const bool features = info.input == mt::models::InputKind::Features;
    if (features) config.num_classes = 2;
    const auto model = mt::models::make_model(info.name, config);
    const Tensor x = info.input == mt::models::InputKind::Image ? mt::zeros({2, 1, 28, 28})
                     : features                                 ? mt::zeros({2, 2})
                                                                : mt::zeros({2, 9});
    EXPECT_EQ(model->forward(x).shape(), (Shape{2, config.num_classes})) << info.name;
  }
  const std::string message = error_of([] { mt::models::make_model("resnet", {}); });
  EXPECT_CONTAINS(message, "unknown model 'resnet'");
  EXPECT_CONTAINS(message, "lenet");
  EXPECT_CONTAINS(message, "textcnn");
}

// ---- sizes from files: checkpoint metadata decides these sizes, so each is checked against a
// documented limit (minitorch/models/limits.h) before anything is multiplied or allocated.

namespace {

mt::models::ModelConfig image_config(std::int64_t channels, std::int64_t height,
                                     std::int64_t width) {
  mt::models::ModelConfig config;
  config.in_channels = channels;
  config.height = height;
  config.width = width;
  return config;
}

}  // namespace

TEST(ModelLimits, ImageSizesWhoseProductsOverflowAreErrors) {
  const std::string lenet =
      error_of([] { mt::models::LeNet({.height = 4000000000, .width = 4000000000}); });
  EXPECT_CONTAINS(lenet, "height 4000000000");
  EXPECT_CONTAINS(lenet, std::to_string(mt::models::kMaxInputSide));
  const std::string mlp =
      error_of([] { mt::models::make_model("mlp", image_config(4294967296, 4294967296, 4)); });
  EXPECT_CONTAINS(mlp, "4294967296");
  EXPECT_CONTAINS(mlp, std::to_string(mt::models::kMaxInputChannels));
  const std::string cnn =
      error_of([] { mt::models::MiniTorchCNN({.height = 4000000000, .width = 4000000000}); });
  EXPECT_CONTAINS(cnn, "height 4000000000");
}

TEST(ModelLimits, ImageSizesBeyondTheLimitAreErrorsNotBadAlloc) {
  for (const std::string name : {"mlp", "lenet", "minitorch-cnn"}) {
    const std::string message =
        error_of([&] { mt::models::make_model(name, image_config(1, 100000, 100000)); });
    EXPECT_CONTAINS(message, "100000");
    EXPECT_CONTAINS(message, std::to_string(mt::models::kMaxInputSide));
  }
}

TEST(ModelLimits, ParameterBytesAreBounded) {
  // Within the side limit, but LeNet's fc1 would hold 120 x 16·4094·4094 parameters.
  const std::string lenet =
      error_of([] { mt::models::make_model("lenet", image_config(1, 16384, 16384)); });
  EXPECT_CONTAINS(lenet, "fc1");
  EXPECT_CONTAINS(lenet, std::to_string(mt::models::kMaxParameterBytes));
  const std::string mlp = error_of([] { mt::models::MLP({std::int64_t(1) << 40, 256, 10}); });
  EXPECT_CONTAINS(mlp, "layer1");
  EXPECT_CONTAINS(mlp, std::to_string(mt::models::kMaxParameterBytes));
  const std::string embedding = error_of(
      [] { mt::models::TextCNN({.vocab_size = 1000, .embedding_dim = std::int64_t(1) << 40}); });
  EXPECT_CONTAINS(embedding, "embedding");
}

TEST(ModelLimits, VocabularySizeIsBounded) {
  mt::models::ModelConfig config;
  config.vocab_size = 100000000000;
  const std::string message = error_of([&] { mt::models::make_model("textcnn", config); });
  EXPECT_CONTAINS(message, "vocab_size 100000000000");
  EXPECT_CONTAINS(message, std::to_string(mt::models::kMaxVocabSize));
}

TEST(Cat, ConcatenatesAlongAnyDimensionAndNamesMismatches) {
  const Tensor a = mt::tensor({{1.0, 2.0}, {3.0, 4.0}});
  const Tensor b = mt::tensor({{5.0}, {6.0}});
  EXPECT_EQ(mt::cat({a, b}, 1).to_vector(), (std::vector<double>{1, 2, 5, 3, 4, 6}));
  EXPECT_EQ(mt::cat({a, a}, 0).shape(), (Shape{4, 2}));
  EXPECT_EQ(mt::cat({a, b}, -1).shape(), (Shape{2, 3}));
  EXPECT_CONTAINS(error_of([&] { mt::cat({a, b}, 0); }), "tensor 1 has shape [2, 1]");
  EXPECT_CONTAINS(error_of([] { mt::cat({}, 0); }), "at least one tensor");
  EXPECT_CONTAINS(error_of([&] { mt::cat({a, mt::zeros({2})}, 0); }), "tensor 1");
}
