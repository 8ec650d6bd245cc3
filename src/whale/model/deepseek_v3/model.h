// DeepSeek V2 / V2-Lite / V3 / R1 / V3.1 forward pass (docs/models/deepseek_v3.md,
// 'Layer skeleton'): embedding -> [RMSNorm -> MLA -> residual -> RMSNorm -> dense or MoE FFN -> residual]
// x L -> RMSNorm -> lm_head. When the checkpoint carries the multi-token-prediction layer (V3 /
// V3.2, docs/models/deepseek_v3.md, 'The MTP layer') the model is also its MultiTokenPredictor;
// that layer is index num_hidden_layers for weights, cache rows and (V3.2) its indexer alike.
#pragma once

#include <memory>
#include <string>

#include "whale/formats/safetensors/checkpoint.h"
#include "whale/model/blocks/batch_layout.h"
#include "whale/model/causal_lm.h"
#include "whale/model/deepseek_v3/config.h"
#include "whale/model/deepseek_v3/weights.h"
#include "whale/model/multi_token_predictor.h"

namespace whale {

class DeepseekV3Model : public CausalLM, public MultiTokenPredictor {
public:
    // A checkpoint directory whose config.json the generation's entry has parsed (registry.h).
    DeepseekV3Model(const std::string& model_path, DeepseekConfig config, const LoadOptions& options);
    // Weights loaded elsewhere (a GGUF file): `storage` keeps whatever they point into alive and
    // `weight_bytes` is what they occupy.
    DeepseekV3Model(DeepseekConfig config, DeepseekWeights weights, std::shared_ptr<const void> storage,
                    uint64_t weight_bytes);

    const ModelSummary& summary() const override { return summary_; }
    CacheLayout cache_layout() const override;
    void forward_batch(const ForwardBatch& batch, float* logits, ThreadPool& pool) const override;
    const MultiTokenPredictor* mtp() const override { return weights_.mtp ? this : nullptr; }

    // MultiTokenPredictor (defined in mtp_forward.cpp); only called when mtp() is not null.
    int cache_layer() const override { return config_.num_hidden_layers; }
    void predict(const ForwardBatch& batch, const float* hidden, float* hidden_out, float* logits,
                 ThreadPool& pool) const override;

    const DeepseekConfig& config() const { return config_; }
    const DeepseekWeights& weights() const { return weights_; }

protected:
    // The attention sub-layer: out [N, D] from the normalised input x [N, D]. V3.2 overrides it
    // to add the sparse-attention indexer.
    virtual void attention(float* out, const float* x, const BatchLayout& layout, int layer, AttentionPath path,
                           ThreadPool& pool) const;
    WeightLoader& loader() { return *loader_; }
    const MlaShape& mla() const { return mla_shape_; }
    const RopeTable& rope() const { return *rope_; }
    ModelSummary& mutable_summary() { return summary_; }
    // Layer `layer` of the main stack, or the MTP layer when layer == num_hidden_layers.
    const DecoderLayerWeights& layer_weights(int layer) const;

private:
    void decoder_layer(float* hidden, const BatchLayout& layout, int layer, AttentionPath path, ThreadPool& pool) const;
    void summarize();

    DeepseekConfig config_;
    std::unique_ptr<Checkpoint> checkpoint_;
    std::unique_ptr<WeightLoader> loader_;
    std::shared_ptr<const void> storage_;
    DeepseekWeights weights_;
    uint64_t weight_bytes_ = 0;
    MlaShape mla_shape_;
    RouterSettings router_;
    std::unique_ptr<RopeTable> rope_;
    ModelSummary summary_;
};

}  // namespace whale
