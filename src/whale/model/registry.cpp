#include "whale/model/registry.h"

#include "whale/core/error.h"
#include "whale/formats/json/config_fields.h"
#include "whale/model/deepseek_v3/model.h"
#include "whale/model/deepseek_v32/model.h"
#include "whale/model/dense_gqa/model.h"
#include "whale/model/gguf/deepseek2_import.h"

namespace whale {

namespace {

using Factory = std::unique_ptr<CausalLM> (*)(const std::string& path, const ConfigFields& fields,
                                               const LoadOptions& options);

template <typename Model>
std::unique_ptr<CausalLM> make(const std::string& path, const ConfigFields& fields, const LoadOptions& options) {
    return std::make_unique<Model>(path, fields, options);
}

struct Registration {
    const char* model_type;
    Factory factory;
};

// One line per config.json model_type.
constexpr Registration registrations[] = {
    {"deepseek_v2", make<DeepseekV3Model>},
    {"deepseek_v3", make<DeepseekV3Model>},
    {"deepseek_v32", make<DeepseekV32Model>},
    {"qwen2", make<DenseGqaModel>},
    {"llama", make<DenseGqaModel>},
    {"qwen3", make<DenseGqaModel>},
};

}  // namespace

std::vector<std::string> supported_model_types() {
    std::vector<std::string> out;
    for (const Registration& r : registrations) out.push_back(r.model_type);
    return out;
}

bool is_gguf_model_path(const std::string& model_path) {
    return model_path.size() > 5 && model_path.compare(model_path.size() - 5, 5, ".gguf") == 0;
}

std::unique_ptr<CausalLM> load_causal_lm(const std::string& model_path, const LoadOptions& options) {
    // A single .gguf file carries its own config (only the deepseek2 architecture is read).
    if (is_gguf_model_path(model_path))
        return load_deepseek_gguf(model_path, options);
    ConfigFields fields = ConfigFields::load(model_path);
    const std::string model_type = fields.require_string("model_type");
    for (const Registration& r : registrations)
        if (model_type == r.model_type) return r.factory(model_path, fields, options);
    std::string supported;
    for (const std::string& t : supported_model_types()) supported += (supported.empty() ? "" : ", ") + t;
    fields.fail_field("model_type", str_cat("is '", model_type, "', which Whale does not support (supported: ",
                                            supported, ")"));
}

}  // namespace whale
