#!/usr/bin/env bash
# Installs what `make bench` compares against, only if missing: OpenBLAS, oneDNN, Google Benchmark
# and Debian's PyTorch; for bench/serve.sh, wrk and FastAPI + uvicorn (with uvloop and httptools,
# the "standard" set uvicorn recommends for production, so the peer is not slowed by pure-Python
# HTTP parsing). Benchmark-only: the library never links any of them. (bench/ links oneDNN
# by its library and header, not through Debian's CMake config, which also demands OpenCL.)
set -euo pipefail
script_name=install-bench-deps
source "$(dirname "${BASH_SOURCE[0]}")/lib/install.sh"
install_missing_packages libopenblas-dev libdnnl-dev libbenchmark-dev python3-torch python3-numpy \
  time util-linux wrk curl python3-fastapi python3-uvicorn python3-uvloop python3-httptools
