#include "whale/text/model_text_assets.h"

#include <filesystem>

#include "whale/formats/gguf/gguf_file.h"
#include "whale/model/gguf/tokenizer_metadata.h"
#include "whale/model/registry.h"

namespace whale {

std::string model_files_dir(const std::string& model_path) {
    if (!is_gguf_model_path(model_path)) return model_path;
    const std::filesystem::path dir = std::filesystem::path(model_path).parent_path();
    return dir.empty() ? "." : dir.string();
}

Tokenizer load_model_tokenizer(const std::string& model_path) {
    if (!is_gguf_model_path(model_path)) return Tokenizer::load(model_path);
    const std::filesystem::path beside = std::filesystem::path(model_files_dir(model_path)) / "tokenizer.json";
    if (std::filesystem::is_regular_file(beside)) return Tokenizer::load(beside.string());
    const GgufFile file(model_path);
    return Tokenizer::from_json_text(tokenizer_json_from_gguf(file), model_path + " (tokenizer.ggml.* metadata)");
}

}  // namespace whale
