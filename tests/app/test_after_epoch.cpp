// The training loop's after_epoch hook (after_epoch.h), as a 2-D run takes it: false stops the run
// after that committed epoch, and the run directory is that of a run of that many epochs.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "app/checkpoint.h"
#include "app/run_directory.h"
#include "app/tensor_classifier.h"
#include "app/train_2d.h"

namespace {

namespace fs = std::filesystem;
using minitorch::app::RunDirectory;
using minitorch::app::TrainConfig;
using nlohmann::json;

class AfterEpoch : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("minitorch-after-epoch-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    config_.epochs = 10;
    config_.hidden = 4;
    config_.points = 20;
  }
  void TearDown() override {
    if (!HasFailure()) fs::remove_all(dir_);
  }

  json train(const minitorch::app::AfterEpoch& after_epoch) {
    const auto data = minitorch::data::make_dataset("xor", config_.points, 0);
    minitorch::Generator generator(0);
    minitorch::app::TensorClassifier2D model(config_.hidden, config_.lr, generator);
    const RunDirectory run = RunDirectory::open(dir_);
    return minitorch::app::train_2d(config_, data, model, generator, run, after_epoch);
  }

  std::vector<json> metrics() const {
    std::vector<json> out;
    std::ifstream in(dir_ / "metrics.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(json::parse(line));
    return out;
  }

  fs::path dir_;
  TrainConfig config_;
};

TEST_F(AfterEpoch, FalseStopsAfterThatCommittedEpoch) {
  std::vector<json> seen;
  const json summary = train([&](const json& record) {
    seen.push_back(record);
    return record["epoch"] != 3;
  });
  ASSERT_EQ(seen.size(), 3u);
  for (int e = 0; e < 3; ++e) {
    EXPECT_EQ(seen[e]["epoch"], e + 1);
    EXPECT_EQ(seen[e]["kind"], "epoch");
    EXPECT_TRUE(seen[e].contains("train_accuracy"));
  }
  const std::vector<json> records = metrics();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records.back(), seen.back());
  EXPECT_EQ(summary["epochs"], 3);
  std::ifstream in(dir_ / "summary.json");
  EXPECT_EQ(json::parse(in)["epochs"], 3);
  EXPECT_EQ(minitorch::app::load_saved_model(dir_).card.epoch, 3);
  EXPECT_TRUE(fs::exists(dir_ / "loss.svg"));
}

TEST_F(AfterEpoch, TrueOrUnsetTrainsEveryEpoch) {
  int calls = 0;
  train([&](const json&) { return ++calls > 0; });
  EXPECT_EQ(calls, 10);
  EXPECT_EQ(metrics().size(), 10u);
  fs::remove_all(dir_);
  train({});
  EXPECT_EQ(metrics().size(), 10u);
  EXPECT_EQ(minitorch::app::load_saved_model(dir_).card.epoch, 10);
}

}  // namespace
