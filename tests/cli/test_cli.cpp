// End-to-end tests of the `minitorch` program: exit codes, messages, run directories, training.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "cli_fixture.h"

using minitorch::testing::Cli;
using minitorch::testing::contains;
using minitorch::testing::read;
using minitorch::testing::Result;
namespace fs = std::filesystem;

TEST_F(Cli, HelpForEveryCommand) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--help"},
                                                                {"train", "--help"},
                                                                {"datasets", "--help"},
                                                                {"eval", "--help"},
                                                                {"predict", "--help"},
                                                                {"serve", "--help"}}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 0) << args[0];
    EXPECT_TRUE(contains(r.out, "Usage")) << r.out;
  }
  EXPECT_TRUE(contains(run({"train", "--help"}).out, "--dataset"));
  EXPECT_TRUE(contains(run({"--help"}).out, "datasets"));
}

TEST_F(Cli, NoCommandIsBadUsage) {
  const Result r = run({});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "subcommand")) << r.err;
}

TEST_F(Cli, UnknownCommandIsNamedEvenWithHelp) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"trian", "--help"}, {"trian"}}) {
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << args.size();
    EXPECT_TRUE(contains(r.err, "unknown command 'trian'")) << r.err;
    EXPECT_TRUE(contains(r.err, "train, datasets, eval, predict")) << r.err;
    EXPECT_FALSE(contains(r.out, "Usage")) << r.out;
  }
}

TEST_F(Cli, UnknownNamesListTheValidOnes) {
  Result r = run({"train", "--dataset", "moons", "--run-dir", (dir_ / "run").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "--dataset")) << r.err;
  EXPECT_TRUE(contains(r.err, "simple, diag, split, xor, circle, spiral")) << r.err;
  r = run({"train", "--backend", "quantum", "--run-dir", (dir_ / "run").string()});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(
      r.err, "unknown backend 'quantum'; expected one of: fast, reference, tensor, scalar"))
      << r.err;
  r = run({"datasets", "--name", "moons"});
  EXPECT_EQ(r.code, 2);
  EXPECT_TRUE(contains(r.err, "expected one of")) << r.err;
  r = run({"train", "--no-such-flag"});
  EXPECT_EQ(r.code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "run"));  // nothing was written for a rejected command
}

TEST_F(Cli, InvalidNumbersNameTheFlag) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"--epochs", "0"}, {"--epochs", "-3"},  {"--epochs", "ten"}, {"--points", "0"},
      {"--hidden", "0"}, {"--hidden", "1.5"}, {"--lr", "0"},       {"--lr", "-0.1"},
      {"--lr", "inf"},   {"--lr", "nan"},     {"--lr", "fast"},    {"--batch-size", "-1"},
      {"--seed", "-1"},  {"--seed", "1e3"},   {"--threads", "0"},  {"--points", "99999999999"},
  };
  for (const auto& [flag, value] : cases) {
    const Result r = run({"train", flag, value, "--run-dir", (dir_ / "run").string()});
    EXPECT_EQ(r.code, 2) << flag << " " << value;
    EXPECT_TRUE(contains(r.err, flag)) << flag << " " << value << ": " << r.err;
    EXPECT_FALSE(contains(r.err, "terminate")) << r.err;
  }
  EXPECT_FALSE(fs::exists(dir_ / "run"));
  const Result spiral = run({"train", "--dataset", "spiral", "--points", "1"});
  EXPECT_EQ(spiral.code, 2);
  EXPECT_TRUE(contains(spiral.err, "--points")) << spiral.err;
}

TEST_F(Cli, UnwritableRunDirectoryIsARuntimeFailure) {
  std::ofstream(dir_ / "file") << "x";
  const std::string impossible = (dir_ / "file" / "run").string();
  Result r = run({"train", "--epochs", "1", "--run-dir", impossible});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, impossible)) << r.err;
  EXPECT_TRUE(contains(r.err, "Not a directory")) << r.err;

  fs::create_directories(dir_ / "full");
  std::ofstream(dir_ / "full" / "keep") << "x";
  r = run({"train", "--epochs", "1", "--run-dir", (dir_ / "full").string()});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "not empty")) << r.err;
  EXPECT_EQ(read(dir_ / "full" / "keep"), "x");

  r = run({"datasets", "--name", "xor", "--out", impossible});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, impossible)) << r.err;
}

TEST_F(Cli, DatasetsWritesCsv) {
  const fs::path csv = dir_ / "spiral.csv";
  Result r = run({"datasets", "--name", "spiral", "--points", "100", "--out", csv.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string text = read(csv);
  EXPECT_EQ(text.rfind("x1,x2,y\n", 0), 0u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 101);
  r = run({"datasets", "--name", "xor", "--points", "5", "--seed", "3"});
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 6);
  EXPECT_EQ(r.out, run({"datasets", "--name", "xor", "--points", "5", "--seed", "3"}).out);
  r = run({"datasets", "--list"});
  EXPECT_EQ(r.out, "simple\ndiag\nsplit\nxor\ncircle\nspiral\n");
}

TEST_F(Cli, TrainWritesTheRunDirectoryContract) {
  const fs::path run_dir = dir_ / "run";
  const fs::path graph = dir_ / "graph.dot";
  const Result r = run({"train", "--backend", "scalar", "--dataset", "diag", "--hidden", "3",
                        "--epochs", "20", "--points", "10", "--seed", "1", "--run-dir",
                        run_dir.string(), "--graph", graph.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "Run directory: " + run_dir.string())) << r.out;
  EXPECT_TRUE(contains(r.out, "decision_boundary.svg")) << r.out;
  EXPECT_TRUE(contains(r.err, "epoch 20/20")) << r.err;
  EXPECT_TRUE(contains(r.err, "samples/s")) << r.err;
  EXPECT_TRUE(contains(r.err, "ETA")) << r.err;

  const auto config = nlohmann::json::parse(read(run_dir / "config.json"));
  EXPECT_EQ(config["dataset"], "diag");
  EXPECT_EQ(config["hidden"], 3);
  EXPECT_EQ(config["seed"], 1);

  std::ifstream metrics(run_dir / "metrics.jsonl");
  int lines = 0;
  for (std::string line; std::getline(metrics, line);) {
    const auto m = nlohmann::json::parse(line);
    ++lines;
    EXPECT_EQ(m["epoch"], lines);
    for (const char* key : {"loss", "train_accuracy", "epoch_seconds", "samples_per_second"}) {
      EXPECT_TRUE(m.contains(key)) << key;
    }
  }
  EXPECT_EQ(lines, 20);

  const auto summary = nlohmann::json::parse(read(run_dir / "summary.json"));
  for (const char* key :
       {"train_accuracy", "final_loss", "total_seconds", "epoch_seconds_median"}) {
    EXPECT_TRUE(summary.contains(key)) << key;
  }
  EXPECT_TRUE(contains(read(run_dir / "loss.svg"), "<polyline"));
  EXPECT_TRUE(contains(read(run_dir / "decision_boundary.svg"), "<circle"));
  EXPECT_EQ(read(graph).rfind("digraph", 0), 0u);
  for (const auto& entry : fs::directory_iterator(run_dir)) {
    EXPECT_FALSE(contains(entry.path().filename().string(), ".tmp")) << entry.path();
  }
}

// --log-every N adds a record every N optimizer steps, each with its step and epoch, and the loss
// plot draws them between the whole epochs.
TEST_F(Cli, LogEveryWritesStepRecords) {
  const fs::path run_dir = dir_ / "run";
  const Result r =
      run({"train", "--dataset", "diag", "--hidden", "3", "--epochs", "2", "--points", "20",
           "--batch-size", "5", "--log-every", "2", "--seed", "1", "--run-dir", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  std::vector<std::tuple<std::string, long, int>> records;
  std::ifstream metrics(run_dir / "metrics.jsonl");
  for (std::string line; std::getline(metrics, line);) {
    const auto m = nlohmann::json::parse(line);
    records.emplace_back(m["kind"], m["step"], m["epoch"]);
  }
  const std::vector<std::tuple<std::string, long, int>> expected{{"step", 2, 1},  {"step", 4, 1},
                                                                 {"epoch", 4, 1}, {"step", 6, 2},
                                                                 {"step", 8, 2},  {"epoch", 8, 2}};
  EXPECT_EQ(records, expected);
  EXPECT_EQ(nlohmann::json::parse(read(run_dir / "config.json"))["log_every"], 2);
  EXPECT_TRUE(contains(run({"train", "--help"}).out, "--log-every")) << "help";
}

TEST_F(Cli, SameSeedSameRun) {
  auto losses = [&](const std::string& name) {
    const fs::path run_dir = dir_ / name;
    const Result r = run({"train", "--dataset", "circle", "--hidden", "4", "--epochs", "5",
                          "--points", "12", "--seed", "9", "--run-dir", run_dir.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(read(run_dir / "summary.json"))["final_loss"].get<double>();
  };
  EXPECT_EQ(losses("a"), losses("b"));
}

// The acceptance runs of MiniTorch module 1: at least 48/50 on the four main data sets.
class ScalarTraining : public Cli, public ::testing::WithParamInterface<std::string> {};

TEST_P(ScalarTraining, ReachesAtLeast48Of50) {
  const fs::path run_dir = dir_ / "run";
  const Result r =
      run({"train", "--backend", "scalar", "--dataset", GetParam(), "--hidden", "10", "--lr", "0.5",
           "--epochs", "500", "--points", "50", "--seed", "0", "--run-dir", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto summary = nlohmann::json::parse(read(run_dir / "summary.json"));
  EXPECT_GE(summary["correct"].get<int>(), 48) << r.out;
  EXPECT_EQ(summary["total"].get<int>(), 50);
}

INSTANTIATE_TEST_SUITE_P(MainDataSets, ScalarTraining,
                         ::testing::Values("simple", "diag", "split", "xor"));

// MiniTorch module 2's acceptance runs: the tensor backend, full batch and batches of 10.
class TensorTraining : public Cli,
                       public ::testing::WithParamInterface<std::tuple<std::string, int>> {};

TEST_P(TensorTraining, ReachesAtLeast48Of50) {
  const auto& [dataset, batch_size] = GetParam();
  const fs::path run_dir = dir_ / "run";
  const Result r = run({"train", "--backend", "tensor", "--dataset", dataset, "--hidden", "10",
                        "--lr", "0.5", "--epochs", "500", "--points", "50", "--seed", "0",
                        "--batch-size", std::to_string(batch_size), "--run-dir", run_dir.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  const auto summary = nlohmann::json::parse(read(run_dir / "summary.json"));
  EXPECT_GE(summary["correct"].get<int>(), 48) << r.out;
  EXPECT_EQ(nlohmann::json::parse(read(run_dir / "config.json"))["backend"], "tensor");
}

INSTANTIATE_TEST_SUITE_P(MainDataSets, TensorTraining,
                         ::testing::Combine(::testing::Values("simple", "diag", "split", "xor"),
                                            ::testing::Values(0, 10)));

// The fast and reference backends train the same network to the same figures.
TEST_F(Cli, FastAndReferenceBackendsAgree) {
  auto summary = [&](const std::string& backend, const std::string& threads) {
    const fs::path run_dir = dir_ / backend / threads;
    const Result r =
        run({"train", "--backend", backend, "--threads", threads, "--dataset", "circle", "--hidden",
             "20", "--epochs", "50", "--batch-size", "10", "--run-dir", run_dir.string()});
    EXPECT_EQ(r.code, 0) << r.err;
    return nlohmann::json::parse(read(run_dir / "summary.json"));
  };
  const auto reference = summary("reference", "1");
  for (const auto& threads : {"1", "2"}) {
    const auto fast = summary("fast", threads);
    EXPECT_EQ(fast["correct"], reference["correct"]) << threads;
    EXPECT_NEAR(fast["final_loss"].get<double>(), reference["final_loss"].get<double>(), 1e-4);
  }
}

TEST_F(Cli, TensorBackendWritesItsGraph) {
  const fs::path graph = dir_ / "graph.dot";
  const Result r = run({"train", "--backend", "tensor", "--epochs", "2", "--run-dir",
                        (dir_ / "run").string(), "--graph", graph.string()});
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(contains(read(graph), "MmBackward0"));
}
