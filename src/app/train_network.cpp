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
#include "app/metrics_plots.h"
#include "app/rank_agreement.h"
#include "app/run_directory.h"
#include "app/svg_plot.h"
#include "app/training_optimizer.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/data/data_loader.h"
#include "minitorch/distributed/data_parallel.h"
#include "minitorch/distributed/process_group.h"
#include "minitorch/nn/losses.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/train/accuracy.h"
#include "minitorch/train/loop.h"

namespace minitorch::app {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kMetricsFile = "metrics.jsonl";
// What write_derived_files writes: a pure function of the committed epochs.
const std::vector<std::string> kDerivedFiles{"summary.json", "loss.svg", "accuracy.svg"};

// Each rank counts the correct predictions on its own contiguous slice of the split (disjoint, no
// padding), and the counts are summed: every sample is evaluated exactly once.
double accuracy_of(nn::Layer& model, const Tensor& x, const Tensor& y, double mean, double std,
                   distributed::ProcessGroup& group) {
  const std::int64_t samples = y.size(0);
  if (samples == 0) return 0.0;
  const std::int64_t begin = samples * group.rank() / group.size();
  const std::int64_t end = samples * (group.rank() + 1) / group.size();
  double correct = 0.0;
  if (end > begin) {
    correct = double(
        train::count_correct(predict_logits(model, x.narrow(0, begin, end - begin), mean, std),
                             y.narrow(0, begin, end - begin)));
  }
  double total = 0.0;
  for (const double count : group.all_gather(correct)) total += count;
  return total / double(samples);
}

void write_plots(const RunDirectory& run, const TrainConfig& config,
                 const std::vector<train::MetricsRecord>& records) {
  const std::string what = config.model + " on " + config.task;
  LineChart accuracy_chart{"Accuracy: " + what, "epoch", "accuracy", accuracy_curves(records)};
  accuracy_chart.whole_x = true;
  run.write_text("loss.svg", render_line_chart(loss_chart(records, "Training loss: " + what,
                                                          "mean cross-entropy")));
  run.write_text("accuracy.svg", render_line_chart(accuracy_chart));
}

// Files that follow from the committed epochs; rewritten after each commit, so that a run in
// progress, or stopped, shows where it stands.
void write_derived_files(const RunDirectory& run, const TrainConfig& config,
                         const std::vector<train::MetricsRecord>& history) {
  write_plots(run, config, history);
  run.write_json("summary.json", nlohmann::json::parse(train::summary_json(history)));
}

std::string processes(int count) {
  return std::to_string(count) +
         (count == 1 ? " process" : " processes (mpirun -np " + std::to_string(count) + ")");
}

// The settings saved in a run directory, with the only two a resumed run may change; a resumed
// run must have as many processes as the run had.
TrainConfig resumed_config(const fs::path& run, const TrainConfig& given) {
  const fs::path file = run / "config.json";
  std::ifstream in(file);
  if (!in) throw Error("cannot resume: " + file.string() + " is missing");
  TrainConfig saved;
  try {
    saved = train_config_from_json(nlohmann::json::parse(in));
  } catch (const nlohmann::json::exception& e) {
    throw Error(file.string() + " is not valid JSON (" + e.what() + ")");
  }
  if (!is_network_task(saved.task)) {
    throw Error("cannot resume " + run.string() + ": it is a run of task " + saved.task +
                "; only network runs (fashion-mnist, mnist, spam) keep checkpoints to resume");
  }
  if (saved.world_size != given.world_size) {
    throw Error("cannot resume " + run.string() + ": it was trained by " +
                processes(saved.world_size) + " and this job has " + processes(given.world_size) +
                "; the ranks' shards of the data and their batches depend on the number of "
                "processes, so resume it with " +
                (saved.world_size > 1 ? "mpirun -np " + std::to_string(saved.world_size)
                                      : std::string("a single process (without mpirun)")));
  }
  if (given.epochs > 0) saved.epochs = given.epochs;
  saved.threads = given.threads;
  return saved;
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

// Under mpirun, the model every rank trains: wrapped so that its gradients are averaged across
// the ranks during backward (and rank 0's initial weights broadcast); alone, the model itself.
std::shared_ptr<nn::Layer> data_parallel(const std::shared_ptr<nn::Layer>& model,
                                         distributed::ProcessGroup& group) {
  if (!group.is_distributed()) return model;
  return std::make_shared<nn::DistributedDataParallel>(model, nn::DistributedDataParallelOptions{},
                                                       group);
}

// What every rank of a data-parallel job must agree on: the settings of the run, and the data
// they load, by its sizes and the training images' statistics.
nlohmann::ordered_json agreement_of(const TrainConfig& config, const TaskData& data) {
  // The flags first: a difference there explains one in the data.
  nlohmann::ordered_json out = settings_every_rank_shares(config);
  out["training samples"] = data.train_x.size(0);
  out["validation samples"] = data.val_x.defined() ? data.val_x.size(0) : 0;
  out["test samples"] = data.test_x.size(0);
  out["classes"] = data.class_names;
  out["vocabulary size"] = data.vocab_size;
  char statistics[64];
  std::snprintf(statistics, sizeof statistics, "%.17g %.17g", data.mean, data.std);
  out["input mean and std"] = statistics;
  return out;
}

// Everything one training session works with, built in the order that draws the same random
// numbers in every session: the model's weights first, then the loader's shuffles. Every rank of
// a data-parallel job builds the same session; its loader reads the rank's shard.
struct NetworkSession {
  TrainConfig config;
  TaskData data;
  distributed::ProcessGroup& group;
  Generator generator;
  std::shared_ptr<nn::Layer> model;
  std::shared_ptr<nn::Layer> trained;  // the model, or its data-parallel wrapper
  std::unique_ptr<TrainingOptimizer> optimizer;
  data::DataLoader loader;
  ModelCard card;

  NetworkSession(TrainConfig c, TaskData d, distributed::ProcessGroup& g)
      : config(std::move(c)),
        data(std::move(d)),
        group(g),
        generator(config.seed),
        model(build_model(config, data, generator)),
        trained(data_parallel(model, group)),
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
                .normalize_std = data.std,
                .num_replicas = group.size(),
                .rank = group.rank()}),
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

  long steps_per_epoch() const { return static_cast<long>(loader.size()); }
  // Samples the ranks train on per epoch, all together (a shard padded PyTorch's way may repeat a
  // few).
  long samples_per_epoch() const {
    return static_cast<long>(loader.samples_per_epoch()) * group.size();
  }
  bool writes_files() const { return group.rank() == 0; }
};

void set_compute(const TrainConfig& config) {
  if (config.threads > 0) set_num_threads(config.threads);
  set_default_backend(config.backend == "reference" ? reference_backend() : fast_backend());
}

// Continues after the checkpoint's epoch (0: none was committed, the run starts over, which gives
// the same numbers since everything is drawn from the saved seed).
int restore_checkpoint(const fs::path& run, NetworkSession& s) {
  if (!has_training_checkpoint(run)) return 0;
  const ResumePoint point = load_training_checkpoint(run, *s.model, *s.optimizer, s.card);
  s.generator.set_state(point.run_generator);
  s.loader.set_state(point.loader_generator);
  return point.epoch;
}

// Puts the run directory back to exactly what its checkpoint committed: a run killed during an
// epoch's commit leaves files of that epoch (model, metrics line) or of the one before (summary,
// plots), and temporary files of interrupted writes. All follow from the checkpoint again.
std::vector<train::MetricsRecord> repair_to_checkpoint(const RunDirectory& run, NetworkSession& s,
                                                       int epoch) {
  for (const fs::path& path : run.remove_stale_temporaries()) {
    std::cout << "Removed " << path.string() << ", left by an interrupted write\n";
  }
  std::vector<train::MetricsRecord> history =
      train::read_committed_metrics(run.file(kMetricsFile), epoch);
  run.write_text(kMetricsFile, train::metrics_text(history));
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

// One step's batch over all the ranks (its mean loss, samples and correct predictions), summed
// on the group's communication thread from construction until wait(); alone, the rank's own.
class StepAcrossRanks {
 public:
  StepAcrossRanks(distributed::ProcessGroup& group, const train::StepResult& mine) : mine_(mine) {
    if (!group.is_distributed()) return;
    sums_ =
        from_vector({mine.loss * double(mine.samples), double(mine.samples), double(mine.correct)},
                    {3}, {.dtype = kFloat64});
    work_ = group.all_reduce_async(sums_, distributed::ReduceOp::Sum);
  }
  train::StepResult wait() {
    if (!work_) return mine_;
    work_->wait();
    const std::vector<double> total = sums_.to_vector();
    return {total[0] / total[1], static_cast<long>(total[1]), static_cast<long>(total[2])};
  }

 private:
  train::StepResult mine_;
  Tensor sums_;
  std::shared_ptr<distributed::Work> work_;
};

// The network, its optimizer and its data loader as the training loop sees them. Each step counts
// its batch's predictions before the step, as the loss does; a non-finite loss is reported before
// the step, which would only spread it to the weights.
class NetworkTask : public train::Task {
 public:
  NetworkTask(NetworkSession& s, int first_epoch) : s_(s), epoch_(first_epoch) {}

  long samples_per_epoch() const override { return s_.samples_per_epoch(); }
  long steps_per_epoch() const override { return s_.steps_per_epoch(); }
  void train_epoch(const train::StepCallback& step_done) override {
    const int epoch = epoch_++;
    bool first_step = true;
    s_.trained->train();
    s_.loader.for_each_batch([&](const data::Batch& batch) {
      s_.optimizer->zero_grad();
      const Tensor logits = s_.trained->forward(batch.inputs);
      const Tensor loss = nn::functional::cross_entropy(logits, batch.targets);
      // The batch's figures are summed across the ranks while backward runs, ahead of the
      // gradients' buckets: a step waits for the other ranks once, not twice.
      StepAcrossRanks across(s_.group, {loss.item(), static_cast<long>(batch.inputs.size(0)),
                                        train::count_correct(logits, batch.targets)});
      loss.backward();
      const train::StepResult step = across.wait();
      // Every rank has reached the epoch's first step (rank 0 has committed the epoch before):
      // the point where the tests make one rank fail.
      if (first_step) fault_point("train", epoch);
      first_step = false;
      // Every rank sees the same reduced loss, so all of them skip the step together (and the
      // loop then stops the run); backward ran on every rank all the same, so that the ranks'
      // gradient all-reduces stay matched.
      if (!std::isfinite(step.loss)) return step_done({step.loss, step.samples, 0});
      s_.optimizer->step();
      step_done(step);
    });
  }
  std::optional<std::string> non_finite_weights() const override {
    if (const auto bad = first_non_finite(*s_.model))
      return "the parameters hold " + bad->to_string();
    return std::nullopt;
  }
  std::optional<double> lr() const override { return s_.optimizer->lr(); }
  void end_epoch() override { s_.optimizer->end_epoch(); }
  std::vector<std::pair<std::string, double>> evaluate() override {
    std::vector<std::pair<std::string, double>> out;
    const TaskData& d = s_.data;
    if (d.val_x.defined()) {
      out.emplace_back("val_accuracy",
                       accuracy_of(*s_.model, d.val_x, d.val_y, d.mean, d.std, s_.group));
    }
    out.emplace_back("test_accuracy",
                     accuracy_of(*s_.model, d.test_x, d.test_y, d.mean, d.std, s_.group));
    return out;
  }

 private:
  NetworkSession& s_;
  int epoch_;  // the epoch train_epoch trains next
};

// An epoch's files in the order that makes checkpoint.safetensors its commit point: until the
// checkpoint is renamed into place, a resumed run repeats the epoch and rewrites the model and
// metrics from the previous checkpoint (see repair_to_checkpoint).
void commit_epoch(const RunDirectory& run, NetworkSession& s,
                  const std::vector<train::MetricsRecord>& records,
                  std::vector<train::MetricsRecord>& history) {
  const int epoch = records.back().epoch;
  s.card.epoch = epoch;
  fault_point("model", epoch);
  save_model(run.path(), *s.model, s.card);
  fault_point("metrics", epoch);
  for (const auto& r : records) {
    run.append_json_line(kMetricsFile, nlohmann::json::parse(r.to_json_line()));
  }
  fault_point("checkpoint", epoch);
  save_training_checkpoint(run.path(), *s.model, *s.optimizer,
                           {epoch, s.generator.state(), s.loader.state()}, s.card);
  history.insert(history.end(), records.begin(), records.end());
  fault_point("summary", epoch);
  write_derived_files(run, s.config, history);
}

// The epoch not committed when the run stopped is never saved: the directory keeps the last good
// epoch.
[[noreturn]] void stop_diverged(const TrainConfig& config, int epoch, const std::string& what) {
  const int kept = epoch - 1;
  stop_diverged_run(config, epoch, what,
                    "Epoch " + std::to_string(epoch) + " was not saved; the run directory keeps " +
                        (kept > 0 ? "epoch " + std::to_string(kept) : std::string("no epoch")));
}

// Rank 0 alone reports progress and writes the run directory; every rank trains.
void train_epochs(const RunDirectory* run, NetworkSession& s, int first_epoch,
                  std::vector<train::MetricsRecord>& history, const AfterEpoch& after_epoch) {
  NetworkTask task(s, first_epoch);
  std::ostream silent(nullptr);  // the progress of the ranks that do not report
  train::Progress progress(run ? static_cast<std::ostream&>(std::cerr) : silent,
                           run && ::isatty(STDERR_FILENO) == 1, s.config.epochs);
  train::FitHooks hooks;
  hooks.diverged = [&](int epoch, const std::string& what) {
    stop_diverged(s.config, epoch, what);
  };
  hooks.commit_epoch = [&](const std::vector<train::MetricsRecord>& records) {
    if (run) {
      commit_epoch(*run, s, records, history);
    } else {
      history.insert(history.end(), records.begin(), records.end());
    }
  };
  hooks.after_epoch = fit_hook(after_epoch);
  train::fit(
      task,
      {.first_epoch = first_epoch, .epochs = s.config.epochs, .log_every = s.config.log_every},
      progress, hooks);
}

// Under mpirun, rank 0 prints how long each rank's backward passes waited for the gradients'
// all-reduce: the transfer not hidden behind the pass, plus waiting for slower ranks. The slowest
// rank waits least, so a rank that waits far less than the others names a slow host or core.
void report_waits(const NetworkSession& s, bool writer) {
  const auto* wrapper = dynamic_cast<const nn::DistributedDataParallel*>(s.trained.get());
  if (wrapper == nullptr) return;
  const std::vector<double> waits = s.group.all_gather(wrapper->waited_seconds());
  if (!writer) return;
  std::printf("Waiting for the gradients' all-reduce this session:");
  for (std::size_t rank = 0; rank < waits.size(); ++rank) {
    std::printf("%s rank %zu %.2f s", rank == 0 ? "" : ",", rank, waits[rank]);
  }
  std::printf(" (the slowest rank waits least)\n");
}

void print_outcome(const RunDirectory& run, const std::vector<train::MetricsRecord>& history,
                   double session_seconds, int world_size) {
  const train::MetricsRecord last = train::epoch_records(history).back();
  std::printf("Test accuracy %.2f%% after %d epoch%s (%.1f s this session)\n",
              100.0 * last.evaluated("test_accuracy").value_or(0.0), last.epoch,
              last.epoch == 1 ? "" : "s", session_seconds);
  std::printf("Run directory: %s\n", run.path().c_str());
  const std::string launcher =
      world_size > 1 ? "mpirun -np " + std::to_string(world_size) + " " : std::string();
  std::printf("  checkpoint: %s (resume: %sminitorch train --resume %s)\n",
              run.file(kModelFile).c_str(), launcher.c_str(), run.path().c_str());
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

int train_network(const TrainConfig& given_config, const NetworkRun& where) {
  const auto session_start = Clock::now();
  distributed::ProcessGroup& group = distributed::ProcessGroup::world();
  TrainConfig given = given_config;
  given.world_size = group.size();
  std::vector<train::MetricsRecord> history;
  int first_epoch = 1;
  std::unique_ptr<NetworkSession> s;
  // A new run loads its data before it claims a directory, so that a missing data set or a
  // flag the data cannot satisfy leaves no directory behind; a resumed run must hold the
  // directory's lock before it reads anything from it. Under mpirun rank 0 alone claims, locks
  // and writes the directory; the other ranks read the checkpoint they resume from.
  std::optional<RunDirectory> run;
  const bool writer = group.rank() == 0;
  if (where.resume) {
    if (writer) run.emplace(RunDirectory::open_to_resume(where.run_dir));
    const fs::path dir = run ? run->path() : fs::path(where.run_dir);
    const TrainConfig config = resumed_config(dir, given);
    set_compute(config);
    TaskData data = load_task(config, dir, false);
    check_ranks_agree(group, agreement_of(config, data));
    s = std::make_unique<NetworkSession>(config, std::move(data), group);
    const int committed = restore_checkpoint(dir, *s);
    if (run) history = repair_to_checkpoint(*run, *s, committed);
    first_epoch = committed + 1;
    if (first_epoch > s->config.epochs) {
      throw Error("nothing to resume: the run already finished epoch " + std::to_string(committed) +
                  " of " + std::to_string(s->config.epochs) +
                  " (pass a larger --epochs to train further)");
    }
    if (writer) {
      std::cout << "Resuming " << run->path().string()
                << (committed > 0 ? " after epoch " + std::to_string(committed)
                                  : std::string(" from its start (no epoch was committed)"))
                << "\n";
    }
  } else {
    set_compute(given);
    TaskData data = load_task(given, {}, true);
    check_ranks_agree(group, agreement_of(given, data));
    s = std::make_unique<NetworkSession>(given, std::move(data), group);
    if (writer) {
      run.emplace(claim_run(given, where));
      if (s->data.input == models::InputKind::Tokens) {
        s->data.vocabulary.save(run->file(kVocabularyFile));
      }
    }
  }
  // Written last at the start: a directory with config.json has every input of the run.
  if (run) run->write_json("config.json", to_json(s->config));

  const TrainConfig& config = s->config;
  if (writer) {
    const std::int64_t batch = s->loader.options().batch_size;
    std::cout << "Training " << config.model << " on " << config.task << ": "
              << s->data.train_x.size(0) << " training samples, " << s->data.test_x.size(0)
              << " test, epochs " << first_epoch << ".." << config.epochs << ", batch " << batch;
    if (group.is_distributed()) {
      std::cout << " per process x " << group.size() << " processes = " << batch * group.size()
                << " global";
    }
    std::cout << ", " << config.optimizer << " lr " << config.lr << ", " << get_num_threads()
              << " thread(s)" << (group.is_distributed() ? " per process" : "") << "\n"
              << std::flush;
  }
  train_epochs(run ? &*run : nullptr, *s, first_epoch, history, where.after_epoch);
  report_waits(*s, writer);
  if (run) {
    print_outcome(*run, history,
                  std::chrono::duration<double>(Clock::now() - session_start).count(),
                  group.size());
  }
  return 0;
}

}  // namespace minitorch::app
