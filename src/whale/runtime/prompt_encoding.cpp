#include "whale/runtime/prompt_encoding.h"

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

std::vector<int32_t> encode_chat_prompt(const Tokenizer& tokenizer, const std::string& rendered,
                                        const ChatRequest& request) {
    std::vector<int32_t> ids;
    const EncodeOptions trusted{true}, untrusted{false};
    size_t done = 0;
    for (const std::string* text : untrusted_texts(request)) {
        // Templates may drop a text (earlier reasoning) or transform it; then it is simply not
        // found after `done` and stays part of the template span it was rendered into.
        size_t at = rendered.find(*text, done);
        if (at == std::string::npos) continue;
        tokenizer.encode_append(std::string_view(rendered).substr(done, at - done), trusted, ids);
        tokenizer.encode_append(std::string_view(rendered).substr(at, text->size()), untrusted, ids);
        done = at + text->size();
    }
    tokenizer.encode_append(std::string_view(rendered).substr(done), trusted, ids);
    return ids;
}

}  // namespace whale
