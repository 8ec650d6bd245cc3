#!/usr/bin/env python3
"""Draws "KV cache per sequence across DeepSeek generations (60 layers, 128 heads, d_head 128, fp16)"
from `whale kv --preset chart --dtype fp16 --json` into docs/kv_chart.svg and docs/kv_cache.md.
Needs matplotlib (in the oracle venv: .venv-oracle/bin/pip install matplotlib)."""
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
LABELS = {"mha": "MHA (K+V per head)", "mla": "MLA (V2/V3)", "mla+indexer": "MLA + indexer keys (V3.2)",
          "v4": "V4 (window + CSA 4x / HCA 128x)"}


def main():
    whale = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "app", "whale")
    data = json.loads(subprocess.check_output([whale, "kv", "--preset", "chart", "--dtype", "fp16", "--json",
                                               "--ctx", "4K,32K,128K,1M"]))
    contexts = [int(c) for c in data["schemes"][0]["bytes_per_sequence"]]
    names = {4096: "4K", 32768: "32K", 131072: "128K", 1048576: "1M"}
    fig, ax = plt.subplots(figsize=(8, 4.5))
    width = 0.2
    for i, scheme in enumerate(data["schemes"]):
        values = [scheme["bytes_per_sequence"][str(c)] / 1e9 for c in contexts]
        ax.bar([x + (i - 1.5) * width for x in range(len(contexts))], values, width, label=LABELS[scheme["scheme"]])
    ax.set_yscale("log")
    ax.set_xticks(range(len(contexts)), [names[c] for c in contexts])
    ax.set_xlabel("tokens in the sequence")
    ax.set_ylabel("KV cache per sequence (GB, log scale)")
    ax.set_title("KV cache per sequence across DeepSeek generations\n(60 layers, 128 heads, d_head 128, fp16)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(ROOT, "docs", "kv_chart.svg"))

    lines = ["# KV cache per sequence across DeepSeek generations", "",
             "60 layers, 128 heads, d_head 128, fp16 (V3.2 index keys e4m3 + scale as the reference caches them;",
             "V4 with alternating CSA/HCA layers and a 128-token window). Made by `scripts/plot_kv_chart.py` from",
             "`whale kv --preset chart --dtype fp16 --json`; chart: [kv_chart.svg](kv_chart.svg).", "",
             "| scheme | bytes / token | " + " | ".join(names[c] for c in contexts) + " |",
             "|---|---|" + "---|" * len(contexts)]
    for scheme in data["schemes"]:
        cells = [f"{scheme['bytes_per_sequence'][str(c)] / 1e9:,.2f} GB" for c in contexts]
        lines.append(f"| {LABELS[scheme['scheme']]} | {scheme['bytes_per_token']:,.0f} | " + " | ".join(cells) + " |")
    # Only the chart section is generated: the sections after it (from the first "## ") are kept.
    path = os.path.join(ROOT, "docs", "kv_cache.md")
    rest = ""
    if os.path.exists(path):
        text = open(path).read()
        at = text.find("\n## ")
        rest = text[at:] if at >= 0 else ""
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n" + rest)


if __name__ == "__main__":
    main()
