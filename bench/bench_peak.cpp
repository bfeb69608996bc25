// The machine's FP32 FMA peak: independent FMA chains (enough to cover latency × ports) on every
// thread, AVX-512 (16 zmm chains) and AVX2 (12 ymm chains). Prints JSON lines like the other
// benchmarks: {"suite":"peak","name":"fma_avx512","threads":N,"gflops":...}.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

template <int Bytes, int Chains>
struct Fma {
  typedef float V __attribute__((vector_size(Bytes)));
  static constexpr int kLanes = Bytes / 4;
  static double flops_per_call(long iterations) { return 2.0 * kLanes * Chains * iterations; }
};

template <class F>
double seconds(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template <int Bytes, int Chains>
__attribute__((always_inline)) inline float fma_loop(long iterations, float seed) {
  typedef float V __attribute__((vector_size(Bytes)));
  V acc[Chains];
  const V m = V{} + 0.999999f;
  const V a = V{} + 1e-7f;
  for (int c = 0; c < Chains; ++c) acc[c] = V{} + (seed + c);
  for (long i = 0; i < iterations; ++i) {
    for (int c = 0; c < Chains; ++c) acc[c] = acc[c] * m + a;
  }
  float sum = 0;
  for (int c = 0; c < Chains; ++c) sum += acc[c][0];
  return sum;
}

__attribute__((target("arch=x86-64-v4"), noinline)) float avx512(long n, float s) {
  return fma_loop<64, 16>(n, s);
}
__attribute__((target("arch=x86-64-v3"), noinline)) float avx2(long n, float s) {
  return fma_loop<32, 12>(n, s);
}

template <float (*Kernel)(long, float)>
double gflops(int threads, double flops_per_iteration) {
  const long iterations = 20'000'000;
  std::vector<double> samples;
  for (int sample = 0; sample < 7; ++sample) {
    std::vector<std::thread> pool;
    volatile float sink = 0;
    const double s = seconds([&] {
      for (int t = 0; t < threads; ++t)
        pool.emplace_back([&, t] { sink = Kernel(iterations, float(t)); });
      for (auto& p : pool) p.join();
    });
    samples.push_back(flops_per_iteration * iterations * threads / s / 1e9);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1;
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) {
    std::printf(
        "{\"suite\":\"peak\",\"name\":\"fma_avx512\",\"impl\":\"machine\",\"threads\":%d,"
        "\"gflops\":%.1f}\n",
        threads, gflops<avx512>(threads, 2.0 * 16 * 16));
  }
  if (__builtin_cpu_supports("avx2")) {
    std::printf(
        "{\"suite\":\"peak\",\"name\":\"fma_avx2\",\"impl\":\"machine\",\"threads\":%d,\"gflops\":%"
        ".1f}\n",
        threads, gflops<avx2>(threads, 2.0 * 8 * 12));
  }
}
