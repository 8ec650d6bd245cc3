#!/usr/bin/env python3
"""Writes tests/golden/quant/: reference ggml blocks and their dequantised values from gguf-py.

gguf-py (PyPI `gguf`, pinned in scripts/requirements-oracle.txt) carries numpy ports of ggml's
dequantisers for Q8_0, Q4_K and Q6_K, and of the Q8_0 reference quantiser. For each type we write
  <type>_blocks.bin   raw blocks as stored in a GGUF file
  <type>_dequant.f32  the values gguf-py decodes from them (little-endian float32)
and for Q8_0 also the float input the blocks were quantised from (q8_0_input.f32), so the C++
tests can check Whale's quantiser and dequantisers bit for bit. K-quant blocks are random bytes
with finite fp16 scales: every bit pattern of the packed scales and quants is a valid block.

Usage: /work/main/.venv-oracle/bin/python scripts/make_quant_goldens.py [out_dir]
"""
import importlib.metadata
import json
import pathlib
import sys

import numpy as np
from gguf import GGMLQuantizationType as T
from gguf import quants

N_BLOCKS = 4


def q8_0_case(rng):
    x = rng.standard_normal(32 * N_BLOCKS).astype(np.float32)
    x[32:64] *= 1e-3      # a block of small values
    x[64:96] = 0.0        # an all-zero block (d = 0)
    x[96] = 7.5           # a block whose largest value dominates
    blocks = quants.quantize(x.reshape(1, -1), T.Q8_0)
    return x, blocks.reshape(-1)


def random_k_blocks(rng, block_bytes, fp16_fields):
    """Random bytes with the fp16 fields (byte offsets) replaced by finite scales of either sign."""
    raw = rng.integers(0, 256, size=(N_BLOCKS, block_bytes), dtype=np.uint8)
    for offset in fp16_fields:
        scale = (rng.uniform(1e-3, 5e-2, size=N_BLOCKS) * rng.choice([-1, 1], size=N_BLOCKS)).astype(np.float16)
        raw[:, offset:offset + 2] = scale.view(np.uint8).reshape(N_BLOCKS, 2)
    return raw.reshape(-1)


def main():
    out = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else pathlib.Path(__file__).parent.parent / "tests/golden/quant")
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20260611)

    cases = {}
    x, blocks = q8_0_case(rng)
    x.astype("<f4").tofile(out / "q8_0_input.f32")
    cases["q8_0"] = blocks
    # Q4_K: d at byte 0, dmin at byte 2. Q6_K: d at byte 208.
    cases["q4_k"] = random_k_blocks(rng, 144, [0, 2])
    cases["q6_k"] = random_k_blocks(rng, 210, [208])

    qtypes = {"q8_0": T.Q8_0, "q4_k": T.Q4_K, "q6_k": T.Q6_K}
    manifest = {"generator": "scripts/make_quant_goldens.py", "gguf": importlib.metadata.version("gguf"),
                "numpy": np.__version__, "cases": {}}
    for name, raw in cases.items():
        raw.astype(np.uint8).tofile(out / f"{name}_blocks.bin")
        values = quants.dequantize(raw.reshape(1, -1), qtypes[name]).reshape(-1).astype("<f4")
        values.tofile(out / f"{name}_dequant.f32")
        manifest["cases"][name] = {"blocks": N_BLOCKS, "values": int(values.size), "bytes": int(raw.size)}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


if __name__ == "__main__":
    main()
