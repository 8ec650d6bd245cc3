// Sampled speculative decoding through the scheduler, end to end, on a fake 5-token model whose
// target distribution p and draft distribution q depend on the position being predicted: every
// emitted token must follow p at its position (chi-square over 18k tokens), not q, whatever the
// drafts were; and the greedy path must emit the target's argmax.
#include <gtest/gtest.h>

#include <cmath>

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

BatchSpeculation fake_speculation(int n_draft) {
    BatchSpeculation s;
    s.n_draft = n_draft;
    s.hidden_size = 2;
    s.forward = [](const std::vector<BatchSequence>& batch, const std::vector<bool>& all_logits, float* logits,
                   float* hidden) {
        int64_t rows = 0, tokens = 0;
        for (size_t i = 0; i < batch.size(); ++i) {
            const BatchSequence& b = batch[i];
            // The scores after the token at position p predict position p + 1.
            for (int64_t t = all_logits[i] ? 0 : b.n_tokens - 1; t < b.n_tokens; ++t)
                write(logits + vocab * rows++, target_logits, b.start_position + t + 1);
            tokens += b.n_tokens;
        }
        std::fill(hidden, hidden + 2 * tokens, 0.0f);
    };
    s.predict = [](const std::vector<BatchSequence>& rows, const float*, float* hidden_out, float* logits) {
        int64_t n = 0;
        for (size_t r = 0; r < rows.size(); ++r) {
            // The MTP row at position p (h_p, t_{p+1}) predicts position p + 2.
            write(logits + vocab * int64_t(r), draft_logits, rows[r].start_position + rows[r].n_tokens + 1);
            n += rows[r].n_tokens;
        }
        std::fill(hidden_out, hidden_out + 2 * n, 0.0f);
    };
    return s;
}

SchedulerOptions options() {
    SchedulerOptions o;
    o.layout = CacheLayout(2, {{CacheKind::CacheKind_latent, 1}});  // the fake model's layer and the MTP layer
    o.vocab_size = vocab;
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

BatchForward unused_plain_forward() {
    return [](const std::vector<BatchSequence>&, float*) { FAIL() << "speculation replaces the plain forward"; };
}

TEST(SchedulerSpeculationTest, SampledOutputFollowsTheTargetAtEveryPosition) {
    const std::vector<int32_t> prompt = {1, 2, 3};
    const int n_requests = 3000, n_tokens = 6;
    std::vector<std::vector<int>> counts(n_classes, std::vector<int>(vocab, 0));
    {
        Scheduler scheduler(options(), unused_plain_forward(), fake_speculation(2));
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
    Scheduler scheduler(options(), unused_plain_forward(), fake_speculation(3));
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

}  // namespace
}  // namespace whale
