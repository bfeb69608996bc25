// The library's full training checkpoint: model, optimizer, schedule, generators and epoch.
#include <gtest/gtest.h>

#include "minitorch/core/error.h"
#include "minitorch/nn/linear.h"
#include "minitorch/optim/adam.h"
#include "minitorch/optim/schedulers.h"
#include "minitorch/tensor/creation.h"
#include "minitorch/train/checkpoint.h"
#include "temp_dir.h"

namespace {

using minitorch::Tensor;
namespace optim = minitorch::optim;
namespace train = minitorch::train;

// A layer, Adam and a step schedule after two steps on a fixed batch.
struct TrainingRun {
  minitorch::nn::Linear layer{3, 2};
  optim::Adam<Tensor> adam{layer.parameters(), {.lr = 0.1}};
  optim::StepLR<Tensor> schedule{adam, 1, 0.5};

  void step() {
    adam.zero_grad();
    layer.forward(minitorch::ones({4, 3})).sum().backward();
    adam.step();
    schedule.step();
  }
  train::TrainState state(int epoch) {
    return {.model = &layer,
            .optimizer = &adam,
            .schedule = &schedule,
            .epoch = epoch,
            .generators = {{"run_generator", {1, 2, 3, 4}}}};
  }
};

TEST(TrainCheckpoint, ResumesTheVeryState) {
  minitorch::testing::TempDir dir;
  const auto path = dir.path() / "checkpoint.safetensors";
  TrainingRun original;
  original.step();
  original.step();
  train::save_checkpoint(path, original.state(2), {{"task", "demo"}});

  TrainingRun resumed;
  train::TrainState state = resumed.state(0);
  state.generators["run_generator"] = {};
  const auto metadata = train::load_checkpoint(path, state);
  EXPECT_EQ(metadata.at("task"), "demo");
  EXPECT_EQ(state.epoch, 2);
  EXPECT_EQ(state.generators.at("run_generator"), (minitorch::Generator::State{1, 2, 3, 4}));
  EXPECT_DOUBLE_EQ(resumed.adam.lr(), original.adam.lr());
  original.step();
  resumed.step();
  EXPECT_EQ(resumed.layer.weight.to_vector(), original.layer.weight.to_vector());
}

TEST(TrainCheckpoint, TheCallersCheckRunsBeforeAnythingLoads) {
  minitorch::testing::TempDir dir;
  const auto path = dir.path() / "checkpoint.safetensors";
  TrainingRun original;
  original.step();
  train::save_checkpoint(path, original.state(1), {{"task", "demo"}});
  TrainingRun other;
  const auto before = other.layer.weight.to_vector();
  train::TrainState state = other.state(0);
  EXPECT_THROW(train::load_checkpoint(
                   path, state,
                   [](const train::CheckpointMetadata&) { throw minitorch::Error("another run"); }),
               minitorch::Error);
  EXPECT_EQ(other.layer.weight.to_vector(), before);
  state.generators["missing_generator"] = {};
  EXPECT_THROW(train::load_checkpoint(path, state), minitorch::Error);
  EXPECT_EQ(other.layer.weight.to_vector(), before);
}

}  // namespace
