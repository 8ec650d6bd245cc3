// A real model whose multi-token-prediction layer a test replaces, for speculative decoding through
// the scheduler: a drafter scripted from a known answer (always right, or always wrong by a shift),
// or the model's own MTP layer recording the scores of every call.
#pragma once

#include <algorithm>
#include <memory>
#include <vector>

#include "whale/model/causal_lm.h"
#include "whale/model/multi_token_predictor.h"

namespace whale::testing {

// The real model with the test's MTP layer in place of its own.
class ModelWithMtp : public CausalLM {
public:
    explicit ModelWithMtp(std::unique_ptr<CausalLM> model) : model_(std::move(model)) {}
    void set_mtp(std::unique_ptr<MultiTokenPredictor> mtp) { mtp_ = std::move(mtp); }
    const CausalLM& inner() const { return *model_; }

    const ModelSummary& summary() const override { return model_->summary(); }
    CacheLayout cache_layout() const override { return model_->cache_layout(); }
    void forward_batch(const ForwardBatch& batch, float* logits, ThreadPool& pool) const override {
        model_->forward_batch(batch, logits, pool);
    }
    const MultiTokenPredictor* mtp() const override { return mtp_.get(); }

private:
    std::unique_ptr<CausalLM> model_;
    std::unique_ptr<MultiTokenPredictor> mtp_;
};

// Scores one-hot at the right token of `full` (prompt + continuation) for the position after each
// sequence's last row (shift 0), or at a wrong one (shift s: (right + s) % vocab).
class ScriptedMtp : public MultiTokenPredictor {
public:
    ScriptedMtp(int cache_layer, std::vector<int32_t> full, int32_t shift, int64_t vocab)
        : cache_layer_(cache_layer), full_(std::move(full)), shift_(shift), vocab_(vocab) {}
    int cache_layer() const override { return cache_layer_; }
    void predict(const ForwardBatch& batch, const float*, float*, float* logits, ThreadPool&) const override {
        for (size_t r = 0; r < batch.sequences.size(); ++r) {
            // The last row sits at position p and pairs h_p with t_{p+1}: it predicts t_{p+2}.
            const SequenceInBatch& row = batch.sequences[r];
            const int64_t p = row.start_position + row.n_tokens - 1;
            const int32_t right = size_t(p + 2) < full_.size() ? full_[size_t(p + 2)] : 0;
            std::fill(logits + r * size_t(vocab_), logits + (r + 1) * size_t(vocab_), 0.0f);
            logits[r * size_t(vocab_) + size_t((right + shift_) % vocab_)] = 10.0f;
        }
    }

private:
    int cache_layer_;
    std::vector<int32_t> full_;
    int32_t shift_;
    int64_t vocab_;
};

// The model's own MTP layer, keeping the scores [n_logit_rows, vocab] of every call in order.
class RecordingMtp : public MultiTokenPredictor {
public:
    RecordingMtp(const MultiTokenPredictor& inner, int64_t vocab) : inner_(inner), vocab_(vocab) {}
    int cache_layer() const override { return inner_.cache_layer(); }
    void predict(const ForwardBatch& batch, const float* hidden, float* hidden_out, float* logits,
                 ThreadPool& pool) const override {
        inner_.predict(batch, hidden, hidden_out, logits, pool);
        calls.emplace_back(logits, logits + batch.n_logit_rows() * vocab_);
    }
    mutable std::vector<std::vector<float>> calls;

private:
    const MultiTokenPredictor& inner_;
    int64_t vocab_;
};

// `model` (which has an MTP layer) drafting from the script instead.
inline std::unique_ptr<CausalLM> with_scripted_mtp(std::unique_ptr<CausalLM> model, std::vector<int32_t> full,
                                                   int32_t shift) {
    auto wrapped = std::make_unique<ModelWithMtp>(std::move(model));
    const int layer = wrapped->inner().mtp()->cache_layer();
    const int64_t vocab = wrapped->summary().vocab_size;
    wrapped->set_mtp(std::make_unique<ScriptedMtp>(layer, std::move(full), shift, vocab));
    return wrapped;
}

}  // namespace whale::testing
