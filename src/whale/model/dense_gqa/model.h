// Forward pass of the dense GQA decoders (qwen2, llama, qwen3):
// embedding -> [RMSNorm -> GQA attention -> residual -> RMSNorm -> SwiGLU -> residual] x L
// -> RMSNorm -> lm_head. The cache holds per-KV-head rotated keys and values (one dense K/V
// component of width 2·Hkv·Dh per layer); the MLA attention path of a ForwardBatch does not apply
// and is ignored.
#pragma once

#include <memory>
#include <string>

#include "whale/formats/safetensors/checkpoint.h"
#include "whale/model/blocks/batch_layout.h"
#include "whale/model/causal_lm.h"
#include "whale/model/dense_gqa/config.h"
#include "whale/model/dense_gqa/weights.h"

namespace whale {

class DenseGqaModel : public CausalLM {
public:
    DenseGqaModel(const std::string& model_path, const ConfigFields& fields, const LoadOptions& options);

    const ModelSummary& summary() const override { return summary_; }
    CacheLayout cache_layout() const override;
    void forward_batch(const ForwardBatch& batch, float* logits, ThreadPool& pool) const override;

    const DenseGqaConfig& config() const { return config_; }

private:
    void decoder_layer(float* hidden, const BatchLayout& layout, int layer, ThreadPool& pool) const;
    void summarize();

    DenseGqaConfig config_;
    std::unique_ptr<Checkpoint> checkpoint_;
    std::unique_ptr<WeightLoader> loader_;
    DenseGqaWeights weights_;
    GqaShape gqa_shape_;
    std::unique_ptr<RopeTable> rope_;
    ModelSummary summary_;
};

}  // namespace whale
