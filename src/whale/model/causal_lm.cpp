#include "whale/model/causal_lm.h"

namespace whale {

int64_t ForwardBatch::n_tokens() const {
    int64_t n = 0;
    for (const SequenceInBatch& s : sequences) n += s.n_tokens;
    return n;
}

int64_t ForwardBatch::n_logit_rows() const {
    int64_t n = 0;
    for (const SequenceInBatch& s : sequences) n += s.all_logits ? s.n_tokens : 1;
    return n;
}

}  // namespace whale
