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


def write_wide_model(path):
    """A random DeepSeek-V2-Lite-shaped model with 256-wide rows, so the K-quants apply (the goldens'
    rows are too narrow and fall back to Q8_0)."""
    import json
    from safetensors.numpy import save_file
    d, heads, nope, rope, v, latent, ffn, experts, vocab = 256, 2, 32, 32, 32, 256, 256, 4, 256
    config = {"model_type": "deepseek_v2", "vocab_size": vocab, "hidden_size": d, "intermediate_size": ffn,
              "moe_intermediate_size": ffn, "num_hidden_layers": 2, "num_attention_heads": heads,
              "q_lora_rank": None, "kv_lora_rank": latent, "qk_nope_head_dim": nope, "qk_rope_head_dim": rope,
              "v_head_dim": v, "n_routed_experts": experts, "n_shared_experts": 1, "num_experts_per_tok": 2,
              "first_k_dense_replace": 1, "topk_method": "greedy", "norm_topk_prob": False,
              "routed_scaling_factor": 1.0, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
              "max_position_embeddings": 512, "bos_token_id": 0, "eos_token_id": 1}
    rng = np.random.default_rng(7)
    t = {}

    def mat(name, rows, cols):
        t[name] = (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    def norm(name, n):
        t[name] = (1 + 0.1 * rng.standard_normal(n)).astype(np.float32)

    mat("model.embed_tokens.weight", vocab, d)
    for layer in range(2):
        p = f"model.layers.{layer}."
        norm(p + "input_layernorm.weight", d)
        norm(p + "post_attention_layernorm.weight", d)
        mat(p + "self_attn.q_proj.weight", heads * (nope + rope), d)
        mat(p + "self_attn.kv_a_proj_with_mqa.weight", latent + rope, d)
        norm(p + "self_attn.kv_a_layernorm.weight", latent)
        mat(p + "self_attn.kv_b_proj.weight", heads * (nope + v), latent)
        mat(p + "self_attn.o_proj.weight", d, heads * v)
        mlps = [p + "mlp."] if layer == 0 else [f"{p}mlp.experts.{e}." for e in range(experts)] + [p + "mlp.shared_experts."]
        for m in mlps:
            mat(m + "gate_proj.weight", ffn, d)
            mat(m + "up_proj.weight", ffn, d)
            mat(m + "down_proj.weight", d, ffn)
        if layer == 1:
            mat(p + "mlp.gate.weight", experts, d)
    norm("model.norm.weight", d)
    mat("lm_head.weight", vocab, d)
    path.mkdir()
    (path / "config.json").write_text(json.dumps(config))
    save_file(t, str(path / "model.safetensors"))


# Bounds (normalised MSE) about 3x the measured values: weights decoded by gguf-py's own dequantiser
# (Q6_K 3.1e-4, Q4_K 5.1e-3 on Gaussian rows), and logits of this random 2-layer model (Q6_K 4.4e-3,
# Q4_K_M 3.7e-2: random weights amplify the rounding).
@pytest.mark.parametrize("gguf_type,k_quant,weight_bound,logit_bound",
                         [("q6_k", "Q6_K", 1e-3, 1.5e-2), ("q4_k_m", "Q4_K", 1.5e-2, 1.2e-1)])
def test_k_quants_on_a_model_with_256_wide_rows(run_whale, tmp_path, gguf_type, k_quant, weight_bound, logit_bound):
    from gguf.quants import dequantize
    model = tmp_path / "wide"
    write_wide_model(model)
    tokens = "3,14,15,92,65,35,89,79"
    reference = logits(run_whale, tmp_path, model, tokens)
    f32, quantized = tmp_path / "f32.gguf", tmp_path / "quantized.gguf"
    run_whale("convert", model, f32, "--type", "f32", check=True)
    error = np.abs(logits(run_whale, tmp_path, f32, tokens) - reference).max() / np.abs(reference).max()
    assert error <= 1e-5
    result = run_whale("convert", model, quantized, "--type", gguf_type, check=True)
    tensors = {t.name: t for t in GGUFReader(str(quantized)).tensors}
    assert tensors["blk.1.ffn_gate_exps.weight"].tensor_type.name == k_quant
    assert tensors["output.weight"].tensor_type.name == "Q6_K"
    shexp = tensors["blk.1.ffn_gate_shexp.weight"]
    decoded = dequantize(shexp.data, shexp.tensor_type).reshape(-1)
    original = load_file(str(model / "model.safetensors"))["model.layers.1.mlp.shared_experts.gate_proj.weight"].reshape(-1)
    assert ((decoded - original) ** 2).sum() / (original ** 2).sum() < weight_bound
    got = logits(run_whale, tmp_path, quantized, tokens)
    nmse = ((got - reference) ** 2).sum() / (reference ** 2).sum()
    print(f"{gguf_type}: normalised MSE {nmse:.3g}; {result.stderr.strip()}")
    assert nmse < logit_bound


def test_text_commands_on_a_lone_gguf_match_the_checkpoint_directory(run_whale, tmp_path):
    # No tokenizer.json or tokenizer_config.json beside the file: the tokenizer and the chat
    # template (V3.1 here) come from the GGUF's tokenizer.* metadata.
    model = GOLDEN / "v3" / "model"
    gguf = tmp_path / "v3.gguf"
    run_whale("convert", model, gguf, "--type", "f32", check=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v3.gguf"]

    text = "The whale swims 123 km <｜User｜>"
    assert run_whale("tokenize", "-m", gguf, stdin=text, check=True).stdout == \
        run_whale("tokenize", "-m", model, stdin=text, check=True).stdout
    args = ("-p", "What is the weather?", "--think", "-n", 10, "--temp", 0)
    from_gguf = run_whale("run", "-m", gguf, *args, check=True)
    from_dir = run_whale("run", "-m", model, *args, check=True)
    assert from_gguf.stdout == from_dir.stdout
    assert "format v3.1" in from_gguf.stderr


def test_a_gguf_without_tokenizer_metadata_says_what_to_do(run_whale, tmp_path):
    model_dir = tmp_path / "weights_only"
    model_dir.mkdir()
    for name in ("config.json", "model.safetensors"):
        (model_dir / name).symlink_to(GOLDEN / "v3" / "model" / name)
    gguf = tmp_path / "bare.gguf"
    run_whale("convert", model_dir, gguf, "--type", "f32", check=True)
    result = run_whale("run", "-m", gguf, "-p", "Hi", "-n", 2)
    assert result.returncode != 0
    assert "tokenizer.json next to the .gguf file" in result.stderr
