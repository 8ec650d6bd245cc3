// Continuous batching over a paged latent cache with prefix caching.
//
// Requests queue in arrival order; up to max_running of them run at once. Every step the
// scheduler builds one batch from all running sequences (one token each for those decoding, then
// chunks of the prompts being prefilled within a token budget, so a long prompt never stalls the
// running streams), runs it as one batched forward (weights read once for all), samples each
// sequence's next token and hands it to the sequence's GenerationStream. New requests join between
// steps. Cache blocks come from one BlockPool; a prompt's leading full blocks come from the prefix
// cache when an earlier sequence computed them. When the pool runs dry the newest running sequence
// is preempted: its blocks go to the prefix cache and it waits at the front of the queue, to resume
// (mostly from cache) when blocks free up.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/model/causal_lm.h"
#include "whale/runtime/generation_stream.h"
#include "whale/runtime/kv_cache/block_pool.h"
#include "whale/runtime/kv_cache/paged_latent_cache.h"
#include "whale/runtime/kv_cache/prefix_cache.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/sampling/token_constraint.h"

namespace whale {

// One sequence's share of a batched forward.
struct BatchSequence {
    LatentKvStore* cache = nullptr;
    const int32_t* tokens = nullptr;  // [n_tokens]
    int64_t n_tokens = 0;
    int64_t start_position = 0;       // the cache holds [0, start_position)
};
// Runs every sequence's tokens through the model (one batched forward) and writes the logits of
// each sequence's last token: [batch.size(), vocab] f32 in batch order.
using BatchForward = std::function<void(const std::vector<BatchSequence>& batch, float* logits)>;

// The real thing: one CausalLM::forward_batch over all sequences, last-token logits each.
BatchForward model_batch_forward(const CausalLM& model, ThreadPool& pool);

// Speculative decoding inside the batched step (`whale serve --speculative mtp`): every decoding
// sequence drafts up to n_draft tokens with the model's MTP layer, and the step's one forward verifies
// them all. The cache layout must then include the MTP layer's rows (Engine::drafting_cache_layout).
struct BatchSpeculation {
    int n_draft = 0;          // 0 = off
    int64_t hidden_size = 0;  // D
    // The step's forward: logits for every token of the sequences flagged in all_logits (else for
    // the last), sequence by sequence, and every token's final normed hidden state hidden [N, D].
    std::function<void(const std::vector<BatchSequence>& batch, const std::vector<bool>& all_logits, float* logits,
                       float* hidden)>
        forward;
    // The MTP module (model/multi_token_predictor.h) over rows of several sequences: each entry's
    // tokens are the t_{i+1} of its rows; hidden [N, D] in, hidden_out [N, D] out, logits
    // [rows.size(), vocab] of each entry's last row.
    std::function<void(const std::vector<BatchSequence>& rows, const float* hidden, float* hidden_out, float* logits)>
        predict;
};

// Both functions over a model with an MTP layer (throws, saying so, when it has none).
BatchSpeculation model_batch_speculation(const CausalLM& model, ThreadPool& pool, int n_draft);

struct SchedulerOptions {
    CacheLayout layout;
    int64_t vocab_size = 0;
    std::vector<int32_t> eos_token_ids;
    int64_t max_context = 4096;       // per sequence, prompt + generated
    int max_running = 4;
    int64_t block_positions = 16;
    int64_t n_blocks = 1024;
    int64_t max_batch_tokens = 256;   // tokens per step over all sequences (prefill chunking)
    size_t max_queue = 256;           // submit() refuses beyond this
    std::string kv_disk_dir;
    std::string model_fingerprint;
};

struct GenerationRequest {
    std::vector<int32_t> prompt;
    SamplerSettings sampler;
    int64_t max_tokens = 256;
    bool ignore_eos = false;
    int top_logprobs = -1;  // -1: no log-probabilities; else the chosen token's and this many alternatives
    std::shared_ptr<TokenConstraint> constraint;
};

struct SchedulerStats {
    int64_t queue_depth = 0;
    int64_t running = 0;
    int64_t blocks_used = 0;
    int64_t blocks_free = 0;
    int64_t blocks_cached = 0;
    int64_t prompt_tokens = 0;
    int64_t cached_prompt_tokens = 0;
    int64_t preemptions = 0;
    int64_t drafted = 0;   // speculative draft tokens proposed
    int64_t accepted = 0;  // of which the model kept
};

class Scheduler {
public:
    Scheduler(SchedulerOptions options, BatchForward forward, BatchSpeculation speculation = {});
    ~Scheduler();

    // Queues a request. Returns nullptr when the queue is full (the caller answers 429).
    // Throws whale::Error when the prompt can never fit the cache.
    std::shared_ptr<GenerationStream> submit(GenerationRequest request);
    SchedulerStats stats() const;
    // Stops taking work; lets running and queued requests finish until `deadline`, cancels the
    // rest, then writes the prefix cache to the disk directory (if any).
    void shutdown(std::chrono::steady_clock::time_point deadline);

private:
    struct Sequence {
        GenerationRequest request;
        std::shared_ptr<GenerationStream> stream;
        std::unique_ptr<Sampler> sampler;
        std::vector<int32_t> tokens;       // prompt + generated
        int64_t n_computed = 0;            // tokens whose cache rows are written
        int64_t n_generated = 0;
        std::unique_ptr<PagedLatentCache> cache;
        uint64_t arrival = 0;
        bool preempted = false;
        // Speculative decoding (scheduler_speculation.cpp). Sequences with a token constraint or
        // log-probabilities decode one token at a time.
        bool drafts = false;
        std::vector<float> hidden;         // [n, D] final hidden states of positions [hidden_start, n_computed)
        int64_t hidden_start = 0;
        std::vector<int32_t> verify;       // this step's [pending token, drafts...]
        std::vector<std::vector<double>> draft_q;  // the distribution each draft was drawn from
    };

    void loop();
    void admit_waiting();
    bool step();  // false when nothing ran
    bool reserve_blocks(Sequence& seq, int64_t n_positions);
    void preempt(Sequence& seq);
    void requeue_preempted();
    int holders_of_blocks() const;
    Sequence* newest_preemptible(const std::vector<Sequence*>& chosen);
    void sample_next(Sequence& seq, float* logits);
    // Hands a chosen token to the stream; false when the sequence finished with it (or before).
    bool emit(Sequence& seq, GeneratedToken out);
    // Speculation (scheduler_speculation.cpp): how many tokens seq may draft this step; the drafts
    // of every decoding sequence given more than one token in the batch (returns which entries
    // verify); the MTP rows computed since each one's last draft; the step's forward; the
    // verification of one sequence.
    int planned_drafts(const Sequence& seq) const;
    std::vector<bool> draft(const std::vector<Sequence*>& chosen, std::vector<BatchSequence>& batch);
    // logits: [drafting.size(), V] the first drafts' scores; returns [drafting.size(), D] each newest MTP output.
    std::vector<float> predict_catch_up(const std::vector<Sequence*>& drafting, std::vector<float>& logits);
    void run_speculative_forward(const std::vector<Sequence*>& chosen, const std::vector<BatchSequence>& batch,
                                 const std::vector<bool>& all_logits);
    void accept_verified(Sequence& seq, const float* logits, const float* hidden);
    void retire(Sequence& seq, FinishReason reason, const std::string& error = {});
    void drop_finished();

    SchedulerOptions options_;
    BatchForward forward_;
    BatchSpeculation speculation_;
    BlockPool pool_;
    PrefixCache prefix_;

    mutable std::mutex mutex_;  // guards waiting_, the stats and the pool counts read by stats()
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Sequence>> waiting_;
    std::vector<std::unique_ptr<Sequence>> running_;
    uint64_t next_arrival_ = 0;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point deadline_;
    SchedulerStats stats_;
    std::vector<float> logits_;
    std::thread thread_;
};

}  // namespace whale
