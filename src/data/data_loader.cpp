#include "minitorch/data/data_loader.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <numeric>
#include <optional>
#include <thread>
#include <utility>

#include "minitorch/core/error.h"
#include "minitorch/data/distributed_sampler.h"
#include "minitorch/data/randperm.h"

namespace minitorch::data {
namespace {

// Contiguous, so a sample is one run of row_size values; detached, so batches carry no history.
Tensor as_rows(const Tensor& source, const char* name) {
  if (!source.defined() || source.dim() < 1) {
    throw Error(std::string("DataLoader: ") + name +
                " has no dimensions; expected a tensor whose first dimension is the sample");
  }
  return source.detach().contiguous();
}

Tensor gather_rows(const Tensor& source, std::span<const std::int64_t> rows, double mean,
                   double std) {
  Shape shape = source.shape();
  const std::int64_t row_size = source.numel() / shape[0];
  shape[0] = static_cast<std::int64_t>(rows.size());
  const TensorData out = TensorData::uninitialized(std::move(shape), source.dtype());
  const bool identity = mean == 0.0 && std == 1.0;
  dispatch_dtype(source.dtype(), [&]<class T>() {
    const TensorData& in = source.tensor_data();
    const T* from = in.data<T>() + in.offset();
    T* to = out.data<T>();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const T* row = from + rows[r] * row_size;
      T* dst = to + static_cast<std::int64_t>(r) * row_size;
      if (identity) {
        std::copy(row, row + row_size, dst);
      } else {
        for (std::int64_t k = 0; k < row_size; ++k) dst[k] = static_cast<T>((row[k] - mean) / std);
      }
    }
  });
  return Tensor(out, &source.backend());
}

// Hands batches 0..count-1 from a producer thread to the caller, at most one ahead. The destructor
// stops and joins the producer, so leaving by an exception neither hangs nor terminates.
class Prefetcher {
 public:
  Prefetcher(std::int64_t count, std::function<Batch(std::int64_t)> make)
      : thread_([this, count, make = std::move(make)] { produce(count, make); }) {}

  ~Prefetcher() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    thread_.join();
  }

  Prefetcher(const Prefetcher&) = delete;
  Prefetcher& operator=(const Prefetcher&) = delete;

  // The next batch; rethrows the producer's exception once the batches before it are taken.
  Batch next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return ready_.has_value() || error_ != nullptr; });
    if (!ready_) std::rethrow_exception(error_);
    Batch batch = std::move(*ready_);
    ready_.reset();
    lock.unlock();
    changed_.notify_all();
    return batch;
  }

 private:
  void produce(std::int64_t count, const std::function<Batch(std::int64_t)>& make) {
    try {
      for (std::int64_t i = 0; i < count; ++i) {
        {
          // Waiting for the slot to empty first keeps the producer exactly one batch ahead.
          std::unique_lock lock(mutex_);
          changed_.wait(lock, [this] { return !ready_.has_value() || stopping_; });
          if (stopping_) return;
        }
        Batch batch = make(i);
        {
          std::lock_guard lock(mutex_);
          ready_ = std::move(batch);
        }
        changed_.notify_all();
      }
    } catch (...) {
      {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
      }
      changed_.notify_all();
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<Batch> ready_;
  std::exception_ptr error_;
  bool stopping_ = false;
  std::thread thread_;  // last: it starts once the members above exist
};

void check_shard(int num_replicas, int rank) {
  if (num_replicas < 1) {
    throw Error("DataLoader: num_replicas " + std::to_string(num_replicas) +
                "; expected at least 1");
  }
  if (rank < 0 || rank >= num_replicas) {
    throw Error("DataLoader: rank " + std::to_string(rank) + "; expected 0 <= rank < " +
                std::to_string(num_replicas) + " (num_replicas)");
  }
}

}  // namespace

DataLoader::DataLoader(Tensor inputs, Tensor targets, DataLoaderOptions options)
    : inputs_(as_rows(inputs, "inputs")),
      targets_(as_rows(targets, "targets")),
      options_(options),
      generator_(options.seed) {
  if (inputs_.size(0) != targets_.size(0)) {
    throw Error("DataLoader: inputs of shape " + shape_to_string(inputs_.shape()) +
                " and targets of shape " + shape_to_string(targets_.shape()) +
                " differ in their first dimension; expected one target per sample");
  }
  if (options_.batch_size < 1) {
    throw Error("DataLoader: batch_size " + std::to_string(options_.batch_size) +
                "; expected at least 1");
  }
  if (!std::isfinite(options_.normalize_mean)) {
    throw Error("DataLoader: normalize_mean " + std::to_string(options_.normalize_mean) +
                "; expected a finite number");
  }
  if (!(options_.normalize_std > 0.0) || !std::isfinite(options_.normalize_std)) {
    throw Error("DataLoader: normalize_std " + std::to_string(options_.normalize_std) +
                "; expected a finite number > 0");
  }
  check_shard(options_.num_replicas, options_.rank);
}

std::int64_t DataLoader::samples_per_epoch() const {
  return shard_size(num_samples(), options_.num_replicas, /*drop_last=*/false);
}

std::int64_t DataLoader::size() const {
  const std::int64_t n = samples_per_epoch();
  const std::int64_t b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

std::vector<std::int64_t> DataLoader::epoch_order() {
  std::vector<std::int64_t> order;
  if (options_.shuffle) {
    order = randperm(num_samples(), generator_);
  } else {
    order.resize(static_cast<std::size_t>(num_samples()));
    std::iota(order.begin(), order.end(), std::int64_t{0});
  }
  if (options_.num_replicas == 1) return order;
  // Every rank drew the same global order from the same seed; each keeps its interleaved share.
  return shard_indices(order, options_.num_replicas, options_.rank, /*drop_last=*/false);
}

Batch DataLoader::make_batch(std::span<const std::int64_t> order, std::int64_t index) const {
  const std::int64_t begin = index * options_.batch_size;
  const std::int64_t count =
      std::min(options_.batch_size, static_cast<std::int64_t>(order.size()) - begin);
  const auto rows = order.subspan(static_cast<std::size_t>(begin), static_cast<std::size_t>(count));
  return {gather_rows(inputs_, rows, options_.normalize_mean, options_.normalize_std),
          gather_rows(targets_, rows, 0.0, 1.0)};
}

void DataLoader::for_each_batch(const std::function<void(const Batch&)>& fn) {
  const std::vector<std::int64_t> order = epoch_order();
  const std::int64_t batches = size();
  if (!options_.prefetch) {
    for (std::int64_t i = 0; i < batches; ++i) fn(make_batch(order, i));
    return;
  }
  Prefetcher prefetcher(batches, [this, &order](std::int64_t i) { return make_batch(order, i); });
  for (std::int64_t i = 0; i < batches; ++i) fn(prefetcher.next());
}

}  // namespace minitorch::data
