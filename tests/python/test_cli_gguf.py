"""whale convert / whale quantize as a user runs them: files gguf-py reads as deepseek2, logits of
the f32 file equal to the safetensors model's, a summary line, and clear errors for bad input."""
import numpy as np
import pytest
from gguf import GGUFReader
from safetensors.numpy import load_file

from conftest import GOLDEN


def logits(run_whale, tmp_path, model, tokens):
    out = tmp_path / "logits.safetensors"
    run_whale("logits", "-m", model, "--tokens", tokens, "-o", out, check=True)
    return load_file(str(out))["logits"]


def field(reader, key):
    return reader.fields[key].contents()


@pytest.mark.parametrize("name", ["v2_lite", "v3"])
def test_convert_f32_gives_the_safetensors_logits(run_whale, tmp_path, name):
    expected = load_file(str(GOLDEN / name / "expected.safetensors"))
    tokens = ",".join(str(t) for t in expected["tokens"])
    out = tmp_path / "model.gguf"
    result = run_whale("convert", GOLDEN / name / "model", out, "--type", "f32", check=True)
    assert "bits per weight" in result.stderr and "32.00" in result.stderr
    got = logits(run_whale, tmp_path, out, tokens)
    error = np.abs(got - expected["logits"]).max() / np.abs(expected["logits"]).max()
    assert error <= 1e-5, f"{name}: max relative logit error {error:.2e}"


def test_gguf_py_reads_the_file_as_deepseek2(run_whale, tmp_path):
    out = tmp_path / "model.gguf"
    run_whale("convert", GOLDEN / "v3" / "model", out, "--type", "q8_0", check=True)
    reader = GGUFReader(str(out))
    assert field(reader, "general.architecture") == "deepseek2"
    assert field(reader, "deepseek2.block_count") == 4
    assert field(reader, "deepseek2.attention.key_length_mla") == 32
    assert field(reader, "tokenizer.ggml.model") == "gpt2"
    assert len(field(reader, "tokenizer.ggml.tokens")) == 384
    tensors = {t.name: t for t in reader.tensors}
    assert tensors["blk.3.ffn_gate_exps.weight"].tensor_type.name == "Q8_0"
    assert list(tensors["blk.3.ffn_gate_exps.weight"].shape) == [64, 32, 16]  # ggml order
    assert tensors["blk.3.ffn_gate_inp.weight"].tensor_type.name == "F32"
    assert list(tensors["blk.0.attn_k_b.weight"].shape) == [16, 32, 4]
    assert list(tensors["blk.0.attn_v_b.weight"].shape) == [32, 16, 4]


def test_quantize_reencodes_and_the_result_runs(run_whale, tmp_path):
    f32, q8 = tmp_path / "f32.gguf", tmp_path / "q8.gguf"
    run_whale("convert", GOLDEN / "v2" / "model", f32, "--type", "f32", check=True)
    result = run_whale("quantize", f32, q8, "--type", "q8_0", check=True)
    assert "q8_0" in result.stderr and "bits per weight" in result.stderr
    assert q8.stat().st_size < f32.stat().st_size / 3
    reference = logits(run_whale, tmp_path, f32, "1,2,3,4")
    quantized = logits(run_whale, tmp_path, q8, "1,2,3,4")
    # The bound gguf_model_test uses for v2: a tiny random model whose MoE routing amplifies rounding.
    assert ((quantized - reference) ** 2).sum() / (reference ** 2).sum() < 1.2e-2


def test_bad_inputs_fail_with_a_clear_message(run_whale, tmp_path):
    result = run_whale("convert", GOLDEN / "r1_distill_llama" / "model", tmp_path / "x.gguf")
    assert result.returncode == 1 and "error" in result.stderr
    result = run_whale("convert", GOLDEN / "v3" / "model", tmp_path / "x.gguf", "--type", "q2_k")
    assert result.returncode == 2
    not_gguf = tmp_path / "broken.gguf"
    not_gguf.write_bytes(b"not a gguf file at all")
    result = run_whale("quantize", not_gguf, tmp_path / "y.gguf", "--type", "q8_0")
    assert result.returncode == 1 and "broken.gguf" in result.stderr
