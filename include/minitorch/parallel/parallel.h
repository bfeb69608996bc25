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
// MINITORCH_NUM_THREADS, else every core the process may use.
#pragma once

#include <cstdint>
#include <functional>
#include <utility>

namespace minitorch {

int get_num_threads();
// Requires n >= 1 (Error otherwise). Takes effect for the next parallel region.
void set_num_threads(int n);
bool in_parallel_region();

using RangeFunction = std::function<void(std::int64_t begin, std::int64_t end)>;

namespace detail {
bool runs_inline(std::int64_t length, std::int64_t grain);
void run_in_pool(std::int64_t begin, std::int64_t end, std::int64_t grain, const RangeFunction& fn);
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
