// Validating reader for OpenAI-style chat requests.
#include "whale/chat/chat_request.h"

#include "whale/core/error.h"

namespace whale {

namespace {

using Json = nlohmann::ordered_json;

ChatRole role_from_name(const std::string& role, size_t index) {
    if (role == "system") return ChatRole::ChatRole_system;
    if (role == "user") return ChatRole::ChatRole_user;
    if (role == "assistant") return ChatRole::ChatRole_assistant;
    if (role == "tool") return ChatRole::ChatRole_tool;
    fail("chat request: messages[", index, "] has unknown role \"", role,
         "\" (expected system, user, assistant or tool)");
}

std::string string_field(const Json& object, const char* key, const std::string& where) {
    auto it = object.find(key);
    if (it == object.end() || it->is_null()) return "";
    WHALE_CHECK(it->is_string(), "chat request: ", where, ".", key, " must be a string, got ", it->type_name());
    return it->get<std::string>();
}

ChatToolCall parse_tool_call(const Json& call, const std::string& where) {
    WHALE_CHECK(call.is_object(), "chat request: ", where, " must be an object");
    ChatToolCall out;
    out.id = string_field(call, "id", where);
    if (call.contains("type") && !call["type"].is_null()) out.type = string_field(call, "type", where);
    auto fn = call.find("function");
    WHALE_CHECK(fn != call.end() && fn->is_object(), "chat request: ", where, " needs a \"function\" object");
    const std::string fn_where = where + ".function";
    out.name = string_field(*fn, "name", fn_where);
    WHALE_CHECK(!out.name.empty(), "chat request: ", fn_where, ".name is missing");
    out.arguments = string_field(*fn, "arguments", fn_where);
    return out;
}

ChatMessage parse_message(const Json& m, size_t index) {
    const std::string where = str_cat("messages[", index, "]");
    WHALE_CHECK(m.is_object(), "chat request: ", where, " must be an object");
    auto role = m.find("role");
    WHALE_CHECK(role != m.end() && role->is_string(), "chat request: ", where, " needs a string \"role\"");
    ChatMessage out;
    out.role = role_from_name(role->get<std::string>(), index);
    auto content = m.find("content");
    if (content != m.end() && !content->is_null()) {
        WHALE_CHECK(content->is_string(), "chat request: ", where, ".content must be a string or null, got ",
                    content->type_name());
        out.content = content->get<std::string>();
    }
    out.reasoning_content = string_field(m, "reasoning_content", where);
    if (out.reasoning_content.empty()) out.reasoning_content = string_field(m, "reasoning", where);
    out.tool_call_id = string_field(m, "tool_call_id", where);
    out.name = string_field(m, "name", where);
    if (auto prefix = m.find("prefix"); prefix != m.end() && !prefix->is_null()) {
        WHALE_CHECK(prefix->is_boolean(), "chat request: ", where, ".prefix must be true or false");
        out.prefix = prefix->get<bool>();
    }
    if (auto calls = m.find("tool_calls"); calls != m.end() && !calls->is_null()) {
        WHALE_CHECK(calls->is_array(), "chat request: ", where, ".tool_calls must be an array");
        WHALE_CHECK(out.role == ChatRole::ChatRole_assistant, "chat request: ", where,
                    " has tool_calls but only assistant messages can call tools");
        for (size_t i = 0; i < calls->size(); ++i)
            out.tool_calls.push_back(parse_tool_call((*calls)[i], str_cat(where, ".tool_calls[", i, "]")));
    }
    switch (out.role) {
        case ChatRole::ChatRole_assistant:
            WHALE_CHECK(out.content || !out.tool_calls.empty(), "chat request: ", where,
                        " is an assistant message with neither content nor tool_calls");
            break;
        case ChatRole::ChatRole_tool:
            WHALE_CHECK(!out.tool_call_id.empty(), "chat request: ", where,
                        " is a tool result without \"tool_call_id\" (expected the id of the call it answers)");
            [[fallthrough]];
        default:
            WHALE_CHECK(out.content.has_value(), "chat request: ", where, " (", role->get<std::string>(),
                        ") needs string content");
    }
    WHALE_CHECK(!out.prefix || out.role == ChatRole::ChatRole_assistant, "chat request: ", where,
                " has \"prefix\": true but only an assistant message can be continued");
    return out;
}

}  // namespace

ChatRequest parse_chat_request(const Json& request) {
    WHALE_CHECK(request.is_object(), "chat request: expected a JSON object with \"messages\", got ",
                request.type_name());
    auto messages = request.find("messages");
    WHALE_CHECK(messages != request.end() && messages->is_array() && !messages->empty(),
                "chat request: \"messages\" must be a non-empty array");
    ChatRequest out;
    for (size_t i = 0; i < messages->size(); ++i) out.messages.push_back(parse_message((*messages)[i], i));
    for (size_t i = 0; i + 1 < out.messages.size(); ++i)
        WHALE_CHECK(!out.messages[i].prefix, "chat request: messages[", i,
                    "] has \"prefix\": true but only the final message can be continued");
    if (chat_request_is_prefill(out))
        WHALE_CHECK(out.messages.back().content.has_value(), "chat request: the prefix message needs string content");
    if (auto tools = request.find("tools"); tools != request.end() && !tools->is_null()) {
        WHALE_CHECK(tools->is_array(), "chat request: \"tools\" must be an array");
        for (size_t i = 0; i < tools->size(); ++i) {
            const Json& tool = (*tools)[i];
            WHALE_CHECK(tool.is_object() && tool.contains("function") && tool["function"].is_object(),
                        "chat request: tools[", i, "] must be {\"type\": \"function\", \"function\": {...}}");
        }
        out.tools = *tools;
    }
    return out;
}

ChatRequest parse_chat_request_text(const std::string& text) {
    Json json = Json::parse(text, nullptr, false);
    WHALE_CHECK(!json.is_discarded(), "chat request: not valid JSON (expected {\"messages\": [...], \"tools\": [...]})");
    return parse_chat_request(json);
}

ReasoningEffort reasoning_effort_from_name(const std::string& name) {
    if (name == "high") return ReasoningEffort::ReasoningEffort_high;
    if (name == "max") return ReasoningEffort::ReasoningEffort_max;
    fail("unknown reasoning effort \"", name, "\" (expected high or max)");
}

bool chat_request_is_prefill(const ChatRequest& request) {
    return !request.messages.empty() && request.messages.back().prefix;
}

}  // namespace whale
