#include "whale/model/chat_format_detection.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "whale/core/error.h"
#include "whale/formats/gguf/gguf_file.h"
#include "whale/model/gguf/tokenizer_metadata.h"
#include "whale/model/registry.h"

namespace whale {

namespace {

std::string read_if_present(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return "";
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

ChatFormat detect_in_directory(const std::string& model_dir) {
    const std::filesystem::path dir(model_dir);
    WHALE_CHECK(std::filesystem::is_directory(dir), "model directory ", model_dir, " does not exist");
    const std::string config = read_if_present(dir / "config.json");
    const std::string tokenizer = read_if_present(dir / "tokenizer_config.json");
    WHALE_CHECK(!config.empty() || !tokenizer.empty(), model_dir,
                " has neither config.json nor tokenizer_config.json to pick a chat format from");
    return detect_chat_format_from(config, tokenizer, model_dir);
}

}  // namespace

ChatFormat detect_chat_format_from(const std::string& config_json, const std::string& tokenizer_config_json,
                                   const std::string& source) {
    nlohmann::json config = nlohmann::json::object();
    if (!config_json.empty()) {
        config = nlohmann::json::parse(config_json, nullptr, false);
        WHALE_CHECK(!config.is_discarded() && config.is_object(), source, "/config.json is not a JSON object");
    }
    const ModelGeneration* generation = find_config_generation(config);
    if (generation && generation->chat_format.over_template) return *generation->chat_format.over_template;
    if (std::optional<ChatFormat> format = chat_format_from_template(tokenizer_config_json, source)) return *format;
    if (generation && generation->chat_format.without_template) return *generation->chat_format.without_template;
    fail("cannot tell the chat format of ", source, ": no DeepSeek chat_template in tokenizer_config.json and ",
         "config.json model_type is \"", config.value("model_type", ""), "\"; pick one with --chat-format (",
         chat_format_names(), ")");
}

ChatFormat detect_model_chat_format(const std::string& model_path) {
    if (!is_gguf_model_path(model_path)) return detect_in_directory(model_path);
    std::filesystem::path dir = std::filesystem::path(model_path).parent_path();
    if (dir.empty()) dir = ".";
    if (std::filesystem::is_regular_file(dir / "tokenizer_config.json")) return detect_in_directory(dir.string());
    const GgufFile file(model_path);
    const nlohmann::json config = {{"model_type", gguf_model_type(file)}};
    return detect_chat_format_from(config.dump(), tokenizer_config_json_from_gguf(file), model_path);
}

}  // namespace whale
