#!/usr/bin/env bash
# Trains LeNet-5 on Fashion-MNIST with our command line and with PyTorch (bench/fashion_mnist_peer.py)
# side by side, same recipe (Adam 1e-3, batch 64, EPOCHS epochs, SCHEDULE), same thread count, and
# prints per-epoch test accuracy and images per second of both, plus each process's peak resident
# memory. Usage: bench/fashion_mnist.sh [EPOCHS] [THREADS] [SCHEDULE]   (defaults 15 1 none)
set -euo pipefail
cd "$(dirname "$0")/.."
epochs=${1:-15} threads=${2:-1} schedule=${3:-none}
cpus="0-$((threads - 1))"
out="bench/results/fashion-mnist-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
scripts/install-deps.sh
scripts/install-bench-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build build -j "$(nproc)" >/dev/null
/usr/bin/time -f "%M" -o "$out/ours-maxrss-kb" taskset -c "$cpus" build/minitorch train \
  --task fashion-mnist --model lenet --epochs "$epochs" --batch-size 64 --optimizer adam --lr 1e-3 \
  --schedule "$schedule" --threads "$threads" --seed 0 --run-dir "$out/ours" >/dev/null 2>&1
OMP_NUM_THREADS=$threads /usr/bin/time -f "%M" -o "$out/torch-maxrss-kb" taskset -c "$cpus" \
  /usr/bin/python3 bench/fashion_mnist_peer.py --epochs "$epochs" --threads "$threads" \
  --schedule "$schedule" >"$out/torch.jsonl"
/usr/bin/python3 - "$out" <<'PY'
import json, sys, statistics
out = sys.argv[1]
ours = [json.loads(l) for l in open(f"{out}/ours/metrics.jsonl")]
torch = [json.loads(l) for l in open(f"{out}/torch.jsonl")]
print("| epoch | ours test acc | PyTorch test acc | ours img/s | PyTorch img/s |")
print("|---|---|---|---|---|")
for a, b in zip(ours, torch):
    print(f"| {a['epoch']} | {100*a['test_accuracy']:.2f} % | {100*b['test_accuracy']:.2f} % | "
          f"{a['samples_per_second']:.0f} | {b['samples_per_second']:.0f} |")
ra = statistics.median(a["samples_per_second"] for a in ours)
rb = statistics.median(b["samples_per_second"] for b in torch)
rss = lambda name: int(open(f"{out}/{name}-maxrss-kb").read().split()[-1]) / 1024
print(f"\nmedian img/s: ours {ra:.0f}, PyTorch {rb:.0f} ({ra/rb:.2f}x); "
      f"peak RSS: ours {rss('ours'):.0f} MB, PyTorch {rss('torch'):.0f} MB")
PY
