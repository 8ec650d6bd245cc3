// The narrow public API that the CLI and the server use (they never see tensors):
//   Engine  - loaded weights, immutable after load, shared by all sessions;
//   Session - one timeline: its tokens, its KV cache, its position.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "whale/model/causal_lm.h"

namespace whale {

class SessionCache;
class ThreadPool;

struct EngineOptions {
    int n_threads = 0;          // 0 = one per hardware thread
    int64_t max_context = 0;    // 0 = min(max_position_embeddings, 32768)
    bool show_progress = true;  // progress line while loading
    // Re-lay out quantised weights for the matmul kernels (LoadOptions::interleave_q8_0) when
    // they fit in memory; false keeps every weight in the mapped file (`--no-repack`).
    bool repack_weights = true;
};

struct AppendOptions {
    bool all_logits = false;  // logits for every appended token instead of only the last
    AttentionPath attention = AttentionPath::AttentionPath_auto;
    std::function<void(int layer, const float* hidden)> on_layer_output;  // [n_tokens, hidden] f32
    // When set, receives every appended token's hidden state after the final norm [n_tokens, hidden]
    // f32 (all entries of a step, in order): the input of the multi-token-prediction module.
    std::vector<float>* final_hidden = nullptr;
};

class Session;

class Engine {
public:
    static std::unique_ptr<Engine> load(const std::string& model_path, const EngineOptions& options = {});
    ~Engine();

    const ModelSummary& model() const { return model_->summary(); }
    CacheLayout cache_layout() const { return model_->cache_layout(); }
    int64_t max_context() const { return max_context_; }
    double load_seconds() const { return load_seconds_; }
    // A session with the default contiguous cache, or with a cache the caller provides (paged).
    std::unique_ptr<Session> new_session() const;
    std::unique_ptr<Session> new_session(std::unique_ptr<SessionCache> cache) const;

    struct BatchEntry {
        Session* session = nullptr;  // distinct sessions of this engine
        std::vector<int32_t> tokens; // appended to that session
        bool all_logits = false;
    };
    // Advances every entry's session by its tokens in ONE batched forward (weights read once for
    // all of them). Returns logits per entry: [all_logits ? n_tokens : 1, vocab] f32 each.
    // On error no session's position changes.
    std::vector<std::vector<float>> step(const std::vector<BatchEntry>& entries,
                                         const AppendOptions& options) const;

    // Multi-token prediction (docs/models/deepseek_v3.md, 'The MTP layer';
    // model/multi_token_predictor.h), the drafter of speculative decoding. Only models whose
    // checkpoint carries the MTP layer have it.
    bool has_mtp() const { return model_->mtp() != nullptr; }
    // The cache layout of a session that drafts: the model's layers plus the MTP layer's rows.
    CacheLayout drafting_cache_layout() const;
    // A session with the default contiguous cache in the drafting layout (needs has_mtp()).
    std::unique_ptr<Session> new_drafting_session() const;

    struct PredictEntry {
        Session* session = nullptr;    // a drafting session; its position does not change
        int64_t start = 0;             // position of the first MTP row (row i pairs h_i with t_{i+1})
        std::vector<int32_t> tokens;   // [n] t_{i+1} for each row
        const float* hidden = nullptr; // [n, hidden] h_i after the final norm, or the module's own output
        bool all_logits = false;
    };
    struct PredictOutput {
        std::vector<float> logits;     // [all_logits ? n : 1, vocab] f32, scores for t_{i+2}
        std::vector<float> hidden;     // [n, hidden] f32, the module's normed output (for the next depth)
    };
    // Writes MTP cache rows [start, start + n) of every entry's session in ONE batched forward.
    std::vector<PredictOutput> predict(const std::vector<PredictEntry>& entries) const;

private:
    friend class Session;
    Engine() = default;
    // One forward of `batch` on the shared pool, under the compute lock; logits [n_logit_rows, vocab].
    void forward(const ForwardBatch& batch, float* logits) const;

    std::unique_ptr<CausalLM> model_;
    std::unique_ptr<ThreadPool> pool_;
    mutable std::mutex compute_mutex_;  // one forward at a time on the shared thread pool
    int64_t max_context_ = 0;
    double load_seconds_ = 0.0;
};


class Session {
public:
    Session(const Engine& engine, std::unique_ptr<SessionCache> cache);
    ~Session();

    // Runs the new tokens through the model, extending the cache. Returns logits
    // [all_logits ? tokens.size() : 1, vocab] f32.
    std::vector<float> append(const std::vector<int32_t>& tokens, const AppendOptions& options = {});
    // The same, writing the logits into `logits` (resized to [rows, vocab]) so that a decode loop
    // reuses one buffer. With the positions reserved (reserve()) a steady single-token step then
    // performs no heap allocation (tests/model/decode_allocation_test.cpp).
    void append(std::span<const int32_t> tokens, std::vector<float>& logits, const AppendOptions& options = {});
    // Makes positions [0, n) addressable (cache rows and the token list) ahead of time: appends
    // within them allocate nothing, where otherwise the cache grows by a block as they cross one.
    void reserve(int64_t n);
    // Forgets every token from `position` on (cache rows beyond it are overwritten later).
    void rewind(int64_t position);
    // For benchmarks: extends the timeline by n positions (token id `token`) whose cache rows are
    // random N(0, 1) values, the scale of the normalised latents and keys a real prompt leaves,
    // instead of running the prompt. Decode cost depends only on how many rows there are.
    void append_synthetic(int64_t n, int32_t token, uint64_t seed);

    int64_t position() const { return int64_t(tokens_.size()); }
    const std::vector<int32_t>& tokens() const { return tokens_; }
    int64_t cache_bytes_allocated() const;
    int64_t cache_bytes_per_token() const;
    SessionCache& cache() { return *cache_; }
    const ModelSummary& model() const;

private:
    friend class Engine;
    const Engine& engine_;
    std::unique_ptr<SessionCache> cache_;
    std::vector<int32_t> tokens_;
    ForwardBatch batch_;  // reused by append so that decode does not rebuild its sequence list
};

}  // namespace whale
