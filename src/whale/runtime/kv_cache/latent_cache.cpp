#include "whale/runtime/kv_cache/latent_cache.h"

#include "whale/core/error.h"

namespace whale {

LatentCache::LatentCache(const CacheLayout& layout, int64_t max_positions)
    : layout_(layout), max_positions_(max_positions) {}

float* LatentCache::row(int layer, int64_t position) {
    float* block = blocks_[size_t(position / block_positions)].get();
    return block + (int64_t(layer) * block_positions + position % block_positions) * layout_.row_width;
}

void LatentCache::reserve(int64_t n) {
    WHALE_CHECK(n <= max_positions_, "context of ", n, " tokens exceeds the limit of ", max_positions_,
                " (raise it with --ctx, up to the model's max_position_embeddings)");
    const size_t block_floats = size_t(layout_.n_layers) * size_t(block_positions) * size_t(layout_.row_width);
    while (capacity() < n) blocks_.push_back(std::make_unique<float[]>(block_floats));
}

}  // namespace whale
