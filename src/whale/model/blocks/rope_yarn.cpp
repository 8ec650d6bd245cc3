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
    if (type == "default") return s;
    if (type != "yarn")
        config.fail_field(section + ".type", str_cat("is '", type, "'; DeepSeek models use 'yarn' or 'default'"));

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
    if (params.contains("truncate") && params["truncate"].is_boolean()) s.truncate = params["truncate"];
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
    if (!s.yarn) return;

    double lo, hi;
    yarn_correction_range(s, rope_dim, &lo, &hi);
    if (lo == hi) hi += 0.001;  // avoid a zero-width ramp
    for (int64_t i = 0; i < n_pairs; ++i) {
        float pos_freq = std::pow(float(s.theta), float(2 * i) / float(rope_dim));
        float extrapolation = 1.0f / pos_freq;
        float interpolation = 1.0f / (float(s.factor) * pos_freq);
        float ramp = std::clamp(float((double(i) - lo) / (hi - lo)), 0.0f, 1.0f);
        float keep = 1.0f - ramp;  // weight of the unscaled frequency
        inv_freq_[size_t(i)] = interpolation * (1.0f - keep) + extrapolation * keep;
    }
    if (s.attention_factor)
        attention_factor_ = float(*s.attention_factor);
    else if (s.mscale && s.mscale_all_dim && *s.mscale != 0.0 && *s.mscale_all_dim != 0.0)
        attention_factor_ = float(yarn_mscale(s.factor, *s.mscale) / yarn_mscale(s.factor, *s.mscale_all_dim));
    else
        attention_factor_ = float(yarn_mscale(s.factor, 1.0));
}

void RopeTable::cos_sin(int64_t position, float* cos, float* sin) const {
    for (size_t i = 0; i < inv_freq_.size(); ++i) {
        float angle = float(position) * inv_freq_[i];
        cos[i] = std::cos(angle) * attention_factor_;
        sin[i] = std::sin(angle) * attention_factor_;
    }
}

}  // namespace whale
