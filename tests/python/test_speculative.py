"""Speculative decoding with the MTP layer through the CLI and the server, on the tiny random V3
models (which carry an MTP layer): greedy output is identical with and without `--speculative mtp`
for several draft lengths, the stats report the acceptance, and models without an MTP layer are
refused with a message saying so. (Random weights accept few drafts; exactness is what is tested.)"""
import re
import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import GOLDEN
from server_fixture import WhaleServer, server_model  # noqa: F401  (fixture)
from test_server_api import client

MODEL = GOLDEN / "v3" / "model"
PROMPTS = ["Tell me about whales.", "1, 2, 3,", "def fib(n):", "The quick brown fox"]


def run_text(run_whale, *extra, temperature=0):
    result = run_whale("run", "-m", MODEL, "-p", "Say something long", "--raw", "-n", 40, "--temp", temperature,
                       *extra, check=True)
    return result.stdout, result.stderr


@pytest.mark.parametrize("draft", [1, 2, 3])
def test_run_greedy_is_identical_with_speculation(run_whale, draft):
    plain, _ = run_text(run_whale)
    speculative, stats = run_text(run_whale, "--speculative", "mtp", "--draft", draft)
    assert speculative == plain
    match = re.search(rf"speculative mtp \(draft {draft}\): acceptance [\d.]+% \((\d+)/(\d+)\), ([\d.]+) tokens per forward",
                      stats)
    assert match, stats
    assert int(match.group(2)) > 0 and int(match.group(1)) <= int(match.group(2))
    assert "tok/s" in stats


def test_run_sampling_with_speculation_is_reproducible(run_whale):
    args = ("--seed", 5, "--speculative", "mtp", "--draft", 2)
    first, second = run_text(run_whale, *args, temperature=0.9)[0], run_text(run_whale, *args, temperature=0.9)[0]
    assert first == second and first != run_text(run_whale)[0]


def test_run_refuses_a_model_without_mtp(run_whale, tmp_path):
    model = tmp_path / "v2"
    shutil.copytree(GOLDEN / "v2" / "model", model)
    for name in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(MODEL / name, model / name)
    result = run_whale("run", "-m", model, "-p", "Hi", "-n", 2, "--speculative", "mtp")
    assert result.returncode != 0
    assert "no multi-token-prediction layer" in result.stderr


def test_draft_needs_speculative(run_whale):
    result = run_whale("run", "-m", MODEL, "-p", "Hi", "--draft", 2)
    assert result.returncode != 0 and "--speculative" in result.stderr


def answers(server, prompts, max_tokens=24):
    def one(prompt):
        reply = client(server).completions.create(model="whale-test", prompt=prompt, max_tokens=max_tokens,
                                                  temperature=0)
        return reply.choices[0].text, reply.usage.completion_tokens
    # Concurrent requests: each running sequence drafts and verifies inside the shared batched step.
    with ThreadPoolExecutor(len(prompts)) as pool:
        return list(pool.map(one, prompts))


def test_server_greedy_is_identical_with_speculation(whale_bin, server_model):  # noqa: F811
    common = ("--parallel", 4, "--ctx", 1024, "--served-model-name", "whale-test")
    plain = WhaleServer(whale_bin, server_model, *common)
    try:
        expected = answers(plain, PROMPTS)
    finally:
        assert plain.stop() == 0, "\n".join(plain.log)
    for draft in (1, 3):
        speculative = WhaleServer(whale_bin, server_model, *common, "--speculative", "mtp", "--draft", draft)
        try:
            assert any("speculative mtp, draft" in line for line in speculative.log)
            assert answers(speculative, PROMPTS) == expected
            # Again, now with the prompts' blocks in the prefix cache (MTP rows reused as cached).
            assert answers(speculative, PROMPTS) == expected
            metrics = speculative.wait_idle()
            assert metrics["whale_speculative_draft_tokens_total"] > 0
            assert 0 <= metrics["whale_speculative_accepted_tokens_total"] <= metrics["whale_speculative_draft_tokens_total"]
        finally:
            assert speculative.stop() == 0, "\n".join(speculative.log)
