#include "minitorch/distributed/process_group.h"

#include <mpi.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

#include "minitorch/core/error.h"

namespace minitorch::distributed {
namespace {

// ---- checks shared by both groups ---------------------------------------------------------------

void check_reducible(const Tensor& tensor, const char* what) {
  if (!tensor.defined()) throw Error(std::string(what) + ": the tensor is undefined");
  if (!tensor.device().is_cpu()) {
    throw Error(std::string(what) + ": the tensor is on " + tensor.device().str() +
                "; expected a CPU tensor");
  }
  if (!tensor.is_contiguous()) {
    throw Error(std::string(what) + ": the tensor of shape " + shape_to_string(tensor.shape()) +
                " is not contiguous; expected a contiguous tensor (call contiguous())");
  }
}

void check_root(int root, int size) {
  if (root < 0 || root >= size) {
    throw Error("broadcast: root " + std::to_string(root) + " is not a rank; expected 0 to " +
                std::to_string(size - 1));
  }
}

// ---- a group of one
// -------------------------------------------------------------------------------

class DoneWork : public Work {
 public:
  void wait() override {}
  bool is_completed() const override { return true; }
};

class SingleProcessGroup : public ProcessGroup {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  void all_reduce(const Tensor& tensor, ReduceOp) override {
    check_reducible(tensor, "all_reduce");
  }
  std::shared_ptr<Work> all_reduce_async(const Tensor& tensor, ReduceOp) override {
    check_reducible(tensor, "all_reduce");
    return std::make_shared<DoneWork>();
  }
  void broadcast(const Tensor& tensor, int root) override {
    check_reducible(tensor, "broadcast");
    check_root(root, 1);
  }
  void barrier() override {}
  std::vector<double> all_gather(double value) override { return {value}; }
  std::vector<std::int64_t> all_gather(std::int64_t value) override { return {value}; }
  std::vector<std::string> all_gather(const std::string& value) override { return {value}; }
  [[noreturn]] void abort(int code) override { std::_Exit(code); }
};

// ---- Open MPI
// -------------------------------------------------------------------------------------

void check_mpi(int code, const char* call) {
  if (code == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING] = {};
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw Error(std::string(call) +
              " failed: " + std::string(text, static_cast<std::size_t>(length)));
}

MPI_Datatype mpi_type(Dtype dtype) {
  return dtype == kFloat64 ? MPI_DOUBLE : MPI_FLOAT;
}

// MPI counts are ints: a larger tensor goes in pieces.
constexpr std::int64_t kMaxCount = INT_MAX / 2;

struct Span {
  char* data;
  std::int64_t count;
  std::int64_t element_size;
  MPI_Datatype type;
};

Span span_of(const Tensor& tensor) {
  const TensorData& data = tensor.tensor_data();
  return dispatch_dtype(tensor.dtype(), [&]<class T>() {
    return Span{reinterpret_cast<char*>(data.data<T>() + data.offset()), tensor.numel(),
                static_cast<std::int64_t>(sizeof(T)), mpi_type(tensor.dtype())};
  });
}

void divide(const Tensor& tensor, int size) {
  const TensorData& data = tensor.tensor_data();
  dispatch_dtype(tensor.dtype(), [&]<class T>() {
    T* values = data.data<T>() + data.offset();
    const T divisor = static_cast<T>(size);
    // The count is read once: re-reading it each iteration kept the loop from vectorising, and
    // made it a quarter of a LeNet-5 step's all-reduce.
    const std::int64_t count = tensor.numel();
    for (std::int64_t i = 0; i < count; ++i) values[i] /= divisor;
  });
}

// Waits for a non-blocking request. MPI progresses only inside its calls, and a collective of
// more than a few kilobytes takes many steps of progress: while a thread is blocked waiting for
// the group (waiting > 0) the request is tested without pause, as a blocking call would; while
// the caller still computes (a bucket overlapping the backward pass), every 50 µs after a short
// spin, which leaves the core to that computation.
void wait_politely(MPI_Request& request, const std::atomic<int>& waiting) {
  int done = 0;
  for (int spin = 0; !done; ++spin) {
    check_mpi(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done || spin < 200 || waiting.load(std::memory_order_relaxed) > 0) continue;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
}

class QueuedWork : public Work {
 public:
  explicit QueuedWork(std::atomic<int>& waiting) : waiting_(waiting) {}
  void wait() override {
    waiting_.fetch_add(1);
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return done_; });
    waiting_.fetch_sub(1);
    if (error_) std::rethrow_exception(error_);
  }
  bool is_completed() const override {
    std::lock_guard lock(mutex_);
    return done_;
  }
  void finish(std::exception_ptr error) {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      error_ = error;
    }
    changed_.notify_all();
  }

 private:
  std::atomic<int>& waiting_;  // the group's count of threads blocked in wait()
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  bool done_ = false;
  std::exception_ptr error_;
};

class MpiProcessGroup : public ProcessGroup {
 public:
  MpiProcessGroup() {
    int initialised = 0;
    MPI_Initialized(&initialised);
    if (!initialised) {
      int provided = 0;
      check_mpi(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided),
                "MPI_Init_thread");
      if (provided < MPI_THREAD_SERIALIZED) {
        throw Error("MPI provides thread level " + std::to_string(provided) +
                    "; expected MPI_THREAD_SERIALIZED (Open MPI built with thread support)");
      }
      owns_mpi_ = true;
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    worker_ = std::thread([this] { work(); });
  }

  ~MpiProcessGroup() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_ready_.notify_all();
    worker_.join();
    if (owns_mpi_) {
      int finalised = 0;
      MPI_Finalized(&finalised);
      if (!finalised) MPI_Finalize();
    }
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }

  void all_reduce(const Tensor& tensor, ReduceOp op) override {
    check_reducible(tensor, "all_reduce");
    run_inline([&] { reduce_blocking(tensor, op); });
  }

  std::shared_ptr<Work> all_reduce_async(const Tensor& tensor, ReduceOp op) override {
    check_reducible(tensor, "all_reduce");
    return submit([this, tensor, op] { reduce_nonblocking(tensor, op); });
  }

  void broadcast(const Tensor& tensor, int root) override {
    check_reducible(tensor, "broadcast");
    check_root(root, size_);
    run_inline([&] {
      const Span s = span_of(tensor);
      for (std::int64_t at = 0; at < s.count; at += kMaxCount) {
        const int count = static_cast<int>(std::min(kMaxCount, s.count - at));
        check_mpi(MPI_Bcast(s.data + at * s.element_size, count, s.type, root, MPI_COMM_WORLD),
                  "MPI_Bcast");
      }
    });
  }

  void barrier() override {
    run_inline([] { check_mpi(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier"); });
  }

  std::vector<double> all_gather(double value) override {
    std::vector<double> out(static_cast<std::size_t>(size_));
    run_inline([&] {
      check_mpi(MPI_Allgather(&value, 1, MPI_DOUBLE, out.data(), 1, MPI_DOUBLE, MPI_COMM_WORLD),
                "MPI_Allgather");
    });
    return out;
  }

  std::vector<std::int64_t> all_gather(std::int64_t value) override {
    std::vector<std::int64_t> out(static_cast<std::size_t>(size_));
    run_inline([&] {
      check_mpi(MPI_Allgather(&value, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T, MPI_COMM_WORLD),
                "MPI_Allgather");
    });
    return out;
  }

  std::vector<std::string> all_gather(const std::string& value) override {
    const std::vector<std::int64_t> lengths = all_gather(static_cast<std::int64_t>(value.size()));
    std::vector<int> counts, displacements;
    std::int64_t total = 0;
    for (const std::int64_t length : lengths) {
      if (total + length > INT_MAX) throw Error("all_gather: the strings exceed 2 GB in all");
      counts.push_back(static_cast<int>(length));
      displacements.push_back(static_cast<int>(total));
      total += length;
    }
    std::string joined(static_cast<std::size_t>(total), '\0');
    run_inline([&] {
      check_mpi(
          MPI_Allgatherv(value.data(), static_cast<int>(value.size()), MPI_CHAR, joined.data(),
                         counts.data(), displacements.data(), MPI_CHAR, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    });
    std::vector<std::string> out;
    for (int r = 0; r < size_; ++r) {
      out.push_back(joined.substr(static_cast<std::size_t>(displacements[r]),
                                  static_cast<std::size_t>(counts[r])));
    }
    return out;
  }

  [[noreturn]] void abort(int code) override {
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);
  }

 private:
  void reduce_blocking(const Tensor& tensor, ReduceOp op) {
    const Span s = span_of(tensor);
    for (std::int64_t at = 0; at < s.count; at += kMaxCount) {
      const int count = static_cast<int>(std::min(kMaxCount, s.count - at));
      check_mpi(MPI_Allreduce(MPI_IN_PLACE, s.data + at * s.element_size, count, s.type, MPI_SUM,
                              MPI_COMM_WORLD),
                "MPI_Allreduce");
    }
    if (op == ReduceOp::Average) divide(tensor, size_);
  }

  void reduce_nonblocking(const Tensor& tensor, ReduceOp op) {
    const Span s = span_of(tensor);
    for (std::int64_t at = 0; at < s.count; at += kMaxCount) {
      const int count = static_cast<int>(std::min(kMaxCount, s.count - at));
      MPI_Request request;
      check_mpi(MPI_Iallreduce(MPI_IN_PLACE, s.data + at * s.element_size, count, s.type, MPI_SUM,
                               MPI_COMM_WORLD, &request),
                "MPI_Iallreduce");
      wait_politely(request, waiting_);
    }
    if (op == ReduceOp::Average) divide(tensor, size_);
  }

  // A blocking collective runs on the calling thread, after every collective started before it
  // (MPI requires one order on every rank) and alone (MPI_THREAD_SERIALIZED): no hand-off costs.
  void run_inline(const std::function<void()>& collective) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queue_.empty() && !busy_; });
    busy_ = true;
    lock.unlock();
    try {
      collective();
    } catch (...) {
      release();
      throw;
    }
    release();
  }

  void release() {
    bool queued = false;
    {
      std::lock_guard lock(mutex_);
      busy_ = false;
      queued = !queue_.empty();
    }
    changed_.notify_all();
    if (queued) work_ready_.notify_one();
  }

  std::shared_ptr<Work> submit(std::function<void()> collective) {
    auto work = std::make_shared<QueuedWork>(waiting_);
    {
      std::lock_guard lock(mutex_);
      queue_.push_back({std::move(collective), work});
    }
    work_ready_.notify_one();
    return work;
  }

  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_ready_.wait(
          lock, [this] { return (!queue_.empty() && !busy_) || (stopping_ && queue_.empty()); });
      if (queue_.empty()) return;  // stopping, nothing left
      Job job = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
      lock.unlock();
      std::exception_ptr error;
      try {
        job.collective();
      } catch (...) {
        error = std::current_exception();
      }
      job.work->finish(error);
      lock.lock();
      busy_ = false;
      changed_.notify_all();
    }
  }

  struct Job {
    std::function<void()> collective;
    std::shared_ptr<QueuedWork> work;
  };

  int rank_ = 0;
  int size_ = 1;
  bool owns_mpi_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;     // busy_ became false: for callers waiting to run inline
  std::condition_variable work_ready_;  // a job was queued (or stopping_): for the worker alone
  std::deque<Job> queue_;
  std::atomic<int> waiting_{0};  // threads blocked in a Work's wait()
  bool busy_ = false;            // a collective is running (on the worker or inline)
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace

bool ProcessGroup::launched_by_mpirun() {
  const char* size = std::getenv("OMPI_COMM_WORLD_SIZE");
  return size != nullptr && *size != '\0';
}

ProcessGroup& ProcessGroup::world() {
  static const std::unique_ptr<ProcessGroup> group =
      launched_by_mpirun() ? std::unique_ptr<ProcessGroup>(std::make_unique<MpiProcessGroup>())
                           : make_single_process_group();
  return *group;
}

std::unique_ptr<ProcessGroup> make_single_process_group() {
  return std::make_unique<SingleProcessGroup>();
}

}  // namespace minitorch::distributed
