#include "app/dashboard/model_view.h"

#include "app/checkpoint.h"
#include "app/dashboard/graphviz.h"
#include "minitorch/autodiff/graph_dot.h"
#include "minitorch/nn/losses.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::app::dashboard {
namespace {

using nlohmann::json;

// The first two training samples and their labels.
std::pair<Tensor, Tensor> two_samples(const RunData& run) {
  if (run.kind == "2d") {
    const std::size_t n = std::min<std::size_t>(2, run.points.size());
    std::vector<double> x, y;
    for (std::size_t i = 0; i < n; ++i) {
      x.insert(x.end(), {run.points.x[i][0], run.points.x[i][1]});
      y.push_back(run.points.y[i]);
    }
    return {from_vector(x, {std::int64_t(n), 2}), from_vector(y, {std::int64_t(n)})};
  }
  const std::int64_t n = std::min<std::int64_t>(2, run.task.train_x.size(0));
  return {run.task.train_x.narrow(0, 0, n).contiguous(),
          run.task.train_y.narrow(0, 0, n).contiguous()};
}

}  // namespace

json model_view(const std::filesystem::path& run_dir) {
  const SavedModel saved = load_saved_model(run_dir);
  json parameters = json::array();
  std::int64_t total = 0;
  for (const auto& parameter : saved.model->named_parameters()) {
    const Shape& shape = parameter.value.shape();
    parameters.push_back({{"name", parameter.name},
                          {"shape", std::vector<std::int64_t>(shape.begin(), shape.end())},
                          {"count", parameter.value.numel()}});
    total += parameter.value.numel();
  }
  return {
      {"tree", saved.model->to_string()},
      {"parameters", parameters},
      {"total_parameters", total},
      {"model", saved.card.model},
      {"input",
       {{"kind", models::input_kind_name(saved.card.input)}, {"shape", saved.card.input_shape()}}}};
}

json graph_view(const std::filesystem::path& run_dir, const RunData& run) {
  const SavedModel saved = load_saved_model(run_dir);
  saved.model->train();
  for (const auto& parameter : saved.model->named_parameters()) parameter.value.requires_grad_();
  const auto [x, y] = two_samples(run);
  const Tensor loss = nn::functional::cross_entropy(saved.model->forward(x), y);
  const std::string dot = autodiff::to_dot(loss, "training_step");
  SvgLayout layout = render_svg(dot);
  return {
      {"dot", dot}, {"svg", layout.svg ? json(*layout.svg) : json(nullptr)}, {"note", layout.note}};
}

}  // namespace minitorch::app::dashboard
