// Picks the next token from logits. At temperature 0 it is greedy (argmax after biases and
// penalties); otherwise seeded sampling after, in this order (the transformers processor order):
// logit bias -> repetition / presence / frequency penalties -> temperature -> top-k -> top-p ->
// min-p. The same seed, settings and logits always give the same tokens.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <vector>

namespace whale {

struct SamplerSettings {
    float temperature = 0.0f;        // 0 = greedy
    int top_k = 0;                   // 0 = off
    float top_p = 1.0f;              // 1 = off
    float min_p = 0.0f;              // 0 = off; keeps tokens with p >= min_p · p_max
    float repetition_penalty = 1.0f; // HF rule over prompt + output: logit > 0 ? /r : ·r
    float presence_penalty = 0.0f;   // OpenAI rule over the output: − presence if seen
    float frequency_penalty = 0.0f;  // OpenAI rule over the output: − frequency · count
    std::map<int32_t, float> logit_bias;  // added to the raw logits
    uint64_t seed = 0;
};

class Sampler {
public:
    explicit Sampler(const SamplerSettings& settings) : settings_(settings), rng_(settings.seed) {}

    // Prompt tokens count for the repetition penalty only; generated tokens for all penalties.
    void accept_prompt(const std::vector<int32_t>& tokens);
    void accept(int32_t token);

    // logits [vocab_size] f32 (not modified). Returns the chosen token id. Its buffers are the
    // sampler's own and reused, so after the first call sample() and accept() of in-vocabulary
    // tokens allocate nothing.
    int32_t sample(const float* logits, int64_t vocab_size);

    // The logits after bias and penalties, as the sampler sees them before temperature.
    std::vector<float> adjusted_logits(const float* logits, int64_t vocab_size) const;
    const SamplerSettings& settings() const { return settings_; }

    // The distribution sample() draws from, over the whole vocabulary [vocab_size], summing to 1:
    // one-hot at the argmax when greedy, else the tokens top-k / top-p / min-p keep. Speculative
    // decoding compares these for the draft and the target model.
    std::vector<double> distribution(const float* logits, int64_t vocab_size) const;
    // A token drawn from `weights` [vocab] (non-negative, not necessarily normalised) with this
    // sampler's random stream.
    int32_t sample_from(const std::vector<double>& weights);
    std::mt19937_64& rng() { return rng_; }

private:
    // The tokens sampling may pick after top-k / min-p / top-p: order[0, count), most likely first.
    // The vectors are storage that later calls reuse.
    struct Candidates {
        std::vector<int32_t> order;  // [vocab] token ids
        std::vector<float> weights;  // [vocab] by token id, set for the candidates only: exp((l - l_max) / T)
        int64_t count = 0;
        double mass = 0.0;           // the candidates' weights summed
    };
    void find_candidates(Candidates& c, const float* logits, int64_t vocab_size) const;
    // out [vocab_size] = logits after bias and penalties.
    void adjust_logits(float* out, const float* logits, int64_t vocab_size) const;
    // Sizes the occurrence tables for the vocabulary, so that accept() of its tokens never allocates.
    void reserve_vocabulary(int64_t vocab_size);
    void count(std::vector<int32_t>& counts, std::vector<int32_t>& distinct, int32_t token);

    SamplerSettings settings_;
    std::mt19937_64 rng_;
    // Occurrences by token id (prompt + output for repetition_penalty, output only for presence
    // and frequency), with the distinct ids in first-seen order so penalties visit only those.
    std::vector<int32_t> seen_count_, generated_count_;
    std::vector<int32_t> seen_tokens_, generated_tokens_;
    std::vector<float> adjusted_;  // [vocab] sample()'s adjusted logits
    Candidates candidates_;        // sample()'s candidates
};

// Index of the largest logit; ties go to the lower index (as torch.argmax).
int32_t argmax(const float* logits, int64_t n);

// log-softmax of logits [n] into out [n], computed in double for stable log-probabilities.
void log_softmax(float* out, const float* logits, int64_t n);

}  // namespace whale
