#include "whale/runtime/model_text_assets.h"

#include <filesystem>

#include <nlohmann/json.hpp>

#include "whale/formats/gguf/gguf_file.h"
#include "whale/model/gguf/tokenizer_metadata.h"
#include "whale/model/registry.h"

namespace whale {

namespace {

// The directory that holds a .gguf file: where its companion JSON files would be.
std::filesystem::path gguf_directory(const std::string& gguf_path) {
    const std::filesystem::path dir = std::filesystem::path(gguf_path).parent_path();
    return dir.empty() ? std::filesystem::path(".") : dir;
}

}  // namespace

Tokenizer load_model_tokenizer(const std::string& model_path) {
    if (!is_gguf_model_path(model_path)) return Tokenizer::load(model_path);
    const std::filesystem::path beside = gguf_directory(model_path) / "tokenizer.json";
    if (std::filesystem::is_regular_file(beside)) return Tokenizer::load(beside.string());
    const GgufFile file(model_path);
    return Tokenizer::from_json_text(tokenizer_json_from_gguf(file), model_path + " (tokenizer.ggml.* metadata)");
}

ChatFormat detect_model_chat_format(const std::string& model_path) {
    if (!is_gguf_model_path(model_path)) return detect_chat_format(model_path);
    const std::filesystem::path dir = gguf_directory(model_path);
    if (std::filesystem::is_regular_file(dir / "tokenizer_config.json")) return detect_chat_format(dir.string());
    const GgufFile file(model_path);
    // Whale writes the Hugging Face model_type under its own key; llama.cpp's files are V3-style.
    const GgufValue* model_type = file.find_value("whale.deepseek.model_type");
    const nlohmann::json config = {
        {"model_type", model_type && model_type->type == GgufType::GgufType_string ? model_type->as_string() : "deepseek_v3"}};
    return detect_chat_format_from(config.dump(), tokenizer_config_json_from_gguf(file), model_path);
}

GenerationDefaults model_generation_defaults(const std::string& model_path) {
    return generation_defaults_from_model_dir(is_gguf_model_path(model_path) ? gguf_directory(model_path).string()
                                                                              : model_path);
}

}  // namespace whale
