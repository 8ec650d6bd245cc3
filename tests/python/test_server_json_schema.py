"""JSON Schema constrained output through the OpenAI SDK, on the random-weight test model: with
`response_format: json_schema` the answer parses and validates against the schema (checked with the
`jsonschema` package), a forced tool call's arguments validate against the tool's `parameters`, and
schema keywords the server cannot enforce get a 400 naming them."""
import json

import jsonschema
import pytest

from server_fixture import WhaleServer, server, server_model  # noqa: F401  (fixtures)
from test_server_api import client, post_raw

SCHEMA = {
    "type": "object",
    "properties": {
        "city": {"type": "string", "maxLength": 12},
        "population": {"type": "integer"},
        "area": {"type": "number"},
        "coastal": {"type": "boolean"},
        "mayor": {"type": ["string", "null"]},
        "kind": {"enum": ["town", "city", 3]},
        "districts": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}},
                                                 "required": ["name"], "additionalProperties": False},
                      "minItems": 1, "maxItems": 3},
        "nothing": {"type": "null"},
    },
    "required": ["city", "population", "area", "coastal", "mayor", "kind", "districts", "nothing"],
    "additionalProperties": False,
}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_json_schema_output_validates(server, seed):
    response = client(server).chat.completions.create(
        model="whale-test", messages=[{"role": "user", "content": "Describe a city as JSON."}], max_tokens=120,
        seed=seed, temperature=1.0,
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": SCHEMA, "strict": True}})
    value = json.loads(response.choices[0].message.content)
    jsonschema.validate(value, SCHEMA)
    assert response.choices[0].finish_reason == "stop"


def test_json_schema_streamed_output_validates(server):
    chunks = client(server).chat.completions.create(
        model="whale-test", messages=[{"role": "user", "content": "JSON please."}], max_tokens=120, seed=9,
        response_format={"type": "json_schema", "json_schema": {"name": "city", "schema": SCHEMA}}, stream=True)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    jsonschema.validate(json.loads(text), SCHEMA)


def test_forced_tool_call_arguments_follow_the_parameters(server):
    parameters = {"type": "object", "properties": {"location": {"type": "string"},
                                                   "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                                                   "days": {"type": "integer"}},
                  "required": ["location", "unit"]}
    tools = [{"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": parameters}}]
    for choice in ("required", {"type": "function", "function": {"name": "get_weather"}}):
        response = client(server).chat.completions.create(
            model="whale-test", messages=[{"role": "user", "content": "Weather in Paris?"}], max_tokens=60, seed=4,
            tools=tools, tool_choice=choice)
        calls = response.choices[0].message.tool_calls
        assert response.choices[0].finish_reason == "tool_calls" and len(calls) == 1
        assert calls[0].function.name == "get_weather"
        jsonschema.validate(json.loads(calls[0].function.arguments), parameters)


@pytest.mark.parametrize("schema, fragment", [
    ({"type": "object", "properties": {"n": {"type": "number", "minimum": 0}}}, "minimum"),
    ({"type": "object", "properties": {"n": {"$ref": "#/$defs/x"}}}, "$ref"),
    ({"type": "array"}, "root"),
    ({"type": "object", "required": ["ghost"]}, "ghost"),
])
def test_unsupported_schemas_are_a_clear_400(server, schema, fragment):
    code, error = post_raw(server.url + "/v1/chat/completions", {
        "model": "m", "messages": [{"role": "user", "content": "x"}],
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema}}})
    assert code == 400 and fragment in error["error"]["message"] and error["error"]["param"] == "response_format"


def test_too_few_tokens_for_the_schema_is_a_400(server):
    code, error = post_raw(server.url + "/v1/chat/completions", {
        "model": "m", "messages": [{"role": "user", "content": "x"}], "max_tokens": 10,
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": SCHEMA}}})
    assert code == 400 and "max_tokens" in error["error"]["message"]
