#include "app/train_2d.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "app/scalar_classifier.h"
#include "app/tensor_classifier.h"
#include "minitorch/core/error.h"

using minitorch::app::make_batches;

TEST(Train2D, BatchesCoverTheOrderOnce) {
  std::vector<std::size_t> order(23);
  std::iota(order.begin(), order.end(), 0);
  const auto batches = make_batches(order, 10);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), 10u);
  EXPECT_EQ(batches[2].size(), 3u);
  EXPECT_EQ(batches[2].back(), 22u);
  EXPECT_EQ(make_batches(order, 0).size(), 1u);
  EXPECT_EQ(make_batches(order, 100).size(), 1u);
}

TEST(Train2D, ScalarClassifierLearnsTheSimpleSet) {
  const auto data = minitorch::data::simple_dataset(20, 0);
  minitorch::Generator generator(0);
  minitorch::app::ScalarClassifier2D model(4, 0.5, generator);
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  double first_loss = 0;
  double last_loss = 0;
  for (int epoch = 0; epoch < 100; ++epoch) {
    const auto stats = model.train_epoch(data, make_batches(order, 0));
    (epoch == 0 ? first_loss : last_loss) = stats.loss_sum;
  }
  EXPECT_LT(last_loss, first_loss / 2);
  int correct = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    correct += (model.predict(data.x[i][0], data.x[i][1]) > 0.5) == (data.y[i] == 1);
  }
  EXPECT_GE(correct, 19);
}

TEST(Train2D, GraphOfOneForwardPassNamesParameters) {
  const auto data = minitorch::data::xor_dataset(5, 0);
  minitorch::Generator generator(0);
  minitorch::app::ScalarClassifier2D model(2, 0.5, generator);
  const std::string dot = model.forward_graph_dot(data);
  EXPECT_NE(dot.find("layer1.weight_0_0"), std::string::npos);
  EXPECT_NE(dot.find("label=\"loss\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"sigmoid\""), std::string::npos);
}

// With the same seed both backends start from the same weights and must follow the same
// trajectory: the tensor autograd checked against the scalar one, batch by batch.
TEST(Train2D, ScalarAndTensorBackendsTrainTheSameNetwork) {
  const auto data = minitorch::data::xor_dataset(20, 3);
  minitorch::Generator scalar_generator(5);
  minitorch::Generator tensor_generator(5);
  minitorch::app::ScalarClassifier2D scalar(6, 0.5, scalar_generator);
  minitorch::app::TensorClassifier2D tensor(6, 0.5, tensor_generator, minitorch::kFloat64);
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);
  const auto batches = make_batches(order, 7);
  for (int epoch = 0; epoch < 30; ++epoch) {
    const auto a = scalar.train_epoch(data, batches);
    const auto b = tensor.train_epoch(data, batches);
    ASSERT_NEAR(a.loss_sum, b.loss_sum, 1e-9 * (1 + a.loss_sum)) << "epoch " << epoch;
    ASSERT_EQ(a.correct, b.correct) << "epoch " << epoch;
  }
  for (double x1 : {0.1, 0.4, 0.9}) {
    for (double x2 : {0.2, 0.7}) EXPECT_NEAR(scalar.predict(x1, x2), tensor.predict(x1, x2), 1e-9);
  }
  EXPECT_EQ(scalar_generator.next_u64(), tensor_generator.next_u64());  // the same draws
}

// What a data-parallel 2-D run relies on: the derivatives of a batch's shares, each weighted by
// the whole batch's size, add up to the batch's own (uneven and empty shares included), and
// set_gradients writes back what gradients() read.
template <typename Classifier>
void expect_shares_add_up_to_the_batch(Classifier& model, double tolerance) {
  const auto data = minitorch::data::xor_dataset(11, 2);
  std::vector<std::size_t> batch(data.size());
  std::iota(batch.begin(), batch.end(), 0);
  // Parameters that hold no gradient yet take the values written.
  const std::size_t count = model.gradients().size();
  std::vector<double> ramp(count);
  std::iota(ramp.begin(), ramp.end(), 1.0);
  model.set_gradients(ramp);
  EXPECT_EQ(model.gradients(), ramp);
  const auto whole = model.compute_gradients(data, batch, batch.size());
  const std::vector<double> expected = model.gradients();
  ASSERT_FALSE(expected.empty());
  for (const std::size_t cut : {std::size_t(0), std::size_t(4), batch.size()}) {
    const std::vector<std::size_t> first(batch.begin(), batch.begin() + std::ptrdiff_t(cut));
    const std::vector<std::size_t> second(batch.begin() + std::ptrdiff_t(cut), batch.end());
    const auto a = model.compute_gradients(data, first, batch.size());
    std::vector<double> sum = model.gradients();
    const auto b = model.compute_gradients(data, second, batch.size());
    const std::vector<double> rest = model.gradients();
    ASSERT_EQ(sum.size(), expected.size());
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += rest[i];
    for (std::size_t i = 0; i < sum.size(); ++i) {
      EXPECT_NEAR(sum[i], expected[i], tolerance * (1 + std::abs(expected[i])))
          << "parameter value " << i << ", shares of " << cut << " and " << second.size();
    }
    EXPECT_NEAR(a.loss_sum + b.loss_sum, whole.loss_sum, tolerance * (1 + whole.loss_sum));
    EXPECT_EQ(a.correct + b.correct, whole.correct);
    model.set_gradients(sum);
    EXPECT_EQ(model.gradients(), sum);
  }
  EXPECT_THROW(model.set_gradients(std::vector<double>(expected.size() + 1)), minitorch::Error);
}

TEST(Train2D, SharesOfABatchAddUpToItsGradient) {
  minitorch::Generator scalar_generator(5);
  minitorch::app::ScalarClassifier2D scalar(3, 0.5, scalar_generator);
  expect_shares_add_up_to_the_batch(scalar, 1e-12);
  minitorch::Generator tensor_generator(5);
  minitorch::app::TensorClassifier2D tensor(3, 0.5, tensor_generator, minitorch::kFloat64);
  expect_shares_add_up_to_the_batch(tensor, 1e-12);
}

TEST(Train2D, TensorGraphOfOneForwardPass) {
  const auto data = minitorch::data::xor_dataset(5, 0);
  minitorch::Generator generator(0);
  minitorch::app::TensorClassifier2D model(2, 0.5, generator);
  const std::string dot = model.forward_graph_dot(data);
  EXPECT_NE(dot.find("MmBackward0"), std::string::npos) << dot;
  EXPECT_NE(dot.find("SigmoidBackward0"), std::string::npos) << dot;
  EXPECT_NE(dot.find("leaf [2, 2]"), std::string::npos) << dot;  // layer1.weight
}
