#include "whale/runtime/generation_config.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "whale/core/error.h"
#include "whale/text/model_text_assets.h"

namespace whale {

GenerationDefaults generation_defaults_from_model_dir(const std::string& model_dir) {
    GenerationDefaults d;
    const std::filesystem::path path = std::filesystem::path(model_dir) / "generation_config.json";
    if (!std::filesystem::is_regular_file(path)) return d;
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(std::ifstream(path));
    } catch (const nlohmann::json::exception& e) {
        fail(path.string(), ": not valid JSON (", e.what(), ")");
    }
    WHALE_CHECK(j.is_object(), path.string(), ": must be a JSON object");
    auto number = [&](const char* key, double fallback) {
        if (!j.contains(key) || j[key].is_null()) return fallback;
        WHALE_CHECK(j[key].is_number(), path.string(), ": field '", key, "' must be a number");
        return j[key].get<double>();
    };
    const bool sample = j.value("do_sample", false);
    if (sample) {
        d.sampler.temperature = float(number("temperature", 1.0));
        d.sampler.top_p = float(number("top_p", 1.0));
        d.sampler.top_k = int(number("top_k", 0));
        d.sampler.min_p = float(number("min_p", 0.0));
    }
    d.sampler.repetition_penalty = float(number("repetition_penalty", 1.0));
    if (j.contains("max_new_tokens") && j["max_new_tokens"].is_number_integer()) d.max_new_tokens = j["max_new_tokens"];
    return d;
}

GenerationDefaults model_generation_defaults(const std::string& model_path) {
    return generation_defaults_from_model_dir(model_files_dir(model_path));
}

}  // namespace whale
