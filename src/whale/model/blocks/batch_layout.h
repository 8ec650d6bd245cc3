// Where each token of a batched forward lives: its sequence, its position and its cache.
// Filled once per forward so blocks can process all tokens together and still write each row
// into the right timeline. A model keeps one and refills it, reusing its vectors' storage.
#pragma once

#include <cstdint>
#include <vector>

#include "whale/model/causal_lm.h"

namespace whale {

struct BatchLayout {
    int64_t n_tokens = 0;                  // N
    std::vector<int64_t> positions;        // [N] absolute position of each token
    std::vector<LatentKvStore*> caches;    // [N] the cache of each token's sequence
    std::vector<int64_t> first_token;      // [n_sequences] index of each sequence's first token
    std::vector<SequenceInBatch> sequences;

    // Replaces the contents with the layout of `batch` (checked against its caches' capacity).
    void assign(const ForwardBatch& batch);
};

}  // namespace whale
