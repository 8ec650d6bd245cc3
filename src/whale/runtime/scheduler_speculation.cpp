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
#include "whale/model/multi_token_predictor.h"
#include "whale/runtime/scheduler.h"
#include "whale/runtime/speculative/draft_selection.h"

namespace whale {

BatchSpeculation model_batch_speculation(const CausalLM& model, ThreadPool& pool, int n_draft) {
    const MultiTokenPredictor* mtp = model.mtp();
    WHALE_CHECK(mtp != nullptr, "--speculative mtp: this model has no multi-token-prediction layer (its checkpoint has "
                "no model.layers.", model.summary().n_layers, ".* MTP tensors), so it cannot draft tokens");
    BatchSpeculation s;
    s.n_draft = n_draft;
    s.hidden_size = model.summary().hidden_size;
    s.forward = [&model, &pool](const std::vector<BatchSequence>& batch, const std::vector<bool>& all_logits,
                                float* logits, float* hidden) {
        ForwardBatch forward;
        std::vector<int32_t> tokens;
        for (size_t i = 0; i < batch.size(); ++i) {
            forward.sequences.push_back({batch[i].cache, batch[i].start_position, batch[i].n_tokens, all_logits[i]});
            tokens.insert(tokens.end(), batch[i].tokens, batch[i].tokens + batch[i].n_tokens);
        }
        forward.tokens = tokens.data();
        forward.final_hidden = hidden;
        model.forward_batch(forward, logits, pool);
    };
    s.predict = [mtp, &pool](const std::vector<BatchSequence>& rows, const float* hidden, float* hidden_out,
                             float* logits) {
        ForwardBatch forward;
        std::vector<int32_t> tokens;
        for (const BatchSequence& r : rows) {
            forward.sequences.push_back({r.cache, r.start_position, r.n_tokens, false});
            tokens.insert(tokens.end(), r.tokens, r.tokens + r.n_tokens);
        }
        forward.tokens = tokens.data();
        mtp->predict(forward, hidden, hidden_out, logits, pool);
    };
    return s;
}

int Scheduler::planned_drafts(const Sequence& seq) const {
    if (speculation_.n_draft <= 0 || !seq.drafts || seq.hidden.empty()) return 0;
    // Drafts past the token budget or the context would be thrown away unseen.
    const int64_t budget = std::min(seq.request.max_tokens - seq.n_generated - 1,
                                    options_.max_context - int64_t(seq.tokens.size()) - 1);
    return int(std::clamp<int64_t>(budget, 0, speculation_.n_draft));
}

std::vector<float> Scheduler::predict_catch_up(const std::vector<Sequence*>& drafting, std::vector<float>& logits) {
    const int64_t d = speculation_.hidden_size;
    std::vector<BatchSequence> rows;
    std::vector<std::vector<int32_t>> row_tokens(drafting.size());
    std::vector<float> hidden_in;  // [N, D] every sequence's kept hidden states, concatenated
    for (size_t k = 0; k < drafting.size(); ++k) {
        Sequence& seq = *drafting[k];
        const int64_t n_rows = int64_t(seq.hidden.size()) / d;
        // Row i pairs h_i with t_{i+1}; the newest row's next token is the pending one.
        row_tokens[k].assign(seq.tokens.begin() + seq.hidden_start + 1, seq.tokens.begin() + seq.n_computed + 1);
        rows.push_back({seq.cache.get(), row_tokens[k].data(), n_rows, seq.hidden_start});
        hidden_in.insert(hidden_in.end(), seq.hidden.begin(), seq.hidden.end());
        seq.hidden.clear();
        seq.hidden_start = seq.n_computed;
    }
    std::vector<float> hidden_out(hidden_in.size());
    logits.assign(drafting.size() * size_t(options_.vocab_size), 0.0f);
    speculation_.predict(rows, hidden_in.data(), hidden_out.data(), logits.data());
    std::vector<float> newest;  // [drafting.size(), D] each sequence's last output row
    int64_t end = 0;
    for (const BatchSequence& r : rows) {
        end += r.n_tokens;
        newest.insert(newest.end(), hidden_out.begin() + (end - 1) * d, hidden_out.begin() + end * d);
    }
    return newest;
}

std::vector<bool> Scheduler::draft(const std::vector<Sequence*>& chosen, std::vector<BatchSequence>& batch) {
    const int64_t d = speculation_.hidden_size, vocab = options_.vocab_size;
    std::vector<bool> verifying(chosen.size(), false);
    std::vector<Sequence*> drafting;
    std::vector<int64_t> wanted;  // 1 + drafts each drafting sequence verifies (its batch entry's size)
    for (size_t i = 0; i < chosen.size(); ++i) {
        verifying[i] = chosen[i]->drafts && int64_t(chosen[i]->tokens.size()) - chosen[i]->n_computed == 1 &&
                       batch[i].n_tokens > 1;
        if (!verifying[i]) continue;
        drafting.push_back(chosen[i]);
        wanted.push_back(batch[i].n_tokens);
        chosen[i]->verify = {chosen[i]->tokens[size_t(chosen[i]->n_computed)]};
        chosen[i]->draft_q.clear();
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
        std::vector<BatchSequence> rows;
        std::vector<float> chained;  // [rows, D]
        std::vector<Sequence*> next;
        std::vector<int64_t> next_wanted;
        for (size_t r : deeper) {
            Sequence& seq = *drafting[r];
            rows.push_back({seq.cache.get(), &seq.verify.back(), 1, seq.n_computed + depth - 1});
            chained.insert(chained.end(), newest.begin() + long(r * size_t(d)), newest.begin() + long((r + 1) * size_t(d)));
            next.push_back(&seq);
            next_wanted.push_back(wanted[r]);
        }
        newest.assign(chained.size(), 0.0f);
        logits.assign(rows.size() * size_t(vocab), 0.0f);
        speculation_.predict(rows, chained.data(), newest.data(), logits.data());
        drafting = std::move(next);
        wanted = std::move(next_wanted);
    }
    for (size_t i = 0; i < chosen.size(); ++i)
        if (verifying[i]) batch[i].tokens = chosen[i]->verify.data();
    return verifying;
}

void Scheduler::run_speculative_forward(const std::vector<Sequence*>& chosen, const std::vector<BatchSequence>& batch,
                                        const std::vector<bool>& all_logits) {
    const int64_t d = speculation_.hidden_size, vocab = options_.vocab_size;
    // Verifying sequences need the scores after every token; prompt chunks and plain decodes only the last.
    int64_t n_rows = 0, n_tokens = 0;
    for (size_t i = 0; i < chosen.size(); ++i) {
        n_rows += all_logits[i] ? batch[i].n_tokens : 1;
        n_tokens += batch[i].n_tokens;
    }
    logits_.resize(size_t(n_rows * vocab));
    std::vector<float> hidden(static_cast<size_t>(n_tokens * d));
    speculation_.forward(batch, all_logits, logits_.data(), hidden.data());

    size_t logit_row = 0, token_row = 0;
    for (size_t i = 0; i < chosen.size(); ++i) {
        Sequence& seq = *chosen[i];
        float* logits = logits_.data() + logit_row * size_t(vocab);
        const float* h = hidden.data() + token_row * size_t(d);
        logit_row += all_logits[i] ? size_t(batch[i].n_tokens) : 1;
        token_row += size_t(batch[i].n_tokens);
        if (all_logits[i]) {
            accept_verified(seq, logits, h);
            continue;
        }
        if (seq.drafts) seq.hidden.insert(seq.hidden.end(), h, h + batch[i].n_tokens * d);
        seq.n_computed += batch[i].n_tokens;
        if (seq.n_computed == int64_t(seq.tokens.size())) sample_next(seq, logits);
    }
}

void Scheduler::accept_verified(Sequence& seq, const float* logits, const float* hidden) {
    if (seq.stream->cancelled()) return retire(seq, FinishReason::FinishReason_cancelled);
    const int64_t d = speculation_.hidden_size;
    const std::vector<int32_t> drafts(seq.verify.begin() + 1, seq.verify.end());
    VerifiedDrafts verified = verify_drafts(*seq.sampler, logits, options_.vocab_size, drafts, seq.draft_q);
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stats_.drafted += int64_t(drafts.size());
        stats_.accepted += int64_t(verified.kept);
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
    seq.cache->truncate(seq.n_computed);
}

}  // namespace whale
