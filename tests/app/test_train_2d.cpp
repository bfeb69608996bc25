#include "minitorch/app/train_2d.h"

#include <gtest/gtest.h>

#include <numeric>

#include "minitorch/app/scalar_classifier.h"

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
  minitorch::app::ScalarClassifier2D model(4, 0.5, 0);
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
  minitorch::app::ScalarClassifier2D model(2, 0.5, 0);
  const std::string dot = model.forward_graph_dot(data);
  EXPECT_NE(dot.find("layer1.weight_0_0"), std::string::npos);
  EXPECT_NE(dot.find("label=\"loss\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"sigmoid\""), std::string::npos);
}
