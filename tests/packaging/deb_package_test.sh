#!/usr/bin/env bash
# Builds the Debian package with scripts/package.sh from a copy of the sources, removes the copy,
# unpacks the package into a scratch root with `dpkg -x` and checks its control fields, its layout
# and that the unpacked program runs. Removing the sources first proves that the program finds its
# presets in the installed tree, not through the compiled-in source folder.
# Usage: deb_package_test.sh SOURCE_DIR BUILD_DIR VERSION
# Exit status: 0 pass, 1 fail.
set -euo pipefail
source_dir=$1
build_dir=$2
version=$3
source "$source_dir/tests/packaging/check_installed.sh"

scratch="$build_dir/test-scratch/package.deb_slow"
rm -rf "$scratch"
mkdir -p "$scratch/work" "$scratch/root"
copy="$scratch/source"

# The copy contains what the package build reads, without build trees or version-control data.
mkdir -p "$copy"
tar -C "$source_dir" --exclude=./build --exclude=./.git --exclude=./runs -cf - . | tar -C "$copy" -xf -

echo "== scripts/package.sh (from a copy of the sources in $copy)"
"$copy/scripts/package.sh"
debs=("$copy"/build/package/kbeta-heat2d_*.deb)
[[ -f "${debs[0]}" ]] || fail "scripts/package.sh wrote no kbeta-heat2d_*.deb into $copy/build/package"
((${#debs[@]} == 1)) || fail "expected one package in $copy/build/package, found: ${debs[*]}"
deb="$scratch/$(basename "${debs[0]}")"
mv "${debs[0]}" "$deb"
rm -rf "$copy"
echo "ok: built $(basename "$deb"), sources removed"

field() { dpkg-deb --field "$deb" "$1"; }
[[ "$(field Package)" == kbeta-heat2d ]] || fail "Package is '$(field Package)', expected kbeta-heat2d"
[[ "$(field Version)" == "$version"* ]] || fail "Version is '$(field Version)', expected $version"
[[ "$(field Section)" == science ]] || fail "Section is '$(field Section)', expected science"
[[ -n "$(field Maintainer)" ]] || fail "the Maintainer field is empty"
depends=$(field Depends)
echo "Depends: $depends"
# Succeeds when the package named $1 is one of the alternatives in Depends (versions ignored).
has_dependency() {
  local entry
  local IFS=',|'
  for entry in $depends; do
    entry=${entry%%(*}
    [[ "${entry// /}" == "$1" ]] && return 0
  done
  return 1
}
# The binary needs the OpenMP build of OpenBLAS through its RPATH, whatever it links today.
has_dependency libopenblas0-openmp || fail "Depends lacks libopenblas0-openmp: $depends"
echo "ok: control fields"

# Every dependency must be installable on this Debian release.
for package in $(sed -e 's/([^)]*)//g' -e 's/|/,/g' -e 's/,/ /g' <<<"$depends"); do
  apt-cache show "$package" >/dev/null 2>&1 || fail "dependency $package is unknown to apt on this system"
done
echo "ok: every dependency is a known package"

dpkg -x "$deb" "$scratch/root"
prefix="$scratch/root/usr"
check_layout "$prefix"
check_openblas_runpath "$prefix/bin/kbeta-heat2d"
echo "ok: layout and RPATH"

# Each library the program loads directly must come from a package in Depends.
packages=$(needed_packages "$prefix/bin/kbeta-heat2d")
for package in $(sort -u <<<"$packages"); do
  has_dependency "$package" || fail "the program loads a library from $package, but Depends lacks it: $depends"
  echo "ok: $package is in Depends"
done

check_program_runs "$prefix/bin/kbeta-heat2d" "$version" "$scratch/work"
