// Chat-format names, and the family of a chat template.
#include "whale/chat/chat_format.h"

#include <nlohmann/json.hpp>

#include "whale/core/error.h"

namespace whale {

namespace {

struct FormatName {
    ChatFormat format;
    const char* name;
};

constexpr FormatName kFormatNames[] = {
    {ChatFormat::ChatFormat_v3, "v3"},     {ChatFormat::ChatFormat_r1, "r1"},
    {ChatFormat::ChatFormat_v3_1, "v3.1"}, {ChatFormat::ChatFormat_v3_2, "v3.2"},
    {ChatFormat::ChatFormat_v4, "v4"},     {ChatFormat::ChatFormat_r1_distill, "r1-distill"},
};

nlohmann::json parse_or_fail(const std::string& text, const std::string& what) {
    if (text.empty()) return nlohmann::json::object();
    nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
    WHALE_CHECK(!json.is_discarded() && json.is_object(), what, " is not a JSON object");
    return json;
}

bool contains(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

}  // namespace

ChatFormat chat_format_from_name(const std::string& name) {
    for (const FormatName& f : kFormatNames)
        if (name == f.name) return f.format;
    fail("unknown chat format \"", name, "\" (expected one of: ", chat_format_names(), ")");
}

const char* chat_format_name(ChatFormat format) {
    for (const FormatName& f : kFormatNames)
        if (f.format == format) return f.name;
    return "?";
}

const char* chat_format_names() { return "v3, r1, v3.1, v3.2, v4, r1-distill"; }

std::optional<ChatFormat> chat_format_from_template(const std::string& tokenizer_config_json,
                                                    const std::string& source) {
    const nlohmann::json tokenizer = parse_or_fail(tokenizer_config_json, source + "/tokenizer_config.json");
    std::string chat_template;
    if (auto t = tokenizer.find("chat_template"); t != tokenizer.end() && t->is_string()) chat_template = *t;
    if (contains(chat_template, "<｜User｜>")) {
        // V3.1 is the only template with a thinking switch; R1 and its distills prefill "<think>\n";
        // the distills keep only the last system message, so they never join system prompts.
        if (contains(chat_template, "thinking")) return ChatFormat::ChatFormat_v3_1;
        if (contains(chat_template, "<think>")) {
            return contains(chat_template, "is_first_sp") ? ChatFormat::ChatFormat_r1 : ChatFormat::ChatFormat_r1_distill;
        }
        return ChatFormat::ChatFormat_v3;
    }
    WHALE_CHECK(chat_template.empty(), source, "/tokenizer_config.json has a chat_template that is not a DeepSeek one; "
                "pick the format with --chat-format (", chat_format_names(), ")");
    return std::nullopt;
}

}  // namespace whale
