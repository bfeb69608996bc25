// DistributedSampler — which samples each rank of a data-parallel job reads (PyTorch's
// torch.utils.data.DistributedSampler semantics).
//
// shard_indices(order, num_replicas, rank, drop_last):
//   Requires: num_replicas >= 1, 0 <= rank < num_replicas (Error naming them otherwise).
//   Ensures:  with N = order.size() and W = num_replicas: without drop_last, order is padded to
//             ceil(N / W) * W by repeating its own first elements (again from the start as often
//             as needed, as PyTorch does when N < W); with drop_last, cut to floor(N / W) * W.
//             Rank r gets positions r, r + W, r + 2W, ... of that list, so the ranks' shares are
//             disjoint when nothing was padded, every rank gets the same count
//             (shard_size(N, W, drop_last)), and rank shares interleave: the first B samples of
//             each of the W ranks are the first W·B of order.
//             N = 0 gives every rank an empty shard.
// shard_size(N, W, drop_last): ceil(N / W), or floor(N / W) with drop_last; Error when N < 0 or
//   W < 1.
// DistributedSampler(N, options): the permutation of epoch e (set_epoch) is randperm(N) drawn from
// a Generator seeded with seed + e (the same on every rank), or the identity without shuffle;
// indices() is this rank's shard of it. Error when N < 0 or num_replicas / rank are invalid.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace minitorch::data {

std::int64_t shard_size(std::int64_t samples, int num_replicas, bool drop_last);

std::vector<std::int64_t> shard_indices(std::span<const std::int64_t> order, int num_replicas,
                                        int rank, bool drop_last);

struct DistributedSamplerOptions {
  int num_replicas = 1;
  int rank = 0;
  bool shuffle = true;
  std::uint64_t seed = 0;
  bool drop_last = false;
};

class DistributedSampler {
 public:
  DistributedSampler(std::int64_t samples, DistributedSamplerOptions options);
  void set_epoch(std::int64_t epoch) { epoch_ = epoch; }
  // This rank's sample indices for the current epoch.
  std::vector<std::int64_t> indices() const;
  // shard_size(samples, num_replicas, drop_last).
  std::int64_t size() const;

 private:
  std::int64_t samples_;
  DistributedSamplerOptions options_;
  std::int64_t epoch_ = 0;
};

}  // namespace minitorch::data
