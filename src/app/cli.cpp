#include "app/cli.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "app/batch_predict.h"
#include "app/checkpoint.h"
#include "app/classification_task.h"
#include "app/dashboard_command.h"
#include "app/evaluate.h"
#include "app/rank_agreement.h"
#include "app/run_directory.h"
#include "app/scalar_classifier.h"
#include "app/serve_command.h"
#include "app/sweep_command.h"
#include "app/tensor_classifier.h"
#include "app/train_2d.h"
#include "app/train_command.h"
#include "app/train_config.h"
#include "app/train_network.h"
#include "app/usage_error.h"
#include "minitorch/backend/backend.h"
#include "minitorch/core/error.h"
#include "minitorch/data/datasets.h"
#include "minitorch/distributed/process_group.h"
#include "minitorch/models/registry.h"
#include "minitorch/parallel/parallel.h"

namespace minitorch::app {
namespace {

constexpr int kExitRuntimeFailure = 1;
constexpr int kExitUsage = 2;

// Upper limits of the size flags: beyond them a run would ask for more memory than a machine has
// and fail late with std::bad_alloc. Threads share the thread pool's bound, kMaxThreads.
constexpr int kMaxHidden = 1024;         // 2-D MLP: hidden x hidden weights (a Scalar each)
constexpr int kMaxPoints = 1'000'000;    // 2-D data sets
constexpr int kMaxLength = 8192;         // spam: tokens per message, for every mail of the corpus
constexpr int kMaxEmbeddingDim = 1024;   // textcnn: vocabulary x dimension weights
constexpr int kMaxPredictBatch = 65536;  // predict --batch: inputs decoded and held at once

// scalar: one Scalar per weight (MiniTorch module 1); reference / fast: tensors on that backend;
// tensor: tensors on the default backend (fast).
const std::vector<std::string> kBackends{"fast", "reference", "tensor", "scalar"};

std::string join(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// CLI11 prefixes a validator's message with the flag's name.
CLI::Validator one_of(const std::vector<std::string>& names, const std::string& what) {
  return CLI::Validator(
      [names, what](std::string& value) -> std::string {
        for (const auto& name : names) {
          if (value == name) return {};
        }
        return "unknown " + what + " '" + value + "'; expected one of: " + join(names);
      },
      "{" + join(names) + "}", what);
}

// A flag's value must parse completely as a T and satisfy `accept`; CLI11 prefixes the message
// with the flag's name.
template <class T, class Accept>
CLI::Validator number_check(const std::string& label, const std::string& expectation,
                            Accept accept) {
  return CLI::Validator(
      [expectation, accept](std::string& value) -> std::string {
        T parsed{};
        const char* last = value.data() + value.size();
        const auto [end, error] = std::from_chars(value.data(), last, parsed);
        if (error == std::errc() && end == last && accept(parsed)) return {};
        return "expected " + expectation + ", got '" + value + "'";
      },
      label, expectation);
}

CLI::Validator positive_integer() {
  return number_check<int>("POSITIVE", "a positive integer", [](int n) { return n > 0; });
}

// Names the limit in the message, e.g. "expected an integer in [1, 8192], got '2000000000'".
CLI::Validator positive_integer_up_to(int limit) {
  return number_check<int>("1.." + std::to_string(limit),
                           "an integer in [1, " + std::to_string(limit) + "]",
                           [limit](int n) { return n > 0 && n <= limit; });
}

CLI::Validator non_negative_integer() {
  return number_check<int>("NON-NEGATIVE", "an integer >= 0", [](int n) { return n >= 0; });
}

CLI::Validator unsigned_64_bit_integer() {
  return number_check<std::uint64_t>("UINT64", "an integer in [0, 2^64)",
                                     [](std::uint64_t) { return true; });
}

CLI::Validator positive_finite_number() {
  return number_check<double>("POSITIVE", "a positive finite number",
                              [](double x) { return std::isfinite(x) && x > 0; });
}

CLI::Validator non_negative_finite_number() {
  return number_check<double>("NUMBER", "a finite number >= 0",
                              [](double x) { return std::isfinite(x) && x >= 0; });
}

std::vector<std::string> task_names() {
  std::vector<std::string> names{"2d"};
  for (const auto& name : network_task_names()) names.push_back(name);
  return names;
}

// The networks --model picks; the 2-D task's model (features in) is not one of them.
std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& info : models::model_catalog()) {
    if (info.input != models::InputKind::Features) names.push_back(info.name);
  }
  return names;
}

// The settings whose defaults differ by task, each written once here: the networks train with
// Adam at 1e-3 (SGD at 0.01) on batches of 64, the 2-D classifiers with full-batch SGD at 0.5.
struct TaskDefaults {
  double lr;
  int epochs;
  int batch_size;
};

TaskDefaults task_defaults(const std::string& task, const std::string& optimizer) {
  if (task == "2d") return {0.5, 500, 0};
  return {optimizer == "sgd" ? 0.01 : 1e-3, task == "spam" ? 5 : 15, 64};
}

std::string number_text(double x) {
  std::ostringstream out;
  out << x;
  return out.str();
}

// "2d 0.5; fashion-mnist, mnist 0.001 (sgd: 0.01); spam ...": the help's defaults, from
// task_defaults so the two cannot disagree.
std::string defaults_help(const std::function<std::string(const TaskDefaults&)>& value,
                          bool by_optimizer) {
  std::string out;
  for (const auto& task : task_names()) {
    std::string text = value(task_defaults(task, "adam"));
    const std::string sgd = value(task_defaults(task, "sgd"));
    if (by_optimizer && sgd != text) text += " (sgd: " + sgd + ")";
    out += (out.empty() ? "" : ", ") + task + " " + text;
  }
  return " (default: " + out + ")";
}

struct TrainCommand {
  TrainConfig config;
  std::string resume;
  CLI::App* app = nullptr;
};

}  // namespace

void add_train_flags(CLI::App& command, TrainConfig& config) {
  CLI::App* train = &command;
  train
      ->add_option("--task", config.task,
                   "2d: the 2-D point sets (--dataset); fashion-mnist, mnist: images; spam: mail")
      ->check(one_of(task_names(), "task"))
      ->capture_default_str();
  train
      ->add_option("--model", config.model,
                   "Network for image and text tasks (default: lenet for images, textcnn for spam)")
      ->check(one_of(model_names(), "model"));
  train->add_option("--backend", config.backend, "Compute backend")
      ->check(one_of(kBackends, "backend"))
      ->capture_default_str();
  train->add_option("--dataset", config.dataset, "2-D data set")
      ->check(one_of(data::dataset_names(), "dataset"))
      ->capture_default_str();
  train
      ->add_option("--threads", config.threads,
                   "Threads of the fast backend (default: MINITORCH_NUM_THREADS, else all cores)")
      ->check(positive_integer_up_to(kMaxThreads));
  train->add_option("--hidden", config.hidden, "Hidden layer size")
      ->check(positive_integer_up_to(kMaxHidden))
      ->capture_default_str();
  train
      ->add_option("--lr", config.lr,
                   "Learning rate" +
                       defaults_help([](const TaskDefaults& d) { return number_text(d.lr); }, true))
      ->check(positive_finite_number());
  train
      ->add_option(
          "--epochs", config.epochs,
          "Number of epochs" +
              defaults_help([](const TaskDefaults& d) { return std::to_string(d.epochs); }, false))
      ->check(positive_integer());
  train->add_option("--points", config.points, "Number of data points")
      ->check(positive_integer_up_to(kMaxPoints))
      ->capture_default_str();
  train
      ->add_option(
          "--batch-size", config.batch_size,
          "Samples per optimizer step (0: the whole set)" +
              defaults_help([](const TaskDefaults& d) { return std::to_string(d.batch_size); },
                            false))
      ->check(non_negative_integer());
  train
      ->add_option("--log-every", config.log_every,
                   "Also write a metrics.jsonl record every N optimizer steps, so short runs "
                   "draw curves (0: one record per epoch)")
      ->check(non_negative_integer())
      ->capture_default_str();
  train->add_option("--seed", config.seed, "Seed of the data set and the initialisation")
      ->check(unsigned_64_bit_integer())
      ->capture_default_str();
  train->add_option("--runs-dir", config.runs_dir, "Parent directory of a fresh run directory")
      ->capture_default_str();
  train->add_option("--run-dir", config.run_dir,
                    "Write the run here instead (must be new or empty)");
  train->add_option("--graph", config.graph_path,
                    "Write the computation graph of one forward pass as Graphviz DOT");
  train->add_option("--optimizer", config.optimizer, "Optimizer of the networks")
      ->check(one_of({"sgd", "adam", "adamw"}, "optimizer"))
      ->capture_default_str();
  train->add_option("--momentum", config.momentum, "SGD momentum")
      ->check(non_negative_finite_number())
      ->capture_default_str();
  train->add_option("--weight-decay", config.weight_decay, "Weight decay (L2 for sgd and adam)")
      ->check(non_negative_finite_number())
      ->capture_default_str();
  train->add_option("--schedule", config.schedule, "Learning-rate schedule over the epochs")
      ->check(one_of({"none", "step", "cosine"}, "schedule"))
      ->capture_default_str();
  train->add_option("--step-size", config.step_size, "Step schedule: epochs between decays")
      ->check(positive_integer())
      ->capture_default_str();
  train->add_option("--gamma", config.gamma, "Step schedule: factor of each decay")
      ->check(positive_finite_number())
      ->capture_default_str();
  train->add_option("--data-dir", config.data_dir,
                    "Directory of the data set (default: where its package installs it)");
  train
      ->add_option(
          "--train-samples", config.train_samples,
          "Train on a seeded sample of N training samples, each class in its share (0: all)")
      ->check(non_negative_integer());
  train->add_option("--max-length", config.max_length, "spam: tokens per message")
      ->check(positive_integer_up_to(kMaxLength))
      ->capture_default_str();
  train->add_option("--vocab-size", config.vocab_size, "spam: largest vocabulary")
      ->check(number_check<int>("SIZE", "an integer >= 2", [](int n) { return n >= 2; }))
      ->capture_default_str();
  train->add_option("--min-frequency", config.min_frequency, "spam: rarer tokens become <unk>")
      ->check(positive_integer())
      ->capture_default_str();
  train->add_option("--embedding-dim", config.embedding_dim, "textcnn: embedding size")
      ->check(positive_integer_up_to(kMaxEmbeddingDim))
      ->capture_default_str();
}

namespace {

CLI::App* add_train_command(CLI::App& app, TrainCommand& command) {
  auto* train = app.add_subcommand("train", "Train a model and write a run directory");
  command.app = train;
  add_train_flags(*train, command.config);
  train->add_option("--resume", command.resume,
                    "Continue the run in this directory after its last checkpoint (with the saved "
                    "settings; only --epochs and --threads may change)");
  return train;
}

void apply_task_defaults(const CLI::App& train, TrainConfig& c) {
  const TaskDefaults defaults = task_defaults(c.task, c.optimizer);
  if (train.count("--lr") == 0) c.lr = defaults.lr;
  if (train.count("--epochs") == 0) c.epochs = defaults.epochs;
  if (train.count("--batch-size") == 0) c.batch_size = defaults.batch_size;
  if (c.task == "2d") {
    if (c.model != "mlp") {
      throw CLI::ValidationError("--model", "the 2d task trains the mlp; got '" + c.model + "'");
    }
    return;
  }
  const bool text = c.task == "spam";
  if (train.count("--model") == 0) c.model = text ? "textcnn" : "lenet";
  // A network loads its data in batches; 0 (the whole set) means the default batch.
  if (c.batch_size == 0) c.batch_size = defaults.batch_size;
  const bool text_model = models::model_info(c.model).input == models::InputKind::Tokens;
  if (text != text_model) {
    throw CLI::ValidationError("--model", "model " + c.model + " does not fit task " + c.task +
                                              "; expected " +
                                              (text ? "textcnn" : "mlp, lenet or minitorch-cnn"));
  }
}

}  // namespace

// Why `flag` does not apply to the run `c` describes; empty when it does. A flag the run would
// ignore is refused, so config.json never records a setting that did not take effect.
std::string why_not_applicable(const std::string& flag, const TrainConfig& c) {
  static const std::vector<std::string> network_only{
      "--optimizer",  "--momentum",   "--weight-decay",  "--schedule",
      "--step-size",  "--gamma",      "--data-dir",      "--train-samples",
      "--max-length", "--vocab-size", "--min-frequency", "--embedding-dim"};
  static const std::vector<std::string> two_d_only{"--hidden", "--dataset", "--points", "--graph"};
  static const std::vector<std::string> text_only{"--max-length", "--vocab-size", "--min-frequency",
                                                  "--embedding-dim"};
  const auto among = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), flag) != names.end();
  };
  if (c.task == "2d") {
    return among(network_only) ? "it applies to the network tasks (fashion-mnist, mnist, spam)"
                               : "";
  }
  if (among(two_d_only)) return "it applies to task 2d only";
  if (flag == "--backend" && c.backend == "scalar") {
    return "the networks train on tensors; use --backend fast or reference";
  }
  if (c.task != "spam" && among(text_only)) return "it applies to task spam only";
  if (flag == "--momentum" && c.optimizer != "sgd") return "it applies to --optimizer sgd only";
  if ((flag == "--step-size" || flag == "--gamma") && c.schedule != "step") {
    return "it applies to --schedule step only";
  }
  return "";
}

namespace {

void check_flags_apply(const CLI::App& train, const TrainConfig& config) {
  for (const CLI::Option* option : train.get_options()) {
    if (option->count() == 0) continue;
    const std::string name = option->get_name();
    const std::string why = why_not_applicable(name, config);
    if (!why.empty()) {
      throw UsageError(name + " does not apply to task " + config.task +
                       (name == "--backend" ? " with --backend scalar" : "") + ": " + why);
    }
  }
}

// A resumed run keeps its saved settings; a flag that would change them is a usage error.
void check_resume_flags(const TrainCommand& command) {
  for (const CLI::Option* option : command.app->get_options()) {
    const std::string name = option->get_name();
    if (option->count() == 0 || name == "--resume" || name == "--epochs" || name == "--threads" ||
        name == "--help") {
      continue;
    }
    throw CLI::ValidationError(name,
                               "cannot be changed with --resume; the run continues with "
                               "its saved settings (only --epochs and --threads may be "
                               "given)");
  }
}

void add_eval_command(CLI::App& app, EvalOptions& options) {
  auto* eval = app.add_subcommand(
      "eval",
      "Evaluate a trained network on its test set: accuracy, per-class precision, recall "
      "and F1, confusion matrix (eval.json, confusion.svg)");
  eval->add_option("--run", options.run_dir, "Run directory of `minitorch train`")->required();
  eval->add_option("--data-dir", options.data_dir, "Directory of the data set");
  eval->add_flag("--json", options.json, "Print the report as JSON");
}

void add_predict_command(CLI::App& app, PredictOptions& options) {
  auto* predict = app.add_subcommand(
      "predict",
      "Classify image files (PNG, PGM), a text or 2-D points with a trained model, or with "
      "--batch every input of a directory, IDX file or text file");
  predict->add_option("--run", options.run_dir, "Run directory of `minitorch train`")->required();
  predict->add_option("images", options.images, "Image files (PNG or PGM)");
  predict->add_option("--text", options.text, "Text to classify (spam model)");
  predict->add_option("--point", options.points, "Point x1,x2 to classify (2-D runs; repeatable)")
      ->type_name("X1,X2");
  predict->add_option("--top-k", options.top_k, "Classes to show")
      ->check(positive_integer())
      ->capture_default_str();
  predict->add_flag("--resize", options.resize, "Scale images to the model's size");
  predict->add_flag("--json", options.json, "Print the predictions as JSON");
  predict
      ->add_option("--batch", options.batch,
                   "Predict every input of INPUTS, a directory of images, an IDX file of "
                   "images or a text file with one text (or point x1,x2) per line; needs --out")
      ->type_name("INPUTS");
  predict
      ->add_option("--out", options.out,
                   "--batch: JSON-lines file to write, one line per input as --json prints it")
      ->type_name("FILE");
  predict->add_option("--batch-size", options.batch_size, "--batch: inputs per forward pass")
      ->check(positive_integer_up_to(kMaxPredictBatch))
      ->capture_default_str();
}

// --batch reads its inputs from one place and writes them to --out; the flags of single inputs
// and the batch flags without --batch are bad usage.
void check_batch_usage(const CLI::App& predict, const PredictOptions& options) {
  const bool batch = predict.count("--batch") > 0;
  if (!batch) {
    for (const char* flag : {"--out", "--batch-size"}) {
      if (predict.count(flag) > 0) throw CLI::ValidationError(flag, "applies to --batch only");
    }
    return;
  }
  if (!options.images.empty() || options.has_text || !options.points.empty() || options.json) {
    throw CLI::ValidationError("--batch",
                               "reads every input from INPUTS and writes JSON lines to --out; "
                               "give no image files, --text, --point or --json with it");
  }
  if (options.batch.empty()) {
    throw CLI::ValidationError("--batch", "expected INPUTS, a directory or file; got ''");
  }
  if (predict.count("--out") == 0) {
    throw CLI::ValidationError("--batch", "needs --out FILE, the JSON-lines file to write");
  }
}

struct DatasetsOptions {
  std::string name;
  int points = 100;
  std::uint64_t seed = 0;
  std::string out = "-";
  bool list = false;
};

void add_datasets_command(CLI::App& app, DatasetsOptions& options) {
  auto* datasets = app.add_subcommand("datasets", "Generate a 2-D data set as CSV (x1,x2,y)");
  datasets->add_flag("--list", options.list, "List the data set names");
  datasets->add_option("--name", options.name, "Data set")
      ->check(one_of(data::dataset_names(), "dataset"));
  datasets->add_option("--points", options.points, "Number of points")
      ->check(positive_integer_up_to(kMaxPoints))
      ->capture_default_str();
  datasets->add_option("--seed", options.seed, "Seed")
      ->check(unsigned_64_bit_integer())
      ->capture_default_str();
  datasets->add_option("--out", options.out, "Output CSV file ('-': standard output)")
      ->capture_default_str();
}

void check_dataset_size(const std::string& dataset, int points) {
  if (dataset == "spiral" && points < 2) {
    throw CLI::ValidationError(
        "--points", "the spiral data set needs at least 2 points, got " + std::to_string(points));
  }
}

std::unique_ptr<Classifier2D> make_classifier(const TrainConfig& config, Generator& generator) {
  if (config.backend == "scalar") {
    return std::make_unique<ScalarClassifier2D>(config.hidden, config.lr, generator);
  }
  // Everything the model creates lives on the chosen backend.
  set_default_backend(config.backend == "reference" ? reference_backend() : fast_backend());
  return std::make_unique<TensorClassifier2D>(config.hidden, config.lr, generator);
}

}  // namespace

int run_train(const TrainConfig& given, const AfterEpoch& after_epoch) {
  distributed::ProcessGroup& group = distributed::ProcessGroup::world();
  TrainConfig config = given;
  config.world_size = group.size();
  if (config.threads > 0) set_num_threads(config.threads);
  const auto data = data::make_dataset(config.dataset, config.points, config.seed);
  // Every rank draws the same points from the same settings.
  check_ranks_agree(group, settings_every_rank_shares(config));
  // Under mpirun, rank 0 alone claims and writes the run directory and reports.
  std::optional<RunDirectory> run;
  if (group.rank() == 0) {
    run.emplace(config.run_dir.empty() ? RunDirectory::create_unique(
                                             config.runs_dir, config.dataset + "-" + config.backend)
                                       : RunDirectory::open(config.run_dir));
    run->write_json("config.json", to_json(config));
  }

  // One generator per run draws the weights, then shuffles the batches.
  Generator generator(config.seed);
  const std::unique_ptr<Classifier2D> model = make_classifier(config, generator);
  if (run && !config.graph_path.empty()) {
    write_file_atomically(config.graph_path, model->forward_graph_dot(data));
  }
  if (run) {
    std::cout << "Training " << config.model << " (hidden " << config.hidden << ") on "
              << config.dataset << " with the " << config.backend << " backend: " << data.size()
              << " points, " << config.epochs << " epochs, lr " << config.lr;
    if (group.is_distributed()) {
      std::cout << ", each batch shared by " << group.size() << " processes";
    }
    std::cout << "\n" << std::flush;
  }
  // The wall time of the whole loop, writes included; summary.json's total_seconds adds up the
  // epochs' training time only, as for every task.
  const auto start = std::chrono::steady_clock::now();
  const nlohmann::json summary =
      train_2d(config, data, *model, generator, run ? &*run : nullptr, group, after_epoch);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!run) return 0;

  std::printf("Train accuracy %ld/%ld (%.1f%%), final loss %.4f, %.2f s (%.4f s/epoch median)\n",
              summary["correct"].get<long>(), summary["total"].get<long>(),
              100.0 * summary["train_accuracy"].get<double>(), summary["final_loss"].get<double>(),
              seconds, summary["epoch_seconds_median"].get<double>());
  std::printf("Run directory: %s\n", run->path().c_str());
  std::printf("  metrics: %s, %s, %s\n", run->file("config.json").c_str(),
              run->file("metrics.jsonl").c_str(), run->file("summary.json").c_str());
  std::printf("  model:   %s\n", run->file(kModelFile).c_str());
  std::printf("  plots:   %s, %s\n", run->file("loss.svg").c_str(),
              run->file("decision_boundary.svg").c_str());
  if (!config.graph_path.empty()) std::printf("  graph:   %s\n", config.graph_path.c_str());
  return 0;
}

namespace {

int run_datasets(const DatasetsOptions& options) {
  if (options.list) {
    for (const auto& name : data::dataset_names()) std::cout << name << "\n";
    return 0;
  }
  if (options.name.empty()) throw CLI::RequiredError("--name");
  const std::string csv =
      data::to_csv(data::make_dataset(options.name, options.points, options.seed));
  if (options.out == "-") {
    std::cout << csv;
  } else {
    write_file_atomically(options.out, csv);
    std::cerr << "Wrote " << options.points << " points of " << options.name << " to "
              << options.out << "\n";
  }
  return 0;
}

// CLI11 would take an unknown first word for a stray argument and, with --help after it, print the
// main help and succeed; a misspelt command must fail and say which word it did not know.
void check_subcommand_name(const CLI::App& app, int argc, char** argv) {
  if (argc < 2 || argv[1][0] == '-') return;
  const std::string name = argv[1];
  std::vector<std::string> known;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return;
    known.push_back(sub->get_name());
  }
  throw UsageError("unknown command '" + name + "'; expected one of: " + join(known));
}

// Prints the error; a rank of a data-parallel job names itself and ends the whole job, so that
// the other ranks never wait for it (MPI_Abort; mpirun then exits with the code).
int report_failure(int code, const std::string& message) {
  std::cout << std::flush;
  if (distributed::ProcessGroup::launched_by_mpirun()) {
    distributed::ProcessGroup& world = distributed::ProcessGroup::world();
    if (world.is_distributed()) {
      std::cerr << "minitorch: rank " << world.rank() << " of " << world.size()
                << ": error: " << message << "\n"
                << std::flush;
      world.abort(code);
    }
  }
  std::cerr << "minitorch: error: " << message << "\n";
  return code;
}

// Only `train` is data-parallel: any other command under mpirun would run once per rank, each
// writing the same files.
void refuse_mpirun_but_for_training(const CLI::App& app) {
  if (app.got_subcommand("train") || !distributed::ProcessGroup::launched_by_mpirun() ||
      !distributed::ProcessGroup::world().is_distributed()) {
    return;
  }
  const std::string command = app.get_subcommands().front()->get_name();
  throw UsageError("minitorch " + command + " runs in one process; expected it without mpirun " +
                   "(only `minitorch train` trains data-parallel under mpirun)");
}

}  // namespace

void finish_train_flags(const CLI::App& command, TrainConfig& config) {
  apply_task_defaults(command, config);
  check_flags_apply(command, config);
  if (config.task == "2d") check_dataset_size(config.dataset, config.points);
}

int run_cli(int argc, char** argv) {
  CLI::App app{"minitorch: a small deep-learning framework in C++", "minitorch"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "minitorch 0.1.0");
  TrainCommand train;
  DatasetsOptions datasets_options;
  EvalOptions eval_options;
  PredictOptions predict_options;
  add_train_command(app, train);
  add_datasets_command(app, datasets_options);
  add_eval_command(app, eval_options);
  add_predict_command(app, predict_options);
  ServeOptions serve_options;
  add_serve_command(app, serve_options);
  const auto sweep = add_sweep_command(app);
  dashboard::DashboardOptions dashboard_options;
  add_dashboard_command(app, dashboard_options);

  try {
    check_subcommand_name(app, argc, argv);
    app.parse(argc, argv);
    refuse_mpirun_but_for_training(app);
    if (app.got_subcommand("train")) {
      if (!train.resume.empty()) {
        check_resume_flags(train);
        if (train.app->count("--epochs") == 0) train.config.epochs = 0;
        return train_network(train.config, {train.resume, true, {}});
      }
      finish_train_flags(*train.app, train.config);
      if (is_network_task(train.config.task)) {
        return train_network(train.config, {train.config.run_dir, false, {}});
      }
      return run_train(train.config);
    }
    if (app.got_subcommand("eval")) return run_eval(eval_options);
    if (app.got_subcommand("serve")) return run_serve(serve_options);
    if (app.got_subcommand("sweep")) return run_sweep_command(*sweep);
    if (app.got_subcommand("dashboard")) return run_dashboard(dashboard_options);
    if (app.got_subcommand("predict")) {
      predict_options.has_text = app.get_subcommand("predict")->count("--text") > 0;
      if (predict_options.has_text && !predict_options.images.empty()) {
        throw CLI::ValidationError("--text", "give either image files or --text, not both");
      }
      if (!predict_options.points.empty() &&
          (predict_options.has_text || !predict_options.images.empty())) {
        throw CLI::ValidationError("--point", "give points alone, without image files or --text");
      }
      check_batch_usage(*app.get_subcommand("predict"), predict_options);
      if (app.get_subcommand("predict")->count("--batch") > 0) {
        return run_batch_predict(predict_options);
      }
      return run_predict(predict_options);
    }
    if (datasets_options.name == "spiral") check_dataset_size("spiral", datasets_options.points);
    return run_datasets(datasets_options);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  } catch (const UsageError& e) {
    return report_failure(kExitUsage, e.what());
  } catch (const std::exception& e) {
    return report_failure(kExitRuntimeFailure, e.what());
  }
}

}  // namespace minitorch::app
