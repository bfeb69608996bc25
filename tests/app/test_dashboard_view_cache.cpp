// The dashboard's cache of small computed answers: hits for the same stamp, recomputation when
// the files changed, least recently used entries dropped, failures not cached.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/dashboard/view_cache.h"

namespace {

using minitorch::app::dashboard::ViewCache;

TEST(DashboardViewCache, HitsRecomputesAndEvicts) {
  ViewCache<int> cache(2);
  int computed = 0;
  auto value = [&computed](int v) {
    return [&computed, v] {
      ++computed;
      return v;
    };
  };
  EXPECT_EQ(cache.get("a", "t1", value(1)), 1);
  EXPECT_EQ(cache.get("a", "t1", value(99)), 1);  // same stamp: cached
  EXPECT_EQ(computed, 1);
  EXPECT_EQ(cache.get("a", "t2", value(2)), 2);  // the file changed
  EXPECT_EQ(cache.get("b", "t", value(3)), 3);
  EXPECT_EQ(cache.get("a", "t2", value(99)), 2);  // a is now the most recent
  EXPECT_EQ(cache.get("c", "t", value(4)), 4);    // drops b, the least recently used
  EXPECT_EQ(cache.get("a", "t2", value(99)), 2);
  EXPECT_EQ(cache.get("b", "t", value(5)), 5);
  EXPECT_EQ(computed, 5);
}

TEST(DashboardViewCache, AFailureIsNotCached) {
  ViewCache<int> cache(2);
  EXPECT_THROW(cache.get("a", "t", []() -> int { throw std::runtime_error("no data"); }),
               std::runtime_error);
  EXPECT_EQ(cache.get("a", "t", [] { return 7; }), 7);
}

}  // namespace

namespace {

using minitorch::app::dashboard::ViewCache;

// As the dashboard's heavy views do: identical requests queued on one lock compute once, because
// each keeps its value before it releases the lock.
TEST(DashboardViewCache, FindPutUnderALockLetsQueuedRequestsShareOneComputation) {
  ViewCache<int> cache(4);
  std::mutex heavy_work;
  std::atomic<int> computed{0};
  auto request = [&] {
    if (std::optional<int> cached = cache.find("view", "t")) return *cached;
    std::lock_guard lock(heavy_work);
    if (std::optional<int> done = cache.find("view", "t")) return *done;
    ++computed;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cache.put("view", "t", 7);
    return 7;
  };
  std::vector<std::thread> requests;
  for (int i = 0; i < 4; ++i) {
    requests.emplace_back([&] { EXPECT_EQ(request(), 7); });
  }
  for (std::thread& thread : requests) thread.join();
  EXPECT_EQ(computed, 1);
  EXPECT_FALSE(cache.find("view", "other stamp"));
  EXPECT_FALSE(cache.find("other view", "t"));
}

}  // namespace
