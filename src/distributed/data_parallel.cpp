#include "minitorch/distributed/data_parallel.h"

#include <algorithm>
#include <chrono>

#include "minitorch/autodiff/engine.h"
#include "minitorch/autodiff/grad_mode.h"
#include "minitorch/core/error.h"
#include "minitorch/tensor/creation.h"

namespace minitorch::nn {

DistributedDataParallel::DistributedDataParallel(std::shared_ptr<Layer> module,
                                                 DistributedDataParallelOptions options,
                                                 distributed::ProcessGroup& group)
    : module_(std::move(module)), options_(options), group_(group) {
  if (!module_) throw Error("DistributedDataParallel: the module is null");
  if (!(options_.bucket_cap_mb > 0.0)) {
    throw Error("DistributedDataParallel: bucket_cap_mb is " +
                std::to_string(options_.bucket_cap_mb) + "; expected a positive size");
  }
  register_module("module", module_);
  {
    autodiff::NoGradGuard no_grad;
    for (const auto& [name, parameter] : module_->named_parameters()) {
      try {
        group_.broadcast(parameter, 0);
      } catch (const Error& e) {
        throw Error("DistributedDataParallel: parameter '" + name + "': " + e.what());
      }
    }
  }
  build_buckets();
  if (!group_.is_distributed()) return;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    slots_[i].hook = slots_[i].parameter.register_post_accumulate_grad_hook(
        [this, i](const Tensor&) { on_gradient_ready(i); });
  }
}

DistributedDataParallel::~DistributedDataParallel() {
  reset_pass();  // no reduction may outlive the buffers it writes
  for (const Slot& slot : slots_) {
    if (slot.hook != 0) slot.parameter.remove_post_accumulate_grad_hook(slot.hook);
  }
}

void DistributedDataParallel::build_buckets() {
  const double cap_bytes = options_.bucket_cap_mb * 1024.0 * 1024.0;
  std::vector<Parameter<Tensor>> parameters = module_->named_parameters();
  std::reverse(parameters.begin(), parameters.end());
  double bucket_bytes = 0.0;
  std::int64_t bucket_numel = 0;
  auto close_bucket = [&] {
    if (buckets_.empty() || buckets_.back().buffer.defined()) return;
    const Tensor& first = slots_[buckets_.back().slots.front()].parameter;
    buckets_.back().buffer =
        zeros({bucket_numel}, {.dtype = first.dtype(), .backend = &first.backend()});
  };
  for (auto& [name, parameter] : parameters) {
    if (!parameter.requires_grad()) continue;
    const double bytes = double(parameter.numel()) * double(dtype_size(parameter.dtype()));
    const bool new_bucket =
        buckets_.empty() || bucket_bytes >= cap_bytes ||
        slots_[buckets_.back().slots.front()].parameter.dtype() != parameter.dtype();
    if (new_bucket) {
      close_bucket();
      buckets_.emplace_back();
      bucket_bytes = 0.0;
      bucket_numel = 0;
    }
    slots_.push_back({.parameter = parameter,
                      .name = name,
                      .bucket = buckets_.size() - 1,
                      .offset = bucket_numel});
    buckets_.back().slots.push_back(slots_.size() - 1);
    bucket_bytes += bytes;
    bucket_numel += parameter.numel();
  }
  close_bucket();
  reset_pass();
}

std::vector<std::vector<std::string>> DistributedDataParallel::bucket_names() const {
  std::vector<std::vector<std::string>> out;
  for (const Bucket& bucket : buckets_) {
    out.emplace_back();
    for (const std::size_t slot : bucket.slots) out.back().push_back(slots_[slot].name);
  }
  return out;
}

Tensor DistributedDataParallel::forward(const Tensor& x) {
  // A pass that an exception cut short must not leave its counts to the next one.
  reset_pass();
  return module_->forward(x);
}

void DistributedDataParallel::reset_pass() {
  for (Slot& slot : slots_) slot.ready = false;
  for (Bucket& bucket : buckets_) {
    bucket.pending = bucket.slots.size();
    // A pass cut short by an exception may have left a reduction writing into the buffer.
    if (bucket.work) {
      try {
        bucket.work->wait();
      } catch (const std::exception&) {
        // That pass already failed; its error was or will be reported where it was thrown.
      }
    }
    bucket.work.reset();
  }
  next_launch_ = 0;
  pass_running_ = false;
}

void DistributedDataParallel::on_gradient_ready(std::size_t index) {
  if (!pass_running_) {
    pass_running_ = true;
    autodiff::queue_callback([this] { finish_pass(); });
  }
  Slot& slot = slots_[index];
  if (slot.ready) return;  // a leaf reached twice in one pass cannot be, but never count it twice
  slot.ready = true;
  Bucket& bucket = buckets_[slot.bucket];
  const std::int64_t n = slot.parameter.numel();
  bucket.buffer.narrow(0, slot.offset, n).set_data(slot.parameter.grad().reshape({n}));
  --bucket.pending;
  if (options_.overlap) launch_ready_buckets();
}

// Buckets start in index order only: every rank then issues one sequence of collectives. The
// last one waits for the end of the pass, which reduces it inline (finish_pass): by the time it
// is full nothing is left to overlap it with, and the blocking collective costs no hand-off to
// and from the communication thread.
void DistributedDataParallel::launch_ready_buckets() {
  while (next_launch_ + 1 < buckets_.size() && buckets_[next_launch_].pending == 0) {
    launch(buckets_[next_launch_++]);
  }
}

void DistributedDataParallel::launch(Bucket& bucket) {
  bucket.work = group_.all_reduce_async(bucket.buffer, distributed::ReduceOp::Average);
}

// What a slot the pass did not reach puts in its bucket: the gradient it already holds (every
// rank's is the same average of an earlier pass), or zeros.
void DistributedDataParallel::fill_unreached(Slot& slot) {
  Bucket& bucket = buckets_[slot.bucket];
  const std::int64_t n = slot.parameter.numel();
  const Tensor part = bucket.buffer.narrow(0, slot.offset, n);
  if (slot.parameter.has_grad()) {
    part.set_data(slot.parameter.grad().reshape({n}));
  } else {
    part.set_data(
        zeros({1}, {.dtype = slot.parameter.dtype(), .backend = &slot.parameter.backend()}));
  }
  slot.ready = true;
  --bucket.pending;
}

// With find_unused_parameters, how many ranks reached each slot in this pass.
std::vector<double> DistributedDataParallel::reached_counts(const std::vector<bool>& reached) {
  std::vector<double> flags(reached.begin(), reached.end());
  if (!options_.find_unused_parameters) return std::vector<double>(slots_.size(), 1.0);
  const Tensor counts =
      from_vector(flags, {static_cast<std::int64_t>(flags.size())}, {.dtype = kFloat64});
  group_.all_reduce(counts, distributed::ReduceOp::Sum);
  return counts.to_vector();
}

void DistributedDataParallel::finish_pass() {
  std::vector<bool> reached;
  for (Slot& slot : slots_) {
    reached.push_back(slot.ready);
    if (!slot.ready) fill_unreached(slot);
  }
  launch_ready_buckets();
  const auto waiting_since = std::chrono::steady_clock::now();
  for (std::size_t b = 0; b + 1 < buckets_.size(); ++b) buckets_[b].work->wait();
  if (!buckets_.empty()) {
    group_.all_reduce(buckets_.back().buffer, distributed::ReduceOp::Average);
  }
  waited_seconds_ +=
      std::chrono::duration<double>(std::chrono::steady_clock::now() - waiting_since).count();
  const std::vector<double> counts = reached_counts(reached);
  autodiff::NoGradGuard no_grad;
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    Slot& slot = slots_[i];
    if (counts[i] == 0.0) continue;  // no rank used it: its gradient stays as it was
    const Tensor average = buckets_[slot.bucket]
                               .buffer.narrow(0, slot.offset, slot.parameter.numel())
                               .view(slot.parameter.shape());
    if (slot.parameter.has_grad()) {
      slot.parameter.grad().set_data(average);
    } else {
      slot.parameter.accumulate_derivative(average.clone());
    }
  }
  reset_pass();
}

}  // namespace minitorch::nn
