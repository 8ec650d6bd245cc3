"""The core subcommands as a user runs them: inspect, logits, generate, --help, and their errors."""
import numpy as np
import pytest
from safetensors.numpy import load_file

from conftest import GOLDEN

GOLDENS = ["v2_lite", "v2", "v3", "v3_fp8", "v3_bf16", "v32"]


@pytest.mark.parametrize("name", GOLDENS)
def test_logits_file_matches_transformers(run_whale, tmp_path, name):
    expected = load_file(str(GOLDEN / name / "expected.safetensors"))
    tokens = ",".join(str(t) for t in expected["tokens"])
    out = tmp_path / "logits.safetensors"
    run_whale("logits", "-m", GOLDEN / name / "model", "--tokens", tokens, "-o", out, check=True)
    logits = load_file(str(out))["logits"]
    assert logits.dtype == np.float32
    assert logits.shape == expected["logits"].shape
    error = np.abs(logits - expected["logits"]).max() / np.abs(expected["logits"]).max()
    assert error <= 1e-5, f"{name}: max relative logit error {error:.2e}"


@pytest.mark.parametrize("name", GOLDENS)
def test_generate_prints_the_greedy_tokens(run_whale, name):
    expected = load_file(str(GOLDEN / name / "expected.safetensors"))
    tokens = ",".join(str(t) for t in expected["tokens"])
    result = run_whale("generate", "-m", GOLDEN / name / "model", "--tokens", tokens, "-n", 32, "--temp", 0,
                       "--ignore-eos", check=True)
    assert [int(t) for t in result.stdout.strip().split(",")] == expected["greedy"].tolist()
    assert "tok/s" in result.stderr


def test_generate_with_seed_is_reproducible(run_whale):
    args = ("generate", "-m", GOLDEN / "v3" / "model", "--tokens", "5,6,7", "-n", 16, "--temp", 0.9,
            "--top-p", 0.95, "--seed", 1234, "--ignore-eos")
    first, second = run_whale(*args, check=True), run_whale(*args, check=True)
    assert first.stdout == second.stdout
    other = run_whale(*args[:-2], 99, "--ignore-eos", check=True)
    assert len(other.stdout.split(",")) == 16


def test_inspect_reports_architecture_parameters_and_cache(run_whale):
    out = run_whale("inspect", GOLDEN / "v3" / "model", check=True).stdout
    assert "deepseek_v3, 4 layers (2 dense, 2 MoE)" in out
    assert "noaux_tc" in out and "yarn factor 40" in out
    assert "active per token" in out and "mtp layer" in out
    assert "192 values" in out and "768 values" in out  # latent vs MHA-equivalent per token


@pytest.mark.parametrize("command", ["inspect", "logits", "generate"])
def test_every_subcommand_has_help(run_whale, command):
    result = run_whale(command, "--help")
    assert result.returncode == 0
    assert "Usage" in result.stdout or "usage" in result.stdout.lower()


def test_errors_are_one_line_with_meaningful_exit_codes(run_whale, tmp_path):
    missing = run_whale("generate", "-m", tmp_path / "absent", "--tokens", "1")
    assert missing.returncode == 1
    assert missing.stderr.count("\n") == 1 and "config.json" in missing.stderr

    usage = run_whale("generate", "--tokens", "1")
    assert usage.returncode == 2

    bad_tokens = run_whale("logits", "-m", GOLDEN / "v3" / "model", "--tokens", "1,x,3", "-o", tmp_path / "o")
    assert bad_tokens.returncode == 1 and "'x' is not a token id" in bad_tokens.stderr

    out_of_vocab = run_whale("generate", "-m", GOLDEN / "v3" / "model", "--tokens", "1,100000")
    assert out_of_vocab.returncode == 1 and "outside the vocabulary" in out_of_vocab.stderr


def test_truncated_checkpoint_is_a_clear_error(run_whale, tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_bytes((GOLDEN / "v2_lite" / "model" / "config.json").read_bytes())
    data = (GOLDEN / "v2_lite" / "model" / "model.safetensors").read_bytes()
    (model / "model.safetensors").write_bytes(data[: len(data) // 2])
    result = run_whale("inspect", model)
    assert result.returncode == 1
    assert "model.safetensors" in result.stderr and "past the end of the data" in result.stderr
