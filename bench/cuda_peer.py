#!/usr/bin/python3
"""PyTorch (CUDA) peer figures for bench/bench_cuda.cpp, on the same GPU, same protocol.

Usage:  python3 bench/cuda_peer.py [--suite sgemm|lenet|split|all] [--repetitions R]
        python3 bench/cuda_peer.py --check     (imports and builds the models; no GPU needed)

Suites (float32; CUDA events on the current stream after warm-up; median over R repetitions):
  sgemm   torch.matmul(a, b), square n = 1024, 2048, 4096, 8192, uniform [-1, 1), TF32 disabled
          (torch.backends.cuda.matmul.allow_tf32 = False): cuBLAS SGEMM. gflops = 2n^3 / s.
  lenet   one LeNet-5 training step (zero_grad, forward, cross_entropy, backward, Adam lr 1e-3),
          batch 64 of random 1x28x28 images; epoch_seconds = 938 steps.
  split   MLP 2 -> 100 -> 100 -> 1, ReLU, sigmoid, BCELoss, SGD lr 0.05, batch 10, 50 points of
          MiniTorch's "split" set; epoch_seconds = one pass (5 steps), host-to-device copies
          included.
Output: one JSON object per line on stdout, as bench_cuda prints:
  {"suite": "sgemm", "impl": "pytorch", "gpu": "...", "n": 4096, "gflops": ..., "ms": ...}
Exits 77 (skipped) when CUDA is unavailable, except with --check.
"""
import argparse
import json
import random
import statistics
import sys


def emit(record):
    print(json.dumps(record), flush=True)


def median_ms(torch, repetitions, work):
    times = []
    for _ in range(repetitions):
        start = torch.cuda.Event(enable_timing=True)
        stop = torch.cuda.Event(enable_timing=True)
        start.record()
        work()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop))
    return statistics.median(times)


def lenet(nn):
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def split_points(n=50, seed=0):
    """MiniTorch's "split" data set: x uniform in the unit square, label 1 where x1 < 0.2 or
    x1 > 0.8 (datasets.py of MiniTorch)."""
    rng = random.Random(seed)
    xs = [(rng.random(), rng.random()) for _ in range(n)]
    ys = [1.0 if (x1 < 0.2 or x1 > 0.8) else 0.0 for x1, _ in xs]
    return xs, ys


def sgemm(torch, gpu, repetitions):
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    for n in (1024, 2048, 4096, 8192):
        a = torch.rand(n, n, device="cuda") * 2 - 1
        b = torch.rand(n, n, device="cuda") * 2 - 1
        for _ in range(3):
            torch.matmul(a, b)
        ms = median_ms(torch, repetitions, lambda: torch.matmul(a, b))
        emit({"suite": "sgemm", "impl": "pytorch", "gpu": gpu, "n": n,
              "gflops": round(2.0 * n ** 3 / (ms * 1e-3) / 1e9, 1), "ms": round(ms, 4)})


def lenet_bench(torch, gpu, repetitions):
    nn = torch.nn
    torch.manual_seed(0)
    net = lenet(nn).cuda()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(64, 1, 28, 28, device="cuda")
    y = torch.randint(0, 10, (64,), device="cuda")
    steps_per_repetition = 50
    state = {}

    def steps(count):
        for _ in range(count):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(net(x), y)
            loss.backward()
            opt.step()
        state["loss"] = loss

    steps(10)
    ms = median_ms(torch, repetitions, lambda: steps(steps_per_repetition)) / steps_per_repetition
    emit({"suite": "lenet", "impl": "pytorch", "gpu": gpu, "batch": 64,
          "ms_per_step": round(ms, 4), "img_per_s": round(64 / (ms * 1e-3)),
          "epoch_seconds": round(ms * 1e-3 * 938, 3), "loss": round(state["loss"].item(), 4)})


def split_bench(torch, gpu, repetitions):
    nn = torch.nn
    torch.manual_seed(0)
    xs, ys = split_points()
    net = nn.Sequential(nn.Linear(2, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),
                        nn.Linear(100, 1)).cuda()
    opt = torch.optim.SGD(net.parameters(), lr=0.05)
    loss_fn = nn.BCELoss()

    def epoch():
        for start in range(0, 50, 10):
            x = torch.tensor(xs[start:start + 10]).cuda()
            y = torch.tensor(ys[start:start + 10]).view(10, 1).cuda()
            opt.zero_grad()
            loss_fn(torch.sigmoid(net(x)), y).backward()
            opt.step()

    for _ in range(5):
        epoch()
    ms = median_ms(torch, repetitions, epoch)
    emit({"suite": "split", "impl": "pytorch", "gpu": gpu, "hidden": 100, "batch": 10,
          "epoch_seconds": round(ms * 1e-3, 5)})


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="all", choices=["sgemm", "lenet", "split", "all"])
    parser.add_argument("--repetitions", type=int, default=10)
    parser.add_argument("--check", action="store_true",
                        help="import torch and build the models on the CPU, then exit")
    args = parser.parse_args()
    import torch  # noqa: E402  (after argument parsing, so --help works without torch)

    if args.check:
        lenet(torch.nn)(torch.zeros(2, 1, 28, 28))
        print(f"cuda_peer: torch {torch.__version__} imports; CUDA available: "
              f"{torch.cuda.is_available()}", file=sys.stderr)
        return 0
    if not torch.cuda.is_available():
        print("cuda_peer: skipped: no CUDA device", file=sys.stderr)
        return 77
    gpu = torch.cuda.get_device_name(0)
    print(f"cuda_peer: torch {torch.__version__}, CUDA {torch.version.cuda}, {gpu}",
          file=sys.stderr)
    if args.suite in ("sgemm", "all"):
        sgemm(torch, gpu, args.repetitions)
    if args.suite in ("lenet", "all"):
        lenet_bench(torch, gpu, args.repetitions)
    if args.suite in ("split", "all"):
        split_bench(torch, gpu, args.repetitions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
