// The narrow public API that the CLI and the server use (they never see tensors):
//   Engine    - loaded weights (and, on request, the tokenizer, chat format and sampling defaults
//               beside them), immutable after load, shared by all sessions and the scheduler;
//   StepBatch - the sequences one batched forward advances (the one place a ForwardBatch is built);
//   Session   - one timeline: its tokens, its KV cache, its position.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "whale/chat/chat_format.h"
#include "whale/model/causal_lm.h"
#include "whale/runtime/generation_config.h"
#include "whale/tokenizer/tokenizer.h"

namespace whale {

class SessionCache;
class ThreadPool;

// The context every command gets unless told otherwise (--ctx): the model's own limit, at most
// this. Caches grow block by block, so a long limit costs no memory until it is used.
constexpr int64_t default_max_context = 32768;

struct EngineOptions {
    int n_threads = 0;          // 0 = one per hardware thread
    int64_t max_context = 0;    // 0 = min(max_position_embeddings, default_max_context)
    bool show_progress = true;  // progress line while loading
    // Re-lay out quantised weights for the matmul kernels (LoadOptions::interleave_q8_0) when
    // they fit in memory; false keeps every weight in the mapped file (`--no-repack`).
    bool repack_weights = true;
    // Also load what text needs (ModelText): commands that speak text (run, chat, serve).
    bool load_text = false;
    std::string chat_format;    // with load_text: a format name overriding detection, or empty
};

// What text generation needs beside the weights, found next to them (model_text_assets.h).
struct ModelText {
    std::shared_ptr<const Tokenizer> tokenizer;  // checked against the model's vocabulary
    ChatFormat format = ChatFormat::ChatFormat_v3;
    GenerationDefaults defaults;
};

struct AppendOptions {
    bool all_logits = false;  // logits for every appended token instead of only the last
    AttentionPath attention = AttentionPath::AttentionPath_auto;
    std::function<void(int layer, const float* hidden)> on_layer_output;  // [n_tokens, hidden] f32
};

// The sequences one batched forward advances, reused from step to step: once its buffers have
// grown, building a batch of the same shape allocates nothing.
class StepBatch {
public:
    void clear();
    // The sequence whose cache holds [0, start) receives `tokens` at positions [start, start + n).
    void add(LatentKvStore& cache, int64_t start, std::span<const int32_t> tokens, bool all_logits);
    void set_options(const AppendOptions& options);
    size_t size() const { return batch_.sequences.size(); }
    int64_t n_tokens() const { return int64_t(tokens_.size()); }
    int64_t n_logit_rows() const { return batch_.n_logit_rows(); }

private:
    friend class Engine;
    ForwardBatch batch_;
    std::vector<int32_t> tokens_;  // [N] batch_.tokens points here
};

class Session;

class Engine {
public:
    static std::unique_ptr<Engine> load(const std::string& model_path, const EngineOptions& options = {});
    // An engine around a model built in memory (tests, fakes); no text assets.
    static std::unique_ptr<Engine> create(std::unique_ptr<CausalLM> model, const EngineOptions& options = {});
    ~Engine();

    const ModelSummary& model() const { return model_->summary(); }
    CacheLayout cache_layout() const { return model_->cache_layout(); }
    int64_t max_context() const { return max_context_; }
    double load_seconds() const { return load_seconds_; }
    // Tokenizer, chat format, default sampling (throws unless loaded with load_text).
    const ModelText& text() const;
    // A session with the default contiguous cache, or with a cache the caller provides (paged).
    std::unique_ptr<Session> new_session() const;
    std::unique_ptr<Session> new_session(std::unique_ptr<SessionCache> cache) const;

    // Advances every sequence of `batch` in ONE forward (weights read once for all of them):
    // writes their cache rows, logits [batch.n_logit_rows(), vocab] f32 sequence by sequence, and,
    // when final_hidden is set, every token's hidden state after the final norm [N, hidden] f32
    // (the input of the multi-token-prediction module).
    void forward(StepBatch& batch, float* logits, float* final_hidden = nullptr) const;

    // Multi-token prediction (docs/models/deepseek_v3.md, 'The MTP layer';
    // model/multi_token_predictor.h), the drafter of speculative decoding. Only models whose
    // checkpoint carries the MTP layer have it.
    bool has_mtp() const { return model_->mtp() != nullptr; }
    // The cache layout of a sequence that drafts: the model's layers plus the MTP layer's rows.
    // Throws, naming the reason, when the model has no MTP layer.
    CacheLayout drafting_cache_layout() const;
    // Writes the MTP rows of `batch` (tokens t_{i+1} of rows starting at each sequence's start):
    // hidden [N, D] in (h_i), hidden_out [N, D] out, logits [n_logit_rows, vocab] scores for t_{i+2}.
    void predict(const StepBatch& batch, const float* hidden, float* hidden_out, float* logits) const;

    // For benchmarks: fills cache rows [from, to) of every layer with random N(0, 1) values, the
    // scale of the normalised latents and keys a real prompt leaves. Decode cost depends only on
    // how many rows there are, so a 32K context can be timed without prefilling it.
    void fill_synthetic(LatentKvStore& cache, const CacheLayout& layout, int64_t from, int64_t to, uint64_t seed) const;

private:
    Engine() = default;
    void finish_setup(const EngineOptions& options);

    std::unique_ptr<CausalLM> model_;
    std::unique_ptr<ThreadPool> pool_;
    std::unique_ptr<ModelText> text_;
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
    int64_t position() const { return int64_t(tokens_.size()); }
    const std::vector<int32_t>& tokens() const { return tokens_; }
    int64_t cache_bytes_allocated() const;
    int64_t cache_bytes_per_token() const;
    SessionCache& cache() { return *cache_; }
    const ModelSummary& model() const;

private:
    const Engine& engine_;
    std::unique_ptr<SessionCache> cache_;
    std::vector<int32_t> tokens_;
    StepBatch batch_;  // reused by append so that decode does not rebuild its sequence list
};

}  // namespace whale
