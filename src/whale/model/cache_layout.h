// What a model caches for later tokens, declared per layer by kind (docs/kv_cache.md). The
// runtime's stores (contiguous per session, paged blocks, the prefix cache and its disk files) lay
// out storage from this declaration alone; attention code finds a kind's entry through offset().
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace whale {

// A kind names what an entry means; its geometry is the component's ratio. Components of ratio 1
// keep one entry per position: a layer's entries of one position are stored side by side, in
// declaration order, as that position's row of the layer. Components of ratio m > 1 keep one entry
// per m positions (entry w covers positions [m·w, m·w + m)), addressed by entry index.
enum class CacheKind {
    CacheKind_latent,     // MLA (V2/V3/V3.2): [kv_lora_rank normalised latent | qk_rope_head_dim rotated rope key]
    CacheKind_index_key,  // DSA (V3.2): [index_head_dim] the lightning indexer's key
    CacheKind_dense_kv,   // GQA (distills): [n_kv_heads·head_dim rotated keys | n_kv_heads·head_dim values]
    // DeepSeek-V4 (docs/kv_cache.md). Window rows and compressor inputs are read only for the last
    // 128 (window) or c·m (compressor) positions; stores keep them per position like the kinds above.
    CacheKind_window,            // ratio 1: [512] the kv row (key = value) of the sliding window
    CacheKind_compressor_input,  // ratio 1: [C_j | Z_j + ape] of the compressors: their running state
    CacheKind_compressed,        // ratio 4 (CSA) or 128 (HCA): [512] a pooled entry
    CacheKind_compressed_index_key,  // ratio 4: [128] the CSA indexer's key of a pooled entry
};

struct CacheComponent {
    CacheKind kind = CacheKind::CacheKind_latent;
    int64_t width = 0;  // floats per entry
    int64_t ratio = 1;  // positions per entry
    bool operator==(const CacheComponent&) const = default;
};

class CacheLayout {
public:
    CacheLayout() = default;
    // layers[l]: the components layer l caches, in row order (layers may differ).
    explicit CacheLayout(std::vector<std::vector<CacheComponent>> layers);
    // n_layers layers that all cache the same components.
    CacheLayout(int n_layers, const std::vector<CacheComponent>& components)
        : CacheLayout(std::vector<std::vector<CacheComponent>>(size_t(n_layers), components)) {}

    int n_layers() const { return int(layers_.size()); }
    const std::vector<CacheComponent>& components(int layer) const { return layers_[size_t(layer)]; }
    // Floats of one position's row of `layer`: the sum of its ratio-1 components' widths.
    int64_t row_width(int layer) const { return row_widths_[size_t(layer)]; }
    // Where the ratio-1 `kind` starts in a row of `layer`; throws when the layer keeps no such rows.
    int64_t offset(int layer, CacheKind kind) const;
    // Floats the rows of one position take over all layers (compressed entries not counted).
    int64_t floats_per_position() const { return floats_per_position_; }
    // The least common multiple of every component's ratio: a block of positions holds whole
    // entries only when its size is a multiple of it.
    int64_t position_granularity() const { return granularity_; }
    // The same layers followed by copies of the last one up to n_layers (a drafting session's cache
    // holds the main layers plus the multi-token-prediction layer, which caches what they do).
    CacheLayout extended_to(int n_layers) const;
    // A hash of every layer's kinds, widths and ratios: stored blocks are reusable only under an
    // equal one.
    uint64_t signature() const;

    bool operator==(const CacheLayout& other) const { return layers_ == other.layers_; }

private:
    std::vector<std::vector<CacheComponent>> layers_;
    std::vector<int64_t> row_widths_;
    int64_t floats_per_position_ = 0;
    int64_t granularity_ = 1;
};

}  // namespace whale
