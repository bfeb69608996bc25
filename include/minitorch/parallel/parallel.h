// parallel_for — runs a range of work on the framework's thread pool.
//
// parallel_for(begin, end, grain, fn) calls fn(chunk_begin, chunk_end) over disjoint chunks that
// cover [begin, end) exactly once, each at least `grain` long (except the last). Ranges shorter
// than two grains, a pool of one thread, and calls made from inside a parallel region run inline
// on the calling thread, so tiny operations pay no synchronisation at all. The calling thread
// takes part in the work; it returns when every chunk is done. The chunking depends only on the
// range, the grain and the thread count, so results are deterministic for a fixed thread count.
//
// The pool's workers spin briefly after a region (so back-to-back regions start in about a
// microsecond) and then block on a condition variable (so an idle or oversubscribed machine does
// not lose a core to spinning). Thread count: set_num_threads(n), else the environment variable
// MINITORCH_NUM_THREADS (ignored unless a number in 1..kMaxThreads), else every core the process
// may use. When the system refuses some threads (an address-space or process limit), the pool runs
// with the ones it started and says so once on stderr; chunking still follows the requested count,
// so results do not change.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

namespace minitorch {

// The most threads a pool may have: the bound on set_num_threads, MINITORCH_NUM_THREADS and the
// command line's --threads.
inline constexpr int kMaxThreads = 1024;

// The requested thread count (what set_num_threads or the environment asked for).
int get_num_threads();
// Requires 1 <= n <= kMaxThreads (Error naming n and the range otherwise). Takes effect for the
// next parallel region.
void set_num_threads(int n);
bool in_parallel_region();

using RangeFunction = std::function<void(std::int64_t begin, std::int64_t end)>;

namespace detail {
bool runs_inline(std::int64_t length, std::int64_t grain);
void run_in_pool(std::int64_t begin, std::int64_t end, std::int64_t grain, const RangeFunction& fn);

// Test seam: hook(index) runs before the pool starts its worker number index (1, 2, ...); a hook
// that throws std::system_error stands for a system that refuses more threads. nullptr removes it.
void set_before_worker_start(void (*hook)(int index));
}  // namespace detail

// A template so that the common inline case calls fn directly, with no std::function built.
template <class F>
void parallel_for(std::int64_t begin, std::int64_t end, std::int64_t grain, F&& fn) {
  if (end <= begin) return;
  if (detail::runs_inline(end - begin, grain)) {
    fn(begin, end);
    return;
  }
  detail::run_in_pool(begin, end, grain, RangeFunction(std::ref(fn)));
}

}  // namespace minitorch
