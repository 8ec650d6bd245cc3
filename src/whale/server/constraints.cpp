#include "whale/server/constraints.h"

#include "whale/chat/special_tokens.h"
#include "whale/core/error.h"
#include "whale/server/api_error.h"
#include "whale/runtime/sampling/json_constraint.h"
#include "whale/runtime/sampling/json_schema.h"

namespace whale::server {

namespace {

const Json* find_tool(const ChatRequest& chat, const std::string& name) {
    for (const auto& tool : chat.tools)
        if (tool.contains("function") && tool["function"].value("name", "") == name) return &tool;
    return nullptr;
}

// A request's schema compiled, or a 400 naming the field it came from and what is unsupported.
std::shared_ptr<const JsonSchema> compile_schema(const Json& schema, const std::string& field) {
    try {
        return std::make_shared<const JsonSchema>(compile_json_schema(schema));
    } catch (const Error& e) {
        throw ApiError(400, "'" + field + "': " + e.what(), field);
    }
}

// What the constrained output must follow: the forced tool's parameters, the response_format
// schema, or nothing (any JSON object) for json_object and tools without parameters.
std::shared_ptr<const JsonSchema> output_schema(const Json& body, const std::string& forced_name) {
    if (!forced_name.empty()) {
        for (const auto& tool : body["tools"])
            if (tool.contains("function") && tool["function"].value("name", "") == forced_name && tool["function"].contains("parameters"))
                return compile_schema(tool["function"]["parameters"], "tools");
        return nullptr;
    }
    const Json& format = body["response_format"];
    if (format.value("type", "") != "json_schema") return nullptr;
    return compile_schema(format["json_schema"]["schema"], "response_format");
}

}  // namespace

void validate_openai_constraints(const Json& body, const ChatRequest& chat) {
    if (auto it = body.find("tool_choice"); it != body.end() && !it->is_null()) {
        if (it->is_string()) {
            const std::string choice = it->get<std::string>();
            if (choice != "none" && choice != "auto" && choice != "required")
                throw ApiError(400, "'tool_choice' must be \"none\", \"auto\", \"required\" or a named function", "tool_choice");
            if (choice == "required" && chat.tools.empty())
                throw ApiError(400, "'tool_choice' is \"required\" but no tools were given", "tool_choice");
        } else {
            const std::string name = it->is_object() && it->contains("function") && (*it)["function"].is_object()
                                         ? (*it)["function"].value("name", "")
                                         : "";
            if (name.empty()) throw ApiError(400, "'tool_choice' must name a function: {\"type\": \"function\", \"function\": {\"name\": ...}}", "tool_choice");
            if (!find_tool(chat, name)) throw ApiError(400, "'tool_choice' names the unknown function '" + name + "'", "tool_choice");
        }
    }
    if (auto it = body.find("response_format"); it != body.end() && !it->is_null()) {
        const std::string type = it->is_object() ? it->value("type", "") : "";
        if (type != "text" && type != "json_object" && type != "json_schema")
            throw ApiError(400, "'response_format.type' must be \"text\", \"json_object\" or \"json_schema\"", "response_format");
        if (type == "json_schema" && !(it->contains("json_schema") && (*it)["json_schema"].is_object() &&
                                       (*it)["json_schema"].contains("schema")))
            throw ApiError(400, "'response_format.json_schema.schema' is required for type json_schema", "response_format");
    }
}

std::shared_ptr<TokenConstraint> constraint_for_openai(const ServerContext& context, const Json& body,
                                                       bool starts_in_reasoning, int64_t max_tokens) {
    std::string forced_name;
    if (auto it = body.find("tool_choice"); it != body.end() && !it->is_null()) {
        if (it->is_string() && *it == "required") forced_name = body["tools"][0]["function"].value("name", "");
        else if (it->is_object()) forced_name = (*it)["function"]["name"].get<std::string>();
    }
    const bool json_output = body.contains("response_format") && body["response_format"].is_object() &&
                             body["response_format"].value("type", "text") != "text";
    if (forced_name.empty() && !json_output) return nullptr;
    std::string before = starts_in_reasoning ? std::string(chat_tokens::think_end) : std::string();
    std::string after;
    if (!forced_name.empty()) {
        switch (context.chat_format) {
        case ChatFormat::ChatFormat_v3:
        case ChatFormat::ChatFormat_r1:
        case ChatFormat::ChatFormat_r1_distill:
            before += std::string(chat_tokens::tool_calls_begin) + std::string(chat_tokens::tool_call_begin) + "function" +
                      std::string(chat_tokens::tool_sep) + forced_name + "\n```json\n";
            after = "\n```" + std::string(chat_tokens::tool_call_end) + std::string(chat_tokens::tool_calls_end);
            break;
        case ChatFormat::ChatFormat_v3_1:
            before += std::string(chat_tokens::tool_calls_begin) + std::string(chat_tokens::tool_call_begin) + forced_name +
                      std::string(chat_tokens::tool_sep);
            after = std::string(chat_tokens::tool_call_end) + std::string(chat_tokens::tool_calls_end);
            break;
        default:
            throw ApiError(400, std::string("forced tool calls are not supported yet for the ") +
                                    chat_format_name(context.chat_format) + " chat format", "tool_choice");
        }
    }
    auto constraint = std::make_shared<JsonConstraint>(context.vocab_text, before.empty() ? std::vector<int32_t>{} : context.codec.encode(before),
                                                       after.empty() ? std::vector<int32_t>{} : context.codec.encode(after),
                                                       context.eos_token, max_tokens, output_schema(body, forced_name));
    if (max_tokens < constraint->min_tokens())
        throw ApiError(400, "max_tokens is too small for the constrained output (needs at least " +
                                std::to_string(constraint->min_tokens()) + ")", "max_tokens");
    return constraint;
}

}  // namespace whale::server
