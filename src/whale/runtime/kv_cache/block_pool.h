// A fixed pool of KV cache blocks shared by every sequence the scheduler runs. A block holds the
// cache rows and entries (model/cache_layout.h) of `block_positions` consecutive positions for
// every layer, laid out as block_geometry.h says; storage [n_blocks, block_floats] f32, allocated
// once at start-up.
// Blocks are reference counted because the prefix cache lets several sequences (and the cache
// itself) hold the same block; a block returns to the free list when its last holder releases it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "whale/model/cache_layout.h"
#include "whale/runtime/kv_cache/block_geometry.h"

namespace whale {

using BlockId = int32_t;

class BlockPool {
public:
    BlockPool(const CacheLayout& layout, int64_t block_positions, int64_t n_blocks);

    // A free block with reference count 1, or -1 when none is free (the caller may evict from
    // the prefix cache and try again, or preempt a sequence).
    BlockId allocate();
    void retain(BlockId block);
    void release(BlockId block);

    // Row for (layer, offset within the block): [row_width(layer)] f32.
    float* row(BlockId block, int layer, int64_t offset) { return geometry_.row(block_data(block), layer, offset); }
    const BlockGeometry& geometry() const { return geometry_; }
    // The whole block, block_floats() f32, for copying to and from disk.
    float* block_data(BlockId block) { return storage_.get() + int64_t(block) * block_floats_; }
    int64_t block_floats() const { return block_floats_; }

    int ref_count(BlockId block) const { return ref_counts_[size_t(block)]; }
    int64_t block_positions() const { return block_positions_; }
    int64_t n_blocks() const { return int64_t(ref_counts_.size()); }
    int64_t n_free() const { return int64_t(free_.size()); }
    const CacheLayout& layout() const { return layout_; }

private:
    CacheLayout layout_;
    int64_t block_positions_;
    BlockGeometry geometry_;
    int64_t block_floats_;
    std::unique_ptr<float[]> storage_;
    std::vector<int> ref_counts_;
    std::vector<BlockId> free_;  // a stack: the most recently freed block is reused first (warm in cache)
};

}  // namespace whale
