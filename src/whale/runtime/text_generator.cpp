#include "whale/runtime/text_generator.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>

#include "whale/runtime/stop_strings.h"
#include "whale/tokenizer/stream_decoder.h"

namespace whale {

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

GenerationResult generate_text(Session& session, const Tokenizer& tokenizer, const TextGenerationRequest& request,
                               const std::function<void(const ChatEvent&)>& on_event) {
    GenerationResult result;
    result.prompt_tokens = int64_t(request.prompt.size());
    const std::vector<int32_t>& eos = session.model().eos_token_ids;
    const int64_t vocab = session.model().vocab_size;
    bool stopped_by_string = false;
    Sampler sampler(request.sampler);
    sampler.accept_prompt(request.prompt);
    StreamDecoder decoder(tokenizer);
    StopStringMatcher stops(request.stop);
    ChatParser parser(request.format, request.starts_in_reasoning);
    bool in_reasoning = request.parse_chat && request.starts_in_reasoning;

    auto emit = [&](const std::vector<ChatEvent>& events) {
        for (const ChatEvent& e : events) {
            if (e.kind == ChatEventKind::ChatEventKind_reasoning) result.reasoning += e.text;
            else if (e.kind == ChatEventKind::ChatEventKind_content) result.content += e.text;
            else result.tool_events.push_back(e);
            in_reasoning = e.kind == ChatEventKind::ChatEventKind_reasoning;
            if (on_event) on_event(e);
        }
    };
    auto push_text = [&](const std::string& text) {
        if (text.empty()) return;
        if (request.parse_chat) emit(parser.feed(text));
        else emit({ChatEvent{ChatEventKind::ChatEventKind_content, text}});
    };

    auto start = std::chrono::steady_clock::now();
    const int64_t prompt_end = session.position() + int64_t(request.prompt.size());
    std::vector<float> logits;  // [vocab], one buffer for every step
    std::optional<SpeculativeDecoder> speculative;
    std::deque<int32_t> decided;  // speculative tokens chosen but not yet emitted
    if (request.drafter) {
        speculative.emplace(session, sampler, *request.drafter, request.n_draft);
        decided.push_back(speculative->start(request.prompt));
    } else {
        session.append(request.prompt, logits);
    }
    result.prefill_seconds = seconds_since(start);
    start = std::chrono::steady_clock::now();
    result.finish = TextFinishReason::TextFinishReason_length;
    for (int i = 0; i < request.max_tokens; ++i) {
        if (request.cancel && request.cancel->load()) {
            result.finish = TextFinishReason::TextFinishReason_cancelled;
            break;
        }
        int32_t token;
        if (speculative) {
            if (decided.empty()) {
                const std::vector<int32_t> step = speculative->step(request.max_tokens - i);
                decided.assign(step.begin(), step.end());
            }
            token = decided.front();
            decided.pop_front();
        } else {
            token = sampler.sample(logits.data(), vocab);
            sampler.accept(token);
        }
        result.tokens.push_back(token);
        if (in_reasoning) ++result.reasoning_tokens;
        if (std::find(eos.begin(), eos.end(), token) != eos.end()) {
            result.finish = TextFinishReason::TextFinishReason_stop;
            break;
        }
        StopStringMatcher::Step step = stops.feed(decoder.push(token));
        push_text(step.text);
        if (step.stopped) {
            result.finish = TextFinishReason::TextFinishReason_stop;
            stopped_by_string = true;
            break;
        }
        if (!speculative && i + 1 < request.max_tokens) session.append(std::span<const int32_t>(&token, 1), logits);
    }
    if (speculative) {
        // Leave the session as plain decoding does: everything generated but the last token, so a
        // chat's next turn continues from the same state whether or not drafts ran ahead.
        session.rewind(prompt_end + std::max<int64_t>(0, int64_t(result.tokens.size()) - 1));
        result.speculative = speculative->stats();
    }
    if (!stopped_by_string) {
        StopStringMatcher::Step step = stops.feed(decoder.finish());
        push_text(step.text);
        if (!step.stopped) push_text(stops.flush());
    }
    if (request.parse_chat) emit(parser.finish());
    result.decode_seconds = seconds_since(start);
    return result;
}

}  // namespace whale
