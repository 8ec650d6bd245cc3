// What attention needs from a KV cache, declared here so model code never depends on how the
// runtime stores it (contiguous, paged, on disk). The runtime implements it for the CacheLayout
// the model declares (model/cache_layout.h).
#pragma once

#include <cstdint>

#include "whale/core/error.h"
#include "whale/model/cache_layout.h"

namespace whale {

class LatentKvStore {
public:
    virtual ~LatentKvStore() = default;
    // Row for (layer, position): the layer's per-position components side by side,
    // [row_width(layer)] f32, writable. Valid until the store grows.
    // Callers only ask for positions below capacity() and take the pointer once per row they read,
    // outside their per-element loops.
    virtual float* row(int layer, int64_t position) = 0;
    // Entry `index` of the component of ratio m > 1 and kind `kind` of `layer`, covering positions
    // [m·index, m·index + m): [width] f32, writable. Only for m·index < capacity().
    virtual float* entry(int layer, CacheKind kind, int64_t index) {
        fail("this KV store keeps no entries of kind ", int(kind), " (layer ", layer, ", entry ", index, ")");
    }
    virtual int64_t capacity() const = 0;
    // Positions the store expects to reach (at least capacity()): scratch sized by it never grows
    // as the store does.
    virtual int64_t expected_positions() const { return capacity(); }
};

}  // namespace whale
