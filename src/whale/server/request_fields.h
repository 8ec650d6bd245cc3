// Typed access to the fields of a JSON request body, failing with a 400 ApiError that names the
// field and what was expected, the way the official APIs answer wrong types and out-of-range values.
#pragma once

#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "whale/server/api_error.h"

namespace whale::server {

using Json = nlohmann::ordered_json;

// Parses a request body; malformed JSON or a non-object is a 400.
Json parse_request_body(const std::string& body);
// Rejects any top-level field not in `allowed` (both APIs refuse unknown arguments).
void reject_unknown_fields(const Json& body, std::initializer_list<const char*> allowed);

// Each returns nullopt when the field is absent or null, and throws ApiError on a wrong type/range.
std::optional<std::string> optional_string(const Json& body, const char* field);
std::optional<bool> optional_bool(const Json& body, const char* field);
std::optional<int64_t> optional_int(const Json& body, const char* field, int64_t min, int64_t max);
std::optional<double> optional_number(const Json& body, const char* field, double min, double max);
// A string or an array of strings (OpenAI "stop"), at most max_items.
std::vector<std::string> string_or_strings(const Json& body, const char* field, size_t max_items);
const Json& required_field(const Json& body, const char* field);

}  // namespace whale::server
