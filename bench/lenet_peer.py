#!/usr/bin/python3
"""PyTorch (CPU) twin of bench/bench_lenet.cpp: LeNet-5 training steps, batch 64.

Usage:  /usr/bin/python3 bench/lenet_peer.py [--threads N] [--steps S] [--repetitions R]
                                             [--warmup W]
(Debian's python3-torch is importable only under /usr/bin/python3.)

The net: Conv2d(1, 6, 5, padding=2) -> ReLU -> MaxPool2d(2) -> Conv2d(6, 16, 5) -> ReLU ->
MaxPool2d(2) -> Flatten -> Linear(400, 120) -> ReLU -> Linear(120, 84) -> ReLU -> Linear(84, 10);
cross_entropy loss, Adam lr 1e-3, one fixed batch of 64 random 1x28x28 float32 images. One step
= zero_grad, forward, loss, backward, optimizer step. W warm-up steps, then R repetitions of S
steps; each figure is the median over the repetitions of the per-step mean within one
repetition; "forward" covers zero_grad + forward + loss, "backward" is loss.backward(), "step"
the optimizer. maxrss is the process's peak resident set (getrusage) at the end.

Output: one JSON line on stdout, the same fields as bench_lenet:
  {"suite": "lenet", "impl": "pytorch", "threads": N, "batch": 64, "img_per_s": ...,
   "ms_per_step": ..., "forward_ms": ..., "backward_ms": ..., "step_ms": ..., "maxrss_mb": ...,
   "loss": ...}
and a readable line on stderr.
"""
import argparse
import json
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn

BATCH = 64


def lenet():
    return nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--repetitions", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    torch.manual_seed(0)
    net = lenet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.randn(BATCH, 1, 28, 28)
    y = torch.randint(0, 10, (BATCH,))
    clock = time.perf_counter
    totals = {"forward": 0.0, "backward": 0.0, "step": 0.0}
    last_loss = [0.0]

    def step():
        t0 = clock()
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        t1 = clock()
        loss.backward()
        t2 = clock()
        opt.step()
        t3 = clock()
        totals["forward"] += t1 - t0
        totals["backward"] += t2 - t1
        totals["step"] += t3 - t2
        last_loss[0] = loss.item()

    for _ in range(args.warmup):
        step()
    per = {"total": [], "forward": [], "backward": [], "step": []}
    for _ in range(args.repetitions):
        for k in totals:
            totals[k] = 0.0
        start = clock()
        for _ in range(args.steps):
            step()
        per["total"].append((clock() - start) / args.steps * 1e3)
        for k in totals:
            per[k].append(totals[k] / args.steps * 1e3)
    ms = statistics.median(per["total"])
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    record = {"suite": "lenet", "impl": "pytorch", "threads": args.threads, "batch": BATCH,
              "img_per_s": BATCH / ms * 1e3, "ms_per_step": ms,
              "forward_ms": statistics.median(per["forward"]),
              "backward_ms": statistics.median(per["backward"]),
              "step_ms": statistics.median(per["step"]), "maxrss_mb": rss,
              "loss": last_loss[0]}
    print(json.dumps(record), flush=True)
    print("lenet pytorch, %d thread(s): %.0f img/s, %.3f ms/step (forward %.3f, backward %.3f, "
          "step %.3f), maxrss %.1f MB" % (args.threads, record["img_per_s"], ms,
                                          record["forward_ms"], record["backward_ms"],
                                          record["step_ms"], rss), file=sys.stderr)


if __name__ == "__main__":
    main()
