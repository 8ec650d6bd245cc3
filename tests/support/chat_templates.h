// tokenizer_config.json text around one of the chat templates in tests/data/chat_templates
// (the test target defines WHALE_CHAT_TEMPLATE_DIR).
#pragma once

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

namespace whale::testing {

inline std::string tokenizer_config_with(const std::string& template_file) {
    std::ifstream in(std::string(WHALE_CHAT_TEMPLATE_DIR) + "/" + template_file);
    std::stringstream text;
    text << in.rdbuf();
    return nlohmann::json{{"chat_template", text.str()}}.dump();
}

}  // namespace whale::testing
