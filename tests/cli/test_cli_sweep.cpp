// `minitorch sweep` end to end: real trials on 2-D points and Fashion-MNIST, sweep.json against
// the run directories it points to, pruning, a sweep killed mid-trial and resumed, bad flags.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_fixture.h"

namespace {

using minitorch::testing::contains;
using minitorch::testing::read;
using minitorch::testing::Result;
using nlohmann::json;
namespace fs = std::filesystem;

class CliSweep : public minitorch::testing::Cli {
 protected:
  // Six random trials of the 2-D MLP on xor, 20 epochs each.
  std::vector<std::string> xor_sweep(const fs::path& sweep_dir) const {
    return {"sweep",
            "--task",
            "2d",
            "--dataset",
            "xor",
            "--epochs",
            "20",
            "--trials",
            "6",
            "--batch-size",
            "10",
            "--param",
            "lr=log:0.01:5",
            "--param",
            "hidden=choice:4,10",
            "--seed",
            "3",
            "--threads",
            "1",
            "--sweep-dir",
            sweep_dir.string()};
  }
};

json read_json(const fs::path& path) {
  return json::parse(read(path));
}

std::vector<json> epoch_records(const fs::path& run) {
  std::vector<json> out;
  std::istringstream lines(read(run / "metrics.jsonl"));
  for (std::string line; std::getline(lines, line);) {
    json record = json::parse(line);
    if (record["kind"] == "epoch") out.push_back(record);
  }
  return out;
}

json without_timing(json record) {
  for (const char* key : {"epoch_seconds", "samples_per_second"}) record.erase(key);
  return record;
}

// What sweep.json says of each trial is what its run directory holds.
void expect_trials_match_their_runs(const fs::path& sweep_dir, const json& sweep) {
  const std::string metric = sweep["metric"];
  const int epochs = sweep["base_config"]["epochs"];
  for (const json& trial : sweep["trials"]) {
    SCOPED_TRACE(trial.dump());
    const fs::path run = sweep_dir / trial["run_dir"].get<std::string>();
    const json config = read_json(run / "config.json");
    for (const auto& [name, value] : trial["params"].items()) EXPECT_EQ(config[name], value);
    EXPECT_EQ(config["seed"], sweep["seed"]);
    EXPECT_EQ(config["epochs"], epochs);
    const std::vector<json> records = epoch_records(run);
    ASSERT_EQ(int(records.size()), trial["epochs_done"].get<int>());
    ASSERT_EQ(trial["values"].size(), records.size());
    for (std::size_t e = 0; e < records.size(); ++e) {
      EXPECT_DOUBLE_EQ(trial["values"][e].get<double>(), records[e][metric].get<double>());
    }
    EXPECT_DOUBLE_EQ(trial["value"].get<double>(), records.back()[metric].get<double>());
    const json summary = read_json(run / "summary.json");
    EXPECT_EQ(summary["epochs"], trial["epochs_done"]);
    EXPECT_TRUE(fs::exists(run / "model.safetensors"));
    if (trial["state"] == "pruned") {
      EXPECT_EQ(trial["pruned_at_epoch"], trial["epochs_done"]);
      EXPECT_LT(trial["epochs_done"].get<int>(), epochs);
    } else {
      EXPECT_EQ(trial["state"], "complete");
      EXPECT_TRUE(trial["pruned_at_epoch"].is_null());
      EXPECT_EQ(trial["epochs_done"], epochs);
    }
  }
}

void expect_best_is_the_best_complete_trial(const json& sweep) {
  const bool maximize = sweep["direction"] == "maximize";
  json best;
  for (const json& trial : sweep["trials"]) {
    if (trial["state"] != "complete") continue;
    if (best.is_null() ||
        (maximize ? trial["value"] > best["value"] : trial["value"] < best["value"])) {
      best = trial;
    }
  }
  ASSERT_FALSE(best.is_null());
  EXPECT_EQ(sweep["best_trial"], best["number"]);
  EXPECT_EQ(sweep["best_value"], best["value"]);
  EXPECT_EQ(sweep["best_params"], best["params"]);
}

TEST_F(CliSweep, XorTrialsAreRunDirectoriesThatSweepJsonDescribes) {
  const fs::path sweep_dir = dir_ / "xor";
  const Result r = run(xor_sweep(sweep_dir));
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const json sweep = read_json(sweep_dir / "sweep.json");
  EXPECT_EQ(sweep["version"], 1);
  EXPECT_EQ(sweep["command"], "sweep");
  EXPECT_EQ(sweep["task"], "2d");
  EXPECT_EQ(sweep["model"], "mlp");
  EXPECT_EQ(sweep["metric"], "train_accuracy");
  EXPECT_EQ(sweep["direction"], "maximize");
  EXPECT_EQ(sweep["sampler"], "random");
  EXPECT_EQ(sweep["seed"], 3);
  EXPECT_EQ(sweep["trials_requested"], 6);
  EXPECT_EQ(sweep["params"], json::parse(R"([{"name": "lr", "spec": "log:0.01:5"},
                                             {"name": "hidden", "spec": "choice:4,10"}])"));
  EXPECT_EQ(sweep["pruner"],
            json::parse(R"({"kind": "median", "warmup_epochs": 1, "warmup_trials": 3})"));
  EXPECT_EQ(sweep["base_config"]["dataset"], "xor");
  EXPECT_EQ(sweep["base_config"]["batch_size"], 10);
  ASSERT_EQ(sweep["trials"].size(), 6u);
  for (int k = 0; k < 6; ++k) {
    const json& trial = sweep["trials"][k];
    EXPECT_EQ(trial["number"], k);
    EXPECT_EQ(trial["run_dir"], "trial-00" + std::to_string(k));
    EXPECT_TRUE(trial["error"].is_null());
    const double lr = trial["params"]["lr"];
    EXPECT_GE(lr, 0.01);
    EXPECT_LE(lr, 5.0);
    EXPECT_TRUE(trial["params"]["hidden"] == 4 || trial["params"]["hidden"] == 10);
    EXPECT_TRUE(contains(r.out, "Trial " + std::to_string(k) + "/6 ")) << r.out;
  }
  expect_trials_match_their_runs(sweep_dir, sweep);
  expect_best_is_the_best_complete_trial(sweep);
  const std::string best = "trial-00" + std::to_string(sweep["best_trial"].get<int>());
  EXPECT_TRUE(contains(r.out, "Best trial " + std::to_string(sweep["best_trial"].get<int>())))
      << r.out;
  EXPECT_TRUE(contains(r.out, "Run directory: " + (sweep_dir / best).string())) << r.out;
  std::cout << "sweep.json of the xor sweep:\n" << sweep.dump(2) << "\n";
}

// A sweep of real network trainings: like the other *Training suites, it runs in the optimised
// build only (the sanitizer pass leaves training out).
class SweepTraining : public CliSweep {};

TEST_F(SweepTraining, FashionMnistPrunesATrialBehindTheMedian) {
  // Three learning rates that learn, then one so small the weights hardly move: after epoch 2
  // it is at chance while the three before it are far above.
  const fs::path sweep_dir = dir_ / "fashion";
  const Result r =
      run({"sweep", "--task", "fashion-mnist", "--model", "lenet", "--train-samples", "300",
           "--epochs", "3", "--sampler", "grid", "--param", "lr=choice:0.003,0.002,0.001,1e-7",
           "--threads", "2", "--sweep-dir", sweep_dir.string()});
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  const json sweep = read_json(sweep_dir / "sweep.json");
  EXPECT_EQ(sweep["metric"], "test_accuracy");
  EXPECT_EQ(sweep["sampler"], "grid");
  EXPECT_EQ(sweep["trials_requested"], 4);
  ASSERT_EQ(sweep["trials"].size(), 4u);
  const json& pruned = sweep["trials"][3];
  EXPECT_EQ(pruned["params"], json::parse(R"({"lr": 1e-7})"));
  EXPECT_EQ(pruned["state"], "pruned");
  EXPECT_EQ(pruned["pruned_at_epoch"], 2);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(sweep["trials"][k]["state"], "complete");
  expect_trials_match_their_runs(sweep_dir, sweep);
  expect_best_is_the_best_complete_trial(sweep);
  // The pruned trial's directory is a valid run of 2 epochs: its checkpoint resumes it.
  EXPECT_TRUE(fs::exists(sweep_dir / "trial-003" / "checkpoint.safetensors"));
  EXPECT_TRUE(contains(r.out, "Trial 3/4 lr=1e-07: pruned")) << r.out;
  std::cout << "sweep.json of the Fashion-MNIST sweep:\n" << sweep.dump(2) << "\n";
}

// A sweep killed in the middle of a trial leaves sweep.json valid, that trial "running"; resumed,
// it redoes that trial from a clean directory and ends as a sweep never stopped.
TEST_F(CliSweep, AKilledSweepResumesToTheSameTrials) {
  const fs::path whole = dir_ / "whole";
  ASSERT_EQ(run(xor_sweep(whole)).code, 0);
  const fs::path sweep_dir = dir_ / "killed";
  ::setenv("MINITORCH_FAULT_AT", "trial-2:5", 1);
  Result r = run(xor_sweep(sweep_dir));
  ::unsetenv("MINITORCH_FAULT_AT");
  ASSERT_EQ(r.code, 128 + SIGKILL) << r.out << r.err;
  json sweep = read_json(sweep_dir / "sweep.json");
  ASSERT_EQ(sweep["trials"].size(), 3u);
  EXPECT_EQ(sweep["trials"][2]["state"], "running");
  // The trial's epochs in sweep.json lag its directory by at most half a second of training.
  EXPECT_LE(sweep["trials"][2]["epochs_done"], 5);
  EXPECT_EQ(sweep["trials"][2]["values"].size(),
            sweep["trials"][2]["epochs_done"].get<std::size_t>());
  EXPECT_EQ(epoch_records(sweep_dir / "trial-002").size(), 5u);

  std::vector<std::string> resume = xor_sweep(sweep_dir);
  resume.push_back("--resume");
  r = run(resume);
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_FALSE(contains(r.out, "Trial 0/6")) << r.out;  // finished trials are kept
  EXPECT_TRUE(contains(r.out, "Trial 2/6")) << r.out;
  sweep = read_json(sweep_dir / "sweep.json");
  const json reference = read_json(whole / "sweep.json");
  EXPECT_EQ(sweep["trials"], reference["trials"]);
  EXPECT_EQ(sweep["best_trial"], reference["best_trial"]);
  expect_trials_match_their_runs(sweep_dir, sweep);
  std::vector<json> redone, once;
  for (const json& record : epoch_records(sweep_dir / "trial-002"))
    redone.push_back(without_timing(record));
  for (const json& record : epoch_records(whole / "trial-002"))
    once.push_back(without_timing(record));
  EXPECT_EQ(redone, once);

  // Another sweep's flags are refused, naming the difference.
  std::vector<std::string> other = xor_sweep(sweep_dir);
  other[other.size() - 7] = "hidden=choice:4,8";
  other.push_back("--resume");
  r = run(other);
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(contains(r.err, "the flags describe another sweep (params: sweep.json has")) << r.err;
  EXPECT_TRUE(contains(r.err, "choice:4,8")) << r.err;
  // A second sweep into the directory without --resume is refused.
  r = run(xor_sweep(sweep_dir));
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(contains(r.err, "continue it with --resume")) << r.err;
}

TEST_F(CliSweep, BadFlagsAreUsageErrorsNamingWhatIsAccepted) {
  const std::string sweep_dir = (dir_ / "bad").string();
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases{
      {{"--param", "colour=choice:red"}, "unknown parameter 'colour'; expected one of: lr,"},
      {{"--param", "lr=gauss:0:1"}, "unknown spec 'gauss:0:1'; expected log:LOW:HIGH"},
      {{"--param", "lr=log:0:1"}, "a log range needs 0 < LOW"},
      {{"--param", "lr=uniform:-1:1"}, "--lr: expected a positive finite number, got '-1'"},
      {{"--param", "optimizer=choice:sgd,rmsprop"}, "unknown optimizer 'rmsprop'"},
      {{"--param", "batch-size=log:8:64"}, "batch-size takes int:LOW:HIGH or choice"},
      {{"--param", "hidden=int:1:2"}, "hidden does not apply to task fashion-mnist"},
      {{"--param", "momentum=uniform:0:0.9"}, "it applies to --optimizer sgd only"},
      {{"--param", "lr=log:1e-4:1e-2", "--lr", "0.1"}, "--lr is given too"},
      {{"--param", "lr=log:1e-4:1e-2", "--param", "lr=choice:0.1"}, "lr is swept twice"},
      {{"--param", "lr=log:1e-4:1e-2", "--metric", "f1"}, "give --direction maximize or minimize"},
      {{"--param", "lr=log:1e-4:1e-2", "--run-dir", "x"}, "--run-dir does not apply to sweep"},
      {{"--param", "lr=log:1e-4:1e-2", "--sampler", "bayes"}, "--sampler"},
      {{"--param", "lr=log:1e-4:1e-2", "--prune", "hyperband"}, "--prune"},
      {{"--param", "lr=log:1e-4:1e-2", "--trials", "0"}, "--trials"},
  };
  for (const auto& [flags, message] : cases) {
    std::vector<std::string> args{"sweep", "--task", "fashion-mnist", "--sweep-dir", sweep_dir};
    args.insert(args.end(), flags.begin(), flags.end());
    const Result r = run(args);
    EXPECT_EQ(r.code, 2) << flags[1] << "\n" << r.out << r.err;
    EXPECT_TRUE(contains(r.err, message)) << message << "\n" << r.err;
    EXPECT_FALSE(fs::exists(sweep_dir)) << flags[1];
  }
  const Result missing = run({"sweep", "--task", "2d", "--param", "lr=log:0.1:1"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_TRUE(contains(missing.err, "--sweep-dir is required")) << missing.err;
  const Result help = run({"sweep", "--help"});
  EXPECT_EQ(help.code, 0);
  for (const char* text : {"--param", "log:LOW:HIGH", "--grid-points", "--prune", "--resume",
                           "test_accuracy", "--train-samples"}) {
    EXPECT_TRUE(contains(help.out, text)) << text << "\n" << help.out;
  }
}

}  // namespace
