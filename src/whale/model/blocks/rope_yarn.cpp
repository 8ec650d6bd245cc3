#include "whale/model/blocks/rope_yarn.h"

#include <algorithm>
#include <cmath>

#include "whale/core/error.h"

namespace whale {

namespace {

std::optional<double> optional_number(const ConfigFields& config, const nlohmann::json& params,
                                      const std::string& section, const char* key) {
    if (!params.contains(key) || params[key].is_null()) return std::nullopt;
    if (!params[key].is_number()) config.fail_field(section + "." + key, "must be a number");
    return params[key].get<double>();
}

double required_number(const ConfigFields& config, const nlohmann::json& params, const std::string& section,
                       const char* key) {
    auto v = optional_number(config, params, section, key);
    if (!v) config.fail_field(section + "." + key, "is required for this rope type but missing");
    return *v;
}

void read_yarn(const ConfigFields& config, const nlohmann::json& params, const std::string& section, RopeSettings& s) {
    s.yarn = true;
    int64_t max_position = config.get_int("max_position_embeddings", 4096);
    s.original_max_position = max_position;
    if (auto original = optional_number(config, params, section, "original_max_position_embeddings"))
        s.original_max_position = int64_t(*original);
    auto factor = optional_number(config, params, section, "factor");
    s.factor = factor ? *factor : double(max_position) / double(s.original_max_position);
    // HF treats a zero or missing beta as its default (`get("beta_fast") or 32`).
    if (auto v = optional_number(config, params, section, "beta_fast"); v && *v != 0.0) s.beta_fast = *v;
    if (auto v = optional_number(config, params, section, "beta_slow"); v && *v != 0.0) s.beta_slow = *v;
    s.mscale = optional_number(config, params, section, "mscale");
    s.mscale_all_dim = optional_number(config, params, section, "mscale_all_dim");
    s.attention_factor = optional_number(config, params, section, "attention_factor");
    s.attn_factor = optional_number(config, params, section, "attn_factor");
    if (params.contains("truncate") && params["truncate"].is_boolean()) s.truncate = params["truncate"];
}

void read_llama3(const ConfigFields& config, const nlohmann::json& params, const std::string& section,
                 RopeSettings& s) {
    s.llama3 = true;
    s.factor = required_number(config, params, section, "factor");
    s.low_freq_factor = required_number(config, params, section, "low_freq_factor");
    s.high_freq_factor = required_number(config, params, section, "high_freq_factor");
    s.original_max_position = int64_t(required_number(config, params, section, "original_max_position_embeddings"));
    if (s.low_freq_factor <= 0.0 || s.high_freq_factor <= s.low_freq_factor)
        config.fail_field(section + ".high_freq_factor",
                          str_cat("must exceed low_freq_factor > 0 (the smoothing divides by their difference), got ",
                                  s.high_freq_factor, " and ", s.low_freq_factor));
    if (s.original_max_position <= 0)
        config.fail_field(section + ".original_max_position_embeddings", "must be positive");
}

}  // namespace

RopeSettings rope_settings_from_config(const ConfigFields& config) {
    RopeSettings s;
    s.theta = config.get_double("rope_theta", 10000.0);
    std::string section = config.has("rope_scaling") ? "rope_scaling" : "rope_parameters";
    if (!config.has(section)) return s;
    const nlohmann::json& params = config.json()[section];
    if (!params.is_object()) config.fail_field(section, "must be an object");
    if (auto theta = optional_number(config, params, section, "rope_theta")) s.theta = *theta;

    std::string type = "default";
    if (params.contains("rope_type") && params["rope_type"].is_string()) type = params["rope_type"];
    else if (params.contains("type") && params["type"].is_string()) type = params["type"];
    // "dynamic" (NTK) only changes frequencies past max_position_embeddings, which the engine never reaches.
    if (type == "default" || type == "dynamic") return s;
    if (type == "yarn") {
        read_yarn(config, params, section, s);
    } else if (type == "llama3") {
        read_llama3(config, params, section, s);
    } else if (type == "linear") {
        s.linear = true;
        s.factor = required_number(config, params, section, "factor");
    } else {
        config.fail_field(section + ".type",
                          str_cat("is '", type, "'; Whale supports default, yarn, llama3, linear and dynamic"));
    }
    WHALE_CHECK(s.factor > 0.0, config.source(), ": field '", section, ".factor' must be positive");
    return s;
}

double yarn_mscale(double factor, double c) { return factor <= 1.0 ? 1.0 : 0.1 * c * std::log(factor) + 1.0; }

double yarn_softmax_scale_multiplier(const RopeSettings& s) {
    if (!s.yarn || !s.mscale_all_dim || *s.mscale_all_dim == 0.0) return 1.0;
    double m = yarn_mscale(s.factor, *s.mscale_all_dim);
    return m * m;
}

void yarn_correction_range(const RopeSettings& s, int64_t rope_dim, double* lo, double* hi) {
    auto correction_dim = [&](double n_rotations) {
        return double(rope_dim) * std::log(double(s.original_max_position) / (n_rotations * 2.0 * M_PI)) /
               (2.0 * std::log(s.theta));
    };
    double low = correction_dim(s.beta_fast), high = correction_dim(s.beta_slow);
    if (s.truncate) {
        low = std::floor(low);
        high = std::ceil(high);
    }
    *lo = std::max(low, 0.0);
    *hi = std::min(high, double(rope_dim - 1));
}

namespace {

// transformers' _compute_llama3_parameters in f32. `c / tensor` is tensor.reciprocal() * c in torch,
// so both quotients by a tensor below are written as a reciprocal times the constant.
void apply_llama3(std::vector<float>& inv_freq, const RopeSettings& s) {
    const float factor = float(s.factor), low = float(s.low_freq_factor);
    const float low_freq_wavelen = float(double(s.original_max_position) / s.low_freq_factor);
    const float high_freq_wavelen = float(double(s.original_max_position) / s.high_freq_factor);
    const float two_pi = float(2.0 * M_PI), old_context = float(s.original_max_position);
    for (float& f : inv_freq) {
        const float wavelen = (1.0f / f) * two_pi;
        const float scaled = wavelen > low_freq_wavelen ? f / factor : f;
        if (wavelen < high_freq_wavelen || wavelen > low_freq_wavelen) {
            f = scaled;
            continue;
        }
        const float smooth = ((1.0f / wavelen) * old_context - low) / float(s.high_freq_factor - s.low_freq_factor);
        f = (1.0f - smooth) * scaled / factor + smooth * scaled;
    }
}

void apply_yarn(std::vector<float>& inv_freq, const RopeSettings& s, int64_t rope_dim) {
    double lo, hi;
    yarn_correction_range(s, rope_dim, &lo, &hi);
    if (lo == hi) hi += 0.001;  // avoid a zero-width ramp
    for (size_t i = 0; i < inv_freq.size(); ++i) {
        float pos_freq = std::pow(float(s.theta), float(2 * int64_t(i)) / float(rope_dim));
        float extrapolation = 1.0f / pos_freq;
        float interpolation = 1.0f / (float(s.factor) * pos_freq);
        float ramp = std::clamp(float((double(i) - lo) / (hi - lo)), 0.0f, 1.0f);
        float keep = 1.0f - ramp;  // weight of the unscaled frequency
        inv_freq[i] = interpolation * (1.0f - keep) + extrapolation * keep;
    }
}

float yarn_attention_factor(const RopeSettings& s) {
    double factor;
    if (s.attention_factor)
        factor = *s.attention_factor;
    else if (s.mscale && s.mscale_all_dim && *s.mscale != 0.0 && *s.mscale_all_dim != 0.0)
        factor = yarn_mscale(s.factor, *s.mscale) / yarn_mscale(s.factor, *s.mscale_all_dim);
    else
        factor = yarn_mscale(s.factor, 1.0);
    return float(s.attn_factor ? factor * *s.attn_factor : factor);
}

}  // namespace

RopeTable::RopeTable(const RopeSettings& s, int64_t rope_dim) {
    WHALE_CHECK(rope_dim > 0 && rope_dim % 2 == 0, "rope dimension must be even and positive, got ", rope_dim);
    const int64_t n_pairs = rope_dim / 2;
    inv_freq_.resize(size_t(n_pairs));
    // f32 throughout, in the order the references compute it: base^(2i/r) in f32, then 1/x.
    for (int64_t i = 0; i < n_pairs; ++i) {
        float exponent = float(2 * i) / float(rope_dim);
        float pos_freq = std::pow(float(s.theta), exponent);
        inv_freq_[size_t(i)] = 1.0f / pos_freq;
    }
    if (s.llama3) apply_llama3(inv_freq_, s);
    if (s.linear)
        for (float& f : inv_freq_) f /= float(s.factor);
    if (s.yarn) {
        apply_yarn(inv_freq_, s, rope_dim);
        attention_factor_ = yarn_attention_factor(s);
    }
}

void RopeTable::cos_sin(int64_t position, float* cos, float* sin) const {
    for (size_t i = 0; i < inv_freq_.size(); ++i) {
        float angle = float(position) * inv_freq_[i];
        cos[i] = std::cos(angle) * attention_factor_;
        sin[i] = std::sin(angle) * attention_factor_;
    }
}

}  // namespace whale
