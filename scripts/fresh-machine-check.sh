#!/usr/bin/env bash
# Runs the README's set-up on a fresh Debian 12: a minimal root made with mmdebstrap (only a
# compiler, CMake, make, git and the certificate authorities), the host's package-client settings
# copied in, the /etc/hosts an installed Debian has, a clean clone of this repository's HEAD, and
# then, in a chroot:
#   (default)     make run, then make test: the README's two commands
#   --quick       make run RUN_EPOCHS=1 instead (installs, configures, builds the program, trains
#                 one epoch, evaluates)
#   --then 'CMD'  one more step after those (repeatable), e.g. --then 'make fuzz'
#   --only 'CMD'  this step instead of the README's commands (repeatable), e.g. --only 'make bench'
# and after the README's commands, that install-deps.sh is quiet the second time (all installed).
# Each step is timed and logged; a failing step prints its log's tail and the script exits 1.
#
# Needs root (chroot, mounts in a private mount namespace) and reaches only the package registries
# the host's apt and npm settings name. The minimal root is cached as a tarball, keyed by its
# recipe and the host's settings and rebuilt after a week, in
#   ${MINITORCH_FRESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch/fresh-machine}
# and unpacked anew for every check into build-fresh/ (or $MINITORCH_FRESH_WORK).
# MINITORCH_FRESH_STEP_TIMEOUT bounds each step in seconds (default 3600).
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }

mode=full
extra_steps=()
while (($#)); do
  case $1 in
    --quick) mode=quick ;;
    --then | --only)
      (($# >= 2)) || { echo "fresh-machine-check: $1 needs a command" >&2; exit 2; }
      [[ $1 == --only ]] && mode=only
      extra_steps+=("$2")
      shift ;;
    --help | -h) usage; exit 0 ;;
    *) echo "fresh-machine-check: unknown argument '$1' (expected --quick, --then CMD," \
         "--only CMD or --help)" >&2
       exit 2 ;;
  esac
  shift
done

script_name=fresh-machine-check
source "$(dirname "${BASH_SOURCE[0]}")/lib/install.sh"

[[ $(id -u) -eq 0 ]] || fail "needs root (it builds a root file system, mounts and chroots)"
repo=$(git -C "$(dirname "${BASH_SOURCE[0]}")/.." rev-parse --show-toplevel)
cache=${MINITORCH_FRESH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/minitorch/fresh-machine}
work=${MINITORCH_FRESH_WORK:-$repo/build-fresh}
step_timeout=${MINITORCH_FRESH_STEP_TIMEOUT:-3600}
root=$work/root
logs=$work/logs
suite=bookworm
base_packages=build-essential,cmake,git,make,ca-certificates

# The host's package-client settings, copied into the root: apt's sources, options, preferences
# and credentials; npm's settings; the certificate authorities added by hand; the resolver.
host_settings() {
  local path
  for path in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources /etc/apt/apt.conf.d/* /etc/apt/preferences.d/* \
    /etc/apt/auth.conf.d/* /etc/apt/keyrings/* /etc/npmrc /usr/etc/npmrc "$HOME/.npmrc" \
    /usr/local/share/ca-certificates/* /usr/local/share/ca-certificates/*/* \
    /etc/ssl/certs/ca-certificates.crt /etc/resolv.conf; do
    [[ -f $path ]] && echo "$path"
  done
  # Keyrings named by the sources (Signed-By) that live elsewhere, e.g. /usr/share/keyrings.
  cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
    2>/dev/null | grep -oiE 'signed-by[:=] *[^] ]+' | sed -E 's/^[^:=]*[:=] *//' | sort -u |
    while read -r path; do [[ -f $path ]] && echo "$path"; done
  return 0
}

# Where a host file goes in the root: ~/.npmrc becomes /root/.npmrc, everything else keeps its path.
root_path() {
  if [[ $1 == "$HOME/.npmrc" ]]; then echo /root/.npmrc; else echo "$1"; fi
}

copy_host_settings() {
  local target=$1 path inside
  while read -r path; do
    inside=$target$(root_path "$path")
    mkdir -p "$(dirname "$inside")"
    cp -L "$path" "$inside"
  done < <(host_settings)
}

# The /etc/hosts every installed Debian has (the installer writes it; mmdebstrap's minimal root has
# none): without it "localhost" does not resolve, and clients that connect to a local service by
# that name (Selenium to chromedriver in the dashboard's browser tests) cannot reach it.
write_hosts_file() {
  printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$1/etc/hosts"
}

# The mirrors are the host's own source files, so the root is built from the archive the host uses.
host_sources() {
  local path
  for path in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources; do
    [[ -f $path ]] && grep -qE '^[[:space:]]*(deb|Types:)' "$path" && echo "$path"
  done
  return 0
}

base_tarball() {
  local key
  key=$( (echo "$suite $base_packages mmdebstrap-variant-apt"; host_settings | sort |
    grep -v resolv.conf | xargs cat) | sha256sum | cut -c1-16)
  echo "$cache/debian-$suite-$key.tar"
}

build_base_tarball() {
  local tarball=$1
  command -v mmdebstrap >/dev/null || install_missing_packages mmdebstrap
  mkdir -p "$cache"
  local sources=() path
  mapfile -t sources < <(host_sources)
  ((${#sources[@]})) || fail "the host has no apt sources to build the root from"
  local aptopts=()
  for path in /etc/apt/apt.conf.d/*; do [[ -f $path ]] && aptopts+=("--aptopt=$path"); done
  local partial
  partial=$(mktemp "$cache/.debian-$suite.XXXXXX.tar")
  temporaries+=("$partial")
  echo "fresh-machine-check: building a minimal Debian $suite root ($base_packages)" >&2
  local started=$SECONDS
  run_logged "mmdebstrap" mmdebstrap --variant=apt --include="$base_packages" --format=tar \
    "${aptopts[@]}" "$suite" "$partial" "${sources[@]}"
  mv "$partial" "$tarball"
  echo "fresh-machine-check: root built in $((SECONDS - started)) s, cached as $tarball" >&2
  # Older recipes' tarballs are of no further use.
  find "$cache" -maxdepth 1 -name "debian-$suite-*.tar" ! -path "$tarball" -delete
}

# Removes the previous root, refusing if anything is still mounted below it.
remove_root() {
  [[ -d $root ]] || return 0
  if findmnt -rn -o TARGET | grep -q "^$root"; then
    fail "something is still mounted under $root; unmount it before running the check again"
  fi
  rm -rf --one-file-system "$root"
}

prepare_root() {
  local tarball
  tarball=$(base_tarball)
  if [[ ! -f $tarball ]] || [[ -n $(find "$tarball" -mtime +7) ]]; then
    build_base_tarball "$tarball"
  fi
  remove_root
  mkdir -p "$root" "$logs"
  rm -f "$logs"/*.log
  tar -xf "$tarball" -C "$root"
  # The root's apt reads exactly the host's sources (mmdebstrap wrote them in its own files).
  rm -f "$root/etc/apt/sources.list" "$root/etc/apt/sources.list.d/"*
  copy_host_settings "$root"
  write_hosts_file "$root"
  [[ -z $(git -C "$repo" status --porcelain --untracked-files=no) ]] ||
    echo "fresh-machine-check: note: uncommitted changes are not checked (the clone is of HEAD)" >&2
  git clone --quiet --no-hardlinks "$repo" "$root/root/minitorch"
}

# Runs one step in the chroot, in its own mount and process namespaces (every mount and process
# goes away with it), as root with a login's plain environment.
run_step() {
  local name=$1 script=$2 log=$logs/$1.log
  local started=$SECONDS status=0
  echo "fresh-machine-check: $name ..." >&2
  timeout --kill-after=30 "$step_timeout" unshare --mount --pid --fork --kill-child -- \
    bash -c 'set -e
      mount --make-rprivate /
      mount -t proc proc "$1/proc"
      mount --rbind /sys "$1/sys"
      mount --rbind /dev "$1/dev"
      exec chroot "$1" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI:-}" \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        bash -c "cd /root/minitorch && $2"' _ "$root" "$script" </dev/null >"$log" 2>&1 ||
    status=$?
  local took=$((SECONDS - started))
  if ((status != 0)); then
    echo "fresh-machine-check: $name failed after ${took} s (exit code $status" \
      "$( ((status == 124)) && echo ", timed out after $step_timeout s")); the end of $log:" >&2
    tail -n 60 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
  echo "fresh-machine-check: $name ok (${took} s)" >&2
  # The closing lines of test runners and fuzzers, for whoever reads this script's output.
  grep -E 'tests passed|tests failed|Total Test time|executions +corpus' "$log" | sed 's/^/  /' >&2 ||
    true
}

main() {
  local started=$SECONDS
  prepare_root
  echo "fresh-machine-check: fresh root ready ($((SECONDS - started)) s); logs in $logs" >&2
  case $mode in
    quick) run_step make-run "make run RUN_EPOCHS=1" ;;
    full)
      run_step make-run "make run"
      run_step make-test "make test"
      ;;
  esac
  if [[ $mode != only ]]; then
    run_step install-deps-again 'out=$(scripts/install-deps.sh 2>&1); [ -z "$out" ] ||
      { printf "install-deps.sh is not quiet when everything is installed:\n%s\n" "$out"; exit 1; }'
  fi
  local step
  for step in "${extra_steps[@]}"; do
    run_step "$(echo "$step" | tr -cs 'A-Za-z0-9=' '-' | sed 's/-$//' | cut -c1-60)" "$step"
  done
  echo "fresh-machine-check: passed in $((SECONDS - started)) s" >&2
}

main; exit
