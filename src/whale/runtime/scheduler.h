// The one generation loop: continuous batching over a paged latent cache with prefix caching, on
// an Engine. Every command that generates (run, chat, generate, bench, serve) submits requests
// here and reads their GenerationStream; the CLI runs it with max_running = 1.
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
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "whale/runtime/engine.h"
#include "whale/runtime/generation_stream.h"
#include "whale/runtime/kv_cache/paged_kv.h"
#include "whale/runtime/sampling/sampler.h"
#include "whale/runtime/sampling/token_constraint.h"

namespace whale {

struct SchedulerOptions {
    int64_t max_context = 0;          // per sequence, prompt + generated; 0 = the engine's
    int max_running = 4;
    int64_t block_positions = 16;
    int64_t n_blocks = 1024;
    int64_t max_batch_tokens = 256;   // tokens per step over all sequences (prefill chunking)
    size_t max_queue = 256;           // submit() refuses beyond this
    std::string kv_disk_dir;
    // Speculative decoding inside the batched step (`--speculative mtp --draft N`): every decoding
    // sequence drafts up to n_draft tokens with the model's MTP layer, and the step's one forward
    // verifies them all. The cache blocks then hold the MTP layer's rows too. 0 = off.
    int n_draft = 0;
};

struct GenerationRequest {
    std::vector<int32_t> prompt;
    SamplerSettings sampler;
    int64_t max_tokens = 256;
    bool ignore_eos = false;
    int top_logprobs = -1;  // -1: no log-probabilities; else the chosen token's and this many alternatives
    std::shared_ptr<TokenConstraint> constraint;
    // For benchmarks: the first synthetic_positions prompt positions get random cache rows
    // (Engine::fill_synthetic) instead of being computed, unless the prefix cache already holds them.
    int64_t synthetic_positions = 0;
    uint64_t synthetic_seed = 0;
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
    int64_t verifications = 0;  // sequence-forwards that verified drafts
    double acceptance_rate() const { return drafted > 0 ? double(accepted) / double(drafted) : 0.0; }
    // Tokens each verifying forward yields: its accepted drafts plus the target's own token.
    double tokens_per_forward() const {
        return verifications > 0 ? double(verifications + accepted) / double(verifications) : 0.0;
    }
};

class Scheduler {
public:
    // The engine outlives the scheduler. Throws when n_draft > 0 and the model has no MTP layer.
    Scheduler(const Engine& engine, SchedulerOptions options);
    ~Scheduler();

    // Queues a request. Returns nullptr when the queue is full (the caller answers 429).
    // Throws whale::Error when the prompt can never fit the cache.
    std::shared_ptr<GenerationStream> submit(GenerationRequest request);
    // Queues several at once, so that they start in the same step (benchmarks of a batch).
    std::vector<std::shared_ptr<GenerationStream>> submit_all(std::vector<GenerationRequest> requests);
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

    std::unique_ptr<Sequence> make_sequence(GenerationRequest request) const;
    void loop();
    void admit_waiting();
    bool step();  // false when nothing ran
    // This step's batch: each chosen sequence's next step_tokens_ tokens (its verify list when drafting).
    void build_batch(const std::vector<bool>* verifying);
    bool reserve_blocks(Sequence& seq, int64_t n_positions);
    // Remembers seq's computed tokens in the prefix cache and gives back its blocks.
    void release_cache(Sequence& seq);
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
    std::vector<bool> draft();
    // logits: [drafting.size(), V] the first drafts' scores; returns [drafting.size(), D] each newest MTP output.
    std::vector<float> predict_catch_up(const std::vector<Sequence*>& drafting, std::vector<float>& logits);
    void run_speculative_forward(const std::vector<bool>& all_logits);
    void accept_verified(Sequence& seq, const float* logits, const float* hidden);
    void retire(Sequence& seq, FinishReason reason, const std::string& error = {}, int32_t eos_token = -1);
    void drop_finished();

    const Engine& engine_;
    SchedulerOptions options_;
    int64_t vocab_size_ = 0;
    int64_t hidden_size_ = 0;
    PagedKv kv_;  // the pool, the prefix cache and every sequence's blocks: changed only by kv_.apply()

    mutable std::mutex mutex_;  // guards waiting_, the stats and the pool counts read by stats()
    std::condition_variable wake_;
    std::deque<std::unique_ptr<Sequence>> waiting_;
    std::vector<std::unique_ptr<Sequence>> running_;
    uint64_t next_arrival_ = 0;
    bool stopping_ = false;
    std::chrono::steady_clock::time_point deadline_;
    SchedulerStats stats_;
    // The step's working set, kept across steps so that a steady decode step allocates nothing.
    std::vector<Sequence*> order_;
    std::vector<Sequence*> chosen_;
    std::vector<int64_t> step_tokens_;  // [chosen_.size()] tokens each chosen sequence runs
    StepBatch batch_;
    std::vector<float> logits_;
    std::vector<float> log_probs_;      // [vocab] when a request asks for log-probabilities
    std::thread thread_;
};

}  // namespace whale
