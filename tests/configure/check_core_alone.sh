#!/usr/bin/env bash
# The core library needs a compiler, CMake and the header-only nlohmann-json alone: with the
# command line, the tests and minitorch::data (and with it minitorch::serve) left out, the project configures with every other
# outside package hidden from CMake, and the summary says the file formats were not built.
# Usage: check_core_alone.sh SOURCE_DIR WORK_DIR
set -euo pipefail
src=$1
work=$2
rm -rf "$work"
mkdir -p "$work"
hidden=()
for package in ZLIB PNG CLI11 GTest rapidcheck benchmark PkgConfig; do
  hidden+=("-DCMAKE_DISABLE_FIND_PACKAGE_${package}=ON")
done
if ! cmake -S "$src" -B "$work/core" -DMINITORCH_BUILD_APP=OFF -DMINITORCH_BUILD_TESTS=OFF \
  -DMINITORCH_BUILD_DATA=OFF -DMINITORCH_CUDA=OFF "${hidden[@]}" >"$work/core.log" 2>&1; then
  echo "the core did not configure without outside packages:" >&2
  cat "$work/core.log" >&2
  exit 1
fi
if ! grep -qF "minitorch::data not built (MINITORCH_BUILD_DATA=OFF)" "$work/core.log"; then
  echo "expected the summary to say minitorch::data was not built:" >&2
  cat "$work/core.log" >&2
  exit 1
fi
if ! grep -qF "minitorch::serve not built" "$work/core.log"; then
  echo "expected the summary to say minitorch::serve was not built:" >&2
  cat "$work/core.log" >&2
  exit 1
fi
# The command line reads data files: asking for it without minitorch::data is a usage error.
if cmake -S "$src" -B "$work/app" -DMINITORCH_BUILD_DATA=OFF -DMINITORCH_CUDA=OFF \
  >"$work/app.log" 2>&1; then
  echo "MINITORCH_BUILD_DATA=OFF configured with the command line and tests" >&2
  exit 1
fi
grep -qF "needs -DMINITORCH_BUILD_APP=OFF -DMINITORCH_BUILD_TESTS=OFF" "$work/app.log"
echo "the core configures with a compiler, CMake and nlohmann-json alone; minitorch::data is optional"
