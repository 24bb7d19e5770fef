#!/usr/bin/env bash
# Installs a configured and built tree with `cmake --install` into a scratch prefix and checks the
# layout, the OpenBLAS RPATH and that the installed program runs.
# Usage: install_tree_test.sh BUILD_DIR VERSION
# Exit status: 0 pass, 1 fail.
set -euo pipefail
build_dir=$1
version=$2
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
source "$source_dir/tests/packaging/check_installed.sh"

scratch="$build_dir/test-scratch/package.install_tree"
rm -rf "$scratch"
mkdir -p "$scratch/work"
prefix="$scratch/prefix"

cmake --install "$build_dir" --prefix "$prefix" >"$scratch/install.log" ||
  { cat "$scratch/install.log" >&2; fail "cmake --install $build_dir --prefix $prefix failed"; }
echo "ok: installed into $prefix"

check_layout "$prefix"
check_openblas_runpath "$prefix/bin/kbeta-heat2d"
echo "ok: layout and RPATH"
check_program_runs "$prefix/bin/kbeta-heat2d" "$version" "$scratch/work"
