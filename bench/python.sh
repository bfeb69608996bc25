#!/usr/bin/env bash
# The Python package against PyTorch 1.13 (Debian's python3-torch), side by side in one run
# (bench/python_course.py says what each measurement is):
#   - MiniTorch's run_fast_tensor.py loop, ms per epoch, on 1 and 2 threads (target: >= 3x faster);
#   - the call overhead of `a + b` on 10 elements (target: <= 1/2 of PyTorch's);
#   - the time to import the package.
# The two implementations alternate, REPEATS times each (default 3; --quick: 1 and fewer epochs);
# each row is the median of the repeats' medians. One-thread runs are pinned to CPU 0, two-thread
# runs to CPUs 0-1. Prints the CPU, a Markdown table and the targets; writes them with the raw
# JSON lines to bench/results/python-<timestamp>/.
# Usage: bench/python.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/.."
repeats=${REPEATS:-3} epochs=200
if [[ "${1:-}" == "--quick" ]]; then repeats=1 epochs=40; fi
build=${BUILD_DIR:-build}
python=/usr/bin/python3 # Debian's torch and numpy are importable only from it

scripts/install-deps.sh
[[ -f "$build/CMakeCache.txt" ]] ||
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMINITORCH_CUDA=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target minitorch_python >/dev/null
export PYTHONPATH=$PWD/$build/python

out="bench/results/python-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
source bench/lib/cpu_line.sh
cpu_line | tee "$out/cpu.txt"

raw=$out/raw.jsonl
for ((repeat = 1; repeat <= repeats; repeat++)); do
  for impl in minitorch torch; do
    for threads in 1 2; do
      taskset -c "0-$((threads - 1))" "$python" bench/python_course.py workload --impl "$impl" \
        --threads "$threads" --epochs "$epochs" >>"$raw"
    done
    taskset -c 0 "$python" bench/python_course.py tiny-op --impl "$impl" >>"$raw"
  done
done
for impl in minitorch torch; do
  "$python" bench/python_course.py import --impl "$impl" >>"$raw"
done
"$python" bench/python_report.py "$raw" | tee "$out/report.md"
