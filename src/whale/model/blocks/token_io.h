// The two ends of every decoder: token ids -> embedding rows, and final hidden rows -> logits.
// Shared by all generations so batching rules (which rows get logits) live in one place.
#pragma once

#include <vector>

#include "whale/core/thread_pool.h"
#include "whale/kernels/weight_matrix.h"
#include "whale/model/blocks/batch_layout.h"

namespace whale {

// hidden [N, D] = rows of embed [V, D] for tokens [N]; an id outside [0, V) is an error.
void embed_tokens(float* hidden, const int32_t* tokens, int64_t n, const WeightMatrix& embed);

// logits [n_logit_rows, V] = lm_head(RMSNorm(h)) for the rows that need logits: every token of a
// sequence with all_logits, else its last token, sequence by sequence. hidden [N, D].
void final_logits(float* logits, const float* hidden, const BatchLayout& layout, const std::vector<float>& norm,
                  float eps, const WeightMatrix& lm_head, ThreadPool& pool);

}  // namespace whale
