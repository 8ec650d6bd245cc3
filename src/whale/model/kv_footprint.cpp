#include "whale/model/kv_footprint.h"

#include <algorithm>

#include "whale/core/error.h"

namespace whale {

namespace {

double value_bytes(KvDtype d) {
    switch (d) {
        case KvDtype::KvDtype_f32: return 4.0;
        case KvDtype::KvDtype_fp8: return 1.0;
        default: return 2.0;
    }
}

// The MLA row: latent + rope key. FP8 deployment layout (docs/models/kv_footprint.md,
// 'Per token per layer'): 512 e4m3 latent values, one fp32 scale per 128 of them, and the rope key
// kept in bf16.
double mla_row_bytes(const KvArchitecture& a, KvDtype d) {
    if (d == KvDtype::KvDtype_fp8) return double(a.kv_lora_rank) + 4.0 * double((a.kv_lora_rank + 127) / 128) + 2.0 * double(a.rope_dim);
    return double(a.kv_lora_rank + a.rope_dim) * value_bytes(d);
}

// The V3.2 index key: the reference caches it as e4m3 with one fp32 scale whatever the latent's
// dtype; Whale's f32 reference cache keeps it in f32.
double v32_index_key_bytes(const KvArchitecture& a, KvDtype d) {
    if (d == KvDtype::KvDtype_f32) return 4.0 * double(a.index_head_dim);
    return double(a.index_head_dim) + 4.0;
}

// V4 rows: window and compressed entries share one layout. FP8: 448 e4m3 + 64 bf16 rope dims +
// 7 e8m0 scales + 1 pad = 584 B; indexer key FP4: 64 B + 4 scale bytes (a third-party
// description, unverified: docs/models/kv_footprint.md, 'V4').
double v4_entry_bytes(const KvArchitecture& a, KvDtype d) {
    return d == KvDtype::KvDtype_fp8 ? 584.0 : double(a.v4_entry_dim) * value_bytes(d);
}
double v4_index_key_bytes(const KvArchitecture& a, KvDtype d) {
    return d == KvDtype::KvDtype_fp8 ? 68.0 : double(a.index_head_dim) * value_bytes(d);
}

std::vector<int> v4_schedule(int n_layers, bool pro) {
    std::vector<int> ratios;
    for (int l = 0; l < n_layers; ++l) {
        if (l < 2) ratios.push_back(pro ? 128 : 0);
        else ratios.push_back(l % 2 == 0 ? 4 : 128);
    }
    return ratios;
}

}  // namespace

std::vector<KvScheme> kv_schemes(const KvArchitecture& a, KvDtype d) {
    std::vector<KvScheme> out;
    const double layers = a.n_layers;
    KvScheme mha{"mha", "per-head K and V (what a non-absorbed cache such as HF's DynamicCache holds)"};
    mha.bytes_per_token = layers * double(a.n_heads) * double(a.qk_head_dim + a.v_head_dim) * value_bytes(d);
    out.push_back(mha);
    if (a.n_kv_heads > 0) {
        KvScheme gqa{"gqa", "grouped-query K and V per KV head"};
        gqa.bytes_per_token = layers * 2.0 * double(a.n_kv_heads * a.gqa_head_dim) * value_bytes(d);
        gqa.engine = true;
        out.push_back(gqa);
    }
    if (a.kv_lora_rank > 0) {
        KvScheme mla{"mla", "MLA latent + rope key (absorbed attention)"};
        mla.bytes_per_token = layers * mla_row_bytes(a, d);
        mla.engine = a.index_head_dim == 0 && a.compress_ratios.empty();
        out.push_back(mla);
        if (a.index_head_dim > 0) {
            KvScheme dsa{"mla+indexer", "V3.2: MLA latent + lightning-indexer key"};
            dsa.bytes_per_token = layers * (mla_row_bytes(a, d) + v32_index_key_bytes(a, d));
            dsa.engine = a.compress_ratios.empty();
            out.push_back(dsa);
        }
    }
    if (!a.compress_ratios.empty()) {
        KvScheme v4{"v4", "V4: sliding window + compressed entries (CSA 4x with indexer keys, HCA 128x)"};
        for (int ratio : a.compress_ratios) {
            v4.fixed_bytes += double(a.window) * v4_entry_bytes(a, d);
            if (ratio == 4) v4.bytes_per_token += (v4_entry_bytes(a, d) + v4_index_key_bytes(a, d)) / 4.0;
            if (ratio == 128) v4.bytes_per_token += v4_entry_bytes(a, d) / 128.0;
        }
        out.push_back(v4);
    }
    return out;
}

KvAttentionWork kv_attention_work(const KvArchitecture& a, int64_t ctx) {
    KvAttentionWork w;
    const double t = double(ctx);
    w.dense_keys = double(a.n_layers) * t;
    if (!a.compress_ratios.empty()) {
        for (int ratio : a.compress_ratios) {
            const double window = std::min<double>(double(a.window), t);
            if (ratio == 0) w.own_keys += window;
            if (ratio == 4) {
                w.own_keys += window + std::min<double>(double(a.index_topk), t / 4.0);
                w.indexer_keys += t / 4.0;
            }
            if (ratio == 128) w.own_keys += window + t / 128.0;
        }
    } else if (a.index_head_dim > 0) {
        w.own_keys = double(a.n_layers) * std::min<double>(double(a.index_topk), t);
        w.indexer_keys = double(a.n_layers) * t;
    } else {
        w.own_keys = w.dense_keys;
    }
    return w;
}

std::vector<std::string> kv_preset_names() { return {"v2-lite", "v2", "v3", "v3.2", "v4-flash", "v4-pro", "chart"}; }

KvArchitecture kv_preset(const std::string& name) {
    KvArchitecture a;
    a.name = name;
    auto mla = [&](int layers, int64_t heads) {
        a.n_layers = layers;
        a.n_heads = heads;
        a.qk_head_dim = 192;
        a.v_head_dim = 128;
        a.kv_lora_rank = 512;
        a.rope_dim = 64;
    };
    auto v4 = [&](int layers, int64_t heads, bool pro, int64_t topk) {
        a.n_layers = layers;
        a.n_heads = heads;
        a.qk_head_dim = a.v_head_dim = 512;
        a.v4_entry_dim = 512;
        a.window = 128;
        a.index_head_dim = 128;
        a.index_topk = topk;
        a.compress_ratios = v4_schedule(layers, pro);
    };
    if (name == "v2-lite") mla(27, 16);
    else if (name == "v2") mla(60, 128);
    else if (name == "v3") mla(61, 128);
    else if (name == "v3.2") {
        mla(61, 128);
        a.index_head_dim = 128;
        a.index_topk = 2048;
    } else if (name == "v4-flash") v4(43, 64, false, 512);
    else if (name == "v4-pro") v4(61, 128, true, 1024);
    else if (name == "chart") {
        // The generations chart: one model size (60 layers, 128 heads, d_head 128) cached four ways.
        mla(60, 128);
        a.qk_head_dim = a.v_head_dim = 128;
        a.index_head_dim = 128;
        a.index_topk = 2048;
        a.v4_entry_dim = 512;
        a.window = 128;
        for (int l = 0; l < 60; ++l) a.compress_ratios.push_back(l % 2 == 0 ? 4 : 128);
    } else {
        std::string names;
        for (const std::string& n : kv_preset_names()) names += (names.empty() ? "" : ", ") + n;
        fail("unknown preset '", name, "' (expected one of ", names, ")");
    }
    return a;
}

KvDtype kv_dtype_from_name(const std::string& name) {
    if (name == "f32") return KvDtype::KvDtype_f32;
    if (name == "bf16") return KvDtype::KvDtype_bf16;
    if (name == "fp16" || name == "f16") return KvDtype::KvDtype_fp16;
    if (name == "fp8") return KvDtype::KvDtype_fp8;
    fail("unknown cache dtype '", name, "' (expected f32, bf16, fp16 or fp8)");
}

const char* kv_dtype_name(KvDtype d) {
    switch (d) {
        case KvDtype::KvDtype_f32: return "f32";
        case KvDtype::KvDtype_bf16: return "bf16";
        case KvDtype::KvDtype_fp16: return "fp16";
        case KvDtype::KvDtype_fp8: return "fp8";
    }
    return "?";
}

}  // namespace whale
