// The cost of one parallel region of our pool on two threads, by how long the pool was idle
// before it: back to back the worker is still spinning; after more than the spin time (50 µs) it
// has blocked and must be woken. Prints JSON lines:
//   {"suite":"parallel","name":"region_after_idle_<us>","impl":"ours","threads":2,"us":...}
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "minitorch/parallel/parallel.h"

int main() {
  using Clock = std::chrono::steady_clock;
  minitorch::set_num_threads(2);
  std::atomic<long> sink{0};
  for (int idle_us : {0, 20, 100, 1000}) {
    std::vector<double> samples;
    for (int repeat = 0; repeat < 501; ++repeat) {
      if (idle_us > 0) std::this_thread::sleep_for(std::chrono::microseconds(idle_us));
      const auto start = Clock::now();
      minitorch::parallel_for(0, 2, 1, [&](std::int64_t b, std::int64_t e) { sink += e - b; });
      samples.push_back(std::chrono::duration<double>(Clock::now() - start).count() * 1e6);
    }
    std::nth_element(samples.begin(), samples.begin() + samples.size() / 2, samples.end());
    std::printf(
        "{\"suite\":\"parallel\",\"name\":\"region_after_idle_%dus\",\"impl\":\"ours\",\"threads\":"
        "2,"
        "\"us\":%.3f}\n",
        idle_us, samples[samples.size() / 2]);
  }
}
