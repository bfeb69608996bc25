#include "app/sweep.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "minitorch/core/error.h"

namespace {

namespace fs = std::filesystem;
using minitorch::app::AfterEpoch;
using minitorch::app::parse_param;
using minitorch::app::run_sweep;
using minitorch::app::SweepSettings;
using minitorch::app::TrainConfig;
using nlohmann::json;

class Sweep : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("minitorch-sweep-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  // Four trials on a grid of lr; 2-D runs of 4 epochs.
  SweepSettings settings() const {
    SweepSettings s;
    s.base.task = "2d";
    s.base.epochs = 4;
    s.params = {parse_param("lr=choice:0.4,0.3,0.2,0.1")};
    s.sampler = "grid";
    s.pruning = {.warmup_trials = 2, .warmup_epochs = 1};
    s.sweep_dir = dir_ / "sweep";
    return s;
  }

  json sweep_file() const {
    std::ifstream in(dir_ / "sweep" / "sweep.json");
    return json::parse(in);
  }

  fs::path dir_;
};

// A trial whose train_accuracy after epoch e is lr * e; it records the epochs it trained.
struct FakeTraining {
  std::vector<std::pair<double, int>> trained;  // (lr, epochs)

  void operator()(const TrainConfig& config, const AfterEpoch& after_epoch) {
    EXPECT_TRUE(!fs::exists(config.run_dir) || fs::is_empty(config.run_dir)) << config.run_dir;
    fs::create_directories(config.run_dir);
    int epoch = 1;
    for (; epoch <= config.epochs; ++epoch) {
      if (!after_epoch({{"kind", "epoch"},
                        {"epoch", epoch},
                        {"loss", 1.0 / epoch},
                        {"train_accuracy", config.lr * epoch}})) {
        break;
      }
    }
    trained.emplace_back(config.lr, std::min(epoch, config.epochs));
  }
};

TEST_F(Sweep, RecordsEveryTrialPrunesBehindTheMedianAndPicksTheBest) {
  FakeTraining training;
  std::ostringstream out;
  ASSERT_EQ(run_sweep(settings(), std::ref(training), out), 0);
  // Trials 0 and 1 are the warm-up; trial 2 (lr 0.2) at epoch 2 has 0.4 < median(0.8, 0.6).
  EXPECT_EQ(training.trained,
            (std::vector<std::pair<double, int>>{{0.4, 4}, {0.3, 4}, {0.2, 2}, {0.1, 2}}));
  const json sweep = sweep_file();
  EXPECT_EQ(sweep["version"], 1);
  EXPECT_EQ(sweep["command"], "sweep");
  EXPECT_EQ(sweep["task"], "2d");
  EXPECT_EQ(sweep["metric"], "train_accuracy");
  EXPECT_EQ(sweep["direction"], "maximize");
  EXPECT_EQ(sweep["sampler"], "grid");
  EXPECT_EQ(sweep["trials_requested"], 4);
  EXPECT_EQ(sweep["params"], json::parse(R"([{"name": "lr", "spec": "choice:0.4,0.3,0.2,0.1"}])"));
  EXPECT_EQ(sweep["pruner"], json::parse(R"({"kind": "median", "warmup_epochs": 1,
                                             "warmup_trials": 2})"));
  EXPECT_EQ(sweep["base_config"]["epochs"], 4);
  ASSERT_EQ(sweep["trials"].size(), 4u);
  const json& first = sweep["trials"][0];
  EXPECT_EQ(first["number"], 0);
  EXPECT_EQ(first["run_dir"], "trial-000");
  EXPECT_EQ(first["params"], (json{{"lr", 0.4}}));
  EXPECT_EQ(first["state"], "complete");
  EXPECT_EQ(first["epochs_done"], 4);
  EXPECT_DOUBLE_EQ(first["value"].get<double>(), 1.6);
  EXPECT_EQ(first["values"].size(), 4u);
  EXPECT_TRUE(first["pruned_at_epoch"].is_null());
  EXPECT_TRUE(first["error"].is_null());
  const json& pruned = sweep["trials"][2];
  EXPECT_EQ(pruned["state"], "pruned");
  EXPECT_EQ(pruned["pruned_at_epoch"], 2);
  EXPECT_EQ(pruned["epochs_done"], 2);
  EXPECT_DOUBLE_EQ(pruned["value"].get<double>(), 0.4);
  EXPECT_EQ(sweep["best_trial"], 0);
  EXPECT_DOUBLE_EQ(sweep["best_value"].get<double>(), 1.6);
  EXPECT_EQ(sweep["best_params"], (json{{"lr", 0.4}}));
  EXPECT_NE(out.str().find("Trial 2/4 lr=0.2: pruned"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Best trial 0"), std::string::npos) << out.str();
}

TEST_F(Sweep, WithoutPruningEveryTrialTrainsFully) {
  SweepSettings s = settings();
  s.pruner = "none";
  FakeTraining training;
  std::ostringstream out;
  ASSERT_EQ(run_sweep(s, std::ref(training), out), 0);
  for (const auto& [lr, epochs] : training.trained) EXPECT_EQ(epochs, 4) << lr;
}

TEST_F(Sweep, MinimizingALossPrunesTheHigherOnes) {
  SweepSettings s = settings();
  s.metric = "loss";
  // loss = 1 / epoch in every trial: ties with the median, nothing is pruned; the best is the
  // first of the equal ones.
  FakeTraining training;
  std::ostringstream out;
  ASSERT_EQ(run_sweep(s, std::ref(training), out), 0);
  EXPECT_EQ(sweep_file()["direction"], "minimize");
  EXPECT_EQ(training.trained.size(), 4u);
  for (const auto& [lr, epochs] : training.trained) EXPECT_EQ(epochs, 4) << lr;
  EXPECT_EQ(sweep_file()["best_trial"], 0);
}

TEST_F(Sweep, AFailingTrialIsRecordedAndTheSweepGoesOn) {
  FakeTraining training;
  auto failing = [&](const TrainConfig& config, const AfterEpoch& after_epoch) {
    if (config.lr == 0.3) throw minitorch::Error("the loss is nan");
    training(config, after_epoch);
  };
  std::ostringstream out;
  ASSERT_EQ(run_sweep(settings(), failing, out), 0);
  const json sweep = sweep_file();
  EXPECT_EQ(sweep["trials"][1]["state"], "failed");
  EXPECT_EQ(sweep["trials"][1]["error"], "the loss is nan");
  // Trial 2 (lr 0.2) is compared with trial 0 alone then, which is not enough to prune; trial 3
  // with trials 0 and 2.
  EXPECT_EQ(sweep["trials"][2]["state"], "complete");
  EXPECT_EQ(sweep["trials"][3]["state"], "pruned");
  EXPECT_NE(out.str().find("failed (the loss is nan)"), std::string::npos) << out.str();

  // Every trial failing is a failed sweep.
  SweepSettings again = settings();
  again.sweep_dir = dir_ / "all-failed";
  auto always = [](const TrainConfig&, const AfterEpoch&) { throw minitorch::Error("no data"); };
  EXPECT_EQ(run_sweep(again, always, out), 1);
}

TEST_F(Sweep, AMetricTheRecordsLackFailsTheTrialNamingTheOnesThere) {
  SweepSettings s = settings();
  s.metric = "val_accuracy";
  FakeTraining training;
  std::ostringstream out;
  EXPECT_EQ(run_sweep(s, std::ref(training), out), 1);
  const std::string error = sweep_file()["trials"][0]["error"];
  EXPECT_NE(error.find("no metric 'val_accuracy'"), std::string::npos) << error;
  EXPECT_NE(error.find("loss, train_accuracy"), std::string::npos) << error;
}

TEST_F(Sweep, AMetricTheRecordsLackStopsTheSweepAtTheFirstTrial) {
  SweepSettings s = settings();
  s.metric = "val_accuracy";
  FakeTraining training;
  int started = 0;
  auto counting = [&](const TrainConfig& config, const AfterEpoch& after_epoch) {
    ++started;
    training(config, after_epoch);
  };
  std::ostringstream out;
  EXPECT_EQ(run_sweep(s, counting, out), 1);
  EXPECT_EQ(started, 1);
  EXPECT_EQ(sweep_file()["trials"].size(), 1u);
  EXPECT_NE(out.str().find("stopped"), std::string::npos) << out.str();
}

TEST_F(Sweep, APrunedTrialIsRecordedOnlyOnceItsTrainingHasReturned) {
  SweepSettings s = settings();
  s.params = {parse_param("lr=choice:0.4,0.1")};
  s.pruning.warmup_trials = 1;
  FakeTraining training;
  std::ostringstream out;
  std::vector<std::string> states_when_stopped;
  auto watching = [&](const TrainConfig& config, const AfterEpoch& after_epoch) {
    training(config, [&](const json& record) {
      const bool go_on = after_epoch(record);
      if (!go_on) states_when_stopped.push_back(sweep_file()["trials"].back()["state"]);
      return go_on;
    });
  };
  ASSERT_EQ(run_sweep(s, watching, out), 0);
  ASSERT_EQ(states_when_stopped, std::vector<std::string>{"running"});
  EXPECT_EQ(sweep_file()["trials"][1]["state"], "pruned");
  EXPECT_EQ(sweep_file()["trials"][1]["pruned_at_epoch"], 2);
}

TEST_F(Sweep, EachTrialIsFinishedAfterItsParamsAreSetAndKeepsThem) {
  SweepSettings s = settings();
  s.pruner = "none";
  std::vector<std::string> optimizers_seen;
  s.finish_trial = [&](TrainConfig& config) {
    optimizers_seen.push_back(config.optimizer);
    config.epochs = 2;
    config.lr = 99.0;  // a swept parameter: set again after
    config.momentum = config.optimizer == "sgd" ? 0.5 : 0.0;
  };
  s.params.push_back(parse_param("optimizer=choice:sgd,adam"));
  std::vector<std::tuple<double, int, double>> seen;
  auto recording = [&](const TrainConfig& config, const AfterEpoch&) {
    seen.emplace_back(config.lr, config.epochs, config.momentum);
  };
  std::ostringstream out;
  s.trials = 2;
  ASSERT_EQ(run_sweep(s, recording, out), 0);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(optimizers_seen, (std::vector<std::string>{"sgd", "adam"}));
  EXPECT_EQ(seen[0], std::make_tuple(0.4, 2, 0.5));
  EXPECT_EQ(seen[1], std::make_tuple(0.4, 2, 0.0));
}

TEST_F(Sweep, ATrialWhoseFinishingThrowsFails) {
  SweepSettings s = settings();
  s.finish_trial = [](TrainConfig& config) {
    if (config.lr < 0.25) throw minitorch::Error("--momentum does not apply");
  };
  FakeTraining training;
  std::ostringstream out;
  ASSERT_EQ(run_sweep(s, std::ref(training), out), 0);
  EXPECT_EQ(sweep_file()["trials"][3]["state"], "failed");
  EXPECT_EQ(sweep_file()["trials"][3]["error"], "--momentum does not apply");
}

struct Interrupted {};

TEST_F(Sweep, ResumeRedoesTheInterruptedTrialWithTheSameParams) {
  SweepSettings s = settings();
  s.sampler = "random";
  s.params = {parse_param("lr=uniform:0.1:0.5")};
  s.trials = 4;
  s.pruner = "none";
  FakeTraining whole;
  std::ostringstream out;
  SweepSettings reference = s;
  reference.sweep_dir = dir_ / "whole";
  ASSERT_EQ(run_sweep(reference, std::ref(whole), out), 0);

  FakeTraining first;
  auto interrupted = [&](const TrainConfig& config, const AfterEpoch& after_epoch) {
    if (first.trained.size() == 2) {
      std::ofstream(fs::path(config.run_dir) / "metrics.jsonl") << "{\"epoch\": 1}\n";
      after_epoch({{"epoch", 1}, {"train_accuracy", 0.5}});
      throw Interrupted{};  // as a kill: nothing after it runs
    }
    first(config, after_epoch);
  };
  EXPECT_THROW(run_sweep(s, interrupted, out), Interrupted);
  json sweep = sweep_file();
  ASSERT_EQ(sweep["trials"].size(), 3u);
  EXPECT_EQ(sweep["trials"][2]["state"], "running");
  // Its epochs are saved at most every half second: none, or the one it trained.
  EXPECT_LE(sweep["trials"][2]["epochs_done"], 1);

  SweepSettings resumed = s;
  resumed.resume = true;
  FakeTraining rest;  // checks that the interrupted trial's directory was cleared
  ASSERT_EQ(run_sweep(resumed, std::ref(rest), out), 0);
  ASSERT_EQ(rest.trained.size(), 2u);
  EXPECT_EQ(rest.trained[0], whole.trained[2]);
  EXPECT_EQ(rest.trained[1], whole.trained[3]);
  sweep = sweep_file();
  std::ifstream in(dir_ / "whole" / "sweep.json");
  EXPECT_EQ(sweep["trials"], json::parse(in)["trials"]);

  // --trials may grow: the new trials are the ones a longer sweep would have drawn.
  resumed.trials = 5;
  FakeTraining more;
  ASSERT_EQ(run_sweep(resumed, std::ref(more), out), 0);
  ASSERT_EQ(more.trained.size(), 1u);
  EXPECT_EQ(sweep_file()["trials_requested"], 5);
  EXPECT_EQ(sweep_file()["trials"][4]["params"],
            json({{"lr", minitorch::app::random_params(s.params, 0, 4)["lr"]}}));
}

TEST_F(Sweep, ResumeRefusesAnotherSweepNamingTheDifference) {
  FakeTraining training;
  std::ostringstream out;
  ASSERT_EQ(run_sweep(settings(), std::ref(training), out), 0);
  const auto error_of = [&](SweepSettings s) -> std::string {
    s.resume = true;
    try {
      run_sweep(s, std::ref(training), out);
    } catch (const minitorch::Error& e) {
      return e.what();
    }
    return "no error";
  };
  SweepSettings other_lr = settings();
  other_lr.params = {parse_param("lr=choice:0.4,0.3")};
  EXPECT_NE(error_of(other_lr).find("params: sweep.json has"), std::string::npos)
      << error_of(other_lr);
  SweepSettings other_epochs = settings();
  other_epochs.base.epochs = 5;
  EXPECT_NE(error_of(other_epochs).find("setting epochs: sweep.json has 4, the flags give 5"),
            std::string::npos)
      << error_of(other_epochs);
  SweepSettings fewer = settings();
  fewer.trials = 2;
  EXPECT_NE(error_of(fewer).find("--trials may only grow"), std::string::npos) << error_of(fewer);
  // Resuming the same sweep when every trial is done trains nothing; the thread count may change.
  const auto trained = training.trained.size();
  SweepSettings more_threads = settings();
  more_threads.base.threads = 2;
  EXPECT_EQ(error_of(more_threads), "no error");
  EXPECT_EQ(training.trained.size(), trained);
  EXPECT_EQ(sweep_file()["base_config"]["threads"], 2);
}

TEST_F(Sweep, ASweepRecordedBeforeWorldSizeExistedStillResumes) {
  SweepSettings s = settings();
  s.base.task = "fashion-mnist";
  s.base.model = "lenet";
  s.metric = "train_accuracy";  // what the fake training records
  FakeTraining training;
  std::ostringstream out;
  ASSERT_EQ(run_sweep(s, std::ref(training), out), 0);
  json sweep = sweep_file();
  ASSERT_EQ(sweep["base_config"]["world_size"], 1);
  sweep["base_config"].erase("world_size");
  std::ofstream(dir_ / "sweep" / "sweep.json") << sweep.dump();
  s.resume = true;
  EXPECT_EQ(run_sweep(s, std::ref(training), out), 0);
  // A setting it did record still has to match.
  s.base.world_size = 2;
  EXPECT_THROW(run_sweep(s, std::ref(training), out), minitorch::Error);
}

TEST_F(Sweep, ANewSweepNeedsAnEmptyDirectoryAndResumeASweep) {
  FakeTraining training;
  std::ostringstream out;
  ASSERT_EQ(run_sweep(settings(), std::ref(training), out), 0);
  try {
    run_sweep(settings(), std::ref(training), out);
    FAIL() << "a second sweep into the same directory";
  } catch (const minitorch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("continue it with --resume"), std::string::npos)
        << e.what();
  }
  SweepSettings nothing = settings();
  nothing.sweep_dir = dir_ / "empty";
  nothing.resume = true;
  try {
    run_sweep(nothing, std::ref(training), out);
    FAIL() << "resumed a sweep that never started";
  } catch (const minitorch::Error& e) {
    EXPECT_NE(std::string(e.what()).find("sweep.json is missing"), std::string::npos) << e.what();
  }
}

}  // namespace
