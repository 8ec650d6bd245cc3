#!/usr/bin/env bash
# Installs, builds and runs the main job on the built-in default model: the tiny random-weight
# DeepSeek-V3-architecture model from the golden set, with a tiny trained tokenizer and the V3.1
# chat template (Whale ships no trained model yet, so the answer is noise).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# Only the `whale` binary (minutes); scripts/build.sh builds every test and benchmark as well.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
ninja -C build whale | { grep -v "^\[" || true; }  # progress lines hidden; a failed build still stops here
MODEL=tests/golden/v3/model
echo "== whale inspect $MODEL  (tiny V3-architecture model with RANDOM weights: its output is noise)"
build/app/whale inspect "$MODEL"
echo
echo "== whale run --think: the answer streams after its (marked) reasoning"
build/app/whale run -m "$MODEL" -p "What is the weather like for whales today?" --think -n 48 --seed 1
