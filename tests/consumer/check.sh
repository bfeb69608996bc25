#!/usr/bin/env bash
# Installs the build tree into a scratch prefix, then configures, builds and runs tests/consumer
# against it with find_package(minitorch). Usage: check.sh BUILD_DIR WORK_DIR CXX_COMPILER
set -euo pipefail
build_dir=$1
work=$2
cxx=$3
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$work"
mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >"$work/install.log"
cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log"
cmake --build "$work/build" >"$work/build.log"
"$work/build/consumer"
