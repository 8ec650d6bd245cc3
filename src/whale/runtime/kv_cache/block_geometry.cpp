#include "whale/runtime/kv_cache/block_geometry.h"

#include "whale/core/error.h"

namespace whale {

BlockGeometry::BlockGeometry(const CacheLayout& layout, int64_t block_positions) {
    WHALE_CHECK(block_positions > 0 && block_positions % layout.position_granularity() == 0, "KV blocks of ",
                block_positions, " positions cannot hold whole entries of a cache compressing every ",
                layout.position_granularity(), " positions");
    entries_.resize(size_t(layout.n_layers()));
    for (int layer = 0; layer < layout.n_layers(); ++layer) {
        row_base_.push_back(block_floats_);
        row_width_.push_back(layout.row_width(layer));
        block_floats_ += block_positions * layout.row_width(layer);
        for (const CacheComponent& c : layout.components(layer)) {
            if (c.ratio == 1) continue;
            entries_[size_t(layer)].push_back({c.kind, block_floats_, c.width, c.ratio});
            block_floats_ += block_positions / c.ratio * c.width;
        }
    }
}

const BlockGeometry::Entries& BlockGeometry::find(int layer, CacheKind kind) const {
    for (const Entries& e : entries_[size_t(layer)])
        if (e.kind == kind) return e;
    fail("cache layer ", layer, " keeps no compressed entries of kind ", int(kind));
}

}  // namespace whale
