"""whale kv: table, JSON per scheme, model directories, worked questions and bad input."""
import json

from conftest import GOLDEN


def test_json_lists_bytes_per_scheme(run_whale):
    data = json.loads(run_whale("kv", "--preset", "v3.2", "--ctx", "4K,1M", "--json", check=True).stdout)
    schemes = {s["scheme"]: s for s in data["schemes"]}
    assert set(schemes) == {"mha", "mla", "mla+indexer"}
    assert schemes["mla+indexer"]["bytes_per_token"] == 78324 and schemes["mla+indexer"]["engine"]
    assert schemes["mla"]["bytes_per_sequence"]["4096"] == 70272 * 4096
    assert data["attention_keys_per_token"]["1048576"]["keys"] == 61 * 2048


def test_model_directory_and_table(run_whale):
    out = run_whale("kv", "-m", GOLDEN / "v3" / "model", "--dtype", "f32", check=True).stdout
    assert "deepseek_v3, 4 layers, cache f32" in out and "mla*" in out
    dense = json.loads(run_whale("kv", "-m", GOLDEN / "r1_distill_llama" / "model", "--json", check=True).stdout)
    assert [s["scheme"] for s in dense["schemes"]] == ["mha", "gqa"]


def test_worked_questions(run_whale):
    out = run_whale("kv", "--worked", check=True).stdout
    assert "3.125%" in out and "653.9 B" in out
    assert "MHA K+V 393.22 GB" in out and "7.22 GB" in out


def test_bad_input(run_whale):
    assert run_whale("kv", "--preset", "v9").returncode == 1
    assert "not a length" in run_whale("kv", "--ctx", "12Q").stderr
    assert "unknown cache dtype" in run_whale("kv", "--dtype", "int3").stderr
