// Elementwise and reduction throughput (GB/s) on the fast backend, and the cost of tiny operations
// (framework overhead). Threads come from MINITORCH_NUM_THREADS, set per run by bench/run.sh.
// Bytes moved = inputs read + outputs written, as in bench/torch_peer.py.
#include <benchmark/benchmark.h>

#include "minitorch/minitorch.h"

namespace mt = minitorch;

namespace {

constexpr std::int64_t kMi = 1 << 20;

mt::Tensor random(std::int64_t n) {
  return mt::rand({n});
}

// Binary ops write into a preallocated output, as torch.add(a, b, out=c) does.
template <mt::BinaryOp Op>
void BM_Zip(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const mt::Tensor a = random(n), b = random(n), c = mt::zeros({n});
  for (auto _ : state)
    mt::fast_backend().zip(Op, a.tensor_data(), b.tensor_data(), c.tensor_data());
  state.SetBytesProcessed(state.iterations() * 3 * n * 4);
}

template <mt::UnaryOp Op>
void BM_Map(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const mt::Tensor a = random(n), c = mt::zeros({n});
  for (auto _ : state) mt::fast_backend().map(Op, a.tensor_data(), c.tensor_data());
  state.SetBytesProcessed(state.iterations() * 2 * n * 4);
}

void BM_Relu(benchmark::State& state) {  // allocating, as torch.relu(a)
  const std::int64_t n = state.range(0);
  const mt::Tensor a = random(n);
  for (auto _ : state) benchmark::DoNotOptimize(a.relu());
  state.SetBytesProcessed(state.iterations() * 2 * n * 4);
}

void BM_Sum(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const mt::Tensor a = random(n);
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
  state.SetBytesProcessed(state.iterations() * n * 4);
}

void BM_SumRows(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const mt::Tensor a = random(n).view({1024, -1});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum(1));
  state.SetBytesProcessed(state.iterations() * n * 4);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(kMi)->Arg(16 * kMi)->Unit(benchmark::kMicrosecond);
}

void BM_Add10(benchmark::State& state) {
  const mt::Tensor a = random(10), b = random(10);
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

void BM_Add10Grad(benchmark::State& state) {
  const mt::Tensor a = random(10), b = random(10);
  a.requires_grad_(true);
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}

// One training step of the xor MLP 2 → 10 → 10 → 1 on a batch of 50: PyTorch's `mlp_step`.
void BM_MlpStep(benchmark::State& state) {
  mt::manual_seed(0);
  auto net = mt::nn::Sequential{
      std::make_shared<mt::nn::Linear>(2, 10),  std::make_shared<mt::nn::ReLU>(),
      std::make_shared<mt::nn::Linear>(10, 10), std::make_shared<mt::nn::ReLU>(),
      std::make_shared<mt::nn::Linear>(10, 1),  std::make_shared<mt::nn::Sigmoid>()};
  const mt::Tensor x = mt::rand({50, 2});
  const mt::Tensor y = (x.select(1, 0) < 0.5).view({50, 1});
  mt::optim::SGD opt(net.parameters(), {.lr = 0.5});
  for (auto _ : state) {
    opt.zero_grad();
    mt::nn::functional::binary_cross_entropy(net.forward(x), y).backward();
    opt.step();
  }
}

}  // namespace

BENCHMARK(BM_Zip<mt::BinaryOp::Add>)->Name("elementwise/add")->Apply(sizes);
BENCHMARK(BM_Zip<mt::BinaryOp::Mul>)->Name("elementwise/mul")->Apply(sizes);
BENCHMARK(BM_Map<mt::UnaryOp::Exp>)->Name("elementwise/exp")->Apply(sizes);
BENCHMARK(BM_Relu)->Name("elementwise/relu")->Apply(sizes);
BENCHMARK(BM_Sum)->Name("elementwise/sum")->Apply(sizes);
BENCHMARK(BM_SumRows)->Name("elementwise/sum_rows")->Apply(sizes);
BENCHMARK(BM_Add10)->Name("overhead/add10")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Add10Grad)->Name("overhead/add10_grad")->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MlpStep)->Name("overhead/mlp_step")->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
