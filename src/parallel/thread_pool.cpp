// The thread pool behind parallel_for: N - 1 workers plus the calling thread.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "minitorch/core/error.h"
#include "minitorch/parallel/parallel.h"

namespace minitorch {
namespace {

// How long an idle worker keeps polling before it blocks. Back-to-back regions of one training
// step arrive within microseconds; a blocked worker costs a futex wake-up (~15 µs here).
constexpr auto kSpinFor = std::chrono::microseconds(50);

thread_local bool inside_region = false;

std::atomic<void (*)(int)> before_worker_start{nullptr};

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

int available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

int threads_from_environment() {
  if (const char* text = std::getenv("MINITORCH_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(text, &end, 10);
    if (end != text && *end == '\0' && n >= 1 && n <= kMaxThreads) return static_cast<int>(n);
  }
  return available_cores();
}

// Regions are published through one persistent slot. A worker takes part in a region only by
// registering in `active_` and then finding the region still open; the caller closes the region
// once every chunk has been taken and waits only for registered workers. So a worker that is
// asleep, or descheduled by another process on its core, never delays the caller: the caller runs
// the chunks itself. (seq_cst on active_ / closed_ makes "worker registers, then reads closed" and
// "caller closes, then reads active" exclusive, as in Dekker's algorithm.)
//
// A system may refuse threads (an address-space or process limit makes std::thread throw). The
// pool then keeps the workers it started rather than throw out of its constructor, which would
// destroy the condition variable they wait on while they wait (a hang, or undefined behaviour).
class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    workers_.reserve(static_cast<std::size_t>(threads));  // so only a thread start can fail below
    for (int i = 1; i < threads; ++i) {
      if (!start_worker(i)) break;
    }
  }

  ~ThreadPool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
      epoch_.fetch_add(1);
    }
    wake_.notify_all();
    for (auto& worker : workers_) worker.join();
  }

  // The threads that run regions (the caller included), at most the count asked for.
  int size() const { return static_cast<int>(workers_.size()) + 1; }
  // Why the system refused a thread; empty when it refused none.
  const std::string& refusal() const { return refusal_; }

  void run(std::int64_t chunks, const std::function<void(std::int64_t)>& task) {
    task_ = &task;
    chunks_ = chunks;
    next_chunk_.store(0);
    std::uint64_t epoch;
    {
      std::lock_guard lock(mutex_);
      epoch = epoch_.fetch_add(1) + 1;
    }
    wake_.notify_all();
    run_chunks();
    closed_.store(epoch);
    while (active_.load() != 0) cpu_relax();  // registered workers are running their last chunk
    // Only now, with no thread left in the region, may the caller leave it by an exception.
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  bool start_worker(int index) {
    try {
      if (auto hook = before_worker_start.load()) hook(index);
      workers_.emplace_back([this] { work(); });
      return true;
    } catch (const std::system_error& e) {
      refusal_ = e.code().message();
      return false;
    }
  }

  // A chunk's exception must not leave its thread: on a worker it would end the process, on the
  // caller it would leave the region while workers still run chunks that reference its frame. The
  // first one is kept for run() to rethrow, and the chunks nobody took yet are skipped.
  void run_chunks() {
    for (std::int64_t chunk = next_chunk_.fetch_add(1); chunk < chunks_;
         chunk = next_chunk_.fetch_add(1)) {
      try {
        (*task_)(chunk);
      } catch (...) {
        keep_first_error(std::current_exception());
        next_chunk_.store(chunks_);
      }
    }
  }

  void keep_first_error(std::exception_ptr error) {
    std::lock_guard lock(error_mutex_);
    if (!error_) error_ = std::move(error);
  }

  template <class Ready>
  static bool spin_until(Ready ready) {
    const auto deadline = std::chrono::steady_clock::now() + kSpinFor;
    for (int i = 0;; ++i) {
      if (ready()) return true;
      cpu_relax();
      if ((i & 255) == 255 && std::chrono::steady_clock::now() > deadline) return false;
    }
  }

  void work() {
    inside_region = true;  // nested parallel_for calls from a worker run inline
    std::uint64_t seen = 0;
    for (;;) {
      auto published = [&] { return epoch_.load() != seen; };
      if (!spin_until(published)) {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, published);
      }
      if (stop_) return;
      seen = epoch_.load();
      active_.fetch_add(1);
      if (epoch_.load() == seen && closed_.load() != seen) run_chunks();
      active_.fetch_sub(1);
    }
  }

  std::string refusal_;
  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<std::uint64_t> closed_{0};
  std::atomic<int> active_{0};
  std::atomic<std::int64_t> next_chunk_{0};
  const std::function<void(std::int64_t)>* task_ = nullptr;
  std::int64_t chunks_ = 0;
  std::mutex error_mutex_;
  std::exception_ptr error_;  // the region's first exception, rethrown by run()
  bool stop_ = false;
};

// Marks the calling thread as inside a region for as long as it runs one, exception or not.
struct RegionMark {
  RegionMark() { inside_region = true; }
  ~RegionMark() { inside_region = false; }
  RegionMark(const RegionMark&) = delete;
  RegionMark& operator=(const RegionMark&) = delete;
};

struct PoolState {
  std::mutex mutex;  // serialises regions started from different user threads
  std::atomic<int> requested{threads_from_environment()};
  std::unique_ptr<ThreadPool> pool;
  int pool_built_for = 0;  // the requested count the pool was built for (it may have fewer)
};

// A pool for `threads` threads, or for fewer when the system refuses some. A refusal means the
// process is at its limit of threads or address space (each thread reserves its stack), and a
// pool that kept every thread it got would leave the work itself no room: it then keeps half of
// them, and says so once on stderr.
std::unique_ptr<ThreadPool> build_pool(int threads) {
  auto pool = std::make_unique<ThreadPool>(threads);
  if (pool->refusal().empty()) return pool;
  const int started = pool->size();
  const std::string refusal = pool->refusal();
  pool.reset();
  pool = std::make_unique<ThreadPool>(std::max(1, started / 2));
  std::fprintf(stderr,
               "minitorch: warning: the system refused threads after %d of %d (%s); parallel "
               "regions run on %d, leaving room for the work\n",
               started, threads, refusal.c_str(), pool->size());
  return pool;
}

PoolState& state() {
  static PoolState s;
  return s;
}

}  // namespace

int get_num_threads() {
  return state().requested.load(std::memory_order_relaxed);
}

void set_num_threads(int n) {
  if (n < 1 || n > kMaxThreads) {
    throw Error("set_num_threads: " + std::to_string(n) + " threads; expected 1 to " +
                std::to_string(kMaxThreads));
  }
  state().requested.store(n, std::memory_order_relaxed);
}

bool in_parallel_region() {
  return inside_region;
}

namespace detail {

bool runs_inline(std::int64_t length, std::int64_t grain) {
  return inside_region || length < 2 * std::max<std::int64_t>(grain, 1) || get_num_threads() == 1;
}

void run_in_pool(std::int64_t begin, std::int64_t end, std::int64_t grain,
                 const RangeFunction& fn) {
  grain = std::max<std::int64_t>(grain, 1);
  const std::int64_t length = end - begin;
  PoolState& s = state();
  std::lock_guard lock(s.mutex);
  const int threads = s.requested.load(std::memory_order_relaxed);
  if (threads == 1) {
    fn(begin, end);
    return;
  }
  if (!s.pool || s.pool_built_for != threads) {
    s.pool.reset();
    s.pool = build_pool(threads);
    s.pool_built_for = threads;
  }
  // Chunks of at least `grain`, a few per thread so a slow thread does not hold everyone up.
  const std::int64_t chunks = std::min<std::int64_t>(length / grain, 4 * threads);
  const std::int64_t step = (length + chunks - 1) / chunks;
  const std::function<void(std::int64_t)> task = [&](std::int64_t chunk) {
    const std::int64_t first = begin + chunk * step;
    fn(first, std::min(end, first + step));
  };
  RegionMark mark;
  s.pool->run((length + step - 1) / step, task);
}

void set_before_worker_start(void (*hook)(int index)) {
  before_worker_start.store(hook);
}

}  // namespace detail

}  // namespace minitorch
