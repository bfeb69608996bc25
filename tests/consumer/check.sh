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
# The install holds one documented program, the command line (when it was built), and no
# application header.
programs=$(ls "$work/prefix/bin" 2>/dev/null | tr '\n' ' ')
if [[ -n $programs && $programs != "minitorch " ]]; then
  echo "installed programs: $programs; expected only minitorch, the one the README documents" >&2
  exit 1
fi
if [[ -n $(find "$work/prefix/include" -path "*/minitorch/app/*" -type f 2>/dev/null) ]]; then
  echo "the application's headers were installed with the library" >&2
  exit 1
fi
cmake -S "$here" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" >"$work/configure.log"
cmake --build "$work/build" >"$work/build.log"
"$work/build/consumer"

# The Python package, when it was built, is installed where Debian's interpreter looks under the
# prefix (lib/python3.X/dist-packages), and imports from there with nothing else on the path.
if [[ -d $build_dir/python/minitorch ]]; then
  site=$(find "$work/prefix/lib" -maxdepth 3 -type d -name dist-packages | head -n 1)
  [[ -n $site && -f $(ls "$site"/minitorch/_C*.so 2>/dev/null | head -n 1) ]] || {
    echo "the Python package was built but not installed under $work/prefix/lib/python3*/dist-packages" >&2
    exit 1
  }
  (cd "$work" && PYTHONPATH="$site" /usr/bin/python3 -c '
import minitorch, sys
assert minitorch.__file__.startswith(sys.argv[1]), minitorch.__file__
t = minitorch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
(t * t).sum().backward()
assert t.grad.tolist() == [2.0, 4.0, 6.0, 8.0], t.grad
' "$site")
fi
