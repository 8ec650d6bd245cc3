// Sampled speculative decoding through the scheduler, end to end, on a fake 5-token model whose
// target distribution p and draft distribution q depend on the position being predicted: every
// emitted token must follow p at its position (chi-square over 18k tokens), not q, whatever the
// drafts were; and the greedy path must emit the target's argmax.
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "whale/model/multi_token_predictor.h"
#include "whale/runtime/scheduler.h"

namespace whale {
namespace {

constexpr int64_t vocab = 5;
constexpr int n_classes = 3;  // positions cycle through three different p and q

// Target logits for the token at `position`; the draft logits differ everywhere.
const float target_logits[n_classes][vocab] = {{1.0f, 0.2f, -0.5f, 0.7f, 0.0f},
                                              {-1.0f, 0.5f, 0.9f, 0.0f, 0.3f},
                                              {0.4f, 0.4f, -0.2f, 1.2f, -1.0f}};
const float draft_logits[n_classes][vocab] = {{0.0f, 1.0f, 0.5f, -0.5f, 0.8f},
                                             {0.9f, -0.4f, 0.0f, 1.1f, 0.2f},
                                             {-0.3f, 1.0f, 0.8f, 0.0f, 0.6f}};

std::vector<double> softmax(const float* logits) {
    std::vector<double> p(vocab);
    double z = 0.0;
    for (int64_t i = 0; i < vocab; ++i) z += p[size_t(i)] = std::exp(double(logits[i]));
    for (double& v : p) v /= z;
    return p;
}

void write(float* out, const float (&table)[n_classes][vocab], int64_t position) {
    std::copy(table[position % n_classes], table[position % n_classes] + vocab, out);
}

// The MTP row at position p (h_p, t_{p+1}) predicts position p + 2.
class FakeMtp : public MultiTokenPredictor {
public:
    int cache_layer() const override { return 1; }
    void predict(const ForwardBatch& batch, const float*, float* hidden_out, float* logits, ThreadPool&) const override {
        for (size_t r = 0; r < batch.sequences.size(); ++r) {
            const SequenceInBatch& row = batch.sequences[r];
            write(logits + vocab * int64_t(r), draft_logits, row.start_position + row.n_tokens + 1);
        }
        std::fill(hidden_out, hidden_out + 2 * batch.n_tokens(), 0.0f);
    }
};

class FakeModel : public CausalLM {
public:
    FakeModel() {
        summary_.vocab_size = vocab;
        summary_.hidden_size = 2;
    }
    const ModelSummary& summary() const override { return summary_; }
    CacheLayout cache_layout() const override { return CacheLayout(1, {{CacheKind::CacheKind_latent, 1}}); }
    const MultiTokenPredictor* mtp() const override { return &mtp_; }
    void forward_batch(const ForwardBatch& batch, float* logits, ThreadPool&) const override {
        int64_t rows = 0;
        for (const SequenceInBatch& b : batch.sequences) {
            // The scores after the token at position p predict position p + 1.
            for (int64_t t = b.all_logits ? 0 : b.n_tokens - 1; t < b.n_tokens; ++t)
                write(logits + vocab * rows++, target_logits, b.start_position + t + 1);
        }
        if (batch.final_hidden) std::fill(batch.final_hidden, batch.final_hidden + 2 * batch.n_tokens(), 0.0f);
    }

private:
    ModelSummary summary_;
    FakeMtp mtp_;
};

std::unique_ptr<Engine> fake_engine() {
    EngineOptions options;
    options.n_threads = 1;
    return Engine::create(std::make_unique<FakeModel>(), options);
}

SchedulerOptions options(int n_draft) {
    SchedulerOptions o;
    o.n_draft = n_draft;
    o.max_context = 64;
    o.max_running = 64;
    o.block_positions = 4;
    o.n_blocks = 1024;
    o.max_queue = 4096;
    return o;
}

std::vector<int32_t> collect(GenerationStream& stream) {
    std::vector<GeneratedToken> got;
    FinishReason finish = FinishReason::FinishReason_none;
    while (finish == FinishReason::FinishReason_none) finish = stream.next(got, std::chrono::milliseconds(100));
    std::vector<int32_t> ids;
    for (const GeneratedToken& t : got) ids.push_back(t.token);
    return ids;
}

TEST(SchedulerSpeculationTest, SampledOutputFollowsTheTargetAtEveryPosition) {
    const std::vector<int32_t> prompt = {1, 2, 3};
    const int n_requests = 3000, n_tokens = 6;
    std::vector<std::vector<int>> counts(n_classes, std::vector<int>(vocab, 0));
    {
        auto engine = fake_engine();
        Scheduler scheduler(*engine, options(2));
        std::vector<std::shared_ptr<GenerationStream>> streams;
        for (int i = 0; i < n_requests; ++i) {
            GenerationRequest r;
            r.prompt = prompt;
            r.max_tokens = n_tokens;
            r.ignore_eos = true;
            r.sampler.temperature = 1.0f;
            r.sampler.seed = uint64_t(i + 1);
            streams.push_back(scheduler.submit(r));
            ASSERT_NE(streams.back(), nullptr);
        }
        for (auto& s : streams) {
            std::vector<int32_t> out = collect(*s);
            ASSERT_EQ(out.size(), size_t(n_tokens));
            for (size_t k = 0; k < out.size(); ++k) ++counts[(prompt.size() + k) % n_classes][size_t(out[k])];
        }
        SchedulerStats stats = scheduler.stats();
        EXPECT_GT(stats.drafted, 0);
        EXPECT_GT(stats.accepted, 0);
        EXPECT_LT(stats.accepted, stats.drafted);
    }
    for (int c = 0; c < n_classes; ++c) {
        const std::vector<double> p = softmax(target_logits[c]), q = softmax(draft_logits[c]);
        double total = 0.0, chi2_p = 0.0, chi2_q = 0.0;
        for (int n : counts[size_t(c)]) total += n;
        for (int64_t i = 0; i < vocab; ++i) {
            const double n = counts[size_t(c)][size_t(i)];
            chi2_p += (n - total * p[size_t(i)]) * (n - total * p[size_t(i)]) / (total * p[size_t(i)]);
            chi2_q += (n - total * q[size_t(i)]) * (n - total * q[size_t(i)]) / (total * q[size_t(i)]);
        }
        EXPECT_LT(chi2_p, 18.47) << "class " << c;  // 4 degrees of freedom, p = 0.001 (fixed seeds)
        EXPECT_GT(chi2_q, 500.0) << "class " << c;  // the draft distribution is clearly rejected
    }
}

TEST(SchedulerSpeculationTest, GreedyEmitsTheTargetArgmax) {
    auto engine = fake_engine();
    Scheduler scheduler(*engine, options(3));
    GenerationRequest r;
    r.prompt = {4, 4};
    r.max_tokens = 9;
    r.ignore_eos = true;
    std::vector<int32_t> expected;
    for (int64_t position = 2; position < 11; ++position) {
        const float* row = target_logits[position % n_classes];
        expected.push_back(int32_t(std::max_element(row, row + vocab) - row));
    }
    EXPECT_EQ(collect(*scheduler.submit(r)), expected);
}

// Drafts past the context would be thrown away unseen: with two positions left only one is drafted,
// though three are allowed.
TEST(SchedulerSpeculationTest, DraftsAreBoundedByTheContextLeft) {
    auto engine = fake_engine();
    Scheduler scheduler(*engine, options(3));
    GenerationRequest r;
    r.prompt = std::vector<int32_t>(61, 4);  // the first token brings it to 62 of 64 positions
    r.max_tokens = 100;
    r.ignore_eos = true;
    EXPECT_EQ(collect(*scheduler.submit(r)).size(), 3u);
    for (int i = 0; i < 200 && scheduler.stats().running > 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_EQ(scheduler.stats().drafted, 1);
    EXPECT_EQ(scheduler.stats().verifications, 1);
}

}  // namespace
}  // namespace whale
