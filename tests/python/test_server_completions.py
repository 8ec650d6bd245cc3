"""`whale serve`'s POST /v1/completions through the official OpenAI SDK on loopback, against the tiny
random-weight model: whole and streamed answers agree, usage adds up, stop strings and logprobs, a
prompt is plain text (marker strings in it are not control tokens), `suffix` frames the prompt with
the FIM tokens, and bad input gets OpenAI-shaped 400s."""
import json
import pathlib
import shutil

import openai
import pytest

from server_fixture import WhaleServer, server, server_model  # noqa: F401  (fixtures)
from test_server_api import client, post_raw

FIM_BEGIN = "<｜fim▁begin｜>"


def complete(server, **kwargs):
    return client(server).completions.create(model="whale-test", **kwargs)


def test_completion_whole_and_streamed_agree(server):
    args = dict(prompt="def fib(n):", max_tokens=8, temperature=0, seed=1)
    whole = complete(server, **args)
    assert whole.object == "text_completion"
    choice = whole.choices[0]
    assert choice.finish_reason in ("length", "stop")
    assert whole.usage.total_tokens == whole.usage.prompt_tokens + whole.usage.completion_tokens
    chunks = list(complete(server, **args, stream=True, stream_options={"include_usage": True}))
    assert "".join(c.choices[0].text for c in chunks if c.choices) == choice.text
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finals) == 1 and finals[0].choices[0].finish_reason == choice.finish_reason
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == whole.usage.completion_tokens


def test_prompt_forms_and_marker_text_stays_plain(server):
    as_text = complete(server, prompt=FIM_BEGIN, max_tokens=1)
    as_list = complete(server, prompt=[FIM_BEGIN], max_tokens=1)
    as_ids = complete(server, prompt=[128801], max_tokens=1)
    # Untrusted text: the marker's characters are tokenized as text, only the id form is the marker.
    assert as_text.usage.prompt_tokens == as_list.usage.prompt_tokens > 1
    assert as_ids.usage.prompt_tokens == 1


def test_suffix_frames_the_prompt_with_fim_tokens(server):
    prefix, suffix = "def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n"
    plain_prefix = complete(server, prompt=prefix, max_tokens=1).usage.prompt_tokens
    plain_suffix = complete(server, prompt=suffix, max_tokens=1).usage.prompt_tokens
    fim = complete(server, prompt=prefix, suffix=suffix, max_tokens=6, temperature=0)
    assert fim.usage.prompt_tokens == plain_prefix + plain_suffix + 3  # begin, hole, end
    assert fim.choices[0].finish_reason in ("length", "stop")


def test_stop_and_logprobs(server):
    whole = complete(server, prompt="Once upon a time", max_tokens=12, temperature=0, logprobs=2)
    lp = whole.choices[0].logprobs
    assert len(lp.tokens) == len(lp.token_logprobs) == len(lp.top_logprobs) == whole.usage.completion_tokens
    assert all(v <= 0 for v in lp.token_logprobs) and all(len(top) <= 2 for top in lp.top_logprobs)
    text = whole.choices[0].text
    if len(text) >= 4:  # stop on a piece of the greedy answer: it ends there, the stop string excluded
        stop = text[2:4]
        stopped = complete(server, prompt="Once upon a time", max_tokens=12, temperature=0, stop=[stop])
        assert stopped.choices[0].finish_reason == "stop"
        assert stopped.choices[0].text == text[:text.index(stop)]


@pytest.mark.parametrize("body, fragment", [
    ({"model": "m"}, "prompt"),
    ({"model": "m", "prompt": ["a", "b"]}, "prompt"),
    ({"model": "m", "prompt": [1, -5]}, "prompt"),
    ({"model": "m", "prompt": "x", "echo": True}, "echo"),
    ({"model": "m", "prompt": "x", "logprobs": 9}, "logprobs"),
    ({"model": "m", "prompt": "x", "n": 2}, "n"),
    ({"model": "m", "prompt": "x", "suffix": 3}, "suffix"),
    ({"model": "m", "prompt": "x " * 3000}, "context length"),
])
def test_bad_completion_requests_get_openai_errors(server, body, fragment):
    code, error = post_raw(server.url + "/v1/completions", body)
    assert code == 400
    assert fragment in error["error"]["message"] and error["error"]["type"] == "invalid_request_error"


def test_sdk_raises_bad_request(server):
    with pytest.raises(openai.BadRequestError):
        complete(server, prompt="x", echo=True)


def test_suffix_without_fim_tokens_is_a_clear_400(whale_bin, server_model, tmp_path):
    model = tmp_path / "no_fim"
    shutil.copytree(server_model, model)
    tokenizer = json.loads((model / "tokenizer.json").read_text())
    for token in tokenizer["added_tokens"]:  # renamed, not removed: the ids must stay contiguous
        token["content"] = token["content"].replace("fim", "mif")
    (model / "tokenizer.json").write_text(json.dumps(tokenizer))
    s = WhaleServer(whale_bin, model, "--parallel", 1, "--ctx", 512, "--served-model-name", "whale-test")
    try:
        code, error = post_raw(s.url + "/v1/completions", {"model": "m", "prompt": "a", "suffix": "b"})
        assert code == 400 and "fill-in-the-middle" in error["error"]["message"] and error["error"]["param"] == "suffix"
        assert complete(s, prompt="still fine", max_tokens=2).usage.completion_tokens <= 2
    finally:
        assert s.stop() == 0, "\n".join(s.log)
