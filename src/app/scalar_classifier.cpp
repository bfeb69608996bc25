#include "app/scalar_classifier.h"

#include <map>
#include "minitorch/autodiff/graph_dot.h"

#include "minitorch/core/error.h"
#include "minitorch/nn/scalar_losses.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::app {
namespace {

std::array<Scalar, 2> constant_point(const data::Dataset2D& data, std::size_t i) {
  return {Scalar::constant(data.x[i][0]), Scalar::constant(data.x[i][1])};
}

// The values of `layer`'s Scalar parameters in nn::Linear's layout: weight [out, in], bias [out].
std::pair<std::vector<double>, std::vector<double>> linear_values(
    const std::map<std::string, double>& parameters, const std::string& layer, int in, int out) {
  auto value = [&](const std::string& name) {
    const auto it = parameters.find(layer + "." + name);
    if (it == parameters.end()) throw Error("ScalarMLP has no parameter " + layer + "." + name);
    return it->second;
  };
  std::vector<double> weight, bias;
  for (int j = 0; j < out; ++j) {
    for (int i = 0; i < in; ++i) {
      weight.push_back(value("weight_" + std::to_string(i) + "_" + std::to_string(j)));
    }
    bias.push_back(value("bias_" + std::to_string(j)));
  }
  return {weight, bias};
}

}  // namespace

ScalarClassifier2D::ScalarClassifier2D(int hidden, double lr, Generator& generator)
    : hidden_(hidden), model_(hidden, generator), optimizer_(model_.parameters(), {.lr = lr}) {
  // Named leaves make the exported graph readable: "layer1.weight_0_0" instead of a number.
  for (const auto& parameter : model_.named_parameters()) parameter.value.set_name(parameter.name);
}

EpochStats ScalarClassifier2D::compute_gradients(const data::Dataset2D& data,
                                                 const std::vector<std::size_t>& rows,
                                                 std::size_t batch_rows) {
  optimizer_.zero_grad();
  EpochStats stats;
  const double weight = 1.0 / double(batch_rows);
  for (std::size_t i : rows) {
    const Scalar probability = model_.forward(constant_point(data, i));
    const Scalar loss = nn::binary_cross_entropy(probability, data.y[i]);
    (loss * weight).backward();
    stats.loss_sum += loss.data();
    stats.correct += (probability.data() > 0.5 ? 1 : 0) == data.y[i];
  }
  return stats;
}

std::vector<double> ScalarClassifier2D::gradients() const {
  std::vector<double> out;
  for (const Scalar& parameter : model_.parameters()) out.push_back(parameter.grad());
  return out;
}

void ScalarClassifier2D::set_gradients(const std::vector<double>& values) {
  const auto parameters = model_.parameters();
  if (values.size() != parameters.size()) {
    throw Error("set_gradients: expected " + std::to_string(parameters.size()) + " values, got " +
                std::to_string(values.size()));
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    parameters[i].zero_grad();
    parameters[i].accumulate_derivative(values[i]);
  }
}

std::shared_ptr<models::MLP> ScalarClassifier2D::tensor_model() const {
  std::map<std::string, double> parameters;
  for (const auto& p : model_.named_parameters()) parameters[p.name] = p.value.data();
  // Its initial draw is overwritten; a generator of its own leaves the default one untouched.
  Generator unused(0);
  auto mlp = std::make_shared<models::MLP>(std::vector<std::int64_t>{2, hidden_, hidden_, 1},
                                           models::ModelInit{.generator = &unused});
  const std::vector<std::pair<int, int>> sizes{{2, hidden_}, {hidden_, hidden_}, {hidden_, 1}};
  for (std::size_t k = 0; k < sizes.size(); ++k) {
    const auto [in, out] = sizes[k];
    const auto [weight, bias] = linear_values(parameters, "layer" + std::to_string(k + 1), in, out);
    const auto& tensors = mlp->children().at(k)->local_parameters();  // weight, bias
    tensors.at(0).value.set_data(from_vector(weight, {out, in}));
    tensors.at(1).value.set_data(from_vector(bias, {out}));
  }
  return mlp;
}

std::string ScalarClassifier2D::forward_graph_dot(const data::Dataset2D& data) const {
  const Scalar probability = model_.forward(constant_point(data, 0));
  const Scalar loss = nn::binary_cross_entropy(probability, data.y[0]);
  loss.set_name("loss");
  return autodiff::to_dot(loss, "forward");
}

}  // namespace minitorch::app
