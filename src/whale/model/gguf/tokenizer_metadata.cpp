#include "whale/model/gguf/tokenizer_metadata.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "whale/core/error.h"

namespace whale {

namespace {

nlohmann::json read_json(const std::filesystem::path& path) {
    std::ifstream in(path);
    WHALE_CHECK(in, "cannot open ", path.string());
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(str_cat(path.string(), ": invalid JSON: ", e.what()));
    }
}

}  // namespace

std::vector<GgufKeyValue> tokenizer_metadata(const std::string& hf_dir, const DeepseekConfig& c) {
    const std::filesystem::path dir(hf_dir), tokenizer_path = dir / "tokenizer.json";
    if (!std::filesystem::exists(tokenizer_path)) return {};
    const nlohmann::json tokenizer = read_json(tokenizer_path);
    const nlohmann::json& model = tokenizer["model"];
    WHALE_CHECK(model.value("type", "") == "BPE" && model.contains("vocab") && model["vocab"].is_object(),
                tokenizer_path.string(), ": model must be BPE with a vocab object");

    const size_t n = size_t(c.vocab_size);
    std::vector<std::string> tokens(n);
    std::vector<int32_t> types(n, 5);  // unused until an entry defines the id
    auto define = [&](int64_t id, const std::string& text, int32_t type) {
        WHALE_CHECK(id >= 0 && size_t(id) < n, tokenizer_path.string(), ": token '", text, "' has id ", id,
                    " outside vocab_size ", n);
        tokens[size_t(id)] = text;
        types[size_t(id)] = type;
    };
    for (const auto& [text, id] : model["vocab"].items()) define(id.get<int64_t>(), text, 1);
    for (const nlohmann::json& added : tokenizer.value("added_tokens", nlohmann::json::array()))
        define(added["id"].get<int64_t>(), added["content"].get<std::string>(), added.value("special", false) ? 3 : 4);
    for (size_t id = 0; id < n; ++id)
        if (types[id] == 5) tokens[id] = str_cat("[PAD", id, "]");

    std::vector<std::string> merges;
    for (const nlohmann::json& merge : model.value("merges", nlohmann::json::array()))
        merges.push_back(merge.is_string() ? merge.get<std::string>()
                                           : merge[0].get<std::string>() + " " + merge[1].get<std::string>());

    std::vector<GgufKeyValue> m;
    auto add = [&m](const std::string& k, GgufValue v) { m.push_back({k, std::move(v)}); };
    add("tokenizer.ggml.model", gguf_string("gpt2"));
    add("tokenizer.ggml.pre", gguf_string(c.model_type == "deepseek_v2" ? "deepseek-llm" : "deepseek-v3"));
    add("tokenizer.ggml.tokens", gguf_string_array(tokens));
    std::vector<GgufValue> type_values;
    for (int32_t t : types) type_values.push_back(gguf_i32(t));
    add("tokenizer.ggml.token_type", gguf_array(GgufType::GgufType_int32, type_values));
    add("tokenizer.ggml.merges", gguf_string_array(merges));
    if (c.bos_token_id >= 0) add("tokenizer.ggml.bos_token_id", gguf_u32(uint32_t(c.bos_token_id)));
    if (!c.eos_token_ids.empty()) add("tokenizer.ggml.eos_token_id", gguf_u32(uint32_t(c.eos_token_ids[0])));
    const std::filesystem::path config_path = dir / "tokenizer_config.json";
    if (std::filesystem::exists(config_path)) {
        const nlohmann::json config = read_json(config_path);
        add("tokenizer.ggml.add_bos_token", gguf_bool(config.value("add_bos_token", true)));
        if (config.contains("chat_template") && config["chat_template"].is_string())
            add("tokenizer.chat_template", gguf_string(config["chat_template"].get<std::string>()));
    }
    return m;
}

}  // namespace whale
