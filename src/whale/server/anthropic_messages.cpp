#include "whale/server/anthropic_messages.h"

#include <ctime>

#include "whale/chat/chat_request.h"
#include "whale/core/error.h"
#include "whale/server/api_error.h"
#include "whale/server/chat_submit.h"
#include "whale/server/server_turn.h"
#include "whale/server/request_fields.h"
#include "whale/server/sse_stream.h"

namespace whale::server {

namespace {

struct MessagesCall {
    ChatRequest chat;
    ChatOptions options;
    GenerationRequest generation;
    std::vector<std::string> stops;
    bool stream = false;
    std::string model;
};

std::string text_of_blocks(const Json& content, const std::string& where) {
    if (content.is_string()) return content.get<std::string>();
    if (!content.is_array()) throw ApiError(400, where + ": content must be a string or an array of content blocks");
    std::string text;
    for (const auto& block : content) {
        if (!block.is_object() || block.value("type", "") != "text" || !block.contains("text") || !block["text"].is_string())
            throw ApiError(400, where + ": only text blocks are supported here");
        text += block["text"].get<std::string>();
    }
    return text;
}

// Anthropic messages -> the OpenAI-shaped messages the chat renderers take.
Json openai_messages(const Json& body) {
    Json messages = Json::array();
    if (auto it = body.find("system"); it != body.end() && !it->is_null())
        messages.push_back({{"role", "system"}, {"content", text_of_blocks(*it, "system")}});
    const Json& input = required_field(body, "messages");
    if (!input.is_array() || input.empty()) throw ApiError(400, "messages: must be a non-empty array", "messages");
    for (size_t i = 0; i < input.size(); ++i) {
        const Json& message = input[i];
        const std::string where = "messages." + std::to_string(i);
        const std::string role = message.is_object() ? message.value("role", "") : "";
        if (role != "user" && role != "assistant") throw ApiError(400, where + ".role: must be \"user\" or \"assistant\"");
        if (!message.contains("content")) throw ApiError(400, where + ".content: Field required");
        const Json& content = message["content"];
        if (content.is_string()) {
            messages.push_back({{"role", role}, {"content", content}});
            continue;
        }
        if (!content.is_array()) throw ApiError(400, where + ".content: must be a string or an array of content blocks");
        std::string text, thinking;
        Json tool_calls = Json::array();
        for (const auto& block : content) {
            const std::string type = block.is_object() ? block.value("type", "") : "";
            if (type == "text" && block.contains("text") && block["text"].is_string()) {
                text += block["text"].get<std::string>();
            } else if (type == "thinking" && role == "assistant") {
                thinking += block.value("thinking", "");
            } else if (type == "tool_use" && role == "assistant") {
                tool_calls.push_back({{"id", block.value("id", "")}, {"type", "function"},
                                      {"function", {{"name", block.value("name", "")},
                                                    {"arguments", json_text(block.value("input", Json::object()))}}}});
            } else if (type == "tool_result" && role == "user") {
                const Json result = block.value("content", Json(""));
                messages.push_back({{"role", "tool"}, {"tool_call_id", block.value("tool_use_id", "")},
                                    {"content", text_of_blocks(result, where + ".tool_result")}});
            } else {
                throw ApiError(400, where + ".content: unsupported content block type '" + type + "'");
            }
        }
        if (role == "user") {
            if (!text.empty()) messages.push_back({{"role", "user"}, {"content", text}});
            continue;
        }
        Json out = {{"role", "assistant"}, {"content", text.empty() && !tool_calls.empty() ? Json(nullptr) : Json(text)}};
        if (!thinking.empty()) out["reasoning_content"] = thinking;
        if (!tool_calls.empty()) out["tool_calls"] = tool_calls;
        messages.push_back(std::move(out));
    }
    return messages;
}

Json openai_tools(const Json& body) {
    Json tools = Json::array();
    auto it = body.find("tools");
    if (it == body.end() || it->is_null()) return tools;
    if (!it->is_array()) throw ApiError(400, "tools: must be an array", "tools");
    for (const auto& tool : *it) {
        if (!tool.is_object() || !tool.contains("name") || !tool["name"].is_string())
            throw ApiError(400, "tools: every tool needs a name", "tools");
        tools.push_back({{"type", "function"},
                         {"function", {{"name", tool["name"]}, {"description", tool.value("description", "")},
                                       {"parameters", tool.value("input_schema", Json::object())}}}});
    }
    return tools;
}

MessagesCall parse_messages_call(const ServerContext& context, const Json& body, bool count_only) {
    reject_unknown_fields(body, {"model", "messages", "system", "max_tokens", "stop_sequences", "stream", "temperature",
                                 "top_p", "top_k", "thinking", "tools", "tool_choice", "metadata", "output_config",
                                 "service_tier", "container", "mcp_servers"});
    MessagesCall call;
    call.model = required_field(body, "model").is_string() ? body["model"].get<std::string>()
                                                           : throw ApiError(400, "model: must be a string", "model");
    try {
        call.chat = parse_chat_request(Json{{"messages", openai_messages(body)}, {"tools", openai_tools(body)}});
    } catch (const Error& e) {
        throw ApiError(400, e.what(), "messages");
    }
    if (auto it = body.find("thinking"); it != body.end() && !it->is_null()) {
        const std::string type = it->is_object() ? it->value("type", "") : "";
        if (type != "enabled" && type != "disabled")
            throw ApiError(400, "thinking.type: must be \"enabled\" or \"disabled\"", "thinking");
        call.options.thinking = type == "enabled";
    }
    if (count_only) return call;
    call.generation.max_tokens = optional_int(body, "max_tokens", 1, 1 << 24).value_or(-1);
    if (call.generation.max_tokens < 0) throw ApiError(400, "max_tokens: Field required", "max_tokens");
    call.stream = optional_bool(body, "stream").value_or(false);
    call.generation.sampler.temperature = float(optional_number(body, "temperature", 0.0, 2.0).value_or(1.0));
    call.generation.sampler.top_p = float(optional_number(body, "top_p", 0.0, 1.0).value_or(1.0));
    call.generation.sampler.seed = uint64_t(std::time(nullptr));
    call.stops = string_or_strings(body, "stop_sequences", 16);
    return call;
}

const char* stop_reason_name(TurnEnd end, const Turn& turn) {
    switch (end) {
    case TurnEnd::TurnEnd_length: return "max_tokens";
    case TurnEnd::TurnEnd_tool_calls: return "tool_use";
    default: return turn.matched_stop().empty() ? "end_turn" : "stop_sequence";
    }
}

Json stop_sequence_of(const Turn& turn) {
    return turn.matched_stop().empty() ? Json(nullptr) : Json(turn.matched_stop());
}

Json usage_json(const Turn& turn) {
    return {{"input_tokens", turn.prompt_tokens() - turn.cached_tokens()},
            {"cache_creation_input_tokens", 0},
            {"cache_read_input_tokens", turn.cached_tokens()},
            {"output_tokens", turn.completion_tokens()}};
}

Json parsed_input(const std::string& arguments) {
    try {
        Json input = Json::parse(arguments.empty() ? "{}" : arguments);
        if (input.is_object()) return input;
    } catch (const nlohmann::json::parse_error&) {
    }
    return Json::object();  // the model wrote no JSON object; Anthropic input is always one
}

void respond_whole(ServerContext& context, MessagesCall& call, std::shared_ptr<GenerationStream> stream, const PreparedPrompt& prompt,
                   httplib::Response& response) {
    Turn turn(std::move(stream), *context.codec.tokenizer, chat_turn_options(context, prompt, call.stops));
    TurnUpdate all = turn.run_to_end();
    if (all.end == TurnEnd::TurnEnd_error) throw ApiError(500, "generation failed: " + turn.error());
    if (all.end == TurnEnd::TurnEnd_cancelled) throw ApiError(503, "the request was cancelled (server shutting down)");
    Json content = Json::array();
    std::string arguments;
    auto append_text = [&](const char* type, const char* field, const std::string& text) {
        if (content.empty() || content.back()["type"] != type) {
            content.push_back({{"type", type}, {field, ""}});
            if (std::string(type) == "thinking") content.back()["signature"] = "";
        }
        content.back()[field] = content.back()[field].get<std::string>() + text;
    };
    for (const auto& event : all.events) {
        switch (event.kind) {
        case ChatEventKind::ChatEventKind_reasoning: append_text("thinking", "thinking", event.text); break;
        case ChatEventKind::ChatEventKind_content: append_text("text", "text", event.text); break;
        case ChatEventKind::ChatEventKind_tool_call_start:
            content.push_back({{"type", "tool_use"}, {"id", random_id("toolu_")}, {"name", event.name}, {"input", Json::object()}});
            arguments.clear();
            break;
        case ChatEventKind::ChatEventKind_tool_call_arguments: arguments += event.text; break;
        case ChatEventKind::ChatEventKind_tool_call_end: content.back()["input"] = parsed_input(arguments); break;
        }
    }
    Json body = {{"id", random_id("msg_")}, {"type", "message"}, {"role", "assistant"}, {"model", call.model},
                 {"content", content}, {"stop_reason", stop_reason_name(all.end, turn)},
                 {"stop_sequence", stop_sequence_of(turn)}, {"usage", usage_json(turn)}};
    record_turn(context, turn, &prompt);
    response.set_content(json_text(body), "application/json");
}

void respond_stream(ServerContext& context, MessagesCall call, std::shared_ptr<GenerationStream> stream, const PreparedPrompt& prompt,
                    httplib::Response& response) {
    struct State {
        State(ServerContext& context, MessagesCall c, std::shared_ptr<GenerationStream> stream, PreparedPrompt p)
            : call(std::move(c)),
              prompt(std::move(p)),
              turn(std::move(stream), *context.codec.tokenizer, chat_turn_options(context, prompt, call.stops)) {}
        MessagesCall call;
        PreparedPrompt prompt;
        Turn turn;
        bool started = false;
        int index = -1;          // the open content block, -1 when none
        std::string open_type;   // its type
    };
    auto state = std::make_shared<State>(context, std::move(call), std::move(stream), prompt);
    stream_sse(response, [&context, state](SseWriter& out) {
        auto close_block = [&]() {
            if (state->index < 0) return true;
            if (state->open_type == "thinking" &&
                !out.event("content_block_delta", json_text({{"type", "content_block_delta"}, {"index", state->index},
                                                             {"delta", {{"type", "signature_delta"}, {"signature", ""}}}})))
                return false;
            const bool ok = out.event("content_block_stop", json_text({{"type", "content_block_stop"}, {"index", state->index}}));
            state->open_type.clear();
            return ok;
        };
        auto open_block = [&](const std::string& type, Json block) {
            if (state->open_type == type && type != "tool_use") return true;
            if (!close_block()) return false;
            state->open_type = type;
            ++state->index;
            return out.event("content_block_start",
                             json_text({{"type", "content_block_start"}, {"index", state->index}, {"content_block", std::move(block)}}));
        };
        auto delta = [&](Json d) {
            return out.event("content_block_delta", json_text({{"type", "content_block_delta"}, {"index", state->index}, {"delta", std::move(d)}}));
        };
        if (!state->started) {
            state->started = true;
            Json message = {{"id", random_id("msg_")}, {"type", "message"}, {"role", "assistant"}, {"content", Json::array()},
                            {"model", state->call.model}, {"stop_reason", nullptr}, {"stop_sequence", nullptr},
                            {"usage", {{"input_tokens", 0}, {"output_tokens", 0}}}};
            if (!out.event("message_start", json_text({{"type", "message_start"}, {"message", message}}))) return false;
        }
        TurnUpdate update = state->turn.poll(std::chrono::milliseconds(250));
        for (const auto& event : update.events) {
            bool ok = true;
            switch (event.kind) {
            case ChatEventKind::ChatEventKind_reasoning:
                ok = open_block("thinking", {{"type", "thinking"}, {"thinking", ""}, {"signature", ""}}) &&
                     delta({{"type", "thinking_delta"}, {"thinking", event.text}});
                break;
            case ChatEventKind::ChatEventKind_content:
                ok = open_block("text", {{"type", "text"}, {"text", ""}}) && delta({{"type", "text_delta"}, {"text", event.text}});
                break;
            case ChatEventKind::ChatEventKind_tool_call_start:
                ok = open_block("tool_use", {{"type", "tool_use"}, {"id", random_id("toolu_")}, {"name", event.name}, {"input", Json::object()}});
                break;
            case ChatEventKind::ChatEventKind_tool_call_arguments:
                ok = delta({{"type", "input_json_delta"}, {"partial_json", event.text}});
                break;
            case ChatEventKind::ChatEventKind_tool_call_end: ok = close_block(); break;
            }
            if (!ok) return false;
        }
        if (update.end == TurnEnd::TurnEnd_running) return update.events.empty() ? out.keep_alive() : true;
        if (update.end == TurnEnd::TurnEnd_error || update.end == TurnEnd::TurnEnd_cancelled) {
            out.event("error", json_text(api_error_body(ApiFlavor::ApiFlavor_anthropic, update.end == TurnEnd::TurnEnd_error ? 500 : 503,
                                                        update.end == TurnEnd::TurnEnd_error ? state->turn.error() : "cancelled")));
            return out.finish();
        }
        record_turn(context, state->turn, &state->prompt);
        if (!close_block()) return false;
        Json usage = usage_json(state->turn);
        if (!out.event("message_delta", json_text({{"type", "message_delta"},
                                                   {"delta", {{"stop_reason", stop_reason_name(update.end, state->turn)},
                                                              {"stop_sequence", stop_sequence_of(state->turn)}}},
                                                   {"usage", usage}})))
            return false;
        out.event("message_stop", json_text({{"type", "message_stop"}}));
        return out.finish();
    });
}

}  // namespace

void handle_messages(ServerContext& context, const httplib::Request& request, httplib::Response& response) {
    MessagesCall call = parse_messages_call(context, parse_request_body(request.body), false);
    PreparedPrompt prompt = prepare_chat_prompt(context, call.chat, call.options);
    call.generation.prompt = prompt.tokens;
    auto stream = submit_generation(context, call.generation);
    if (call.stream) respond_stream(context, std::move(call), std::move(stream), std::move(prompt), response);
    else respond_whole(context, call, std::move(stream), prompt, response);
}

void handle_count_tokens(ServerContext& context, const httplib::Request& request, httplib::Response& response) {
    MessagesCall call = parse_messages_call(context, parse_request_body(request.body), true);
    const PreparedPrompt prompt = prepare_chat_prompt(context, call.chat, call.options);
    response.set_content(json_text({{"input_tokens", int64_t(prompt.tokens.size())}}), "application/json");
}

}  // namespace whale::server
