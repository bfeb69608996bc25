#!/usr/bin/env bash
# Runs every benchmark side by side with its peers, on 1 and 2 threads, and prints the tables
# (also written to bench/results/<timestamp>/report.md). Usage: bench/run.sh [--quick]
#   GEMM (ours / OpenBLAS / oneDNN / PyTorch), the FMA peak, elementwise throughput, tiny-op
#   overhead, MiniTorch's run_fast_tensor workload (ours through the CLI, PyTorch's same loop), and
#   LeNet-5 training steps (bench_lenet against bench/lenet_peer.py, alternating, 3 runs each).
# Threads are pinned with taskset; two-thread peers use OMP_WAIT_POLICY=passive (spinning OpenMP
# workers collapse on this shared machine; see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
quick=""
[[ "${1:-}" == "--quick" ]] && quick="--quick"

scripts/install-deps.sh
scripts/install-bench-deps.sh
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMINITORCH_BUILD_BENCH=ON \
  -DMINITORCH_BUILD_TESTS=OFF >/dev/null
cmake --build build-bench -j "$(nproc)" >/dev/null

out="bench/results/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
min_time=0.1
repetitions=5
epochs=500
lenet_steps=100
if [[ -n "$quick" ]]; then min_time=0.01; repetitions=2; epochs=50; lenet_steps=20; fi

for threads in 1 2; do
  cpus="0-$((threads - 1))"
  export MINITORCH_NUM_THREADS=$threads OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
  if ((threads > 1)); then export OMP_WAIT_POLICY=passive; else unset OMP_WAIT_POLICY; fi
  echo "== $threads thread(s)" >&2
  taskset -c "$cpus" build-bench/bench/bench_peak "$threads" >"$out/peak-$threads.jsonl"
  if ((threads > 1)); then
    taskset -c "$cpus" build-bench/bench/bench_parallel >"$out/parallel-$threads.jsonl"
  fi
  for suite in gemm ops; do
    taskset -c "$cpus" "build-bench/bench/bench_$suite" --benchmark_min_time="$min_time" \
      --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
      --benchmark_format=json >"$out/$suite-$threads.json" 2>/dev/null
  done
  taskset -c "$cpus" /usr/bin/python3 bench/torch_peer.py --threads "$threads" $quick \
    >"$out/torch-$threads.jsonl"
  for repeat in 1 2 3; do
    taskset -c "$cpus" build-bench/minitorch train --backend fast --threads "$threads" \
      --dataset split --points 50 --hidden 100 --lr 0.05 --batch-size 10 --epochs "$epochs" \
      --seed 0 --run-dir "$out/workload-$threads-$repeat" >/dev/null 2>&1
  done
  for repeat in 1 2 3; do
    taskset -c "$cpus" build-bench/bench/bench_lenet --threads "$threads" --steps "$lenet_steps" \
      >>"$out/lenet-$threads.jsonl"
    taskset -c "$cpus" /usr/bin/python3 bench/lenet_peer.py --threads "$threads" \
      --steps "$lenet_steps" >>"$out/lenet-$threads.jsonl"
  done
done
/usr/bin/python3 bench/report.py "$out" | tee "$out/report.md"
