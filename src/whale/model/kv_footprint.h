// KV-cache arithmetic across DeepSeek generations (docs/models/kv_footprint.md): bytes per token
// and per sequence for each caching scheme, and how many keys attention scores per generated token.
// Pure arithmetic from architecture numbers, so `whale kv` can answer for models that are not
// on disk (presets) and tests can check it against what the engine really allocates. A model
// directory's architecture comes from its generation's registry entry (registry.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace whale {

// fp8 follows the deployment layouts of docs/models/kv_footprint.md (e4m3 values plus their
// scales); f32 is what Whale's reference caches hold today.
enum class KvDtype { KvDtype_f32, KvDtype_bf16, KvDtype_fp16, KvDtype_fp8 };

struct KvArchitecture {
    std::string name;
    int n_layers = 0;
    int64_t n_heads = 0;          // query heads
    int64_t qk_head_dim = 0;      // per-head key width of the MHA-equivalent cache
    int64_t v_head_dim = 0;       // per-head value width of the MHA-equivalent cache
    int64_t kv_lora_rank = 0;     // MLA latent c (0 = not MLA)
    int64_t rope_dim = 0;         // MLA decoupled rope key
    int64_t index_head_dim = 0;   // V3.2 / V4 indexer key width (0 = no indexer)
    int64_t index_topk = 0;       // tokens (V3.2) or compressed entries (V4) attended per query
    int64_t n_kv_heads = 0;       // dense GQA models (0 = not GQA)
    int64_t gqa_head_dim = 0;
    std::vector<int> compress_ratios;  // V4: per layer 0 (window only), 4 (CSA) or 128 (HCA)
    int64_t v4_entry_dim = 0;     // V4 latent entry width (head_dim, 512)
    int64_t window = 0;           // V4 sliding window (128)
};

struct KvScheme {
    std::string name;              // "mha", "mla", "mla+indexer", "gqa", "v4"
    std::string description;
    double bytes_per_token = 0;    // growth per token of context, all layers
    double fixed_bytes = 0;        // per sequence regardless of length (V4 windows)
    bool engine = false;           // the scheme Whale's engine uses for this architecture
    double bytes_per_sequence(int64_t ctx) const { return bytes_per_token * double(ctx) + fixed_bytes; }
};

// Keys attention scores for one generated token at context `ctx`, summed over layers, for the
// architecture's own scheme and for dense attention over the same context.
struct KvAttentionWork {
    double dense_keys = 0;
    double own_keys = 0;
    double indexer_keys = 0;  // keys the lightning indexer scans (cheap, ReLU heads)
};

std::vector<KvScheme> kv_schemes(const KvArchitecture& arch, KvDtype dtype);
KvAttentionWork kv_attention_work(const KvArchitecture& arch, int64_t ctx);

// Presets: v2-lite, v2, v3, v3.2, v4-flash, v4-pro, and "chart" (60 layers, 128 heads,
// d_head 128, with MLA / V3.2 / V4 variants of the same size). Unknown names throw.
KvArchitecture kv_preset(const std::string& name);
std::vector<std::string> kv_preset_names();

KvDtype kv_dtype_from_name(const std::string& name);
const char* kv_dtype_name(KvDtype dtype);

}  // namespace whale
