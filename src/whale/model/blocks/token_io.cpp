#include "whale/model/blocks/token_io.h"

#include <algorithm>

#include "whale/core/error.h"
#include "whale/core/scratch.h"
#include "whale/kernels/matmul.h"
#include "whale/kernels/norm.h"

namespace whale {

void embed_tokens(float* hidden, const int32_t* tokens, int64_t n, const WeightMatrix& embed) {
    for (int64_t t = 0; t < n; ++t) {
        WHALE_CHECK(tokens[t] >= 0 && tokens[t] < embed.rows, "token id ", tokens[t], " is outside the vocabulary [0, ",
                    embed.rows, ")");
        weight_dequantize_row(hidden + t * embed.cols, embed, tokens[t]);
    }
}

void final_logits(float* logits, const float* hidden, const BatchLayout& layout, const std::vector<float>& norm,
                  float eps, const WeightMatrix& lm_head, ThreadPool& pool) {
    const int64_t d = lm_head.cols;
    int64_t n_out = 0;
    for (const SequenceInBatch& seq : layout.sequences) n_out += seq.all_logits ? seq.n_tokens : 1;
    // [n_logit_rows, D]: only these rows go through the (large) head. Reused: decode allocates nothing.
    thread_local std::vector<float> rows_storage;
    float* rows = scratch(rows_storage, size_t(n_out * d));
    float* next = rows;
    for (size_t i = 0; i < layout.sequences.size(); ++i) {
        const SequenceInBatch& seq = layout.sequences[i];
        const int64_t first = layout.first_token[i] + (seq.all_logits ? 0 : seq.n_tokens - 1);
        const int64_t last = layout.first_token[i] + seq.n_tokens;
        next = std::copy(hidden + first * d, hidden + last * d, next);
    }
    rmsnorm(rows, rows, norm.data(), n_out, d, eps);
    matmul(logits, rows, n_out, lm_head, pool);
}

}  // namespace whale
