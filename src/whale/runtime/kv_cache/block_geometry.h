// Where a CacheLayout's rows and entries sit inside one block of B consecutive positions, the unit
// in which every runtime store allocates (contiguous sessions, the paged pool, disk files):
//   layer after layer: its rows [B, row_width(layer)] f32, then for each of its components of ratio
//   m > 1 the entries [B / m, width] f32 of the windows starting in the block.
// B is a multiple of every ratio, so an entry never straddles two blocks and a full block holds
// only complete entries.
#pragma once

#include <cstdint>
#include <vector>

#include "whale/model/cache_layout.h"

namespace whale {

class BlockGeometry {
public:
    BlockGeometry(const CacheLayout& layout, int64_t block_positions);

    // Row of (layer, offset within the block): [row_width(layer)] f32.
    float* row(float* block, int layer, int64_t offset) const {
        return block + row_base_[size_t(layer)] + offset * row_width_[size_t(layer)];
    }
    // Entry of (layer, kind) whose window holds the position `offset` within the block: [width] f32.
    // Throws when the layer keeps no entries of that kind.
    float* entry(float* block, int layer, CacheKind kind, int64_t offset) const {
        const Entries& e = find(layer, kind);
        return block + e.base + offset / e.ratio * e.width;
    }
    // Positions per entry of (layer, kind).
    int64_t ratio(int layer, CacheKind kind) const { return find(layer, kind).ratio; }

    int64_t block_floats() const { return block_floats_; }

private:
    struct Entries {
        CacheKind kind;
        int64_t base;   // floats from the block start
        int64_t width;
        int64_t ratio;
    };
    const Entries& find(int layer, CacheKind kind) const;

    int64_t block_floats_ = 0;
    std::vector<int64_t> row_base_;             // [n_layers]
    std::vector<int64_t> row_width_;            // [n_layers]
    std::vector<std::vector<Entries>> entries_; // [n_layers] its components of ratio > 1
};

}  // namespace whale
