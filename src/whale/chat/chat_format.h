// The DeepSeek chat formats whale renders and parses, their names, and how a checkpoint's
// files select one. Each family's prompt rules live in its own render_<family>.cpp.
#pragma once

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

// Picks the family from a model directory: config.json model_type/architectures first (V3.2 and V4
// ship no chat template, and early V3.2 repos carry an older one), then the chat_template text in
// tokenizer_config.json. Throws naming the files when neither identifies a DeepSeek chat format.
ChatFormat detect_chat_format(const std::string& model_dir);

// The same decision from already-read contents; either may be empty.
ChatFormat detect_chat_format_from(const std::string& config_json, const std::string& tokenizer_config_json,
                                   const std::string& source);

}  // namespace whale
