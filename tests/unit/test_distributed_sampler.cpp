#include "minitorch/data/distributed_sampler.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <set>
#include <vector>

#include "error_helpers.h"
#include "generators.h"
#include "minitorch/core/generator.h"
#include "minitorch/data/data_loader.h"
#include "minitorch/data/randperm.h"
#include "minitorch/tensor/creation.h"

namespace data = minitorch::data;
using minitorch::Tensor;
using minitorch::testing::error_of;
using minitorch::testing::uniform;
using Indices = std::vector<std::int64_t>;

namespace {

Indices iota(std::int64_t n, std::int64_t first = 0) {
  Indices values(static_cast<std::size_t>(n));
  std::iota(values.begin(), values.end(), first);
  return values;
}

// torch.utils.data.DistributedSampler.__iter__, line by line, for the properties to compare with.
Indices pytorch_padded(Indices indices, int num_replicas, bool drop_last) {
  const auto n = static_cast<std::int64_t>(indices.size());
  if (drop_last) {
    indices.resize(static_cast<std::size_t>(n / num_replicas * num_replicas));
    return indices;
  }
  const std::int64_t total = (n + num_replicas - 1) / num_replicas * num_replicas;
  const std::int64_t padding = total - n;
  if (padding <= n) {
    indices.insert(indices.end(), indices.begin(), indices.begin() + padding);
  } else {
    const Indices original = indices;
    const std::int64_t repeats = (padding + n - 1) / n;
    for (std::int64_t k = 0; k < repeats; ++k) {
      indices.insert(indices.end(), original.begin(), original.end());
    }
    indices.resize(static_cast<std::size_t>(total));
  }
  return indices;
}

std::vector<Indices> all_shards(const Indices& order, int num_replicas, bool drop_last) {
  std::vector<Indices> shards;
  for (int rank = 0; rank < num_replicas; ++rank) {
    shards.push_back(data::shard_indices(order, num_replicas, rank, drop_last));
  }
  return shards;
}

// An order that is not the identity, so the properties see values rather than positions.
Indices reversed(std::int64_t n) {
  Indices order = iota(n, 1000);
  std::reverse(order.begin(), order.end());
  return order;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// shard_indices / shard_size

RC_GTEST_PROP(DistributedSampler, SharesAreEqualSizedAndFollowPyTorchsPadding, ()) {
  const auto n = *uniform<std::int64_t>(0, 201);
  const int replicas = *uniform(1, 9);
  const bool drop_last = *rc::gen::arbitrary<bool>();
  const Indices order = reversed(n);
  const std::vector<Indices> shards = all_shards(order, replicas, drop_last);
  const Indices padded = pytorch_padded(order, replicas, drop_last);
  const std::int64_t size = data::shard_size(n, replicas, drop_last);
  RC_ASSERT(size * replicas == static_cast<std::int64_t>(padded.size()));
  for (int rank = 0; rank < replicas; ++rank) {
    RC_ASSERT(static_cast<std::int64_t>(shards[rank].size()) == size);
    for (std::int64_t k = 0; k < size; ++k) {
      RC_ASSERT(shards[rank][k] == padded[static_cast<std::size_t>(rank + k * replicas)]);
    }
  }
}

RC_GTEST_PROP(DistributedSampler, SharesCoverEverySampleAndAreDisjointWhenEven, ()) {
  const auto n = *uniform<std::int64_t>(0, 201);
  const int replicas = *uniform(1, 9);
  const bool drop_last = *rc::gen::arbitrary<bool>();
  const Indices order = reversed(n);
  Indices seen;
  for (const Indices& shard : all_shards(order, replicas, drop_last)) {
    seen.insert(seen.end(), shard.begin(), shard.end());
  }
  const std::set<std::int64_t> distinct(seen.begin(), seen.end());
  if (!drop_last) RC_ASSERT(distinct == std::set<std::int64_t>(order.begin(), order.end()));
  if (n % replicas == 0) RC_ASSERT(distinct.size() == seen.size());
  if (drop_last) RC_ASSERT(seen.size() == static_cast<std::size_t>(n / replicas * replicas));
  RC_ASSERT(distinct.size() == std::min<std::size_t>(seen.size(), order.size()));
}

RC_GTEST_PROP(DistributedSampler, FirstBatchesOfTheRanksAreTheFirstSamplesOfTheOrder, ()) {
  const int replicas = *uniform(1, 9);
  const auto batch = *uniform<std::int64_t>(1, 6);
  const auto n = *uniform<std::int64_t>(replicas * batch, 201);
  const Indices order = reversed(n);
  std::set<std::int64_t> first;
  for (const Indices& shard : all_shards(order, replicas, false)) {
    first.insert(shard.begin(), shard.begin() + batch);
  }
  RC_ASSERT(first == std::set<std::int64_t>(order.begin(), order.begin() + replicas * batch));
}

// Expected lists produced by PyTorch 1.13 (Debian's python3-torch) itself:
//   /usr/bin/python3 -c 'import torch.utils.data as d; print(list(d.DistributedSampler(
//       range(N), num_replicas=W, rank=r, shuffle=False, drop_last=D)))'
TEST(DistributedSampler, MatchesPyTorchOnGoldenCases) {
  struct Case {
    std::int64_t n;
    int replicas;
    bool drop_last;
    std::vector<Indices> shards;  // by rank
  };
  const std::vector<Case> cases = {
      {10, 3, false, {{0, 3, 6, 9}, {1, 4, 7, 0}, {2, 5, 8, 1}}},
      {10, 3, true, {{0, 3, 6}, {1, 4, 7}, {2, 5, 8}}},
      {3, 8, false, {{0}, {1}, {2}, {0}, {1}, {2}, {0}, {1}}},
      {3, 8, true, {{}, {}, {}, {}, {}, {}, {}, {}}},
      {2, 7, false, {{0}, {1}, {0}, {1}, {0}, {1}, {0}}},
      {7, 2, false, {{0, 2, 4, 6}, {1, 3, 5, 0}}},
      {0, 3, false, {{}, {}, {}}},
      {1, 1, false, {{0}}},
      {13, 4, true, {{0, 4, 8}, {1, 5, 9}, {2, 6, 10}, {3, 7, 11}}},
  };
  for (const Case& c : cases) {
    for (int rank = 0; rank < c.replicas; ++rank) {
      const data::DistributedSampler sampler(
          c.n,
          {.num_replicas = c.replicas, .rank = rank, .shuffle = false, .drop_last = c.drop_last});
      EXPECT_EQ(sampler.indices(), c.shards[rank])
          << "N=" << c.n << " W=" << c.replicas << " rank=" << rank << " drop_last=" << c.drop_last;
      EXPECT_EQ(sampler.size(), static_cast<std::int64_t>(c.shards[rank].size()));
    }
  }
}

TEST(DistributedSampler, ShufflesWithTheSameSeedOnEveryRankAndReshufflesEachEpoch) {
  const std::int64_t n = 50;
  const int replicas = 3;
  std::vector<data::DistributedSampler> ranks;
  for (int rank = 0; rank < replicas; ++rank) {
    ranks.emplace_back(
        n, data::DistributedSamplerOptions{.num_replicas = replicas, .rank = rank, .seed = 7});
  }
  Indices previous;
  for (std::int64_t epoch = 0; epoch < 3; ++epoch) {
    minitorch::Generator generator(7 + static_cast<std::uint64_t>(epoch));
    const Indices permutation = data::randperm(n, generator);
    for (int rank = 0; rank < replicas; ++rank) {
      ranks[rank].set_epoch(epoch);
      EXPECT_EQ(ranks[rank].indices(), data::shard_indices(permutation, replicas, rank, false))
          << "epoch " << epoch << " rank " << rank;
    }
    EXPECT_NE(permutation, iota(n));
    EXPECT_NE(permutation, previous);
    previous = permutation;
  }
  // The epoch alone decides: going back gives epoch 0's shard again.
  ranks[1].set_epoch(0);
  const Indices again = ranks[1].indices();
  ranks[1].set_epoch(2);
  ranks[1].set_epoch(0);
  EXPECT_EQ(ranks[1].indices(), again);
}

TEST(DistributedSampler, RandpermIsAPermutation) {
  minitorch::Generator generator(3);
  Indices permutation = data::randperm(100, generator);
  std::sort(permutation.begin(), permutation.end());
  EXPECT_EQ(permutation, iota(100));
  EXPECT_TRUE(data::randperm(0, generator).empty());
  EXPECT_CONTAINS(error_of([&] { data::randperm(-1, generator); }), "n -1; expected at least 0");
}

TEST(DistributedSampler, RejectsInvalidArguments) {
  const Indices order = iota(5);
  EXPECT_CONTAINS(error_of([&] { data::shard_indices(order, 0, 0, false); }),
                  "num_replicas 0; expected at least 1");
  EXPECT_CONTAINS(error_of([&] { data::shard_indices(order, 2, 2, false); }),
                  "rank 2; expected 0 <= rank < 2");
  EXPECT_CONTAINS(error_of([&] { data::shard_indices(order, 2, -1, false); }),
                  "rank -1; expected 0 <= rank < 2");
  EXPECT_CONTAINS(error_of([&] { data::shard_size(-3, 2, false); }),
                  "sample count -3; expected at least 0");
  EXPECT_CONTAINS(error_of([&] { data::shard_size(3, -1, true); }),
                  "num_replicas -1; expected at least 1");
  EXPECT_CONTAINS(error_of([&] { data::DistributedSampler(-1, {}); }),
                  "sample count -1; expected at least 0");
  EXPECT_CONTAINS(error_of([&] { data::DistributedSampler(4, {.num_replicas = 3, .rank = 3}); }),
                  "rank 3; expected 0 <= rank < 3");
  EXPECT_CONTAINS(error_of([&] { data::DistributedSampler(4, {.num_replicas = 0}); }),
                  "num_replicas 0; expected at least 1");
}

// ---------------------------------------------------------------------------------------------
// DataLoader sharding

namespace {

// Sample i has inputs (i, -i) and target i, so a batch's targets name its rows.
data::DataLoader make_loader(std::int64_t n, data::DataLoaderOptions options) {
  std::vector<double> inputs, targets;
  for (std::int64_t i = 0; i < n; ++i) {
    inputs.insert(inputs.end(), {double(i), -double(i)});
    targets.push_back(double(i));
  }
  return data::DataLoader(minitorch::from_vector(inputs, {n, 2}),
                          minitorch::from_vector(targets, {n}), options);
}

std::vector<Indices> run_epoch(data::DataLoader& loader) {
  std::vector<Indices> batches;
  loader.for_each_batch([&](const data::Batch& batch) {
    const std::vector<double> targets = batch.targets.to_vector();
    const std::vector<double> inputs = batch.inputs.to_vector();
    Indices rows;
    for (std::size_t r = 0; r < targets.size(); ++r) {
      EXPECT_EQ(inputs[2 * r], targets[r]);
      rows.push_back(static_cast<std::int64_t>(targets[r]));
    }
    batches.push_back(rows);
  });
  return batches;
}

std::multiset<std::int64_t> as_set(const Indices& rows) {
  return {rows.begin(), rows.end()};
}

}  // namespace

// What data-parallel training relies on: W ranks of batch B see, step by step, the samples one
// process of batch W·B sees.
RC_GTEST_PROP(DataLoaderSharding, RanksTogetherSeeTheSingleLoadersBatches, ()) {
  const int replicas = *uniform(1, 5);
  const auto batch = *uniform<std::int64_t>(1, 5);
  const auto steps = *uniform<std::int64_t>(1, 5);
  const auto seed = *rc::gen::arbitrary<std::uint32_t>();
  const bool shuffle = *rc::gen::arbitrary<bool>();
  const std::int64_t n = replicas * batch * steps;
  auto single = make_loader(
      n, {.batch_size = replicas * batch, .shuffle = shuffle, .seed = seed, .prefetch = false});
  std::vector<data::DataLoader> ranks;
  for (int rank = 0; rank < replicas; ++rank) {
    ranks.push_back(make_loader(n, {.batch_size = batch,
                                    .shuffle = shuffle,
                                    .seed = seed,
                                    .prefetch = rank % 2 == 0,
                                    .num_replicas = replicas,
                                    .rank = rank}));
    RC_ASSERT(ranks.back().size() == steps);
    RC_ASSERT(ranks.back().samples_per_epoch() == batch * steps);
  }
  for (int epoch = 0; epoch < 2; ++epoch) {
    const std::vector<Indices> expected = run_epoch(single);
    std::vector<std::vector<Indices>> per_rank;
    for (auto& loader : ranks) per_rank.push_back(run_epoch(loader));
    RC_ASSERT(static_cast<std::int64_t>(expected.size()) == steps);
    for (std::int64_t k = 0; k < steps; ++k) {
      Indices together;
      for (const auto& batches : per_rank) {
        RC_ASSERT(static_cast<std::int64_t>(batches[k].size()) == batch);
        together.insert(together.end(), batches[k].begin(), batches[k].end());
      }
      RC_ASSERT(as_set(together) == as_set(expected[k]));
    }
  }
}

TEST(DataLoaderSharding, EachRankReadsItsShardOfTheSeededOrder) {
  // N = 10 over 3 ranks: shards of ceil(10 / 3) = 4, two samples repeated as padding.
  for (int rank = 0; rank < 3; ++rank) {
    auto loader = make_loader(10, {.batch_size = 3, .seed = 4, .num_replicas = 3, .rank = rank});
    EXPECT_EQ(loader.num_samples(), 10);
    EXPECT_EQ(loader.samples_per_epoch(), 4);
    EXPECT_EQ(loader.size(), 2);
    minitorch::Generator generator(4);
    const Indices shard = data::shard_indices(data::randperm(10, generator), 3, rank, false);
    const std::vector<Indices> batches = run_epoch(loader);
    ASSERT_EQ(batches.size(), 2u);
    EXPECT_EQ(batches[0], Indices(shard.begin(), shard.begin() + 3));
    EXPECT_EQ(batches[1], Indices(shard.begin() + 3, shard.end()));

    auto dropping = make_loader(
        10, {.batch_size = 3, .drop_last = true, .seed = 4, .num_replicas = 3, .rank = rank});
    EXPECT_EQ(dropping.size(), 1);
    EXPECT_EQ(run_epoch(dropping), (std::vector<Indices>{batches[0]}));
  }
}

TEST(DataLoaderSharding, OneReplicaIsTheUnshardedLoader) {
  auto plain = make_loader(23, {.batch_size = 4, .seed = 9});
  auto one = make_loader(23, {.batch_size = 4, .seed = 9, .num_replicas = 1, .rank = 0});
  EXPECT_EQ(one.samples_per_epoch(), 23);
  for (int epoch = 0; epoch < 2; ++epoch) EXPECT_EQ(run_epoch(one), run_epoch(plain));
}

TEST(DataLoaderSharding, StateResumesTheShardedSequence) {
  const data::DataLoaderOptions options{.batch_size = 2, .seed = 5, .num_replicas = 4, .rank = 1};
  auto loader = make_loader(30, options);
  run_epoch(loader);
  const minitorch::Generator::State saved = loader.state();
  const auto next = run_epoch(loader);
  const auto after = run_epoch(loader);
  EXPECT_NE(next, after);
  loader.set_state(saved);
  EXPECT_EQ(run_epoch(loader), next);
  EXPECT_EQ(run_epoch(loader), after);

  data::DataLoaderOptions other_seed = options;
  other_seed.seed = 99;
  auto resumed = make_loader(30, other_seed);
  resumed.set_state(saved);
  EXPECT_EQ(run_epoch(resumed), next);
  EXPECT_EQ(run_epoch(resumed), after);
}

TEST(DataLoaderSharding, EmptySetHasNoBatchesOnAnyRank) {
  for (int rank = 0; rank < 3; ++rank) {
    auto loader = make_loader(0, {.batch_size = 2, .num_replicas = 3, .rank = rank});
    EXPECT_EQ(loader.samples_per_epoch(), 0);
    EXPECT_EQ(loader.size(), 0);
    loader.for_each_batch([](const data::Batch&) { ADD_FAILURE() << "no batch expected"; });
  }
}

TEST(DataLoaderSharding, RejectsBadRankOrReplicaCount) {
  EXPECT_CONTAINS(error_of([&] { make_loader(6, {.num_replicas = 0}); }),
                  "DataLoader: num_replicas 0; expected at least 1");
  EXPECT_CONTAINS(error_of([&] { make_loader(6, {.num_replicas = 2, .rank = 2}); }),
                  "DataLoader: rank 2; expected 0 <= rank < 2 (num_replicas)");
  EXPECT_CONTAINS(error_of([&] { make_loader(6, {.num_replicas = 2, .rank = -1}); }),
                  "DataLoader: rank -1; expected 0 <= rank < 2 (num_replicas)");
}
