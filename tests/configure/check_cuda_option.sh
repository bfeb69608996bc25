#!/usr/bin/env bash
# The MINITORCH_CUDA option at configure time, without building anything:
#   OFF                      summary says "not built (MINITORCH_CUDA=OFF)"
#   ON without a compiler    configure fails, naming nvcc and the way out
#   a bad value              configure fails, naming the accepted values
#   AUTO                     summary states whether CUDA is built (and, where built, nvcc's version)
# Usage: check_cuda_option.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
light=(-DMINITORCH_BUILD_TESTS=OFF -DMINITORCH_BUILD_APP=OFF)

expect_in() {  # expect_in FILE TEXT
  if ! grep -qF -- "$2" "$1"; then
    echo "expected '$2' in $1:" >&2
    cat "$1" >&2
    exit 1
  fi
}

cmake -S "$src" -B "$work/off" "${light[@]}" -DMINITORCH_CUDA=OFF >"$work/off.log" 2>&1
expect_in "$work/off.log" "CUDA            not built (MINITORCH_CUDA=OFF)"

if CUDACXX=/nonexistent/nvcc cmake -S "$src" -B "$work/on" "${light[@]}" -DMINITORCH_CUDA=ON \
  >"$work/on.log" 2>&1; then
  echo "MINITORCH_CUDA=ON configured without a CUDA compiler" >&2
  exit 1
fi
expect_in "$work/on.log" "MINITORCH_CUDA=ON but no CUDA compiler (nvcc) was found"

if cmake -S "$src" -B "$work/bad" "${light[@]}" -DMINITORCH_CUDA=maybe >"$work/bad.log" 2>&1; then
  echo "MINITORCH_CUDA=maybe was accepted" >&2
  exit 1
fi
expect_in "$work/bad.log" "expected AUTO, ON or OFF"

cmake -S "$src" -B "$work/auto" "${light[@]}" >"$work/auto.log" 2>&1
if command -v nvcc >/dev/null || [[ -x /usr/local/cuda/bin/nvcc ]]; then
  expect_in "$work/auto.log" "CUDA            built (nvcc "
else
  expect_in "$work/auto.log" "CUDA            not built (MINITORCH_CUDA=AUTO, no nvcc found)"
fi
echo "MINITORCH_CUDA: OFF, ON without nvcc, a bad value and AUTO behave as documented"
