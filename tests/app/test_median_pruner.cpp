#include "app/median_pruner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "minitorch/core/error.h"
#include "minitorch/train/metrics.h"

namespace {

using minitorch::app::Direction;
using minitorch::app::MedianPruner;
using minitorch::train::median;
using Curves = std::vector<std::vector<double>>;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(MedianPruner, MedianOfOddAndEvenCounts) {
  EXPECT_DOUBLE_EQ(median({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median({5}), 5);
  EXPECT_THROW(median({}), minitorch::Error);
}

// Three earlier trials; at epoch 2 their values are 0.5, 0.7, 0.6: the median is 0.6.
const Curves kEarlier{{0.4, 0.5, 0.6}, {0.5, 0.7, 0.8}, {0.45, 0.6, 0.7}};

TEST(MedianPruner, PrunesBelowTheMedianWhenMaximizing) {
  const MedianPruner pruner({.warmup_trials = 3, .warmup_epochs = 1}, Direction::Maximize);
  EXPECT_TRUE(pruner.should_prune(2, 0.59, kEarlier));
  EXPECT_FALSE(pruner.should_prune(2, 0.61, kEarlier));
  // Epoch 3: median of 0.6, 0.8, 0.7 = 0.7.
  EXPECT_TRUE(pruner.should_prune(3, 0.69, kEarlier));
  EXPECT_FALSE(pruner.should_prune(3, 0.75, kEarlier));
}

TEST(MedianPruner, ATieWithTheMedianIsKept) {
  const MedianPruner pruner({.warmup_trials = 3, .warmup_epochs = 1}, Direction::Maximize);
  EXPECT_FALSE(pruner.should_prune(2, 0.6, kEarlier));
  const MedianPruner minimizing({.warmup_trials = 3, .warmup_epochs = 1}, Direction::Minimize);
  EXPECT_FALSE(minimizing.should_prune(2, 0.6, kEarlier));
}

TEST(MedianPruner, PrunesAboveTheMedianWhenMinimizing) {
  const MedianPruner pruner({.warmup_trials = 3, .warmup_epochs = 1}, Direction::Minimize);
  EXPECT_TRUE(pruner.should_prune(2, 0.61, kEarlier));
  EXPECT_FALSE(pruner.should_prune(2, 0.59, kEarlier));
}

TEST(MedianPruner, NeverPrunesWithinTheWarmUpEpochs) {
  // Epoch 1: median 0.45; far below it, still kept.
  const MedianPruner one({.warmup_trials = 3, .warmup_epochs = 1}, Direction::Maximize);
  EXPECT_FALSE(one.should_prune(1, 0.0, kEarlier));
  const MedianPruner two({.warmup_trials = 3, .warmup_epochs = 2}, Direction::Maximize);
  EXPECT_FALSE(two.should_prune(2, 0.0, kEarlier));
  EXPECT_TRUE(two.should_prune(3, 0.0, kEarlier));
  const MedianPruner none({.warmup_trials = 3, .warmup_epochs = 0}, Direction::Maximize);
  EXPECT_TRUE(none.should_prune(1, 0.0, kEarlier));
}

TEST(MedianPruner, NeedsWarmUpTrialsThatReachedTheEpoch) {
  const MedianPruner pruner({.warmup_trials = 3, .warmup_epochs = 1}, Direction::Maximize);
  EXPECT_FALSE(pruner.should_prune(2, 0.0, Curves{kEarlier[0], kEarlier[1]}));
  // A trial pruned at epoch 1 did not reach epoch 2: two of three reached it.
  EXPECT_FALSE(pruner.should_prune(2, 0.0, Curves{kEarlier[0], kEarlier[1], {0.1}}));
  EXPECT_TRUE(pruner.should_prune(2, 0.0, Curves{kEarlier[0], kEarlier[1], {0.1}, {0.2, 0.3}}));
  // Two of them: median (0.5 + 0.7) / 2 = 0.6.
  const MedianPruner after_two({.warmup_trials = 2, .warmup_epochs = 1}, Direction::Maximize);
  EXPECT_TRUE(after_two.should_prune(2, 0.59, Curves{kEarlier[0], kEarlier[1]}));
  EXPECT_FALSE(after_two.should_prune(2, 0.6, Curves{kEarlier[0], kEarlier[1]}));
  // No earlier trial: nothing to compare with, whatever the warm-up.
  const MedianPruner eager({.warmup_trials = 0, .warmup_epochs = 0}, Direction::Maximize);
  EXPECT_FALSE(eager.should_prune(1, 0.0, Curves{}));
  EXPECT_TRUE(eager.should_prune(1, 0.0, Curves{{0.5}}));
}

TEST(MedianPruner, ANaNValueIsWorseThanAnyMedian) {
  const MedianPruner pruner({.warmup_trials = 3, .warmup_epochs = 1}, Direction::Minimize);
  EXPECT_TRUE(pruner.should_prune(2, kNaN, kEarlier));
  // An earlier trial's NaN at the epoch does not count towards the median.
  EXPECT_FALSE(pruner.should_prune(2, 10.0, Curves{kEarlier[0], kEarlier[1], {0.1, kNaN}}));
}

}  // namespace
