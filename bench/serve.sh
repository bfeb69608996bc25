#!/usr/bin/env bash
# Load-tests `minitorch serve` against its peer, FastAPI + uvicorn + PyTorch serving the same
# checkpoint (bench/serve_peer.py), with wrk on loopback: each server × 1 and 2 threads / workers ×
# concurrency 1, 16 and 64, 30 s each (--quick: 5 s). Every request is one KServe V2 infer request
# for one Fashion-MNIST test image (bench/serve_infer.lua); an answer that is not 2xx or lacks the
# label PyTorch predicts is an error, as is every socket error. Prints the CPU, a Markdown table
# (requests/s, p50, p99, errors, peak resident memory) and the targets; writes them with the raw
# results to bench/results/serve-<timestamp>/.
#
# Usage: bench/serve.sh [RUN_DIR] [--quick] [--peer-only] [--soak [SECONDS]]
#   RUN_DIR      a Fashion-MNIST LeNet-5 run directory (`make run`); without it, one epoch is
#                trained into a temporary directory
#   --peer-only  measure the peer alone (no `minitorch serve` needed)
#   SERVE_FLAGS  environment: more flags for `minitorch serve` (e.g. --max-queue-delay-us 0)
#   --soak S     instead of the table: S seconds (default 300) at concurrency 64 against ours on 2
#                threads, resident memory sampled every 5 s; passes with 0 errors and memory within
#                10 % of its value at the end of the 30 s warm-up (with --peer-only: the peer)
#
# Peak resident memory is VmHWM from /proc/PID/status, summed over the server's process tree (the
# peer's uvicorn master, its workers and multiprocessing's helper; ours is one process), read after
# each run: one server instance serves concurrency 1, 16, 64 in that order, so each row's figure is
# the peak since start. Before the runs, 2 s (--quick: 1 s) of warm-up at concurrency 1.
#
# CPUs (the machine this was written for has 2, shared by server and wrk): a server with N
# threads is pinned to the last N CPUs and wrk (1 thread) to the others when there are more CPUs
# than N; otherwise neither is pinned. On 2 CPUs: at N = 1 the server has CPU 1 to itself and wrk
# CPU 0, so wrk never steals the server's core; at N = 2 pinning wrk to a core would take that
# core from the server anyway, so both float over both CPUs and wrk's own load is part of the
# figure (the same for ours and the peer). One wrk thread: it needs well under one core here,
# and a second would only contend for the same CPUs.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '10,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
run_dir="" quick=0 peer_only=0 soak=0
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --peer-only) peer_only=1 ;;
    --soak)
      soak=300
      if [[ "${2:-}" =~ ^[0-9]+$ ]]; then soak=$2; shift; fi
      ((soak > 30)) || { echo "serve.sh: --soak $soak; expected more than the 30 s warm-up" >&2; exit 2; }
      ;;
    -h | --help) usage ;;
    -*) echo "serve.sh: unknown option $1" >&2; usage ;;
    *)
      [[ -z "$run_dir" ]] || { echo "serve.sh: two run directories ($run_dir, $1); expected one" >&2; exit 2; }
      run_dir=$1
      ;;
  esac
  shift
done
duration=30 warmup=2
((quick)) && duration=5 warmup=1
build=${BUILD_DIR:-build}
minitorch=$build/minitorch
python=/usr/bin/python3 # Debian's torch, fastapi and uvicorn are importable only from it

scripts/install-bench-deps.sh
if ((!peer_only)) || [[ -z "$run_dir" ]]; then
  [[ -f "$build/CMakeCache.txt" ]] ||
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMINITORCH_CUDA=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" --target minitorch_cli >/dev/null
fi

out="bench/results/serve-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$out"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/minitorch-serve-bench.XXXXXX")

# Every process started here, stopped on exit whatever ends the script.
servers=() helpers=()
descendants() {
  local pid=$1 child
  echo "$pid"
  for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do descendants "$child"; done
}
cleanup() {
  local pid all=() tree
  for pid in "${helpers[@]}"; do kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null; done
  for pid in "${servers[@]}"; do
    kill -0 "$pid" 2>/dev/null || continue
    mapfile -t tree < <(descendants "$pid")
    all+=("${tree[@]}")
  done
  if ((${#all[@]})); then
    kill -TERM "${all[@]}" 2>/dev/null || true
    sleep 2
    kill -KILL "${all[@]}" 2>/dev/null || true
  fi
  rm -rf -- "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

source bench/lib/cpu_line.sh

# The request body: test image 0 of Fashion-MNIST, as a KServe V2 FP32 [1, 1, 28, 28] tensor.
body=$tmp/body.json
$python - "$body" <<'PY'
import gzip, json, sys
import numpy as np
base = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
pixels = np.frombuffer(gzip.open(base).read(), dtype=np.uint8, offset=16, count=784)
data = [round(float(v) / 255.0, 6) for v in pixels]
body = {"id": "bench-0", "inputs": [{"name": "input", "shape": [1, 1, 28, 28],
                                     "datatype": "FP32", "data": data}]}
open(sys.argv[1], "w").write(json.dumps(body, separators=(",", ":")))
PY

if [[ -z "$run_dir" ]]; then
  run_dir=$tmp/fashion-lenet
  echo "serve.sh: no run directory given; training LeNet-5 on Fashion-MNIST for 1 epoch" >&2
  "$minitorch" train --task fashion-mnist --model lenet --epochs 1 --batch-size 64 \
    --optimizer adam --lr 1e-3 --seed 0 --run-dir "$run_dir" >"$out/train.log" 2>&1
fi
[[ -f "$run_dir/model.safetensors" ]] ||
  { echo "serve.sh: $run_dir has no model.safetensors; expected a training run directory" >&2; exit 1; }
run_dir=$(cd "$run_dir" && pwd)
model=$(basename "$run_dir")

# CPU lists for a server on N threads and for wrk (empty: not pinned); see the header.
server_cpus() {
  local n=$1 total
  total=$(nproc)
  if ((total > n)); then echo "$((total - n))-$((total - 1))"; fi
}
wrk_cpus() {
  local n=$1 total
  total=$(nproc)
  if ((total > n)); then echo "0-$((total - n - 1))"; fi
}
# Sets the array `pin` to the taskset prefix for a CPU list (empty: none). A background job must
# be a simple command (`"${pin[@]}" cmd &`), so that $! is the server's own PID, not a subshell's.
pin_to() {
  pin=()
  if [[ -n "$1" ]]; then pin=(taskset -c "$1"); fi
}

# Starts SERVER (ours | peer) on N threads; sets server_pid and url once it answers ready.
start_server() {
  local server=$1 n=$2 log=$out/$1-$2
  pin_to "$(server_cpus "$n")"
  if [[ $server == ours ]]; then
    # shellcheck disable=SC2086 # SERVE_FLAGS is a list of flags
    "${pin[@]}" "$minitorch" serve --run "$run_dir" --port 0 --threads "$n" ${SERVE_FLAGS:-} \
      >"$log.out" 2>"$log.err" &
  else
    "${pin[@]}" $python bench/serve_peer.py --run "$run_dir" --port 0 --workers "$n" \
      >"$log.out" 2>"$log.err" &
  fi
  server_pid=$!
  servers+=("$server_pid")
  url=""
  for _ in $(seq 600); do
    kill -0 "$server_pid" 2>/dev/null ||
      { echo "serve.sh: $server server exited before it was ready:" >&2; tail -n 20 "$log.err" >&2; exit 1; }
    [[ -z "$url" ]] && url=$(grep -o -m1 -E 'http://127\.0\.0\.1:[0-9]+' "$log.out" || true)
    if [[ -n "$url" ]] && curl -sf -o /dev/null "$url/v2/health/ready"; then return 0; fi
    sleep 0.1
  done
  echo "serve.sh: $server server not ready after 60 s (url '${url}')" >&2
  exit 1
}

# Stops the server with SIGTERM; sets exit_status to its exit status ("timeout" if it was still
# running 20 s later, then killed). Not to be run in a subshell: it waits for the server.
stop_server() {
  local pid=$1 tree left=() p started
  mapfile -t tree < <(descendants "$pid")
  started=$(date +%s.%N)
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "${tree[@]}" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    exit_status="none: still running 20 s after SIGTERM, killed"
  else
    exit_status=0
    wait "$pid" || exit_status=$?
    exit_status+=" after $(awk -v a="$(date +%s.%N)" -v b="$started" 'BEGIN {printf "%.1f", a - b}') s"
  fi
  for _ in $(seq 30); do # its helpers (uvicorn's multiprocessing tracker) follow it shortly
    left=()
    for p in "${tree[@]}"; do kill -0 "$p" 2>/dev/null && left+=("$p"); done
    ((${#left[@]})) || break
    sleep 0.1
  done
  if ((${#left[@]})); then
    kill -KILL "${left[@]}" 2>/dev/null || true
    exit_status+=", ${#left[@]} of its processes left running (killed)"
  fi
  # Ours logs one line per request: keep the log's end only.
  local log
  for log in "$out"/*.err; do
    (($(stat -c %s "$log") > 1048576)) || continue
    tail -c 1048576 "$log" >"$log.tail" && mv "$log.tail" "$log"
  done
}

# Peak resident memory in MB, summed over the process tree of PID.
peak_rss_mb() {
  local pid kb=0 v
  for pid in $(descendants "$1"); do
    v=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    kb=$((kb + ${v:-0}))
  done
  awk -v kb="$kb" 'BEGIN {printf "%.1f", kb / 1024}'
}
rss_mb() {
  local pid kb=0 v
  for pid in $(descendants "$1"); do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    kb=$((kb + ${v:-0}))
  done
  awk -v kb="$kb" 'BEGIN {printf "%.1f", kb / 1024}'
}

# One infer request with curl: the answer's JSON on stdout (the status checked).
infer_once() { curl -sf -H 'Content-Type: application/json' --data-binary "@$body" "$1/v2/models/$model/infer"; }

# Runs wrk; echoes its SERVE_RESULT JSON (the full report goes to FILE).
run_wrk() {
  local n=$1 connections=$2 seconds=$3 expected=$4 file=$5
  pin_to "$(wrk_cpus "$n")"
  "${pin[@]}" wrk -t 1 -c "$connections" -d "${seconds}s" --timeout 10s --latency \
    -s bench/serve_infer.lua "$url/v2/models/$model/infer" -- "$body" "$expected" >"$file" 2>&1 ||
    { echo "serve.sh: wrk failed:" >&2; tail -n 20 "$file" >&2; exit 1; }
  sed -n 's/^SERVE_RESULT //p' "$file" | grep . ||
    { echo "serve.sh: no SERVE_RESULT line from wrk:" >&2; tail -n 20 "$file" >&2; exit 1; }
}

server_list=(ours peer)
((peer_only)) && server_list=(peer)
cpu_line | tee "$out/cpu.txt"
echo "Model: $run_dir (served as '$model'); wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}')${SERVE_FLAGS:+; minitorch serve $SERVE_FLAGS}" |
  tee -a "$out/cpu.txt"

# PyTorch's answer is the reference: its label must be in every answer, and ours must give the
# same probabilities.
start_server peer 1
infer_once "$url" >"$out/peer-answer.json"
stop_server "$server_pid"
label=$($python -c 'import json, sys; print(json.load(sys.stdin)["outputs"][2]["data"][0])' \
  <"$out/peer-answer.json")
expected="\"$label\""
echo "Reference answer (PyTorch): $label"

if ((soak)); then
  server=ours
  ((peer_only)) && server=peer
  start_server "$server" 2
  echo "Soak: $server, 2 threads, concurrency 64, $soak s; resident memory every 5 s" >&2
  pin_to "$(wrk_cpus 2)"
  "${pin[@]}" wrk -t 1 -c 64 -d "${soak}s" --timeout 10s --latency \
    -s bench/serve_infer.lua "$url/v2/models/$model/infer" -- "$body" "$expected" \
    >"$out/soak-wrk.txt" 2>&1 &
  wrk_pid=$!
  helpers+=("$wrk_pid")
  start=$(date +%s.%N)
  while kill -0 "$wrk_pid" 2>/dev/null; do
    echo "$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN {printf "%.1f", a - b}') $(rss_mb "$server_pid")" \
      >>"$out/soak-rss.txt"
    sleep 5
  done
  wait "$wrk_pid" || { echo "serve.sh: wrk failed:" >&2; tail -n 20 "$out/soak-wrk.txt" >&2; exit 1; }
  stop_server "$server_pid"
  $python bench/serve_report.py soak "$out" "$server" "$exit_status" | tee "$out/report.md"
  exit 0
fi

echo "Runs: ${server_list[*]} × threads 1, 2 × concurrency 1, 16, 64; $duration s each" >&2
for n in 1 2; do
  for server in "${server_list[@]}"; do
    start_server "$server" "$n"
    infer_once "$url" >"$out/$server-$n-answer.json"
    run_wrk "$n" 1 "$warmup" "$expected" "$out/$server-$n-warmup.txt" >/dev/null
    for connections in 1 16 64; do
      result=$(run_wrk "$n" "$connections" "$duration" "$expected" \
        "$out/$server-$n-c$connections.txt")
      rss=$(peak_rss_mb "$server_pid")
      echo "{\"server\":\"$server\",\"threads\":$n,\"concurrency\":$connections,\"peak_rss_mb\":$rss,\"result\":$result}" |
        tee -a "$out/results.jsonl" >&2
    done
    stop_server "$server_pid"
    echo "{\"server\":\"$server\",\"threads\":$n,\"exit\":\"$exit_status\"}" >>"$out/exits.jsonl"
  done
done
$python bench/serve_report.py table "$out" "$duration" | tee "$out/report.md"
