#include "whale/runtime/kv_cache/latent_cache.h"

#include "whale/core/error.h"

namespace whale {

LatentCache::LatentCache(const CacheLayout& layout, int64_t max_positions)
    : layout_(layout), max_positions_(max_positions), geometry_(layout, block_positions) {}

float* LatentCache::entry(int layer, CacheKind kind, int64_t index) {
    const int64_t position = index * geometry_.ratio(layer, kind);
    return geometry_.entry(blocks_[size_t(position / block_positions)].get(), layer, kind, position % block_positions);
}

void LatentCache::reserve(int64_t n) {
    WHALE_CHECK(n <= max_positions_, "context of ", n, " tokens exceeds the limit of ", max_positions_,
                " (raise it with --ctx, up to the model's max_position_embeddings)");
    while (capacity() < n) blocks_.push_back(std::make_unique<float[]>(size_t(geometry_.block_floats())));
}

}  // namespace whale
