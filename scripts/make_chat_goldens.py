#!/usr/bin/env python3
"""Renders the chat-format goldens in tests/golden/chat/<family>/*.json.

Each golden holds an OpenAI-style request ({messages, tools}), the options whale takes
(thinking, reasoning_effort, add_generation_prompt) and the exact prompt text the official
format produces for them. The C++ renderers in src/whale/chat/ must match every prompt byte
for byte.

Oracles:
  v3, r1, v3.1, r1-distill  the Jinja chat templates in tests/data/chat_templates/ (see the
                            README there for where each one comes from), rendered through
                            transformers' render_jinja_template, the function behind
                            apply_chat_template (prefill = continue_final_message=True).
  v3.2                      DeepSeek's reference encoder encoding_dsv32.py (hub repo
                            deepseek-ai/DeepSeek-V3.2, folder encoding/; vLLM carries a copy
                            as vllm/tokenizers/deepseek_v32_encoding.py).
  v4                        DeepSeek's reference encoder encoding_dsv4.py (hub repo
                            deepseek-ai/DeepSeek-V4-Flash, folder encoding/; vLLM carries a
                            copy as vllm/tokenizers/deepseek_v4_encoding.py, which names the
                            reasoning field `reasoning` instead of `reasoning_content`).
  The encoders are not part of this repository: download them yourself and pass their paths.
  The committed goldens were made with encoding_dsv32.py sha256 bfcd079c...f8770a (hub text,
  blank-line tools block) and encoding_dsv4.py sha256 8c472456...e69f73 (hub text with translated
  docstrings; its code equals vLLM's copy at 591f7b5 apart from the reasoning field name).
  They need the `regex` package (pip install regex).

The encoders take no request-level tools and have no generation-prompt or prefill switch, so
this script applies the same conventions whale does (they are whale's rules, not DeepSeek's):
  - request `tools` go on the leading system message (a new empty one is inserted when the
    conversation does not start with one), as vLLM's DeepSeek-V4 tokenizer wrapper does;
  - prefill (final assistant message with "prefix": true) drops that message's EOS
    (v4: the encoder's own `wo_eos` flag);
  - add_generation_prompt=false drops the assistant opener the encoder appends after the
    final user turn (`<｜Assistant｜><think>` or `<｜Assistant｜></think>`), or for v3.2 the
    `\\n\\n<think>` / `\\n\\n</think>` after final tool results.

Usage (from the repository root, with the oracle venv):
  python scripts/make_chat_goldens.py --v32-encoder /tmp/ref/encoding_dsv32.py \\
      --v4-encoder /tmp/ref/encoding_dsv4.py [--out tests/golden/chat]
"""
import argparse
import copy
import importlib.util
import json
import pathlib

from transformers.utils.chat_template_utils import render_jinja_template

BOS = "<｜begin▁of▁sentence｜>"
EOS = "<｜end▁of▁sentence｜>"
ASSISTANT = "<｜Assistant｜>"
REPO = pathlib.Path(__file__).resolve().parent.parent
TEMPLATES = {
    "v3": "deepseek-v3.jinja",
    "r1": "deepseek-r1.jinja",
    "v3.1": "deepseek-v3.1.jinja",
    "r1-distill": "deepseek-r1-distill.jinja",
}

WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name, e.g. Paris"},
                "days": {"type": "integer"},
            },
            "required": ["city"],
        },
    },
}
SEARCH_TOOL = {
    "type": "function",
    "function": {
        "name": "search",
        "description": "Search the web — returns snippets",
        "parameters": {
            "type": "object",
            "properties": {"query": {"type": "string"}, "filters": {"type": "object"}},
        },
    },
}


def call(call_id, name, arguments):
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": json.dumps(arguments, ensure_ascii=False)}}


def conversations():
    """Named requests; every family renders each of them under several option sets."""
    sys_msg = {"role": "system", "content": "You are a helpful assistant"}
    weather_call = call("call_1", "get_weather", {"city": "Paris", "days": 2})
    return {
        "basic": {"messages": [sys_msg, {"role": "user", "content": "Who are you?"}]},
        "no_system": {"messages": [{"role": "user", "content": "1+1=?"}]},
        "two_systems": {"messages": [sys_msg, {"role": "system", "content": "Answer briefly."},
                                     {"role": "user", "content": "Hi"}]},
        "multi_turn": {"messages": [
            sys_msg,
            {"role": "user", "content": "Who are you?"},
            {"role": "assistant", "content": "I am DeepSeek", "reasoning_content": "The user asks who I am."},
            {"role": "user", "content": "1+1=?"}]},
        "inline_think_history": {"messages": [
            {"role": "user", "content": "Pick a number"},
            {"role": "assistant", "content": "<think>\nfirst</think>middle</think>\n\n7"},
            {"role": "user", "content": "Another"}]},
        "unicode_and_newlines": {"messages": [
            {"role": "system", "content": "Réponds en français.\nSois bref."},
            {"role": "user", "content": "Quel temps fait-il à 東京? \"quoted\" \\ back\tslash 🐳"}]},
        "ends_with_assistant": {"messages": [
            sys_msg,
            {"role": "user", "content": "Say hi"},
            {"role": "assistant", "content": "Hi!", "reasoning_content": "Greeting."}]},
        "prefill": {"messages": [
            {"role": "user", "content": "Write quicksort in Python"},
            {"role": "assistant", "content": "```python\n", "prefix": True}]},
        "tool_call": {"tools": [WEATHER_TOOL], "messages": [
            sys_msg,
            {"role": "user", "content": "Weather in Paris?"}]},
        "tool_round_trip": {"tools": [WEATHER_TOOL], "messages": [
            sys_msg,
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": None, "reasoning_content": "Need weather.", "tool_calls": [weather_call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\": 21}"},
            {"role": "assistant", "content": "It is 21°C in Paris.", "reasoning_content": "Got it."},
            {"role": "user", "content": "Thanks"}]},
        "tool_results_pending": {"tools": [WEATHER_TOOL, SEARCH_TOOL], "messages": [
            {"role": "user", "content": "Weather in Paris and news about it"},
            {"role": "assistant", "content": "Let me check.", "reasoning_content": "Two tools.", "tool_calls": [
                weather_call,
                call("call_2", "search", {"query": "Paris news", "filters": {"lang": ["fr", "en"], "recent": True, "max": 3.5}})]},
            {"role": "tool", "tool_call_id": "call_2", "content": "Nothing new."},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"temp_c\": 21}"}]},
        "two_tool_rounds": {"tools": [WEATHER_TOOL], "messages": [
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": None, "reasoning_content": "Call it.", "tool_calls": [weather_call]},
            {"role": "tool", "tool_call_id": "call_1", "content": "sunny"},
            {"role": "assistant", "content": "Sunny.", "reasoning_content": "Done."},
            {"role": "user", "content": "And Rome?"},
            {"role": "assistant", "content": None, "reasoning_content": "Again.",
             "tool_calls": [call("call_9", "get_weather", {"city": "Rome"})]},
            {"role": "tool", "tool_call_id": "call_9", "content": "rainy"}]},
    }


# Which requests each family renders, under which options. Requests the official format cannot
# express are left out (noted beside each list).
DEFAULT = {"thinking": False, "reasoning_effort": None, "add_generation_prompt": True}


def opts(**kw):
    o = dict(DEFAULT)
    o.update(kw)
    return o


NO_GEN = opts(add_generation_prompt=False)
THINK = opts(thinking=True)
THINK_MAX = opts(thinking=True, reasoning_effort="max")

JINJA_PLAN = [
    ("basic", DEFAULT), ("no_system", DEFAULT), ("two_systems", DEFAULT), ("multi_turn", DEFAULT),
    ("inline_think_history", DEFAULT), ("unicode_and_newlines", DEFAULT), ("ends_with_assistant", NO_GEN),
    ("ends_with_assistant", DEFAULT), ("prefill", NO_GEN), ("tool_call", DEFAULT),
    ("tool_round_trip", DEFAULT), ("tool_results_pending", DEFAULT), ("two_tool_rounds", DEFAULT),
    ("multi_turn", NO_GEN),
]
PLANS = {
    "v3": JINJA_PLAN,
    "r1": JINJA_PLAN,
    "r1-distill": JINJA_PLAN,
    "v3.1": JINJA_PLAN + [
        ("basic", THINK), ("multi_turn", THINK), ("inline_think_history", THINK), ("prefill", THINK),
        ("tool_round_trip", THINK)],
    # V3.2's encoder asserts on a thinking-mode assistant turn after the last user message that
    # has neither reasoning nor tool calls, so "prefill" is rendered in chat mode only.
    "v3.2": [
        ("basic", DEFAULT), ("no_system", DEFAULT), ("two_systems", DEFAULT), ("multi_turn", DEFAULT),
        ("multi_turn", THINK), ("unicode_and_newlines", THINK), ("ends_with_assistant", NO_GEN),
        ("ends_with_assistant", THINK), ("prefill", NO_GEN), ("tool_call", DEFAULT), ("tool_call", THINK),
        ("tool_round_trip", DEFAULT), ("tool_round_trip", THINK), ("tool_results_pending", THINK),
        ("tool_results_pending", opts(thinking=True, add_generation_prompt=False)), ("two_tool_rounds", THINK),
        ("multi_turn", opts(thinking=True, add_generation_prompt=False))],
    "v4": [
        ("basic", DEFAULT), ("basic", THINK), ("basic", THINK_MAX), ("no_system", THINK_MAX),
        ("two_systems", DEFAULT), ("multi_turn", DEFAULT), ("multi_turn", THINK), ("multi_turn", THINK_MAX),
        ("unicode_and_newlines", THINK), ("ends_with_assistant", NO_GEN), ("ends_with_assistant", THINK),
        ("prefill", NO_GEN), ("prefill", opts(thinking=True, add_generation_prompt=False)),
        ("tool_call", THINK), ("tool_round_trip", DEFAULT), ("tool_round_trip", THINK),
        ("tool_results_pending", THINK), ("two_tool_rounds", THINK), ("two_tool_rounds", DEFAULT),
        ("multi_turn", opts(thinking=True, add_generation_prompt=False))],
}


def render_jinja(family, request, options):
    template = (REPO / "tests/data/chat_templates" / TEMPLATES[family]).read_text()
    messages = copy.deepcopy(request["messages"])
    prefill = bool(messages and messages[-1].get("prefix"))
    rendered, _ = render_jinja_template(
        conversations=[messages], tools=request.get("tools"), chat_template=template,
        add_generation_prompt=options["add_generation_prompt"] and not prefill,
        continue_final_message=prefill, bos_token=BOS, eos_token=EOS, thinking=options["thinking"])
    return rendered[0]


def with_request_tools(request):
    messages = copy.deepcopy(request["messages"])
    for m in messages:
        m.pop("prefix", None)
    if request.get("tools"):
        if messages and messages[0]["role"] == "system":
            messages[0]["tools"] = request["tools"]
        else:
            messages.insert(0, {"role": "system", "content": "", "tools": request["tools"]})
    return messages


def strip_suffix(prompt, suffixes):
    for s in suffixes:
        if prompt.endswith(s):
            return prompt[: -len(s)]
    raise AssertionError(f"prompt does not end with any of {suffixes!r}: {prompt[-80:]!r}")


def render_v32(encoder, request, options):
    messages = with_request_tools(request)
    prefill = bool(request["messages"][-1].get("prefix"))
    mode = "thinking" if options["thinking"] else "chat"
    prompt = encoder.encode_messages(messages, thinking_mode=mode)
    if prefill:
        return strip_suffix(prompt, [EOS])
    if not options["add_generation_prompt"]:
        if messages[-1]["role"] == "user":
            return strip_suffix(prompt, [ASSISTANT + "<think>", ASSISTANT + "</think>"])
        if messages[-1]["role"] == "tool":
            return strip_suffix(prompt, ["\n\n<think>", "\n\n</think>"])
    return prompt


def render_v4(encoder, request, options):
    messages = with_request_tools(request)
    if request["messages"][-1].get("prefix"):
        messages[-1]["wo_eos"] = True
    mode = "thinking" if options["thinking"] else "chat"
    prompt = encoder.encode_messages(messages, thinking_mode=mode, reasoning_effort=options["reasoning_effort"])
    if not options["add_generation_prompt"] and messages[-1]["role"] in ("user", "tool"):
        return strip_suffix(prompt, [ASSISTANT + "<think>", ASSISTANT + "</think>"])
    return prompt


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def option_suffix(options):
    parts = []
    if options["thinking"]:
        parts.append("think")
    if options["reasoning_effort"]:
        parts.append(options["reasoning_effort"])
    if not options["add_generation_prompt"]:
        parts.append("nogen")
    return "" if not parts else "_" + "_".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--v32-encoder", required=True, help="path to encoding_dsv32.py")
    parser.add_argument("--v4-encoder", required=True, help="path to encoding_dsv4.py")
    parser.add_argument("--out", default=str(REPO / "tests/golden/chat"))
    args = parser.parse_args()

    encoders = {"v3.2": load_module(args.v32_encoder, "encoding_dsv32"), "v4": load_module(args.v4_encoder, "encoding_dsv4")}
    sources = {f: f"tests/data/chat_templates/{t} via transformers render_jinja_template" for f, t in TEMPLATES.items()}
    sources["v3.2"] = "encoding_dsv32.py (DeepSeek reference encoder)"
    sources["v4"] = "encoding_dsv4.py (DeepSeek reference encoder)"
    requests = conversations()
    for family, plan in PLANS.items():
        out_dir = pathlib.Path(args.out) / family
        out_dir.mkdir(parents=True, exist_ok=True)
        for old in out_dir.glob("*.json"):
            old.unlink()
        for name, options in plan:
            request = requests[name]
            if family in TEMPLATES:
                prompt = render_jinja(family, request, options)
            elif family == "v3.2":
                prompt = render_v32(encoders[family], request, options)
            else:
                prompt = render_v4(encoders[family], request, options)
            golden = {"family": family, "name": name + option_suffix(options), "source": sources[family],
                      "request": request, "options": options, "prompt": prompt}
            path = out_dir / f"{golden['name']}.json"
            path.write_text(json.dumps(golden, ensure_ascii=False, indent=1) + "\n")
        print(f"{family}: {len(plan)} goldens in {out_dir}")


if __name__ == "__main__":
    main()
