#!/usr/bin/env bash
# Usage: fuzz/run.sh BUILD_DIR SECONDS [HARNESS ...]
# Runs each libFuzzer harness built in BUILD_DIR (default: every fuzz/corpus/<harness>/) for
# SECONDS (FUZZ_JOBS of them at once, default one per core), then prints one line per harness:
# executions, corpus size, result. Exits 1 when any harness found something (a crash, sanitizer
# report, leak, timeout or out-of-memory), 2 on bad usage or a harness that was not built.
#   Corpus:   BUILD_DIR/corpus/<harness>/, the checked-in seeds copied in before each run; what the
#             fuzzer adds stays there for the next run. fuzz/corpus/ itself is never written.
#   Findings: BUILD_DIR/findings/<harness>/ (the inputs), BUILD_DIR/findings/<harness>.log (the
#             fuzzer's report), both replaced by each run of that harness.
set -euo pipefail

usage() {
  echo "usage: fuzz/run.sh BUILD_DIR SECONDS [HARNESS ...]" >&2
  exit 2
}
(($# >= 2)) || usage
build=$1 seconds=$2
shift 2
[[ $seconds =~ ^[1-9][0-9]*$ ]] || usage
seeds=$(dirname "${BASH_SOURCE[0]}")/corpus
harnesses=("$@")
if ((${#harnesses[@]} == 0)); then
  for folder in "$seeds"/*/; do harnesses+=("$(basename "$folder")"); done
fi

# A run of one input longer than this, or memory above this, is a finding too.
timeout_seconds=30
rss_limit_mb=2048

# The value of libFuzzer's final statistic $1 in log $2 (0 when absent).
final_stat() {
  local value
  value=$(sed -n "s/^stat::$1: *//p" "$2" | tail -n 1)
  echo "${value:-0}"
}

# Runs harness $1; prints its line; returns 1 when it found something.
fuzz_one() {
  local name=$1 program=$build/fuzz/fuzz_$1
  local corpus=$build/corpus/$name findings=$build/findings/$name log=$build/findings/$name.log
  [[ -x $program ]] || {
    echo "fuzz: $program is not built (cmake --build $build --target fuzz)" >&2
    return 2
  }
  rm -rf "$findings" "$log"
  mkdir -p "$corpus" "$findings"
  cp -p "$seeds/$name"/* "$corpus"/
  local status=0
  "$program" "$corpus" -max_total_time="$seconds" -timeout="$timeout_seconds" \
    -rss_limit_mb="$rss_limit_mb" -print_final_stats=1 -artifact_prefix="$findings/" \
    >"$log" 2>&1 || status=$?
  local runs size result=ok
  runs=$(final_stat number_of_executed_units "$log")
  size=$(find "$corpus" -type f | wc -l)
  if ((status != 0)); then
    result="FOUND ($(grep -m 1 -o 'ERROR: .*\|runtime error: .*\|fuzz: .*\|deadly signal' "$log" || echo "exit $status")); inputs in $findings/, report in $log"
  fi
  printf '%-12s %10s executions  corpus %5s  %s\n' "$name" "$runs" "$size" "$result"
  ((status == 0))
}

# The harnesses run side by side, one per core (FUZZ_JOBS), each for the full SECONDS: libFuzzer
# uses one core, and CI's time is better spent fuzzing on both. Their lines print in order.
jobs_at_once=${FUZZ_JOBS:-$(nproc)}
[[ $jobs_at_once =~ ^[1-9][0-9]*$ ]] || usage
status_dir=$(mktemp -d)
trap 'rm -rf "$status_dir"' EXIT
for name in "${harnesses[@]}"; do
  while (($(jobs -rp | wc -l) >= jobs_at_once)); do wait -n || true; done
  (
    set +e
    fuzz_one "$name" >"$status_dir/$name.line"
    echo $? >"$status_dir/$name.status"
  ) &
done
wait

failed=0
for name in "${harnesses[@]}"; do
  cat "$status_dir/$name.line"
  code=$(cat "$status_dir/$name.status" 2>/dev/null || echo 2)
  ((code == 2)) && exit 2
  ((code == 0)) || failed=1
done
exit "$failed"
