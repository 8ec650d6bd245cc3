#!/usr/bin/env bash
# Installs, builds and runs every test: CTest (unit + model goldens) on a Release build, the same
# under AddressSanitizer + UndefinedBehaviorSanitizer, then the Python tests. Non-zero on failure.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh build
(cd build && ctest --output-on-failure -j 2)
./scripts/build.sh build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWHALE_SANITIZE=ON
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2 -LE slow)
WHALE_BIN="$PWD/build/app/whale" .venv/bin/python -m pytest -q tests/python
# The server once more under AddressSanitizer + UndefinedBehaviorSanitizer, through the SDK tests.
WHALE_BIN="$PWD/build-asan/app/whale" ASAN_OPTIONS=detect_leaks=1 .venv/bin/python -m pytest -q tests/python/test_server_api.py
