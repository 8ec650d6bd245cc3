"""Text in, text out on the tiny V3 model (random weights, tiny trained tokenizer, V3.1 template):
whale run (chat and raw), reasoning marking, whale chat with multi-turn cache reuse."""
import json
import subprocess

from conftest import GOLDEN

MODEL = GOLDEN / "v3" / "model"
THINK_END = 6  # id of </think> in the tiny tokenizer


def test_run_thinking_streams_marked_reasoning(run_whale):
    result = run_whale("run", "-m", MODEL, "-p", "What is the weather?", "--think", "-n", 12, "--temp", 0, check=True)
    assert result.stdout.startswith("── thinking ──\n")
    assert "generated 12 tokens (12 reasoning)" in result.stderr
    assert "format v3.1" in result.stderr and "finish: length" in result.stderr


def test_run_separates_reasoning_from_the_answer(run_whale):
    # Forcing </think> makes the model close its reasoning; what follows is the answer.
    result = run_whale("run", "-m", MODEL, "-p", "Hi", "--think", "-n", 4, "--temp", 0,
                       "--logit-bias", f"{THINK_END}=100", check=True)
    assert "── thinking ──" not in result.stdout  # nothing was reasoned before the tag
    assert result.stdout.strip() == "</think>" * 3  # later tags are plain answer text


def test_run_without_thinking_answers_directly(run_whale):
    result = run_whale("run", "-m", MODEL, "-p", "Hi", "--no-think", "-n", 8, "--temp", 0, check=True)
    assert "── thinking ──" not in result.stdout
    assert "(0 reasoning)" in result.stderr


def test_run_raw_completion_equals_generate_on_the_same_ids(run_whale):
    ids = json.loads(run_whale("tokenize", "-m", MODEL, stdin="The whale swims", check=True).stdout)
    generated = run_whale("generate", "-m", MODEL, "--tokens", ",".join(map(str, ids)), "-n", 6, "--temp", 0,
                          "--ignore-eos", check=True).stdout.strip()
    text = run_whale("detokenize", "-m", MODEL, stdin=json.dumps([int(t) for t in generated.split(",")]),
                     check=True).stdout
    raw = run_whale("run", "-m", MODEL, "-p", "The whale swims", "--raw", "-n", 6, "--temp", 0, check=True)
    assert raw.stdout.rstrip("\n") == text


def test_run_same_seed_same_text(run_whale):
    args = ("run", "-m", MODEL, "-p", "Tell me", "--no-think", "-n", 10, "--temp", 0.8, "--seed", 7)
    assert run_whale(*args, check=True).stdout == run_whale(*args, check=True).stdout


def test_run_rejects_bad_input(run_whale, whale_bin):
    unknown = run_whale("run", "-m", MODEL, "-p", "x", "--chat-format", "v9")
    assert unknown.returncode == 1 and "v3.1" in unknown.stderr  # lists the valid formats
    assert run_whale("run", "-m", MODEL, "--raw", stdin="").returncode == 1  # no prompt at all
    for mode in (["--raw"], ["--no-think"]):
        result = subprocess.run([whale_bin, "run", "-m", str(MODEL), *mode], input=b"ok \xff\xfe then", capture_output=True)
        assert result.returncode == 1, result.stderr
        assert b"UTF-8" in result.stderr and result.stderr.count(b"\n") == 1


def test_chat_keeps_history_and_reuses_the_cache(run_whale, tmp_path):
    save = tmp_path / "conversation.json"
    script = f"Hello whale\n/think on\nWhat now?\n/save {save}\n/quit\n"
    result = run_whale("chat", "-m", MODEL, "-n", 5, "--temp", 0, stdin=script, check=True)
    assert "reasoning on" in result.stdout and "── thinking ──" in result.stdout
    reused = [int(line.split(", ")[2].split()[0]) for line in result.stderr.splitlines() if "reused" in line]
    assert reused[0] == 0 and reused[1] > 0  # the second turn starts from the first turn's cache
    conversation = json.loads(save.read_text())["messages"]
    assert [m["role"] for m in conversation] == ["user", "assistant", "user", "assistant"]
    assert "reasoning_content" in conversation[3]
