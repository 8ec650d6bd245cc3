#include "whale/model/registry.h"

#include "whale/core/error.h"
#include "whale/model/deepseek_v2/generation.h"
#include "whale/model/deepseek_v3/generation.h"
#include "whale/model/deepseek_v32/generation.h"
#include "whale/model/deepseek_v4/generation.h"
#include "whale/model/dense_gqa/generation.h"

namespace whale {

namespace {

// One line per config.json model_type.
constexpr const ModelGeneration& (*generations[])() = {
    deepseek_v2_generation,
    deepseek_v3_generation,
    deepseek_v32_generation,
    deepseek_v4_generation,
    qwen2_generation,
    llama_generation,
    qwen3_generation,
};

// "a, b, c": the model types whose entry `keep` accepts, for error messages.
template <typename Predicate>
std::string model_types_where(Predicate keep) {
    std::string out;
    for (auto generation : generations)
        if (keep(generation())) out += str_cat(out.empty() ? "" : ", ", generation().model_type);
    return out;
}

}  // namespace

std::vector<std::string> supported_model_types() {
    std::vector<std::string> out;
    for (auto generation : generations)
        if (generation().load) out.push_back(generation().model_type);
    return out;
}

bool is_gguf_model_path(const std::string& model_path) {
    return model_path.size() > 5 && model_path.compare(model_path.size() - 5, 5, ".gguf") == 0;
}

const ModelGeneration* find_model_generation(const std::string& model_type) {
    for (auto generation : generations)
        if (model_type == generation().model_type) return &generation();
    return nullptr;
}

const ModelGeneration* find_config_generation(const nlohmann::json& config) {
    if (const ModelGeneration* g = find_model_generation(config.value("model_type", ""))) return g;
    if (auto names = config.find("architectures"); names != config.end() && names->is_array())
        for (const auto& name : *names)
            for (auto generation : generations)
                if (name.is_string() && name.get<std::string>() == generation().hf_architecture) return &generation();
    return nullptr;
}

std::string gguf_model_type(const GgufFile& file) {
    const std::string architecture = file.get_string("general.architecture");
    const ModelGeneration* fallback = nullptr;
    std::string known;
    for (auto generation : generations) {
        const GgufLayout& gguf = generation().gguf;
        if (!gguf.architecture) continue;
        if (known.find(gguf.architecture) == std::string::npos) known += str_cat(known.empty() ? "" : ", ", gguf.architecture);
        if (architecture != gguf.architecture) continue;
        const GgufValue* named = file.find_value(gguf.model_type_key);
        if (named && named->type == GgufType::GgufType_string) return named->as_string();
        if (gguf.is_default) fallback = &generation();
    }
    WHALE_CHECK(fallback, file.path(), ": general.architecture is '", architecture, "'; Whale reads ", known);
    return fallback->model_type;
}

std::unique_ptr<CausalLM> load_causal_lm(const std::string& model_path, const LoadOptions& options) {
    // A single .gguf file carries its own config.
    if (is_gguf_model_path(model_path)) {
        const std::string model_type = gguf_model_type(GgufFile(model_path));
        const ModelGeneration* generation = find_model_generation(model_type);
        WHALE_CHECK(generation && generation->gguf.load, model_path, ": model_type '", model_type,
                    "' has no GGUF layout Whale reads (it reads ", model_types_where([](const ModelGeneration& g) { return g.gguf.load != nullptr; }), ")");
        return generation->gguf.load(model_path, options);
    }
    ConfigFields fields = ConfigFields::load(model_path);
    const std::string model_type = fields.require_string("model_type");
    const ModelGeneration* generation = find_model_generation(model_type);
    if (!generation || !generation->load)
        fields.fail_field("model_type", str_cat("is '", model_type, "', which Whale does not support (supported: ",
                                                model_types_where([](const ModelGeneration& g) { return g.load != nullptr; }), ")"));
    return generation->load(model_path, fields, options);
}

KvArchitecture kv_architecture_from_config(const ConfigFields& config) {
    const std::string model_type = config.require_string("model_type");
    const ModelGeneration* generation = find_model_generation(model_type);
    if (!generation || !generation->kv_architecture)
        config.fail_field("model_type", str_cat("is '", model_type, "'; whale kv knows ",
                                                model_types_where([](const ModelGeneration& g) { return g.kv_architecture != nullptr; })));
    return generation->kv_architecture(config);
}

GgufWriteSummary convert_to_gguf(const std::string& hf_dir, const std::string& out_path, GgufFileType type,
                                 bool show_progress) {
    const ConfigFields fields = ConfigFields::load(hf_dir);
    const std::string model_type = fields.require_string("model_type");
    const ModelGeneration* generation = find_model_generation(model_type);
    WHALE_CHECK(generation && generation->gguf.convert, hf_dir, ": model_type '", model_type,
                "' has no GGUF layout (Whale converts ",
                model_types_where([](const ModelGeneration& g) { return g.gguf.convert != nullptr; }), ")");
    return generation->gguf.convert(hf_dir, fields, out_path, type, show_progress);
}

}  // namespace whale
