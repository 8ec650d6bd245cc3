// RoPE frequency tables with optional YaRN, Llama-3 or linear scaling, and the YaRN softmax-scale
// correction (docs/models/rope_yarn.md). Built once per model; looked up per position. The formulas
// are transformers' (modeling_rope_utils), in f32 and in its order of operations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "whale/formats/json/config_fields.h"

namespace whale {

// At most one of yarn / llama3 / linear is set; none = plain RoPE ("default", and "dynamic", which
// equals default up to max_position_embeddings, the longest context the engine allows).
struct RopeSettings {
    double theta = 10000.0;
    bool yarn = false;                      // rope type "yarn"
    bool llama3 = false;                    // rope type "llama3" (Llama 3.1 long-context scaling)
    bool linear = false;                    // rope type "linear": every frequency divided by f
    double factor = 1.0;                    // f, for all three
    int64_t original_max_position = 4096;   // L0
    double beta_fast = 32.0;
    double beta_slow = 1.0;
    std::optional<double> mscale;           // scales the cos/sin magnitude (ratio form, HF)
    std::optional<double> mscale_all_dim;   // scales the softmax (m² correction)
    std::optional<double> attention_factor; // explicit cos/sin factor, overrides the mscale ratio
    // vLLM's spelling "attn_factor" (R1-0528-Qwen3-8B): multiplies the computed factor instead of
    // replacing it. transformers ignores the key; see docs/models/dense_gqa.md.
    std::optional<double> attn_factor;
    bool truncate = true;
    // llama3 only: wavelengths above L0 / low_freq_factor are scaled by 1/f, below
    // L0 / high_freq_factor kept, and smoothly interpolated in between.
    double low_freq_factor = 1.0;
    double high_freq_factor = 4.0;
};

// Reads "rope_scaling" (checkpoint spelling, with "type" or "rope_type") or "rope_parameters"
// (transformers v5 spelling, with "rope_type") plus rope_theta. Unknown rope types and missing
// llama3 / linear fields are errors naming the field.
RopeSettings rope_settings_from_config(const ConfigFields& config);

class RopeTable {
public:
    RopeTable(const RopeSettings& settings, int64_t rope_dim);

    int64_t n_pairs() const { return int64_t(inv_freq_.size()); }
    // cos/sin [n_pairs] for a token at `position`, magnitude-corrected by attention_factor().
    void cos_sin(int64_t position, float* cos, float* sin) const;
    float attention_factor() const { return attention_factor_; }
    const std::vector<float>& inv_freq() const { return inv_freq_; }

private:
    std::vector<float> inv_freq_;  // [rope_dim / 2]
    float attention_factor_ = 1.0f;
};

// m(f, c) = 0.1 · c · ln f + 1 for f > 1, else 1.
double yarn_mscale(double factor, double c);

// Multiplier for the 1/sqrt(d_qk) softmax scale: m(f, mscale_all_dim)² when YaRN is on and
// mscale_all_dim is set and non-zero, else 1 (HF yarn_apply_mscale; docs/models/rope_yarn.md,
// 'mscale corrections').
double yarn_softmax_scale_multiplier(const RopeSettings& settings);

// YaRN correction range [lo, hi] over pair indices, exposed for tests
// (docs/models/rope_yarn.md, 'YaRN interpolation').
void yarn_correction_range(const RopeSettings& settings, int64_t rope_dim, double* lo, double* hi);

}  // namespace whale
