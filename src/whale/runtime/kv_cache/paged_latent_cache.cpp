#include "whale/runtime/kv_cache/paged_latent_cache.h"

namespace whale {

float* PagedLatentCache::entry(int layer, CacheKind kind, int64_t index) {
    const int64_t bp = pool_.block_positions(), position = index * pool_.geometry().ratio(layer, kind);
    return pool_.geometry().entry(pool_.block_data(blocks_[size_t(position / bp)]), layer, kind, position % bp);
}

int64_t PagedLatentCache::blocks_needed(int64_t n) const {
    const int64_t bp = pool_.block_positions();
    const int64_t total = (n + bp - 1) / bp;
    return total > int64_t(blocks_.size()) ? total - int64_t(blocks_.size()) : 0;
}

void PagedLatentCache::truncate(int64_t n) {
    const int64_t bp = pool_.block_positions();
    const size_t keep = size_t((n + bp - 1) / bp);
    while (blocks_.size() > keep) {
        pool_.release(blocks_.back());
        blocks_.pop_back();
    }
}

void PagedLatentCache::release_all() {
    for (BlockId block : blocks_) pool_.release(block);
    blocks_.clear();
}

}  // namespace whale
