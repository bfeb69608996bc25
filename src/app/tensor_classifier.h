// TensorClassifier2D — the `--backend tensor` model of `minitorch train`: the same 2 → H → H → 1
// network as the scalar backend, built from nn::Linear layers over tensors, binary cross-entropy
// on the sigmoid output, and SGD. Each batch is one forward pass over a [B, 2] tensor, one
// backward and one step.
//
// The weights start as MiniTorch's module-1 and module-2 networks start (uniform in [-1, 1), drawn
// in the scalar backend's order), not with nn::Linear's default: with the same seed both backends
// train the very same network, which the tests use to check one against the other.
#pragma once

#include "app/train_2d.h"
#include "minitorch/core/generator.h"
#include "minitorch/models/mlp.h"
#include "minitorch/optim/sgd.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::app {

class TensorClassifier2D : public Classifier2D {
 public:
  // Draws the initial weights from `generator`.
  TensorClassifier2D(int hidden, double lr, Generator& generator, Dtype dtype = kFloat32);

  EpochStats compute_gradients(const data::Dataset2D& data, const std::vector<std::size_t>& rows,
                               std::size_t batch_rows) override;
  std::vector<double> gradients() const override;
  void set_gradients(const std::vector<double>& values) override;
  void step() override { optimizer_.step(); }
  double predict(double x1, double x2) const override;
  std::string forward_graph_dot(const data::Dataset2D& data) const override;
  // The trained MLP itself, converted to float32 when it trains in another dtype.
  std::shared_ptr<models::MLP> tensor_model() const override;

 private:
  // P(class 1) for each row of x [B, 2], shape [B].
  Tensor probabilities(const Tensor& x) const;

  Dtype dtype_;
  std::int64_t hidden_;
  std::shared_ptr<models::MLP> model_;
  optim::SGD<Tensor> optimizer_;
};

}  // namespace minitorch::app
