#include "whale/server/openai_chat.h"

#include <ctime>

#include "whale/chat/chat_request.h"
#include "whale/core/error.h"
#include "whale/server/api_error.h"
#include "whale/server/chat_submit.h"
#include "whale/server/server_turn.h"
#include "whale/server/constraints.h"
#include "whale/server/request_fields.h"
#include "whale/server/sse_stream.h"

namespace whale::server {

namespace {

struct ChatCall {
    ChatRequest chat;
    ChatOptions options;
    GenerationRequest generation;
    std::vector<std::string> stops;
    bool stream = false;
    bool include_usage = false;
    std::string model;
};

bool thinking_from(const Json& body, const ServerContext& context) {
    auto it = body.find("thinking");
    if (it == body.end() || it->is_null()) return false;
    const std::string type = it->is_object() && it->contains("type") && (*it)["type"].is_string() ? (*it)["type"].get<std::string>() : "";
    if (type != "enabled" && type != "disabled")
        throw ApiError(400, "'thinking' must be {\"type\": \"enabled\"} or {\"type\": \"disabled\"}", "thinking");
    return type == "enabled";
}

ChatCall parse_chat_call(const ServerContext& context, const Json& body) {
    reject_unknown_fields(body, {"model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens",
                                 "temperature", "top_p", "stop", "seed", "logprobs", "top_logprobs", "tools",
                                 "tool_choice", "response_format", "thinking", "reasoning_effort", "presence_penalty",
                                 "frequency_penalty", "n", "user", "parallel_tool_calls", "logit_bias", "metadata",
                                 "store", "stream_options"});
    ChatCall call;
    call.model = optional_string(body, "model").value_or(context.model_name);
    const Json& messages = required_field(body, "messages");
    if (!messages.is_array() || messages.empty()) throw ApiError(400, "'messages' must be a non-empty array", "messages");
    try {
        call.chat = parse_chat_request(body);
    } catch (const Error& e) {
        throw ApiError(400, e.what(), "messages");
    }
    call.stream = optional_bool(body, "stream").value_or(false);
    if (auto it = body.find("stream_options"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) throw ApiError(400, "'stream_options' must be an object", "stream_options");
        if (!call.stream) throw ApiError(400, "'stream_options' is only allowed when 'stream' is true", "stream_options");
        call.include_usage = optional_bool(*it, "include_usage").value_or(false);
    }
    if (optional_int(body, "n", 1, 1)) {}  // only one choice per request
    call.options.thinking = thinking_from(body, context);
    if (auto effort = optional_string(body, "reasoning_effort")) {
        const std::string e = *effort == "low" || *effort == "medium" ? "high" : *effort == "xhigh" ? "max" : *effort;
        try {
            call.options.reasoning_effort = reasoning_effort_from_name(e);
        } catch (const Error& error) {
            throw ApiError(400, error.what(), "reasoning_effort");
        }
    }
    GenerationRequest& g = call.generation;
    const auto max_tokens = optional_int(body, "max_completion_tokens", 1, 1 << 24);
    g.max_tokens = max_tokens ? *max_tokens : optional_int(body, "max_tokens", 1, 1 << 24).value_or(context.options.default_max_tokens);
    g.sampler.temperature = float(optional_number(body, "temperature", 0.0, 2.0).value_or(1.0));
    g.sampler.top_p = float(optional_number(body, "top_p", 0.0, 1.0).value_or(1.0));
    g.sampler.presence_penalty = float(optional_number(body, "presence_penalty", -2.0, 2.0).value_or(0.0));
    g.sampler.frequency_penalty = float(optional_number(body, "frequency_penalty", -2.0, 2.0).value_or(0.0));
    g.sampler.seed = uint64_t(optional_int(body, "seed", INT64_MIN, INT64_MAX).value_or(int64_t(std::time(nullptr))));
    call.stops = string_or_strings(body, "stop", 16);
    if (optional_bool(body, "logprobs").value_or(false)) {
        if (call.options.thinking) throw ApiError(400, "logprobs are not supported in thinking mode", "logprobs");
        g.top_logprobs = int(optional_int(body, "top_logprobs", 0, 20).value_or(0));
    } else if (optional_int(body, "top_logprobs", 0, 20)) {
        throw ApiError(400, "'top_logprobs' requires 'logprobs': true", "top_logprobs");
    }
    if (call.options.thinking) {
        // DeepSeek's thinking mode ignores the sampling knobs rather than rejecting them.
        g.sampler = SamplerSettings{.temperature = 1.0f, .seed = g.sampler.seed};
    }
    validate_openai_constraints(body, call.chat);
    return call;
}

Json usage_json(const Turn& turn) {
    const int64_t prompt = turn.prompt_tokens(), cached = turn.cached_tokens(), completion = turn.completion_tokens();
    return {{"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"total_tokens", prompt + completion},
            {"prompt_cache_hit_tokens", cached},
            {"prompt_cache_miss_tokens", prompt - cached},
            {"prompt_tokens_details", {{"cached_tokens", cached}}},
            {"completion_tokens_details", {{"reasoning_tokens", turn.reasoning_tokens()}}}};
}

Json token_logprob(const ServerContext& context, int32_t token, float logprob) {
    const std::string text = context.codec.token_text(token);
    Json bytes = Json::array();
    for (unsigned char c : text) bytes.push_back(int(c));
    return {{"token", text}, {"logprob", logprob}, {"bytes", bytes}};
}

Json logprobs_json(const ServerContext& context, const std::vector<GeneratedToken>& tokens) {
    Json content = Json::array();
    for (const auto& t : tokens) {
        Json entry = token_logprob(context, t.token, t.logprob);
        entry["top_logprobs"] = Json::array();
        for (const auto& [id, lp] : t.top) entry["top_logprobs"].push_back(token_logprob(context, id, lp));
        content.push_back(std::move(entry));
    }
    return {{"content", content}};
}

const char* finish_reason_name(TurnEnd end) {
    switch (end) {
    case TurnEnd::TurnEnd_length: return "length";
    case TurnEnd::TurnEnd_tool_calls: return "tool_calls";
    default: return "stop";
    }
}

void fail_on_abnormal_end(const Turn& turn, TurnEnd end) {
    if (end == TurnEnd::TurnEnd_error) throw ApiError(500, "generation failed: " + turn.error());
    if (end == TurnEnd::TurnEnd_cancelled) throw ApiError(503, "the request was cancelled (server shutting down)");
}

Json response_head(const ServerContext& context, const std::string& id, const ChatCall& call, const char* object) {
    return {{"id", id}, {"object", object}, {"created", int64_t(std::time(nullptr))}, {"model", call.model},
            {"system_fingerprint", "whale-0.1.0"}};
}

void respond_whole(ServerContext& context, ChatCall& call, std::shared_ptr<GenerationStream> stream, const PreparedPrompt& prompt,
                   httplib::Response& response) {
    Turn turn(std::move(stream), *context.codec.tokenizer, chat_turn_options(context, prompt, call.stops));
    TurnUpdate all = turn.run_to_end();
    fail_on_abnormal_end(turn, all.end);
    std::string content, reasoning_text;
    Json tool_calls = Json::array();
    for (const auto& event : all.events) {
        switch (event.kind) {
        case ChatEventKind::ChatEventKind_reasoning: reasoning_text += event.text; break;
        case ChatEventKind::ChatEventKind_content: content += event.text; break;
        case ChatEventKind::ChatEventKind_tool_call_start:
            tool_calls.push_back({{"id", random_id("call_")}, {"type", "function"}, {"function", {{"name", event.name}, {"arguments", ""}}}});
            break;
        case ChatEventKind::ChatEventKind_tool_call_arguments:
            tool_calls.back()["function"]["arguments"] = tool_calls.back()["function"]["arguments"].get<std::string>() + event.text;
            break;
        case ChatEventKind::ChatEventKind_tool_call_end: break;
        }
    }
    Json message = {{"role", "assistant"}, {"content", content.empty() && !tool_calls.empty() ? Json(nullptr) : Json(content)}};
    if (call.options.thinking || !reasoning_text.empty()) message["reasoning_content"] = reasoning_text;
    if (!tool_calls.empty()) message["tool_calls"] = tool_calls;
    Json body = response_head(context, random_id("chatcmpl-"), call, "chat.completion");
    body["choices"] = Json::array({{{"index", 0}, {"message", message},
                                    {"logprobs", call.generation.top_logprobs >= 0 ? logprobs_json(context, all.tokens) : Json(nullptr)},
                                    {"finish_reason", finish_reason_name(all.end)}}});
    body["usage"] = usage_json(turn);
    record_turn(context, turn, &prompt);
    response.set_content(json_text(body), "application/json");
}

// Streaming: one chunk per decided event group; the head of every chunk is the same.
void respond_stream(ServerContext& context, ChatCall call, std::shared_ptr<GenerationStream> stream, const PreparedPrompt& prompt,
                    httplib::Response& response) {
    struct State {
        State(ServerContext& context, ChatCall c, std::shared_ptr<GenerationStream> stream, PreparedPrompt p)
            : call(std::move(c)),
              prompt(std::move(p)),
              turn(std::move(stream), *context.codec.tokenizer, chat_turn_options(context, prompt, call.stops)) {}
        ChatCall call;
        PreparedPrompt prompt;
        Turn turn;
        Json head;
        bool started = false;
    };
    auto state = std::make_shared<State>(context, std::move(call), std::move(stream), prompt);
    state->head = response_head(context, random_id("chatcmpl-"), state->call, "chat.completion.chunk");
    auto chunk = [state](Json delta, Json finish, Json logprobs) {
        Json c = state->head;
        c["choices"] = Json::array({{{"index", 0}, {"delta", std::move(delta)}, {"logprobs", std::move(logprobs)}, {"finish_reason", std::move(finish)}}});
        if (state->call.include_usage) c["usage"] = nullptr;
        return c;
    };
    stream_sse(response, [&context, state, chunk](SseWriter& out) {
        if (!state->started) {
            state->started = true;
            if (!out.data(json_text(chunk({{"role", "assistant"}, {"content", ""}}, nullptr, nullptr)))) return false;
        }
        TurnUpdate update = state->turn.poll(std::chrono::milliseconds(250));
        Json logprobs = state->call.generation.top_logprobs >= 0 && !update.tokens.empty() ? logprobs_json(context, update.tokens) : Json(nullptr);
        for (const auto& event : update.events) {
            Json delta;
            switch (event.kind) {
            case ChatEventKind::ChatEventKind_reasoning: delta = {{"content", nullptr}, {"reasoning_content", event.text}}; break;
            case ChatEventKind::ChatEventKind_content: delta = {{"content", event.text}}; break;
            case ChatEventKind::ChatEventKind_tool_call_start:
                delta = {{"tool_calls", Json::array({{{"index", event.tool_index}, {"id", random_id("call_")}, {"type", "function"},
                                                      {"function", {{"name", event.name}, {"arguments", ""}}}}})}};
                break;
            case ChatEventKind::ChatEventKind_tool_call_arguments:
                delta = {{"tool_calls", Json::array({{{"index", event.tool_index}, {"function", {{"arguments", event.text}}}}})}};
                break;
            case ChatEventKind::ChatEventKind_tool_call_end: continue;
            }
            if (!out.data(json_text(chunk(std::move(delta), nullptr, std::exchange(logprobs, nullptr))))) return false;
        }
        if (update.end == TurnEnd::TurnEnd_running) return update.events.empty() ? out.keep_alive() : true;
        if (update.end == TurnEnd::TurnEnd_error || update.end == TurnEnd::TurnEnd_cancelled) {
            const int status = update.end == TurnEnd::TurnEnd_error ? 500 : 503;
            out.data(json_text(api_error_body(ApiFlavor::ApiFlavor_openai, status,
                                              update.end == TurnEnd::TurnEnd_error ? state->turn.error() : "cancelled")));
            return out.finish();
        }
        record_turn(context, state->turn, &state->prompt);
        if (!out.data(json_text(chunk(Json::object(), finish_reason_name(update.end), std::move(logprobs))))) return false;
        if (state->call.include_usage) {
            Json last = state->head;
            last["choices"] = Json::array();
            last["usage"] = usage_json(state->turn);
            if (!out.data(json_text(last))) return false;
        }
        out.data("[DONE]");
        return out.finish();
    });
}

}  // namespace

void handle_chat_completions(ServerContext& context, const httplib::Request& request, httplib::Response& response) {
    const Json body = parse_request_body(request.body);
    ChatCall call = parse_chat_call(context, body);
    PreparedPrompt prompt = prepare_chat_prompt(context, call.chat, call.options);
    call.generation.prompt = prompt.tokens;
    call.generation.constraint = constraint_for_openai(context, body, prompt.starts_in_reasoning, call.generation.max_tokens);
    auto stream = submit_generation(context, call.generation);
    if (call.stream) respond_stream(context, std::move(call), std::move(stream), std::move(prompt), response);
    else respond_whole(context, call, std::move(stream), prompt, response);
}

}  // namespace whale::server
