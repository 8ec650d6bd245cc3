// The DeepSeek V3 / V3.2 multi-token-prediction layer (docs/models/deepseek_v3.md,
// 'The MTP layer'), one depth per call:
//   e = enorm(Emb(t_{i+1})),  g = hnorm(h_i),  u = [e ; g] · eh_projᵀ,
//   u -> the MTP decoder layer (MLA + MoE, own router and bias, own cache rows) -> shared_head.norm
//   -> head -> logits for t_{i+2}.
// Conventions of the serving engines that load the released weights (the official repository ships
// no MTP inference code): the concatenation puts the embedding first; the layer's RoPE positions are
// the main stream's (row i sits at position i); the embedding of a row at position 0 is zeroed (vLLM);
// the embedding and head are the copies stored in the MTP layer when present (vLLM loads those),
// else the main model's. docs/models/deepseek_v3.md lists where SGLang differs.
#include <cstring>
#include <vector>

#include "whale/core/error.h"
#include "whale/kernels/norm.h"
#include "whale/model/blocks/linear_forward.h"
#include "whale/model/blocks/token_io.h"
#include "whale/model/deepseek_v3/model.h"

namespace whale {

void DeepseekV3Model::predict(const ForwardBatch& batch, const float* hidden, float* hidden_out, float* logits,
                              ThreadPool& pool) const {
    WHALE_CHECK(weights_.mtp.has_value(), "predict: this checkpoint has no multi-token-prediction layer");
    const MtpWeights& m = *weights_.mtp;
    BatchLayout layout;
    layout.assign(batch);
    const int64_t n = layout.n_tokens, d = config_.hidden_size;
    const float eps = config_.rms_norm_eps;

    std::vector<float> embedded(static_cast<size_t>(n * d));  // [N, D]
    embed_tokens(embedded.data(), batch.tokens, n, m.embed_tokens ? *m.embed_tokens : weights_.embed_tokens);
    // [N, 2D]: row i = [enorm(Emb(t_{i+1})) | hnorm(h_i)], embedding half first as eh_proj expects.
    std::vector<float> joined(static_cast<size_t>(n * 2 * d));
    for (int64_t i = 0; i < n; ++i) {
        float* row = joined.data() + i * 2 * d;
        // vLLM zeroes the embedding at position 0 (RMSNorm of a zero row stays zero).
        if (layout.positions[size_t(i)] == 0) std::memset(embedded.data() + i * d, 0, sizeof(float) * size_t(d));
        rmsnorm(row, embedded.data() + i * d, m.enorm.data(), 1, d, eps);
        rmsnorm(row + d, hidden + i * d, m.hnorm.data(), 1, d, eps);
    }
    std::vector<float> stream(static_cast<size_t>(n * d));  // [N, D] the MTP layer's residual stream
    linear_forward(stream.data(), joined.data(), n, m.eh_proj, pool);
    decoder_layer(stream.data(), layout, cache_layer(), batch.attention, pool);
    rmsnorm(hidden_out, stream.data(), m.shared_head_norm.data(), n, d, eps);
    final_logits(logits, stream.data(), layout, m.shared_head_norm, eps, m.shared_head ? *m.shared_head : weights_.lm_head,
                 pool);
}

}  // namespace whale
