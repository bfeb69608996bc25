#!/usr/bin/env bash
# Installs what `make bench` compares against, only if missing: OpenBLAS, oneDNN, Google Benchmark
# and Debian's PyTorch. Benchmark-only: the library never links any of them.
set -euo pipefail
packages=(libopenblas-dev libdnnl-dev libbenchmark-dev python3-torch python3-numpy time)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
((${#missing[@]} == 0)) && exit 0
sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
echo "install-bench-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
