"""whale bench and whale make-bench-model on tiny models: JSON keys and sane values, the table,
CSV, synthetic cache depths, and clear errors for bad flags. Speed itself is never asserted here
(figures go to BENCHMARKS.md with their machine and load)."""
import csv
import json

import pytest

from conftest import GOLDEN

MODEL = GOLDEN / "v2_lite" / "model"
KEYS = {"test", "ctx", "tokens_per_s", "stddev", "gb_per_s", "bandwidth_pct", "model_bytes_per_token",
        "read_bandwidth_gb_per_s", "threads", "n_prompt", "n_gen", "samples_ts", "cache_fill"}


def bench_json(run_whale, *args, model=MODEL):
    result = run_whale("bench", "-m", model, "--bandwidth-mib", 64, "--json", *args, check=True)
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_json_has_one_sane_object_per_test(run_whale):
    rows = bench_json(run_whale, "-p", 8, "-n", 4, "-r", 2, "--ctx", "0,300", "-t", 1)
    assert [r["test"] for r in rows] == ["pp8", "tg4", "tg4"]
    assert [r["ctx"] for r in rows] == [0, 0, 300]
    assert [r["cache_fill"] for r in rows] == ["none", "none", "synthetic"]
    for r in rows:
        assert KEYS <= set(r)
        assert r["threads"] == 1 and len(r["samples_ts"]) == 2
        assert r["tokens_per_s"] > 0 and r["stddev"] >= 0 and r["read_bandwidth_gb_per_s"] > 0
        assert r["gb_per_s"] > 0 and 0 < r["bandwidth_pct"]
        assert r["model_bytes_per_token"] > 0
    # A decoded token reads less than every weight (only top-k experts and one embedding row).
    assert rows[0]["model_bytes_per_token"] < rows[0]["model_size"]


def test_table_and_csv(run_whale, tmp_path):
    out_csv = tmp_path / "bench.csv"
    out = run_whale("bench", "-m", MODEL, "-p", 4, "-n", 2, "-r", 1, "--bandwidth-mib", 64, "--csv", out_csv,
                    "--ctx", "0,1K", check=True).stdout
    assert "read bandwidth:" in out and "| pp4 " in out and "| tg2 @ d1024 " in out and "synthetic" in out
    rows = list(csv.DictReader(out_csv.open()))
    assert [r["test"] for r in rows] == ["pp4", "tg2", "tg2"] and float(rows[1]["tokens_per_s"]) > 0


@pytest.mark.parametrize("args, message", [
    (("-p", "-3"), "-p"),
    (("-r", "0"), "-r"),
    (("--ctx", "12Q"), "not a length"),
    (("-p", "0", "-n", "0"), "nothing to measure"),
    (("-t", "0"), "-t"),
])
def test_bad_flags_are_clear_errors(run_whale, args, message):
    result = run_whale("bench", "-m", MODEL, *args)
    assert result.returncode in (1, 2) and message in result.stderr


def test_missing_model_and_too_deep_context(run_whale, tmp_path):
    assert run_whale("bench", "-m", tmp_path / "absent", "-p", 1, "-n", 0).returncode == 1
    result = run_whale("bench", "-m", MODEL, "-n", 1, "-p", 0, "--ctx", "100M")
    assert result.returncode == 1 and "max_position_embeddings" in result.stderr


def test_make_bench_model_rejects_bad_flags(run_whale, tmp_path):
    # Writing a real V2-Lite-shaped file takes minutes; tests/model/bench_model_test.cpp covers the
    # writer on a small config. Here only the command line.
    result = run_whale("make-bench-model", tmp_path / "x.gguf", "--shape", "v9")
    assert result.returncode == 2 and "--shape" in result.stderr
    result = run_whale("make-bench-model", tmp_path / "x.gguf", "--layers", "1")
    assert result.returncode == 2 and "--layers" in result.stderr
    assert not list(tmp_path.iterdir())


def test_batched_decode_reports_aggregate_rates_per_batch(run_whale):
    rows = bench_json(run_whale, "-p", 0, "-n", 4, "-r", 1, "--batch", "1,3", "-t", 1)
    assert [(r["test"], r["batch"]) for r in rows] == [("tg4", 1), ("tg4", 3)]
    for r in rows:
        assert r["tokens_per_s"] > 0 and r["samples_ts"][0] == r["tokens_per_s"]
    # GB/s counts one token's weights per step of the batch (a lower bound for a batch).
    batch3 = rows[1]
    assert batch3["gb_per_s"] == pytest.approx(batch3["tokens_per_s"] / 3 * batch3["model_bytes_per_token"] / 1e9)


def test_speculative_reports_acceptance_and_identical_greedy_output(run_whale):
    rows = bench_json(run_whale, "-p", 0, "-n", 6, "-r", 1, "--speculative", "mtp", "--draft", 2,
                      model=GOLDEN / "v3" / "model")
    spec = rows[-1]
    assert spec["test"] == "tg6 spec" and spec["n_draft"] == 2
    assert spec["outputs_identical"] is True
    assert 0 <= spec["acceptance_rate"] <= 1 and spec["drafted"] >= spec["accepted"] >= 0
    assert spec["plain_tokens_per_s"] > 0 and spec["tokens_per_s"] > 0
    assert spec["speedup"] == pytest.approx(spec["tokens_per_s"] / spec["plain_tokens_per_s"])


def test_speculative_needs_an_mtp_layer(run_whale):
    result = run_whale("bench", "-m", MODEL, "--bandwidth-mib", 64, "-p", 0, "-n", 2, "-r", 1, "--speculative", "mtp")
    assert result.returncode != 0 and "multi-token-prediction" in result.stderr
