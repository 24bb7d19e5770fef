#!/usr/bin/env bash
# Installs what is missing, builds the release preset and runs the main job on the CPU-sized
# `demo` preset. Extra arguments go to the program: ./scripts/demo.sh --epochs 4 --threads 2
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs" --target kbeta-heat2d
# TODO: training is not wired into the program yet, so this prints the resolved demo
# configuration. Replace `config demo` with `demo` once the run command exists.
exec build/release/kbeta-heat2d config demo "$@"
