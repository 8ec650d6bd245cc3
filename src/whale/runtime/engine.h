// The narrow public API that the CLI and the server use (they never see tensors):
//   Engine  - loaded weights, immutable after load, shared by all sessions;
//   Session - one timeline: its tokens, its KV cache, its position.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
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
};

struct AppendOptions {
    bool all_logits = false;  // logits for every appended token instead of only the last
    AttentionPath attention = AttentionPath::AttentionPath_auto;
    std::function<void(int layer, const float* hidden)> on_layer_output;  // [n_tokens, hidden] f32
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

private:
    friend class Session;
    Engine() = default;

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
};

}  // namespace whale
