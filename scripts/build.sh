#!/usr/bin/env bash
# Configures and builds Whale into build/ (or $1). Extra arguments go to cmake.
#   scripts/build.sh                 Release build in build/
#   scripts/build.sh build-asan -DWHALE_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
# Progress lines are dropped; with pipefail the pipeline fails exactly when ninja does (the grep
# group never fails, even when it prints nothing).
ninja -C "$dir" -j "$(nproc)" | { grep -v "^\[" || true; }
