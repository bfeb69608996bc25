#include "minitorch/data/distributed_sampler.h"

#include <numeric>
#include <string>

#include "minitorch/core/error.h"
#include "minitorch/core/generator.h"
#include "minitorch/data/randperm.h"

namespace minitorch::data {
namespace {

void check_replicas(int num_replicas) {
  if (num_replicas < 1) {
    throw Error("DistributedSampler: num_replicas " + std::to_string(num_replicas) +
                "; expected at least 1");
  }
}

void check_rank(int num_replicas, int rank) {
  check_replicas(num_replicas);
  if (rank < 0 || rank >= num_replicas) {
    throw Error("DistributedSampler: rank " + std::to_string(rank) + "; expected 0 <= rank < " +
                std::to_string(num_replicas) + " (num_replicas)");
  }
}

void check_samples(std::int64_t samples) {
  if (samples < 0) {
    throw Error("DistributedSampler: sample count " + std::to_string(samples) +
                "; expected at least 0");
  }
}

std::vector<std::int64_t> identity(std::int64_t n) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  return order;
}

}  // namespace

std::int64_t shard_size(std::int64_t samples, int num_replicas, bool drop_last) {
  check_samples(samples);
  check_replicas(num_replicas);
  return drop_last ? samples / num_replicas : (samples + num_replicas - 1) / num_replicas;
}

std::vector<std::int64_t> shard_indices(std::span<const std::int64_t> order, int num_replicas,
                                        int rank, bool drop_last) {
  check_rank(num_replicas, rank);
  const auto n = static_cast<std::int64_t>(order.size());
  const std::int64_t count = shard_size(n, num_replicas, drop_last);
  std::vector<std::int64_t> shard;
  shard.reserve(static_cast<std::size_t>(count));
  // Position p of the padded list is order[p % n]: PyTorch pads by repeating the list from its
  // start, as many times as the padding needs; with drop_last no position reaches n.
  for (std::int64_t k = 0; k < count; ++k) {
    const std::int64_t position = rank + k * num_replicas;
    shard.push_back(order[static_cast<std::size_t>(position % n)]);
  }
  return shard;
}

DistributedSampler::DistributedSampler(std::int64_t samples, DistributedSamplerOptions options)
    : samples_(samples), options_(options) {
  check_samples(samples_);
  check_rank(options_.num_replicas, options_.rank);
}

std::vector<std::int64_t> DistributedSampler::indices() const {
  std::vector<std::int64_t> order;
  if (options_.shuffle) {
    Generator generator(options_.seed + static_cast<std::uint64_t>(epoch_));
    order = randperm(samples_, generator);
  } else {
    order = identity(samples_);
  }
  return shard_indices(order, options_.num_replicas, options_.rank, options_.drop_last);
}

std::int64_t DistributedSampler::size() const {
  return shard_size(samples_, options_.num_replicas, options_.drop_last);
}

}  // namespace minitorch::data
