// Typed access to tokenizer.json fields: each accessor fails with a whale::Error that names the
// field's path and what was expected, instead of nlohmann's generic type_error.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace whale {

const nlohmann::json& json_field(const nlohmann::json& node, const char* key, const std::string& where);
const nlohmann::json& json_object(const nlohmann::json& node, const char* key, const std::string& where);
const nlohmann::json& json_array(const nlohmann::json& node, const char* key, const std::string& where);
std::string json_string(const nlohmann::json& node, const char* key, const std::string& where);
bool json_bool(const nlohmann::json& node, const char* key, const std::string& where, bool fallback);
int64_t json_int(const nlohmann::json& node, const char* key, const std::string& where);

}  // namespace whale
