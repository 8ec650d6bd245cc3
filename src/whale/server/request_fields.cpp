#include "whale/server/request_fields.h"

#include <algorithm>
#include <cstring>

namespace whale::server {

Json parse_request_body(const std::string& body) {
    Json json;
    try {
        json = Json::parse(body);
    } catch (const nlohmann::json::parse_error& e) {
        throw ApiError(400, std::string("request body is not valid JSON: ") + e.what());
    }
    if (!json.is_object()) throw ApiError(400, "request body must be a JSON object");
    return json;
}

void reject_unknown_fields(const Json& body, std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : body.items())
        if (std::none_of(allowed.begin(), allowed.end(), [&](const char* name) { return key == name; }))
            throw ApiError(400, "unrecognized request argument supplied: " + key, key);
}

const Json& required_field(const Json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) throw ApiError(400, std::string("missing required parameter: '") + field + "'", field);
    return *it;
}

std::optional<std::string> optional_string(const Json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_string()) throw ApiError(400, std::string("'") + field + "' must be a string", field);
    return it->get<std::string>();
}

std::optional<bool> optional_bool(const Json& body, const char* field) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_boolean()) throw ApiError(400, std::string("'") + field + "' must be a boolean", field);
    return it->get<bool>();
}

std::optional<int64_t> optional_int(const Json& body, const char* field, int64_t min, int64_t max) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_number_integer()) throw ApiError(400, std::string("'") + field + "' must be an integer", field);
    const int64_t value = it->get<int64_t>();
    if (value < min || value > max)
        throw ApiError(400, std::string("'") + field + "' must be between " + std::to_string(min) + " and " +
                                std::to_string(max) + ", got " + std::to_string(value), field);
    return value;
}

std::optional<double> optional_number(const Json& body, const char* field, double min, double max) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) throw ApiError(400, std::string("'") + field + "' must be a number", field);
    const double value = it->get<double>();
    if (!(value >= min && value <= max))
        throw ApiError(400, std::string("'") + field + "' must be between " + std::to_string(min) + " and " +
                                std::to_string(max), field);
    return value;
}

std::vector<std::string> string_or_strings(const Json& body, const char* field, size_t max_items) {
    auto it = body.find(field);
    if (it == body.end() || it->is_null()) return {};
    if (it->is_string()) return {it->get<std::string>()};
    if (!it->is_array() || it->size() > max_items)
        throw ApiError(400, std::string("'") + field + "' must be a string or an array of at most " +
                                std::to_string(max_items) + " strings", field);
    std::vector<std::string> out;
    for (const auto& item : *it) {
        if (!item.is_string()) throw ApiError(400, std::string("'") + field + "' items must be strings", field);
        out.push_back(item.get<std::string>());
    }
    return out;
}

}  // namespace whale::server
