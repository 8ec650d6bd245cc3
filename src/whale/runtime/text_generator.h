// One generation on a session: sample, detokenize as a stream, stop at end-of-sequence, a stop
// string or the token budget, and split the text into reasoning / content / tool calls with the
// chat family's parser. Used by `whale run` and `whale chat`.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "whale/chat/chat_parser.h"
#include "whale/runtime/engine.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/speculative/speculative_decoder.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale {

// Not named GenerationRequest: the scheduler's request (scheduler.h) has that name, and two
// classes of one name are an ODR violation (the linker kept one destructor for both).
struct TextGenerationRequest {
    std::vector<int32_t> prompt;        // appended to the session first
    int max_tokens = 256;
    std::vector<std::string> stop;      // stop strings (matched across token boundaries)
    SamplerSettings sampler;
    ChatFormat format = ChatFormat::ChatFormat_v3;
    bool parse_chat = true;             // false: raw completion, every delta is content
    bool starts_in_reasoning = false;   // the prompt ended inside <think>
    const std::atomic<bool>* cancel = nullptr;  // set from another thread (Ctrl-C) to stop early
    // Speculative decoding when set: this drafter proposes up to n_draft tokens per target forward.
    // The session must suit the drafter (MtpDrafter: Engine::new_drafting_session()).
    Drafter* drafter = nullptr;
    int n_draft = 0;
};

enum class TextFinishReason { TextFinishReason_stop, TextFinishReason_length, TextFinishReason_cancelled };

struct GenerationResult {
    std::string reasoning;
    std::string content;
    std::vector<ChatEvent> tool_events;
    std::vector<int32_t> tokens;        // generated ids
    int64_t reasoning_tokens = 0;
    TextFinishReason finish = TextFinishReason::TextFinishReason_stop;
    double prefill_seconds = 0.0;
    double decode_seconds = 0.0;
    int64_t prompt_tokens = 0;
    SpeculativeStats speculative;       // all zero without a drafter
};

// Runs the generation; `on_event` sees every parsed event as it is decided.
GenerationResult generate_text(Session& session, const Tokenizer& tokenizer, const TextGenerationRequest& request,
                               const std::function<void(const ChatEvent&)>& on_event);

}  // namespace whale
