// Typed access to fields of a Hugging Face config.json, with errors that name the file and field.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace whale {

class ConfigFields {
public:
    ConfigFields(nlohmann::json json, std::string source) : json_(std::move(json)), source_(std::move(source)) {}

    // Reads config.json from a model directory (or the file itself); throws naming the path.
    static ConfigFields load(const std::string& model_path);

    const nlohmann::json& json() const { return json_; }
    const std::string& source() const { return source_; }
    bool has(const std::string& key) const;  // present and not null

    int64_t require_int(const std::string& key) const;
    int64_t get_int(const std::string& key, int64_t fallback) const;
    // Missing and null both give nullopt (DeepSeek writes "q_lora_rank": null for V2-Lite).
    std::optional<int64_t> get_optional_int(const std::string& key) const;
    double get_double(const std::string& key, double fallback) const;
    bool get_bool(const std::string& key, bool fallback) const;
    std::string get_string(const std::string& key, const std::string& fallback) const;
    std::string require_string(const std::string& key) const;
    // An integer or a list of integers (eos_token_id takes both forms); missing gives an empty list.
    std::vector<int32_t> get_token_ids(const std::string& key) const;

    [[noreturn]] void fail_field(const std::string& key, const std::string& message) const;

private:
    nlohmann::json json_;
    std::string source_;
};

}  // namespace whale
