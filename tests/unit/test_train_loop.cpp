// The training loop of train/: its metrics records, progress bar and fit over a task.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/train/accuracy.h"
#include "minitorch/train/loop.h"
#include "temp_dir.h"

namespace {

using minitorch::train::fit;
using minitorch::train::FitHooks;
using minitorch::train::MetricsRecord;
using minitorch::train::Progress;
using minitorch::train::ProgressLine;
using minitorch::train::StepCallback;
using minitorch::train::StepResult;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Five batches of two samples per epoch; the loss of a step is its global number, one sample of
// each batch right. `bad_step` makes that step's loss NaN.
class CountingTask : public minitorch::train::Task {
 public:
  long samples_per_epoch() const override { return 10; }
  long steps_per_epoch() const override { return 5; }
  void train_epoch(const StepCallback& step_done) override {
    for (int i = 0; i < 5; ++i) {
      ++steps;
      const double loss = steps == bad_step ? std::nan("") : double(steps);
      step_done({loss, 2, 1});
    }
  }
  std::optional<double> lr() const override { return lr_now; }
  void end_epoch() override { lr_now /= 2; }
  std::vector<std::pair<std::string, double>> evaluate() override {
    return {{"test_accuracy", 0.75}};
  }

  long steps = 0;
  long bad_step = -1;
  double lr_now = 0.1;
};

std::vector<MetricsRecord> run_fit(CountingTask& task, int first_epoch, int epochs, long log_every,
                                   std::string* output = nullptr) {
  std::ostringstream out;
  Progress progress(out, false, epochs);
  std::vector<MetricsRecord> records;
  FitHooks hooks;
  hooks.diverged = [](int epoch, const std::string& what) {
    throw minitorch::Error("diverged in epoch " + std::to_string(epoch) + ": " + what);
  };
  hooks.commit_epoch = [&](const std::vector<MetricsRecord>& epoch_records) {
    records.insert(records.end(), epoch_records.begin(), epoch_records.end());
  };
  fit(task, {.first_epoch = first_epoch, .epochs = epochs, .log_every = log_every}, progress,
      hooks);
  if (output != nullptr) *output = out.str();
  return records;
}

TEST(TrainLoop, OneEpochRecordPerEpochWithoutALoggingInterval) {
  CountingTask task;
  std::string output;
  const auto records = run_fit(task, 1, 2, 0, &output);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_TRUE(records[1].is_epoch());
  EXPECT_EQ(records[1].epoch, 2);
  EXPECT_EQ(records[1].step, 10);
  EXPECT_DOUBLE_EQ(records[1].loss, 8.0);  // steps 6..10
  EXPECT_EQ(records[1].correct, 5);
  EXPECT_EQ(records[1].total, 10);
  EXPECT_DOUBLE_EQ(records[1].train_accuracy, 0.5);
  EXPECT_DOUBLE_EQ(*records[0].lr, 0.1);  // the rate the epoch ran with, before end_epoch
  EXPECT_DOUBLE_EQ(*records[1].lr, 0.05);
  EXPECT_EQ(records[1].evaluated("test_accuracy"), 0.75);
  EXPECT_TRUE(contains(output, "epoch 2/2 [====================] 10/10  loss 8.0000  acc 50.00%"))
      << output;
  EXPECT_TRUE(contains(output, "  test 75.00%\n")) << output;
}

TEST(TrainLoop, StepRecordsEveryNStepsBeforeTheirEpochRecord) {
  CountingTask task;
  const auto records = run_fit(task, 1, 2, 2);
  // Steps 2, 4 in epoch 1; 6, 8, 10 in epoch 2; then each epoch's record.
  std::vector<std::pair<long, int>> steps;
  std::vector<bool> kinds;
  for (const auto& r : records) {
    steps.emplace_back(r.step, r.epoch);
    kinds.push_back(r.is_epoch());
  }
  EXPECT_EQ(steps, (std::vector<std::pair<long, int>>{
                       {2, 1}, {4, 1}, {5, 1}, {6, 2}, {8, 2}, {10, 2}, {10, 2}}));
  EXPECT_EQ(kinds, (std::vector<bool>{false, false, true, false, false, false, true}));
  EXPECT_DOUBLE_EQ(records[0].loss, 1.5);  // steps 1 and 2
  EXPECT_DOUBLE_EQ(records[3].loss, 6.0);  // step 6 alone: a record covers its own epoch
  EXPECT_EQ(records[3].total, 2);
}

TEST(TrainLoop, AResumedRunContinuesTheStepNumbers) {
  CountingTask task;
  const auto records = run_fit(task, 3, 4, 5);
  ASSERT_EQ(records.size(), 4u);
  EXPECT_EQ(records.front().epoch, 3);
  EXPECT_EQ(records.front().step, 15);
  EXPECT_EQ(records.back().step, 20);
}

TEST(TrainLoop, ANonFiniteLossStopsTheEpochUncommitted) {
  CountingTask task;
  task.bad_step = 8;
  std::vector<MetricsRecord> committed;
  Progress progress(std::cerr, false, 3);
  FitHooks hooks;
  hooks.diverged = [](int epoch, const std::string& what) {
    throw minitorch::Error("diverged in epoch " + std::to_string(epoch) + ": " + what);
  };
  hooks.commit_epoch = [&](const std::vector<MetricsRecord>& r) {
    committed.insert(committed.end(), r.begin(), r.end());
  };
  try {
    fit(task, {.first_epoch = 1, .epochs = 3, .log_every = 0}, progress, hooks);
    FAIL() << "expected the run to stop";
  } catch (const minitorch::Error& e) {
    EXPECT_TRUE(contains(e.what(), "diverged in epoch 2: at step 3 of 5 the loss is nan"))
        << e.what();
  }
  EXPECT_EQ(committed.size(), 1u);
}

TEST(MetricsRecord, RoundTripsThroughItsLine) {
  MetricsRecord r;
  r.kind = MetricsRecord::Kind::Step;
  r.step = 7;
  r.epoch = 2;
  r.loss = 0.25;
  r.correct = 3;
  r.total = 4;
  r.train_accuracy = 0.75;
  r.samples_per_second = 100;
  r.lr = 0.01;
  const std::string line = r.to_json_line();
  const MetricsRecord back = MetricsRecord::parse(line, "m.jsonl", 1);
  EXPECT_FALSE(back.is_epoch());
  EXPECT_EQ(back.step, 7);
  EXPECT_EQ(back.epoch, 2);
  EXPECT_EQ(back.to_json_line(), line);
  EXPECT_FALSE(contains(line, "epoch_seconds"));
}

TEST(MetricsRecord, ReadsTheRecordsOfEarlierVersions) {
  const MetricsRecord r = MetricsRecord::parse(
      R"({"epoch":3,"loss":0.5,"train_accuracy":0.8,"test_accuracy":0.7,"epoch_seconds":1.5,)"
      R"("samples_per_second":10,"lr":0.001})",
      "m.jsonl", 3);
  EXPECT_TRUE(r.is_epoch());
  EXPECT_EQ(r.epoch, 3);
  EXPECT_EQ(r.evaluated("test_accuracy"), 0.7);
  try {
    MetricsRecord::parse(R"({"epoch":1,"loss":null})", "m.jsonl", 4);
    FAIL();
  } catch (const minitorch::Error& e) {
    EXPECT_TRUE(contains(e.what(), "m.jsonl: line 4 is not a metrics record: 'loss' is null"))
        << e.what();
  }
}

TEST(MetricsRecord, CommittedRecordsEndWithTheLastCommittedEpoch) {
  minitorch::testing::TempDir dir;
  CountingTask task;
  const auto records = run_fit(task, 1, 3, 2);
  const auto path = dir.path() / "metrics.jsonl";
  std::ofstream(path) << minitorch::train::metrics_text(records) << "{\"epoch\": 4, \"lo";
  const auto two = minitorch::train::read_committed_metrics(path, 2);
  ASSERT_FALSE(two.empty());
  EXPECT_TRUE(two.back().is_epoch());
  EXPECT_EQ(two.back().epoch, 2);
  EXPECT_EQ(minitorch::train::epoch_records(two).size(), 2u);
  EXPECT_THROW(minitorch::train::read_committed_metrics(path, 4), minitorch::Error);
  const std::string summary = minitorch::train::summary_json(two);
  EXPECT_TRUE(contains(summary, "\"epochs\":2")) << summary;
  EXPECT_TRUE(contains(summary, "\"final_loss\":8.0")) << summary;
  EXPECT_TRUE(contains(summary, "\"test_accuracy\":0.75")) << summary;
}

TEST(Progress, FinishedLineShowsEveryFigure) {
  const std::string line =
      Progress::format_line({120, 500, 50, 50, 0.23456, 48, 0.0125, true, 4.75});
  EXPECT_TRUE(contains(line, "epoch 120/500 [====================] 50/50")) << line;
  EXPECT_TRUE(contains(line, "loss 0.2346  acc 96.00%")) << line;
  EXPECT_TRUE(contains(line, "4000 samples/s")) << line;
  EXPECT_TRUE(contains(line, "0.0s  ETA 4.8s")) << line;
  const std::string mid = Progress::format_line({1, 3, 25, 100, 1.0, 5, 1.0, false, 0.0});
  EXPECT_TRUE(contains(mid, "[=====>")) << mid;
  EXPECT_TRUE(contains(mid, "25 samples/s  ETA 3.0s")) << mid;
}

TEST(Progress, Durations) {
  EXPECT_EQ(Progress::format_duration(3.21), "3.2s");
  EXPECT_EQ(Progress::format_duration(125), "2m05s");
  EXPECT_EQ(Progress::format_duration(7260), "2h01m");
  EXPECT_EQ(Progress::format_duration(-1), "?");
}

TEST(Progress, PlainOutputKeepsATenthOfTheEpochs) {
  std::ostringstream out;
  Progress progress(out, /*interactive=*/false, 500);
  for (int epoch = 1; epoch <= 500; ++epoch) {
    progress.start_epoch(epoch, 2);
    progress.update(2, 1.0, 1);
    progress.finish_epoch(1.0, 1);
  }
  const std::string text = out.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11);  // epoch 1, every 50th (incl. 500)
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_TRUE(contains(text, "epoch 500/500"));
  EXPECT_TRUE(contains(text, "ETA 0.0s"));
}

TEST(Progress, PlainOutputPrintsNothingWithinAnEpoch) {
  std::ostringstream out;
  Progress progress(out, false, 15);
  progress.start_epoch(2, 100);
  progress.update(50, 0.5, 40);
  EXPECT_EQ(out.str(), "");
  progress.update(100, 0.25, 90);
  progress.finish_epoch(0.25, 90, "  test 91.00%");
  const std::string line = out.str();
  EXPECT_TRUE(contains(line, "epoch  2/15 [====================] 100/100")) << line;
  EXPECT_TRUE(contains(line, "loss 0.2500  acc 90.00%")) << line;
  EXPECT_TRUE(contains(line, "test 91.00%\n")) << line;
}

TEST(Progress, InteractiveOutputRedrawsOneLine) {
  std::ostringstream out;
  Progress progress(out, /*interactive=*/true, 30);
  for (int epoch = 1; epoch <= 30; ++epoch) {
    progress.start_epoch(epoch, 2);
    progress.finish_epoch(1.0, 1);
  }
  const std::string text = out.str();
  EXPECT_EQ(text.front(), '\r');
  // Kept: epoch 1, every third, which includes the last.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 11);
  EXPECT_TRUE(contains(text, "epoch 30/30"));
}

TEST(Accuracy, CountsArgmaxAndBinaryPredictions) {
  const auto logits = minitorch::from_vector({0.1, 0.9, 2.0, -1.0, 0.0, 3.0}, {3, 2});
  const auto labels = minitorch::from_vector({1.0, 0.0, 0.0}, {3});
  EXPECT_EQ(minitorch::train::count_correct(logits, labels), 2);
  const auto p = minitorch::from_vector({0.2, 0.7, 0.9}, {3});
  EXPECT_EQ(minitorch::train::count_correct_binary(p, minitorch::from_vector({0.0, 1.0, 0.0}, {3})),
            2);
}

}  // namespace

namespace {

// after_epoch sees each committed epoch's record; false ends fit there, after the commit.
TEST(TrainLoop, AfterEpochFalseStopsAfterThatCommittedEpoch) {
  CountingTask task;
  std::ostringstream out;
  Progress progress(out, false, 5);
  std::vector<int> committed, seen;
  FitHooks hooks;
  hooks.commit_epoch = [&](const std::vector<MetricsRecord>& r) {
    committed.push_back(r.back().epoch);
  };
  hooks.after_epoch = [&](const MetricsRecord& record) {
    EXPECT_TRUE(record.is_epoch());
    EXPECT_EQ(record.evaluated("test_accuracy"), 0.75);
    seen.push_back(record.epoch);
    return record.epoch < 2;
  };
  fit(task, {.first_epoch = 1, .epochs = 5, .log_every = 2}, progress, hooks);
  EXPECT_EQ(committed, (std::vector<int>{1, 2}));
  EXPECT_EQ(seen, (std::vector<int>{1, 2}));
  EXPECT_EQ(task.steps, 10);
}

}  // namespace
