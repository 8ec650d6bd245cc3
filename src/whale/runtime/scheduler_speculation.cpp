// Speculative decoding inside the scheduler's batched step (docs/models/deepseek_v3.md,
// 'The MTP layer'). For every decoding sequence that drafts, the step
//   1. writes the MTP rows of the positions computed since its last draft (hidden states kept from
//      the forwards that computed them), the newest paired with the pending token: that row's logits
//      give the first draft; deeper drafts chain the MTP layer on its own output, all sequences of a
//      depth in one MTP forward;
//   2. verifies [pending, drafts...] of all sequences (and runs everyone else's tokens) in ONE forward
//      of the main model;
//   3. keeps the longest accepted prefix plus the correction / bonus token (draft_selection.h) and
//      gives back the cache blocks that held only rejected drafts.
// MTP rows of positions whose hidden states were never at hand here (prefix-cache hits, resumes
// after preemption) are used as the cache holds them; that can only lower acceptance, never change
// the output, because every emitted token is the target model's own choice.
#include <algorithm>

#include "whale/core/error.h"
#include "whale/runtime/scheduler.h"
#include "whale/runtime/speculative/draft_selection.h"

namespace whale {

int Scheduler::planned_drafts(const Sequence& seq) const {
    if (options_.n_draft <= 0 || !seq.drafts || seq.hidden.empty()) return 0;
    // Drafts past the token budget or the context would be thrown away unseen.
    const int64_t budget = std::min(seq.request.max_tokens - seq.n_generated - 1,
                                    options_.max_context - int64_t(seq.tokens.size()) - 1);
    return int(std::clamp<int64_t>(budget, 0, options_.n_draft));
}

std::vector<float> Scheduler::predict_catch_up(const std::vector<Sequence*>& drafting, std::vector<float>& logits) {
    const int64_t d = hidden_size_;
    StepBatch rows;
    std::vector<int64_t> n_rows;
    std::vector<float> hidden_in;  // [N, D] every sequence's kept hidden states, concatenated
    for (Sequence* seq : drafting) {
        n_rows.push_back(int64_t(seq->hidden.size()) / d);
        // Row i pairs h_i with t_{i+1}; the newest row's next token is the pending one.
        rows.add(*seq->cache, seq->hidden_start,
                 std::span<const int32_t>(seq->tokens.data() + seq->hidden_start + 1, size_t(n_rows.back())), false);
        hidden_in.insert(hidden_in.end(), seq->hidden.begin(), seq->hidden.end());
        seq->hidden.clear();
        seq->hidden_start = seq->n_computed;
    }
    std::vector<float> hidden_out(hidden_in.size());
    logits.assign(drafting.size() * size_t(vocab_size_), 0.0f);
    engine_.predict(rows, hidden_in.data(), hidden_out.data(), logits.data());
    std::vector<float> newest;  // [drafting.size(), D] each sequence's last output row
    int64_t end = 0;
    for (int64_t n : n_rows) {
        end += n;
        newest.insert(newest.end(), hidden_out.begin() + (end - 1) * d, hidden_out.begin() + end * d);
    }
    return newest;
}

std::vector<bool> Scheduler::draft() {
    const int64_t d = hidden_size_, vocab = vocab_size_;
    std::vector<bool> verifying(chosen_.size(), false);
    std::vector<Sequence*> drafting;
    std::vector<int64_t> wanted;  // 1 + drafts each drafting sequence verifies (its batch entry's size)
    for (size_t i = 0; i < chosen_.size(); ++i) {
        Sequence& seq = *chosen_[i];
        verifying[i] = seq.drafts && int64_t(seq.tokens.size()) - seq.n_computed == 1 && step_tokens_[i] > 1;
        if (!verifying[i]) continue;
        drafting.push_back(&seq);
        wanted.push_back(step_tokens_[i]);
        seq.verify = {seq.tokens[size_t(seq.n_computed)]};
        seq.draft_q.clear();
    }
    if (drafting.empty()) return verifying;

    std::vector<float> logits;  // [rows, V] the MTP's scores for each drafting row of this depth
    std::vector<float> newest = predict_catch_up(drafting, logits);
    for (int depth = 1;; ++depth) {
        std::vector<size_t> deeper;  // rows whose sequence wants another draft
        for (size_t r = 0; r < drafting.size(); ++r) {
            Sequence& seq = *drafting[r];
            seq.verify.push_back(choose_draft(*seq.sampler, logits.data() + r * size_t(vocab), vocab, seq.draft_q));
            if (int64_t(seq.verify.size()) < wanted[r]) deeper.push_back(r);
        }
        if (deeper.empty()) break;
        // Depth + 1: each row feeds the layer its own output and the draft just chosen, one position
        // on (verify[depth] is the draft at position n_computed + depth; its row sits one before).
        StepBatch rows;
        std::vector<float> chained;  // [rows, D]
        std::vector<Sequence*> next;
        std::vector<int64_t> next_wanted;
        for (size_t r : deeper) {
            Sequence& seq = *drafting[r];
            rows.add(*seq.cache, seq.n_computed + depth - 1, std::span<const int32_t>(&seq.verify.back(), 1), false);
            chained.insert(chained.end(), newest.begin() + long(r * size_t(d)), newest.begin() + long((r + 1) * size_t(d)));
            next.push_back(&seq);
            next_wanted.push_back(wanted[r]);
        }
        newest.assign(chained.size(), 0.0f);
        logits.assign(rows.size() * size_t(vocab), 0.0f);
        engine_.predict(rows, chained.data(), newest.data(), logits.data());
        drafting = std::move(next);
        wanted = std::move(next_wanted);
    }
    return verifying;
}

void Scheduler::run_speculative_forward(const std::vector<bool>& all_logits) {
    const int64_t d = hidden_size_, vocab = vocab_size_;
    // Verifying sequences need the scores after every token; prompt chunks and plain decodes only the last.
    logits_.resize(size_t(batch_.n_logit_rows() * vocab));
    std::vector<float> hidden(static_cast<size_t>(batch_.n_tokens() * d));
    engine_.forward(batch_, logits_.data(), hidden.data());

    size_t logit_row = 0, token_row = 0;
    for (size_t i = 0; i < chosen_.size(); ++i) {
        Sequence& seq = *chosen_[i];
        const int64_t n = step_tokens_[i];
        float* logits = logits_.data() + logit_row * size_t(vocab);
        const float* h = hidden.data() + token_row * size_t(d);
        logit_row += all_logits[i] ? size_t(n) : 1;
        token_row += size_t(n);
        if (all_logits[i]) {
            accept_verified(seq, logits, h);
            continue;
        }
        if (seq.drafts) seq.hidden.insert(seq.hidden.end(), h, h + n * d);
        seq.n_computed += n;
        if (seq.n_computed == int64_t(seq.tokens.size())) sample_next(seq, logits);
    }
}

void Scheduler::accept_verified(Sequence& seq, const float* logits, const float* hidden) {
    if (seq.stream->cancelled()) return retire(seq, FinishReason::FinishReason_cancelled);
    const int64_t d = hidden_size_;
    const std::vector<int32_t> drafts(seq.verify.begin() + 1, seq.verify.end());
    VerifiedDrafts verified = verify_drafts(*seq.sampler, logits, vocab_size_, drafts, seq.draft_q);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stats_.drafted += int64_t(drafts.size());
        stats_.accepted += int64_t(verified.kept);
        ++stats_.verifications;
    }
    // The pending token and the accepted drafts are computed; their hidden states feed the next draft.
    seq.hidden.insert(seq.hidden.end(), hidden, hidden + (verified.kept + 1) * size_t(d));
    seq.n_computed += 1;
    for (size_t j = 0; j < verified.tokens.size(); ++j) {
        GeneratedToken out;
        out.token = verified.tokens[j];
        if (!emit(seq, std::move(out))) return;
        if (j < verified.kept) ++seq.n_computed;
    }
    // Blocks that held only rejected drafts go back to the pool.
    kv_.apply(*seq.cache, {CacheChange::Kind::CacheChange_rollback, seq.n_computed, nullptr});
}

}  // namespace whale
