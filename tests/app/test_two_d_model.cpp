// The saved model of a 2-D run: model.safetensors under the tensor MLP's names whatever the
// backend, its card (input "features"), and load_saved_model answering two-class logits whose
// softmax is the trained classifier's [1 − p, p].
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <set>

#include "app/checkpoint.h"
#include "app/evaluate.h"
#include "app/scalar_classifier.h"
#include "app/tensor_classifier.h"
#include "app/train_2d.h"
#include "minitorch/core/error.h"
#include "minitorch/io/safetensors.h"
#include "minitorch/models/binary_logits.h"
#include "minitorch/models/mlp.h"
#include "minitorch/models/registry.h"
#include "minitorch/nn/functional.h"
#include "minitorch/tensor/creation.h"

namespace mt = minitorch;
namespace fs = std::filesystem;
using mt::Tensor;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const mt::Error& e) {
    return e.what();
  }
  return "(no error)";
}

// Points inside and around the unit square, where the 2-D sets live.
const std::vector<std::array<double, 2>> kPoints{{0.1, 0.9},   {0.5, 0.5},  {0.9, 0.1},
                                                 {0.05, 0.05}, {0.95, 0.9}, {-0.3, 1.4}};

// P(class 1) of `model` (two-class logits) at each point: the second softmax column.
std::vector<double> class_one_probabilities(mt::nn::Layer& model) {
  std::vector<double> xy;
  for (const auto& p : kPoints) xy.insert(xy.end(), p.begin(), p.end());
  const Tensor x = mt::from_vector(xy, {std::int64_t(kPoints.size()), 2});
  const Tensor logits = model.forward(x);
  EXPECT_EQ(logits.shape(), (mt::Shape{std::int64_t(kPoints.size()), 2}));
  const auto p = mt::nn::functional::softmax(logits, 1).to_vector();
  std::vector<double> ones;
  for (std::size_t i = 0; i < kPoints.size(); ++i) {
    EXPECT_NEAR(p[2 * i] + p[2 * i + 1], 1.0, 1e-6);
    ones.push_back(p[2 * i + 1]);
  }
  return ones;
}

class TwoDRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("minitorch-two-d-model-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Trains `model` for a few epochs through train_2d into a fresh run directory.
  fs::path train(mt::app::Classifier2D& model, mt::Generator& generator,
                 const std::string& backend) {
    mt::app::TrainConfig config;
    config.backend = backend;
    config.hidden = kHidden;
    config.epochs = 30;
    config.points = 40;
    const auto data = mt::data::make_dataset(config.dataset, config.points, config.seed);
    const fs::path path = dir_ / backend;
    const auto run = mt::app::RunDirectory::open(path);
    mt::app::train_2d(config, data, model, generator, run);
    return path;
  }

  static constexpr int kHidden = 6;
  fs::path dir_;
};

}  // namespace

TEST(BinaryLogits, AnswersZeroAndTheLogitSoSoftmaxIsOneMinusPAndP) {
  mt::Generator generator(1);
  auto mlp = std::make_shared<mt::models::MLP>(std::vector<std::int64_t>{2, 4, 1},
                                               mt::models::ModelInit{.generator = &generator});
  mt::models::BinaryLogits model(mlp);
  std::set<std::string> names;
  for (const auto& p : model.state_dict()) names.insert(p.name);
  EXPECT_EQ(names, (std::set<std::string>{"layer1.weight", "layer1.bias", "layer2.weight",
                                          "layer2.bias"}));
  const Tensor x = mt::from_vector({0.1, 0.2, -1.0, 3.0, 0.5, 0.5}, {3, 2});
  const auto z = mlp->forward(x).to_vector();
  const auto logits = model.forward(x).to_vector();
  ASSERT_EQ(logits.size(), 6u);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(logits[2 * i], 0.0);
    EXPECT_EQ(logits[2 * i + 1], z[i]);
  }
  const auto p = mt::nn::functional::softmax(model.forward(x), 1).to_vector();
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(p[2 * i + 1], 1.0 / (1.0 + std::exp(-z[i])), 1e-6);
  }
  // eval() reaches the wrapped model too.
  model.eval();
  model.forward(x);
  EXPECT_FALSE(mlp->is_training());

  auto two_outputs = std::make_shared<mt::models::MLP>(std::vector<std::int64_t>{2, 2});
  EXPECT_NE(error_of([&] {
              mt::models::BinaryLogits(two_outputs).forward(x);
            }).find("returned shape [3, 2]; expected [B, 1]"),
            std::string::npos);
  EXPECT_NE(error_of([] { mt::models::BinaryLogits(nullptr); }).find("null"), std::string::npos);
}

TEST(BinaryLogits, RegistryBuildsMlp2dFromFeaturesAndHidden) {
  mt::models::ModelConfig config;
  config.num_classes = 2;
  config.in_features = 2;
  config.hidden = 7;
  const auto model = mt::models::make_model("mlp2d", config);
  std::map<std::string, mt::Shape> shapes;
  for (const auto& p : model->state_dict()) shapes[p.name] = p.value.shape();
  EXPECT_EQ(shapes.at("layer1.weight"), (mt::Shape{7, 2}));
  EXPECT_EQ(shapes.at("layer2.weight"), (mt::Shape{7, 7}));
  EXPECT_EQ(shapes.at("layer3.weight"), (mt::Shape{1, 7}));
  EXPECT_EQ(mt::models::model_info("mlp2d").input, mt::models::InputKind::Features);
  config.num_classes = 10;
  EXPECT_NE(error_of([&] { mt::models::make_model("mlp2d", config); }).find("expected 2"),
            std::string::npos);
}

// The Scalar weights land in nn::Linear's [out, in] layout: the tensor MLP computes the scalar
// network's probability (to float32 rounding of the weights).
TEST(Train2D, ScalarWeightsConvertToTheTensorMlp) {
  mt::Generator generator(4);
  mt::app::ScalarClassifier2D scalar(5, 0.5, generator);
  const auto data = mt::data::xor_dataset(20, 1);
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  for (int epoch = 0; epoch < 20; ++epoch)
    scalar.train_epoch(data, mt::app::make_batches(order, 0));
  mt::models::BinaryLogits tensor(scalar.tensor_model());
  const auto p = class_one_probabilities(tensor);
  for (std::size_t i = 0; i < kPoints.size(); ++i) {
    EXPECT_NEAR(p[i], scalar.predict(kPoints[i][0], kPoints[i][1]), 1e-6) << i;
  }
}

TEST_F(TwoDRun, EachBackendSavesAModelThatPredictsAsTheTrainedClassifier) {
  for (const std::string backend : {"scalar", "tensor"}) {
    mt::Generator generator(3);
    std::unique_ptr<mt::app::Classifier2D> model;
    if (backend == "scalar") {
      model = std::make_unique<mt::app::ScalarClassifier2D>(kHidden, 0.5, generator);
    } else {
      model = std::make_unique<mt::app::TensorClassifier2D>(kHidden, 0.5, generator);
    }
    const fs::path run = train(*model, generator, backend);
    ASSERT_TRUE(fs::exists(run / "model.safetensors")) << backend;

    const auto file = mt::io::load_safetensors(run / "model.safetensors");
    std::map<std::string, mt::Shape> shapes;
    for (const auto& [name, tensor] : file.tensors) {
      shapes[name] = tensor.shape();
      EXPECT_EQ(tensor.dtype(), mt::kFloat32) << name;
    }
    const std::map<std::string, mt::Shape> expected{
        {"layer1.weight", {kHidden, 2}},       {"layer1.bias", {kHidden}},
        {"layer2.weight", {kHidden, kHidden}}, {"layer2.bias", {kHidden}},
        {"layer3.weight", {1, kHidden}},       {"layer3.bias", {1}}};
    EXPECT_EQ(shapes, expected) << backend;
    EXPECT_EQ(file.metadata.at("input"), "features");
    EXPECT_EQ(file.metadata.at("input_shape"), "[2]");

    const mt::app::SavedModel saved = mt::app::load_saved_model(run);
    EXPECT_EQ(saved.card.task, "2d");
    EXPECT_EQ(saved.card.model, "mlp2d");
    EXPECT_EQ(saved.card.epoch, 30);
    EXPECT_EQ(saved.card.input, mt::models::InputKind::Features);
    EXPECT_EQ(saved.card.features, 2);
    EXPECT_EQ(saved.card.hidden, kHidden);
    EXPECT_EQ(saved.card.class_names, (std::vector<std::string>{"0", "1"}));
    const auto p = class_one_probabilities(*saved.model);
    for (std::size_t i = 0; i < kPoints.size(); ++i) {
      EXPECT_NEAR(p[i], model->predict(kPoints[i][0], kPoints[i][1]), 1e-6) << backend << " " << i;
    }
  }
}

TEST(ModelCardMetadata, FeaturesRoundTripAndOldKindsReadUnchanged) {
  mt::app::TrainConfig config;
  config.hidden = 12;
  config.epochs = 7;
  const mt::app::ModelCard card = mt::app::two_d_model_card(config);
  const auto metadata = card.to_metadata();
  EXPECT_EQ(metadata.at("input"), "features");
  EXPECT_EQ(metadata.at("hidden"), "12");
  const auto back = mt::app::ModelCard::from_metadata(metadata, "m.safetensors");
  EXPECT_EQ(back.input, mt::models::InputKind::Features);
  EXPECT_EQ(back.features, 2);
  EXPECT_EQ(back.hidden, 12);
  EXPECT_EQ(back.epoch, 7);
  EXPECT_EQ(back.model_config().in_features, 2);
  EXPECT_EQ(back.model_config().hidden, 12);
  EXPECT_EQ(back.model_config().num_classes, 2);

  // An image card as files written before feature models existed: no 'hidden'.
  const std::map<std::string, std::string> image{
      {"task", "fashion-mnist"},    {"model", "lenet"},     {"epoch", "2"},
      {"classes", "[\"a\",\"b\"]"}, {"input", "image"},     {"input_shape", "[1,28,28]"},
      {"vocab_size", "0"},          {"embedding_dim", "0"}, {"normalize_mean", "0.5"},
      {"normalize_std", "0.25"}};
  const auto image_card = mt::app::ModelCard::from_metadata(image, "old.safetensors");
  EXPECT_EQ(image_card.input, mt::models::InputKind::Image);
  EXPECT_EQ(image_card.height, 28);
  EXPECT_EQ(image_card.to_metadata(), image);

  auto unknown = image;
  unknown["input"] = "audio";
  EXPECT_NE(error_of([&] { mt::app::ModelCard::from_metadata(unknown, "x.safetensors"); })
                .find("x.safetensors: metadata 'input' is 'audio'; expected image, tokens or "
                      "features"),
            std::string::npos);
  auto no_hidden = metadata;
  no_hidden.erase("hidden");
  EXPECT_NE(error_of([&] {
              mt::app::ModelCard::from_metadata(no_hidden, "y.safetensors");
            }).find("'hidden'"),
            std::string::npos);
  auto wrong_shape = metadata;
  wrong_shape["input_shape"] = "[1,28,28]";
  EXPECT_NE(error_of([&] {
              mt::app::ModelCard::from_metadata(wrong_shape, "z.safetensors");
            }).find("does not fit an input of kind features"),
            std::string::npos);
}

TEST(PredictPoint, ParsesTwoFiniteNumbersAndNothingElse) {
  using mt::app::parse_point;
  EXPECT_EQ(parse_point("0.25,0.75"), (std::array<double, 2>{0.25, 0.75}));
  EXPECT_EQ(parse_point(" -1e-3 ,\t2 "), (std::array<double, 2>{-1e-3, 2.0}));
  for (const char* bad :
       {"", "1", "1,", ",2", " , ", "1,2,3", "1;2", "nan,1", "1,inf", "a,b", "0x1,2", "1 2,3"}) {
    EXPECT_FALSE(parse_point(bad).has_value()) << bad;
  }
}

// A network trained in float64 is saved in float32, the dtype served inputs come in.
TEST(Train2D, Float64TensorWeightsAreSavedAsFloat32) {
  mt::Generator generator(2);
  mt::app::TensorClassifier2D classifier(5, 0.5, generator, mt::kFloat64);
  const auto data = mt::data::circle_dataset(20, 1);
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  for (int epoch = 0; epoch < 10; ++epoch) {
    classifier.train_epoch(data, mt::app::make_batches(order, 0));
  }
  const auto mlp = classifier.tensor_model();
  for (const auto& p : mlp->state_dict()) EXPECT_EQ(p.value.dtype(), mt::kFloat32) << p.name;
  mt::models::BinaryLogits model(mlp);
  const auto p = class_one_probabilities(model);
  for (std::size_t i = 0; i < kPoints.size(); ++i) {
    EXPECT_NEAR(p[i], classifier.predict(kPoints[i][0], kPoints[i][1]), 1e-6) << i;
  }
}
