// The per-session KV cache: for every layer the rows and entries the model's CacheLayout declares
// (MLA latent, DSA index key, dense K/V, ...) in f32.
// Storage grows in fixed blocks of positions (block_geometry.h), so appending never moves rows.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "whale/model/causal_lm.h"
#include "whale/model/latent_kv_store.h"
#include "whale/runtime/kv_cache/block_geometry.h"

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
    // A multiple of every ratio a layout may declare (4 and 128 for DeepSeek-V4).
    static constexpr int64_t block_positions = 256;

    // max_positions bounds growth; nothing is allocated until reserve().
    LatentCache(const CacheLayout& layout, int64_t max_positions);

    float* row(int layer, int64_t position) override {
        return geometry_.row(blocks_[size_t(position / block_positions)].get(), layer, position % block_positions);
    }
    float* entry(int layer, CacheKind kind, int64_t index) override;
    int64_t capacity() const override { return int64_t(blocks_.size()) * block_positions; }

    void reserve(int64_t n) override;
    int64_t max_positions() const { return max_positions_; }
    int64_t bytes_per_token() const override {
        return geometry_.block_floats() * int64_t(sizeof(float)) / block_positions;
    }
    int64_t bytes_allocated() const override {
        return int64_t(blocks_.size()) * geometry_.block_floats() * int64_t(sizeof(float));
    }
    const CacheLayout& layout() const { return layout_; }

private:
    CacheLayout layout_;
    int64_t max_positions_;
    BlockGeometry geometry_;
    std::vector<std::unique_ptr<float[]>> blocks_;  // each [geometry_.block_floats()]
};

}  // namespace whale
