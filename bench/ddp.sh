#!/usr/bin/env bash
# Data-parallel training side by side in one run: LeNet-5 on Fashion-MNIST, global batch 128, Adam
# 1e-3, our command line as 1 process × 1 thread, 2 processes × 1 thread (mpirun, per-rank batch
# 64) and 1 process × 2 threads, against PyTorch 1.13 on one process and as DistributedDataParallel
# over Gloo with 2 processes × 1 thread (bench/ddp_torch.py); then the all-reduce of our
# ProcessGroup against MPI_Allreduce (bench_allreduce, 2 ranks, 4 KB to 64 MB), and the model on
# paper fed with these figures (bench/ddp_model.py). Prints the CPU, and writes the raw results
# and ddp-report.md (also printed) to bench/results/ddp-<timestamp>/.
# Each configuration trains the whole recipe once (E epochs: time to 90 % test accuracy); then 3
# rounds (--quick: 1) run every configuration again for 2 epochs, one after the other, plus "the
# pair" (two independent one-thread trainings at once, one per CPU: the CPUs' own ceiling). The
# images/s ratios are taken within each round and their median reported, so that a ratio never
# compares runs far apart in time on this shared machine.
#
# Usage: bench/ddp.sh [--quick] [--epochs E]
#   --epochs E   epochs of every training run (default 20); time to 90 % test accuracy is
#                reported as not reached when no epoch got there
#   --quick      a smoke run: 2 epochs, one round, 3 repetitions of the all-reduce up to 4 MB
#
# Pinning: one-thread runs on CPU 0; the two ranks (ours: mpirun --bind-to core; PyTorch's: each
# rank sets its own affinity) on CPUs 0 and 1; two threads on CPUs 0-1. Images/s are the median
# over epochs of the training loop's own rate (metrics.jsonl's samples_per_second for ours, times
# the ranks if the file counts one rank's); wall s is the whole process from start to exit (data
# loading, evaluation after each epoch and, for PyTorch, its import and process start included).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/cpu_line.sh

usage() { sed -n '16,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
epochs=20 quick=0 rounds=3
while (($#)); do
  case "$1" in
    --quick) quick=1 epochs=2 rounds=1 ;;
    --epochs)
      [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || { echo "ddp.sh: --epochs needs a positive count, not '${2:-}'" >&2; exit 2; }
      epochs=$2
      shift
      ;;
    -h | --help) usage ;;
    *) echo "ddp.sh: unknown argument $1" >&2; usage ;;
  esac
  shift
done

scripts/install-deps.sh
scripts/install-bench-deps.sh
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DMINITORCH_BUILD_BENCH=ON \
  -DMINITORCH_BUILD_TESTS=OFF "${launcher[@]}" >/dev/null
targets=(minitorch_cli)
have_mpi=0
build_targets=$(cmake --build build-bench --target help)
if [[ "$build_targets" == *" bench_allreduce"* ]]; then
  targets+=(bench_allreduce)
  have_mpi=1
fi
cmake --build build-bench -j "$(nproc)" --target "${targets[@]}" >/dev/null

out="bench/results/ddp-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
cpu_line | tee "$out/cpu.txt"
echo "before $(cut -d' ' -f1-3 /proc/loadavg)" >"$out/load.txt"
mpirun=(mpirun --oversubscribe --bind-to core --map-by core)
((EUID == 0)) && mpirun+=(--allow-run-as-root)
recipe=(--task fashion-mnist --model lenet --optimizer adam --lr 1e-3 --seed 0)
{
  echo "epochs: $epochs"
  echo "ours: build-bench/minitorch train ${recipe[*]} --epochs $epochs --batch-size B --threads T --run-dir DIR"
  echo "ours 2x1: ${mpirun[*]} -np 2 build-bench/minitorch train ... --batch-size 64 --threads 1"
  echo "ours, the pair: two of 'taskset -c C build-bench/minitorch train ... --batch-size 64 --threads 1' at once, C = 0 and 1"
  echo "rounds: $rounds, each every configuration for 2 epochs"
  echo "pytorch: /usr/bin/python3 bench/ddp_torch.py --ranks R --epochs $epochs --batch-size 128"
} >"$out/commands.txt"

# timed NAME COMMAND...: runs the command, its stdout to $out/NAME.out, stderr to NAME.err, its
# wall seconds to NAME.wall and the user and system CPU seconds of it and its children to NAME.cpu;
# a command that fails leaves NAME.failed (the report says so) and the other runs go on.
timed() {
  local name=$1 start end status=0
  shift
  echo "== $name" >&2
  start=$(date +%s.%N)
  if declare -F "$1" >/dev/null; then # a function of this script: GNU time cannot run it
    "$@" >"$out/$name.out" 2>"$out/$name.err" || status=$?
  else
    /usr/bin/time -f "%U %S" -o "$out/$name.cpu" "$@" >"$out/$name.out" 2>"$out/$name.err" ||
      status=$?
  fi
  end=$(date +%s.%N)
  if ((status)); then
    echo "ddp.sh: $name failed (exit $status); the end of its output:" >&2
    tail -20 "$out/$name.err" >&2
    echo "exit $status" >"$out/$name.failed"
    return 0
  fi
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }' >"$out/$name.wall"
}

export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
# Two independent one-thread trainings with the per-rank batch, one per CPU, at the same time: what
# the two CPUs deliver with no communication at all (memory, caches and the host's scheduling
# shared), the ceiling for 2 ranks. pair DIR_PREFIX EPOCHS
pair() {
  local cpu pids=() status=0
  for cpu in 0 1; do
    taskset -c "$cpu" build-bench/minitorch train "${recipe[@]}" --epochs "$2" \
      --batch-size 64 --threads 1 --run-dir "$1-$cpu" &
    pids+=($!)
  done
  for cpu in 0 1; do wait "${pids[$cpu]}" || status=$?; done
  return "$status"
}
# The command line trains over MPI once it links the library's distributed part.
mpi_cli=0
if ((have_mpi)) && [[ "$(ldd build-bench/minitorch)" == *libmpi* ]]; then
  mpi_cli=1
else
  echo "ddp.sh: build-bench/minitorch does not link MPI: no 2-process run of ours" >&2
fi
# run_config NAME EPOCHS: one of the five configurations, results under $out/NAME*.
run_config() {
  local name=$1 n=$2
  case "$name" in
    *ours-1x1) timed "$name" taskset -c 0 build-bench/minitorch train "${recipe[@]}" --epochs "$n" \
      --batch-size 128 --threads 1 --run-dir "$out/$name" ;;
    *ours-2x1)
      if ((mpi_cli)); then
        timed "$name" "${mpirun[@]}" -np 2 -x MINITORCH_NUM_THREADS=1 build-bench/minitorch train \
          "${recipe[@]}" --epochs "$n" --batch-size 64 --threads 1 --run-dir "$out/$name"
      else
        echo "the command line does not link MPI" >"$out/$name.failed"
      fi
      ;;
    *ours-1x2) timed "$name" taskset -c 0-1 build-bench/minitorch train "${recipe[@]}" \
      --epochs "$n" --batch-size 128 --threads 2 --run-dir "$out/$name" ;;
    *ours-pair) timed "$name" pair "$out/$name" "$n" ;;
    *torch-1x1) timed "$name" taskset -c 0 /usr/bin/python3 bench/ddp_torch.py --ranks 1 --epochs "$n" ;;
    *torch-2x1) timed "$name" /usr/bin/python3 bench/ddp_torch.py --ranks 2 --epochs "$n" ;;
  esac
}

# The whole recipe once per configuration: time to 90 %.
for config in ours-1x1 torch-1x1 ours-2x1 torch-2x1 ours-1x2; do run_config "$config" "$epochs"; done
# Throughput in short interleaved rounds, so that each ratio compares runs minutes apart at most
# on this shared machine: every configuration for 2 epochs, round after round.
for ((round = 1; round <= rounds; round++)); do
  for config in ours-1x1 ours-2x1 ours-pair torch-1x1 torch-2x1 ours-1x2; do
    run_config "round$round-$config" 2
  done
done
if ((have_mpi)); then
  allreduce_flags=()
  ((quick)) && allreduce_flags=(--repetitions 3 --max-bytes $((4 << 20)))
  echo "== allreduce" >&2
  "${mpirun[@]}" -np 2 build-bench/bench/bench_allreduce "${allreduce_flags[@]}" \
    >"$out/allreduce.jsonl" 2>"$out/allreduce.err"
  cat "$out/allreduce.err" >&2
  # Messages above glibc's largest mmap threshold (32 MB) get fresh pages from the kernel on every
  # call (Open MPI's scratch buffer): the same sizes again with malloc on transparent huge pages.
  if ((!quick)); then
    echo "== allreduce, GLIBC_TUNABLES=glibc.malloc.hugetlb=1, 16 MB and up" >&2
    "${mpirun[@]}" -np 2 -x GLIBC_TUNABLES=glibc.malloc.hugetlb=1 build-bench/bench/bench_allreduce \
      --min-bytes $((16 << 20)) >"$out/allreduce-hugetlb.jsonl" 2>"$out/allreduce-hugetlb.err" || true
    cat "$out/allreduce-hugetlb.err" >&2
  fi
fi
echo "after $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/load.txt"
/usr/bin/python3 bench/ddp_report.py "$out" | tee "$out/ddp-report.md"
