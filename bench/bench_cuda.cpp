// GPU benchmarks of the CUDA backend; bench/cuda_peer.py measures PyTorch on the same GPU with the
// same protocol. Run by scripts/gpu-check.sh; needs a CUDA device (exits 77 without one).
//
//   bench_cuda [--suite sgemm|lenet|split|all] [--repetitions R]
// Suites (float32; timing with CUDA events on the backend's stream after warm-up; each figure is
// the median over R repetitions):
//   sgemm   C = A @ B, square n = 1024, 2048, 4096, 8192, row-major contiguous, values uniform in
//           [-1, 1) (never zeros). gflops = 2n³ / s. Also max relative error against the CPU at
//           n = 1024 ("check").
//   lenet   one LeNet-5 training step (zero_grad, forward, cross-entropy, backward, Adam) on a
//           batch of 64 random 1×28×28 images; epoch_seconds = 938 steps (Fashion-MNIST's 60,000
//           images at batch 64).
//   split   MiniTorch's run_fast_tensor GPU configuration: MLP 2 -> 100 -> 100 -> 1 (ReLU,
//           sigmoid, binary cross-entropy), SGD lr 0.05, batch 10, on 50 points of "split";
//           epoch_seconds = one pass (5 steps), including the host-to-device batch copies.
// Output: one JSON object per line on stdout, e.g.
//   {"suite":"sgemm","impl":"ours","gpu":"NVIDIA H100 80GB HBM3","n":4096,"gflops":...,"ms":...}
#include <cuda_runtime_api.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "minitorch/cuda/cuda_backend.h"
#include "minitorch/minitorch.h"

namespace mt = minitorch;

namespace {

#define CHECK(call)                                                                              \
  do {                                                                                           \
    const cudaError_t e = (call);                                                                \
    if (e != cudaSuccess) {                                                                      \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e)); \
      std::exit(1);                                                                              \
    }                                                                                            \
  } while (0)

const mt::Device kGpu = mt::Device::cuda(0);

std::string gpu_name() {
  cudaDeviceProp p{};
  CHECK(cudaGetDeviceProperties(&p, 0));
  return p.name;
}

// Median milliseconds of `work` over `repetitions`, each timed with events on the GPU's stream.
double median_ms(int repetitions, const std::function<void()>& work) {
  const auto stream = static_cast<cudaStream_t>(mt::cuda_stream(0));
  cudaEvent_t start, stop;
  CHECK(cudaEventCreate(&start));
  CHECK(cudaEventCreate(&stop));
  std::vector<double> times;
  for (int r = 0; r < repetitions; ++r) {
    CHECK(cudaEventRecord(start, stream));
    work();
    CHECK(cudaEventRecord(stop, stream));
    CHECK(cudaEventSynchronize(stop));
    float ms = 0;
    CHECK(cudaEventElapsedTime(&ms, start, stop));
    times.push_back(ms);
  }
  CHECK(cudaEventDestroy(start));
  CHECK(cudaEventDestroy(stop));
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

void sgemm(int repetitions, const std::string& gpu) {
  mt::Generator g(0);
  {
    // Correctness first, against the CPU.
    const mt::Tensor a = mt::rand({1024, 1024}, {}, &g) * 2.0 - 1.0;
    const mt::Tensor b = mt::rand({1024, 1024}, {}, &g) * 2.0 - 1.0;
    const auto expected = a.matmul(b).to_vector();
    const auto got = a.cuda().matmul(b.cuda()).to_vector();
    double worst = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      worst = std::max(worst, std::abs(got[i] - expected[i]) / (1 + std::abs(expected[i])));
    }
    std::printf(
        "{\"suite\":\"sgemm\",\"impl\":\"ours\",\"gpu\":\"%s\",\"check\":\"n=1024 vs cpu\","
        "\"max_rel_error\":%.3g}\n",
        gpu.c_str(), worst);
  }
  for (const std::int64_t n : {1024, 2048, 4096, 8192}) {
    const mt::Tensor a = (mt::rand({n, n}, {}, &g) * 2.0 - 1.0).cuda();
    const mt::Tensor b = (mt::rand({n, n}, {}, &g) * 2.0 - 1.0).cuda();
    for (int w = 0; w < 3; ++w) (void)a.matmul(b);
    const double ms = median_ms(repetitions, [&] { (void)a.matmul(b); });
    const double gflops = 2.0 * double(n) * double(n) * double(n) / (ms * 1e-3) / 1e9;
    std::printf(
        "{\"suite\":\"sgemm\",\"impl\":\"ours\",\"gpu\":\"%s\",\"n\":%lld,\"gflops\":%.1f,"
        "\"ms\":%.4f}\n",
        gpu.c_str(), static_cast<long long>(n), gflops, ms);
    std::fflush(stdout);
  }
}

// LeNet-5 as models::LeNet builds it (the network of bench/lenet_peer.py).
std::shared_ptr<mt::nn::Layer> lenet() {
  return std::make_shared<mt::models::LeNet>();
}

void lenet_step_bench(int repetitions, const std::string& gpu) {
  constexpr std::int64_t kBatch = 64, kStepsPerEpoch = 938, kSteps = 50;
  mt::manual_seed(0);
  const auto net = lenet();
  net->to(kGpu);
  mt::optim::Adam optimizer(net->parameters(), {.lr = 1e-3});
  const mt::Tensor x = mt::randn({kBatch, 1, 28, 28}).cuda();
  std::vector<double> labels(kBatch);
  for (auto& label : labels) label = static_cast<double>(mt::default_generator().next_u64() % 10);
  const mt::Tensor y = mt::from_vector(labels, {kBatch}).cuda();
  double loss = 0;
  auto steps = [&](int count) {
    for (int s = 0; s < count; ++s) {
      optimizer.zero_grad();
      const mt::Tensor l = mt::nn::functional::cross_entropy(net->forward(x), y);
      l.backward();
      optimizer.step();
      if (s == count - 1) loss = l.item();
    }
  };
  steps(10);  // warm-up: the allocator's cache fills, kernels load
  const double ms = median_ms(repetitions, [&] { steps(kSteps); }) / kSteps;
  std::printf(
      "{\"suite\":\"lenet\",\"impl\":\"ours\",\"gpu\":\"%s\",\"batch\":%lld,"
      "\"ms_per_step\":%.4f,\"img_per_s\":%.0f,\"epoch_seconds\":%.3f,\"loss\":%.4f}\n",
      gpu.c_str(), static_cast<long long>(kBatch), ms, double(kBatch) / (ms * 1e-3),
      ms * 1e-3 * kStepsPerEpoch, loss);
  std::fflush(stdout);
}

void split_bench(int repetitions, const std::string& gpu) {
  constexpr int kPoints = 50, kBatch = 10;
  const auto data = mt::data::split_dataset(kPoints, 0);
  mt::manual_seed(0);
  mt::models::MLP net({2, 100, 100, 1});
  net.to(kGpu);
  mt::optim::SGD optimizer(net.parameters(), {.lr = 0.05});
  auto epoch = [&] {
    for (int start = 0; start < kPoints; start += kBatch) {
      std::vector<double> xs, ys;
      for (int i = start; i < start + kBatch; ++i) {
        xs.push_back(data.x[i][0]);
        xs.push_back(data.x[i][1]);
        ys.push_back(data.y[i]);
      }
      const mt::Tensor x = mt::from_vector(xs, {kBatch, 2}, {.device = kGpu});
      const mt::Tensor y = mt::from_vector(ys, {kBatch, 1}, {.device = kGpu});
      optimizer.zero_grad();
      mt::nn::functional::binary_cross_entropy(net.forward(x).sigmoid(), y).backward();
      optimizer.step();
    }
  };
  for (int w = 0; w < 5; ++w) epoch();
  const double ms = median_ms(repetitions, epoch);
  std::printf(
      "{\"suite\":\"split\",\"impl\":\"ours\",\"gpu\":\"%s\",\"hidden\":100,\"batch\":%d,"
      "\"epoch_seconds\":%.5f}\n",
      gpu.c_str(), kBatch, ms * 1e-3);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string suite = "all";
  int repetitions = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--suite") {
      suite = argv[i + 1];
    } else if (flag == "--repetitions") {
      repetitions = std::max(1, std::atoi(argv[i + 1]));
    } else {
      std::fprintf(stderr, "bench_cuda: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (!mt::cuda_available()) {
    std::fprintf(stderr, "bench_cuda: skipped: no CUDA device\n");
    return 77;
  }
  try {
    const std::string gpu = gpu_name();
    if (suite == "sgemm" || suite == "all") sgemm(repetitions, gpu);
    if (suite == "lenet" || suite == "all") lenet_step_bench(repetitions, gpu);
    if (suite == "split" || suite == "all") split_bench(repetitions, gpu);
  } catch (const mt::Error& e) {
    std::fprintf(stderr, "bench_cuda: %s\n", e.what());
    return 1;
  }
  return 0;
}
