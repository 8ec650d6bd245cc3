#!/usr/bin/env python3
"""Builds the tiny random models in tests/golden/ and their expected outputs: DeepSeek V2/V3, and
the dense grouped-query-attention architectures of the R1 distilled models (qwen2, llama, qwen3).

The oracle is Hugging Face transformers (pinned in scripts/requirements-oracle.txt) on CPU,
float32, eager attention. For each model this writes:
  tests/golden/<name>/model/      config.json + safetensors, as a released checkpoint would be laid out
  tests/golden/<name>/expected.safetensors
      tokens  [T] I32      the prompt
      logits  [T, V] F32   logits at every prompt position
      hidden.<l> [T, D] F32  output of decoder layer l (so a mismatch points at its layer)
      greedy  [32] I32     32 greedy tokens continuing the prompt (full re-forward per step)
      greedy_margin [32] F32  top-1 minus top-2 logit at each greedy step (how robust the golden is)

Models with an MTP layer (v3, v32_mtp) also get mtp_expected.safetensors (see mtp_expected()).

Run with the oracle venv: ./scripts/install-deps.sh --oracle && .venv-oracle/bin/python scripts/make_goldens.py [name ...]
CI never runs this; it only reads the committed outputs.
"""
import copy
import json
import math
import os
import shutil
import sys

import torch
from safetensors.torch import save_file

import transformers
from tiny_tokenizer import write_tiny_tokenizer
from transformers import (DeepseekV2Config, DeepseekV2ForCausalLM, DeepseekV3Config, DeepseekV3ForCausalLM,
                          DeepseekV32Config, DeepseekV32ForCausalLM, LlamaConfig, LlamaForCausalLM, Qwen2Config,
                          Qwen2ForCausalLM, Qwen3Config, Qwen3ForCausalLM)
from transformers.models.deepseek_v32.modeling_deepseek_v32 import apply_rotary_pos_emb

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "golden")
PROMPT_LEN = 12
GREEDY_STEPS = 32
ONLY = set(sys.argv[1:])  # golden names to rebuild; none given = all


def yarn(factor, mscale, original=4096):
    return {"rope_type": "yarn", "rope_theta": 10000.0, "factor": factor, "original_max_position_embeddings": original,
            "beta_fast": 32, "beta_slow": 1, "mscale": mscale, "mscale_all_dim": mscale}


def base_dims(**overrides):
    dims = dict(vocab_size=384, hidden_size=64, intermediate_size=96, moe_intermediate_size=32, num_hidden_layers=3,
                num_attention_heads=4, kv_lora_rank=32, qk_nope_head_dim=16, qk_rope_head_dim=16, v_head_dim=16,
                max_position_embeddings=163840, rms_norm_eps=1e-6, tie_word_embeddings=False, bos_token_id=0,
                eos_token_id=1, attn_implementation="eager")
    dims.update(overrides)
    # MLA expands K/V per query head; transformers V3 defaults this to 128, which tiny models must override.
    dims["num_key_value_heads"] = dims["num_attention_heads"]
    return dims


def dense_dims(**overrides):
    """A tiny dense GQA decoder: 4 query heads sharing 2 KV heads, head_dim 16 unless overridden."""
    dims = dict(vocab_size=384, hidden_size=64, intermediate_size=96, num_hidden_layers=3, num_attention_heads=4,
                num_key_value_heads=2, max_position_embeddings=512, rms_norm_eps=1e-6, tie_word_embeddings=False,
                bos_token_id=0, eos_token_id=1, attn_implementation="eager")
    dims.update(overrides)
    return dims


def randomize(model, generator):
    """Re-initialises every parameter at a scale that gives O(1) activations and well-separated logits
    (the default 0.02 init makes near-ties, which would make greedy goldens fragile)."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight") or "layernorm" in name:  # q_norm / k_norm (Qwen3) included
                p.copy_(1.0 + 0.2 * torch.randn(p.shape, generator=generator))
            elif name.endswith(".bias"):  # q/k/v biases (Qwen2): large enough to matter
                p.copy_(0.5 * torch.randn(p.shape, generator=generator))
            elif "embed_tokens" in name:
                p.copy_(torch.randn(p.shape, generator=generator))
            else:
                fan_in = p.shape[-1]
                p.copy_(torch.randn(p.shape, generator=generator) / math.sqrt(fan_in))
        for name, b in model.named_buffers():
            if name.endswith("e_score_correction_bias"):
                # Negative entries too: the bias must steer selection without touching the weights.
                b.copy_(0.3 * torch.randn(b.shape, generator=generator))


def per_expert_state_dict(model):
    """The model's tensors under the released checkpoint names (one tensor per expert)."""
    out = {}
    for name, t in model.state_dict().items():
        t = t.detach().contiguous()
        if name.endswith("mlp.experts.gate_up_proj"):
            prefix = name[: -len("gate_up_proj")]
            width = t.shape[1] // 2
            for e in range(t.shape[0]):
                out[f"{prefix}{e}.gate_proj.weight"] = t[e, :width].clone()
                out[f"{prefix}{e}.up_proj.weight"] = t[e, width:].clone()
        elif name.endswith("mlp.experts.down_proj"):
            prefix = name[: -len("down_proj")]
            for e in range(t.shape[0]):
                out[f"{prefix}{e}.down_proj.weight"] = t[e].clone()
        else:
            out[name] = t.clone()
    return out


def mtp_tensors(config, layer_state, generator):
    """A random MTP module at layer index num_hidden_layers (docs/models/deepseek_v3.md,
    'The MTP layer'); transformers ignores it."""
    d, v, index = config.hidden_size, config.vocab_size, config.num_hidden_layers
    prefix = f"model.layers.{index}."
    out = {}
    for name, t in layer_state.items():  # a full decoder layer, shaped like the last MoE layer
        out[prefix + name] = torch.randn(t.shape, generator=generator) / math.sqrt(t.shape[-1])
    out[prefix + "enorm.weight"] = 1.0 + 0.2 * torch.randn(d, generator=generator)
    out[prefix + "hnorm.weight"] = 1.0 + 0.2 * torch.randn(d, generator=generator)
    out[prefix + "eh_proj.weight"] = torch.randn(d, 2 * d, generator=generator) / math.sqrt(2 * d)
    out[prefix + "shared_head.norm.weight"] = 1.0 + 0.2 * torch.randn(d, generator=generator)
    out[prefix + "shared_head.head.weight"] = torch.randn(v, d, generator=generator) / math.sqrt(d)
    out[prefix + "embed_tokens.weight"] = torch.randn(v, d, generator=generator)
    return out


FP8_SKIP = ("embed_tokens", "lm_head", "norm", "mlp.gate.weight", "e_score_correction_bias")


def quantize_fp8(state):
    """DeepSeek FP8 layout (docs/models/fp8.md): e4m3 weights with f32 weight_scale_inv per 128x128
    block, partial edge blocks included. Returns (stored tensors, dequantised tensors for the oracle)."""
    stored, dequantised = {}, {}
    for name, w in state.items():
        if w.dim() != 2 or not name.endswith(".weight") or any(s in name for s in FP8_SKIP):
            stored[name] = w
            dequantised[name] = w
            continue
        rows, cols = w.shape
        br, bc = (rows + 127) // 128, (cols + 127) // 128
        scale = torch.zeros(br, bc, dtype=torch.float32)
        q = torch.zeros(rows, cols, dtype=torch.float8_e4m3fn)
        for i in range(br):
            for j in range(bc):
                block = w[i * 128:(i + 1) * 128, j * 128:(j + 1) * 128]
                s = block.abs().max().clamp(min=1e-12) / 448.0
                scale[i, j] = s
                q[i * 128:(i + 1) * 128, j * 128:(j + 1) * 128] = (block / s).to(torch.float8_e4m3fn)
        stored[name] = q
        stored[name + "_scale_inv"] = scale
        expanded = scale.repeat_interleave(128, 0)[:rows].repeat_interleave(128, 1)[:, :cols]
        dequantised[name] = q.to(torch.float32) * expanded
    return stored, dequantised


def load_into_model(model, state):
    """Loads released-layout tensors back into the transformers model (re-fusing experts)."""
    own = model.state_dict()
    with torch.no_grad():
        for name, t in own.items():
            if name.endswith("mlp.experts.gate_up_proj"):
                prefix = name[: -len("gate_up_proj")]
                for e in range(t.shape[0]):
                    t[e].copy_(torch.cat([state[f"{prefix}{e}.gate_proj.weight"], state[f"{prefix}{e}.up_proj.weight"]]))
            elif name.endswith("mlp.experts.down_proj"):
                prefix = name[: -len("down_proj")]
                for e in range(t.shape[0]):
                    t[e].copy_(state[f"{prefix}{e}.down_proj.weight"])
            else:
                t.copy_(state[name])


def released_style_config(path, q_lora_null, rope_type_key="type"):
    """Rewrites config.json the way released checkpoints spell it (rope_scaling with 'type' for
    DeepSeek, 'rope_type' for Llama 3, null for plain RoPE; rope_theta at top level), so both
    spellings are exercised by the goldens."""
    with open(path) as f:
        cfg = json.load(f)
    params = cfg.pop("rope_parameters")
    cfg["rope_theta"] = params.pop("rope_theta")
    rope_type = params.pop("rope_type")
    if rope_type == "default":
        cfg["rope_scaling"] = None
    else:
        params[rope_type_key] = rope_type
        cfg["rope_scaling"] = params
    if q_lora_null:
        cfg["q_lora_rank"] = None
    with open(path, "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)


class IndexerMargins:
    """Records, for every DSA indexer call, how far the k-th best visible score is from the next one.
    A near-tie there would make the top-k selection (and so the golden) depend on rounding."""

    def __init__(self, layers):
        self.smallest = float("inf")
        self.hooks = [layer.self_attn.indexer.register_forward_hook(self.hook)
                      for layer in layers if hasattr(layer.self_attn, "indexer")]

    def hook(self, module, args, _output):
        hidden, q_resid, (cos, sin), mask = args[0], args[1], args[2], args[3]
        b, s, _ = hidden.shape
        q = module.wq_b(q_resid).view(b, s, module.n_heads, module.head_dim)
        q_rot, q_pass = torch.split(q, [module.qk_rope_head_dim, module.head_dim - module.qk_rope_head_dim], dim=-1)
        k = module.k_norm(module.wk(hidden)).unsqueeze(2)
        k_rot, k_pass = torch.split(k, [module.qk_rope_head_dim, module.head_dim - module.qk_rope_head_dim], dim=-1)
        q_rot, k_rot = apply_rotary_pos_emb(q_rot, k_rot, cos, sin, unsqueeze_dim=2)
        q, k = torch.cat([q_rot, q_pass], -1), torch.cat([k_rot, k_pass], -1).squeeze(2)
        scores = torch.relu(torch.matmul(q.float(), k.transpose(-1, -2).float().unsqueeze(1)) * module.softmax_scale)
        weights = module.weights_proj(hidden).float() * module.n_heads ** -0.5
        index = torch.matmul(weights.unsqueeze(-2), scores).squeeze(-2)[0]  # [S, T]
        for t in range(s):
            visible = index[t, : t + 1]
            if visible.numel() <= module.index_topk:
                continue
            top = torch.sort(visible, descending=True).values
            gap = float(top[module.index_topk - 1] - top[module.index_topk]) / max(float(top.abs().max()), 1e-30)
            self.smallest = min(self.smallest, gap)

    def remove(self):
        for h in self.hooks:
            h.remove()


@torch.no_grad()
def expected_outputs(model, prompt):
    hidden = {}
    hooks = []
    for i, layer in enumerate(model.model.layers):
        def hook(_module, _inputs, output, i=i):
            out = output[0] if isinstance(output, tuple) else output
            hidden[f"hidden.{i}"] = out[0].detach().clone().contiguous()
        hooks.append(layer.register_forward_hook(hook))
    logits = model(prompt[None, :]).logits[0].contiguous()
    for h in hooks:
        h.remove()
    ids = prompt.tolist()
    greedy, margins = [], []
    for _ in range(GREEDY_STEPS):
        last = model(torch.tensor([ids])).logits[0, -1]
        top = torch.topk(last, 2)
        greedy.append(int(top.indices[0]))
        margins.append(float(top.values[0] - top.values[1]))
        ids.append(greedy[-1])
    out = {"tokens": prompt.to(torch.int32), "logits": logits,
           "greedy": torch.tensor(greedy, dtype=torch.int32), "greedy_margin": torch.tensor(margins)}
    out.update(hidden)
    return out


@torch.no_grad()
def mtp_expected(model, config, prompt, mtp_state):
    """Logits of the multi-token-prediction layer (docs/models/deepseek_v3.md, 'The MTP layer'),
    which transformers does not run.
    An independent torch composition: transformers' own decoder layer and RMSNorm classes of the model
    (DeepseekV3DecoderLayer / DeepseekV32DecoderLayer, whose attention then includes the DSA indexer)
    loaded with the layer-num_hidden_layers tensors, enorm / hnorm / eh_proj applied here, fed with
    HF's final normed hidden states. Conventions (vLLM): row i pairs h_i with the next token t_{i+1}
    at RoPE position i, embedding first in the concatenation, the embedding zeroed at position 0.
      mtp_logits [T-1, V]        rows i = 0..T-2 over the prompt
      mtp_chain_token [1] I32    argmax of the last row: the first draft
      mtp_chain_logits [1, V]    the next depth: the layer fed its own normed output and that draft
    """
    index = config.num_hidden_layers
    layer_config = copy.deepcopy(config)
    if getattr(layer_config, "mlp_layer_types", None) is not None:  # V3.2 picks dense / MoE from this list
        layer_config.mlp_layer_types = list(layer_config.mlp_layer_types) + ["sparse"]
    layer = type(model.model.layers[-1])(layer_config, index).eval()
    load_into_model(layer, mtp_state)
    norm_class = type(model.model.norm)

    def norm(weight):
        module = norm_class(config.hidden_size, eps=config.rms_norm_eps)
        module.weight.copy_(weight)
        return module

    enorm, hnorm, head_norm = norm(mtp_state["enorm.weight"]), norm(mtp_state["hnorm.weight"]), \
        norm(mtp_state["shared_head.norm.weight"])
    final_hidden = model.model(prompt[None, :]).last_hidden_state[0]  # [T, D], after model.norm

    def run(tokens, hidden):
        n = tokens.shape[0]
        embedded = mtp_state["embed_tokens.weight"][tokens].clone()
        embedded[0] = 0.0  # row 0 sits at position 0
        u = torch.nn.functional.linear(torch.cat([enorm(embedded), hnorm(hidden)], -1), mtp_state["eh_proj.weight"])
        positions = torch.arange(n)[None, :]
        mask = torch.full((n, n), float("-inf")).triu(1)[None, None]
        out = layer(u[None], attention_mask=mask, position_ids=positions,
                    position_embeddings=model.model.rotary_emb(u[None], positions))[0]
        normed = head_norm(out)
        return torch.nn.functional.linear(normed, mtp_state["shared_head.head.weight"]), normed

    margins = IndexerMargins([layer])
    logits, normed = run(prompt[1:], final_hidden[:-1])
    draft = int(torch.argmax(logits[-1]))
    chain_logits, _ = run(torch.cat([prompt[1:], torch.tensor([draft])]), torch.cat([final_hidden[:-1], normed[-1:]]))
    margins.remove()
    if margins.hooks:
        print(f"MTP layer: smallest relative gap at the indexer's top-k boundary {margins.smallest:.2e}")
        assert margins.smallest > 1e-4, "MTP indexer top-k near a tie: choose another seed"
    return {"mtp_logits": logits.contiguous(), "mtp_chain_token": torch.tensor([draft], dtype=torch.int32),
            "mtp_chain_logits": chain_logits[-1:].contiguous()}


def build(name, config_cls, model_cls, config_kwargs, seed, *, storage="f32", hf_save=False, mtp=False,
          shard_bytes=None, released_config=False, q_lora_null=False, rope_type_key="type", with_tokenizer=False):
    if ONLY and name not in ONLY:
        return
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    config = config_cls(**config_kwargs)
    model = model_cls(config).eval().to(torch.float32)
    randomize(model, generator)

    out_dir = os.path.join(ROOT, name)
    model_dir = os.path.join(out_dir, "model")
    shutil.rmtree(out_dir, ignore_errors=True)
    os.makedirs(model_dir)

    if storage == "bf16":
        # Round every weight to bf16 so the f32 oracle runs on exactly what the checkpoint holds.
        with torch.no_grad():
            # Parameters and the router bias only: the rotary inv_freq buffer must stay f32.
            rounded = list(model.parameters()) + [b for n, b in model.named_buffers() if "e_score_correction_bias" in n]
            for t in rounded:
                t.copy_(t.to(torch.bfloat16).to(torch.float32))
    state = per_expert_state_dict(model)
    if config.tie_word_embeddings:
        # A tied checkpoint stores the embedding once, as released tied models do.
        state.pop("lm_head.weight", None)
    if storage == "fp8":
        state, dequantised = quantize_fp8(state)
        load_into_model(model, dequantised)
    if mtp:
        last = config.num_hidden_layers - 1
        layer_state = {k[len(f"model.layers.{last}."):]: v for k, v in per_expert_state_dict(model).items()
                       if k.startswith(f"model.layers.{last}.")}
        mtp_state = mtp_tensors(config, layer_state, generator)
        state.update(mtp_state)

    if hf_save:
        # Exactly what this transformers version's save_pretrained writes (bf16 here).
        # A copy, so the oracle's rotary buffers never pass through bf16.
        copy.deepcopy(model).to(torch.bfloat16).save_pretrained(model_dir, max_shard_size=shard_bytes or "10GB")
    else:
        config.save_pretrained(model_dir)
        if storage == "bf16":
            state = {k: (v.to(torch.bfloat16) if v.dtype == torch.float32 and "e_score_correction_bias" not in k else v)
                     for k, v in state.items()}
        write_checkpoint(model_dir, state, shard_bytes)
    if released_config:
        released_style_config(os.path.join(model_dir, "config.json"), q_lora_null, rope_type_key)
    for extra in ("generation_config.json",):
        path = os.path.join(model_dir, extra)
        if os.path.exists(path):
            os.remove(path)

    if with_tokenizer:
        write_tiny_tokenizer(model_dir, config.vocab_size)

    generator_prompt = torch.Generator().manual_seed(seed + 1)
    prompt = torch.randint(2, config.vocab_size, (PROMPT_LEN,), generator=generator_prompt)
    margins = IndexerMargins(model.model.layers)
    expected = expected_outputs(model, prompt)
    margins.remove()
    if margins.hooks:
        print(f"{name}: smallest relative gap at the indexer's top-k boundary {margins.smallest:.2e}")
        assert margins.smallest > 1e-4, "indexer top-k near a tie: choose another seed"
    save_file(expected, os.path.join(out_dir, "expected.safetensors"), metadata={
        "transformers": transformers.__version__, "torch": torch.__version__, "model": name})
    if mtp:
        prefix = f"model.layers.{config.num_hidden_layers}."
        layer_tensors = {k[len(prefix):]: v for k, v in mtp_state.items()}
        save_file(mtp_expected(model, config, prompt, layer_tensors), os.path.join(out_dir, "mtp_expected.safetensors"),
                  metadata={"transformers": transformers.__version__, "torch": torch.__version__, "model": name})
    print(f"{name}: min greedy margin {min(expected['greedy_margin'].tolist()):.4f}, "
          f"greedy {expected['greedy'].tolist()[:8]}...")


def write_checkpoint(model_dir, state, shard_bytes):
    state = {k: v.contiguous() for k, v in state.items()}
    if not shard_bytes:
        save_file(state, os.path.join(model_dir, "model.safetensors"), metadata={"format": "pt"})
        return
    shards, current, size = [], {}, 0
    for name in sorted(state):
        nbytes = state[name].numel() * state[name].element_size()
        if current and size + nbytes > shard_bytes:
            shards.append(current)
            current, size = {}, 0
        current[name] = state[name]
        size += nbytes
    shards.append(current)
    weight_map, total = {}, 0
    for i, shard in enumerate(shards):
        file = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        save_file(shard, os.path.join(model_dir, file), metadata={"format": "pt"})
        for name, t in shard.items():
            weight_map[name] = file
            total += t.numel() * t.element_size()
    with open(os.path.join(model_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2, sort_keys=True)


def main():
    torch.set_num_threads(2)
    moe = dict(n_routed_experts=16, num_experts_per_tok=4, n_shared_experts=2)
    # 1. V2-Lite-like: no query compression, softmax greedy routing, YaRN factor 40, mscale 0.707.
    build("v2_lite", DeepseekV2Config, DeepseekV2ForCausalLM,
          base_dims(q_lora_rank=None, topk_method="greedy", n_group=1, topk_group=1, first_k_dense_replace=1,
                    routed_scaling_factor=1.0, norm_topk_prob=False, rope_parameters=yarn(40.0, 0.707), **moe),
          seed=11, released_config=True, q_lora_null=True)
    # 2. V2-like: query compression, group-limited greedy (4 groups, keep 2), routed scale 16, sharded.
    build("v2", DeepseekV2Config, DeepseekV2ForCausalLM,
          base_dims(q_lora_rank=48, topk_method="group_limited_greedy", n_group=4, topk_group=2,
                    first_k_dense_replace=1, routed_scaling_factor=16.0, norm_topk_prob=False,
                    rope_parameters=yarn(40.0, 0.707), **moe),
          seed=22, shard_bytes=200_000)
    # 3. V3-like: sigmoid noaux_tc with a signed correction bias, 2 dense layers first, MTP layer present.
    build("v3", DeepseekV3Config, DeepseekV3ForCausalLM,
          base_dims(num_hidden_layers=4, q_lora_rank=48, n_group=4, topk_group=2, first_k_dense_replace=2,
                    routed_scaling_factor=2.5, norm_topk_prob=True, rope_parameters=yarn(40.0, 1.0),
                    num_nextn_predict_layers=1, **moe),
          seed=33, mtp=True, released_config=True, with_tokenizer=True)
    # 4. V3 stored as FP8 e4m3 with 128x128 block scales; dimensions that are not multiples of 128.
    build("v3_fp8", DeepseekV3Config, DeepseekV3ForCausalLM,
          base_dims(hidden_size=200, intermediate_size=300, moe_intermediate_size=136, num_hidden_layers=2,
                    num_attention_heads=2, q_lora_rank=136, kv_lora_rank=160, qk_nope_head_dim=32, qk_rope_head_dim=16,
                    v_head_dim=32, n_routed_experts=8, num_experts_per_tok=2, n_shared_experts=1, n_group=2,
                    topk_group=1, first_k_dense_replace=1, routed_scaling_factor=2.5, norm_topk_prob=True,
                    rope_parameters=yarn(40.0, 1.0)),
          seed=44, storage="fp8")
    # 6. V3.2: DeepSeek Sparse Attention with index_topk smaller than the prompt, so selection matters.
    build("v32", DeepseekV32Config, DeepseekV32ForCausalLM,
          base_dims(q_lora_rank=48, n_group=4, topk_group=2, first_k_dense_replace=1, routed_scaling_factor=2.5,
                    norm_topk_prob=True, rope_parameters=yarn(40.0, 1.0), index_n_heads=16, index_head_dim=32,
                    index_topk=5, **moe),
          seed=66)
    # 6b. V3.2 with an MTP layer (its attention has its own indexer): the MTP golden for DSA.
    build("v32_mtp", DeepseekV32Config, DeepseekV32ForCausalLM,
          base_dims(num_hidden_layers=2, q_lora_rank=48, n_group=4, topk_group=2, first_k_dense_replace=1,
                    routed_scaling_factor=2.5, norm_topk_prob=True, rope_parameters=yarn(40.0, 1.0), index_n_heads=16,
                    index_head_dim=32, index_topk=5, num_nextn_predict_layers=1, **moe),
          seed=67, mtp=True)
    # 5. A bf16 checkpoint written by transformers' own save_pretrained.
    build("v3_bf16", DeepseekV3Config, DeepseekV3ForCausalLM,
          base_dims(q_lora_rank=32, n_group=2, topk_group=1, first_k_dense_replace=1, routed_scaling_factor=2.5,
                    norm_topk_prob=True, rope_parameters=yarn(40.0, 1.0), **moe),
          seed=55, storage="bf16", hf_save=True)

    # R1 distilled dense models: grouped-query attention, SwiGLU, half-split RoPE.
    # 6. R1-Distill-Qwen-like (qwen2): q/k/v biases, untied head, released config spelling
    #    (rope_scaling null, rope_theta on top, sliding window declared but off).
    build("r1_distill_qwen2", Qwen2Config, Qwen2ForCausalLM,
          dense_dims(sliding_window=4096, use_sliding_window=False, max_window_layers=2,
                     rope_parameters={"rope_type": "default", "rope_theta": 10000.0}),
          seed=66, released_config=True)
    # 7. qwen2 with a tied head: lm_head.weight is absent from the checkpoint.
    build("r1_distill_qwen2_tied", Qwen2Config, Qwen2ForCausalLM,
          dense_dims(num_hidden_layers=2, tie_word_embeddings=True,
                     rope_parameters={"rope_type": "default", "rope_theta": 1000000.0}),
          seed=77)
    # 8. R1-Distill-Llama-like (llama): Llama 3 RoPE scaling. original_max_position_embeddings 64
    #    puts head_dim 16's 8 frequencies in all three regimes (kept, smoothed, divided by factor).
    build("r1_distill_llama", LlamaConfig, LlamaForCausalLM,
          dense_dims(hidden_size=128, num_attention_heads=8, num_key_value_heads=2, max_position_embeddings=1024,
                     rms_norm_eps=1e-5,
                     rope_parameters={"rope_type": "llama3", "rope_theta": 10000.0, "factor": 8.0,
                                      "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                      "original_max_position_embeddings": 64}),
          seed=88, released_config=True, rope_type_key="rope_type")
    # 9. R1-0528-Qwen3-like (qwen3): QK-norm, head_dim 32 != hidden / heads, YaRN scaling.
    build("r1_distill_qwen3", Qwen3Config, Qwen3ForCausalLM,
          dense_dims(head_dim=32, rope_parameters={"rope_type": "yarn", "rope_theta": 1000000.0, "factor": 4.0,
                                                   "original_max_position_embeddings": 128}),
          seed=99)


if __name__ == "__main__":
    sys.exit(main())
