#include "whale/runtime/kv_cache/paged_kv.h"

#include "whale/core/error.h"

namespace whale {

PagedKv::PagedKv(const CacheLayout& layout, int64_t block_positions, int64_t n_blocks, std::string disk_dir,
                 std::string model_fingerprint)
    : pool_(layout, block_positions, n_blocks), prefix_(pool_, std::move(disk_dir), std::move(model_fingerprint)) {}

std::unique_ptr<PagedLatentCache> PagedKv::new_cache(int64_t max_positions) {
    auto cache = std::make_unique<PagedLatentCache>(pool_);
    cache->reserve_table((max_positions + pool_.block_positions() - 1) / pool_.block_positions());
    return cache;
}

bool PagedKv::apply(PagedLatentCache& cache, const CacheChange& change) {
    switch (change.kind) {
    case CacheChange::Kind::CacheChange_restore_prefix:
        WHALE_CHECK(change.tokens && cache.blocks().empty(), "restore_prefix: needs the tokens and an empty cache");
        for (BlockId block : prefix_.match(*change.tokens, change.n / pool_.block_positions()))
            cache.append_block(block);
        return true;
    case CacheChange::Kind::CacheChange_grow:
        for (int64_t need = cache.blocks_needed(change.n); need > 0; --need) {
            const BlockId block = prefix_.allocate();
            if (block < 0) return false;
            cache.append_block(block);
        }
        return true;
    case CacheChange::Kind::CacheChange_rollback:
        cache.truncate(change.n);
        return true;
    case CacheChange::Kind::CacheChange_release:
        WHALE_CHECK(change.tokens && change.n <= int64_t(change.tokens->size()), "release: needs the tokens");
        // Everything computed is worth keeping: the next turn of a conversation starts with it.
        prefix_.insert(std::vector<int32_t>(change.tokens->begin(), change.tokens->begin() + change.n), cache.blocks());
        cache.release_all();
        return true;
    }
    return false;
}

}  // namespace whale
