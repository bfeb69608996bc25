#!/usr/bin/env bash
# How the thread pool behaves when the second core is busy with another process (the situation
# where spinning workers collapse on this machine): GEMM 512³ and the MiniTorch workload on 1 and 2
# threads, with core 1 free and with a busy loop pinned to it. Usage: bench/contention.sh
# (after make bench has built build-bench/).
set -euo pipefail
cd "$(dirname "$0")/.."
workload() {  # threads -> ms per epoch (median)
  local dir
  dir=$(mktemp -d)
  taskset -c "0-$(($1 - 1))" build-bench/minitorch train --backend fast --threads "$1" --dataset split \
    --points 50 --hidden 100 --lr 0.05 --batch-size 10 --epochs 300 --seed 0 --run-dir "$dir/run" \
    >/dev/null 2>&1
  /usr/bin/python3 -c "import json,sys; print(round(json.load(open(sys.argv[1]))['epoch_seconds_median']*1e3, 3))" \
    "$dir/run/summary.json"
  rm -rf "$dir"
}
gemm() {  # threads -> GFLOP/s of ours and OpenBLAS at 512
  MINITORCH_NUM_THREADS=$1 OPENBLAS_NUM_THREADS=$1 taskset -c "0-$(($1 - 1))" \
    build-bench/bench/bench_gemm --benchmark_filter='gemm/(ours|openblas)/M:512/' \
    --benchmark_min_time=0.2 2>/dev/null | awk '/gemm/ {sub("flops=", "", $NF); printf "%s %s  ", $1, $NF}'
  echo
}
for situation in free busy; do
  busy_pid=""
  if [[ $situation == busy ]]; then
    taskset -c 1 bash -c 'while :; do :; done' &
    busy_pid=$!
    sleep 0.5
  fi
  for threads in 1 2; do
    echo "core 1 $situation, $threads thread(s): workload $(workload "$threads") ms/epoch; gemm $(gemm "$threads")"
  done
  [[ -n $busy_pid ]] && kill "$busy_pid"
done
