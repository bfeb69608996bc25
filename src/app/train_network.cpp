#include "app/train_network.h"

#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>

#include "app/checkpoint.h"
#include "app/classification_task.h"
#include "app/divergence.h"
#include "app/fault_injection.h"
#include "app/progress.h"
#include "app/run_directory.h"
#include "app/svg_plot.h"
#include "app/training_optimizer.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/data/data_loader.h"
#include "minitorch/nn/losses.h"
#include "minitorch/parallel/parallel.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kMetricsFile = "metrics.jsonl";
// What write_derived_files writes: a pure function of the committed epochs.
const std::vector<std::string> kDerivedFiles{"summary.json", "loss.svg", "accuracy.svg"};

long count_correct(const Tensor& logits, const Tensor& targets) {
  const auto predicted = row_argmax(logits);
  const auto truth = as_labels(targets);
  long correct = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) correct += predicted[i] == truth[i];
  return correct;
}

double accuracy_of(nn::Layer& model, const Tensor& x, const Tensor& y, double mean, double std) {
  const std::int64_t samples = y.size(0);
  if (samples == 0) return 0.0;
  return double(count_correct(predict_logits(model, x, mean, std), y)) / double(samples);
}

// A metrics line that cannot be read, named by file and line so it can be inspected.
[[noreturn]] void bad_metrics_line(const fs::path& path, int line, const std::string& problem) {
  throw Error(path.string() + ": line " + std::to_string(line) +
              " is not a metrics record: " + problem);
}

double number_in(const nlohmann::json& record, const char* name, const fs::path& path, int line) {
  if (!record.contains(name)) bad_metrics_line(path, line, std::string("it has no '") + name + "'");
  const auto& value = record.at(name);
  if (value.is_null()) {
    // Earlier versions wrote a NaN or infinite loss as null instead of stopping the run.
    bad_metrics_line(path, line,
                     std::string("'") + name +
                         "' is null, a non-finite value: the run diverged at that epoch and "
                         "cannot be resumed; start a new run with a smaller learning rate or "
                         "weight decay");
  }
  if (!value.is_number()) {
    bad_metrics_line(path, line,
                     std::string("'") + name + "' is " + value.dump() + "; expected a number");
  }
  return value.get<double>();
}

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
  static EpochFigures from_line(const std::string& text, const fs::path& path, int line) {
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
      bad_metrics_line(path, line, std::string("invalid JSON (") + e.what() + ")");
    }
    if (!j.is_object()) bad_metrics_line(path, line, "expected a JSON object");
    EpochFigures f;
    const double epoch = number_in(j, "epoch", path, line);
    if (epoch != std::floor(epoch) || epoch < 1 || epoch > 1e9) {
      bad_metrics_line(path, line,
                       "'epoch' is " + j.at("epoch").dump() + "; expected an integer >= 1");
    }
    f.epoch = static_cast<int>(epoch);
    f.loss = number_in(j, "loss", path, line);
    f.train_accuracy = number_in(j, "train_accuracy", path, line);
    f.test_accuracy = number_in(j, "test_accuracy", path, line);
    f.seconds = number_in(j, "epoch_seconds", path, line);
    f.samples_per_second = number_in(j, "samples_per_second", path, line);
    f.lr = number_in(j, "lr", path, line);
    if (j.contains("val_accuracy")) f.val_accuracy = number_in(j, "val_accuracy", path, line);
    return f;
  }
};

std::string metrics_text(const std::vector<EpochFigures>& history) {
  std::string text;
  for (const auto& f : history) text += f.to_json().dump() + "\n";
  return text;
}

// The records of epochs 1..epochs, which metrics.jsonl must open with in that order. Whatever
// follows them was written for an epoch after the checkpoint by a run killed before it committed
// that epoch (possibly half a line), and is dropped.
std::vector<EpochFigures> committed_metrics(const fs::path& path, int epochs) {
  std::vector<EpochFigures> out;
  std::ifstream in(path);
  int line = 0;
  for (std::string text; std::ssize(out) < epochs && std::getline(in, text);) {
    ++line;
    EpochFigures f = EpochFigures::from_line(text, path, line);
    const int expected = static_cast<int>(out.size()) + 1;
    if (f.epoch != expected) {
      bad_metrics_line(path, line,
                       "it is epoch " + std::to_string(f.epoch) + "; expected epoch " +
                           std::to_string(expected) + " (one line per epoch, in order)");
    }
    out.push_back(f);
  }
  if (std::ssize(out) < epochs) {
    throw Error(path.string() + " holds " + std::to_string(out.size()) +
                " epoch record(s), but the checkpoint finished epoch " + std::to_string(epochs) +
                "; expected one line per finished epoch");
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
  LineChart loss_chart{"Training loss: " + what, "epoch", "mean cross-entropy", {loss}};
  std::vector<LineSeries> accuracy{train, test};
  if (!val.x.empty()) accuracy.insert(accuracy.begin() + 1, val);
  LineChart accuracy_chart{"Accuracy: " + what, "epoch", "accuracy", accuracy};
  loss_chart.whole_x = accuracy_chart.whole_x = true;
  run.write_text("loss.svg", render_line_chart(loss_chart));
  run.write_text("accuracy.svg", render_line_chart(accuracy_chart));
}

// total_seconds adds up the epochs of every session of the run, so a resumed run's summary
// follows from its metrics alone and can be rebuilt after a kill.
nlohmann::json summary_of(const std::vector<EpochFigures>& history) {
  nlohmann::json summary = history.back().to_json();
  double total = 0.0;
  for (const auto& f : history) total += f.seconds;
  summary["total_seconds"] = total;
  summary["epochs"] = history.back().epoch;
  return summary;
}

// Files that follow from the committed epochs; rewritten after each commit, so that a run in
// progress, or stopped, shows where it stands.
void write_derived_files(const RunDirectory& run, const TrainConfig& config,
                         const std::vector<EpochFigures>& history) {
  write_plots(run, config, history);
  run.write_json("summary.json", summary_of(history));
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
  if (!is_network_task(saved.task)) {
    throw Error("cannot resume " + run.path().string() + ": it is a run of task " + saved.task +
                "; only network runs (fashion-mnist, mnist, spam) keep checkpoints to resume");
  }
  if (given.epochs > 0) saved.epochs = given.epochs;
  saved.threads = given.threads;
  return saved;
}

// Stops a run at the first non-finite loss, and before saving non-finite weights. The epoch in
// progress is never committed, so the run directory keeps the last good epoch.
class DivergenceCheck {
 public:
  DivergenceCheck(const TrainConfig& config, int epoch, long steps)
      : config_(config), epoch_(epoch), steps_(steps) {}

  void check_loss(double loss, long step) const {
    if (std::isfinite(loss)) return;
    fail("at step " + std::to_string(step) + " of " + std::to_string(steps_) + " the loss is " +
         (std::isnan(loss) ? "nan" : "infinite"));
  }
  void check_parameters(const nn::Module& model) const {
    if (const auto bad = first_non_finite(model)) {
      fail("after its last step (" + std::to_string(steps_) + " of " + std::to_string(steps_) +
           ") the parameters hold " + bad->to_string());
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    const int kept = epoch_ - 1;
    stop_diverged_run(config_, epoch_, what,
                      "Epoch " + std::to_string(epoch_) +
                          " was not saved; the run directory keeps " +
                          (kept > 0 ? "epoch " + std::to_string(kept) : std::string("no epoch")));
  }

  const TrainConfig& config_;
  int epoch_;
  long steps_;
};

// One pass over the training set: a step per batch, the running figures on the progress bar.
// The accuracy counts each batch's predictions before its step, as the loss does. A non-finite
// loss stops the run at once (every later step would be NaN as well).
EpochFigures train_epoch(nn::Layer& model, TrainingOptimizer& optimizer, data::DataLoader& loader,
                         EpochProgress& progress, const DivergenceCheck& divergence) {
  model.train();
  double loss_sum = 0.0;
  long correct = 0, done = 0, step = 0;
  const auto start = Clock::now();
  loader.for_each_batch([&](const data::Batch& batch) {
    optimizer.zero_grad();
    const Tensor logits = model.forward(batch.inputs);
    const Tensor loss = nn::functional::cross_entropy(logits, batch.targets);
    const double value = loss.item();
    divergence.check_loss(value, ++step);
    loss.backward();
    optimizer.step();
    const auto n = batch.inputs.size(0);
    loss_sum += value * double(n);
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

RunDirectory claim_run(const TrainConfig& config, const NetworkRun& where) {
  if (!where.run_dir.empty()) return RunDirectory::open(where.run_dir);
  return RunDirectory::create_unique(config.runs_dir, config.task + "-" + config.model);
}

std::shared_ptr<nn::Layer> build_model(const TrainConfig& config, const TaskData& data,
                                       Generator& generator) {
  models::ModelConfig model_config = model_config_for(data, config);
  model_config.init.generator = &generator;
  const bool images = data.input == models::InputKind::Image;
  if ((models::model_info(config.model).input == models::InputKind::Image) != images) {
    throw Error("model " + config.model + " does not take the inputs of task " + config.task +
                "; expected " +
                (images ? "an image model (mlp, lenet, minitorch-cnn)" : "a text model (textcnn)"));
  }
  return models::make_model(config.model, model_config);
}

// Everything one training session works with, built in the order that draws the same random
// numbers in every session: the model's weights first, then the loader's shuffles.
struct NetworkSession {
  TrainConfig config;
  TaskData data;
  Generator generator;
  std::shared_ptr<nn::Layer> model;
  std::unique_ptr<TrainingOptimizer> optimizer;
  data::DataLoader loader;
  ModelCard card;

  NetworkSession(TrainConfig c, TaskData d)
      : config(std::move(c)),
        data(std::move(d)),
        generator(config.seed),
        model(build_model(config, data, generator)),
        optimizer(make_training_optimizer(model->parameters(), {.name = config.optimizer,
                                                                .lr = config.lr,
                                                                .momentum = config.momentum,
                                                                .weight_decay = config.weight_decay,
                                                                .schedule = config.schedule,
                                                                .epochs = config.epochs,
                                                                .step_size = config.step_size,
                                                                .gamma = config.gamma})),
        loader(data.train_x, data.train_y,
               {.batch_size = config.batch_size > 0 ? config.batch_size : 64,
                .shuffle = true,
                .seed = config.seed + 1,
                .normalize_mean = data.mean,
                .normalize_std = data.std}),
        card(card_of(config, data)) {}

  static ModelCard card_of(const TrainConfig& config, const TaskData& data) {
    const bool images = data.input == models::InputKind::Image;
    return {.task = config.task,
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
  }

  long steps_per_epoch() const {
    const long samples = static_cast<long>(data.train_x.size(0));
    const long batch = loader.options().batch_size;
    return (samples + batch - 1) / batch;
  }
};

void set_compute(const TrainConfig& config) {
  if (config.threads > 0) set_num_threads(config.threads);
  set_default_backend(config.backend == "reference" ? reference_backend() : fast_backend());
}

// Continues after the checkpoint's epoch (0: none was committed, the run starts over, which gives
// the same numbers since everything is drawn from the saved seed).
int restore_checkpoint(const RunDirectory& run, NetworkSession& s) {
  if (!has_training_checkpoint(run.path())) return 0;
  const ResumePoint point = load_training_checkpoint(run.path(), *s.model, *s.optimizer, s.card);
  s.generator.set_state(point.run_generator);
  s.loader.set_state(point.loader_generator);
  return point.epoch;
}

// Puts the run directory back to exactly what its checkpoint committed: a run killed during an
// epoch's commit leaves files of that epoch (model, metrics line) or of the one before (summary,
// plots), and temporary files of interrupted writes. All follow from the checkpoint again.
std::vector<EpochFigures> repair_to_checkpoint(const RunDirectory& run, NetworkSession& s,
                                               int epoch) {
  for (const fs::path& path : run.remove_stale_temporaries()) {
    std::cout << "Removed " << path.string() << ", left by an interrupted write\n";
  }
  std::vector<EpochFigures> history = committed_metrics(run.file(kMetricsFile), epoch);
  run.write_text(kMetricsFile, metrics_text(history));
  if (epoch == 0) {
    for (const std::string& name : kDerivedFiles) fs::remove(run.file(name));
    fs::remove(run.file(kModelFile));
    return history;
  }
  s.card.epoch = epoch;
  save_model(run.path(), *s.model, s.card);
  write_derived_files(run, s.config, history);
  return history;
}

// An epoch's files in the order that makes checkpoint.safetensors its commit point: until the
// checkpoint is renamed into place, a resumed run repeats the epoch and rewrites the model and
// metrics from the previous checkpoint (see repair_to_checkpoint).
void commit_epoch(const RunDirectory& run, NetworkSession& s, const EpochFigures& f,
                  std::vector<EpochFigures>& history) {
  s.card.epoch = f.epoch;
  fault_point("model", f.epoch);
  save_model(run.path(), *s.model, s.card);
  fault_point("metrics", f.epoch);
  run.append_json_line(kMetricsFile, f.to_json());
  fault_point("checkpoint", f.epoch);
  save_training_checkpoint(run.path(), *s.model, *s.optimizer,
                           {f.epoch, s.generator.state(), s.loader.state()}, s.card);
  history.push_back(f);
  fault_point("summary", f.epoch);
  write_derived_files(run, s.config, history);
}

void train_epochs(const RunDirectory& run, NetworkSession& s, int first_epoch,
                  std::vector<EpochFigures>& history) {
  const bool interactive = ::isatty(STDERR_FILENO) == 1;
  const long samples = static_cast<long>(s.data.train_x.size(0));
  for (int epoch = first_epoch; epoch <= s.config.epochs; ++epoch) {
    const DivergenceCheck divergence(s.config, epoch, s.steps_per_epoch());
    EpochProgress progress(std::cerr, interactive, epoch, s.config.epochs, samples);
    EpochFigures f = train_epoch(*s.model, *s.optimizer, s.loader, progress, divergence);
    f.epoch = epoch;
    divergence.check_parameters(*s.model);
    s.optimizer->end_epoch();
    if (s.data.val_x.defined()) {
      f.val_accuracy = accuracy_of(*s.model, s.data.val_x, s.data.val_y, s.data.mean, s.data.std);
    }
    f.test_accuracy = accuracy_of(*s.model, s.data.test_x, s.data.test_y, s.data.mean, s.data.std);
    progress.finish(f.loss, f.correct, accuracy_tail(f));
    commit_epoch(run, s, f, history);
  }
}

void print_outcome(const RunDirectory& run, const std::vector<EpochFigures>& history,
                   double session_seconds) {
  const EpochFigures& last = history.back();
  std::printf("Test accuracy %.2f%% after %d epoch%s (%.1f s this session)\n",
              100.0 * last.test_accuracy, last.epoch, last.epoch == 1 ? "" : "s", session_seconds);
  std::printf("Run directory: %s\n", run.path().c_str());
  std::printf("  checkpoint: %s (resume: minitorch train --resume %s)\n",
              run.file(kModelFile).c_str(), run.path().c_str());
  std::printf("  metrics:    %s, %s\n", run.file(kMetricsFile).c_str(),
              run.file("summary.json").c_str());
  std::printf("  plots:      %s, %s\n", run.file("loss.svg").c_str(),
              run.file("accuracy.svg").c_str());
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
  const auto session_start = Clock::now();
  std::vector<EpochFigures> history;
  int first_epoch = 1;
  std::unique_ptr<NetworkSession> s;
  // A new run loads its data before it claims a directory, so that a missing data set or a
  // flag the data cannot satisfy leaves no directory behind; a resumed run must hold the
  // directory's lock before it reads anything from it.
  std::optional<RunDirectory> run;
  if (where.resume) {
    run.emplace(RunDirectory::open_to_resume(where.run_dir));
    const TrainConfig config = resumed_config(*run, given);
    set_compute(config);
    s = std::make_unique<NetworkSession>(config, load_task(config, run->path(), false));
    const int committed = restore_checkpoint(*run, *s);
    history = repair_to_checkpoint(*run, *s, committed);
    first_epoch = committed + 1;
    if (first_epoch > s->config.epochs) {
      throw Error("nothing to resume: the run already finished epoch " + std::to_string(committed) +
                  " of " + std::to_string(s->config.epochs) +
                  " (pass a larger --epochs to train further)");
    }
    std::cout << "Resuming " << run->path().string()
              << (committed > 0 ? " after epoch " + std::to_string(committed)
                                : std::string(" from its start (no epoch was committed)"))
              << "\n";
  } else {
    set_compute(given);
    s = std::make_unique<NetworkSession>(given, load_task(given, {}, true));
    run.emplace(claim_run(given, where));
    if (s->data.input == models::InputKind::Tokens) {
      s->data.vocabulary.save(run->file(kVocabularyFile));
    }
  }
  // Written last at the start: a directory with config.json has every input of the run.
  run->write_json("config.json", to_json(s->config));

  const TrainConfig& config = s->config;
  std::cout << "Training " << config.model << " on " << config.task << ": "
            << s->data.train_x.size(0) << " training samples, " << s->data.test_x.size(0)
            << " test, epochs " << first_epoch << ".." << config.epochs << ", batch "
            << s->loader.options().batch_size << ", " << config.optimizer << " lr " << config.lr
            << ", " << get_num_threads() << " thread(s)\n"
            << std::flush;
  train_epochs(*run, *s, first_epoch, history);
  print_outcome(*run, history, std::chrono::duration<double>(Clock::now() - session_start).count());
  return 0;
}

}  // namespace minitorch::app
