#include "whale/formats/json/config_fields.h"

#include <filesystem>
#include <fstream>

#include "whale/core/error.h"

namespace whale {

ConfigFields ConfigFields::load(const std::string& model_path) {
    namespace fs = std::filesystem;
    fs::path path = fs::is_directory(model_path) ? fs::path(model_path) / "config.json" : fs::path(model_path);
    WHALE_CHECK(fs::is_regular_file(path), path.string(), ": not found (a model directory needs config.json)");
    std::ifstream in(path);
    nlohmann::json parsed;
    try {
        parsed = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        fail(path.string(), ": not valid JSON (", e.what(), ")");
    }
    WHALE_CHECK(parsed.is_object(), path.string(), ": must be a JSON object");
    return ConfigFields(std::move(parsed), path.string());
}

bool ConfigFields::has(const std::string& key) const { return json_.contains(key) && !json_[key].is_null(); }

void ConfigFields::fail_field(const std::string& key, const std::string& message) const {
    fail(source_, ": field '", key, "' ", message);
}

int64_t ConfigFields::require_int(const std::string& key) const {
    if (!has(key)) fail_field(key, "is required but missing");
    return get_int(key, 0);
}

int64_t ConfigFields::get_int(const std::string& key, int64_t fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = json_[key];
    if (v.is_number_integer()) return v.get<int64_t>();
    if (v.is_number_float() && v.get<double>() == double(int64_t(v.get<double>()))) return int64_t(v.get<double>());
    fail_field(key, str_cat("must be an integer, got ", v.dump()));
}

std::optional<int64_t> ConfigFields::get_optional_int(const std::string& key) const {
    if (!has(key)) return std::nullopt;
    return get_int(key, 0);
}

double ConfigFields::get_double(const std::string& key, double fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = json_[key];
    if (!v.is_number()) fail_field(key, str_cat("must be a number, got ", v.dump()));
    return v.get<double>();
}

bool ConfigFields::get_bool(const std::string& key, bool fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = json_[key];
    if (!v.is_boolean()) fail_field(key, str_cat("must be true or false, got ", v.dump()));
    return v.get<bool>();
}

std::string ConfigFields::get_string(const std::string& key, const std::string& fallback) const {
    if (!has(key)) return fallback;
    const nlohmann::json& v = json_[key];
    if (!v.is_string()) fail_field(key, str_cat("must be a string, got ", v.dump()));
    return v.get<std::string>();
}

std::vector<int32_t> ConfigFields::get_token_ids(const std::string& key) const {
    std::vector<int32_t> ids;
    if (!has(key)) return ids;
    const nlohmann::json& v = json_[key];
    if (v.is_number_integer()) {
        ids.push_back(v.get<int32_t>());
        return ids;
    }
    if (!v.is_array()) fail_field(key, "must be an integer or a list of integers");
    for (const nlohmann::json& id : v) {
        if (!id.is_number_integer()) fail_field(key, "must be an integer or a list of integers");
        ids.push_back(id.get<int32_t>());
    }
    return ids;
}

std::string ConfigFields::require_string(const std::string& key) const {
    if (!has(key)) fail_field(key, "is required but missing");
    return get_string(key, "");
}

}  // namespace whale
