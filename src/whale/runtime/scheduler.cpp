#include "whale/runtime/scheduler.h"

#include <algorithm>
#include <cmath>

#include "whale/core/error.h"

namespace whale {

namespace {

// Drafting sequences keep the MTP layer's rows in their cache blocks too.
CacheLayout block_layout(const Engine& engine, const SchedulerOptions& options) {
    return options.n_draft > 0 ? engine.drafting_cache_layout() : engine.cache_layout();
}

SchedulerOptions resolved(const Engine& engine, SchedulerOptions options) {
    if (options.max_context <= 0) options.max_context = engine.max_context();
    return options;
}

// Names the weights whose rows a --kv-disk-dir holds, so that another model's files are not read.
std::string model_fingerprint(const ModelSummary& m) {
    return str_cat(m.description, "/", m.n_params_total, "/", m.weight_bytes);
}

}  // namespace

Scheduler::Scheduler(const Engine& engine, SchedulerOptions options)
    : engine_(engine),
      options_(resolved(engine, std::move(options))),
      vocab_size_(engine.model().vocab_size),
      hidden_size_(engine.model().hidden_size),
      kv_(block_layout(engine, options_), options_.block_positions, options_.n_blocks, options_.kv_disk_dir,
          model_fingerprint(engine.model())) {
    stats_.blocks_free = kv_.n_free();
    thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() {
    if (thread_.joinable()) shutdown(std::chrono::steady_clock::now());
}

std::unique_ptr<Scheduler::Sequence> Scheduler::make_sequence(GenerationRequest request) const {
    WHALE_CHECK(!request.prompt.empty(), "empty prompt");
    const int64_t prompt = int64_t(request.prompt.size());
    WHALE_CHECK(prompt < options_.max_context, "prompt of ", prompt, " tokens leaves no room to generate in the context of ",
                options_.max_context, " tokens");
    WHALE_CHECK(prompt + 1 <= kv_.n_blocks() * kv_.block_positions(), "prompt of ", prompt,
                " tokens is larger than the whole KV cache (", kv_.n_blocks() * kv_.block_positions(), " tokens)");
    WHALE_CHECK(request.synthetic_positions >= 0 && request.synthetic_positions < prompt,
                "synthetic positions must leave the prompt's last token to compute");
    auto seq = std::make_unique<Sequence>();
    seq->stream = std::make_shared<GenerationStream>();
    seq->sampler = std::make_unique<Sampler>(request.sampler);
    seq->sampler->accept_prompt(request.prompt);
    seq->drafts = options_.n_draft > 0 && !request.constraint && request.top_logprobs < 0;
    // Room for every token the sequence can reach, so that decoding never grows the list.
    seq->tokens.reserve(size_t(std::min(options_.max_context, prompt + std::max<int64_t>(request.max_tokens, 0)) + 1));
    seq->tokens = request.prompt;
    seq->request = std::move(request);
    return seq;
}

std::shared_ptr<GenerationStream> Scheduler::submit(GenerationRequest request) {
    std::vector<GenerationRequest> one;
    one.push_back(std::move(request));
    return submit_all(std::move(one)).front();
}

std::vector<std::shared_ptr<GenerationStream>> Scheduler::submit_all(std::vector<GenerationRequest> requests) {
    std::vector<std::unique_ptr<Sequence>> sequences;
    for (GenerationRequest& r : requests) sequences.push_back(make_sequence(std::move(r)));
    std::vector<std::shared_ptr<GenerationStream>> streams(sequences.size());
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || waiting_.size() + sequences.size() > options_.max_queue) return streams;
        for (size_t i = 0; i < sequences.size(); ++i) {
            streams[i] = sequences[i]->stream;
            sequences[i]->arrival = next_arrival_++;
            waiting_.push_back(std::move(sequences[i]));
        }
        stats_.queue_depth = int64_t(waiting_.size());
    }
    wake_.notify_one();
    return streams;
}

SchedulerStats Scheduler::stats() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stats_;
}

void Scheduler::shutdown(std::chrono::steady_clock::time_point deadline) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        deadline_ = deadline;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
}

void Scheduler::loop() {
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(mutex_);
            wake_.wait(lock, [&] { return stopping_ || !waiting_.empty() || !running_.empty(); });
            if (stopping_ && std::chrono::steady_clock::now() >= deadline_) {
                for (auto& seq : waiting_) seq->stream->finish(FinishReason::FinishReason_cancelled, "server shutting down");
                waiting_.clear();
                break;
            }
            if (stopping_ && waiting_.empty() && running_.empty()) break;
        }
        admit_waiting();
        try {
            step();
        } catch (const std::exception& e) {
            // A failed forward must not take the server down: the batch's requests end with the error.
            for (auto& seq : running_) retire(*seq, FinishReason::FinishReason_error, e.what());
        }
        drop_finished();
    }
    for (auto& seq : running_) retire(*seq, FinishReason::FinishReason_cancelled, "server shutting down");
    drop_finished();
    kv_.persist_all();
}

void Scheduler::admit_waiting() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto it = waiting_.begin(); it != waiting_.end();) {
        if ((*it)->stream->cancelled()) {
            (*it)->stream->finish(FinishReason::FinishReason_cancelled);
            it = waiting_.erase(it);
        } else {
            ++it;
        }
    }
    while (!waiting_.empty() && int(running_.size()) < options_.max_running) {
        auto seq = std::move(waiting_.front());
        waiting_.pop_front();
        // Room for every block the sequence can reach: growing it then allocates nothing.
        seq->cache = kv_.new_cache(int64_t(seq->tokens.capacity()));
        // The last token is always computed: its logits choose the next token.
        kv_.apply(*seq->cache, {CacheChange::Kind::CacheChange_restore_prefix, int64_t(seq->tokens.size()) - 1, &seq->tokens});
        seq->n_computed = seq->cache->capacity();
        const int64_t synthetic = seq->request.synthetic_positions;
        if (synthetic > seq->n_computed) {
            if (!reserve_blocks(*seq, synthetic)) {
                retire(*seq, FinishReason::FinishReason_error, "the KV cache cannot hold the synthetic positions");
                continue;
            }
            engine_.fill_synthetic(*seq->cache, kv_.layout(), seq->n_computed, synthetic, seq->request.synthetic_seed);
            seq->n_computed = synthetic;
        }
        // Hidden states of cached positions are not kept: their MTP rows come from the cache as written.
        seq->hidden.clear();
        seq->hidden_start = seq->n_computed;
        const bool first_admission = seq->stream->cached_tokens() < 0;
        seq->stream->admitted(int64_t(seq->request.prompt.size()), seq->n_computed);
        if (first_admission) {
            stats_.prompt_tokens += int64_t(seq->request.prompt.size());
            stats_.cached_prompt_tokens += seq->n_computed;
        }
        running_.push_back(std::move(seq));
    }
    stats_.queue_depth = int64_t(waiting_.size());
}

bool Scheduler::reserve_blocks(Sequence& seq, int64_t n_positions) {
    return kv_.apply(*seq.cache, {CacheChange::Kind::CacheChange_grow, n_positions, nullptr});
}

void Scheduler::release_cache(Sequence& seq) {
    kv_.apply(*seq.cache, {CacheChange::Kind::CacheChange_release, seq.n_computed, &seq.tokens});
    seq.cache.reset();
}

void Scheduler::preempt(Sequence& seq) {
    release_cache(seq);
    seq.n_computed = 0;
    seq.preempted = true;
}

void Scheduler::requeue_preempted() {
    std::vector<std::unique_ptr<Sequence>> preempted;
    for (auto& seq : running_)
        if (seq->preempted) preempted.push_back(std::move(seq));
    if (preempted.empty()) return;
    running_.erase(std::remove(running_.begin(), running_.end(), nullptr), running_.end());
    std::sort(preempted.begin(), preempted.end(), [](const auto& a, const auto& b) { return a->arrival > b->arrival; });
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& seq : preempted) {
        seq->preempted = false;
        ++stats_.preemptions;
        waiting_.push_front(std::move(seq));  // oldest ends up first
    }
    stats_.queue_depth = int64_t(waiting_.size());
}

Scheduler::Sequence* Scheduler::newest_preemptible(const std::vector<Sequence*>& chosen) {
    Sequence* newest = nullptr;
    for (auto& seq : running_)
        if (seq->cache && !seq->preempted && std::find(chosen.begin(), chosen.end(), seq.get()) == chosen.end() &&
            (!newest || seq->arrival > newest->arrival))
            newest = seq.get();
    return newest;
}

int Scheduler::holders_of_blocks() const {
    int n = 0;
    for (const auto& seq : running_) n += seq->cache && !seq->preempted;
    return n;
}

bool Scheduler::step() {
    // Decoding sequences first (one token each), then prompt chunks in arrival order: a prefill
    // never delays a token of a running stream by more than the chunk budget.
    order_.clear();
    for (auto& seq : running_) order_.push_back(seq.get());
    auto decoding = [](const Sequence* s) { return int64_t(s->tokens.size()) - s->n_computed == 1; };
    // Arrivals are unique, so this order is total (std::sort: stable_sort takes a scratch buffer).
    std::sort(order_.begin(), order_.end(), [&](const Sequence* a, const Sequence* b) {
        return decoding(a) != decoding(b) ? decoding(a) : a->arrival < b->arrival;
    });
    chosen_.clear();
    step_tokens_.clear();
    int64_t budget = options_.max_batch_tokens;
    for (Sequence* seq : order_) {
        if (!seq->cache || seq->preempted) continue;
        if (seq->stream->cancelled()) {
            retire(*seq, FinishReason::FinishReason_cancelled);
            continue;
        }
        const int64_t remaining = int64_t(seq->tokens.size()) - seq->n_computed;
        const int64_t n = remaining == 1 ? 1 + planned_drafts(*seq) : std::min(remaining, budget);
        if (n <= 0) continue;
        bool reserved = reserve_blocks(*seq, seq->n_computed + n);
        // Out of blocks: the newest sequence gives its blocks back and resumes later (possibly this one).
        while (!reserved) {
            Sequence* victim = newest_preemptible(chosen_);
            if (!victim || (victim == seq && chosen_.empty() && holders_of_blocks() == 1)) break;
            preempt(*victim);
            if (victim == seq) break;
            reserved = reserve_blocks(*seq, seq->n_computed + n);
        }
        if (!reserved) {
            if (seq->cache && chosen_.empty() && holders_of_blocks() == 1)
                retire(*seq, FinishReason::FinishReason_error, "the KV cache cannot hold this sequence");
            continue;
        }
        budget -= n;
        chosen_.push_back(seq);
        step_tokens_.push_back(n);
    }
    requeue_preempted();
    if (chosen_.empty()) return false;
    if (options_.n_draft > 0) {
        const std::vector<bool> verifying = draft();
        build_batch(&verifying);
        run_speculative_forward(verifying);
        return true;
    }
    build_batch(nullptr);
    logits_.resize(chosen_.size() * size_t(vocab_size_));
    engine_.forward(batch_, logits_.data());
    for (size_t i = 0; i < chosen_.size(); ++i) {
        chosen_[i]->n_computed += step_tokens_[i];
        // A prompt chunk that stops short of the end has logits nobody needs.
        if (chosen_[i]->n_computed == int64_t(chosen_[i]->tokens.size()))
            sample_next(*chosen_[i], logits_.data() + i * size_t(vocab_size_));
    }
    return true;
}

void Scheduler::build_batch(const std::vector<bool>* verifying) {
    batch_.clear();
    for (size_t i = 0; i < chosen_.size(); ++i) {
        Sequence& seq = *chosen_[i];
        const bool verifies = verifying && (*verifying)[i];
        const int32_t* tokens = verifies ? seq.verify.data() : seq.tokens.data() + seq.n_computed;
        batch_.add(*seq.cache, seq.n_computed, std::span<const int32_t>(tokens, size_t(step_tokens_[i])), verifies);
    }
}

void Scheduler::sample_next(Sequence& seq, float* logits) {
    if (seq.stream->cancelled()) return retire(seq, FinishReason::FinishReason_cancelled);
    const int64_t vocab = vocab_size_;
    GeneratedToken out;
    const bool wants_log_probs = seq.request.top_logprobs >= 0;
    if (wants_log_probs) {
        log_probs_.resize(size_t(vocab));
        log_softmax(log_probs_.data(), logits, vocab);
    }
    if (seq.request.constraint) seq.request.constraint->mask(logits, vocab);
    out.token = seq.sampler->sample(logits, vocab);
    seq.sampler->accept(out.token);
    if (seq.request.constraint) seq.request.constraint->accept(out.token);
    if (wants_log_probs) {
        out.logprob = log_probs_[size_t(out.token)];
        const int k = std::min<int>(seq.request.top_logprobs, int(vocab));
        std::vector<int32_t> ids(static_cast<size_t>(vocab));
        for (int64_t i = 0; i < vocab; ++i) ids[size_t(i)] = int32_t(i);
        std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                          [&](int32_t a, int32_t b) { return log_probs_[size_t(a)] > log_probs_[size_t(b)]; });
        for (int i = 0; i < k; ++i) out.top.emplace_back(ids[size_t(i)], log_probs_[size_t(ids[size_t(i)])]);
    }
    emit(seq, std::move(out));
}

bool Scheduler::emit(Sequence& seq, GeneratedToken out) {
    if (!seq.cache) return false;
    const auto& eos = engine_.model().eos_token_ids;
    if (!seq.request.ignore_eos && std::find(eos.begin(), eos.end(), out.token) != eos.end()) {
        retire(seq, FinishReason::FinishReason_eos, {}, out.token);
        return false;
    }
    seq.tokens.push_back(out.token);
    ++seq.n_generated;
    seq.stream->push(std::move(out));
    if (seq.n_generated >= seq.request.max_tokens || int64_t(seq.tokens.size()) >= options_.max_context) {
        retire(seq, FinishReason::FinishReason_length);
        return false;
    }
    return true;
}

void Scheduler::retire(Sequence& seq, FinishReason reason, const std::string& error, int32_t eos_token) {
    seq.stream->finish(reason, error, eos_token);
    if (seq.cache) release_cache(seq);
}

void Scheduler::drop_finished() {
    running_.erase(std::remove_if(running_.begin(), running_.end(), [](const auto& seq) { return !seq->cache; }),
                   running_.end());
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.running = int64_t(running_.size());
    stats_.blocks_free = kv_.n_free();
    stats_.blocks_used = kv_.n_blocks() - kv_.n_free();
    stats_.blocks_cached = kv_.n_cached();
}

}  // namespace whale
