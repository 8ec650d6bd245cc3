// Field accessors for tokenizer.json (see json_fields.h).
#include "whale/tokenizer/json_fields.h"

#include <nlohmann/json.hpp>

#include "whale/core/error.h"

namespace whale {

const nlohmann::json& json_field(const nlohmann::json& node, const char* key, const std::string& where) {
    WHALE_CHECK(node.is_object(), where, ": expected a JSON object, got ", node.type_name());
    auto it = node.find(key);
    WHALE_CHECK(it != node.end(), where, ": missing field \"", key, "\"");
    return *it;
}

const nlohmann::json& json_object(const nlohmann::json& node, const char* key, const std::string& where) {
    const nlohmann::json& value = json_field(node, key, where);
    WHALE_CHECK(value.is_object(), where, ".", key, ": expected an object, got ", value.type_name());
    return value;
}

const nlohmann::json& json_array(const nlohmann::json& node, const char* key, const std::string& where) {
    const nlohmann::json& value = json_field(node, key, where);
    WHALE_CHECK(value.is_array(), where, ".", key, ": expected an array, got ", value.type_name());
    return value;
}

std::string json_string(const nlohmann::json& node, const char* key, const std::string& where) {
    const nlohmann::json& value = json_field(node, key, where);
    WHALE_CHECK(value.is_string(), where, ".", key, ": expected a string, got ", value.type_name());
    return value.get<std::string>();
}

bool json_bool(const nlohmann::json& node, const char* key, const std::string& where, bool fallback) {
    auto it = node.find(key);
    if (it == node.end() || it->is_null()) return fallback;
    WHALE_CHECK(it->is_boolean(), where, ".", key, ": expected true or false, got ", it->type_name());
    return it->get<bool>();
}

int64_t json_int(const nlohmann::json& node, const char* key, const std::string& where) {
    const nlohmann::json& value = json_field(node, key, where);
    WHALE_CHECK(value.is_number_integer(), where, ".", key, ": expected an integer, got ", value.type_name());
    return value.get<int64_t>();
}

}  // namespace whale
