#include "app/scalar_classifier.h"

#include "minitorch/autodiff/graph_dot.h"
#include "minitorch/nn/scalar_losses.h"

namespace minitorch::app {
namespace {

std::array<Scalar, 2> constant_point(const data::Dataset2D& data, std::size_t i) {
  return {Scalar::constant(data.x[i][0]), Scalar::constant(data.x[i][1])};
}

}  // namespace

ScalarClassifier2D::ScalarClassifier2D(int hidden, double lr, Generator& generator)
    : model_(hidden, generator), optimizer_(model_.parameters(), {.lr = lr}) {
  // Named leaves make the exported graph readable: "layer1.weight_0_0" instead of a number.
  for (const auto& parameter : model_.named_parameters()) parameter.value.set_name(parameter.name);
}

EpochStats ScalarClassifier2D::train_epoch(const data::Dataset2D& data,
                                           const std::vector<std::vector<std::size_t>>& batches) {
  EpochStats stats;
  for (const auto& batch : batches) {
    optimizer_.zero_grad();
    const double weight = 1.0 / double(batch.size());
    for (std::size_t i : batch) {
      const Scalar probability = model_.forward(constant_point(data, i));
      const Scalar loss = nn::binary_cross_entropy(probability, data.y[i]);
      (loss * weight).backward();
      stats.loss_sum += loss.data();
      stats.correct += (probability.data() > 0.5 ? 1 : 0) == data.y[i];
    }
    optimizer_.step();
  }
  return stats;
}

std::string ScalarClassifier2D::forward_graph_dot(const data::Dataset2D& data) const {
  const Scalar probability = model_.forward(constant_point(data, 0));
  const Scalar loss = nn::binary_cross_entropy(probability, data.y[0]);
  loss.set_name("loss");
  return autodiff::to_dot(loss, "forward");
}

}  // namespace minitorch::app
