#!/usr/bin/env bash
# Checks a GPU machine end to end: builds with the CUDA backend required, runs the whole test
# suite, then the GPU tests alone (which must run, not skip), then the GPU benchmarks, ours and
# PyTorch's on the same GPU. Logs, JSON lines and a summary table go to OUT_DIR.
#
#   scripts/gpu-check.sh OUT_DIR [BUILD_DIR]       (BUILD_DIR defaults to build-gpu)
# Environment:
#   MINITORCH_DEPS_DIR  a folder of .deb files (GoogleTest, rapidcheck, CLI11, nlohmann-json,
#                       libpng and zlib headers) to unpack into a private prefix first, for
#                       machines that have CUDA and CMake but not our build dependencies
#   JOBS                parallel build jobs (default: nproc)
#   BENCH_REPETITIONS   repetitions per benchmark figure (default 10)
# Exit status: 0 when every step passed, 1 otherwise (each failed step is named on stderr).
set -uo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 OUT_DIR [BUILD_DIR]" >&2
  exit 2
fi
out=$(mkdir -p "$1" && cd "$1" && pwd)
build=${2:-build-gpu}
jobs=${JOBS:-$(nproc)}
reps=${BENCH_REPETITIONS:-10}
cd "$(dirname "$0")/.."
failed=()

# step NAME COMMAND...: runs COMMAND with its output in OUT_DIR/NAME.log (and on the terminal).
step() {
  local name=$1
  shift
  echo "== $name: $*"
  if "$@" 2>&1 | tee "$out/$name.log"; then
    echo "== $name: ok"
  else
    echo "== $name: FAILED (log: $out/$name.log)" >&2
    failed+=("$name")
  fi
}

{
  date -u
  nvidia-smi 2>&1 || echo "nvidia-smi: not available"
  nvcc --version 2>&1 || echo "nvcc: not on PATH"
  cmake --version | head -1
} >"$out/environment.txt"

prefix_args=()
if [[ -n ${MINITORCH_DEPS_DIR:-} ]]; then
  deps_prefix=/tmp/minitorch-deps
  mkdir -p "$deps_prefix"
  for deb in "$MINITORCH_DEPS_DIR"/*.deb; do dpkg -x "$deb" "$deps_prefix"; done
  prefix_args=(-DCMAKE_PREFIX_PATH="$deps_prefix/usr")
  export LD_LIBRARY_PATH="$deps_prefix/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"
fi

step configure cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMINITORCH_CUDA=ON \
  "${prefix_args[@]}"
step build cmake --build "$build" -j "$jobs"
step ctest bash -c "cd '$build' && ctest --output-on-failure -j '$jobs'"
# On a GPU machine a skipped GPU test is a failure: the device must have been found.
gpu_tests() {
  local rc=0
  "$build/tests/unit_tests" --gtest_filter='Cuda*:*CudaOpHarness*:Device*' >"$out/gpu-tests.txt" 2>&1 ||
    rc=1
  cat "$out/gpu-tests.txt"
  if grep -q "skipped: no CUDA device" "$out/gpu-tests.txt"; then
    echo "gpu-tests: GPU tests were skipped: no CUDA device was found" >&2
    rc=1
  fi
  return $rc
}
step gpu-tests gpu_tests
step bench-ours bash -c "'$build/bench_cuda' --repetitions '$reps' | tee '$out/bench_ours.jsonl'"
step bench-pytorch bash -c \
  "python3 bench/cuda_peer.py --repetitions '$reps' | tee '$out/bench_pytorch.jsonl'"

# One table of both implementations, suite by suite.
python3 - "$out" <<'PY' | tee "$out/summary.md"
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
rows = []
for name in ("bench_ours.jsonl", "bench_pytorch.jsonl"):
    path = out / name
    if path.exists():
        rows += [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]
gpu = next((r["gpu"] for r in rows if "gpu" in r), "unknown GPU")
print(f"GPU: {gpu}\n")
print("| suite | size | ours | PyTorch | our speed / PyTorch's |")
print("| --- | --- | --- | --- | --- |")
def figure(r):
    if r["suite"] == "sgemm":
        return r["gflops"], "GFLOP/s", True
    return r["epoch_seconds"], "s/epoch", False
keyed = {}
for r in rows:
    if "check" in r:
        print(f"| {r['suite']} check | {r['check']} | max rel error {r['max_rel_error']} | | |")
        continue
    keyed.setdefault((r["suite"], r.get("n", r.get("batch"))), {})[r["impl"]] = r
for (suite, size), by_impl in keyed.items():
    ours, theirs = by_impl.get("ours"), by_impl.get("pytorch")
    unit = figure(ours or theirs)[1]
    a = figure(ours)[0] if ours else None
    b = figure(theirs)[0] if theirs else None
    higher_better = figure(ours or theirs)[2]
    ratio = "" if not (a and b) else f"{(a / b if higher_better else b / a):.2f}x"
    fmt = lambda v: "-" if v is None else f"{v} {unit}"
    print(f"| {suite} | {size} | {fmt(a)} | {fmt(b)} | {ratio} |")
PY

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "gpu-check: FAILED steps: ${failed[*]} (logs in $out)" >&2
  exit 1
fi
echo "gpu-check: every step passed (logs in $out)"
