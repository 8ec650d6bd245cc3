#include "whale/server/responses_input.h"

namespace whale::server {

namespace {

std::string item_where(size_t index) { return "input[" + std::to_string(index) + "]"; }

// Message content: a string, or parts of type input_text / output_text (joined).
std::string content_text(const Json& content, size_t index) {
    if (content.is_string()) return content.get<std::string>();
    if (!content.is_array()) throw ApiError(400, "'" + item_where(index) + ".content' must be a string or an array of text parts", "input");
    std::string text;
    for (const auto& part : content) {
        const std::string type = part.is_object() ? part.value("type", "") : "";
        if ((type != "input_text" && type != "output_text" && type != "text") || !part.contains("text") || !part["text"].is_string())
            throw ApiError(400, "'" + item_where(index) + ".content' parts must be input_text or output_text (got '" + type + "')", "input");
        text += part["text"].get<std::string>();
    }
    return text;
}

std::string required_string(const Json& item, const char* field, size_t index) {
    if (!item.contains(field) || !item[field].is_string())
        throw ApiError(400, "'" + item_where(index) + "." + field + "' must be a string", "input");
    return item[field].get<std::string>();
}

// The assistant message that function calls and reasoning join, opened if the last one is not it.
Json& assistant_turn(Json& messages) {
    if (messages.empty() || messages.back()["role"] != "assistant" || messages.back().contains("closed"))
        messages.push_back({{"role", "assistant"}, {"content", nullptr}});
    return messages.back();
}

Json tools_from(const Json& tools) {
    Json out = Json::array();
    if (tools.is_null()) return out;
    if (!tools.is_array()) throw ApiError(400, "'tools' must be an array", "tools");
    for (size_t i = 0; i < tools.size(); ++i) {
        const Json& tool = tools[i];
        if (!tool.is_object() || tool.value("type", "") != "function" || !tool.contains("name") || !tool["name"].is_string())
            throw ApiError(400, "'tools[" + std::to_string(i) + "]' must be a function tool with a name (only function tools are served)", "tools");
        Json function = {{"name", tool["name"]}};
        if (tool.contains("description") && !tool["description"].is_null()) function["description"] = tool["description"];
        if (tool.contains("parameters") && !tool["parameters"].is_null()) function["parameters"] = tool["parameters"];
        out.push_back({{"type", "function"}, {"function", function}});
    }
    return out;
}

}  // namespace

Json chat_body_from_responses(const Json& body) {
    Json messages = Json::array();
    if (auto instructions = optional_string(body, "instructions")) messages.push_back({{"role", "system"}, {"content", *instructions}});
    const Json& input = required_field(body, "input");
    if (input.is_string()) {
        messages.push_back({{"role", "user"}, {"content", input}});
    } else if (input.is_array() && !input.empty()) {
        for (size_t i = 0; i < input.size(); ++i) {
            const Json& item = input[i];
            if (!item.is_object()) throw ApiError(400, "'" + item_where(i) + "' must be an object", "input");
            const std::string type = item.value("type", item.contains("role") ? "message" : "");
            if (type == "message") {
                std::string role = required_string(item, "role", i);
                if (role == "developer") role = "system";  // the Responses API's name for system guidance
                if (role != "system" && role != "user" && role != "assistant")
                    throw ApiError(400, "'" + item_where(i) + ".role' must be user, assistant, system or developer", "input");
                const std::string text = content_text(item.contains("content") ? item["content"] : Json(""), i);
                if (role == "assistant") {
                    // Text after the turn's reasoning and before its calls; a second text closes it.
                    Json& turn = assistant_turn(messages);
                    if (turn["content"].is_string() || turn.contains("tool_calls")) {
                        turn["closed"] = true;
                        assistant_turn(messages)["content"] = text;
                    } else {
                        turn["content"] = text;
                    }
                } else {
                    messages.push_back({{"role", role}, {"content", text}});
                }
            } else if (type == "function_call") {
                Json& turn = assistant_turn(messages);
                if (!turn.contains("tool_calls")) turn["tool_calls"] = Json::array();
                turn["tool_calls"].push_back({{"id", required_string(item, "call_id", i)}, {"type", "function"},
                                              {"function", {{"name", required_string(item, "name", i)},
                                                            {"arguments", required_string(item, "arguments", i)}}}});
            } else if (type == "function_call_output") {
                const Json& output = item.contains("output") ? item["output"] : Json();
                messages.push_back({{"role", "tool"}, {"tool_call_id", required_string(item, "call_id", i)},
                                    {"content", output.is_string() ? output.get<std::string>() : content_text(output, i)}});
            } else if (type == "reasoning") {
                std::string text;
                for (const char* field : {"content", "summary"})
                    if (item.contains(field) && item[field].is_array())
                        for (const auto& part : item[field])
                            if (part.is_object() && part.contains("text") && part["text"].is_string()) text += part["text"].get<std::string>();
                Json& turn = assistant_turn(messages);
                if (turn["content"].is_string() || turn.contains("tool_calls")) turn["closed"] = true;
                assistant_turn(messages)["reasoning_content"] = text;
            } else {
                throw ApiError(400, "'" + item_where(i) + ".type' \"" + type +
                                        "\" is not served (message, function_call, function_call_output and reasoning are)", "input");
            }
        }
    } else {
        throw ApiError(400, "'input' must be a string or a non-empty array of items", "input");
    }
    for (auto& message : messages) message.erase("closed");
    // A reasoning-only assistant turn still needs content for the renderer.
    for (auto& message : messages)
        if (message["role"] == "assistant" && message["content"].is_null() && !message.contains("tool_calls")) message["content"] = "";
    Json chat = {{"messages", messages}, {"tools", tools_from(body.contains("tools") ? body["tools"] : Json())}};
    if (auto it = body.find("tool_choice"); it != body.end() && !it->is_null()) {
        // The Responses API names a function flat: {"type": "function", "name": ...}.
        if (it->is_object() && it->contains("name")) chat["tool_choice"] = {{"type", "function"}, {"function", {{"name", (*it)["name"]}}}};
        else chat["tool_choice"] = *it;
    }
    return chat;
}

}  // namespace whale::server
