// serve::Batcher — dynamic batching: concurrent requests for one model are gathered into one
// forward pass, on a fixed pool of inference threads separate from the threads that read
// requests.
//
// submit(model, rows) queues a batch of rows [n, ...] for `model` and returns the future of its
// Inference: its probabilities [n, classes] and the rows of the forward pass it ran in. An
// inference thread takes the oldest waiting request and gathers the requests of the same model
// behind it, in arrival order, while their rows fit in max_batch_size, waiting for more at most
// max_queue_delay after the oldest one arrived, and only while more are on their way (requests
// announced by expect_request(), being read: a lone request on an idle server runs at once); it
// then runs one forward pass over their rows concatenated and hands each request exactly its own
// rows. A request of more than max_batch_size rows runs alone. A request's answer is the one its
// rows get alone up to float32 rounding: the matrix product picks its kernel by the product's
// size, and kernels sum in different orders (the tests check the classes and 1e-6).
// The batcher lets go of a request's rows before answering it: a caller that holds them until the
// answer frees them on its own thread, whose storage cache then reuses them (buffers freed by the
// inference threads would pile up in their caches instead).
//   Requires: threads >= 1, max_batch_size >= 1, max_queue_rows >= 1 (Error otherwise).
//   submit throws QueueFull when the rows waiting (this request's included) would exceed
//   max_queue_rows, and Error after stop(); a model's failure reaches the future as its Error.
//   stop() refuses new requests, lets the threads finish every queued one and joins them; the
//   destructor stops too.
// The observer, when set, is told of every forward pass (model name, rows, seconds) from the
// inference thread that ran it, and of the queue's depth in rows whenever it changes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/serve/classifier.h"
#include "minitorch/tensor/tensor.h"

namespace minitorch::serve {

struct BatchingOptions {
  int threads = 1;
  std::int64_t max_batch_size = 32;
  std::chrono::microseconds max_queue_delay{500};
  std::int64_t max_queue_rows = 1024;
};

struct BatchObserver {
  std::function<void(const std::string& model, std::int64_t rows, double seconds)> on_batch;
  std::function<void(const std::string& model, std::int64_t rows_waiting)> on_queue_depth;
};

// Plain memory rather than a Tensor: a tensor made on the inference thread and freed on the
// requesting one would end in that thread's storage cache, which never reuses it.
struct Inference {
  std::vector<float> probabilities;  // [rows, classes] row-major, this request's rows only
  std::int64_t classes = 0;
  std::int64_t batch_rows = 0;  // rows of the forward pass, this request's and the others'

  std::int64_t rows() const {
    return classes > 0 ? static_cast<std::int64_t>(probabilities.size()) / classes : 0;
  }
};

class QueueFull : public Error {
 public:
  using Error::Error;
};

class Batcher {
 public:
  // A request being read that will be submitted soon: while one exists, a batch that is not
  // full waits for it (up to max_queue_delay). Done when submitted, or when destroyed.
  class Arrival {
   public:
    explicit Arrival(Batcher* batcher) : batcher_(batcher) {}
    Arrival(Arrival&& other) noexcept : batcher_(std::exchange(other.batcher_, nullptr)) {}
    Arrival& operator=(Arrival&&) = delete;
    ~Arrival() { done(); }
    void done() {
      if (batcher_) std::exchange(batcher_, nullptr)->arrival_done();
    }

   private:
    Batcher* batcher_;
  };

  explicit Batcher(BatchingOptions options, BatchObserver observer = {});
  ~Batcher();
  Batcher(const Batcher&) = delete;
  Batcher& operator=(const Batcher&) = delete;

  std::future<Inference> submit(const std::string& model_name,
                                std::shared_ptr<const Classifier> model, Tensor rows);
  void stop();
  Arrival expect_request();

  const BatchingOptions& options() const { return options_; }

 private:
  struct Request {
    std::string model_name;
    std::shared_ptr<const Classifier> model;
    Tensor rows;
    std::promise<Inference> result;
    std::chrono::steady_clock::time_point arrived;
  };

  void work();
  std::vector<Request> take_batch(std::unique_lock<std::mutex>& lock);
  void run_batch(std::vector<Request>& batch);
  std::int64_t rows_waiting_for(const Classifier* model) const;
  void arrival_done();

  BatchingOptions options_;
  BatchObserver observer_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Request> queue_;
  std::int64_t rows_waiting_ = 0;
  std::int64_t arriving_ = 0;  // requests announced and not yet submitted
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace minitorch::serve
