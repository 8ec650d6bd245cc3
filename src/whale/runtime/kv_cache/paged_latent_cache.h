// One sequence's view of the shared block pool: a block table mapping position / block_positions
// to a pool block. The model writes and reads through row(), so growing a sequence only appends a
// block to its table and never copies rows; leading blocks may be shared with other sequences
// through the prefix cache (they are full and never written again).
#pragma once

#include <cstdint>
#include <vector>

#include "whale/model/latent_kv_store.h"
#include "whale/runtime/kv_cache/block_pool.h"

namespace whale {

class PagedLatentCache : public LatentKvStore {
public:
    explicit PagedLatentCache(BlockPool& pool) : pool_(pool) {}
    ~PagedLatentCache() override { release_all(); }
    PagedLatentCache(const PagedLatentCache&) = delete;
    PagedLatentCache& operator=(const PagedLatentCache&) = delete;

    float* row(int layer, int64_t position) override {
        const int64_t bp = pool_.block_positions();
        return pool_.row(blocks_[size_t(position / bp)], layer, position % bp);
    }
    float* entry(int layer, CacheKind kind, int64_t index) override;
    int64_t capacity() const override { return int64_t(blocks_.size()) * pool_.block_positions(); }
    // What the reserved block table (reserve_table) covers.
    int64_t expected_positions() const override { return int64_t(blocks_.capacity()) * pool_.block_positions(); }

    // The block-table changes below are PagedKv::apply()'s (paged_kv.h), the one place the
    // scheduler's caches change; unit tests of this class call them directly.
    // Appends a block this cache now holds one reference to (shared prefix blocks come retained).
    void append_block(BlockId block) { blocks_.push_back(block); }
    // Room in the block table for n blocks, so that appending them allocates nothing.
    void reserve_table(int64_t n) { blocks_.reserve(size_t(n)); }
    // How many more blocks positions [0, n) need beyond the current table.
    int64_t blocks_needed(int64_t n) const;
    // Releases the blocks past those positions [0, n) need (rows of rejected speculative drafts).
    void truncate(int64_t n);
    // Releases every block (the sequence finished or was preempted).
    void release_all();

    const std::vector<BlockId>& blocks() const { return blocks_; }
    BlockPool& pool() { return pool_; }

private:
    BlockPool& pool_;
    std::vector<BlockId> blocks_;
};

}  // namespace whale
