#include "error_helpers.h"
#include "minitorch/data/data_loader.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace data = minitorch::data;
using minitorch::Tensor;

namespace {

// Sample i has inputs (i, 10 i, 100 i) and target i, so a batch shows which rows it gathered.
struct Samples {
  Tensor inputs;
  Tensor targets;
};

Samples make_samples(std::int64_t n, minitorch::Dtype dtype = minitorch::kFloat32) {
  std::vector<double> inputs, targets;
  for (std::int64_t i = 0; i < n; ++i) {
    inputs.insert(inputs.end(), {double(i), 10.0 * i, 100.0 * i});
    targets.push_back(double(i));
  }
  return {minitorch::from_vector(inputs, {n, 3}, {.dtype = dtype}),
          minitorch::from_vector(targets, {n}, {.dtype = dtype})};
}

data::DataLoader make_loader(std::int64_t n, data::DataLoaderOptions options) {
  const Samples samples = make_samples(n);
  return data::DataLoader(samples.inputs, samples.targets, options);
}

// The targets of each batch of one epoch, checking on the way that inputs match their targets.
std::vector<std::vector<double>> run_epoch(data::DataLoader& loader) {
  std::vector<std::vector<double>> batches;
  loader.for_each_batch([&](const data::Batch& batch) {
    const std::vector<double> targets = batch.targets.to_vector();
    const std::vector<double> inputs = batch.inputs.to_vector();
    EXPECT_EQ(batch.inputs.shape(), (minitorch::Shape{std::int64_t(targets.size()), 3}));
    for (std::size_t r = 0; r < targets.size(); ++r) {
      EXPECT_EQ(inputs[3 * r], targets[r]);
      EXPECT_EQ(inputs[3 * r + 2], 100.0 * targets[r]);
    }
    batches.push_back(targets);
  });
  return batches;
}

std::vector<double> flatten(const std::vector<std::vector<double>>& batches) {
  std::vector<double> all;
  for (const auto& batch : batches) all.insert(all.end(), batch.begin(), batch.end());
  return all;
}

std::vector<std::size_t> sizes(const std::vector<std::vector<double>>& batches) {
  std::vector<std::size_t> out;
  for (const auto& batch : batches) out.push_back(batch.size());
  return out;
}

std::vector<double> iota(std::int64_t n) {
  std::vector<double> values(static_cast<std::size_t>(n));
  std::iota(values.begin(), values.end(), 0.0);
  return values;
}

using minitorch::testing::error_of;

}  // namespace

TEST(DataLoader, CountsAndSizesBatches) {
  for (const bool prefetch : {false, true}) {
    auto loader = make_loader(10, {.batch_size = 4, .prefetch = prefetch});
    EXPECT_EQ(loader.num_samples(), 10);
    EXPECT_EQ(loader.size(), 3);
    EXPECT_EQ(sizes(run_epoch(loader)), (std::vector<std::size_t>{4, 4, 2}));

    auto dropping = make_loader(10, {.batch_size = 4, .drop_last = true, .prefetch = prefetch});
    EXPECT_EQ(dropping.size(), 2);
    EXPECT_EQ(sizes(run_epoch(dropping)), (std::vector<std::size_t>{4, 4}));
  }
  EXPECT_EQ(make_loader(10, {.batch_size = 5, .drop_last = true}).size(), 2);
  EXPECT_EQ(make_loader(3, {.batch_size = 8}).size(), 1);
  EXPECT_EQ(make_loader(3, {.batch_size = 8, .drop_last = true}).size(), 0);
}

TEST(DataLoader, VisitsEverySampleOncePerEpoch) {
  auto loader = make_loader(100, {.batch_size = 7, .seed = 3});
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::vector<double> seen = flatten(run_epoch(loader));
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, iota(100)) << "epoch " << epoch;
  }
}

TEST(DataLoader, ShufflesEachEpochDifferently) {
  auto loader = make_loader(50, {.batch_size = 8, .seed = 1});
  const std::vector<double> first = flatten(run_epoch(loader));
  const std::vector<double> second = flatten(run_epoch(loader));
  EXPECT_NE(first, iota(50));
  EXPECT_NE(first, second);
}

TEST(DataLoader, SameSeedGivesSameEpochs) {
  auto a = make_loader(40, {.batch_size = 6, .seed = 7});
  auto b = make_loader(40, {.batch_size = 6, .seed = 7});
  auto other = make_loader(40, {.batch_size = 6, .seed = 8});
  for (int epoch = 0; epoch < 3; ++epoch) {
    const auto from_a = run_epoch(a);
    EXPECT_EQ(from_a, run_epoch(b)) << "epoch " << epoch;
    EXPECT_NE(from_a, run_epoch(other)) << "epoch " << epoch;
  }
}

TEST(DataLoader, WithoutShuffleKeepsTheOrder) {
  auto loader = make_loader(11, {.batch_size = 3, .shuffle = false});
  for (int epoch = 0; epoch < 2; ++epoch) {
    const auto batches = run_epoch(loader);
    EXPECT_EQ(flatten(batches), iota(11));
    EXPECT_EQ(batches.front(), (std::vector<double>{0, 1, 2}));
  }
}

TEST(DataLoader, NormalisesInputsOnly) {
  const Samples samples = make_samples(4);
  data::DataLoader loader(
      samples.inputs, samples.targets,
      {.batch_size = 4, .shuffle = false, .normalize_mean = 2.0, .normalize_std = 4.0});
  int calls = 0;
  loader.for_each_batch([&](const data::Batch& batch) {
    ++calls;
    const std::vector<double> inputs = batch.inputs.to_vector();
    const std::vector<double> raw = samples.inputs.to_vector();
    ASSERT_EQ(inputs.size(), raw.size());
    for (std::size_t k = 0; k < raw.size(); ++k) EXPECT_FLOAT_EQ(inputs[k], (raw[k] - 2.0) / 4.0);
    EXPECT_EQ(batch.targets.to_vector(), iota(4));
  });
  EXPECT_EQ(calls, 1);
}

TEST(DataLoader, PrefetchGivesTheSameBatches) {
  for (const auto dtype : {minitorch::kFloat32, minitorch::kFloat64}) {
    const Samples samples = make_samples(1000, dtype);
    const data::DataLoaderOptions options{.batch_size = 3, .seed = 11, .normalize_mean = 0.5};
    data::DataLoaderOptions eager_options = options;
    eager_options.prefetch = false;
    data::DataLoader eager(samples.inputs, samples.targets, eager_options);
    data::DataLoader background(samples.inputs, samples.targets, options);
    ASSERT_TRUE(background.options().prefetch);
    for (int epoch = 0; epoch < 2; ++epoch) {
      std::vector<std::vector<double>> from_eager, from_background;
      eager.for_each_batch([&](const data::Batch& b) {
        EXPECT_EQ(b.inputs.dtype(), dtype);
        from_eager.push_back(b.inputs.to_vector());
        from_eager.push_back(b.targets.to_vector());
      });
      background.for_each_batch([&](const data::Batch& b) {
        from_background.push_back(b.inputs.to_vector());
        from_background.push_back(b.targets.to_vector());
      });
      EXPECT_EQ(from_eager, from_background) << "epoch " << epoch;
    }
  }
}

TEST(DataLoader, ExceptionFromTheCallbackPropagatesAndTheLoaderStaysUsable) {
  for (const bool prefetch : {true, false}) {
    auto loader = make_loader(20, {.batch_size = 3, .prefetch = prefetch});
    for (const int failing : {0, 2, 6}) {  // the first, a middle and the last batch
      int calls = 0;
      EXPECT_THROW(loader.for_each_batch([&](const data::Batch&) {
        if (calls++ == failing) throw std::runtime_error("stop");
      }),
                   std::runtime_error);
      EXPECT_EQ(calls, failing + 1);
    }
    std::vector<double> seen = flatten(run_epoch(loader));
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(seen, iota(20)) << "prefetch " << prefetch;
  }
}

TEST(DataLoader, StateReproducesTheNextEpoch) {
  auto loader = make_loader(30, {.batch_size = 4, .seed = 5});
  run_epoch(loader);
  const minitorch::Generator::State saved = loader.state();
  const auto next = run_epoch(loader);
  const auto after = run_epoch(loader);
  loader.set_state(saved);
  EXPECT_EQ(run_epoch(loader), next);
  EXPECT_EQ(run_epoch(loader), after);

  auto resumed = make_loader(30, {.batch_size = 4, .seed = 99});
  resumed.set_state(saved);
  EXPECT_EQ(run_epoch(resumed), next);
}

TEST(DataLoader, BatchesAreDetachedCopiesOfAnyLayout) {
  // Columns of a [3, n] tensor: a non-contiguous source with requires_grad.
  const Samples samples = make_samples(5);
  const Tensor columns = samples.inputs.transpose(0, 1).contiguous().requires_grad_();
  data::DataLoader loader(columns.transpose(0, 1), samples.targets,
                          {.batch_size = 5, .shuffle = false});
  loader.for_each_batch([&](const data::Batch& batch) {
    EXPECT_FALSE(batch.inputs.requires_grad());
    EXPECT_TRUE(batch.inputs.is_contiguous());
    EXPECT_EQ(batch.inputs.to_vector(), samples.inputs.to_vector());
  });
}

TEST(DataLoader, EmptySetHasNoBatches) {
  auto loader = make_loader(0, {.batch_size = 4});
  EXPECT_EQ(loader.size(), 0);
  loader.for_each_batch([](const data::Batch&) { ADD_FAILURE() << "no batch expected"; });
}

TEST(DataLoader, RejectsInvalidArguments) {
  const Samples samples = make_samples(6);
  const Tensor five = minitorch::zeros({5});
  EXPECT_CONTAINS(
      error_of([&] { data::DataLoader(samples.inputs, five, {}); }),
      "inputs of shape [6, 3] and targets of shape [5] differ in their first dimension");
  EXPECT_CONTAINS(
      error_of([&] { data::DataLoader(samples.inputs, samples.targets, {.batch_size = 0}); }),
      "batch_size 0; expected at least 1");
  for (const double std : {0.0, -1.0, std::nan("")}) {
    EXPECT_CONTAINS(error_of([&] {
                      data::DataLoader(samples.inputs, samples.targets, {.normalize_std = std});
                    }),
                    "expected a finite number > 0");
  }
  EXPECT_CONTAINS(
      error_of([&] { data::DataLoader(minitorch::full({}, 1.0), samples.targets, {}); }),
      "inputs has no dimensions");
}
