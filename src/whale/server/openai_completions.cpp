#include "whale/server/openai_completions.h"

#include <ctime>

#include "whale/server/api_error.h"
#include "whale/server/chat_submit.h"
#include "whale/server/server_turn.h"
#include "whale/server/request_fields.h"
#include "whale/server/request_log.h"
#include "whale/server/sse_stream.h"

namespace whale::server {

namespace {

struct CompletionCall {
    GenerationRequest generation;
    std::vector<std::string> stops;
    bool stream = false;
    bool include_usage = false;
    std::string model;
};

// Token ids as the prompt (the API's array-of-integers form), checked against the vocabulary.
std::vector<int32_t> prompt_ids(const ServerContext& context, const Json& ids) {
    std::vector<int32_t> out;
    for (const auto& id : ids) {
        if (!id.is_number_integer() || id.get<int64_t>() < 0 || id.get<int64_t>() >= context.vocab_size)
            throw ApiError(400, "'prompt' token ids must be integers in [0, " + std::to_string(context.vocab_size) + ")", "prompt");
        out.push_back(int32_t(id.get<int64_t>()));
    }
    return out;
}

// A string, an array of one string, or an array of token ids; batches of prompts are not served.
std::vector<int32_t> prompt_tokens(const ServerContext& context, const Json& prompt) {
    if (prompt.is_string()) return context.codec.encode_plain(prompt.get<std::string>());
    if (prompt.is_array() && prompt.size() == 1 && prompt[0].is_string()) return context.codec.encode_plain(prompt[0].get<std::string>());
    if (prompt.is_array() && prompt.size() == 1 && prompt[0].is_array()) return prompt_ids(context, prompt[0]);
    if (prompt.is_array() && !prompt.empty() && prompt[0].is_number()) return prompt_ids(context, prompt);
    throw ApiError(400, "'prompt' must be a string, an array of one string, or an array of token ids (one prompt per request)", "prompt");
}

int32_t fim_token(const ServerContext& context, const char* name) {
    auto id = context.codec.added_token(name);
    if (!id) throw ApiError(400, "'suffix' (fill-in-the-middle) needs the model's tokenizer to have " + std::string(name) +
                                     ", and this model's has not", "suffix");
    return *id;
}

// DeepSeek-Coder's FIM layout (docs/interfaces/chat_formats.md, 'FIM'): begin, prefix, hole,
// suffix, end; the model writes the middle.
std::vector<int32_t> fim_tokens(const ServerContext& context, std::vector<int32_t> prefix, const std::string& suffix) {
    const int32_t begin = fim_token(context, "<｜fim▁begin｜>"), hole = fim_token(context, "<｜fim▁hole｜>"),
                  end = fim_token(context, "<｜fim▁end｜>");
    std::vector<int32_t> tokens{begin};
    tokens.insert(tokens.end(), prefix.begin(), prefix.end());
    tokens.push_back(hole);
    const std::vector<int32_t> after = context.codec.encode_plain(suffix);
    tokens.insert(tokens.end(), after.begin(), after.end());
    tokens.push_back(end);
    return tokens;
}

CompletionCall parse_completion_call(const ServerContext& context, const Json& body) {
    reject_unknown_fields(body, {"model", "prompt", "suffix", "stream", "stream_options", "max_tokens", "temperature",
                                 "top_p", "stop", "seed", "logprobs", "echo", "n", "best_of", "user",
                                 "presence_penalty", "frequency_penalty"});
    CompletionCall call;
    call.model = optional_string(body, "model").value_or(context.model_name);
    std::vector<int32_t> tokens = prompt_tokens(context, required_field(body, "prompt"));
    if (auto suffix = optional_string(body, "suffix")) tokens = fim_tokens(context, std::move(tokens), *suffix);
    if (tokens.empty()) throw ApiError(400, "'prompt' must not be empty", "prompt");
    if (optional_bool(body, "echo").value_or(false)) throw ApiError(400, "'echo': true is not supported", "echo");
    optional_int(body, "n", 1, 1);       // one choice per request
    optional_int(body, "best_of", 1, 1);
    call.stream = optional_bool(body, "stream").value_or(false);
    if (auto it = body.find("stream_options"); it != body.end() && !it->is_null()) {
        if (!it->is_object()) throw ApiError(400, "'stream_options' must be an object", "stream_options");
        if (!call.stream) throw ApiError(400, "'stream_options' is only allowed when 'stream' is true", "stream_options");
        call.include_usage = optional_bool(*it, "include_usage").value_or(false);
    }
    GenerationRequest& g = call.generation;
    g.prompt = std::move(tokens);
    // The legacy API's default is 16 tokens.
    g.max_tokens = optional_int(body, "max_tokens", 1, 1 << 24).value_or(16);
    g.sampler.temperature = float(optional_number(body, "temperature", 0.0, 2.0).value_or(1.0));
    g.sampler.top_p = float(optional_number(body, "top_p", 0.0, 1.0).value_or(1.0));
    g.sampler.presence_penalty = float(optional_number(body, "presence_penalty", -2.0, 2.0).value_or(0.0));
    g.sampler.frequency_penalty = float(optional_number(body, "frequency_penalty", -2.0, 2.0).value_or(0.0));
    g.sampler.seed = uint64_t(optional_int(body, "seed", INT64_MIN, INT64_MAX).value_or(int64_t(std::time(nullptr))));
    g.top_logprobs = int(optional_int(body, "logprobs", 0, 5).value_or(-1));
    call.stops = string_or_strings(body, "stop", 4);
    return call;
}

// The legacy logprobs shape: parallel arrays, alternatives as {token text: logprob} maps.
Json logprobs_json(const ServerContext& context, const std::vector<GeneratedToken>& tokens, int64_t& text_offset) {
    Json out = {{"tokens", Json::array()}, {"token_logprobs", Json::array()}, {"top_logprobs", Json::array()},
                {"text_offset", Json::array()}};
    for (const auto& t : tokens) {
        const std::string text = context.codec.token_text(t.token);
        out["tokens"].push_back(text);
        out["token_logprobs"].push_back(t.logprob);
        Json top = Json::object();
        for (const auto& [id, lp] : t.top) top[context.codec.token_text(id)] = lp;
        out["top_logprobs"].push_back(std::move(top));
        out["text_offset"].push_back(text_offset);
        text_offset += int64_t(text.size());
    }
    return out;
}

// A raw completion's events are all content.
std::string text_of(const TurnUpdate& update) {
    std::string text;
    for (const ChatEvent& event : update.events) text += event.text;
    return text;
}

const char* finish_reason_name(TurnEnd end) { return end == TurnEnd::TurnEnd_length ? "length" : "stop"; }

Json usage_json(const Turn& turn) {
    const int64_t prompt = turn.prompt_tokens(), completion = turn.completion_tokens();
    return {{"prompt_tokens", prompt},
            {"completion_tokens", completion},
            {"total_tokens", prompt + completion},
            {"prompt_tokens_details", {{"cached_tokens", turn.cached_tokens()}}}};
}

Json response_head(const std::string& id, const CompletionCall& call) {
    return {{"id", id}, {"object", "text_completion"}, {"created", int64_t(std::time(nullptr))}, {"model", call.model},
            {"system_fingerprint", "whale-0.1.0"}};
}

void respond_whole(ServerContext& context, const CompletionCall& call, std::shared_ptr<GenerationStream> stream,
                   httplib::Response& response) {
    Turn turn(std::move(stream), *context.codec.tokenizer, completion_turn_options(call.stops));
    TurnUpdate all = turn.run_to_end();
    if (all.end == TurnEnd::TurnEnd_error) throw ApiError(500, "generation failed: " + turn.error());
    if (all.end == TurnEnd::TurnEnd_cancelled) throw ApiError(503, "the request was cancelled (server shutting down)");
    int64_t offset = 0;
    Json body = response_head(random_id("cmpl-"), call);
    body["choices"] = Json::array({{{"text", text_of(all)}, {"index", 0},
                                    {"logprobs", call.generation.top_logprobs >= 0 ? logprobs_json(context, all.tokens, offset) : Json(nullptr)},
                                    {"finish_reason", finish_reason_name(all.end)}}});
    body["usage"] = usage_json(turn);
    record_turn(context, turn, nullptr);
    response.set_content(json_text(body), "application/json");
}

void respond_stream(ServerContext& context, CompletionCall call, std::shared_ptr<GenerationStream> stream,
                    httplib::Response& response) {
    struct State {
        State(ServerContext& context, CompletionCall c, std::shared_ptr<GenerationStream> stream)
            : call(std::move(c)), turn(std::move(stream), *context.codec.tokenizer, completion_turn_options(call.stops)) {}
        CompletionCall call;
        Turn turn;
        Json head;
        int64_t text_offset = 0;
    };
    auto state = std::make_shared<State>(context, std::move(call), std::move(stream));
    state->head = response_head(random_id("cmpl-"), state->call);
    stream_sse(response, [&context, state](SseWriter& out) {
        TurnUpdate update = state->turn.poll(std::chrono::milliseconds(250));
        if (update.end == TurnEnd::TurnEnd_error || update.end == TurnEnd::TurnEnd_cancelled) {
            const int status = update.end == TurnEnd::TurnEnd_error ? 500 : 503;
            out.data(json_text(api_error_body(ApiFlavor::ApiFlavor_openai, status,
                                              update.end == TurnEnd::TurnEnd_error ? state->turn.error() : "cancelled")));
            return out.finish();
        }
        const bool ended = update.end != TurnEnd::TurnEnd_running;
        if (ended) record_turn(context, state->turn, nullptr);
        const std::string text = text_of(update);
        if (!text.empty() || ended) {
            Json chunk = state->head;
            Json logprobs = state->call.generation.top_logprobs >= 0 && !update.tokens.empty()
                                ? logprobs_json(context, update.tokens, state->text_offset)
                                : Json(nullptr);
            chunk["choices"] = Json::array({{{"text", text}, {"index", 0}, {"logprobs", std::move(logprobs)},
                                             {"finish_reason", ended ? Json(finish_reason_name(update.end)) : Json(nullptr)}}});
            if (state->call.include_usage) chunk["usage"] = nullptr;
            if (!out.data(json_text(chunk))) return false;
        }
        if (!ended) return update.tokens.empty() ? out.keep_alive() : true;
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

void handle_completions(ServerContext& context, const httplib::Request& request, httplib::Response& response) {
    const Json body = parse_request_body(request.body);
    CompletionCall call = parse_completion_call(context, body);
    auto stream = submit_generation(context, call.generation);
    if (call.stream) respond_stream(context, std::move(call), std::move(stream), response);
    else respond_whole(context, call, std::move(stream), response);
}

}  // namespace whale::server
