#!/usr/bin/env bash
# Runs the MiniTorch course's own test suite and project scripts, unchanged, against the Python
# package of a build tree. Usage: scripts/course-suite.sh COURSE_DIR [BUILD_DIR] [PYTEST_ARGS...]
#   COURSE_DIR  a checkout of the course's repository (github.com/minitorch/minitorch): its
#               tests/, setup.cfg (the task markers) and project/ are used, never modified
#   BUILD_DIR   the build tree holding python/minitorch (default: build)
# The one thing replaced is the `numba` import of tests/test_tensor_general.py: a shim package
# (tests/python/course_shim) answers numba.cuda.is_available() with minitorch.cuda_available().
# Then the project scripts run_scalar.py, run_tensor.py and run_fast_tensor.py (--DATASET split
# --HIDDEN 100 --RATE 0.05: the course's Task 3.5 command) each train for up to PROJECT_SECONDS
# (default 120) and their last logged epoch is printed. Exit status: pytest's, or 1 when a
# project script fails before its time is up.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[[ $# -ge 1 && -d ${1:-}/tests && -d ${1:-}/project ]] || {
  echo "usage: $0 COURSE_DIR [BUILD_DIR] [PYTEST_ARGS...]; expected COURSE_DIR with tests/ and project/" >&2
  exit 2
}
course=$(cd "$1" && pwd)
build=$(cd "${2:-$here/build}" && pwd)
shift $(($# >= 2 ? 2 : 1))
[[ -d $build/python/minitorch ]] || {
  echo "$build/python/minitorch is missing; expected a build with the Python package (make python)" >&2
  exit 2
}
work=$(mktemp -d "${TMPDIR:-/tmp}/minitorch-course.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$course/tests" "$course/setup.cfg" "$work/"
export PYTHONPATH=$build/python:$here/tests/python/course_shim
status=0
(cd "$work" && /usr/bin/python3 -m pytest -q -p no:cacheprovider "$@" tests) || status=$?

seconds=${PROJECT_SECONDS:-120}
for script in run_scalar.py run_tensor.py "run_fast_tensor.py --DATASET split --HIDDEN 100 --RATE 0.05"; do
  log=$work/project.log
  rc=0
  # shellcheck disable=SC2086 # the script's arguments are words
  (cd "$course/project" && PYTHONPATH=$PYTHONPATH:$course/project timeout "$seconds" \
    /usr/bin/python3 $script) >"$log" 2>&1 || rc=$?
  last=$(grep -i "epoch" "$log" | tail -n 1)
  if ((rc != 0 && rc != 124)); then
    echo "project/$script failed (exit code $rc):" >&2
    tail -n 20 "$log" >&2
    status=1
  else
    echo "project/$script: ${last:-no epoch logged} ($([[ $rc == 124 ]] && echo "stopped after ${seconds}s" || echo finished))"
  fi
done
exit "$status"
