#!/usr/bin/env bash
# Runs the checks CI runs: installs what is missing, builds the release preset and runs its test
# suite, builds the asan preset (AddressSanitizer + UndefinedBehaviorSanitizer) and runs the suite
# again, then runs scripts/lint.sh. Tests labelled "slow" are skipped (see docs/development.md).
#
# Usage: scripts/test.sh [--no-asan] [--no-lint]
# Every section runs even when an earlier one fails, except the tests of a build that failed.
# The exit status is non-zero when any section failed.
set -euo pipefail
cd "$(dirname "$0")/.."

run_asan=1
run_lint=1
for arg in "$@"; do
  case "$arg" in
    --no-asan) run_asan=0 ;;
    --no-lint) run_lint=0 ;;
    -h | --help)
      sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "test.sh: unknown argument '$arg' (expected --no-asan or --no-lint)" >&2
      exit 2
      ;;
  esac
done

jobs=$(nproc)
failed=()
summary=()
start_all=$SECONDS

# Runs one section: prints a header, runs the command, records its time and outcome.
section() {
  local name=$1
  shift
  echo
  echo "================================================================================"
  echo "== $name"
  echo "================================================================================"
  local start=$SECONDS status=0
  "$@" || status=$?
  local elapsed=$((SECONDS - start))
  if ((status == 0)); then
    summary+=("$(printf '%-28s passed  %4d s' "$name" "$elapsed")")
  else
    summary+=("$(printf '%-28s FAILED  %4d s (exit status %d)' "$name" "$elapsed" "$status")")
    failed+=("$name")
  fi
  return "$status"
}

skip() {
  summary+=("$(printf '%-28s skipped         (%s)' "$1" "$2")")
}

build_preset() {
  cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j "$jobs"
}

if ! section "setup" ./scripts/setup.sh; then
  echo "test.sh: setup failed; nothing can be built" >&2
  exit 1
fi

if section "release: build" build_preset release; then
  section "release: tests" ctest --preset release -j "$jobs" || true
else
  skip "release: tests" "the build failed"
fi

if ((run_asan)); then
  if section "asan: build" build_preset asan; then
    section "asan: tests" ctest --preset asan -j "$jobs" || true
  else
    skip "asan: tests" "the build failed"
  fi
else
  skip "asan" "--no-asan"
fi

if ((run_lint)); then
  section "lint" ./scripts/lint.sh || true
else
  skip "lint" "--no-lint"
fi

echo
echo "================================================================================"
echo "== summary ($((SECONDS - start_all)) s in all)"
echo "================================================================================"
printf '%s\n' "${summary[@]}"
if ((${#failed[@]})); then
  echo "test.sh: failed: ${failed[*]}" >&2
  exit 1
fi
echo "test.sh: all sections passed"
