// The per-session latent KV cache for MLA models: for every layer and token, the row
// [kv_lora_rank normalised latent | qk_rope_head_dim rotated rope key] in f32.
// Storage grows in fixed blocks of positions, so appending never moves existing rows.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "whale/model/causal_lm.h"
#include "whale/model/latent_kv_store.h"

namespace whale {

// A session's cache as the runtime sees it: the model's row interface plus growth and accounting.
// The contiguous LatentCache below is the default; the server's paged cache is another.
class SessionCache : public LatentKvStore {
public:
    // Makes positions [0, n) addressable; throws when n exceeds the limit.
    virtual void reserve(int64_t n) = 0;
    virtual int64_t bytes_per_token() const = 0;
    virtual int64_t bytes_allocated() const = 0;
};

class LatentCache : public SessionCache {
public:
    static constexpr int64_t block_positions = 256;

    // max_positions bounds growth; nothing is allocated until reserve().
    LatentCache(const CacheLayout& layout, int64_t max_positions);

    float* row(int layer, int64_t position) override;
    int64_t capacity() const override { return int64_t(blocks_.size()) * block_positions; }

    void reserve(int64_t n) override;
    int64_t max_positions() const { return max_positions_; }
    int64_t bytes_per_token() const override {
        return int64_t(layout_.n_layers) * layout_.row_width * int64_t(sizeof(float));
    }
    int64_t bytes_allocated() const override { return capacity() * bytes_per_token(); }
    const CacheLayout& layout() const { return layout_; }

private:
    CacheLayout layout_;
    int64_t max_positions_;
    std::vector<std::unique_ptr<float[]>> blocks_;  // each [n_layers, block_positions, row_width]
};

}  // namespace whale
