#!/usr/bin/env python3
"""Encode throughput of Whale's tokenizer vs Hugging Face `tokenizers`, one thread each.

Both encode the golden corpus (tests/golden/tokenizer/goldens.tar.xz, ~1.2 MB of mixed scripts,
code, emoji and whitespace) REPEAT times, document by document, with added tokens matched
(HF encode(text, add_special_tokens=False)). Whale is timed through `whale tokenize --jsonl`, so
its number includes reading and writing JSON lines; its load time (a run on empty input) is
subtracted. HF runs in-process after one warm-up pass. Times are CPU time (user + system) of the
encoding process, which stays meaningful on a shared, loaded machine where wall time does not;
both are single-threaded, so CPU time equals wall time on an idle machine. Reported: median MB/s
of RUNS runs.

Run: .venv-oracle/bin/python bench/tokenizer_bench.py [--whale build/app/whale] [--tokenizer DIR]
"""
import argparse
import io
import json
import os
import resource
import statistics
import struct
import subprocess
import tarfile
import time

os.environ.setdefault("RAYON_NUM_THREADS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
from tokenizers import Tokenizer  # noqa: E402  (after the thread settings)

REPO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def load_corpus():
    with tarfile.open(os.path.join(REPO, "tests", "golden", "tokenizer", "goldens.tar.xz")) as tar:
        data = tar.extractfile("corpus.bin").read()
    docs, pos = [], 0
    while pos < len(data):
        (n,) = struct.unpack_from("<I", data, pos)
        docs.append(data[pos + 4:pos + 4 + n].decode())
        pos += 4 + n
    return docs


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_whale(whale, tokenizer_dir, payload):
    start = children_cpu()
    out = subprocess.run([whale, "tokenize", "-m", tokenizer_dir, "--jsonl"], input=payload, capture_output=True,
                         check=True)
    return children_cpu() - start, out.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--whale", default=os.path.join(REPO, "build", "app", "whale"))
    parser.add_argument("--tokenizer", default=os.path.join(REPO, "..", "shared", "data", "tokenizers", "deepseek-v3"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    docs = load_corpus()
    total_bytes = sum(len(d.encode()) for d in docs) * args.repeat
    hf = Tokenizer.from_file(os.path.join(args.tokenizer, "tokenizer.json"))
    for d in docs:
        hf.encode(d, add_special_tokens=False)
    hf_times = []
    for _ in range(args.runs):
        start = time.process_time()
        for _ in range(args.repeat):
            for d in docs:
                hf.encode(d, add_special_tokens=False)
        hf_times.append(time.process_time() - start)

    payload = ("\n".join(json.dumps(d, ensure_ascii=False) for d in docs) + "\n").encode() * args.repeat
    load_time = statistics.median(time_whale(args.whale, args.tokenizer, b"")[0] for _ in range(args.runs))
    whale_times, output = [], b""
    for _ in range(args.runs):
        elapsed, output = time_whale(args.whale, args.tokenizer, payload)
        whale_times.append(elapsed - load_time)
    first = [json.loads(line) for line in output.decode().splitlines()[: len(docs)]]
    same = all(first[i] == hf.encode(d, add_special_tokens=False).ids for i, d in enumerate(docs))

    mb = total_bytes / 1e6
    hf_rate, whale_rate = mb / statistics.median(hf_times), mb / statistics.median(whale_times)
    print(f"corpus: {len(docs)} documents x {args.repeat} = {mb:.1f} MB; tokenizer {os.path.abspath(args.tokenizer)}")
    print(f"HF tokenizers: {hf_rate:7.2f} MB/s  (median of {args.runs}, CPU time, in-process, 1 thread)")
    print(f"whale:         {whale_rate:7.2f} MB/s  (median of {args.runs}, CPU time, CLI --jsonl incl. JSON I/O, load "
          f"{load_time:.2f} s subtracted)")
    print(f"speed-up: {whale_rate / hf_rate:.2f}x; ids identical to HF: {same}")


if __name__ == "__main__":
    main()
