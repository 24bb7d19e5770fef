#!/usr/bin/env bash
# Builds the Debian package kbeta-heat2d_<version>_<arch>.deb into build/package/.
# The program is configured for the prefix /usr, where the package installs it, and built without
# tests or benchmarks. Install the result with `sudo apt install ./build/package/kbeta-heat2d_*.deb`.
# Environment: KBETA_JOBS (default: nproc) parallel compile jobs.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

build_dir=build/package
jobs=${KBETA_JOBS:-$(nproc)}

echo "package: configuring $build_dir (prefix /usr, Release)"
cmake -S . -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX=/usr \
  -DKBETA_BUILD_TESTS=OFF \
  -DKBETA_BUILD_BENCHMARKS=OFF \
  -DKBETA_WERROR=ON >/dev/null

echo "package: building"
cmake --build "$build_dir" -j "$jobs"

echo "package: running cpack"
rm -f "$build_dir"/kbeta-heat2d_*.deb
(cd "$build_dir" && cpack -G DEB >/dev/null)

deb=$(ls "$build_dir"/kbeta-heat2d_*.deb)
echo "package: wrote $deb"
dpkg-deb --field "$deb" Package Version Architecture Section Depends Recommends
