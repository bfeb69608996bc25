// GEMM GFLOP/s: ours, OpenBLAS (cblas_sgemm) and oneDNN (dnnl_sgemm), row-major C = A·B, float32.
// Threads come from the environment (MINITORCH_NUM_THREADS, OPENBLAS_NUM_THREADS, OMP_NUM_THREADS),
// set per run by bench/run.sh. Shapes are M x K x N.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <dnnl.h>

#include <vector>

#include "minitorch/backend/gemm.h"
#include "minitorch/core/generator.h"

namespace {

struct Operands {
  std::vector<float> a, b, c;
  Operands(int m, int k, int n)
      : a(std::size_t(m) * k), b(std::size_t(k) * n), c(std::size_t(m) * n) {
    minitorch::Generator g(0);
    for (auto& x : a) x = static_cast<float>(g.uniform(-1, 1));
    for (auto& x : b) x = static_cast<float>(g.uniform(-1, 1));
  }
};

void ours(Operands& o, int m, int k, int n) {
  minitorch::gemm<float>(m, n, k, {o.a.data(), k, 1}, {o.b.data(), n, 1}, {o.c.data(), n, 1});
}

void openblas(Operands& o, int m, int k, int n) {
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, n, k, 1.0f, o.a.data(), k, o.b.data(),
              n, 0.0f, o.c.data(), n);
}

void onednn(Operands& o, int m, int k, int n) {
  dnnl_sgemm('N', 'N', m, n, k, 1.0f, o.a.data(), k, o.b.data(), n, 0.0f, o.c.data(), n);
}

template <void (*Impl)(Operands&, int, int, int)>
void BM_Gemm(benchmark::State& state) {
  const int m = static_cast<int>(state.range(0));
  const int k = static_cast<int>(state.range(1));
  const int n = static_cast<int>(state.range(2));
  Operands operands(m, k, n);
  Impl(operands, m, k, n);  // warm-up: packing buffers, thread pools
  for (auto _ : state) {
    Impl(operands, m, k, n);
    benchmark::ClobberMemory();
  }
  state.counters["flops"] =
      benchmark::Counter(2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate);
}

void shapes(benchmark::internal::Benchmark* b) {
  for (int s : {64, 128, 256, 512, 1024, 2048}) b->Args({s, s, s});
  for (auto shape : std::vector<std::vector<std::int64_t>>{{64, 784, 128},
                                                           {128, 100, 100},
                                                           {16, 392, 64},
                                                           {50176, 25, 6},
                                                           {6400, 150, 16},
                                                           {6, 25, 784},
                                                           {16, 150, 100}}) {
    b->Args(shape);
  }
  b->ArgNames({"M", "K", "N"})->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(BM_Gemm<ours>)->Name("gemm/ours")->Apply(shapes);
BENCHMARK(BM_Gemm<openblas>)->Name("gemm/openblas")->Apply(shapes);
BENCHMARK(BM_Gemm<onednn>)->Name("gemm/onednn")->Apply(shapes);

BENCHMARK_MAIN();
