"""Aggregate generated tokens/s and time to first token of `whale serve` at 1, 2, 4, 8 concurrent
streams (loopback, OpenAI SDK, streaming). Not a test: prints a Markdown table for BENCHMARKS.md.

    .venv/bin/python bench/server_bench.py MODEL_DIR [--tokens 64] [--repeats 3]
"""
import argparse
import sys
import threading
import time

import openai

sys.path.insert(0, "tests/python")
from server_fixture import WhaleServer  # noqa: E402


def run(url, streams, tokens):
    ttfts, counts = [], []

    def one(i):
        c = openai.OpenAI(base_url=url + "/v1", api_key="x", max_retries=0)
        start = time.time()
        first, n = None, 0
        for chunk in c.chat.completions.create(model="m", messages=[{"role": "user", "content": f"bench {i}"}],
                                               max_tokens=tokens, stream=True, stream_options={"include_usage": True}):
            if chunk.choices and chunk.choices[0].delta.content and first is None:
                first = time.time() - start
            if chunk.usage:
                n = chunk.usage.completion_tokens
        ttfts.append(first or 0.0)
        counts.append(n)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(streams)]
    start = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - start
    return sum(counts) / wall, sorted(ttfts)[len(ttfts) // 2]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3, help="runs per stream count; the median is printed")
    args = parser.parse_args()
    server = WhaleServer("build/app/whale", args.model, "--parallel", 8, "--chat-format", "v3")
    try:
        run(server.url, 1, args.tokens)  # warm-up: first-touch page faults, allocator growth
        print("| streams | aggregate tok/s | median TTFT (s) |\n|---|---|---|")
        for streams in (1, 2, 4, 8):
            runs = sorted(run(server.url, streams, args.tokens) for _ in range(args.repeats))
            rate, ttft = runs[len(runs) // 2]
            print(f"| {streams} | {rate:.1f} | {ttft:.3f} |", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
