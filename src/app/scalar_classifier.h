// ScalarClassifier2D — the `--backend scalar` model of `minitorch train`: MiniTorch's module-1 MLP
// over Scalars, binary cross-entropy, and SGD. Each batch accumulates the gradient of its mean
// loss sample by sample (so the graph held at once is one sample's), then takes one step.
#pragma once

#include "app/train_2d.h"
#include "minitorch/core/generator.h"
#include "minitorch/models/mlp.h"
#include "minitorch/models/scalar_mlp.h"
#include "minitorch/optim/sgd.h"

namespace minitorch::app {

class ScalarClassifier2D : public Classifier2D {
 public:
  // Draws the initial weights from `generator`.
  ScalarClassifier2D(int hidden, double lr, Generator& generator);

  EpochStats compute_gradients(const data::Dataset2D& data, const std::vector<std::size_t>& rows,
                               std::size_t batch_rows) override;
  std::vector<double> gradients() const override;
  void set_gradients(const std::vector<double>& values) override;
  void step() override { optimizer_.step(); }
  double predict(double x1, double x2) const override { return model_.predict(x1, x2); }
  std::string forward_graph_dot(const data::Dataset2D& data) const override;
  // The Scalar weights as tensors: ScalarLinear's weight_i_j (input i, output j) becomes
  // weight[j][i] of nn::Linear's [out, in] layout, bias_j bias[j]; rounded to float32.
  std::shared_ptr<models::MLP> tensor_model() const override;

  const models::ScalarMLP& model() const { return model_; }

 private:
  int hidden_;
  models::ScalarMLP model_;
  optim::SGD<Scalar> optimizer_;
};

}  // namespace minitorch::app
