#!/usr/bin/env bash
# Checks the C++ sources of src/, tests/ and bench/ with clang-format (layout, .clang-format) and
# clang-tidy (defects, .clang-tidy). Exits non-zero when either reports a finding.
#
# Usage: scripts/lint.sh [--format-only | --tidy-only] [FILE ...]
#   FILE ...  check only these files (paths from the repository root); default: all of them.
# Environment: LINT_JOBS (default: nproc) parallel clang-tidy processes.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

run_format=1
run_tidy=1
files=()
for arg in "$@"; do
  case "$arg" in
    --format-only) run_tidy=0 ;;
    --tidy-only) run_format=0 ;;
    -h | --help)
      sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "lint: unknown option '$arg' (expected --format-only, --tidy-only or file names)" >&2
      exit 2
      ;;
    *) files+=("$arg") ;;
  esac
done

if ((${#files[@]} == 0)); then
  mapfile -t files < <(find src tests bench -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' \) 2>/dev/null | sort)
fi
if ((${#files[@]} == 0)); then
  echo "lint: no C++ files found under src/, tests/ or bench/" >&2
  exit 1
fi

status=0

if ((run_format)); then
  echo "lint: clang-format --dry-run --Werror on ${#files[@]} files"
  if ! clang-format --dry-run --Werror "${files[@]}"; then
    echo "lint: clang-format found layout differences; run 'clang-format -i FILE' on the files above" >&2
    status=1
  fi
fi

if ((run_tidy)); then
  build_dir=build/release
  if [[ ! -f "$build_dir/compile_commands.json" ]]; then
    echo "lint: configuring the release preset for its compile_commands.json"
    cmake --preset release >/dev/null
  fi

  # clang-tidy reads only translation units; headers are checked through the files that include
  # them, filtered to the project's own folders.
  sources=()
  for f in "${files[@]}"; do
    [[ "$f" == *.cpp ]] && sources+=("$root/$f")
  done

  # The compile commands come from GCC with -fopenmp, and clang finds <omp.h> only in LLVM's own
  # OpenMP headers (Debian package libomp-dev). GCC's omp.h uses attributes that clang 14 rejects.
  if ! compgen -G '/usr/lib/llvm-*/lib/clang/*/include/omp.h' >/dev/null; then
    echo "lint: clang's omp.h is missing; install it with 'sudo apt-get install libomp-dev' (scripts/setup.sh does)" >&2
    exit 1
  fi

  jobs=${LINT_JOBS:-$(nproc)}
  header_filter="^$root/(src|tests|bench)/"
  echo "lint: clang-tidy on ${#sources[@]} translation units ($jobs in parallel)"
  if ((${#sources[@]})); then
    tidy_runner=$(command -v run-clang-tidy || command -v run-clang-tidy-14 || true)
    if [[ -z "$tidy_runner" ]]; then
      echo "lint: run-clang-tidy not found; install the clang-tidy package (scripts/setup.sh does)" >&2
      exit 1
    fi
    # run-clang-tidy takes regular expressions, so each file name is anchored and escaped.
    patterns=()
    for s in "${sources[@]}"; do
      patterns+=("^$(printf '%s' "$s" | sed 's/[][\.*^$+?(){}|]/\\&/g')\$")
    done
    # run-clang-tidy 14 always colours its output and prints a line per file, so keep only the
    # findings.
    set +e
    # -Wno-error: the build's -Werror would turn every compiler warning into an error that the
    # check list in .clang-tidy cannot filter; WarningsAsErrors there makes the kept ones fatal.
    "$tidy_runner" -quiet -p "$build_dir" -j "$jobs" -header-filter "$header_filter" \
      -extra-arg=-Wno-error "${patterns[@]}" 2>&1 |
      sed -e 's/\x1b\[[0-9;]*m//g' |
      grep -v -e '^clang-tidy-[0-9]* ' -e '^[0-9]* warnings\{0,1\} generated' \
        -e '^Suppressed [0-9]* warnings' -e '^Use -header-filter' -e '^$'
    tidy_status=${PIPESTATUS[0]}
    set -e
    if ((tidy_status != 0)); then
      echo "lint: clang-tidy reported findings (see above)" >&2
      status=1
    fi
  fi
fi

if ((status == 0)); then
  echo "lint: clean"
fi
exit "$status"
