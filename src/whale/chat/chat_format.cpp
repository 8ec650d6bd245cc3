// Chat-format names and detection from a checkpoint's config.json / tokenizer_config.json.
#include "whale/chat/chat_format.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

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

std::string read_if_present(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

nlohmann::json parse_or_fail(const std::string& text, const std::string& what) {
    if (text.empty()) return nlohmann::json::object();
    nlohmann::json json = nlohmann::json::parse(text, nullptr, false);
    WHALE_CHECK(!json.is_discarded() && json.is_object(), what, " is not a JSON object");
    return json;
}

bool contains(const std::string& haystack, const char* needle) { return haystack.find(needle) != std::string::npos; }

// model_type / architectures of the generations that have no Jinja template.
bool config_names(const nlohmann::json& config, const char* model_type, const char* architecture) {
    if (config.value("model_type", "") == model_type) return true;
    if (auto arch = config.find("architectures"); arch != config.end() && arch->is_array())
        for (const auto& a : *arch)
            if (a.is_string() && a.get<std::string>() == architecture) return true;
    return false;
}

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

ChatFormat detect_chat_format_from(const std::string& config_json, const std::string& tokenizer_config_json,
                                   const std::string& source) {
    const nlohmann::json config = parse_or_fail(config_json, source + "/config.json");
    const nlohmann::json tokenizer = parse_or_fail(tokenizer_config_json, source + "/tokenizer_config.json");
    if (config_names(config, "deepseek_v4", "DeepseekV4ForCausalLM")) return ChatFormat::ChatFormat_v4;
    if (config_names(config, "deepseek_v32", "DeepseekV32ForCausalLM")) return ChatFormat::ChatFormat_v3_2;

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
    if (config_names(config, "deepseek_v3", "DeepseekV3ForCausalLM")) return ChatFormat::ChatFormat_v3;
    fail("cannot tell the chat format of ", source, ": no DeepSeek chat_template in tokenizer_config.json and ",
         "config.json model_type is \"", config.value("model_type", ""), "\"; pick one with --chat-format (",
         chat_format_names(), ")");
}

ChatFormat detect_chat_format(const std::string& model_dir) {
    const std::filesystem::path dir(model_dir);
    WHALE_CHECK(std::filesystem::is_directory(dir), "model directory ", model_dir, " does not exist");
    const std::string config = read_if_present(dir / "config.json");
    const std::string tokenizer = read_if_present(dir / "tokenizer_config.json");
    WHALE_CHECK(!config.empty() || !tokenizer.empty(), model_dir,
                " has neither config.json nor tokenizer_config.json to pick a chat format from");
    return detect_chat_format_from(config, tokenizer, model_dir);
}

}  // namespace whale
