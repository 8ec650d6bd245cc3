#include "whale/runtime/scheduler.h"

#include <algorithm>
#include <cmath>

#include "whale/core/error.h"

namespace whale {

BatchForward model_batch_forward(const CausalLM& model, ThreadPool& pool) {
    return [&model, &pool](const std::vector<BatchSequence>& batch, float* logits) {
        ForwardBatch forward;
        std::vector<int32_t> tokens;
        for (const BatchSequence& seq : batch) {
            forward.sequences.push_back({seq.cache, seq.start_position, seq.n_tokens, false});
            tokens.insert(tokens.end(), seq.tokens, seq.tokens + seq.n_tokens);
        }
        forward.tokens = tokens.data();
        model.forward_batch(forward, logits, pool);
    };
}

Scheduler::Scheduler(SchedulerOptions options, BatchForward forward, BatchSpeculation speculation)
    : options_(std::move(options)),
      forward_(std::move(forward)),
      speculation_(std::move(speculation)),
      pool_(options_.layout, options_.block_positions, options_.n_blocks),
      prefix_(pool_, options_.kv_disk_dir, options_.model_fingerprint) {
    stats_.blocks_free = pool_.n_free();
    thread_ = std::thread([this] { loop(); });
}

Scheduler::~Scheduler() {
    if (thread_.joinable()) shutdown(std::chrono::steady_clock::now());
}

std::shared_ptr<GenerationStream> Scheduler::submit(GenerationRequest request) {
    WHALE_CHECK(!request.prompt.empty(), "empty prompt");
    const int64_t prompt = int64_t(request.prompt.size());
    WHALE_CHECK(prompt < options_.max_context, "prompt of ", prompt, " tokens leaves no room to generate in the context of ",
                options_.max_context, " tokens");
    WHALE_CHECK(prompt + 1 <= pool_.n_blocks() * pool_.block_positions(), "prompt of ", prompt,
                " tokens is larger than the whole KV cache (", pool_.n_blocks() * pool_.block_positions(), " tokens)");
    auto seq = std::make_unique<Sequence>();
    seq->stream = std::make_shared<GenerationStream>();
    seq->sampler = std::make_unique<Sampler>(request.sampler);
    seq->sampler->accept_prompt(request.prompt);
    seq->drafts = speculation_.n_draft > 0 && !request.constraint && request.top_logprobs < 0;
    seq->tokens = request.prompt;
    seq->request = std::move(request);
    auto stream = seq->stream;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (stopping_ || waiting_.size() >= options_.max_queue) return nullptr;
        seq->arrival = next_arrival_++;
        waiting_.push_back(std::move(seq));
        stats_.queue_depth = int64_t(waiting_.size());
    }
    wake_.notify_one();
    return stream;
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
    prefix_.persist_all();
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
        seq->cache = std::make_unique<PagedLatentCache>(pool_);
        // The last token is always computed: its logits choose the next token.
        const int64_t max_blocks = (int64_t(seq->tokens.size()) - 1) / pool_.block_positions();
        for (BlockId block : prefix_.match(seq->tokens, max_blocks)) seq->cache->append_block(block);
        seq->n_computed = seq->cache->capacity();
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
    for (int64_t need = seq.cache->blocks_needed(n_positions); need > 0; --need) {
        BlockId block = prefix_.allocate();
        if (block < 0) return false;
        seq.cache->append_block(block);
    }
    return true;
}

void Scheduler::preempt(Sequence& seq) {
    prefix_.insert(std::vector<int32_t>(seq.tokens.begin(), seq.tokens.begin() + seq.n_computed), seq.cache->blocks());
    seq.cache.reset();
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
    std::vector<Sequence*> order;
    for (auto& seq : running_) order.push_back(seq.get());
    auto decoding = [](const Sequence* s) { return int64_t(s->tokens.size()) - s->n_computed == 1; };
    std::stable_sort(order.begin(), order.end(), [&](const Sequence* a, const Sequence* b) {
        return decoding(a) != decoding(b) ? decoding(a) : a->arrival < b->arrival;
    });
    std::vector<Sequence*> chosen;
    std::vector<BatchSequence> batch;
    int64_t budget = options_.max_batch_tokens;
    for (Sequence* seq : order) {
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
            Sequence* victim = newest_preemptible(chosen);
            if (!victim || (victim == seq && chosen.empty() && holders_of_blocks() == 1)) break;
            preempt(*victim);
            if (victim == seq) break;
            reserved = reserve_blocks(*seq, seq->n_computed + n);
        }
        if (!reserved) {
            if (seq->cache && chosen.empty() && holders_of_blocks() == 1)
                retire(*seq, FinishReason::FinishReason_error, "the KV cache cannot hold this sequence");
            continue;
        }
        budget -= n;
        chosen.push_back(seq);
        batch.push_back({seq->cache.get(), seq->tokens.data() + seq->n_computed, n, seq->n_computed});
    }
    requeue_preempted();
    if (batch.empty()) return false;
    if (speculation_.n_draft > 0) {
        const std::vector<bool> verifying = draft(chosen, batch);
        run_speculative_forward(chosen, batch, verifying);
        return true;
    }
    logits_.resize(batch.size() * size_t(options_.vocab_size));
    forward_(batch, logits_.data());
    for (size_t i = 0; i < chosen.size(); ++i) {
        chosen[i]->n_computed += batch[i].n_tokens;
        // A prompt chunk that stops short of the end has logits nobody needs.
        if (chosen[i]->n_computed == int64_t(chosen[i]->tokens.size()))
            sample_next(*chosen[i], logits_.data() + i * size_t(options_.vocab_size));
    }
    return true;
}

void Scheduler::sample_next(Sequence& seq, float* logits) {
    if (seq.stream->cancelled()) return retire(seq, FinishReason::FinishReason_cancelled);
    const int64_t vocab = options_.vocab_size;
    GeneratedToken out;
    std::vector<float> log_probs;
    if (seq.request.top_logprobs >= 0) {
        log_probs.resize(size_t(vocab));
        log_softmax(log_probs.data(), logits, vocab);
    }
    if (seq.request.constraint) seq.request.constraint->mask(logits, vocab);
    out.token = seq.sampler->sample(logits, vocab);
    seq.sampler->accept(out.token);
    if (seq.request.constraint) seq.request.constraint->accept(out.token);
    if (!log_probs.empty()) {
        out.logprob = log_probs[size_t(out.token)];
        const int k = std::min<int>(seq.request.top_logprobs, int(vocab));
        std::vector<int32_t> ids(static_cast<size_t>(vocab));
        for (int64_t i = 0; i < vocab; ++i) ids[size_t(i)] = int32_t(i);
        std::partial_sort(ids.begin(), ids.begin() + k, ids.end(),
                          [&](int32_t a, int32_t b) { return log_probs[size_t(a)] > log_probs[size_t(b)]; });
        for (int i = 0; i < k; ++i) out.top.emplace_back(ids[size_t(i)], log_probs[size_t(ids[size_t(i)])]);
    }
    emit(seq, std::move(out));
}

bool Scheduler::emit(Sequence& seq, GeneratedToken out) {
    if (!seq.cache) return false;
    const auto& eos = options_.eos_token_ids;
    if (!seq.request.ignore_eos && std::find(eos.begin(), eos.end(), out.token) != eos.end()) {
        retire(seq, FinishReason::FinishReason_eos);
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

void Scheduler::retire(Sequence& seq, FinishReason reason, const std::string& error) {
    seq.stream->finish(reason, error);
    if (!seq.cache) return;
    // Everything computed, prompt and output, is worth keeping: the next turn of a conversation
    // starts with exactly these tokens.
    prefix_.insert(std::vector<int32_t>(seq.tokens.begin(), seq.tokens.begin() + seq.n_computed), seq.cache->blocks());
    seq.cache.reset();
}

void Scheduler::drop_finished() {
    running_.erase(std::remove_if(running_.begin(), running_.end(), [](const auto& seq) { return !seq->cache; }),
                   running_.end());
    std::lock_guard<std::mutex> lock(mutex_);
    stats_.running = int64_t(running_.size());
    stats_.blocks_free = pool_.n_free();
    stats_.blocks_used = pool_.n_blocks() - pool_.n_free();
    stats_.blocks_cached = prefix_.n_cached();
}

}  // namespace whale
