#include "whale/text/prompt_encoding.h"

#include <algorithm>

namespace whale {

namespace {

// The untrusted texts of a request in the order a renderer emits them.
std::vector<const std::string*> untrusted_texts(const ChatRequest& request) {
    std::vector<const std::string*> texts;
    for (const ChatMessage& m : request.messages) {
        if (m.role == ChatRole::ChatRole_system) continue;  // the operator's own text
        if (!m.reasoning_content.empty()) texts.push_back(&m.reasoning_content);
        if (m.content && !m.content->empty()) texts.push_back(&*m.content);
        for (const ChatToolCall& call : m.tool_calls) texts.push_back(&call.arguments);
    }
    return texts;
}

}  // namespace

std::vector<int32_t> encode_chat_prompt(const std::string& rendered, const ChatRequest& request, size_t from,
                                        const TextEncoder& trusted, const TextEncoder& untrusted) {
    std::vector<int32_t> ids;
    const std::string_view text(rendered);
    auto encode_range = [&](size_t begin, size_t end, const TextEncoder& encoder) {
        begin = std::max(begin, from);
        if (begin < end) encoder(text.substr(begin, end - begin), ids);
    };
    size_t done = 0;
    for (const std::string* message_text : untrusted_texts(request)) {
        // Templates may drop a text (earlier reasoning) or transform it; then it is simply not
        // found after `done` and stays part of the template span it was rendered into.
        size_t at = rendered.find(*message_text, done);
        if (at == std::string::npos) continue;
        encode_range(done, at, trusted);
        encode_range(at, at + message_text->size(), untrusted);
        done = at + message_text->size();
    }
    encode_range(done, rendered.size(), trusted);
    return ids;
}

std::vector<int32_t> encode_chat_prompt(const Tokenizer& tokenizer, const std::string& rendered,
                                        const ChatRequest& request) {
    return encode_chat_prompt(
        rendered, request, 0,
        [&](std::string_view t, std::vector<int32_t>& out) { tokenizer.encode_append(t, EncodeOptions{true}, out); },
        [&](std::string_view t, std::vector<int32_t>& out) { tokenizer.encode_append(t, EncodeOptions{false}, out); });
}

}  // namespace whale
