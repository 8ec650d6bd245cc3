"""`whale serve` through the official OpenAI and Anthropic Python SDKs on loopback, against the tiny
random-weight model (its text is noise; the structure around it is what is checked): streaming and
not, reasoning separated from content, usage that adds up, prefix-cache hits on a second turn,
disconnects, and API-shaped errors for bad input."""
import json
import threading
import time
import urllib.error
import urllib.request

import anthropic
import openai
import pytest

from server_fixture import WhaleServer, server, server_model  # noqa: F401  (fixtures)


def client(server, **kwargs):
    return openai.OpenAI(base_url=server.url + "/v1", api_key=kwargs.pop("api_key", "none"), max_retries=0, **kwargs)


def post_raw(url, body, headers=None):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_health_and_models(server):
    assert json.loads(urllib.request.urlopen(server.url + "/health").read()) == {"status": "ok"}
    models = client(server).models.list()
    assert [m.id for m in models.data] == ["whale-test"]


def test_chat_completion_usage_adds_up(server):
    response = client(server).chat.completions.create(
        model="whale-test", messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hello!"}],
        max_tokens=12, temperature=0, seed=7)
    choice = response.choices[0]
    assert choice.message.role == "assistant"
    assert choice.finish_reason in ("length", "stop")
    usage = response.usage
    assert usage.completion_tokens == 12 or choice.finish_reason == "stop"
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
    extra = usage.model_extra
    assert extra["prompt_cache_hit_tokens"] + extra["prompt_cache_miss_tokens"] == usage.prompt_tokens
    assert usage.prompt_tokens_details.cached_tokens == extra["prompt_cache_hit_tokens"]


def test_greedy_is_deterministic_and_streaming_matches(server):
    args = dict(model="whale-test", messages=[{"role": "user", "content": "Count to three."}], max_tokens=10,
                temperature=0)
    whole = client(server).chat.completions.create(**args)
    chunks = list(client(server).chat.completions.create(**args, stream=True, stream_options={"include_usage": True}))
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert streamed == whole.choices[0].message.content
    assert chunks[0].choices[0].delta.role == "assistant"
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finals) == 1
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == whole.usage.completion_tokens
    assert all(c.usage is None for c in chunks[:-1])


def test_thinking_on_separates_reasoning_and_off_has_none(server):
    on = client(server).chat.completions.create(
        model="whale-test", messages=[{"role": "user", "content": "Think first."}], max_tokens=16, seed=3,
        extra_body={"thinking": {"type": "enabled"}})
    message = on.choices[0].message
    reasoning = message.model_extra.get("reasoning_content")
    assert reasoning, "V3.1 thinking prompt opens <think>; random output stays reasoning"
    assert on.usage.completion_tokens_details.reasoning_tokens > 0
    off = client(server).chat.completions.create(
        model="whale-test", messages=[{"role": "user", "content": "Think first."}], max_tokens=16,
        extra_body={"thinking": {"type": "disabled"}})
    assert not off.choices[0].message.model_extra.get("reasoning_content")
    assert off.usage.completion_tokens_details.reasoning_tokens == 0

    stream = client(server).chat.completions.create(
        model="whale-test", messages=[{"role": "user", "content": "Think first."}], max_tokens=16, stream=True, seed=3,
        extra_body={"thinking": {"type": "enabled"}})
    pieces = [c.choices[0].delta.model_extra.get("reasoning_content") for c in stream if c.choices]
    assert "".join(p for p in pieces if p) == reasoning


def test_second_turn_hits_the_prefix_cache(server):
    c = client(server)
    history = [{"role": "user", "content": "Tell me a long story about a whale and the sea. " * 4}]
    # A JSON answer is printable ASCII: random tokens could split UTF-8, and the replacement
    # characters the API must then send are not what the model generated.
    first = c.chat.completions.create(model="whale-test", messages=history, max_tokens=24, temperature=0,
                                      response_format={"type": "json_object"})
    assert isinstance(json.loads(first.choices[0].message.content), dict)
    history += [{"role": "assistant", "content": first.choices[0].message.content},
                {"role": "user", "content": "And then?"}]
    second = c.chat.completions.create(model="whale-test", messages=history, max_tokens=4, temperature=0)
    hit = second.usage.model_extra["prompt_cache_hit_tokens"]
    # The whole first turn (prompt + answer) up to the last full 16-token block is reused.
    assert hit >= first.usage.prompt_tokens + first.usage.completion_tokens - 16, (hit, first.usage)
    assert second.usage.prompt_tokens_details.cached_tokens == hit
    assert server.metrics()["whale_prefix_cache_hit_ratio"] > 0


def test_disconnect_mid_stream_frees_the_sequence(server):
    baseline = server.wait_idle()
    stream = client(server).chat.completions.create(
        model="whale-test", messages=[{"role": "user", "content": "Go on forever."}], max_tokens=1500, stream=True)
    for i, _ in enumerate(stream):
        if i == 5:
            break
    stream.close()
    after = server.wait_idle()
    assert after["whale_running_sequences"] == 0
    log = "\n".join(server.log)
    assert " 499 " in log, "a client that left mid-stream is logged as 499"
    assert after["whale_cache_blocks_used"] == after["whale_prefix_cache_blocks"], "only the prefix cache holds blocks"


def test_anthropic_messages_whole_and_streamed(server):
    c = anthropic.Anthropic(base_url=server.url, api_key="none", max_retries=0)
    message = c.messages.create(model="whale-test", max_tokens=10, system="Be brief.",
                                messages=[{"role": "user", "content": "Hi"}])
    assert message.role == "assistant" and message.stop_reason in ("max_tokens", "end_turn")
    assert message.usage.output_tokens == 10 or message.stop_reason == "end_turn"
    with c.messages.stream(model="whale-test", max_tokens=12, messages=[{"role": "user", "content": "Hi"}],
                           thinking={"type": "enabled", "budget_tokens": 1024}) as stream:
        events = [e.type for e in stream]
        final = stream.get_final_message()
    assert events[0] == "message_start" and events[-1] == "message_stop"
    assert "content_block_start" in events and "message_delta" in events
    assert final.content[0].type == "thinking" and final.content[0].thinking
    count = c.messages.count_tokens(model="whale-test", messages=[{"role": "user", "content": "Hi"}])
    assert count.input_tokens > 0


def test_tool_result_round_trip_renders_and_answers(server):
    messages = [{"role": "user", "content": "Weather in Paris?"},
                {"role": "assistant", "content": None,
                 "tool_calls": [{"id": "call_1", "type": "function",
                                 "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\": 21}"}]
    tools = [{"type": "function", "function": {"name": "get_weather", "parameters": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    response = client(server).chat.completions.create(model="whale-test", messages=messages, tools=tools, max_tokens=5)
    assert response.usage.prompt_tokens > 20


@pytest.mark.parametrize("body, status, fragment", [
    (b"{not json", 400, "not valid JSON"),
    ({"model": "m", "messages": "hello"}, 400, "messages"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": "ten"}, 400, "max_tokens"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "temperature": 7}, 400, "temperature"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "frobnicate": 1}, 400, "frobnicate"),
    ({"model": "m", "messages": [{"role": "wizard", "content": "x"}]}, 400, "role"),
    ({"model": "m", "messages": [{"role": "user", "content": "x " * 3000}]}, 400, "context length"),
    ({"model": "m", "messages": [{"role": "user", "content": "x"}], "tool_choice": "sometimes"}, 400, "tool_choice"),
])
def test_bad_chat_requests_get_openai_errors(server, body, status, fragment):
    code, error = post_raw(server.url + "/v1/chat/completions", body)
    assert code == status
    assert fragment in error["error"]["message"] and error["error"]["type"] == "invalid_request_error"


def test_body_over_the_limit_is_413(server):
    code, error = post_raw(server.url + "/v1/chat/completions",
                           {"model": "m", "messages": [{"role": "user", "content": "x" * 300000}]})
    assert code == 413 and "error" in error


def test_bad_anthropic_request_gets_anthropic_error(server):
    c = anthropic.Anthropic(base_url=server.url, api_key="none", max_retries=0)
    with pytest.raises(anthropic.BadRequestError) as caught:
        c.messages.create(model="whale-test", max_tokens=5, messages=[{"role": "robot", "content": "Hi"}])
    assert caught.value.body["type"] == "error" and caught.value.body["error"]["type"] == "invalid_request_error"


def test_server_keeps_serving_after_errors(server):
    post_raw(server.url + "/v1/chat/completions", b"garbage")
    response = client(server).chat.completions.create(model="whale-test", messages=[{"role": "user", "content": "ok?"}],
                                                      max_tokens=2)
    assert response.usage.completion_tokens <= 2
    assert server.metrics()['whale_requests_total{status="400"}'] >= 1


def test_api_key_is_required_when_set(whale_bin, server_model, tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("sekret\n")
    s = WhaleServer(whale_bin, server_model, "--api-key-file", key_file, "--chat-format", "v3")
    try:
        with pytest.raises(openai.AuthenticationError):
            client(s, api_key="wrong").models.list()
        assert client(s, api_key="sekret").models.list().data
        c = anthropic.Anthropic(base_url=s.url, api_key="wrong", max_retries=0)
        with pytest.raises(anthropic.AuthenticationError) as caught:
            c.messages.create(model="m", max_tokens=2, messages=[{"role": "user", "content": "Hi"}])
        assert caught.value.body["error"]["type"] == "authentication_error"
        ok = anthropic.Anthropic(base_url=s.url, api_key="sekret", max_retries=0)
        assert ok.messages.create(model="m", max_tokens=2, messages=[{"role": "user", "content": "Hi"}]).content is not None
    finally:
        assert s.stop() == 0


def test_load_many_concurrent_streams_complete_and_blocks_return(whale_bin, server_model):
    s = WhaleServer(whale_bin, server_model, "--parallel", 4, "--ctx", 1024, "--cache-tokens", 2048, "--chat-format", "v3")
    try:
        baseline = s.wait_idle()
        errors, finished = [], []
        stop_at = time.time() + 8

        def worker(i):
            c = client(s)
            while time.time() < stop_at:
                try:
                    stream = c.chat.completions.create(
                        model="m", messages=[{"role": "user", "content": f"client {i} says hello {time.time()}"}],
                        max_tokens=24, stream=True, temperature=1.0)
                    reasons = [ch.choices[0].finish_reason for ch in stream if ch.choices and ch.choices[0].finish_reason]
                    assert reasons in (["length"], ["stop"]), reasons
                    finished.append(i)
                except Exception as e:  # noqa: BLE001 - every failure is collected and reported
                    errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(10)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not errors, errors[:3]
        assert len(finished) >= 10
        after = s.wait_idle()
        # Every block not free is held by the prefix cache alone: no sequence leaked its blocks.
        assert after["whale_cache_blocks_used"] == after["whale_prefix_cache_blocks"]
        assert baseline["whale_cache_blocks_used"] == baseline["whale_prefix_cache_blocks"] == 0
        assert after["whale_running_sequences"] == 0
    finally:
        assert s.stop() == 0, "\n".join(s.log[-30:])
