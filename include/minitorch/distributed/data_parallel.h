// nn::DistributedDataParallel — a module wrapper that keeps the replicas of a model identical
// across the ranks of a ProcessGroup (PyTorch's DistributedDataParallel).
//
// Construction broadcasts rank 0's parameters to every rank (the model has no buffers to send) and
// groups the parameters that require grad into buckets: in reverse order of registration (the
// order a backward pass finishes them in), one dtype per bucket, a new bucket once one holds
// bucket_cap_mb megabytes. forward(x) is the wrapped module's forward.
//
// During backward() each parameter's post-accumulate-grad hook (Tensor::
// register_post_accumulate_grad_hook) copies its gradient into its bucket; a bucket whose
// gradients are all in is handed to the group's all_reduce_async (average) at once, buckets always
// in index order, so every rank starts the same collectives in the same order while the backward
// pass goes on computing the rest (overlap = false: every bucket after the pass instead). At the
// end of the pass (the engine's final callback) the buckets still waiting — those with a
// parameter that got no gradient this pass, which counts as zeros — are started, all are awaited,
// and each parameter's grad() becomes the average over the ranks of their gradients, so the
// optimizer's step() sees the same gradients, and takes the same step, on every rank.
//
// With a group of one nothing is communicated and gradients stay as they are. The wrapper holds
// hooks on the module's parameters for its lifetime; it can be neither copied nor moved.
// Collectives that fail (a rank gone) throw minitorch::Error from backward().
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "minitorch/distributed/process_group.h"
#include "minitorch/nn/module.h"

namespace minitorch::nn {

struct DistributedDataParallelOptions {
  double bucket_cap_mb = 25.0;
  // Start each bucket's all-reduce as soon as it is full (true), or all of them after backward.
  bool overlap = true;
};

class DistributedDataParallel : public Layer {
 public:
  explicit DistributedDataParallel(
      std::shared_ptr<Layer> module, DistributedDataParallelOptions options = {},
      distributed::ProcessGroup& group = distributed::ProcessGroup::world());
  ~DistributedDataParallel() override;

  Tensor forward(const Tensor& x) override;
  Layer& module() const { return *module_; }
  distributed::ProcessGroup& process_group() const { return group_; }
  // The parameters' dotted names, bucket by bucket, in the order the buckets are reduced.
  std::vector<std::vector<std::string>> bucket_names() const;
  std::string type_name() const override { return "DistributedDataParallel"; }

 private:
  struct Slot {
    Tensor parameter;
    std::string name;
    std::size_t bucket = 0;
    std::int64_t offset = 0;
    std::uint64_t hook = 0;
    bool ready = false;
  };
  struct Bucket {
    Tensor buffer;  // 1-D, contiguous: the bucket's gradients end to end
    std::vector<std::size_t> slots;
    std::size_t pending = 0;
    std::shared_ptr<distributed::Work> work;
  };

  void build_buckets();
  void reset_pass();
  void on_gradient_ready(std::size_t slot);
  void launch_ready_buckets();
  void launch(Bucket& bucket);
  void finish_pass();

  std::shared_ptr<Layer> module_;
  DistributedDataParallelOptions options_;
  distributed::ProcessGroup& group_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  std::size_t next_launch_ = 0;
  bool pass_running_ = false;
};

}  // namespace minitorch::nn
