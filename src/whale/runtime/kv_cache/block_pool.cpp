#include "whale/runtime/kv_cache/block_pool.h"

#include "whale/core/error.h"

namespace whale {

BlockPool::BlockPool(const CacheLayout& layout, int64_t block_positions, int64_t n_blocks)
    : layout_(layout),
      block_positions_(block_positions),
      geometry_(layout, block_positions),
      block_floats_(geometry_.block_floats()),
      ref_counts_(size_t(n_blocks), 0) {
    WHALE_CHECK(block_positions > 0 && n_blocks > 0, "KV block pool needs at least one block of at least one position");
    // Not zeroed: every row is written before it is read, and untouched pages then cost no memory.
    storage_ = std::make_unique_for_overwrite<float[]>(size_t(block_floats_ * n_blocks));
    free_.reserve(size_t(n_blocks));
    for (int64_t b = n_blocks - 1; b >= 0; --b) free_.push_back(BlockId(b));
}

BlockId BlockPool::allocate() {
    if (free_.empty()) return -1;
    BlockId block = free_.back();
    free_.pop_back();
    ref_counts_[size_t(block)] = 1;
    return block;
}

void BlockPool::retain(BlockId block) {
    WHALE_CHECK(ref_counts_[size_t(block)] > 0, "retain of free KV block ", block);
    ++ref_counts_[size_t(block)];
}

void BlockPool::release(BlockId block) {
    WHALE_CHECK(ref_counts_[size_t(block)] > 0, "release of free KV block ", block);
    if (--ref_counts_[size_t(block)] == 0) free_.push_back(block);
}

}  // namespace whale
