#!/usr/bin/env bash
# Whale against llama.cpp on the same GGUF with the same thread count: prefill (ppP) and decode
# (tgN) tokens/s side by side, with the ratio Whale / llama.cpp.
#   bench/compare_llamacpp.sh MODEL.gguf [-p 512] [-n 128] [-r 5] [-t 2]
# llama.cpp comes from PyPI's llama-cpp-python (scripts/requirements-llamacpp.txt), built from
# source into .venv-llamacpp with GGML_NATIVE so it uses this CPU's instruction set (a first run
# compiles it: tens of minutes on two cores). Whale's binary: $WHALE_BIN or build/app/whale.
# Raw JSON lines of both go to $OUT_DIR (default bench/e2e/out/) for BENCHMARKS.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
model="${1:?usage: bench/compare_llamacpp.sh MODEL.gguf [-p P] [-n N] [-r R] [-t T]}"
shift
prompt=512 gen=128 runs=5 threads=2
while [ $# -gt 0 ]; do
  case "$1" in
    -p) prompt="$2"; shift 2 ;;
    -n) gen="$2"; shift 2 ;;
    -r) runs="$2"; shift 2 ;;
    -t) threads="$2"; shift 2 ;;
    *) echo "compare_llamacpp.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
whale="${WHALE_BIN:-$root/build/app/whale}"
[ -x "$whale" ] || { echo "compare_llamacpp.sh: no whale binary at $whale (build it first)" >&2; exit 1; }
venv="$root/.venv-llamacpp"
if ! "$venv/bin/python" -c "import llama_cpp" 2>/dev/null; then
  echo "installing llama-cpp-python into $venv (compiles llama.cpp natively; this takes a while)" >&2
  python3 -m venv "$venv"
  CMAKE_ARGS="-DGGML_NATIVE=ON" "$venv/bin/pip" install --no-binary llama-cpp-python \
    -r "$root/scripts/requirements-llamacpp.txt"
fi
out="${OUT_DIR:-$root/bench/e2e/out}"
mkdir -p "$out"
stem="$(basename "$model" .gguf)"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(date -u +%FT%TZ); load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$venv/bin/python" "$root/bench/e2e/llamacpp_bench.py" -m "$model" -p "$prompt" -n "$gen" -r "$runs" -t "$threads" \
  | tee "$out/$stem.llamacpp.jsonl"
echo "load after llama.cpp: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
"$whale" bench -m "$model" -p "$prompt" -n "$gen" -r "$runs" -t "$threads" --json | tee "$out/$stem.whale.jsonl"
echo "load after whale: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
python3 - "$out/$stem.llamacpp.jsonl" "$out/$stem.whale.jsonl" <<'PY'
import json, sys
llama = {r["test"]: r for r in map(json.loads, open(sys.argv[1]))}
whale = {r["test"]: r for r in map(json.loads, open(sys.argv[2]))}
rows = [("test", "llama.cpp t/s", "whale t/s", "whale/llama", "whale GB/s", "% read bw")]
for test, w in whale.items():
    l = llama.get(test)
    rows.append((test, f"{l['tokens_per_s']:.2f} ± {l['stddev']:.2f}" if l else "-",
                 f"{w['tokens_per_s']:.2f} ± {w['stddev']:.2f}",
                 f"{w['tokens_per_s'] / l['tokens_per_s']:.2f}x" if l else "-",
                 f"{w['gb_per_s']:.2f}", f"{w['bandwidth_pct']:.1f}%"))
widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
print()
for k, r in enumerate(rows):
    print("| " + " | ".join(c.ljust(wd) if i == 0 else c.rjust(wd) for i, (c, wd) in enumerate(zip(r, widths))) + " |")
    if k == 0:
        print("| " + " | ".join("-" * wd for wd in widths) + " |")
PY
