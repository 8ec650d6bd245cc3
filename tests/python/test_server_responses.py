"""`whale serve`'s POST /v1/responses (the OpenAI Responses subset coding agents use) through the
official OpenAI SDK, on the random-weight test model: string and item input, instructions, whole
and streamed responses that agree, a forced function call whose arguments follow the tool's schema
and arrive as argument deltas, a full agent round trip (function_call + function_call_output +
reasoning items replayed), and 400s for what is not served."""
import json

import jsonschema
import pytest

from server_fixture import WhaleServer, server, server_model  # noqa: F401  (fixtures)
from test_server_api import client, post_raw

TOOL = {"type": "function", "name": "read_file", "description": "Read a file",
        "parameters": {"type": "object", "properties": {"path": {"type": "string"}}, "required": ["path"],
                       "additionalProperties": False}}


def test_string_input_whole_and_streamed_agree(server):
    args = dict(model="whale-test", input="Say hi.", instructions="Be brief.", max_output_tokens=10, temperature=0)
    whole = client(server).responses.create(**args)
    assert whole.object == "response" and whole.status in ("completed", "incomplete")
    assert whole.usage.total_tokens == whole.usage.input_tokens + whole.usage.output_tokens
    events = list(client(server).responses.create(**args, stream=True))
    types = [e.type for e in events]
    assert types[0] == "response.created" and types[-1] in ("response.completed", "response.incomplete")
    assert [e.sequence_number for e in events] == list(range(len(events)))
    streamed = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert streamed == whole.output_text
    assert events[-1].response.output_text == whole.output_text
    assert events[-1].response.usage.output_tokens == whole.usage.output_tokens


def test_forced_function_call_streams_argument_deltas(server):
    for stream in (False, True):
        result = client(server).responses.create(model="whale-test", input="Open README.md", tools=[TOOL],
                                                 tool_choice="required", max_output_tokens=40, stream=stream)
        if stream:
            events = list(result)
            deltas = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
            assert any(e.type == "response.output_item.added" and e.item.type == "function_call" for e in events)
            assert events[-1].type == "response.completed"
            result = events[-1].response
            assert deltas == [i for i in result.output if i.type == "function_call"][0].arguments
        calls = [i for i in result.output if i.type == "function_call"]
        assert len(calls) == 1 and calls[0].name == "read_file" and calls[0].call_id
        jsonschema.validate(json.loads(calls[0].arguments), TOOL["parameters"])


def test_agent_round_trip_with_items(server):
    input_items = [
        {"role": "developer", "content": "You are a coding agent."},
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "What is in a.txt?"}]},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "I should read it."}]},
        {"type": "function_call", "call_id": "call_1", "name": "read_file", "arguments": '{"path":"a.txt"}'},
        {"type": "function_call_output", "call_id": "call_1", "output": "hello"},
    ]
    response = client(server).responses.create(model="whale-test", input=input_items, tools=[TOOL], max_output_tokens=8,
                                               reasoning={"effort": "minimal"})
    assert response.status in ("completed", "incomplete") and response.usage.input_tokens > 20


@pytest.mark.parametrize("body, fragment", [
    ({"model": "m"}, "input"),
    ({"model": "m", "input": [{"type": "web_search_call"}]}, "web_search_call"),
    ({"model": "m", "input": "x", "previous_response_id": "resp_1"}, "previous_response_id"),
    ({"model": "m", "input": "x", "tools": [{"type": "web_search"}]}, "function tools"),
    ({"model": "m", "input": [{"type": "function_call_output", "output": "x"}]}, "call_id"),
])
def test_bad_responses_requests_get_openai_errors(server, body, fragment):
    code, error = post_raw(server.url + "/v1/responses", body)
    assert code == 400 and fragment in error["error"]["message"], error
