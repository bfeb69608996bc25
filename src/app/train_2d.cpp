#include "app/train_2d.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "app/divergence.h"
#include "app/svg_plot.h"
#include "minitorch/core/generator.h"

namespace minitorch::app {
namespace {

double median(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const auto middle = values.begin() + values.size() / 2;
  std::nth_element(values.begin(), middle, values.end());
  if (values.size() % 2 == 1) return *middle;
  return (*middle + *std::max_element(values.begin(), middle)) / 2.0;
}

void shuffle(std::vector<std::size_t>& order, Generator& generator) {
  for (std::size_t i = order.size(); i > 1; --i) {
    const std::size_t j = generator.next_u64() % i;
    std::swap(order[i - 1], order[j]);
  }
}

long count_correct(const data::Dataset2D& data, const Classifier2D& model) {
  long correct = 0;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const int predicted = model.predict(data.x[i][0], data.x[i][1]) > 0.5 ? 1 : 0;
    correct += predicted == data.y[i];
  }
  return correct;
}

// What a diverged 2-D run leaves: the metrics of the epochs before, nothing else.
constexpr const char* kDivergedOutcome =
    "metrics.jsonl keeps the epochs before it; no summary or plots were written";

void check_finite_loss(const TrainConfig& config, int epoch, double loss) {
  if (std::isfinite(loss)) return;
  stop_diverged_run(config, epoch,
                    std::string("the mean loss is ") + (std::isnan(loss) ? "nan" : "infinite"),
                    kDivergedOutcome);
}

// The loss can stay finite while the weights are not (binary cross-entropy clamps its logarithm),
// so the model's output at one point, cheap to compute, checks the weights after every epoch.
void check_finite_output(const TrainConfig& config, int epoch, const data::Dataset2D& data,
                         const Classifier2D& model) {
  if (data.size() == 0) return;
  const double p = model.predict(data.x[0][0], data.x[0][1]);
  if (std::isfinite(p)) return;
  stop_diverged_run(config, epoch, "after its last step the model's output is nan",
                    kDivergedOutcome);
}

void write_plots(const TrainConfig& config, const data::Dataset2D& data, const Classifier2D& model,
                 const std::vector<double>& losses, const RunDirectory& run) {
  LineSeries loss_series{"loss", {}, losses};
  for (std::size_t i = 0; i < losses.size(); ++i) loss_series.x.push_back(double(i + 1));
  LineChart chart{"Training loss: " + config.dataset + " (" + config.backend + ")",
                  "epoch",
                  "mean binary cross-entropy",
                  {loss_series}};
  chart.whole_x = true;
  run.write_text("loss.svg", render_line_chart(chart));

  DecisionBoundary boundary;
  boundary.title = "Decision boundary: " + config.dataset;
  boundary.points = data.x;
  boundary.labels = data.y;
  boundary.probability = [&model](double x1, double x2) { return model.predict(x1, x2); };
  run.write_text("decision_boundary.svg", render_decision_boundary(boundary));
}

}  // namespace

nlohmann::json TrainSummary::to_json() const {
  return {{"train_accuracy", train_accuracy},
          {"correct", correct},
          {"total", total},
          {"final_loss", final_loss},
          {"total_seconds", total_seconds},
          {"epoch_seconds_median", epoch_seconds_median}};
}

std::vector<std::vector<std::size_t>> make_batches(const std::vector<std::size_t>& order,
                                                   int batch_size) {
  const std::size_t size = batch_size <= 0 ? order.size() : std::size_t(batch_size);
  std::vector<std::vector<std::size_t>> batches;
  for (std::size_t start = 0; start < order.size(); start += size) {
    const auto end = std::min(order.size(), start + size);
    batches.emplace_back(order.begin() + start, order.begin() + end);
  }
  return batches;
}

TrainSummary train_2d(const TrainConfig& config, const data::Dataset2D& data, Classifier2D& model,
                      Generator& generator, const RunDirectory& run, ProgressReporter& progress) {
  using Clock = std::chrono::steady_clock;
  const auto n = static_cast<long>(data.size());
  std::vector<std::size_t> order(data.size());
  std::iota(order.begin(), order.end(), 0);

  std::vector<double> losses;
  std::vector<double> epoch_seconds;
  const auto start = Clock::now();
  for (int epoch = 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    if (config.batch_size > 0) shuffle(order, generator);
    const EpochStats stats = model.train_epoch(data, make_batches(order, config.batch_size));
    const double seconds = std::chrono::duration<double>(Clock::now() - epoch_start).count();

    const double loss = stats.loss_sum / double(n);
    check_finite_loss(config, epoch, loss);
    check_finite_output(config, epoch, data, model);
    const double samples_per_second = seconds > 0 ? double(n) / seconds : 0.0;
    losses.push_back(loss);
    epoch_seconds.push_back(seconds);
    run.append_json_line("metrics.jsonl", {{"epoch", epoch},
                                           {"loss", loss},
                                           {"train_accuracy", double(stats.correct) / double(n)},
                                           {"correct", stats.correct},
                                           {"total", n},
                                           {"epoch_seconds", seconds},
                                           {"samples_per_second", samples_per_second}});
    progress.report({epoch, config.epochs, loss, stats.correct, n, seconds, samples_per_second});
  }
  progress.finish();

  TrainSummary summary;
  summary.total_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  summary.epoch_seconds_median = median(epoch_seconds);
  summary.final_loss = losses.empty() ? 0.0 : losses.back();
  summary.correct = count_correct(data, model);
  summary.total = n;
  summary.train_accuracy = double(summary.correct) / double(n);

  write_plots(config, data, model, losses, run);
  run.write_json("summary.json", summary.to_json());
  return summary;
}

}  // namespace minitorch::app
