// The multi-token-prediction (MTP) module of a model that ships one (docs/models/deepseek_v3.md,
// 'The MTP layer'), as the runtime sees it. From the main model's final hidden state h_i at
// position i and the token t_{i+1} it predicts t_{i+2}; fed its own output hidden and the token it
// just proposed, it goes one position further (how serving engines draft more than one token with a
// single MTP layer).
//
// Its decoder layer keeps latent KV rows like any other layer. They live in the session's cache as
// layer cache_layer(), so a cache built for drafting has cache_layer() + 1 layers, and rewinding or
// freeing the session's positions rolls the MTP rows back with the main ones. Row i of that layer
// belongs to the pair (h_i, t_{i+1}): it can only be written once t_{i+1} is known.
#pragma once

#include "whale/core/thread_pool.h"
#include "whale/model/causal_lm.h"

namespace whale {

class MultiTokenPredictor {
public:
    virtual ~MultiTokenPredictor() = default;

    // The cache layer the module writes (the main model's layers come before it).
    virtual int cache_layer() const = 0;

    // batch.tokens [N]: for each row the token t_{i+1} that follows the row's position i; each
    //   sequence's start_position is the position of its first row (the main stream's positions).
    // hidden [N, D] f32: h_i, the main model's hidden after its final norm (ForwardBatch::final_hidden),
    //   or this module's own hidden_out of the row before, for a deeper draft.
    // hidden_out [N, D] f32: the module's output after shared_head.norm.
    // logits [n_logit_rows, V] f32: scores for t_{i+2}, rows chosen as in CausalLM::forward_batch.
    virtual void predict(const ForwardBatch& batch, const float* hidden, float* hidden_out, float* logits,
                         ThreadPool& pool) const = 0;
};

}  // namespace whale
