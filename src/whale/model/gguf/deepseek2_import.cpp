#include "whale/model/gguf/deepseek2_import.h"

#include "whale/core/error.h"
#include "whale/core/huge_page_arena.h"
#include "whale/core/mapped_file.h"
#include "whale/core/system_memory.h"
#include "whale/formats/gguf/gguf_file.h"
#include "whale/kernels/quant/q8_0_x8.h"
#include "whale/model/deepseek_v3/model.h"
#include "whale/model/gguf/deepseek2_keys.h"

namespace whale {

namespace {

std::string shape_string(const std::vector<int64_t>& ne) {
    std::string s = "[";
    for (size_t i = 0; i < ne.size(); ++i) s += str_cat(i ? ", " : "", ne[i]);
    return s + "]";
}

// The file plus the converted tensors the weights point into; the model keeps it alive.
struct GgufStorage {
    explicit GgufStorage(const std::string& path) : file(path) {}
    GgufFile file;
    std::vector<std::vector<float>> owned;
    HugePageArena interleaved;  // Q8_0x8 copies of the Q8_0 matrices the matmuls read
    uint64_t bytes = 0;
};

class GgufWeightReader {
public:
    GgufWeightReader(GgufStorage& storage, const LoadOptions& options) : s_(storage), options_(options) {
        for (const GgufTensor& t : s_.file.tensors()) total_ += t.nbytes;
        // The interleaved copies live in anonymous memory beside the mapped file; a model that
        // does not fit runs from the mapping alone.
        if (!fits_in_memory(total_)) options_.interleave_q8_0 = false;
    }

    bool has(const std::string& name) const { return s_.file.find(name) != nullptr; }

    // A tensor of exactly `ne` (ggml order) in one of the types WeightMatrix reads.
    const GgufTensor& tensor(const std::string& name, const std::vector<int64_t>& ne) {
        const GgufTensor* t = s_.file.find(name);
        WHALE_CHECK(t, s_.file.path(), ": tensor '", name, "' is missing");
        WHALE_CHECK(t->ne == ne, s_.file.path(), ": tensor '", name, "' has shape ", shape_string(t->ne),
                    " (ggml order), expected ", shape_string(ne));
        const DType d = t->dtype;
        WHALE_CHECK(d == DType::DType_f32 || d == DType::DType_f16 || d == DType::DType_bf16 || dtype_is_quantized(d),
                    s_.file.path(), ": tensor '", name, "' has type ", ggml_type_name(t->ggml_type),
                    ", expected F32, F16, BF16, Q8_0, Q4_K or Q6_K");
        s_.bytes += t->nbytes;
        if (options_.progress) options_.progress(s_.bytes, total_);
        return *t;
    }
    WeightMatrix matrix(const std::string& name, int64_t rows, int64_t cols) {
        return as_matrix(tensor(name, {cols, rows}), rows, cols);
    }
    Linear linear(const std::string& name, int64_t rows, int64_t cols) {
        return Linear{interleaved(matrix(name, rows, cols)), {}};
    }
    // w, given an interleaved copy when it is a Q8_0 matrix that matmul reads (and the options
    // allow): not the embedding, whose rows are looked up, nor attn_k_b / attn_v_b.
    WeightMatrix interleaved(WeightMatrix w) {
        if (!options_.interleave_q8_0 || w.dtype != DType::DType_q8_0 || w.rows < 8) return w;
        auto* out = static_cast<BlockQ8_0x8*>(s_.interleaved.allocate(q8_0_x8_bytes(w.rows, w.cols)));
        pack_q8_0_x8(out, static_cast<const BlockQ8_0*>(w.data), w.rows, w.cols);
        w.q8_0_x8 = out;
        // The matmuls now read the copy (the plain rows only for a tail of rows % 8): without
        // this the process would keep both resident, twice the model's size.
        if (s_.file.is_mapped()) release_mapped_pages(w.data, size_t(w.rows / 8 * 8 * w.row_bytes()));
        return w;
    }
    std::vector<float> vector(const std::string& name, int64_t n) {
        std::vector<float> out(static_cast<size_t>(n));
        weight_dequantize_row(out.data(), as_matrix(tensor(name, {n}), 1, n), 0);
        return out;
    }
    // Expert e of a stacked [E, rows, cols] tensor (ggml ne {cols, rows, E}).
    std::vector<WeightMatrix> stacked(const std::string& name, int64_t n, int64_t rows, int64_t cols) {
        const WeightMatrix all = as_matrix(tensor(name, {cols, rows, n}), rows * n, cols);
        std::vector<WeightMatrix> out;
        for (int64_t e = 0; e < n; ++e) out.push_back(interleaved(weight_row_slice(all, e * rows, rows)));
        return out;
    }
    // kv_b_proj [H·(Dn+Dv), C] from attn_k_b {Dn, C, H} and attn_v_b {C, Dv, H}, or attn_kv_b.
    // Q8_0 k_b and v_b are also kept as they are in a.k_b and a.v_b for absorbed decode.
    Linear kv_b(MlaWeights& a, const std::string& p, int64_t h, int64_t dn, int64_t dv, int64_t c) {
        if (!has(p + "attn_k_b.weight") && has(p + "attn_kv_b.weight"))
            return linear(p + "attn_kv_b.weight", h * (dn + dv), c);
        const WeightMatrix k_b = as_matrix(tensor(p + "attn_k_b.weight", {dn, c, h}), h * c, dn);
        const WeightMatrix v_b = as_matrix(tensor(p + "attn_v_b.weight", {c, dv, h}), h * dv, c);
        if (k_b.dtype == DType::DType_q8_0 && v_b.dtype == DType::DType_q8_0) {
            a.k_b = k_b;
            a.v_b = v_b;
        }
        std::vector<float>& out = s_.owned.emplace_back(size_t(h * (dn + dv) * c));
        std::vector<float> row(size_t(std::max(dn, c)));
        for (int64_t head = 0; head < h; ++head) {
            float* block = out.data() + head * (dn + dv) * c;  // [Dn+Dv, C]
            for (int64_t latent = 0; latent < c; ++latent) {
                weight_dequantize_row(row.data(), k_b, head * c + latent);
                for (int64_t j = 0; j < dn; ++j) block[j * c + latent] = row[size_t(j)];
            }
            for (int64_t j = 0; j < dv; ++j) weight_dequantize_row(block + (dn + j) * c, v_b, head * dv + j);
        }
        WeightMatrix w;
        w.rows = h * (dn + dv);
        w.cols = c;
        w.data = out.data();
        return Linear{w, {}};
    }

private:
    WeightMatrix as_matrix(const GgufTensor& t, int64_t rows, int64_t cols) {
        WeightMatrix w;
        w.dtype = t.dtype;
        w.rows = rows;
        w.cols = cols;
        w.data = t.data;
        return w;
    }

    GgufStorage& s_;
    LoadOptions options_;
    uint64_t total_ = 0;
};

SwigluWeights swiglu(GgufWeightReader& r, const std::string& p, const std::string& suffix, int64_t d, int64_t i) {
    SwigluWeights w;
    w.gate_proj = r.linear(p + "ffn_gate" + suffix + ".weight", i, d);
    w.up_proj = r.linear(p + "ffn_up" + suffix + ".weight", i, d);
    w.down_proj = r.linear(p + "ffn_down" + suffix + ".weight", d, i);
    return w;
}

DecoderLayerWeights load_layer(GgufWeightReader& r, const DeepseekConfig& c, int layer) {
    const std::string p = str_cat("blk.", layer, ".");
    const int64_t d = c.hidden_size, h = c.num_attention_heads;
    DecoderLayerWeights w;
    w.input_layernorm = r.vector(p + "attn_norm.weight", d);
    MlaWeights& a = w.self_attn;
    if (c.q_lora_rank > 0) {
        a.q_a_proj = r.linear(p + "attn_q_a.weight", c.q_lora_rank, d);
        a.q_a_layernorm = r.vector(p + "attn_q_a_norm.weight", c.q_lora_rank);
        a.q_b_proj = r.linear(p + "attn_q_b.weight", h * c.qk_head_dim(), c.q_lora_rank);
    } else {
        a.q_proj = r.linear(p + "attn_q.weight", h * c.qk_head_dim(), d);
    }
    a.kv_a_proj_with_mqa = r.linear(p + "attn_kv_a_mqa.weight", c.latent_cache_width(), d);
    a.kv_a_layernorm = r.vector(p + "attn_kv_a_norm.weight", c.kv_lora_rank);
    a.kv_b_proj = r.kv_b(a, p, h, c.qk_nope_head_dim, c.v_head_dim, c.kv_lora_rank);
    a.o_proj = r.linear(p + "attn_output.weight", d, h * c.v_head_dim);
    w.post_attention_layernorm = r.vector(p + "ffn_norm.weight", d);
    w.is_moe = c.layer_is_moe(layer);
    if (!w.is_moe) {
        w.mlp = swiglu(r, p, "", d, c.intermediate_size);
        return w;
    }
    const int64_t e = c.n_routed_experts, ie = c.moe_intermediate_size;
    w.moe.gate = r.matrix(p + "ffn_gate_inp.weight", e, d);
    if (c.topk_method == TopkMethod::TopkMethod_noaux_tc) w.moe.e_score_correction_bias = r.vector(p + "exp_probs_b.bias", e);
    std::vector<WeightMatrix> gate = r.stacked(p + "ffn_gate_exps.weight", e, ie, d);
    std::vector<WeightMatrix> up = r.stacked(p + "ffn_up_exps.weight", e, ie, d);
    std::vector<WeightMatrix> down = r.stacked(p + "ffn_down_exps.weight", e, d, ie);
    for (int64_t i = 0; i < e; ++i) {
        SwigluWeights expert;
        expert.gate_proj.weight = gate[size_t(i)];
        expert.up_proj.weight = up[size_t(i)];
        expert.down_proj.weight = down[size_t(i)];
        w.moe.experts.push_back(expert);
    }
    if (c.n_shared_experts > 0) w.moe.shared_experts = swiglu(r, p, "_shexp", d, c.n_shared_experts * ie);
    return w;
}

}  // namespace

std::unique_ptr<CausalLM> load_deepseek_gguf(const std::string& path, const DeepseekRules& rules,
                                             const LoadOptions& options) {
    auto storage = std::make_shared<GgufStorage>(path);
    DeepseekConfig config = deepseek_config_from_gguf(storage->file, rules);
    GgufWeightReader reader(*storage, options);
    DeepseekWeights w;
    w.embed_tokens = reader.matrix("token_embd.weight", config.vocab_size, config.hidden_size);
    for (int l = 0; l < config.num_hidden_layers; ++l) w.layers.push_back(load_layer(reader, config, l));
    w.norm = reader.vector("output_norm.weight", config.hidden_size);
    w.lm_head = reader.has("output.weight") || !config.tie_word_embeddings
                    ? reader.interleaved(reader.matrix("output.weight", config.vocab_size, config.hidden_size))
                    : w.embed_tokens;
    const uint64_t bytes = storage->bytes;
    return std::make_unique<DeepseekV3Model>(std::move(config), std::move(w), std::move(storage), bytes);
}

}  // namespace whale
