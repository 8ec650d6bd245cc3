#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz with clang (ASan + UBSan, coverage on every library)
# in build-fuzz/, then runs each for FUZZ_SECONDS (default 30) seeded from the committed seeds in
# tests/fuzz/corpus/<format>/. New inputs go to build-fuzz/corpus/, crashes to build-fuzz/artifacts/;
# the committed seeds are never modified. Exits non-zero if any target finds a crash.
# Needs clang and libFuzzer: apt-get install -y clang libclang-rt-14-dev
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build="${root}/build-fuzz"
seconds="${FUZZ_SECONDS:-30}"
jobs="${JOBS:-2}"

command -v clang++ >/dev/null || { echo "run_fuzzers.sh: clang++ not found (apt-get install -y clang libclang-rt-14-dev)" >&2; exit 1; }

cmake -S "${root}" -B "${build}" -G Ninja \
  -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" \
  -DWHALE_SANITIZE=ON \
  -DWHALE_FUZZ=ON >/dev/null
ninja -C "${build}" -j "${jobs}" gguf_header_fuzz safetensors_header_fuzz

status=0
for target in gguf safetensors; do
  work="${build}/corpus/${target}"
  artifacts="${build}/artifacts/${target}/"
  mkdir -p "${work}" "${artifacts}"
  echo "== ${target}_header_fuzz for ${seconds}s"
  if ! "${build}/tests/fuzz/${target}_header_fuzz" \
      -max_total_time="${seconds}" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
      -artifact_prefix="${artifacts}" -print_final_stats=1 \
      "${work}" "${root}/tests/fuzz/corpus/${target}"; then
    echo "run_fuzzers.sh: ${target}_header_fuzz found a failure; reproducer in ${artifacts}" >&2
    status=1
  fi
done
exit "${status}"
