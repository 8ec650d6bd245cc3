// The interface every model generation implements: one forward over new tokens of one timeline.
// Runtime code (engine, session, scheduler) sees models only through this header.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/model/latent_kv_store.h"

namespace whale {

// Which MLA formulation to run. Both give the same result (spec §6); `auto` takes the explicit
// form for prompts and the weight-absorbed form, which reads only the latent cache, for decode.
enum class AttentionPath { AttentionPath_auto, AttentionPath_explicit, AttentionPath_absorbed };

// Describes the cache rows a model needs: one row of `row_width` floats per layer per token.
struct CacheLayout {
    int n_layers = 0;
    int64_t row_width = 0;
};

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
    int64_t kv_values_per_token = 0; // cached values per token over all layers (latent)
    int64_t mha_values_per_token = 0;// what a non-absorbed per-head K/V cache would hold
    std::vector<int32_t> eos_token_ids;
    int32_t bos_token_id = -1;
    std::vector<std::string> details; // extra "key: value" lines for `whale inspect`
};

struct ForwardRequest {
    const int32_t* tokens = nullptr;   // [n_tokens]
    int64_t n_tokens = 0;
    int64_t start_position = 0;        // position of tokens[0]; the cache holds [0, start_position)
    AttentionPath attention = AttentionPath::AttentionPath_auto;
    bool all_logits = false;           // logits for every token, else only the last
    // Called after each layer with the hidden state [n_tokens, hidden_size] f32.
    std::function<void(int layer, const float* hidden)> on_layer_output;
};

class CausalLM {
public:
    virtual ~CausalLM() = default;
    virtual const ModelSummary& summary() const = 0;
    virtual CacheLayout cache_layout() const = 0;
    // Writes cache rows for the new positions and logits [all_logits ? n_tokens : 1, vocab] f32.
    virtual void forward(const ForwardRequest& request, LatentKvStore& cache, float* logits, ThreadPool& pool) const = 0;
};

}  // namespace whale
