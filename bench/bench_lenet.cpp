// LeNet-5 training speed: one step = zero_grad, forward, cross-entropy loss, backward, Adam step,
// on a fixed batch of 64 random 1×28×28 float32 images, the same loop as bench/lenet_peer.py.
//
//   bench_lenet [--threads N] [--steps S] [--repetitions R] [--warmup W]
// Runs W warm-up steps, then R repetitions of S steps each; every figure is the median over the
// repetitions of the per-step mean within one repetition. The forward figure covers zero_grad,
// forward and loss; backward is loss.backward(); step is the optimizer. maxrss is the process's
// peak resident set (getrusage) at the end; cpu_ms_per_step is the process's CPU time per step
// (all threads), which moves less than wall time when other work shares the core. Prints one JSON
// line on stdout:
//   {"suite":"lenet","impl":"ours","threads":N,"batch":64,"img_per_s":...,"ms_per_step":...,
//    "forward_ms":...,"backward_ms":...,"step_ms":...,"cpu_ms_per_step":...,"maxrss_mb":...,
//    "loss":...}
// and a readable line on stderr.
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "minitorch/minitorch.h"

namespace mt = minitorch;

namespace {

constexpr std::int64_t kBatch = 64;

struct Options {
  int threads = 1;
  int steps = 100;
  int repetitions = 5;
  int warmup = 20;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (value < 1) {
      std::fprintf(stderr, "bench_lenet: %s needs a positive count\n", flag.c_str());
      std::exit(2);
    }
    if (flag == "--threads") {
      o.threads = value;
    } else if (flag == "--steps") {
      o.steps = value;
    } else if (flag == "--repetitions") {
      o.repetitions = value;
    } else if (flag == "--warmup") {
      o.warmup = value;
    } else {
      std::fprintf(stderr, "bench_lenet: unknown flag %s\n", flag.c_str());
      std::exit(2);
    }
  }
  return o;
}

// LeNet-5 as models::LeNet builds it (the network of bench/lenet_peer.py).
std::shared_ptr<mt::nn::Layer> lenet() {
  return std::make_shared<mt::models::LeNet>();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// CPU time of the whole process (all threads), in seconds.
double cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double maxrss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

}  // namespace

int main(int argc, char** argv) {
  using Clock = std::chrono::steady_clock;
  const Options options = parse(argc, argv);
  mt::set_num_threads(options.threads);
  mt::manual_seed(0);
  const auto net = lenet();
  std::vector<mt::Tensor> parameters;
  for (const auto& p : net->named_parameters()) parameters.push_back(p.value);
  mt::optim::Adam optimizer(parameters, {.lr = 1e-3});
  const mt::Tensor x = mt::randn({kBatch, 1, 28, 28});
  std::vector<double> labels(kBatch);
  for (auto& label : labels) label = static_cast<double>(mt::default_generator().next_u64() % 10);
  const mt::Tensor y = mt::from_vector(labels, {kBatch});

  double forward_s = 0, backward_s = 0, step_s = 0, loss_value = 0;
  auto train_step = [&] {
    const auto t0 = Clock::now();
    optimizer.zero_grad();
    const mt::Tensor loss = mt::nn::functional::cross_entropy(net->forward(x), y);
    const auto t1 = Clock::now();
    loss.backward();
    const auto t2 = Clock::now();
    optimizer.step();
    const auto t3 = Clock::now();
    forward_s += std::chrono::duration<double>(t1 - t0).count();
    backward_s += std::chrono::duration<double>(t2 - t1).count();
    step_s += std::chrono::duration<double>(t3 - t2).count();
    loss_value = loss.item();
  };

  for (int i = 0; i < options.warmup; ++i) train_step();
  std::vector<double> total_ms, forward_ms, backward_ms, step_ms, cpu_ms;
  for (int r = 0; r < options.repetitions; ++r) {
    forward_s = backward_s = step_s = 0;
    const auto start = Clock::now();
    const double cpu_start = cpu_seconds();
    for (int i = 0; i < options.steps; ++i) train_step();
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    cpu_ms.push_back((cpu_seconds() - cpu_start) / options.steps * 1e3);
    total_ms.push_back(seconds / options.steps * 1e3);
    forward_ms.push_back(forward_s / options.steps * 1e3);
    backward_ms.push_back(backward_s / options.steps * 1e3);
    step_ms.push_back(step_s / options.steps * 1e3);
  }
  const double ms = median(total_ms);
  const double rss = maxrss_mb();
  std::printf(
      "{\"suite\":\"lenet\",\"impl\":\"ours\",\"threads\":%d,\"batch\":%lld,\"img_per_s\":%.1f,"
      "\"ms_per_step\":%.4f,\"forward_ms\":%.4f,\"backward_ms\":%.4f,\"step_ms\":%.4f,"
      "\"cpu_ms_per_step\":%.4f,\"maxrss_mb\":%.1f,\"loss\":%.6f}\n",
      options.threads, static_cast<long long>(kBatch), kBatch / ms * 1e3, ms, median(forward_ms),
      median(backward_ms), median(step_ms), median(cpu_ms), rss, loss_value);
  std::fprintf(stderr,
               "lenet ours, %d thread(s): %.0f img/s, %.3f ms/step (forward %.3f, backward %.3f, "
               "step %.3f; cpu %.3f), maxrss %.1f MB\n",
               options.threads, kBatch / ms * 1e3, ms, median(forward_ms), median(backward_ms),
               median(step_ms), median(cpu_ms), rss);
}
