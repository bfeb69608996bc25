#include "minitorch/serve/batcher.h"

namespace minitorch::serve {

using Clock = std::chrono::steady_clock;

Batcher::Batcher(BatchingOptions options, BatchObserver observer)
    : options_(options), observer_(std::move(observer)) {
  if (options_.threads < 1 || options_.max_batch_size < 1 || options_.max_queue_rows < 1 ||
      options_.max_queue_delay.count() < 0) {
    throw Error("serve::Batcher: threads " + std::to_string(options_.threads) +
                ", max batch size " + std::to_string(options_.max_batch_size) +
                ", max queue rows " + std::to_string(options_.max_queue_rows) +
                ", max queue delay " + std::to_string(options_.max_queue_delay.count()) +
                " us; expected at least 1 of each and a delay >= 0");
  }
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { work(); });
}

Batcher::~Batcher() {
  stop();
}

std::future<Inference> Batcher::submit(const std::string& model_name,
                                       std::shared_ptr<const Classifier> model, Tensor rows) {
  if (!model) throw Error("serve::Batcher::submit: no model");
  const std::int64_t n = rows.size(0);
  Request request{model_name, std::move(model), std::move(rows), {}, Clock::now()};
  std::future<Inference> result = request.result.get_future();
  std::int64_t depth = 0;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) throw Error("the server is shutting down; expected no new requests");
    if (rows_waiting_ + n > options_.max_queue_rows) {
      throw QueueFull("the inference queue holds " + std::to_string(rows_waiting_) +
                      " rows waiting and takes at most " + std::to_string(options_.max_queue_rows) +
                      "; retry later");
    }
    rows_waiting_ += n;
    queue_.push_back(std::move(request));
    depth = rows_waiting_for(queue_.back().model.get());
  }
  changed_.notify_all();
  if (observer_.on_queue_depth) observer_.on_queue_depth(model_name, depth);
  return result;
}

Batcher::Arrival Batcher::expect_request() {
  std::lock_guard lock(mutex_);
  ++arriving_;
  return Arrival(this);
}

void Batcher::arrival_done() {
  {
    std::lock_guard lock(mutex_);
    --arriving_;
  }
  changed_.notify_all();
}

void Batcher::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

std::int64_t Batcher::rows_waiting_for(const Classifier* model) const {
  std::int64_t rows = 0;
  for (const Request& request : queue_) {
    if (request.model.get() == model) rows += request.rows.size(0);
  }
  return rows;
}

void Batcher::work() {
  for (;;) {
    std::vector<Request> batch;
    {
      std::unique_lock lock(mutex_);
      batch = take_batch(lock);
    }
    if (batch.empty()) return;
    run_batch(batch);
  }
}

// Under the lock. Empty only when stopping with nothing left to do.
std::vector<Batcher::Request> Batcher::take_batch(std::unique_lock<std::mutex>& lock) {
  for (;;) {
    changed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return {};
    const Classifier* model = queue_.front().model.get();
    const Clock::time_point deadline = queue_.front().arrived + options_.max_queue_delay;
    if (!stopping_ && arriving_ > 0 && rows_waiting_for(model) < options_.max_batch_size &&
        Clock::now() < deadline) {
      changed_.wait_until(lock, deadline);
      continue;  // another thread may have taken these requests meanwhile
    }
    std::vector<Request> batch;
    std::int64_t rows = 0;
    for (auto it = queue_.begin(); it != queue_.end();) {
      if (it->model.get() != model) {
        ++it;
        continue;
      }
      const std::int64_t n = it->rows.size(0);
      if (!batch.empty() && rows + n > options_.max_batch_size) break;
      rows += n;
      batch.push_back(std::move(*it));
      it = queue_.erase(it);
    }
    rows_waiting_ -= rows;
    const std::int64_t depth = rows_waiting_for(model);
    if (observer_.on_queue_depth) {
      lock.unlock();
      observer_.on_queue_depth(batch.front().model_name, depth);
      lock.lock();
    }
    return batch;
  }
}

// Storage buffers are cached by the thread that frees them: the rows are released here before
// any answer is given, so that the requesting thread, which still holds them, frees and reuses
// them; otherwise this thread's cache would fill with buffers only other threads allocate.
void Batcher::run_batch(std::vector<Request>& batch) {
  try {
    std::vector<std::int64_t> counts;
    Tensor probabilities;
    std::int64_t total = 0;
    {
      std::vector<Tensor> parts;
      for (Request& request : batch) {
        counts.push_back(request.rows.size(0));
        parts.push_back(std::move(request.rows));
      }
      const Tensor rows = parts.size() == 1 ? parts.front() : cat(parts, 0);
      total = rows.size(0);
      const Clock::time_point start = Clock::now();
      probabilities = batch.front().model->probabilities(rows);
      const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
      if (observer_.on_batch) observer_.on_batch(batch.front().model_name, total, seconds);
    }
    const std::vector<double> all = probabilities.to_vector();
    const std::int64_t classes = probabilities.size(1);
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < batch.size(); ++i) {
      const auto first = all.begin() + offset * classes;
      batch[i].result.set_value(
          {std::vector<float>(first, first + counts[i] * classes), classes, total});
      offset += counts[i];
    }
  } catch (...) {
    for (Request& request : batch) {
      try {
        request.result.set_exception(std::current_exception());
      } catch (const std::future_error&) {
        // This request already has its answer: the failure came after it.
      }
    }
  }
}

}  // namespace minitorch::serve
