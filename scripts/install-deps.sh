#!/usr/bin/env bash
# Installs the Debian packages minitorch needs to build and test, and only those that are missing.
# Idempotent and quiet: prints nothing when everything is present.
set -euo pipefail

packages=(
  g++ cmake make            # toolchain
  libgtest-dev              # GoogleTest (tests)
  librapidcheck-dev         # rapidcheck (property tests)
  libcli11-dev              # CLI11 (command line)
  nlohmann-json3-dev        # JSON (run directories)
  zlib1g-dev                # gzip'd IDX data sets
  libpng-dev                # PNG images to classify (predict)
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
((${#missing[@]} == 0)) && exit 0

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null; then
    sudo=(sudo)
  else
    echo "install-deps: missing packages (${missing[*]}) and not root; install them as root" >&2
    exit 1
  fi
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
