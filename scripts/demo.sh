#!/usr/bin/env bash
# Installs what is missing, builds the release preset and runs the main job on the CPU-sized
# `demo` preset: data generation, training, evaluation and plots into
# runs/demo_base_case_causal/. Extra arguments go to the program: ./scripts/demo.sh --epochs 4
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
jobs=$(nproc)
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs" --target kbeta-heat2d
exec build/release/kbeta-heat2d demo "$@"
