#include "minitorch/app/train_network.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "minitorch/app/checkpoint.h"
#include "minitorch/app/classification_task.h"
#include "minitorch/app/progress.h"
#include "minitorch/app/run_directory.h"
#include "minitorch/app/svg_plot.h"
#include "minitorch/app/training_optimizer.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/data/data_loader.h"
#include "minitorch/nn/losses.h"
#include "minitorch/parallel/parallel.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct EpochFigures {
  int epoch = 0;
  double loss = 0.0, train_accuracy = 0.0, seconds = 0.0, samples_per_second = 0.0, lr = 0.0;
  double val_accuracy = -1.0, test_accuracy = 0.0;  // val < 0: no validation split
  long correct = 0;  // training predictions right, for the progress line (not in metrics.jsonl)

  nlohmann::json to_json() const {
    nlohmann::json out{{"epoch", epoch},
                       {"loss", loss},
                       {"train_accuracy", train_accuracy},
                       {"test_accuracy", test_accuracy},
                       {"epoch_seconds", seconds},
                       {"samples_per_second", samples_per_second},
                       {"lr", lr}};
    if (val_accuracy >= 0) out["val_accuracy"] = val_accuracy;
    return out;
  }
  static EpochFigures from_json(const nlohmann::json& j) {
    EpochFigures f;
    f.epoch = j.at("epoch").get<int>();
    f.loss = j.at("loss").get<double>();
    f.train_accuracy = j.at("train_accuracy").get<double>();
    f.test_accuracy = j.at("test_accuracy").get<double>();
    f.seconds = j.at("epoch_seconds").get<double>();
    f.samples_per_second = j.at("samples_per_second").get<double>();
    f.lr = j.at("lr").get<double>();
    f.val_accuracy = j.contains("val_accuracy") ? j.at("val_accuracy").get<double>() : -1.0;
    return f;
  }
};

double accuracy_of(nn::Layer& model, const Tensor& x, const Tensor& y, double mean, double std) {
  const auto predicted = row_argmax(predict_logits(model, x, mean, std));
  const auto truth = as_labels(y);
  long correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return truth.empty() ? 0.0 : double(correct) / double(truth.size());
}

long count_correct(const Tensor& logits, const Tensor& targets) {
  const auto predicted = row_argmax(logits);
  const auto truth = as_labels(targets);
  long correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return correct;
}

// metrics.jsonl up to and including `epoch`: what a resumed run keeps (a line written after the
// last checkpoint belongs to an epoch that will run again).
std::vector<EpochFigures> read_metrics(const fs::path& path, int epoch) {
  std::vector<EpochFigures> out;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    EpochFigures f;
    try {
      f = EpochFigures::from_json(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& e) {
      throw Error(path.string() + ": a line is not a metrics record (" + e.what() + ")");
    }
    if (f.epoch <= epoch) out.push_back(f);
  }
  return out;
}

void write_plots(const RunDirectory& run, const TrainConfig& config,
                 const std::vector<EpochFigures>& history) {
  LineSeries loss{"train loss", {}, {}};
  LineSeries train{"train", {}, {}}, val{"validation", {}, {}}, test{"test", {}, {}};
  for (const EpochFigures& f : history) {
    const double e = f.epoch;
    loss.x.push_back(e);
    loss.y.push_back(f.loss);
    train.x.push_back(e);
    train.y.push_back(f.train_accuracy);
    test.x.push_back(e);
    test.y.push_back(f.test_accuracy);
    if (f.val_accuracy >= 0) {
      val.x.push_back(e);
      val.y.push_back(f.val_accuracy);
    }
  }
  const std::string what = config.model + " on " + config.task;
  run.write_text(
      "loss.svg",
      render_line_chart({"Training loss: " + what, "epoch", "mean cross-entropy", {loss}}));
  std::vector<LineSeries> accuracy{train, test};
  if (!val.x.empty()) accuracy.insert(accuracy.begin() + 1, val);
  run.write_text("accuracy.svg",
                 render_line_chart({"Accuracy: " + what, "epoch", "accuracy", accuracy}));
}

std::string accuracy_tail(const EpochFigures& f) {
  char text[64];
  if (f.val_accuracy >= 0) {
    std::snprintf(text, sizeof text, "  val %.2f%%  test %.2f%%", 100.0 * f.val_accuracy,
                  100.0 * f.test_accuracy);
  } else {
    std::snprintf(text, sizeof text, "  test %.2f%%", 100.0 * f.test_accuracy);
  }
  return text;
}

// The settings saved in a run directory, with the only two a resumed run may change.
TrainConfig resumed_config(const RunDirectory& run, const TrainConfig& given) {
  std::ifstream in(run.file("config.json"));
  if (!in) throw Error("cannot resume: " + run.file("config.json").string() + " is missing");
  TrainConfig saved;
  try {
    saved = train_config_from_json(nlohmann::json::parse(in));
  } catch (const nlohmann::json::exception& e) {
    throw Error(run.file("config.json").string() + " is not valid JSON (" + e.what() + ")");
  }
  if (given.epochs > 0) saved.epochs = given.epochs;
  saved.threads = given.threads;
  return saved;
}

// One pass over the training set: a step per batch, the running figures on the progress bar.
// The accuracy counts each batch's predictions before its step, as the loss does.
EpochFigures train_epoch(nn::Layer& model, TrainingOptimizer& optimizer, data::DataLoader& loader,
                         EpochProgress& progress) {
  model.train();
  double loss_sum = 0.0;
  long correct = 0, done = 0;
  const auto start = Clock::now();
  loader.for_each_batch([&](const data::Batch& batch) {
    optimizer.zero_grad();
    const Tensor logits = model.forward(batch.inputs);
    const Tensor loss = nn::functional::cross_entropy(logits, batch.targets);
    loss.backward();
    optimizer.step();
    const auto n = batch.inputs.size(0);
    loss_sum += loss.item() * double(n);
    correct += count_correct(logits.detach(), batch.targets);
    done += n;
    progress.update(done, loss_sum / double(done), correct);
  });
  EpochFigures f;
  f.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  f.loss = loss_sum / double(done);
  f.correct = correct;
  f.train_accuracy = double(correct) / double(done);
  f.samples_per_second = f.seconds > 0 ? double(done) / f.seconds : 0.0;
  f.lr = optimizer.lr();
  return f;
}

RunDirectory open_run(const TrainConfig& config, const NetworkRun& where) {
  if (where.resume) return RunDirectory::open_existing(where.run_dir);
  if (!where.run_dir.empty()) return RunDirectory::open(where.run_dir);
  return RunDirectory::create_unique(config.runs_dir, config.task + "-" + config.model);
}

}  // namespace

Tensor predict_logits(nn::Layer& model, const Tensor& inputs, double mean, double std,
                      std::int64_t batch_size) {
  autodiff::NoGradGuard no_grad;
  const bool was_training = model.is_training();
  model.eval();
  std::vector<Tensor> parts;
  const std::int64_t n = inputs.size(0);
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const std::int64_t count = std::min(batch_size, n - start);
    Tensor x = inputs.narrow(0, start, count);
    if (mean != 0.0 || std != 1.0) x = (x - mean) * (1.0 / std);
    parts.push_back(model.forward(x.contiguous()));
  }
  model.train(was_training);
  if (parts.empty()) throw Error("predict: no inputs; expected at least one sample");
  return parts.size() == 1 ? parts.front() : cat(parts, 0);
}

std::vector<int> row_argmax(const Tensor& logits) {
  const auto values = logits.argmax(1).to_vector();
  return std::vector<int>(values.begin(), values.end());
}

std::vector<int> as_labels(const Tensor& targets) {
  const auto values = targets.to_vector();
  return std::vector<int>(values.begin(), values.end());
}

int train_network(const TrainConfig& given, const NetworkRun& where) {
  const RunDirectory run = open_run(given, where);
  const TrainConfig config = where.resume ? resumed_config(run, given) : given;
  if (config.threads > 0) set_num_threads(config.threads);
  set_default_backend(config.backend == "reference" ? reference_backend() : fast_backend());

  const TaskData data = load_task(config, run.path(), !where.resume);
  Generator generator(config.seed);
  models::ModelConfig model_config = model_config_for(data, config);
  model_config.init.generator = &generator;
  const auto model = models::make_model(config.model, model_config);
  const bool images = data.input == models::InputKind::Image;
  if ((models::model_info(config.model).input == models::InputKind::Image) != images) {
    throw Error("model " + config.model + " does not take the inputs of task " + config.task +
                "; expected " +
                (images ? "an image model (mlp, lenet, minitorch-cnn)" : "a text model (textcnn)"));
  }
  const auto optimizer =
      make_training_optimizer(model->parameters(), {.name = config.optimizer,
                                                    .lr = config.lr,
                                                    .momentum = config.momentum,
                                                    .weight_decay = config.weight_decay,
                                                    .schedule = config.schedule,
                                                    .epochs = config.epochs,
                                                    .step_size = config.step_size,
                                                    .gamma = config.gamma});
  data::DataLoader loader(data.train_x, data.train_y,
                          {.batch_size = config.batch_size > 0 ? config.batch_size : 64,
                           .shuffle = true,
                           .seed = config.seed + 1,
                           .normalize_mean = data.mean,
                           .normalize_std = data.std});

  ModelCard card{.task = config.task,
                 .model = config.model,
                 .class_names = data.class_names,
                 .input = data.input,
                 .channels = data.channels,
                 .height = data.height,
                 .width = data.width,
                 .vocab_size = data.vocab_size,
                 .embedding_dim = config.embedding_dim,
                 .max_length = images ? 0 : config.max_length,
                 .mean = data.mean,
                 .std = data.std};

  std::vector<EpochFigures> history;
  int first_epoch = 1;
  if (where.resume) {
    const ResumePoint point = load_training_checkpoint(run.path(), *model, *optimizer);
    generator.set_state(point.run_generator);
    loader.set_state(point.loader_generator);
    for (int e = 0; e < point.epoch; ++e) optimizer->end_epoch();
    history = read_metrics(run.file("metrics.jsonl"), point.epoch);
    run.write_text("metrics.jsonl", [&] {
      std::string text;
      for (const auto& f : history) text += f.to_json().dump() + "\n";
      return text;
    }());
    first_epoch = point.epoch + 1;
    if (first_epoch > config.epochs) {
      throw Error("nothing to resume: the run already finished epoch " +
                  std::to_string(point.epoch) + " of " + std::to_string(config.epochs) +
                  " (pass a larger --epochs to train further)");
    }
    std::cout << "Resuming " << run.path().string() << " after epoch " << point.epoch << "\n";
  }
  run.write_json("config.json", to_json(config));

  const long samples = static_cast<long>(data.train_x.size(0));
  std::cout << "Training " << config.model << " on " << config.task << ": " << samples
            << " training samples, " << data.test_x.size(0) << " test, epochs " << first_epoch
            << ".." << config.epochs << ", batch " << loader.options().batch_size << ", "
            << config.optimizer << " lr " << config.lr << ", " << get_num_threads()
            << " thread(s)\n"
            << std::flush;

  const bool interactive = ::isatty(STDERR_FILENO) == 1;
  const auto run_start = Clock::now();
  for (int epoch = first_epoch; epoch <= config.epochs; ++epoch) {
    EpochProgress progress(std::cerr, interactive, epoch, config.epochs, samples);
    EpochFigures f = train_epoch(*model, *optimizer, loader, progress);
    f.epoch = epoch;
    optimizer->end_epoch();
    if (data.val_x.defined()) {
      f.val_accuracy = accuracy_of(*model, data.val_x, data.val_y, data.mean, data.std);
    }
    f.test_accuracy = accuracy_of(*model, data.test_x, data.test_y, data.mean, data.std);
    progress.finish(f.loss, f.correct, accuracy_tail(f));

    card.epoch = epoch;
    save_training_checkpoint(run.path(), *model, *optimizer,
                             {epoch, generator.state(), loader.state()}, card);
    run.append_json_line("metrics.jsonl", f.to_json());
    history.push_back(f);
  }

  const double total = std::chrono::duration<double>(Clock::now() - run_start).count();
  write_plots(run, config, history);
  const EpochFigures& last = history.back();
  nlohmann::json summary = last.to_json();
  summary["total_seconds"] = total;
  summary["epochs"] = last.epoch;
  run.write_json("summary.json", summary);

  std::printf("Test accuracy %.2f%% after %d epoch%s (%.1f s this session)\n",
              100.0 * last.test_accuracy, last.epoch, last.epoch == 1 ? "" : "s", total);
  std::printf("Run directory: %s\n", run.path().c_str());
  std::printf("  checkpoint: %s (resume: minitorch train --resume %s)\n",
              run.file("model.safetensors").c_str(), run.path().c_str());
  std::printf("  metrics:    %s, %s\n", run.file("metrics.jsonl").c_str(),
              run.file("summary.json").c_str());
  std::printf("  plots:      %s, %s\n", run.file("loss.svg").c_str(),
              run.file("accuracy.svg").c_str());
  return 0;
}

}  // namespace minitorch::app
