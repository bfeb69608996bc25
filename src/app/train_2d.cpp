#include "app/train_2d.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <numeric>

#include "app/divergence.h"
#include "app/metrics_plots.h"
#include "app/svg_plot.h"
#include "minitorch/core/generator.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/train/loop.h"

namespace minitorch::app {
namespace {

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
    "metrics.jsonl keeps the epochs before it; no model, summary or plots were written";

// One consecutive share of `batch` per process of the group (empty where the batch has fewer
// points than the group has processes).
std::vector<std::size_t> share_of(const std::vector<std::size_t>& batch,
                                  const distributed::ProcessGroup& group) {
  const std::size_t n = batch.size();
  const auto rank = static_cast<std::size_t>(group.rank());
  const auto size = static_cast<std::size_t>(group.size());
  return {batch.begin() + std::ptrdiff_t(n * rank / size),
          batch.begin() + std::ptrdiff_t(n * (rank + 1) / size)};
}

// Sums the derivatives and the figures of every process's share of a batch in one all-reduce:
// every process then holds the whole batch's, as one process computing them all would.
EpochStats sum_across(distributed::ProcessGroup& group, Classifier2D& model,
                      const EpochStats& mine) {
  std::vector<double> values = model.gradients();
  const std::size_t parameters = values.size();
  values.push_back(mine.loss_sum);
  values.push_back(double(mine.correct));
  const Tensor sums = from_vector(values, {std::int64_t(values.size())}, {.dtype = kFloat64});
  group.all_reduce(sums, distributed::ReduceOp::Sum);
  std::vector<double> total = sums.to_vector();
  const EpochStats batch{total[parameters], static_cast<long>(total[parameters + 1])};
  total.resize(parameters);
  model.set_gradients(total);
  return batch;
}

// A 2-D classifier and its data as the training loop sees them. With a batch size, the order of
// the points is shuffled every epoch by the run's generator (which also drew the weights; every
// process of a group draws the same order).
class Task2D : public train::Task {
 public:
  Task2D(const data::Dataset2D& data, Classifier2D& model, Generator& generator, int batch_size,
         double lr, distributed::ProcessGroup& group)
      : data_(data),
        model_(model),
        generator_(generator),
        batch_size_(batch_size),
        lr_(lr),
        group_(group),
        order_(data.size()) {
    std::iota(order_.begin(), order_.end(), 0);
  }

  long samples_per_epoch() const override { return static_cast<long>(data_.size()); }
  long steps_per_epoch() const override {
    return static_cast<long>(make_batches(order_, batch_size_).size());
  }
  void train_epoch(const train::StepCallback& step_done) override {
    if (batch_size_ > 0) shuffle(order_, generator_);
    for (const auto& batch : make_batches(order_, batch_size_)) {
      // Alone, this process's share is the whole batch and there is nothing to sum.
      EpochStats stats = model_.compute_gradients(data_, share_of(batch, group_), batch.size());
      if (group_.is_distributed()) stats = sum_across(group_, model_, stats);
      model_.step();
      const auto n = static_cast<long>(batch.size());
      step_done({stats.loss_sum / double(n), n, stats.correct});
    }
  }
  // The loss can stay finite while the weights are not (binary cross-entropy clamps its
  // logarithm), so the model's output at one point, cheap to compute, checks the weights.
  std::optional<std::string> non_finite_weights() const override {
    if (data_.size() == 0) return std::nullopt;
    if (std::isfinite(model_.predict(data_.x[0][0], data_.x[0][1]))) return std::nullopt;
    return "the model's output is nan";
  }
  std::optional<double> lr() const override { return lr_; }

 private:
  const data::Dataset2D& data_;
  Classifier2D& model_;
  Generator& generator_;
  int batch_size_;
  double lr_;
  distributed::ProcessGroup& group_;
  std::vector<std::size_t> order_;
};

void write_plots(const TrainConfig& config, const data::Dataset2D& data, const Classifier2D& model,
                 const std::vector<train::MetricsRecord>& records, const RunDirectory& run) {
  run.write_text("loss.svg",
                 render_line_chart(loss_chart(
                     records, "Training loss: " + config.dataset + " (" + config.backend + ")",
                     "mean binary cross-entropy")));
  DecisionBoundary boundary;
  boundary.title = "Decision boundary: " + config.dataset;
  boundary.points = data.x;
  boundary.labels = data.y;
  boundary.probability = [&model](double x1, double x2) { return model.predict(x1, x2); };
  run.write_text("decision_boundary.svg", render_decision_boundary(boundary));
}

}  // namespace

const std::vector<std::string>& two_d_class_names() {
  static const std::vector<std::string> names{"0", "1"};
  return names;
}

ModelCard two_d_model_card(const TrainConfig& config) {
  ModelCard card;
  card.task = config.task;
  card.model = kTwoDModel;
  card.epoch = config.epochs;
  card.class_names = two_d_class_names();
  card.input = models::InputKind::Features;
  card.features = 2;
  card.hidden = config.hidden;
  return card;
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

EpochStats Classifier2D::train_epoch(const data::Dataset2D& data,
                                     const std::vector<std::vector<std::size_t>>& batches) {
  EpochStats epoch;
  for (const auto& batch : batches) {
    const EpochStats stats = compute_gradients(data, batch, batch.size());
    step();
    epoch.loss_sum += stats.loss_sum;
    epoch.correct += stats.correct;
  }
  return epoch;
}

nlohmann::json train_2d(const TrainConfig& config, const data::Dataset2D& data, Classifier2D& model,
                        Generator& generator, const RunDirectory* run,
                        distributed::ProcessGroup& group, const AfterEpoch& after_epoch) {
  Task2D task(data, model, generator, config.batch_size, config.lr, group);
  std::ostream silent(nullptr);  // the progress of the processes that do not report
  train::Progress progress(run ? std::cerr : silent, run && ::isatty(STDERR_FILENO) == 1,
                           config.epochs);
  std::vector<train::MetricsRecord> records;
  train::FitHooks hooks;
  hooks.diverged = [&](int epoch, const std::string& what) {
    stop_diverged_run(config, epoch, what, kDivergedOutcome);
  };
  hooks.commit_epoch = [&](const std::vector<train::MetricsRecord>& epoch_records) {
    if (run) {
      for (const auto& r : epoch_records) {
        run->append_json_line("metrics.jsonl", nlohmann::json::parse(r.to_json_line()));
      }
    }
    records.insert(records.end(), epoch_records.begin(), epoch_records.end());
  };
  hooks.after_epoch = fit_hook(after_epoch);
  train::fit(task, {.first_epoch = 1, .epochs = config.epochs, .log_every = config.log_every},
             progress, hooks);

  // The summary's accuracy is the trained model's, after the last step.
  nlohmann::json summary = nlohmann::json::parse(train::summary_json(records));
  summary["correct"] = count_correct(data, model);
  summary["total"] = static_cast<long>(data.size());
  summary["train_accuracy"] = double(summary["correct"].get<long>()) / double(data.size());
  if (run) {
    ModelCard card = two_d_model_card(config);
    card.epoch = train::epoch_records(records).back().epoch;  // fewer when after_epoch stopped it
    save_model(run->path(), *model.tensor_model(), card);
    write_plots(config, data, model, records, *run);
    run->write_json("summary.json", summary);
  }
  return summary;
}

nlohmann::json train_2d(const TrainConfig& config, const data::Dataset2D& data, Classifier2D& model,
                        Generator& generator, const RunDirectory& run,
                        const AfterEpoch& after_epoch) {
  const auto alone = distributed::make_single_process_group();
  return train_2d(config, data, model, generator, &run, *alone, after_epoch);
}

}  // namespace minitorch::app
