#!/usr/bin/env bash
# Installs, builds and runs the main job on the built-in default model: the tiny random-weight
# DeepSeek-V3-architecture model from the golden set (Whale ships no trained model yet).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
MODEL=tests/golden/v3/model
echo "== whale inspect $MODEL  (tiny V3-architecture model with RANDOM weights: its output is noise)"
build/app/whale inspect "$MODEL"
echo "== whale generate: 32 greedy tokens after the prompt 0,17,42"
build/app/whale generate -m "$MODEL" --tokens 0,17,42 -n 32 --ignore-eos
