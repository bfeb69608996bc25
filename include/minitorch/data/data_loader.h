// DataLoader — mini-batches of (inputs, targets) tensors whose first dimension is the sample.
//
//   Requires: inputs and targets with at least one dimension and the same first size N,
//             batch_size >= 1, a finite normalize_mean and normalize_std > 0.
//   Ensures:  each epoch visits every sample exactly once in batches of batch_size (the last one
//             smaller, or dropped with drop_last); batches are fresh contiguous tensors of the
//             sources' dtype and backend, inputs normalised as (x - mean) / std, targets as they
//             are. With shuffle, epoch e's order is a permutation drawn from the seeded Generator
//             after e earlier shuffles, so one seed gives one sequence of epochs, and state() /
//             set_state() save and restore the place in it (for checkpoints).
// Sharding (data-parallel training): with num_replicas W > 1 and 0 <= rank < W, each epoch's order
// is the global one above (the same seeded permutation on every rank), then this rank's shard of
// it as DistributedSampler gives it (shard_indices without drop_last: padded to ceil(N / W) * W
// by repeating its first samples, rank r takes positions r, r + W, ...); batches are cut from the
// shard, drop_last still dropping only a short last batch. So W ranks of batch B see in batch k
// together the samples one loader of batch W·B sees in its batch k (when W·B divides N).
// num_samples() stays N, the data set's size; samples_per_epoch() is the shard's
// (ceil(N / W), N when W = 1) and size() counts its batches. Error when num_replicas < 1 or rank
// is outside [0, num_replicas). With W = 1 the loader is exactly the unsharded one.
// With prefetch, a background thread assembles batch i + 1 while fn runs on batch i. An exception
// thrown by fn or by the producer reaches the caller after the thread has been joined, and the
// loader can be used again. Prefetch pays when fn takes longer than assembling a batch (a training
// step does); for a trivial fn the hand-off between threads costs more than it saves.
// The sources are shared, not copied: changing them changes the batches.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "minitorch/core/generator.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::data {

struct Batch {
  Tensor inputs;
  Tensor targets;
};

struct DataLoaderOptions {
  std::int64_t batch_size = 64;
  bool shuffle = true;
  bool drop_last = false;
  std::uint64_t seed = 0;
  bool prefetch = true;
  double normalize_mean = 0.0, normalize_std = 1.0;
  // This process's share of the data: rank of num_replicas (see the contract above).
  int num_replicas = 1;
  int rank = 0;
};

class DataLoader {
 public:
  DataLoader(Tensor inputs, Tensor targets, DataLoaderOptions options);

  // Batches per epoch (of this rank's shard).
  std::int64_t size() const;
  // Samples in the data set, all ranks together.
  std::int64_t num_samples() const { return inputs_.size(0); }
  // Samples this rank reads per epoch: its shard's size (num_samples() when num_replicas is 1).
  std::int64_t samples_per_epoch() const;
  const DataLoaderOptions& options() const { return options_; }

  // One epoch: fn(batch) for each batch in order.
  void for_each_batch(const std::function<void(const Batch&)>& fn);

  Generator::State state() const { return generator_.state(); }
  void set_state(const Generator::State& state) { generator_.set_state(state); }

 private:
  std::vector<std::int64_t> epoch_order();
  Batch make_batch(std::span<const std::int64_t> order, std::int64_t index) const;

  Tensor inputs_;   // detached and contiguous
  Tensor targets_;  // detached and contiguous
  DataLoaderOptions options_;
  Generator generator_;
};

}  // namespace minitorch::data
