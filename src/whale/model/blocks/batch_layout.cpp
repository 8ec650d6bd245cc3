#include "whale/model/blocks/batch_layout.h"

#include "whale/core/error.h"

namespace whale {

void BatchLayout::assign(const ForwardBatch& batch) {
    BatchLayout& layout = *this;
    layout.n_tokens = 0;
    layout.positions.clear();
    layout.caches.clear();
    layout.first_token.clear();
    layout.sequences.assign(batch.sequences.begin(), batch.sequences.end());
    for (const SequenceInBatch& s : batch.sequences) {
        WHALE_CHECK(s.cache != nullptr && s.n_tokens > 0, "forward: every sequence needs a cache and tokens");
        WHALE_CHECK(s.start_position >= 0 && s.start_position + s.n_tokens <= s.cache->capacity(),
                    "forward: positions [", s.start_position, ", ", s.start_position + s.n_tokens,
                    ") exceed the cache capacity of ", s.cache->capacity(), " tokens");
        layout.first_token.push_back(layout.n_tokens);
        for (int64_t t = 0; t < s.n_tokens; ++t) {
            layout.positions.push_back(s.start_position + t);
            layout.caches.push_back(s.cache);
        }
        layout.n_tokens += s.n_tokens;
    }
    WHALE_CHECK(layout.n_tokens > 0, "forward: no tokens");
}

}  // namespace whale
