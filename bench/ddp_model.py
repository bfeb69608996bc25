#!/usr/bin/python3
"""On paper: ring all-reduce time and data-parallel scaling efficiency at 8, 64 and 512 ranks on a
25 Gb/s and a 100 Gb/s network, for LeNet-5 and a 100M-parameter model, with and without overlap
of communication with the backward pass, and what the bucket size buys. Prints Markdown tables.

Usage:  bench/ddp_model.py [--allreduce FILE.jsonl] [--img-per-s X] [--per-rank-batch B]
                           [--model-file model.safetensors]
  --allreduce   bench_allreduce's output (ours); the loopback latency α and bandwidth B are fitted
                to it (least squares of time = 2(p-1)·α + 2(p-1)/p · bytes / B) and printed
  --img-per-s   our one-process LeNet-5 training speed (images/s, 1 thread), measured; the compute
                time of one step is per-rank-batch / img-per-s
  --model-file  a LeNet-5 model.safetensors of ours: its parameters are counted (else 61,706)

The model (every assumption is printed with the tables):
  ring all-reduce of n bytes on p ranks      T(n) = 2(p-1)/p · n / B + 2(p-1) · α
  buckets of b bytes                          k = ceil(n / b) all-reduces, run one after another
  step without overlap                        t = T_c + Σ T(bucket)
  step with overlap                           the backward pass (a fraction f of T_c) produces
      gradients at an even rate, last layer first; a bucket is all-reduced once it is full and the
      previous one is done, so communication ends at max(T_bwd + T(last bucket),
      T_bwd · b/n + Σ T(bucket)) and only what runs past the backward is exposed
  scaling efficiency                          T_c / t  (1 = the ranks' speed adds up)
Per-rank batch and compute per step stay fixed as ranks are added (weak scaling, as
`--batch-size` is the per-rank batch).
"""
import argparse
import json
import math
import struct
import sys

GBIT = 1e9 / 8  # bytes per second in one Gb/s

# Stated network assumptions: link bandwidth as sold (a ring moves 2(p-1)/p of the message over
# every link, so the link, not the switch, bounds it) and a per-message latency per hop: kernel TCP
# on 25 Gb/s Ethernet, RDMA (InfiniBand / RoCE) on 100 Gb/s.
NETWORKS = [("25 Gb/s, TCP", 25 * GBIT, 20e-6), ("100 Gb/s, RDMA", 100 * GBIT, 3e-6)]
RANKS = [8, 64, 512]
BACKWARD_FRACTION = 2 / 3  # backward ≈ 2 × forward: 2/3 of a step's compute
DEFAULT_BUCKET = 25 * 2**20  # DistributedDataParallel's default (PyTorch's and ours)
ALL = 2**40  # one bucket for every gradient
BUCKETS = {"LeNet-5": [16 * 2**10, 64 * 2**10, ALL],
           "100M": [2**20, 4 * 2**20, 25 * 2**20, 100 * 2**20, ALL]}
LENET_PARAMS = 61_706
BIG_PARAMS = 100_000_000
# The 100M-parameter model's compute per step: 6 FLOP per parameter per sample (forward 2, backward
# 4), 64 samples of 512 tokens per rank, on an accelerator sustaining 100 TFLOP/s.
BIG_STEP_SECONDS = 6 * BIG_PARAMS * 64 * 512 / 100e12


def ring_seconds(nbytes, ranks, bandwidth, latency):
    return 2 * (ranks - 1) / ranks * nbytes / bandwidth + 2 * (ranks - 1) * latency


def bucket_sizes(nbytes, bucket):
    full, rest = divmod(nbytes, bucket)
    return [bucket] * int(full) + ([rest] if rest else [])


def step_seconds(compute, nbytes, ranks, bandwidth, latency, bucket, overlap):
    sizes = bucket_sizes(nbytes, bucket)
    comm = [ring_seconds(b, ranks, bandwidth, latency) for b in sizes]
    if not overlap:
        return compute + sum(comm)
    backward = BACKWARD_FRACTION * compute
    first_ready = backward * sizes[0] / nbytes
    end = max(backward + comm[-1], first_ready + sum(comm))
    return compute + (end - backward)


def fit_loopback(path):
    """α and B of a ring on this machine's loopback, fitted to bench_allreduce's lines for ours."""
    rows = [json.loads(line) for line in open(path) if line.strip()]
    rows = [r for r in rows if r.get("impl") == "ours"]
    if len(rows) < 2:
        sys.exit(f"ddp_model.py: {path} has fewer than 2 lines of impl 'ours'; expected "
                 "bench_allreduce's output")
    p = rows[0]["ranks"]
    xs = [r["bytes"] for r in rows]
    ys = [r["us"] * 1e-6 for r in rows]
    # Weighted by 1/time², so the small messages (latency) count as much as the large (bandwidth).
    w = [1 / y**2 for y in ys]
    sw = sum(w)
    mx = sum(wi * x for wi, x in zip(w, xs)) / sw
    my = sum(wi * y for wi, y in zip(w, ys)) / sw
    slope = sum(wi * (x - mx) * (y - my) for wi, x, y in zip(w, xs, ys)) / \
        sum(wi * (x - mx) ** 2 for wi, x in zip(w, xs))
    intercept = max(my - slope * mx, 0.0)
    return p, intercept / (2 * (p - 1)), 2 * (p - 1) / p / slope, rows


def count_parameters(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
    return sum(math.prod(v["shape"]) for k, v in header.items() if k != "__metadata__")


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.0f} µs"


def fmt_bytes(n):
    if n >= 2**40:
        return "all"
    for unit, size in (("MB", 2**20), ("KB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n} B"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--allreduce")
    ap.add_argument("--img-per-s", type=float)
    ap.add_argument("--per-rank-batch", type=int, default=64)
    ap.add_argument("--model-file")
    args = ap.parse_args()

    lenet = count_parameters(args.model_file) if args.model_file else LENET_PARAMS
    print("## Inputs\n")
    print(f"- LeNet-5 parameters: {lenet:,}"
          + (f" (counted in {args.model_file})" if args.model_file else " (conv 156 + 2,416, "
             "fc 48,120 + 10,164 + 850)") + f", float32: {fmt_bytes(4 * lenet)} of gradients")
    if args.img_per_s:
        lenet_step = args.per_rank_batch / args.img_per_s
        print(f"- LeNet-5 compute per step: {fmt_time(lenet_step)} ({args.per_rank_batch} images "
              f"per rank at our measured {args.img_per_s:.0f} img/s, 1 thread)")
    else:
        lenet_step = args.per_rank_batch / 22000
        print(f"- LeNet-5 compute per step: {fmt_time(lenet_step)} (assumed: {args.per_rank_batch}"
              " images at 22,000 img/s, BENCHMARKS.md's 1-thread figure; pass --img-per-s)")
    print(f"- 100M-parameter model: {fmt_bytes(4 * BIG_PARAMS)} of float32 gradients; compute per "
          f"step {fmt_time(BIG_STEP_SECONDS)} (assumed: 6 FLOP per parameter per token, 64 × 512 "
          "tokens per rank, 100 TFLOP/s sustained)")
    print(f"- backward = {BACKWARD_FRACTION:.2f} of a step's compute; default bucket "
          f"{fmt_bytes(DEFAULT_BUCKET)}; networks: "
          + "; ".join(f"{name}: B = {bw / 1e9:.3g} GB/s, α = {fmt_time(lat)} per message"
                      for name, bw, lat in NETWORKS))
    if args.allreduce:
        p, alpha, bandwidth, rows = fit_loopback(args.allreduce)
        print(f"- measured on this machine's loopback ({p} ranks, ours): α = "
              f"{fmt_time(alpha)}, B = {bandwidth / 1e9:.2f} GB/s (fit of "
              f"{len(rows)} sizes); predicted all-reduce of LeNet-5's gradients at {p} ranks: "
              f"{fmt_time(ring_seconds(4 * lenet, p, bandwidth, alpha))}")
        predicted = lenet_step / step_seconds(lenet_step, 4 * lenet, p, bandwidth, alpha,
                                              DEFAULT_BUCKET, overlap=False)
        print(f"- so at {p} ranks on loopback the model predicts {100 * predicted:.1f} % "
              "scaling efficiency for LeNet-5 (no overlap: one bucket), if each rank had a core "
              "of its own and communication no CPU cost")

    models = [("LeNet-5", 4 * lenet, lenet_step), ("100M", 4 * BIG_PARAMS, BIG_STEP_SECONDS)]
    print("\n## Scaling efficiency\n")
    print("Default bucket 25 MB (LeNet-5's 241 KB of gradients fill one bucket: nothing to overlap); "
          "the best bucket is chosen among the sizes of the next table.\n")
    print("| model | network | ranks | all-reduce, one bucket | compute/step | no overlap | "
          "overlap, 25 MB buckets | best bucket (overlap) |")
    print("|---|---|---|---|---|---|---|---|")
    for name, nbytes, compute in models:
        for net, bandwidth, latency in NETWORKS:
            for p in RANKS:
                def efficiency(bucket, overlap):
                    return compute / step_seconds(compute, nbytes, p, bandwidth, latency, bucket,
                                                  overlap)
                best = max(BUCKETS[name], key=lambda b: efficiency(b, True))
                print(f"| {name} | {net} | {p} | "
                      f"{fmt_time(ring_seconds(nbytes, p, bandwidth, latency))} | "
                      f"{fmt_time(compute)} | {100 * efficiency(DEFAULT_BUCKET, False):.1f} % | "
                      f"{100 * efficiency(DEFAULT_BUCKET, True):.1f} % | {fmt_bytes(best)}: "
                      f"{100 * efficiency(best, True):.1f} % |")

    for name, nbytes, compute in models:
        buckets = BUCKETS[name]
        print(f"\n## What the bucket size buys: {name}, efficiency with overlap, by bucket size\n")
        print("| network | ranks | " + " | ".join(fmt_bytes(b) for b in buckets) + " |")
        print("|---|---|" + "---|" * len(buckets))
        for net, bandwidth, latency in NETWORKS:
            for p in RANKS:
                cells = [100 * compute / step_seconds(compute, nbytes, p, bandwidth, latency, b,
                                                      True) for b in buckets]
                print(f"| {net} | {p} | " + " | ".join(f"{c:.1f} %" for c in cells) + " |")

    print("\n## LeNet-5: the latency term 2(p-1)·α against the bandwidth term\n")
    print("| network | ranks | 2(p-1)/p · n/B | 2(p-1)·α | recursive doubling log2(p)·(α + n/B) |")
    print("|---|---|---|---|---|")
    for net, bandwidth, latency in NETWORKS:
        for p in RANKS:
            n = 4 * lenet
            print(f"| {net} | {p} | {fmt_time(2 * (p - 1) / p * n / bandwidth)} | "
                  f"{fmt_time(2 * (p - 1) * latency)} | "
                  f"{fmt_time(math.log2(p) * (latency + n / bandwidth))} |")


if __name__ == "__main__":
    main()
