# Shared by the install scripts (sourced, not run): failure messages that name what failed,
# commands whose output is shown only when they fail, temporaries removed on exit, and the install
# of the Debian packages that are missing. The sourcing script sets `script_name` first.

# Paths removed on exit, whatever ends the script (a global, so the trap never reads a function's
# locals after that function has returned).
temporaries=()
remove_temporaries() { ((${#temporaries[@]} == 0)) || rm -rf -- "${temporaries[@]}"; }
trap remove_temporaries EXIT

fail() {
  echo "$script_name: $*" >&2
  exit 1
}

# Runs a command with its output kept in a log; on failure prints what failed and the log's tail.
run_logged() {
  local what=$1
  shift
  local log status=0
  log=$(mktemp "${TMPDIR:-/tmp}/minitorch-$script_name.XXXXXX")
  temporaries+=("$log")
  "$@" >"$log" 2>&1 || status=$?
  if ((status != 0)); then
    echo "$script_name: $what failed (exit code $status): $*" >&2
    tail -n 20 "$log" | sed 's/^/  | /' >&2
    exit 1
  fi
}

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

# Installs, with one apt-get call, those of the given Debian packages that are not installed.
install_missing_packages() {
  local missing=() package
  for package in "$@"; do is_installed "$package" || missing+=("$package"); done
  ((${#missing[@]} == 0)) && return 0

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null ||
      fail "missing packages (${missing[*]}) and not root; install them as root" \
        "(apt-get install ${missing[*]}) or run this script with sudo"
    sudo=(sudo env DEBIAN_FRONTEND=noninteractive)
  fi
  command -v apt-get >/dev/null ||
    fail "missing packages (${missing[*]}) and no apt-get: this script installs Debian packages"
  echo "$script_name: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  run_logged "apt-get update" "${sudo[@]}" apt-get update -q
  run_logged "installing ${missing[*]}" \
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}
