#include "app/tensor_classifier.h"

#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/autodiff/graph_dot.h"
#include "minitorch/core/error.h"
#include "minitorch/nn/losses.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::app {
namespace {

struct Batch {
  Tensor x;  // [B, 2]
  Tensor y;  // [B]
};

Batch gather(const data::Dataset2D& data, const std::vector<std::size_t>& rows, Dtype dtype) {
  std::vector<double> x;
  std::vector<double> y;
  for (std::size_t i : rows) {
    x.push_back(data.x[i][0]);
    x.push_back(data.x[i][1]);
    y.push_back(data.y[i]);
  }
  const auto n = static_cast<std::int64_t>(rows.size());
  return {from_vector(x, {n, 2}, {.dtype = dtype}), from_vector(y, {n}, {.dtype = dtype})};
}

std::vector<std::size_t> all_rows(const data::Dataset2D& data) {
  std::vector<std::size_t> rows(data.size());
  for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = i;
  return rows;
}

// Redraws a layer's parameters as ScalarLinear draws them: weight[i][j] for input i and output j
// in row-major [in][out] order, then the biases, each uniform in [-1, 1).
void minitorch_initialisation(const nn::Module& layer, Generator& generator) {
  const auto& parameters = layer.local_parameters();
  const Tensor& weight = parameters.at(0).value;  // [out, in]
  const Tensor& bias = parameters.at(1).value;    // [out]
  auto draw = [&](std::int64_t count) {
    std::vector<double> values(count);
    for (auto& v : values) v = generator.uniform(-1.0, 1.0);
    return values;
  };
  const std::int64_t out = weight.size(0);
  const std::int64_t in = weight.size(1);
  weight.set_data(from_vector(draw(in * out), {in, out}, options_like(weight)).transpose(0, 1));
  bias.set_data(from_vector(draw(out), {out}, options_like(bias)));
}

}  // namespace

TensorClassifier2D::TensorClassifier2D(int hidden, double lr, Generator& generator, Dtype dtype)
    : dtype_(dtype),
      hidden_(hidden),
      model_(std::make_shared<models::MLP>(std::vector<std::int64_t>{2, hidden, hidden, 1},
                                           models::ModelInit{.dtype = dtype})),
      optimizer_(model_->parameters(), {.lr = lr}) {
  for (const auto& child : model_->children()) minitorch_initialisation(*child, generator);
}

Tensor TensorClassifier2D::probabilities(const Tensor& x) const {
  return model_->forward(x).sigmoid().view({-1});
}

EpochStats TensorClassifier2D::compute_gradients(const data::Dataset2D& data,
                                                 const std::vector<std::size_t>& rows,
                                                 std::size_t batch_rows) {
  optimizer_.zero_grad();
  if (rows.empty()) return {};
  const Batch batch = gather(data, rows, dtype_);
  const Tensor p = probabilities(batch.x);
  const Tensor mean_loss = nn::functional::binary_cross_entropy(p, batch.y);
  // The rows' share of the batch's mean loss (the whole batch: the mean itself, exactly).
  const Tensor loss = rows.size() == batch_rows
                          ? mean_loss
                          : mean_loss * (double(rows.size()) / double(batch_rows));
  loss.backward();
  EpochStats stats;
  stats.loss_sum = mean_loss.item() * double(rows.size());
  stats.correct = static_cast<long>(((p.detach() > 0.5) == batch.y).sum().item());
  return stats;
}

std::vector<double> TensorClassifier2D::gradients() const {
  std::vector<double> out;
  for (const Tensor& parameter : model_->parameters()) {
    if (!parameter.has_grad()) {
      out.resize(out.size() + static_cast<std::size_t>(parameter.numel()), 0.0);
      continue;
    }
    const std::vector<double> values = parameter.grad().to_vector();
    out.insert(out.end(), values.begin(), values.end());
  }
  return out;
}

void TensorClassifier2D::set_gradients(const std::vector<double>& values) {
  const std::vector<Tensor> parameters = model_->parameters();
  std::size_t expected = 0;
  for (const Tensor& parameter : parameters) expected += std::size_t(parameter.numel());
  if (values.size() != expected) {
    throw Error("set_gradients: expected " + std::to_string(expected) + " values, got " +
                std::to_string(values.size()));
  }
  std::size_t offset = 0;
  for (const Tensor& parameter : parameters) {
    const auto n = static_cast<std::size_t>(parameter.numel());
    const std::vector<double> part(values.begin() + std::ptrdiff_t(offset),
                                   values.begin() + std::ptrdiff_t(offset + n));
    const Tensor gradient = from_vector(part, parameter.shape(), options_like(parameter));
    parameter.zero_grad();
    parameter.accumulate_derivative(gradient);
    offset += n;
  }
}

double TensorClassifier2D::predict(double x1, double x2) const {
  NoGradGuard no_grad;
  return probabilities(from_vector({x1, x2}, {1, 2}, {.dtype = dtype_})).item();
}

std::shared_ptr<models::MLP> TensorClassifier2D::tensor_model() const {
  if (dtype_ == kFloat32) return model_;
  // Its initial draw is overwritten; a generator of its own leaves the default one untouched.
  Generator unused(0);
  auto copy = std::make_shared<models::MLP>(std::vector<std::int64_t>{2, hidden_, hidden_, 1},
                                            models::ModelInit{.generator = &unused});
  const auto source = model_->state_dict();
  const auto target = copy->named_parameters();
  for (std::size_t i = 0; i < target.size(); ++i) {
    target[i].value.set_data(source.at(i).value.to(kFloat32));
  }
  return copy;
}

std::string TensorClassifier2D::forward_graph_dot(const data::Dataset2D& data) const {
  const Batch batch = gather(data, all_rows(data), dtype_);
  const Tensor loss = nn::functional::binary_cross_entropy(probabilities(batch.x), batch.y);
  return autodiff::to_dot(loss, "forward");
}

}  // namespace minitorch::app
