// The DeepSeek chat formats whale renders and parses, their names, and which one a chat template
// is. Each family's prompt rules live in its own render_<family>.cpp. Choosing the format of a
// model, where config.json's model type may decide over the template, is the model layer's
// (model/chat_format_detection.h).
#pragma once

#include <optional>
#include <string>

namespace whale {

enum class ChatFormat {
    ChatFormat_v3,          // DeepSeek-V3 original template (Dec 2024)
    ChatFormat_r1,          // DeepSeek-R1: generation prompt ends inside "<think>\n"
    ChatFormat_v3_1,        // DeepSeek-V3.1 hybrid thinking ("</think>" right after the assistant token)
    ChatFormat_v3_2,        // DeepSeek-V3.2 reference encoder, DSML function_calls
    ChatFormat_v4,          // DeepSeek-V4 reference encoder, DSML tool_calls, tool results in user turns
    ChatFormat_r1_distill,  // R1-Distill (Qwen/Llama): R1 rules but only the last system message
};

// "v3" | "r1" | "v3.1" | "v3.2" | "v4" | "r1-distill"; anything else is an error listing them.
ChatFormat chat_format_from_name(const std::string& name);
const char* chat_format_name(ChatFormat format);
const char* chat_format_names();  // "v3, r1, v3.1, v3.2, v4, r1-distill", for messages and --help

// The family of the chat_template in a tokenizer_config.json text (empty: none); nullopt when it
// has no chat template. Throws naming `source` when the text is not a JSON object or the template
// is not a DeepSeek one.
std::optional<ChatFormat> chat_format_from_template(const std::string& tokenizer_config_json,
                                                    const std::string& source);

}  // namespace whale
