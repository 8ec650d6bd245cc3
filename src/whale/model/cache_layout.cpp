#include "whale/model/cache_layout.h"

#include <numeric>

#include "whale/core/error.h"

namespace whale {

CacheLayout::CacheLayout(std::vector<std::vector<CacheComponent>> layers) : layers_(std::move(layers)) {
    for (const auto& layer : layers_) {
        int64_t width = 0;
        WHALE_CHECK(!layer.empty(), "a cache layer caches nothing");
        for (const CacheComponent& c : layer) {
            WHALE_CHECK(c.width > 0 && c.ratio > 0, "cache component of width ", c.width, " and ratio ", c.ratio);
            if (c.ratio == 1) width += c.width;
            granularity_ = std::lcm(granularity_, c.ratio);
        }
        row_widths_.push_back(width);
        floats_per_position_ += width;
    }
}

int64_t CacheLayout::offset(int layer, CacheKind kind) const {
    int64_t at = 0;
    for (const CacheComponent& c : layers_[size_t(layer)]) {
        if (c.ratio != 1) continue;
        if (c.kind == kind) return at;
        at += c.width;
    }
    fail("cache layer ", layer, " keeps no per-position component of kind ", int(kind));
}

CacheLayout CacheLayout::extended_to(int n_layers) const {
    WHALE_CHECK(!layers_.empty() && n_layers >= this->n_layers(), "cannot extend a cache layout of ",
                this->n_layers(), " layers to ", n_layers);
    std::vector<std::vector<CacheComponent>> layers = layers_;
    layers.resize(size_t(n_layers), layers_.back());
    return CacheLayout(std::move(layers));
}

uint64_t CacheLayout::signature() const {
    // FNV-1a over the layer count, then per layer its component count and each kind, width, ratio.
    uint64_t hash = 0xcbf29ce484222325ull;
    auto mix = [&hash](int64_t value) {
        for (int byte = 0; byte < 8; ++byte) hash = (hash ^ uint64_t((value >> (8 * byte)) & 0xff)) * 0x100000001b3ull;
    };
    mix(n_layers());
    for (const auto& layer : layers_) {
        mix(int64_t(layer.size()));
        for (const CacheComponent& c : layer) {
            mix(int64_t(c.kind));
            mix(c.width);
            mix(c.ratio);
        }
    }
    return hash;
}

}  // namespace whale
