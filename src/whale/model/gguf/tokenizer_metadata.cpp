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

// The DeepSeek-V3 pre-tokenizer (docs/interfaces/tokenizer.md, 'Pre-tokenizer'), which llama.cpp
// calls "deepseek-v3".
nlohmann::json deepseek_v3_pre_tokenizer() {
    auto split = [](const char* regex) {
        return nlohmann::json{{"type", "Split"}, {"pattern", {{"Regex", regex}}}, {"behavior", "Isolated"}, {"invert", false}};
    };
    return {{"type", "Sequence"},
            {"pretokenizers",
             {split(R"(\p{N}{1,3})"), split("[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"),
              split("[!\"#$%&'()*+,\\-./:;<=>?@\\[\\\\\\]^_`{|}~][A-Za-z]+|[^\r\n\\p{L}\\p{P}\\p{S}]?[\\p{L}\\p{M}]+|"
                    " ?[\\p{P}\\p{S}]+[\r\n]*|\\s*[\r\n]+|\\s+(?!\\S)|\\s+"),
              {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"trim_offsets", true}, {"use_regex", false}}}}};
}

const GgufValue& array_key(const GgufFile& f, const std::string& key, GgufType element) {
    const GgufValue* v = f.find_value(key);
    WHALE_CHECK(v, f.path(), ": no ", key, " metadata, so no tokenizer can be rebuilt from it; put the model's ",
                "tokenizer.json next to the .gguf file");
    WHALE_CHECK(v->type == GgufType::GgufType_array && v->array_type == element, f.path(), ": ", key,
                " is not an array of the expected type");
    return *v;
}

}  // namespace

std::string tokenizer_json_from_gguf(const GgufFile& f) {
    const GgufValue* model = f.find_value("tokenizer.ggml.model");
    WHALE_CHECK(model && model->type == GgufType::GgufType_string && model->as_string() == "gpt2", f.path(),
                ": tokenizer.ggml.model is ", model ? "'" + (model->type == GgufType::GgufType_string ? model->as_string() : "?") + "'" : "missing",
                "; only byte-level BPE ('gpt2') can be rebuilt; put the model's tokenizer.json next to the .gguf file");
    const GgufValue* pre = f.find_value("tokenizer.ggml.pre");
    const std::string pre_name = pre && pre->type == GgufType::GgufType_string ? pre->as_string() : "";
    WHALE_CHECK(pre_name == "deepseek-v3", f.path(), ": tokenizer.ggml.pre is '", pre_name,
                "'; Whale rebuilds only the 'deepseek-v3' pre-tokenizer from GGUF metadata; put the model's ",
                "tokenizer.json next to the .gguf file");
    const GgufValue& tokens = array_key(f, "tokenizer.ggml.tokens", GgufType::GgufType_string);
    const GgufValue& merges = array_key(f, "tokenizer.ggml.merges", GgufType::GgufType_string);
    const GgufValue* types = f.find_value("tokenizer.ggml.token_type");
    WHALE_CHECK(!types || (types->type == GgufType::GgufType_array && types->array.size() == tokens.array.size() &&
                           types->array_type == GgufType::GgufType_int32),
                f.path(), ": tokenizer.ggml.token_type must be one int32 per token (", tokens.array.size(), ")");

    nlohmann::json vocab = nlohmann::json::object(), added = nlohmann::json::array();
    for (size_t id = 0; id < tokens.array.size(); ++id) {
        const std::string& text = tokens.array[id].as_string();
        const int64_t type = types ? types->array[id].as_i64() : 1;
        if (type == 3 || type == 4) {  // control / user-defined: matched as whole strings before BPE
            added.push_back({{"id", id}, {"content", text}, {"single_word", false}, {"lstrip", false},
                             {"rstrip", false}, {"normalized", type == 4}, {"special", type == 3}});
        } else if (type == 1) {
            WHALE_CHECK(!vocab.contains(text), f.path(), ": tokenizer.ggml.tokens has '", text, "' twice (ids ",
                        vocab[text].get<int64_t>(), " and ", id, ")");
            vocab[text] = id;
        }  // 5 (unused) and others name no token
    }
    nlohmann::json merge_list = nlohmann::json::array();
    for (const GgufValue& m : merges.array) merge_list.push_back(m.as_string());

    const nlohmann::json tokenizer = {
        {"version", "1.0"},
        {"added_tokens", added},
        {"normalizer", nullptr},
        {"pre_tokenizer", deepseek_v3_pre_tokenizer()},
        {"decoder", {{"type", "ByteLevel"}, {"add_prefix_space", true}, {"trim_offsets", true}, {"use_regex", true}}},
        {"model", {{"type", "BPE"}, {"dropout", nullptr}, {"unk_token", nullptr}, {"continuing_subword_prefix", nullptr},
                   {"end_of_word_suffix", nullptr}, {"fuse_unk", false}, {"byte_fallback", false},
                   {"vocab", vocab}, {"merges", merge_list}}}};
    return tokenizer.dump();
}

std::string tokenizer_config_json_from_gguf(const GgufFile& f) {
    nlohmann::json config = nlohmann::json::object();
    if (const GgufValue* t = f.find_value("tokenizer.chat_template"); t && t->type == GgufType::GgufType_string)
        config["chat_template"] = t->as_string();
    if (const GgufValue* b = f.find_value("tokenizer.ggml.add_bos_token"); b && b->type == GgufType::GgufType_bool)
        config["add_bos_token"] = b->as_bool();
    return config.dump();
}

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
    add("tokenizer.ggml.pre", gguf_string(c.tokenizer_pre));
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
