#!/usr/bin/env bash
# The dashboard's figures against the issue's limits (bench/dashboard.py says what is measured):
# a directory of 500 runs, the runs table's time to show, the server's resident memory, the
# latency of a live curve. Prints the CPU and a Markdown table, and writes them to
# bench/results/dashboard-<timestamp>/.
#
# Usage: bench/dashboard.sh [--runs N] [--repeats N]   (needs `make build` and install-deps)
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib/cpu_line.sh

[[ -x build/minitorch ]] || { echo "bench/dashboard.sh: build/minitorch is missing (make build)" >&2; exit 2; }
results=bench/results/dashboard-$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
  cpu_line
  /usr/bin/python3 bench/dashboard.py --cli build/minitorch --work-dir "$work" "$@"
} | tee "$results/report.md"
echo "bench/dashboard.sh: results in $results" >&2
