#include "whale/server/openai_responses.h"

#include <ctime>
#include <functional>

#include "whale/core/error.h"
#include "whale/server/chat_submit.h"
#include "whale/server/server_turn.h"
#include "whale/server/constraints.h"
#include "whale/server/responses_input.h"
#include "whale/server/sse_stream.h"

namespace whale::server {

namespace {

struct ResponsesCall {
    Json body;  // the request as given, echoed in the response object
    Json chat;  // the same request in chat-completions shape
    ChatRequest request;
    ChatOptions options;
    GenerationRequest generation;
    std::string model;
    bool stream = false;
};

ResponsesCall parse_responses_call(const ServerContext& context, const Json& body) {
    reject_unknown_fields(body, {"model", "input", "instructions", "tools", "tool_choice", "stream", "max_output_tokens",
                                 "temperature", "top_p", "reasoning", "store", "parallel_tool_calls", "metadata", "text",
                                 "include", "truncation", "user", "previous_response_id", "prompt_cache_key",
                                 "service_tier", "stream_options"});
    if (body.contains("previous_response_id") && !body["previous_response_id"].is_null())
        throw ApiError(400, "'previous_response_id' is not supported: this server stores no responses; send the whole input", "previous_response_id");
    ResponsesCall call;
    call.body = body;
    call.model = optional_string(body, "model").value_or(context.model_name);
    call.stream = optional_bool(body, "stream").value_or(false);
    call.chat = chat_body_from_responses(body);
    if (auto it = body.find("text"); it != body.end() && it->is_object() && it->contains("format")) {
        const Json& format = (*it)["format"];
        const std::string type = format.is_object() ? format.value("type", "") : "";
        if (type == "json_schema") call.chat["response_format"] = {{"type", "json_schema"}, {"json_schema", {{"schema", format.value("schema", Json())}}}};
        else if (type == "json_object") call.chat["response_format"] = {{"type", "json_object"}};
        else if (type != "text") throw ApiError(400, "'text.format.type' must be text, json_object or json_schema", "text");
    }
    try {
        call.request = parse_chat_request(call.chat);
    } catch (const Error& e) {
        throw ApiError(400, e.what(), "input");
    }
    if (auto it = body.find("reasoning"); it != body.end() && it->is_object()) {
        const std::string effort = it->value("effort", "medium");
        // "none" and "minimal" ask for no thinking; DeepSeek's effort levels are high and max.
        call.options.thinking = effort != "none" && effort != "minimal";
        call.options.reasoning_effort =
            effort == "xhigh" ? ReasoningEffort::ReasoningEffort_max : ReasoningEffort::ReasoningEffort_high;
    }
    GenerationRequest& g = call.generation;
    g.max_tokens = optional_int(body, "max_output_tokens", 1, 1 << 24).value_or(context.options.default_max_tokens);
    g.sampler.temperature = float(optional_number(body, "temperature", 0.0, 2.0).value_or(1.0));
    g.sampler.top_p = float(optional_number(body, "top_p", 0.0, 1.0).value_or(1.0));
    g.sampler.seed = uint64_t(std::time(nullptr));
    if (call.options.thinking) {
        // DeepSeek's thinking mode ignores the sampling knobs rather than rejecting them.
        const uint64_t seed = g.sampler.seed;
        g.sampler = SamplerSettings{};
        g.sampler.temperature = 1.0f;
        g.sampler.seed = seed;
    }
    validate_openai_constraints(call.chat, call.request);
    return call;
}

// Builds the output items from chat events and reports each step as a stream event (ignored when
// the response is sent whole).
class OutputBuilder {
public:
    using Emit = std::function<void(const std::string& type, Json fields)>;
    explicit OutputBuilder(Emit emit) : emit_(std::move(emit)) {}

    void add(const ChatEvent& event) {
        switch (event.kind) {
        case ChatEventKind::ChatEventKind_reasoning:
            if (kind_ != Item::Item_reasoning)
                open(Item::Item_reasoning, {{"id", random_id("rs_")}, {"type", "reasoning"}, {"summary", Json::array()},
                                            {"content", Json::array({{{"type", "reasoning_text"}, {"text", ""}}})}});
            append(current()["content"][0]["text"], event.text);
            emit_("response.reasoning_text.delta", {{"item_id", current()["id"]}, {"output_index", index()}, {"content_index", 0}, {"delta", event.text}});
            break;
        case ChatEventKind::ChatEventKind_content:
            if (kind_ != Item::Item_message) {
                open(Item::Item_message, {{"id", random_id("msg_")}, {"type", "message"}, {"status", "in_progress"},
                                          {"role", "assistant"}, {"content", Json::array()}});
                const Json part = {{"type", "output_text"}, {"text", ""}, {"annotations", Json::array()}};
                current()["content"].push_back(part);
                emit_("response.content_part.added", {{"item_id", current()["id"]}, {"output_index", index()}, {"content_index", 0}, {"part", part}});
            }
            append(current()["content"][0]["text"], event.text);
            emit_("response.output_text.delta", {{"item_id", current()["id"]}, {"output_index", index()}, {"content_index", 0},
                                                 {"delta", event.text}, {"logprobs", Json::array()}});
            break;
        case ChatEventKind::ChatEventKind_tool_call_start:
            open(Item::Item_function_call, {{"id", random_id("fc_")}, {"type", "function_call"}, {"status", "in_progress"},
                                            {"call_id", random_id("call_")}, {"name", event.name}, {"arguments", ""}});
            break;
        case ChatEventKind::ChatEventKind_tool_call_arguments:
            append(current()["arguments"], event.text);
            emit_("response.function_call_arguments.delta", {{"item_id", current()["id"]}, {"output_index", index()}, {"delta", event.text}});
            break;
        case ChatEventKind::ChatEventKind_tool_call_end: close(); break;
        }
    }

    // Closes the item in progress; the output is then final.
    void close() {
        if (kind_ == Item::Item_none) return;
        Json& item = current();
        const Json head = {{"item_id", item["id"]}, {"output_index", index()}};
        if (kind_ == Item::Item_reasoning) {
            emit_("response.reasoning_text.done", merged(head, {{"content_index", 0}, {"text", item["content"][0]["text"]}}));
        } else if (kind_ == Item::Item_message) {
            item["status"] = "completed";
            emit_("response.output_text.done", merged(head, {{"content_index", 0}, {"text", item["content"][0]["text"]}, {"logprobs", Json::array()}}));
            emit_("response.content_part.done", merged(head, {{"content_index", 0}, {"part", item["content"][0]}}));
        } else {
            item["status"] = "completed";
            emit_("response.function_call_arguments.done", merged(head, {{"name", item["name"]}, {"arguments", item["arguments"]}}));
        }
        emit_("response.output_item.done", {{"output_index", index()}, {"item", item}});
        kind_ = Item::Item_none;
    }

    const Json& output() const { return output_; }

private:
    enum class Item { Item_none, Item_reasoning, Item_message, Item_function_call };

    void open(Item kind, Json item) {
        close();
        output_.push_back(std::move(item));
        kind_ = kind;
        Json announced = current();
        if (kind == Item::Item_message) announced["content"] = Json::array();
        emit_("response.output_item.added", {{"output_index", index()}, {"item", announced}});
    }
    static void append(Json& text, const std::string& more) { text = text.get<std::string>() + more; }
    static Json merged(Json a, const Json& b) {
        for (const auto& [key, value] : b.items()) a[key] = value;
        return a;
    }
    Json& current() { return output_.back(); }
    int64_t index() const { return int64_t(output_.size()) - 1; }

    Emit emit_;
    Json output_ = Json::array();
    Item kind_ = Item::Item_none;
};

Json response_object(const ResponsesCall& call, const std::string& id, int64_t created, const char* status, const Json& output,
                     const Turn* turn) {
    Json tools = Json::array();
    if (call.body.contains("tools") && call.body["tools"].is_array()) tools = call.body["tools"];
    Json r = {{"id", id}, {"object", "response"}, {"created_at", created}, {"status", status}, {"error", nullptr},
              {"incomplete_details", std::string(status) == "incomplete" ? Json{{"reason", "max_output_tokens"}} : Json(nullptr)},
              {"instructions", call.body.value("instructions", Json())}, {"max_output_tokens", call.generation.max_tokens},
              {"model", call.model}, {"output", output}, {"parallel_tool_calls", call.body.value("parallel_tool_calls", true)},
              {"previous_response_id", nullptr}, {"temperature", call.generation.sampler.temperature},
              {"top_p", call.generation.sampler.top_p}, {"tool_choice", call.body.value("tool_choice", Json("auto"))},
              {"tools", tools}, {"store", false}, {"metadata", call.body.value("metadata", Json::object())},
              {"text", {{"format", {{"type", "text"}}}}}, {"usage", nullptr}};
    if (turn) {
        const int64_t input = turn->prompt_tokens(), out = turn->completion_tokens();
        r["usage"] = {{"input_tokens", input}, {"input_tokens_details", {{"cached_tokens", turn->cached_tokens()}}},
                      {"output_tokens", out}, {"output_tokens_details", {{"reasoning_tokens", turn->reasoning_tokens()}}},
                      {"total_tokens", input + out}};
    }
    return r;
}

const char* status_of(TurnEnd end) { return end == TurnEnd::TurnEnd_length ? "incomplete" : "completed"; }

void respond_whole(ServerContext& context, const ResponsesCall& call, std::shared_ptr<GenerationStream> stream,
                   const PreparedPrompt& prompt, httplib::Response& response) {
    Turn turn(std::move(stream), *context.codec.tokenizer, chat_turn_options(context, prompt, {}));
    TurnUpdate all = turn.run_to_end();
    if (all.end == TurnEnd::TurnEnd_error) throw ApiError(500, "generation failed: " + turn.error());
    if (all.end == TurnEnd::TurnEnd_cancelled) throw ApiError(503, "the request was cancelled (server shutting down)");
    OutputBuilder builder([](const std::string&, Json) {});
    for (const auto& event : all.events) builder.add(event);
    builder.close();
    record_turn(context, turn, &prompt);
    response.set_content(json_text(response_object(call, random_id("resp_"), int64_t(std::time(nullptr)), status_of(all.end),
                                                   builder.output(), &turn)),
                         "application/json");
}

void respond_stream(ServerContext& context, ResponsesCall call, std::shared_ptr<GenerationStream> stream, PreparedPrompt prompt,
                    httplib::Response& response) {
    struct State {
        State(ServerContext& context, ResponsesCall c, std::shared_ptr<GenerationStream> stream, PreparedPrompt p)
            : call(std::move(c)), prompt(std::move(p)), turn(std::move(stream), *context.codec.tokenizer, chat_turn_options(context, prompt, {})),
              builder([this](const std::string& type, Json fields) { queue(type, std::move(fields)); }) {}
        void queue(const std::string& type, Json fields) {
            Json event = {{"type", type}, {"sequence_number", sequence++}};
            for (const auto& [key, value] : fields.items()) event[key] = value;
            pending.emplace_back(type, std::move(event));
        }
        ResponsesCall call;
        PreparedPrompt prompt;
        Turn turn;
        OutputBuilder builder;
        std::string id = random_id("resp_");
        int64_t created = int64_t(std::time(nullptr));
        int64_t sequence = 0;
        bool started = false;
        std::vector<std::pair<std::string, Json>> pending;
    };
    auto state = std::make_shared<State>(context, std::move(call), std::move(stream), std::move(prompt));
    stream_sse(response, [&context, state](SseWriter& out) {
        if (!state->started) {
            state->started = true;
            const Json initial = response_object(state->call, state->id, state->created, "in_progress", Json::array(), nullptr);
            state->queue("response.created", {{"response", initial}});
            state->queue("response.in_progress", {{"response", initial}});
        }
        TurnUpdate update = state->turn.poll(std::chrono::milliseconds(250));
        for (const auto& event : update.events) state->builder.add(event);
        const bool ended = update.end != TurnEnd::TurnEnd_running;
        if (update.end == TurnEnd::TurnEnd_error || update.end == TurnEnd::TurnEnd_cancelled) {
            state->queue("error", {{"code", update.end == TurnEnd::TurnEnd_error ? "server_error" : "cancelled"},
                                   {"message", update.end == TurnEnd::TurnEnd_error ? state->turn.error() : "cancelled"},
                                   {"param", nullptr}});
        } else if (ended) {
            state->builder.close();
            const char* status = status_of(update.end);
            state->queue(std::string(status) == "completed" ? "response.completed" : "response.incomplete",
                         {{"response", response_object(state->call, state->id, state->created, status, state->builder.output(), &state->turn)}});
            record_turn(context, state->turn, &state->prompt);
        }
        const bool wrote = !state->pending.empty();
        for (const auto& [type, event] : state->pending)
            if (!out.event(type, json_text(event))) return false;
        state->pending.clear();
        if (ended) return out.finish();
        return wrote ? true : out.keep_alive();
    });
}

}  // namespace

void handle_responses(ServerContext& context, const httplib::Request& request, httplib::Response& response) {
    const Json body = parse_request_body(request.body);
    ResponsesCall call = parse_responses_call(context, body);
    PreparedPrompt prompt = prepare_chat_prompt(context, call.request, call.options);
    call.generation.prompt = prompt.tokens;
    call.generation.constraint = constraint_for_openai(context, call.chat, prompt.starts_in_reasoning, call.generation.max_tokens);
    auto stream = submit_generation(context, call.generation);
    if (call.stream) respond_stream(context, std::move(call), std::move(stream), std::move(prompt), response);
    else respond_whole(context, call, std::move(stream), prompt, response);
}

}  // namespace whale::server
