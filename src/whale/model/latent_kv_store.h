// What attention needs from a KV cache, declared here so model code never depends on how the
// runtime stores it (contiguous, paged, on disk). The runtime implements it.
#pragma once

#include <cstdint>

namespace whale {

class LatentKvStore {
public:
    virtual ~LatentKvStore() = default;
    // Row for (layer, position): [row_width] f32, writable. Valid until the store is resized.
    // Callers only ask for positions below capacity().
    virtual float* row(int layer, int64_t position) = 0;
    virtual int64_t capacity() const = 0;
    // Positions the store expects to reach (at least capacity()): scratch sized by it never grows
    // as the store does.
    virtual int64_t expected_positions() const { return capacity(); }
};

}  // namespace whale
