// The interface every model generation implements: one forward over new tokens of one timeline.
// Runtime code (engine, session, scheduler) sees models only through this header.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/model/cache_layout.h"
#include "whale/model/latent_kv_store.h"

namespace whale {

// Which MLA formulation to run. Both give the same result (docs/models/mla.md,
// 'Weight absorption'); `auto` takes the explicit form for prompts and the weight-absorbed form,
// which reads only the latent cache, for decode.
enum class AttentionPath { AttentionPath_auto, AttentionPath_explicit, AttentionPath_absorbed };

struct ModelSummary {
    std::string architecture;        // "deepseek_v3"
    std::string description;         // one line for logs
    int64_t vocab_size = 0;
    int64_t hidden_size = 0;
    int n_layers = 0;
    int64_t max_position = 0;
    int64_t n_params_total = 0;      // every tensor of the main model
    int64_t n_params_active = 0;     // per token: all but the routed experts not chosen
    int64_t n_params_mtp = 0;        // the multi-token-prediction layer(s), loaded but separate
    int64_t weight_bytes = 0;        // bytes of weights held (mapped or owned)
    // Weight bytes one decoded token reads: every matrix it multiplies (attention, dense FFN,
    // router, shared experts, the top-k routed experts' share, head) plus one embedding row.
    // Tokens/s times this is the bandwidth decode achieves on weights.
    int64_t weight_bytes_per_token = 0;
    int64_t kv_values_per_token = 0; // cached values per token over all layers (latent)
    int64_t mha_values_per_token = 0;// what a non-absorbed per-head K/V cache would hold
    std::vector<int32_t> eos_token_ids;
    int32_t bos_token_id = -1;
    std::vector<std::string> details; // extra "key: value" lines for `whale inspect`
};

// One timeline's share of a batched forward.
struct SequenceInBatch {
    LatentKvStore* cache = nullptr;  // holds positions [0, start_position); receives the new rows
    int64_t start_position = 0;      // position of this sequence's first new token
    int64_t n_tokens = 0;            // its tokens, taken in order from ForwardBatch::tokens
    bool all_logits = false;         // logits for every new token, else only the last
};

// Several sequences advanced in one forward: every weight matrix is read once for all their
// tokens (continuous batching); only attention runs per sequence, over its own cache.
struct ForwardBatch {
    const int32_t* tokens = nullptr;  // [N] the sequences' new tokens, concatenated
    std::vector<SequenceInBatch> sequences;
    AttentionPath attention = AttentionPath::AttentionPath_auto;
    // Called after each layer with the hidden state [N, hidden_size] f32.
    std::function<void(int layer, const float* hidden)> on_layer_output;
    // When set, receives every token's hidden state after the final norm [N, hidden_size] f32: what a
    // multi-token-prediction module reads (docs/models/deepseek_v3.md, 'The MTP layer').
    float* final_hidden = nullptr;

    int64_t n_tokens() const;
    int64_t n_logit_rows() const;  // Σ (all_logits ? n_tokens : 1)
};

class MultiTokenPredictor;

class CausalLM {
public:
    virtual ~CausalLM() = default;
    virtual const ModelSummary& summary() const = 0;
    virtual CacheLayout cache_layout() const = 0;
    // Writes each sequence's new cache rows and logits [n_logit_rows, vocab] f32, sequence by
    // sequence in batch order.
    virtual void forward_batch(const ForwardBatch& batch, float* logits, ThreadPool& pool) const = 0;
    // The model's multi-token-prediction module, or null when it has none (most models, and
    // checkpoints whose MTP tensors were dropped).
    virtual const MultiTokenPredictor* mtp() const { return nullptr; }
};

}  // namespace whale
