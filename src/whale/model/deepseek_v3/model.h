// DeepSeek V2 / V2-Lite / V3 / R1 / V3.1 forward pass (architectures spec §2):
// embedding -> [RMSNorm -> MLA -> residual -> RMSNorm -> dense or MoE FFN -> residual] x L
// -> RMSNorm -> lm_head.
#pragma once

#include <memory>
#include <string>

#include "whale/formats/safetensors/checkpoint.h"
#include "whale/model/causal_lm.h"
#include "whale/model/deepseek_v3/config.h"
#include "whale/model/deepseek_v3/weights.h"

namespace whale {

class DeepseekV3Model : public CausalLM {
public:
    DeepseekV3Model(const std::string& model_path, const ConfigFields& fields, const LoadOptions& options);

    const ModelSummary& summary() const override { return summary_; }
    CacheLayout cache_layout() const override;
    void forward(const ForwardRequest& request, LatentKvStore& cache, float* logits, ThreadPool& pool) const override;

    const DeepseekConfig& config() const { return config_; }
    const DeepseekWeights& weights() const { return weights_; }

private:
    void decoder_layer(float* hidden, int64_t n, int64_t start, int layer, LatentKvStore& cache, AttentionPath path,
                       ThreadPool& pool) const;
    void summarize();

    DeepseekConfig config_;
    std::unique_ptr<Checkpoint> checkpoint_;
    std::unique_ptr<WeightLoader> loader_;
    DeepseekWeights weights_;
    MlaShape mla_shape_;
    RouterSettings router_;
    std::unique_ptr<RopeTable> rope_;
    ModelSummary summary_;
};

}  // namespace whale
