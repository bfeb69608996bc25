// The fast backend beyond the op harness's small shapes: large tensors that split over threads,
// every broadcast fast path, reductions along each dimension, GEMM on awkward sizes, views and
// batches, every instruction set, and determinism for a fixed thread count.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <mutex>
#include <set>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "error_helpers.h"
#include "minitorch/backend/cpu_features.h"
#include "minitorch/backend/gemm.h"
#include "minitorch/parallel/parallel.h"
#include "minitorch/tensor/creation.h"
#include "reference_check.h"

namespace mt = minitorch;
using mt::Tensor;

namespace {

using mt::testing::check_against_reference;

using V = const std::vector<Tensor>&;

}  // namespace

TEST(FastBackend, LargeElementwiseWithEveryBroadcastPath) {
  mt::manual_seed(1);
  const Tensor a = mt::randn({301, 517});
  const Tensor row = mt::randn({517});
  const Tensor column = mt::randn({301, 1});
  const Tensor scalar = mt::randn({});
  check_against_reference(
      {a}, [](V v) { return v[0].sigmoid() + v[0].exp() * v[0].tanh(); }, "unary");
  check_against_reference(
      {a, row}, [](V v) { return v[0] + v[1]; }, "row");
  check_against_reference(
      {a, row}, [](V v) { return v[1] * v[0]; }, "row on the left");
  check_against_reference(
      {a, column}, [](V v) { return v[0] - v[1]; }, "column");
  check_against_reference(
      {a, scalar}, [](V v) { return v[0] / v[1] + v[1].exp(); }, "scalar");
  check_against_reference(
      {a}, [](V v) { return v[0].transpose(0, 1).relu(); }, "strided");
  check_against_reference(
      {a}, [](V v) { return v[0].narrow(1, 3, 200).contiguous(); }, "copy");
  check_against_reference(
      {a}, [](V v) { return v[0].to(mt::kFloat64); }, "convert");
  check_against_reference(
      {a, row}, [](V v) { return mt::where(v[0] > 0.0, v[0], v[1]); }, "where");
}

TEST(FastBackend, LargeBackwardPaths) {
  mt::manual_seed(2);
  const Tensor a = mt::randn({257, 300});
  const Tensor b = mt::randn({300});
  check_against_reference(
      {a, b},
      [](V v) {
        const Tensor x = v[0].detach().requires_grad_(true);
        const Tensor y = v[1].detach().requires_grad_(true);
        ((x * y).sigmoid() + x.maximum(y)).sum().backward();
        return x.grad() + y.grad().sum();
      },
      "backward");
}

TEST(FastBackend, ReductionsAlongEveryDimension) {
  mt::manual_seed(3);
  const Tensor a = mt::randn({37, 129, 65});
  for (int dim = 0; dim < 3; ++dim) {
    check_against_reference(
        {a}, [dim](V v) { return v[0].sum(dim); }, "sum " + std::to_string(dim), 1e-4);
    check_against_reference(
        {a}, [dim](V v) { return v[0].max(dim).first; }, "max " + std::to_string(dim));
    check_against_reference(
        {a},
        [dim](V v) {
          return v[0].permute({2, 0, 1}).sum(dim);
        },
        "strided sum " + std::to_string(dim), 1e-4);
  }
  check_against_reference(
      {mt::randn({100000})}, [](V v) { return v[0].sum(); }, "long sum", 1e-4);
}

TEST(FastBackend, MatmulOnAwkwardSizesViewsAndBatches) {
  mt::manual_seed(4);
  const std::vector<std::int64_t> sizes{1, 3, 7, 17, 31, 33, 255, 257};
  for (std::int64_t m : sizes) {
    for (std::int64_t k : {1, 17, 257}) {
      const std::int64_t n = sizes[(m + k) % sizes.size()];
      const Tensor a = mt::randn({m, k}, {.dtype = mt::kFloat64});
      const Tensor b = mt::randn({k, n}, {.dtype = mt::kFloat64});
      check_against_reference(
          {a, b}, [](V v) { return v[0].matmul(v[1]); },
          "matmul " + std::to_string(m) + "x" + std::to_string(k) + "x" + std::to_string(n), 1e-12);
    }
  }
  const mt::TensorOptions f64{.dtype = mt::kFloat64};
  const Tensor a = mt::randn({1023, 33}, f64);
  const Tensor b = mt::randn({1023, 31}, f64);
  check_against_reference(
      {a, b}, [](V v) { return v[0].transpose(0, 1).matmul(v[1]); }, "transposed A", 1e-12);
  check_against_reference(
      {a, b},
      [](V v) { return v[1].narrow(0, 0, 1022).transpose(0, 1).matmul(v[0].narrow(0, 1, 1022)); },
      "narrowed views", 1e-12);
  const Tensor batched = mt::randn({4, 1, 20, 30}, f64);
  const Tensor shared = mt::randn({3, 30, 25}, f64);
  check_against_reference(
      {batched, shared}, [](V v) { return v[0].matmul(v[1]); }, "batch broadcast", 1e-12);
  check_against_reference(
      {batched, shared},
      [](V v) {
        return v[1].permute({0, 2, 1}).matmul(v[0].transpose(-1, -2));
      },
      "batched transposes", 1e-12);
  check_against_reference(
      {mt::randn({300, 500}), mt::randn({500, 400})}, [](V v) { return v[0].matmul(v[1]); },
      "float32, threaded", 1e-4);
}

TEST(FastBackend, GemmPathsForConvolutionShapes) {
  // Few rows with B's rows in place (a convolution's forward), deep dot products with A's rows and
  // B's columns contiguous (its weight gradient), one vector tall with B stored by columns; each
  // large enough to be split over threads.
  mt::Generator g(12);
  const Tensor a6 = mt::randn({6, 151}, {}, &g), b6 = mt::randn({151, 3000}, {}, &g);
  check_against_reference(
      {a6, b6}, [](V v) { return v[0].matmul(v[1]); }, "few rows", 1e-4);
  const Tensor deep_a = mt::randn({10, 5000}, {}, &g), deep_b = mt::randn({26, 5000}, {}, &g);
  check_against_reference(
      {deep_a, deep_b}, [](V v) { return v[0].matmul(v[1].transpose(0, 1)); }, "deep", 1e-4);
  const Tensor by_columns = mt::randn({700, 150}, {}, &g).transpose(0, 1);  // [150, 700]
  check_against_reference(
      {a6.narrow(1, 0, 150).contiguous(), by_columns}, [](V v) { return v[0].matmul(v[1]); },
      "short, B by columns", 1e-4);
}

TEST(FastBackend, GemmIsDeterministicForAFixedThreadCount) {
  mt::manual_seed(5);
  const Tensor a = mt::randn({300, 400});
  const Tensor b = mt::randn({400, 350});
  mt::set_num_threads(2);
  const auto first = a.matmul(b).to_vector();
  const auto sums = [](V v) { return v[0].sum(1) + v[0].sum(0).sum(); };
  const auto first_sums = sums({a}).to_vector();
  // Another thread count in between leaves what 2 threads give unchanged, bit for bit.
  mt::set_num_threads(1);
  (void)a.matmul(b);
  (void)sums({a});
  mt::set_num_threads(2);
  EXPECT_EQ(a.matmul(b).to_vector(), first);
  EXPECT_EQ(sums({a}).to_vector(), first_sums);
  // And the sums are the reference backend's, up to the order of addition.
  check_against_reference({a}, sums, "sums", 1e-4);
}

TEST(FastBackend, GemmAccumulatesAndHandlesEmptyDepth) {
  std::vector<float> a{1, 2, 3, 4}, b{5, 6, 7, 8}, c{1, 1, 1, 1};
  mt::gemm<float>(2, 2, 2, {a.data(), 2, 1}, {b.data(), 2, 1}, {c.data(), 2, 1}, true);
  EXPECT_EQ(c, (std::vector<float>{20, 23, 44, 51}));
  mt::gemm<float>(2, 2, 0, {a.data(), 2, 1}, {b.data(), 2, 1}, {c.data(), 2, 1});
  EXPECT_EQ(c, (std::vector<float>{0, 0, 0, 0}));
  EXPECT_FALSE(mt::gemm_config<float>().kernel.empty());
}

TEST(ParallelFor, CoversTheRangeOnceAndRunsSmallRangesInline) {
  mt::set_num_threads(2);
  std::vector<int> hits(100000, 0);
  mt::parallel_for(0, 100000, 1000, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t i = b; i < e; ++i) ++hits[i];
  });
  for (int h : hits) ASSERT_EQ(h, 1);
  bool inline_call = false;
  mt::parallel_for(0, 10, 1000, [&](std::int64_t b, std::int64_t e) {
    inline_call = b == 0 && e == 10 && !mt::in_parallel_region();
  });
  EXPECT_TRUE(inline_call);
  std::atomic<int> nested_inline{0};
  mt::parallel_for(0, 4, 1, [&](std::int64_t, std::int64_t) {
    mt::parallel_for(0, 1000, 1,
                     [&](std::int64_t b, std::int64_t e) { nested_inline += b == 0 && e == 1000; });
  });
  EXPECT_EQ(nested_inline.load(), 4);
  EXPECT_THROW(mt::set_num_threads(0), mt::Error);
}

// Many back-to-back regions, some after the workers have blocked: every chunk runs exactly once
// and the caller never returns before a joined worker finished its chunk.
TEST(ParallelFor, ManyRegionsNeverLoseOrRepeatWork) {
  mt::set_num_threads(2);
  std::vector<std::atomic<int>> hits(64);
  for (int region = 0; region < 20000; ++region) {
    if (region % 2000 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    mt::parallel_for(0, 64, 8, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
    });
    if (hits[63].load() != region + 1) FAIL() << "region " << region << " lost work";
  }
  for (auto& h : hits) EXPECT_EQ(h.load(), 20000);
}

// A system may refuse threads (an address-space or process limit): the pool then runs with half
// the threads it could start (leaving room for the work), says so once on stderr, and can still be
// replaced and destroyed. Before, the failed start destroyed the condition variable the started
// workers waited on, and hung.
namespace {

int workers_allowed = 0;

void refuse_workers_beyond_the_allowed(int index) {
  if (index > workers_allowed) {
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                            "thread creation refused by the test");
  }
}

// The number of distinct threads that ran a region covering [0, 4096) exactly once each.
std::size_t threads_in_one_region() {
  std::vector<std::atomic<int>> hits(4096);
  std::mutex mutex;
  std::set<std::thread::id> threads;
  mt::parallel_for(0, 4096, 16, [&](std::int64_t b, std::int64_t e) {
    {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
    }
    std::this_thread::sleep_for(std::chrono::microseconds(100));  // let every worker join in
    for (std::int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
  });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
  return threads.size();
}

}  // namespace

TEST(ParallelFor, APoolThatCannotStartAllItsThreadsRunsWithTheOnesItHas) {
  for (const int allowed : {0, 3}) {
    workers_allowed = allowed;
    mt::detail::set_before_worker_start(refuse_workers_beyond_the_allowed);
    ::testing::internal::CaptureStderr();
    mt::set_num_threads(16);
    const auto kept = static_cast<std::size_t>(std::max(1, (allowed + 1) / 2));
    EXPECT_LE(threads_in_one_region(), kept);
    EXPECT_LE(threads_in_one_region(), kept);
    const std::string warning = ::testing::internal::GetCapturedStderr();
    EXPECT_CONTAINS(warning, "refused threads after " + std::to_string(allowed + 1) + " of 16");
    EXPECT_CONTAINS(warning, "run on " + std::to_string(std::max(1, (allowed + 1) / 2)));
    EXPECT_EQ(warning.find("warning", warning.find("warning") + 1), std::string::npos)
        << "warned more than once: " << warning;
    mt::detail::set_before_worker_start(nullptr);
    mt::set_num_threads(2);  // replaces (destroys) the short pool
    EXPECT_LE(threads_in_one_region(), 2u);
  }
}

TEST(ParallelFor, ThreadCountsAreBoundedByKMaxThreads) {
  EXPECT_EQ(mt::kMaxThreads, 1024);
  const std::string message =
      mt::testing::error_of([] { mt::set_num_threads(mt::kMaxThreads + 1); });
  EXPECT_CONTAINS(message, "1025");
  EXPECT_CONTAINS(message, "1024");
  mt::set_num_threads(2);
}

// An exception thrown by a chunk, on a worker or on the calling thread, reaches the caller once
// the whole region has stopped (no worker still runs a chunk of it), and the pool stays usable.
// Before, a worker's exception ended the process (std::terminate: a bad_alloc under a memory
// limit aborted training) and a caller's left the thread marked as inside a region for good.
TEST(ParallelFor, AnExceptionInAnyChunkReachesTheCallerAfterTheRegion) {
  mt::set_num_threads(4);
  const std::thread::id caller = std::this_thread::get_id();
  for (int round = 0; round < 10; ++round) {
    const bool only_workers_throw = round % 2 == 0;
    std::atomic<bool> worker_threw{false};
    const auto chunk = [&](std::int64_t, std::int64_t) {
      if (std::this_thread::get_id() != caller) {
        worker_threw = true;
        throw mt::Error("a worker's chunk failed");
      }
      if (!only_workers_throw) throw mt::Error("the caller's chunk failed");
      // Holds the caller back until a worker has taken a chunk (and thrown), however loaded the
      // machine, for at most 5 s.
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (!worker_threw && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
    };
    EXPECT_THROW(mt::parallel_for(0, 4096, 16, chunk), mt::Error) << "round " << round;
    EXPECT_FALSE(mt::in_parallel_region());
  }
  EXPECT_LE(threads_in_one_region(), 4u);
  mt::set_num_threads(2);
}
