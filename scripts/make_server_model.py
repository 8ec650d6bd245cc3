#!/usr/bin/env python3
"""Builds the server test/bench model: the tiny random DeepSeek-V3 golden model with its vocabulary
grown to the real DeepSeek-V3 tokenizer's 129280 ids, plus that tokenizer, so `whale serve` can turn
text into tokens and back. Output is noise (random weights); the shapes and formats are real.

    python scripts/make_server_model.py OUT_DIR [--tokenizer DIR]

Deterministic (fixed seed). Embeddings and lm_head are written as BF16 (the rest stays F32) to keep
the model ~35 MB; it is generated on demand by the tests rather than committed.
"""
import argparse
import json
import pathlib
import shutil
import struct

import numpy as np
from safetensors.numpy import load_file

ROOT = pathlib.Path(__file__).resolve().parents[1]
BASE = ROOT / "tests" / "golden" / "v3" / "model"
TOKENIZER = ROOT.parent / "shared" / "data" / "tokenizers" / "deepseek-v3"
VOCAB = 129280


def bf16_bytes(array):
    """Round-to-nearest-even f32 -> bf16, as raw little-endian bytes."""
    bits = np.ascontiguousarray(array, dtype=np.float32).view(np.uint32)
    rounded = bits + 0x7FFF + ((bits >> 16) & 1)
    return (rounded >> 16).astype(np.uint16).tobytes()


def write_safetensors(path, tensors):
    """tensors: name -> (dtype string, shape, raw bytes). Written by hand because numpy has no bf16."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(struct.pack("<Q", len(text)))
        out.write(text)
        for blob in blobs:
            out.write(blob)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--tokenizer", type=pathlib.Path, default=TOKENIZER)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(20260524)
    base = load_file(str(BASE / "model.safetensors"))
    tensors = {}
    for name, value in base.items():
        if name in ("model.embed_tokens.weight", "lm_head.weight") or name.endswith("embed_tokens.weight") \
                or name.endswith("shared_head.head.weight"):
            grown = np.concatenate([value, rng.normal(0, 0.02, (VOCAB - value.shape[0], value.shape[1])).astype(np.float32)])
            tensors[name] = ("BF16", grown.shape, bf16_bytes(grown))
        else:
            tensors[name] = ("F32", value.shape, np.ascontiguousarray(value, dtype=np.float32).tobytes())
    write_safetensors(args.out / "model.safetensors", tensors)
    config = json.loads((BASE / "config.json").read_text())
    config["vocab_size"] = VOCAB
    (args.out / "config.json").write_text(json.dumps(config, indent=2))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(args.tokenizer / name, args.out / name)


if __name__ == "__main__":
    main()
