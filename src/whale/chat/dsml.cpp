// DSML writer shared by the V3.2 and V4 renderers.
#include "whale/chat/dsml.h"

#include "whale/chat/python_json.h"
#include "whale/chat/special_tokens.h"
#include "whale/core/error.h"

namespace whale::chat_detail {

namespace {

const std::string kDsml(chat_tokens::dsml);

std::string dsml_invoke(const ChatToolCall& call) {
    const nlohmann::ordered_json arguments = nlohmann::ordered_json::parse(call.arguments, nullptr, false);
    WHALE_CHECK(!arguments.is_discarded() && arguments.is_object(), "tool call ", call.name,
                ": arguments must be a JSON object to be written as DSML parameters, got: ", call.arguments);
    std::string out = "<" + kDsml + "invoke name=\"" + call.name + "\">\n";
    bool first = true;
    for (auto it = arguments.begin(); it != arguments.end(); ++it) {
        const bool is_string = it.value().is_string();
        if (!first) out += "\n";
        out += "<" + kDsml + "parameter name=\"" + it.key() + "\" string=\"" + (is_string ? "true" : "false") + "\">";
        out += is_string ? it.value().get<std::string>() : python_json_dumps(it.value());
        out += "</" + kDsml + "parameter>";
        first = false;
    }
    return out + "\n</" + kDsml + "invoke>";
}

}  // namespace

std::string dsml_tool_calls(const std::vector<ChatToolCall>& calls, const char* block_name) {
    std::string out = "<" + kDsml + block_name + ">\n";
    for (size_t i = 0; i < calls.size(); ++i) out += (i ? "\n" : "") + dsml_invoke(calls[i]);
    return out + "\n</" + kDsml + block_name + ">";
}

std::string dsml_tool_schemas(const nlohmann::ordered_json& tools) {
    std::string out;
    for (size_t i = 0; i < tools.size(); ++i) out += (i ? "\n" : "") + python_json_dumps(tools[i]["function"]);
    return out;
}

}  // namespace whale::chat_detail
