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
// pass goes on computing the rest (overlap = false: every bucket after the pass instead). The last
// bucket is reduced at the end of the pass, on the calling thread: nothing is left to overlap it
// with, and the blocking all_reduce costs no hand-off between threads (a model of one bucket,
// such as LeNet-5, has no overlap at all). At the end of the pass (the engine's final callback)
// the buckets still waiting — those with a parameter the pass did not reach, which contributes the
// gradient it holds (accumulated in earlier passes) or zeros — are started, all are awaited, and
// each parameter's grad() becomes the average over the ranks of their gradients, so the
// optimizer's step() sees the same gradients, and takes the same step, on every rank. Gradients
// accumulate across passes as without the wrapper (the average of sums is the sum of averages).
//
// Requires: every rank runs the same sequence of forward and backward passes, and each backward
// reaches at least one of the wrapped parameters on every rank (a rank whose pass reaches none
// starts no reduction while the others wait for it); a pass that throws on some ranks only puts
// the ranks out of step, so the job must end (the command line aborts it). The wrapper's hook
// copies a gradient when it is final: a post-accumulate-grad hook registered after the wrapper
// that changes grad() is overwritten by the average.
// With a group of one nothing is communicated and gradients stay as they are. The wrapper holds
// hooks on the module's parameters for its lifetime; it can be neither copied nor moved.
// Collectives that fail (a rank gone) throw minitorch::Error from backward(). A parameter that
// cannot be sent (not on the CPU, not contiguous) is an Error naming it at construction.
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
  // Count, each pass, which ranks reached each parameter (one more small all-reduce), so that a
  // parameter no rank used keeps its gradient as it was (none, after zero_grad) and the optimizer
  // leaves it alone, as one process would. Without it such a parameter's gradient becomes the
  // average of what the ranks hold: zeros after zero_grad.
  bool find_unused_parameters = false;
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
  // Seconds the backward passes spent at their end blocked on the buckets' all-reduces, since
  // construction: the transfer not hidden behind the pass, plus the time waiting for slower
  // ranks to start it. Compared across ranks it tells one from the other (the slowest rank waits
  // least); PyTorch's DDP logs a similar figure (avg_backward_comm_time).
  double waited_seconds() const { return waited_seconds_; }
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
  void fill_unreached(Slot& slot);
  std::vector<double> reached_counts(const std::vector<bool>& reached);

  std::shared_ptr<Layer> module_;
  DistributedDataParallelOptions options_;
  distributed::ProcessGroup& group_;
  std::vector<Slot> slots_;
  std::vector<Bucket> buckets_;
  std::size_t next_launch_ = 0;
  bool pass_running_ = false;
  double waited_seconds_ = 0.0;
};

}  // namespace minitorch::nn
