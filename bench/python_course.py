"""One measurement of the Python package against PyTorch, as one JSON line on stdout.

    python_course.py workload --impl minitorch|torch --threads N [--epochs E]
        MiniTorch's run_fast_tensor.py loop (split data set, 50 points, hidden 100, lr 0.05,
        batch 10, float64 as the course's storage): the model is Linear(2, 100) -> relu ->
        Linear(100, 100) -> relu -> Linear(100, 1) -> sigmoid, each Linear x @ W + b; every epoch
        shuffles, runs 5 minibatch steps of binary cross-entropy written as the course writes it,
        and (every 10 epochs) counts the correct predictions on all points. Prints the median
        milliseconds per epoch over the epochs after the first 10 (warm-up).
        minitorch runs the course's code (minitorch.Module, Parameter, SGD, tensor); torch runs
        the same loop written for PyTorch (torch.nn.Module, nn.Parameter, torch.optim.SGD).
    python_course.py tiny-op --impl minitorch|torch
        Python call overhead of `a + b` on two 10-element float64 tensors (no grad): median
        nanoseconds per call over 7 timeit repeats of 20000 calls.
    python_course.py import --impl minitorch|torch
        Seconds to `import minitorch` / `import torch` in a fresh interpreter, minus the same
        interpreter starting with nothing to import: median of 7.
Debian's interpreter (/usr/bin/python3) runs both; the package comes from PYTHONPATH.
"""
import argparse
import json
import random
import statistics
import subprocess
import sys
import time
import timeit

POINTS, HIDDEN, RATE, BATCH = 50, 100, 0.05, 10


def split_points(n, seed=0):
    """The course's Split data set: label 1 when x1 < 0.2 or x1 > 0.8."""
    rng = random.Random(seed)
    xs = [(rng.random(), rng.random()) for _ in range(n)]
    ys = [1.0 if x1 < 0.2 or x1 > 0.8 else 0.0 for x1, _ in xs]
    return xs, ys


def minitorch_trainer(threads):
    import minitorch

    minitorch.set_num_threads(threads)
    backend = minitorch.TensorBackend(minitorch.FastOps)

    class Linear(minitorch.Module):
        def __init__(self, in_size, out_size):
            super().__init__()
            self.weights = minitorch.Parameter(
                minitorch.rand((in_size, out_size), backend=backend) - 0.5
            )
            self.bias = minitorch.Parameter(minitorch.zeros((out_size,), backend=backend) + 0.1)

        def forward(self, x):
            return x @ self.weights.value + self.bias.value

    class Network(minitorch.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = Linear(2, HIDDEN)
            self.layer2 = Linear(HIDDEN, HIDDEN)
            self.layer3 = Linear(HIDDEN, 1)

        def forward(self, x):
            h = self.layer1.forward(x).relu()
            h = self.layer2.forward(h).relu()
            return self.layer3.forward(h).sigmoid()

    model = Network()
    optim = minitorch.SGD(model.parameters(), RATE)

    def step(xb, yb):
        x = minitorch.tensor(xb, backend=backend)
        y = minitorch.tensor(yb, backend=backend)
        optim.zero_grad()
        out = model.forward(x).view(y.shape[0])
        prob = (out * y) + (out - 1.0) * (y - 1.0)
        loss = -prob.log()
        (loss / y.shape[0]).sum().view(1).backward()
        optim.step()
        return loss.sum().view(1)[0]

    def correct(xs, ys):
        out = model.forward(minitorch.tensor(xs, backend=backend)).view(len(ys))
        y = minitorch.tensor(ys, backend=backend)
        return ((out > 0.5) == y).sum()[0]

    return step, correct


def torch_trainer(threads):
    import torch

    torch.set_num_threads(threads)
    torch.set_default_dtype(torch.float64)

    class Linear(torch.nn.Module):
        def __init__(self, in_size, out_size):
            super().__init__()
            self.weights = torch.nn.Parameter(torch.rand(in_size, out_size) - 0.5)
            self.bias = torch.nn.Parameter(torch.zeros(out_size) + 0.1)

        def forward(self, x):
            return x @ self.weights + self.bias

    class Network(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layer1 = Linear(2, HIDDEN)
            self.layer2 = Linear(HIDDEN, HIDDEN)
            self.layer3 = Linear(HIDDEN, 1)

        def forward(self, x):
            h = self.layer1(x).relu()
            h = self.layer2(h).relu()
            return self.layer3(h).sigmoid()

    model = Network()
    optim = torch.optim.SGD(model.parameters(), RATE)

    def step(xb, yb):
        x = torch.tensor(xb)
        y = torch.tensor(yb)
        optim.zero_grad()
        out = model(x).view(y.shape[0])
        prob = (out * y) + (out - 1.0) * (y - 1.0)
        loss = -prob.log()
        (loss / y.shape[0]).sum().view(1).backward()
        optim.step()
        return loss.sum().view(1)[0].item()

    def correct(xs, ys):
        with torch.no_grad():
            out = model(torch.tensor(xs)).view(len(ys))
            return ((out > 0.5) == torch.tensor(ys)).sum().item()

    return step, correct


def workload(impl, threads, epochs):
    step, correct = (minitorch_trainer if impl == "minitorch" else torch_trainer)(threads)
    xs, ys = split_points(POINTS)
    order = list(range(POINTS))
    rng = random.Random(1)
    times, last_correct = [], None
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        rng.shuffle(order)
        xs_shuf = [xs[i] for i in order]
        ys_shuf = [ys[i] for i in order]
        for i in range(0, POINTS, BATCH):
            step(xs_shuf[i : i + BATCH], ys_shuf[i : i + BATCH])
        if epoch % 10 == 0 or epoch == epochs:
            last_correct = correct(xs, ys)
        times.append(time.perf_counter() - start)
    measured = times[10:] if len(times) > 20 else times
    return {
        "bench": "workload",
        "impl": impl,
        "threads": threads,
        "epochs": epochs,
        "ms_per_epoch": 1e3 * statistics.median(measured),
        "correct": float(last_correct),
    }


def tiny_op(impl):
    if impl == "minitorch":
        import minitorch

        a = minitorch.tensor([float(i) for i in range(10)])
        b = minitorch.tensor([float(i) for i in range(10)])
    else:
        import torch

        a = torch.arange(10, dtype=torch.float64)
        b = torch.arange(10, dtype=torch.float64)
    calls = 20000
    runs = timeit.repeat(lambda: a + b, number=calls, repeat=7)
    return {"bench": "tiny-op", "impl": impl, "ns_per_call": 1e9 * statistics.median(runs) / calls}


def import_time(impl):
    def run(code):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - start

    base = statistics.median(run("pass") for _ in range(7))
    full = statistics.median(run(f"import {impl}") for _ in range(7))
    return {"bench": "import", "impl": impl, "seconds": full - base}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=["workload", "tiny-op", "import"])
    parser.add_argument("--impl", choices=["minitorch", "torch"], required=True)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    if args.what == "workload":
        result = workload(args.impl, args.threads, args.epochs)
    elif args.what == "tiny-op":
        result = tiny_op(args.impl)
    else:
        result = import_time(args.impl)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
