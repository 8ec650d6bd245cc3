"""llama.cpp's prefill (ppN) and decode (tgN) throughput through llama-cpp-python, timed the way
llama-bench times them (docs/interfaces/llama_bench.md): random token ids, one untimed warm-up
run, then -r runs; pp = one batched evaluation of N prompt tokens on an empty cache, tg = N
single-token evaluations from an empty cache. Prints one JSON object per test with the keys `whale bench
--json` uses (test, tokens_per_s, stddev, samples_ts, threads, ...), so the two can be joined."""
import argparse
import json
import random
import statistics
import time

import llama_cpp


def timed_runs(llm, runs, run):
    run()  # warm-up: page in the mapped weights, size the compute buffers
    seconds = []
    for _ in range(runs):
        llm.reset()  # n_past = 0; the next eval drops the cached rows past it
        start = time.perf_counter()
        run()
        seconds.append(time.perf_counter() - start)
    return seconds


def report(test, n_tokens, seconds, args):
    rates = [n_tokens / s for s in seconds]
    print(json.dumps({
        "engine": "llama.cpp", "llama_cpp_python": llama_cpp.__version__, "model": args.model, "test": test,
        "n_prompt": n_tokens if test.startswith("pp") else 0, "n_gen": n_tokens if test.startswith("tg") else 0,
        "ctx": 0, "threads": args.threads, "repetitions": args.repetitions,
        "tokens_per_s": statistics.mean(rates), "stddev": statistics.stdev(rates) if len(rates) > 1 else 0.0,
        "samples_ts": rates,
    }), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-m", "--model", required=True)
    parser.add_argument("-p", "--n-prompt", type=int, default=512)
    parser.add_argument("-n", "--n-gen", type=int, default=128)
    parser.add_argument("-r", "--repetitions", type=int, default=5)
    parser.add_argument("-t", "--threads", type=int, default=2)
    args = parser.parse_args()

    llm = llama_cpp.Llama(model_path=args.model, n_ctx=max(args.n_prompt, args.n_gen) + 16,
                          n_batch=max(args.n_prompt, 1), n_ubatch=max(args.n_prompt, 1), n_threads=args.threads,
                          n_threads_batch=args.threads, logits_all=False, verbose=False)
    rng = random.Random(42)
    vocab = llm.n_vocab()
    if args.n_prompt > 0:
        prompt = [rng.randrange(vocab) for _ in range(args.n_prompt)]
        report(f"pp{args.n_prompt}", args.n_prompt, timed_runs(llm, args.repetitions, lambda: llm.eval(prompt)),
               args)
    if args.n_gen > 0:
        tokens = [rng.randrange(vocab) for _ in range(args.n_gen)]

        def decode():
            for t in tokens:
                llm.eval([t])

        llm.reset()
        report(f"tg{args.n_gen}", args.n_gen, timed_runs(llm, args.repetitions, decode), args)


if __name__ == "__main__":
    main()
