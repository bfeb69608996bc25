#!/usr/bin/python3
"""PyTorch (CPU) peer figures for the minitorch C++ benchmarks.

Usage:  /usr/bin/python3 bench/torch_peer.py --threads N [--quick]
(Debian's python3-torch / numpy are importable only under /usr/bin/python3.)

Suites (all float32, CPU, torch.set_num_threads(N), interop threads = 1):
  gemm                torch.matmul(a, b, out=c), a: MxK, b: KxN, contiguous randn.
                      name "MxKxN"; metrics gflops (2*M*K*N / s / 1e9), seconds.
  elementwise         n = 1M and 16M (M = 1<<20): add, mul, exp (out= variants),
                      relu (allocating; no out= exists), sum (a.sum()),
                      sum_rows (a.view(1024, -1).sum(1)). name "op_1M"/"op_16M";
                      metrics gbps (bytes read+written / s / 1e9), seconds.
  overhead            per-call cost in us: add10 (a + b, 10 elements), add10_grad
                      (a.requires_grad_(True), forward only), mlp_step (one SGD
                      step of MLP 2->10->10->1, ReLU, sigmoid, BCELoss, lr 0.5,
                      batch of 50 points). metric us.
  minitorch_workload  MiniTorch run_fast_tensor config on the "split" data set
                      (50 pts, random.Random(0)), MLP 2->100->100->1, BCELoss,
                      SGD lr 0.05, batch 10, shuffled per epoch with
                      random.Random(1), 500 epochs (50 with --quick).
                      name "split_h100_b10"; metrics epoch_seconds_median,
                      total_seconds, train_accuracy.

Timing protocol: warm up, then 7 samples (3 with --quick), each repeating the
operation for >= 0.05 s (>= 0.01 s with --quick) timed with time.perf_counter;
the reported figure is the median per-call time over the samples.

Output: one JSON object per line on stdout, e.g.
  {"suite": "gemm", "name": "64x64x64", "impl": "pytorch", "threads": 1,
   "gflops": ..., "seconds": ...}
Nothing else goes to stdout; progress and environment info go to stderr.
"""
import argparse
import json
import random
import statistics
import sys
import time

import torch
import torch.nn as nn


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def emit(threads, suite, name, **metrics):
    rec = {"suite": suite, "name": name, "impl": "pytorch", "threads": threads}
    rec.update(metrics)
    print(json.dumps(rec), flush=True)


def time_per_call(fn, samples, min_time):
    """Median over `samples` of per-call seconds; each sample runs >= min_time."""
    # Warm up and calibrate a block size whose run takes >= min_time / 4.
    fn()
    iters = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(iters):
            fn()
        dt = time.perf_counter() - t0
        if dt >= min_time / 4:
            break
        iters *= 2 if dt <= 0 else max(2, min(16, int(min_time / 4 / dt) + 1))
    per_call = []
    for _ in range(samples):
        calls = 0
        t0 = time.perf_counter()
        while True:
            for _ in range(iters):
                fn()
            calls += iters
            dt = time.perf_counter() - t0
            if dt >= min_time:
                break
        per_call.append(dt / calls)
    return statistics.median(per_call)


def suite_gemm(T, S, MT):
    shapes = [(n, n, n) for n in (64, 128, 256, 512, 1024, 2048)]
    shapes += [(64, 784, 128), (128, 100, 100), (16, 392, 64),
               (50176, 25, 6), (6400, 150, 16), (6, 25, 784), (16, 150, 100)]
    for M, K, N in shapes:
        a = torch.randn(M, K)
        b = torch.randn(K, N)
        c = torch.empty(M, N)
        s = time_per_call(lambda: torch.matmul(a, b, out=c), S, MT)
        name = "%dx%dx%d" % (M, K, N)
        log("gemm", name, "%.2f GFLOP/s" % (2.0 * M * K * N / s / 1e9))
        emit(T, "gemm", name, gflops=2.0 * M * K * N / s / 1e9, seconds=s)


def suite_elementwise(T, S, MT):
    for n, tag in ((1 << 20, "1M"), (1 << 24, "16M")):
        a = torch.randn(n)
        b = torch.randn(n)
        c = torch.empty(n)
        ops = [  # (name, fn, elements moved per call)
            ("add", lambda: torch.add(a, b, out=c), 3 * n),
            ("mul", lambda: torch.mul(a, b, out=c), 3 * n),
            ("exp", lambda: torch.exp(a, out=c), 2 * n),
            ("relu", lambda: torch.relu(a), 2 * n),  # relu has no out= variant
            ("sum", lambda: a.sum(), n),
            ("sum_rows", lambda: a.view(1024, -1).sum(1), n),
        ]
        for op, fn, elems in ops:
            s = time_per_call(fn, S, MT)
            name = "%s_%s" % (op, tag)
            log("elementwise", name, "%.2f GB/s" % (elems * 4 / s / 1e9))
            emit(T, "elementwise", name, gbps=elems * 4 / s / 1e9, seconds=s)
        del a, b, c


def split_data(n=50):
    rng = random.Random(0)
    pts = [(rng.random(), rng.random()) for _ in range(n)]
    labels = [1.0 if (x1 < 0.2 or x1 > 0.8) else 0.0 for x1, _ in pts]
    return torch.tensor(pts, dtype=torch.float32), \
        torch.tensor(labels, dtype=torch.float32).view(-1, 1)


def mlp(hidden):
    return nn.Sequential(nn.Linear(2, hidden), nn.ReLU(),
                         nn.Linear(hidden, hidden), nn.ReLU(),
                         nn.Linear(hidden, 1), nn.Sigmoid())


def suite_overhead(T, S, MT):
    a = torch.randn(10)
    b = torch.randn(10)
    s = time_per_call(lambda: a + b, S, MT)
    emit(T, "overhead", "add10", us=s * 1e6)
    ag = torch.randn(10).requires_grad_(True)
    s2 = time_per_call(lambda: ag + b, S, MT)
    emit(T, "overhead", "add10_grad", us=s2 * 1e6)

    torch.manual_seed(0)
    X, y = split_data(50)
    model = mlp(10)
    loss_fn = nn.BCELoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.5)

    def step():
        opt.zero_grad()
        loss = loss_fn(model(X), y)
        loss.backward()
        opt.step()

    s3 = time_per_call(step, S, MT)
    emit(T, "overhead", "mlp_step", us=s3 * 1e6)
    log("overhead add10 %.2f us, add10_grad %.2f us, mlp_step %.2f us"
        % (s * 1e6, s2 * 1e6, s3 * 1e6))


def suite_workload(T, epochs):
    torch.manual_seed(0)
    X, y = split_data(50)
    model = mlp(100)
    loss_fn = nn.BCELoss()
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    shuffler = random.Random(1)
    order = list(range(X.shape[0]))
    bs = 10
    epoch_times = []
    for _ in range(epochs):
        shuffler.shuffle(order)
        idx = torch.tensor(order)
        t0 = time.perf_counter()
        for i in range(0, len(order), bs):
            bi = idx[i:i + bs]
            xb, yb = X[bi], y[bi]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        epoch_times.append(time.perf_counter() - t0)
    with torch.no_grad():
        acc = ((model(X) > 0.5).float() == y).float().mean().item()
    med = statistics.median(epoch_times)
    log("workload split_h100_b10: %d epochs, median %.3f ms/epoch, total %.3f s,"
        " acc %.2f" % (epochs, med * 1e3, sum(epoch_times), acc))
    emit(T, "minitorch_workload", "split_h100_b10", epoch_seconds_median=med,
         total_seconds=sum(epoch_times), train_accuracy=acc, epochs=epochs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    cap = "n/a"
    try:
        cap = torch.backends.cpu.get_cpu_capability()
    except AttributeError:
        pass
    log("torch %s, num_threads %d, cpu_capability %s"
        % (torch.__version__, torch.get_num_threads(), cap))
    S, MT = (3, 0.01) if args.quick else (7, 0.05)
    T = args.threads
    with torch.no_grad():
        suite_gemm(T, S, MT)
        suite_elementwise(T, S, MT)
    suite_overhead(T, S, MT)
    suite_workload(T, 50 if args.quick else 500)


if __name__ == "__main__":
    main()
