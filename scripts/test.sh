#!/usr/bin/env bash
# Installs, builds and runs every test: CTest (unit + model goldens) on a Release build, the same
# under AddressSanitizer + UndefinedBehaviorSanitizer, then the Python tests. Non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
(cd build && ctest --output-on-failure -j 2)
# -O1 -g1 compiles about twice as fast as -O2 -g and still gives file:line in sanitizer reports.
./scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DWHALE_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2 -LE slow)
WHALE_BIN="$PWD/build/app/whale" .venv/bin/python -m pytest -q tests/python
# The server once more under AddressSanitizer + UndefinedBehaviorSanitizer, through the SDK tests.
WHALE_BIN="$PWD/build-asan/app/whale" ASAN_OPTIONS=detect_leaks=1 .venv/bin/python -m pytest -q tests/python/test_server_api.py
# The GGUF and safetensors header parsers under libFuzzer (clang, ASan + UBSan), briefly.
FUZZ_SECONDS="${FUZZ_SECONDS:-20}" ./scripts/run_fuzzers.sh
