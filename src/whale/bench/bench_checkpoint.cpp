#include "whale/bench/bench_checkpoint.h"

#include <filesystem>
#include <fstream>
#include <vector>

#include "whale/core/dtype.h"
#include "whale/core/error.h"
#include "whale/core/progress_bar.h"
#include "whale/formats/safetensors/safetensors_writer.h"
#include "whale/core/random_normal.h"

namespace whale {

namespace {

constexpr float weight_stddev = 0.02f;  // DeepSeek's initializer_range

struct PlannedTensor {
    std::string name;
    std::vector<int64_t> shape;  // torch order [out, in]
    bool is_norm = false;        // ones (RMSNorm / LayerNorm weight)
    bool is_bias = false;        // zeros (LayerNorm bias)
};

std::vector<PlannedTensor> plan_tensors(const nlohmann::json& c) {
    const int64_t d = c["hidden_size"], h = c["num_attention_heads"], kq = c["q_lora_rank"], cr = c["kv_lora_rank"];
    const int64_t dn = c["qk_nope_head_dim"], dr = c["qk_rope_head_dim"], dv = c["v_head_dim"];
    const int64_t v = c["vocab_size"], ff = c["intermediate_size"];
    std::vector<PlannedTensor> t;
    t.push_back({"model.embed_tokens.weight", {v, d}});
    for (int l = 0; l < c["num_hidden_layers"].get<int>(); ++l) {
        const std::string p = str_cat("model.layers.", l, ".");
        t.push_back({p + "input_layernorm.weight", {d}, true});
        t.push_back({p + "self_attn.q_a_proj.weight", {kq, d}});
        t.push_back({p + "self_attn.q_a_layernorm.weight", {kq}, true});
        t.push_back({p + "self_attn.q_b_proj.weight", {h * (dn + dr), kq}});
        t.push_back({p + "self_attn.kv_a_proj_with_mqa.weight", {cr + dr, d}});
        t.push_back({p + "self_attn.kv_a_layernorm.weight", {cr}, true});
        t.push_back({p + "self_attn.kv_b_proj.weight", {h * (dn + dv), cr}});
        t.push_back({p + "self_attn.o_proj.weight", {d, h * dv}});
        if (c.contains("index_n_heads")) {
            const int64_t hi = c["index_n_heads"], di = c["index_head_dim"];
            t.push_back({p + "self_attn.indexer.wq_b.weight", {hi * di, kq}});
            t.push_back({p + "self_attn.indexer.wk.weight", {di, d}});
            t.push_back({p + "self_attn.indexer.k_norm.weight", {di}, true});
            t.push_back({p + "self_attn.indexer.k_norm.bias", {di}, false, true});
            t.push_back({p + "self_attn.indexer.weights_proj.weight", {hi, d}});
        }
        t.push_back({p + "post_attention_layernorm.weight", {d}, true});
        t.push_back({p + "mlp.gate_proj.weight", {ff, d}});
        t.push_back({p + "mlp.up_proj.weight", {ff, d}});
        t.push_back({p + "mlp.down_proj.weight", {d, ff}});
    }
    t.push_back({"model.norm.weight", {d}, true});
    t.push_back({"lm_head.weight", {v, d}});
    return t;
}

}  // namespace

nlohmann::json v32_bench_config(int n_layers, bool with_indexer) {
    nlohmann::json c = {
        {"model_type", with_indexer ? "deepseek_v32" : "deepseek_v3"},
        {"vocab_size", 8192},
        {"hidden_size", 7168},
        {"intermediate_size", 2048},
        {"moe_intermediate_size", 2048},
        {"num_hidden_layers", n_layers},
        {"num_attention_heads", 128},
        {"num_key_value_heads", 128},
        {"q_lora_rank", 1536},
        {"kv_lora_rank", 512},
        {"qk_nope_head_dim", 128},
        {"qk_rope_head_dim", 64},
        {"v_head_dim", 128},
        {"n_routed_experts", 0},  // FFN cut to one dense SwiGLU per layer (see the header)
        {"first_k_dense_replace", n_layers},
        {"rms_norm_eps", 1e-6},
        {"max_position_embeddings", 163840},
        {"rope_theta", 10000},
        {"rope_scaling",
         {{"type", "yarn"}, {"factor", 40}, {"original_max_position_embeddings", 4096}, {"beta_fast", 32},
          {"beta_slow", 1}, {"mscale", 1.0}, {"mscale_all_dim", 1.0}}},
        {"bos_token_id", 0},
        {"eos_token_id", 1},
        {"tie_word_embeddings", false},
    };
    if (with_indexer) {
        c["index_n_heads"] = 64;
        c["index_head_dim"] = 128;
        c["index_topk"] = 2048;
    }
    return c;
}

void write_bench_checkpoint(const std::string& dir, const nlohmann::json& config, uint64_t seed, bool show_progress) {
    std::filesystem::create_directories(dir);
    const std::vector<PlannedTensor> plan = plan_tensors(config);
    ProgressBar bar("generating " + std::filesystem::path(dir).filename().string(), int64_t(plan.size()), show_progress);
    std::vector<std::vector<uint16_t>> storage;  // bf16 bits, one vector per tensor
    storage.reserve(plan.size());  // views point into these buffers
    std::vector<TensorView> views;
    std::vector<float> row;
    for (size_t i = 0; i < plan.size(); ++i) {
        const PlannedTensor& t = plan[i];
        const int64_t cols = t.shape.back(), rows = t.shape.size() > 1 ? t.shape[0] : 1;
        std::vector<uint16_t> bits(static_cast<size_t>(rows * cols));
        row.resize(static_cast<size_t>(cols));
        for (int64_t r = 0; r < rows; ++r) {
            if (t.is_norm || t.is_bias)
                std::fill(row.begin(), row.end(), t.is_norm ? 1.0f : 0.0f);
            else
                random_normal_row(row.data(), cols, weight_stddev, seed, uint64_t(i), uint64_t(r));
            for (int64_t k = 0; k < cols; ++k) bits[size_t(r * cols + k)] = f32_to_bf16(row[size_t(k)]);
        }
        storage.push_back(std::move(bits));
        views.push_back({t.name, DType::DType_bf16, t.shape, storage.back().data(), storage.back().size() * 2});
        bar.advance(1);
    }
    bar.finish();
    write_safetensors((std::filesystem::path(dir) / "model.safetensors").string(), views, {{"format", "pt"}});
    std::ofstream(std::filesystem::path(dir) / "config.json") << config.dump(2) << "\n";
}

}  // namespace whale
